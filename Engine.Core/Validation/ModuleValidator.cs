using System.Diagnostics.CodeAnalysis;
using System.Runtime.Intrinsics;

namespace Engine.Core;

/// <summary>
/// Validates a decoded module by the rules of the WebAssembly 2.0 spec: types and limits of every
/// definition, constant expressions, segments, exports, the start function, and (through
/// <see cref="FuncValidator"/>) every function body.
/// </summary>
public static class ModuleValidator
{
    /// <summary>The most pages a memory may have (4 GiB).</summary>
    public const uint MaxMemoryPages = 65536;

    /// <summary>The most pages a 64-bit memory may have (2^48: 2^64 bytes).</summary>
    public const ulong MaxMemory64Pages = 1UL << 48;

    /// <summary>
    /// Validates every part of the module; throws <see cref="InvalidModuleException"/> (or
    /// <see cref="MalformedModuleException"/> for the binary-format rules only checkable while reading
    /// code, such as a missing data count section).
    /// </summary>
    public static void Validate(ModuleInfo module)
    {
        ArgumentNullException.ThrowIfNull(module);
        try
        {
            ValidateCore(module);
        }
        catch (InvalidModuleException)
        {
            // The spec decodes the whole module before validating any of it, so a malformed function
            // body later in the module wins over an invalid one. We validate while reading bodies (one
            // pass is faster), and so only on this error path scan every body for malformedness.
            CheckBodiesWellFormed(module);
            throw;
        }
    }

    private static void CheckBodiesWellFormed(ModuleInfo module)
    {
        foreach (FunctionBody body in module.Bodies)
        {
            var reader = new WasmReader(module.Bytes, body.CodeStart, body.End) { Features = module.Features };
            var scanner = new ExpressionScanner();
            while (!scanner.Done)
            {
                reader.ReadOperator(ref scanner);
            }
            if (!reader.AtEnd)
            {
                WasmReader.ThrowMalformed("operators remaining after end of function", reader.Position);
            }
        }
    }

    private static void ValidateCore(ModuleInfo module)
    {
        CheckTypeSection(module);
        foreach (Import import in module.Imports)
        {
            switch (import.Kind)
            {
                case ExternKind.Func:
                    CheckType(module, import.FuncTypeIndex, import.Offset);
                    break;
                case ExternKind.Table:
                    CheckValueType(module, import.Table.ElementType, import.Offset);
                    CheckTableType(import.Table, import.Offset);
                    break;
                case ExternKind.Global:
                    CheckValueType(module, import.Global.Type, import.Offset);
                    break;
                case ExternKind.Memory:
                    CheckMemoryType(import.Memory, import.Offset);
                    break;
                case ExternKind.Tag:
                    CheckTagType(module, import.FuncTypeIndex, import.Offset);
                    break;
            }
        }
        for (int i = module.ImportedTagCount; i < module.TagTypeIndices.Count; i++)
        {
            CheckTagType(module, module.TagTypeIndices[i], DefinitionOffset(module, ExternKind.Tag, i - module.ImportedTagCount));
        }
        for (int i = module.ImportedFunctionCount; i < module.FunctionTypeIndices.Count; i++)
        {
            CheckType(module, module.FunctionTypeIndices[i], DefinitionOffset(module, ExternKind.Func, i - module.ImportedFunctionCount));
        }
        for (int i = module.ImportedTableCount; i < module.Tables.Count; i++)
        {
            CheckValueType(module, module.Tables[i].ElementType, DefinitionOffset(module, ExternKind.Table, i - module.ImportedTableCount));
            CheckTableType(module.Tables[i], DefinitionOffset(module, ExternKind.Table, i - module.ImportedTableCount));
        }
        for (int i = module.ImportedMemoryCount; i < module.Memories.Count; i++)
        {
            CheckMemoryType(module.Memories[i], DefinitionOffset(module, ExternKind.Memory, i - module.ImportedMemoryCount));
        }
        if (module.Memories.Count > 1 && (module.Features & WasmFeatures.MultiMemory) == 0)
        {
            Fail("multiple memories" + WasmFeatures.MultiMemory.Disabled("a second memory"),
                DefinitionOffset(module, ExternKind.Memory, Math.Max(0, 1 - module.ImportedMemoryCount)));
        }

        // Function references that ref.func in bodies may name: everything referenced outside bodies.
        CollectDeclaredReferences(module);

        // The globals constant expressions may read: 2.0, the imported ones; 3.0, also those defined before (segments: all).
        bool extendedConst = (module.Features & WasmFeatures.ExtendedConst) != 0;
        int segmentGlobals = extendedConst ? module.Globals.Count : module.ImportedGlobalCount;
        for (int i = 0; i < module.GlobalInits.Count; i++)
        {
            GlobalType type = module.Globals[module.ImportedGlobalCount + i];
            CheckValueType(module, type.Type, module.GlobalInits[i].Start);
            CheckConstExpr(module, module.GlobalInits[i], type.Type, visibleGlobals: extendedConst ? module.ImportedGlobalCount + i : module.ImportedGlobalCount);
        }

        // Tables: a non-nullable element type needs an initialiser (3.0), which may read the imported globals.
        for (int i = module.ImportedTableCount; i < module.Tables.Count; i++)
        {
            TableType table = module.Tables[i];
            if (module.TableInits.TryGetValue((uint)i, out ConstExpr init))
            {
                CheckConstExpr(module, init, table.ElementType, visibleGlobals: module.ImportedGlobalCount);
            }
            else if (!table.ElementType.IsNullable())
            {
                Fail($"type mismatch: table {i} of non-nullable {table.ElementType.ToWatName()} needs an initialiser", DefinitionOffset(module, ExternKind.Table, i - module.ImportedTableCount));
            }
        }

        var exportNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (Export export in module.Exports)
        {
            if (!exportNames.Add(export.Name))
            {
                Fail("duplicate export name", export.Offset);
            }
            int count = export.Kind switch
            {
                ExternKind.Func => module.FunctionTypeIndices.Count,
                ExternKind.Table => module.Tables.Count,
                ExternKind.Memory => module.Memories.Count,
                ExternKind.Tag => module.TagTypeIndices.Count,
                _ => module.Globals.Count,
            };
            if (export.Index >= (uint)count)
            {
                Fail($"unknown {KindName(export.Kind)} {export.Index}", export.Offset);
            }
        }

        if (module.StartFunction is uint start)
        {
            if (start >= (uint)module.FunctionTypeIndices.Count)
            {
                Fail($"unknown function {start}", module.StartOffset);
            }
            FuncType type = module.FunctionType(start);
            if (type.Params.Length != 0 || type.Results.Length != 0)
            {
                Fail("start function", module.StartOffset);
            }
        }

        foreach (ElementSegment segment in module.Elements)
        {
            CheckValueType(module, segment.ElementType, segment.Offset0);
            if (segment.Mode == SegmentMode.Active)
            {
                if (segment.TableIndex >= (uint)module.Tables.Count)
                {
                    Fail($"unknown table {segment.TableIndex}", segment.Offset0);
                }
                CheckConstExpr(module, segment.Offset, module.Tables[(int)segment.TableIndex].Limits.AddressType, segmentGlobals);
                if (!Subtyping.Matches(module, SegmentType(module, segment), module.Tables[(int)segment.TableIndex].ElementType))
                {
                    Fail($"type mismatch: an element segment of {SegmentType(module, segment).ToWatName()} for table {segment.TableIndex} of " +
                         $"{module.Tables[(int)segment.TableIndex].ElementType.ToWatName()}", segment.Offset0);
                }
            }
            if (segment.FunctionIndices != null)
            {
                foreach (uint f in segment.FunctionIndices)
                {
                    if (f >= (uint)module.FunctionTypeIndices.Count)
                    {
                        Fail($"unknown function {f}", segment.Offset0);
                    }
                }
            }
            else
            {
                foreach (ConstExpr item in segment.Expressions!)
                {
                    CheckConstExpr(module, item, segment.ElementType, segmentGlobals);
                }
            }
        }

        foreach (DataSegment segment in module.Data)
        {
            if (segment.Mode == SegmentMode.Active)
            {
                if (segment.MemoryIndex >= (uint)module.Memories.Count)
                {
                    Fail($"unknown memory {segment.MemoryIndex}", segment.Offset0);
                }
                CheckConstExpr(module, segment.Offset, module.Memories[(int)segment.MemoryIndex].Limits.AddressType, segmentGlobals);
            }
        }

        var validator = new FuncValidator();
        for (int i = 0; i < module.Bodies.Count; i++)
        {
            validator.ValidateFunction(module, (uint)(module.ImportedFunctionCount + i));
        }
    }

    /// <summary>
    /// The type of an element segment's items: as declared, except that a segment of function indices holds non-null
    /// references in 3.0 (<c>(ref func)</c>), so it may initialise a table of non-nullable references.
    /// </summary>
    public static ValType SegmentType(ModuleInfo module, ElementSegment segment) =>
        segment.FunctionIndices != null && segment.ElementType == ValType.FuncRef && (module.Features & WasmFeatures.FunctionReferences) != 0
            ? RefTypes.Ref(AbstractHeapType.Func, nullable: false)
            : segment.ElementType;

    /// <summary>
    /// The type section (3.0): references to type indices stay inside the module's types and reach no later group;
    /// a declared supertype is an earlier, non-final type that the subtype matches (parameters contravariant, results
    /// covariant). Then the module-local type equivalence that subtyping uses.
    /// </summary>
    private static void CheckTypeSection(ModuleInfo module)
    {
        foreach (RecGroup group in module.RecGroups)
        {
            for (int i = group.Start; i < group.End; i++)
            {
                FuncType type = module.Types[i];
                foreach (ValType t in type.Params)
                {
                    CheckTypeReference(t, group.End, 0);
                }
                foreach (ValType t in type.Results)
                {
                    CheckTypeReference(t, group.End, 0);
                }
                if (type.SuperTypes.Length > 1)
                {
                    Fail($"type {i} declares {type.SuperTypes.Length} supertypes, at most one is allowed", 0);
                }
                if (type.SuperTypes.Length == 1 && type.SuperTypes[0] >= (uint)i)
                {
                    Fail($"unknown type {type.SuperTypes[0]}: a supertype must be defined before its subtype {i}", 0);
                }
            }
        }
        module.TypeEquivalence = new TypeRegistry().Canonicalize(module);
        for (int i = 0; i < module.Types.Count; i++)
        {
            FuncType type = module.Types[i];
            if (type.SuperTypes.Length == 1)
            {
                FuncType super = module.Types[(int)type.SuperTypes[0]];
                if (super.IsFinal)
                {
                    Fail($"sub type {i} does not match its supertype {type.SuperTypes[0]}: the supertype is final", 0);
                }
                if (!Subtyping.Matches(module, super.Params, type.Params) || !Subtyping.Matches(module, type.Results, super.Results))
                {
                    Fail($"sub type {i} does not match its supertype {type.SuperTypes[0]}", 0);
                }
            }
            if (!type.IsPlain || type.Params.Any(RefTypes.IsTyped) || type.Results.Any(RefTypes.IsTyped))
            {
                module.UsesTypedReferences = true;
            }
        }
    }

    /// <summary>A value type's type index, if it has one, must name a type below <paramref name="limit"/>; notes typed references.</summary>
    internal static void CheckTypeReference(ValType type, int limit, int offset)
    {
        if (type.IsConcrete() && type.TypeIndex() >= (uint)limit)
        {
            Fail($"unknown type {type.TypeIndex()}", offset);
        }
    }

    /// <summary>A value type of a definition (global, table, element segment): its type index must exist; notes typed references.</summary>
    private static void CheckValueType(ModuleInfo module, ValType type, int offset)
    {
        CheckTypeReference(type, module.Types.Count, offset);
        if (RefTypes.IsTyped(type))
        {
            module.UsesTypedReferences = true;
        }
    }

    private static string KindName(ExternKind kind) => kind switch
    {
        ExternKind.Func => "function",
        ExternKind.Table => "table",
        ExternKind.Memory => "memory",
        ExternKind.Tag => "tag",
        _ => "global",
    };

    /// <summary>A tag's type: a function type without results (its parameters are the exception's values).</summary>
    private static void CheckTagType(ModuleInfo module, uint typeIndex, int offset)
    {
        CheckType(module, typeIndex, offset);
        if (module.Types[(int)typeIndex].Results.Length != 0)
        {
            Fail("non-empty tag result type", offset);
        }
    }

    private static void CheckType(ModuleInfo module, uint typeIndex, int offset)
    {
        if (typeIndex >= (uint)module.Types.Count)
        {
            Fail($"unknown type {typeIndex}", offset);
        }
    }

    private static void CheckTableType(TableType table, int offset)
    {
        if (!table.Limits.Is64 && (table.Limits.Min > uint.MaxValue || table.Limits.Max > uint.MaxValue))
        {
            Fail("table size must be at most 2^32-1", offset);
        }
        if (table.Limits.Max is ulong max && table.Limits.Min > max)
        {
            Fail("size minimum must not be greater than maximum", offset);
        }
    }

    private static void CheckMemoryType(MemoryType memory, int offset)
    {
        Limits limits = memory.Limits;
        if (limits.Is64)
        {
            if (limits.Min > MaxMemory64Pages || limits.Max > MaxMemory64Pages)
            {
                Fail("memory size must be at most 2^48 pages (16 EiB)", offset);
            }
        }
        else if (limits.Min > MaxMemoryPages || limits.Max > MaxMemoryPages)
        {
            Fail("memory size must be at most 65536 pages (4GiB)", offset);
        }
        if (limits.Max is ulong max && limits.Min > max)
        {
            Fail("size minimum must not be greater than maximum", offset);
        }
    }

    private static void CollectDeclaredReferences(ModuleInfo module)
    {
        HashSet<uint> declared = module.DeclaredFunctionReferences;
        declared.Clear();
        foreach (Export export in module.Exports)
        {
            if (export.Kind == ExternKind.Func)
            {
                declared.Add(export.Index);
            }
        }
        foreach (ElementSegment segment in module.Elements)
        {
            if (segment.FunctionIndices != null)
            {
                declared.UnionWith(segment.FunctionIndices);
            }
            else
            {
                foreach (ConstExpr item in segment.Expressions!)
                {
                    AddRefFuncs(module, item, declared);
                }
            }
        }
        foreach (ConstExpr init in module.GlobalInits)
        {
            AddRefFuncs(module, init, declared);
        }
        foreach (ConstExpr init in module.TableInits.Values)
        {
            AddRefFuncs(module, init, declared);
        }
    }

    private static void AddRefFuncs(ModuleInfo module, ConstExpr expr, HashSet<uint> declared)
    {
        var reader = new WasmReader(module.Bytes, expr.Start, expr.End);
        var collector = new ConstantExpressionVisitor<ConstExprChecker>(new ConstExprChecker(module, declared));
        while (!reader.AtEnd && !collector.Inner.Done)
        {
            reader.ReadOperator(ref collector);
        }
    }

    /// <summary>
    /// Checks a constant expression: only constant operators, operands of the right types, one result of the expected
    /// type; <c>global.get</c> may read the first <paramref name="visibleGlobals"/> globals (3.0: the imported ones and,
    /// in a global's initialiser, the globals defined before it; every global in segments), immutable ones only.
    /// </summary>
    private static void CheckConstExpr(ModuleInfo module, ConstExpr expr, ValType expected, int visibleGlobals)
    {
        var reader = new WasmReader(module.Bytes, expr.Start, expr.End);
        var visitor = new ConstantExpressionVisitor<ConstExprChecker>(new ConstExprChecker(module, null) { Validate = true, VisibleGlobals = visibleGlobals });
        ref ConstExprChecker checker = ref visitor.Inner;
        while (!checker.Done)
        {
            checker.Offset = reader.Position;
            reader.ReadOperator(ref visitor);
        }
        if (checker.Depth != 1 || (checker.Top != ValType.Bottom && !Subtyping.Matches(module, checker.Top, expected)))
        {
            Fail(checker.Depth == 1
                ? $"type mismatch: the constant expression gives {checker.Top.ToWatName()}, expected {expected.ToWatName()}"
                : $"type mismatch: the constant expression leaves {checker.Depth} values, expected one {expected.ToWatName()}", expr.Start);
        }
    }

    private static int DefinitionOffset(ModuleInfo module, ExternKind kind, int definedIndex) =>
        definedIndex >= 0 && definedIndex < module.DefinitionOffsets[kind].Count ? module.DefinitionOffsets[kind][definedIndex] : 0;

    [DoesNotReturn]
    private static void Fail(string reason, int offset) => throw new InvalidModuleException(reason, offset);

    /// <summary>
    /// Walks a constant expression. With <see cref="Validate"/> it rejects non-constant operators and
    /// tracks the result types; with a set it collects <c>ref.func</c> indices.
    /// </summary>
    private struct ConstExprChecker : IConstantExpressionVisitor
    {
        private readonly ModuleInfo _module;
        private readonly HashSet<uint>? _collect;

        public ConstExprChecker(ModuleInfo module, HashSet<uint>? collect)
        {
            _module = module;
            _collect = collect;
            Validate = false;
            Done = false;
            VisibleGlobals = 0;
            Offset = 0;
            _stack = null;
            _bottom = ValType.Bottom;
            _depth = 0;
        }

        public bool Validate;
        public bool Done;
        public int VisibleGlobals;
        public int Offset;
        // The operand stack's types, for the extended constants' operators (nearly every expression is one push).
        private List<ValType>? _stack;
        private ValType _bottom;
        private int _depth;

        /// <summary>The number of values on the stack.</summary>
        public readonly int Depth => _depth;

        /// <summary>The type of the top value (Bottom when the stack is empty).</summary>
        public readonly ValType Top => _depth == 0 ? ValType.Bottom : _depth == 1 ? _bottom : _stack![_depth - 2];

        private void Push(ValType type)
        {
            if (_depth == 0)
            {
                _bottom = type;
            }
            else
            {
                _stack ??= new List<ValType>();
                _stack.RemoveRange(_depth - 1, _stack.Count - (_depth - 1));
                _stack.Add(type);
            }
            _depth++;
        }

        private void Pop(ValType expected)
        {
            if (_depth == 0 || Top != expected)
            {
                Fail($"type mismatch: {(_depth == 0 ? "nothing" : Top.ToWatName())} where the constant expression needs {expected.ToWatName()}", Offset);
            }
            _depth--;
        }

        /// <summary>An extended constant (3.0): i32/i64 add, sub, mul.</summary>
        public void VisitPlain(Opcode opcode)
        {
            ValType type = OperatorInfo.Params(opcode)[0];
            if (Validate && (_module.Features & WasmFeatures.ExtendedConst) == 0)
            {
                Fail("constant expression required" + WasmFeatures.ExtendedConst.Disabled(OperatorInfo.Name(opcode)), Offset);
            }
            if (Validate)
            {
                Pop(type);
                Pop(type);
            }
            Push(type);
        }

        public void NotConstant(Opcode opcode)
        {
            if (Validate)
            {
                Fail("constant expression required", Offset);
            }
        }

        public void VisitEnd() => Done = true;
        public void VisitI32Const(int value) => Push(ValType.I32);
        public void VisitI64Const(long value) => Push(ValType.I64);
        public void VisitF32Const(uint bits) => Push(ValType.F32);
        public void VisitF64Const(ulong bits) => Push(ValType.F64);
        public void VisitV128Const(Vector128<byte> value) => Push(ValType.V128);
        public void VisitRefNull(ValType type) => Push(type);

        public void VisitRefFunc(uint functionIndex)
        {
            if (Validate && functionIndex >= (uint)_module.FunctionTypeIndices.Count)
            {
                Fail($"unknown function {functionIndex}", Offset);
            }
            _collect?.Add(functionIndex);
            // 3.0: the precise type (ref $t); 2.0 modules see funcref.
            Push((_module.Features & WasmFeatures.FunctionReferences) != 0 && functionIndex < (uint)_module.FunctionTypeIndices.Count
                ? RefTypes.Ref(_module.FunctionTypeIndices[(int)functionIndex], nullable: false) : ValType.FuncRef);
        }

        public void VisitGlobalGet(uint globalIndex)
        {
            if (Validate)
            {
                if (globalIndex >= (uint)VisibleGlobals)
                {
                    // 2.0 sees only imported globals here: a defined one is what extended constants add.
                    bool extended = (_module.Features & WasmFeatures.ExtendedConst) == 0 && globalIndex < (uint)_module.Globals.Count;
                    Fail($"unknown global {globalIndex}" + (extended ? WasmFeatures.ExtendedConst.Disabled("global.get of a defined global") : ""), Offset);
                }
                if (_module.Globals[(int)globalIndex].Mutable)
                {
                    Fail("constant expression required", Offset);
                }
                Push(_module.Globals[(int)globalIndex].Type);
            }
        }
    }
}
