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
            var reader = new WasmReader(module.Bytes, body.CodeStart, body.End);
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
        foreach (Import import in module.Imports)
        {
            switch (import.Kind)
            {
                case ExternKind.Func:
                    CheckType(module, import.FuncTypeIndex, import.Offset);
                    break;
                case ExternKind.Table:
                    CheckTableType(import.Table, import.Offset);
                    break;
                case ExternKind.Memory:
                    CheckMemoryType(import.Memory, import.Offset);
                    break;
            }
        }
        for (int i = module.ImportedFunctionCount; i < module.FunctionTypeIndices.Count; i++)
        {
            CheckType(module, module.FunctionTypeIndices[i], DefinitionOffset(module, ExternKind.Func, i - module.ImportedFunctionCount));
        }
        for (int i = module.ImportedTableCount; i < module.Tables.Count; i++)
        {
            CheckTableType(module.Tables[i], DefinitionOffset(module, ExternKind.Table, i - module.ImportedTableCount));
        }
        for (int i = module.ImportedMemoryCount; i < module.Memories.Count; i++)
        {
            CheckMemoryType(module.Memories[i], DefinitionOffset(module, ExternKind.Memory, i - module.ImportedMemoryCount));
        }
        if (module.Memories.Count > 1)
        {
            Fail("multiple memories", DefinitionOffset(module, ExternKind.Memory, Math.Max(0, 1 - module.ImportedMemoryCount)));
        }

        // Function references that ref.func in bodies may name: everything referenced outside bodies.
        CollectDeclaredReferences(module);

        for (int i = 0; i < module.GlobalInits.Count; i++)
        {
            GlobalType type = module.Globals[module.ImportedGlobalCount + i];
            CheckConstExpr(module, module.GlobalInits[i], type.Type);
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
            if (segment.Mode == SegmentMode.Active)
            {
                if (segment.TableIndex >= (uint)module.Tables.Count)
                {
                    Fail($"unknown table {segment.TableIndex}", segment.Offset0);
                }
                CheckConstExpr(module, segment.Offset, ValType.I32);
                if (module.Tables[(int)segment.TableIndex].ElementType != segment.ElementType)
                {
                    Fail($"type mismatch: an element segment of {segment.ElementType.ToWatName()} for table {segment.TableIndex} of " +
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
                    CheckConstExpr(module, item, segment.ElementType);
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
                CheckConstExpr(module, segment.Offset, ValType.I32);
            }
        }

        var validator = new FuncValidator();
        for (int i = 0; i < module.Bodies.Count; i++)
        {
            validator.ValidateFunction(module, (uint)(module.ImportedFunctionCount + i));
        }
    }

    private static string KindName(ExternKind kind) => kind switch
    {
        ExternKind.Func => "function",
        ExternKind.Table => "table",
        ExternKind.Memory => "memory",
        _ => "global",
    };

    private static void CheckType(ModuleInfo module, uint typeIndex, int offset)
    {
        if (typeIndex >= (uint)module.Types.Count)
        {
            Fail($"unknown type {typeIndex}", offset);
        }
    }

    private static void CheckTableType(TableType table, int offset)
    {
        if (table.Limits.Max is uint max && table.Limits.Min > max)
        {
            Fail("size minimum must not be greater than maximum", offset);
        }
    }

    private static void CheckMemoryType(MemoryType memory, int offset)
    {
        Limits limits = memory.Limits;
        if (limits.Min > MaxMemoryPages || limits.Max > MaxMemoryPages)
        {
            Fail("memory size must be at most 65536 pages (4GiB)", offset);
        }
        if (limits.Max is uint max && limits.Min > max)
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

    /// <summary>Checks a constant expression: only constant operators, one result of the expected type.</summary>
    private static void CheckConstExpr(ModuleInfo module, ConstExpr expr, ValType expected)
    {
        var reader = new WasmReader(module.Bytes, expr.Start, expr.End);
        var visitor = new ConstantExpressionVisitor<ConstExprChecker>(new ConstExprChecker(module, null) { Validate = true });
        ref ConstExprChecker checker = ref visitor.Inner;
        while (!checker.Done)
        {
            checker.Offset = reader.Position;
            reader.ReadOperator(ref visitor);
        }
        if (checker.Depth != 1 || (checker.Top != expected && checker.Top != ValType.Bottom))
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
            Depth = 0;
            Top = ValType.Bottom;
            Offset = 0;
        }

        public bool Validate;
        public bool Done;
        public int Depth;
        public ValType Top;
        public int Offset;

        private void Push(ValType type)
        {
            Depth++;
            Top = type;
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
            Push(ValType.FuncRef);
        }

        public void VisitGlobalGet(uint globalIndex)
        {
            if (Validate)
            {
                // In 2.0, constant expressions see only the imported globals, and only immutable ones.
                if (globalIndex >= (uint)_module.ImportedGlobalCount)
                {
                    Fail($"unknown global {globalIndex}", Offset);
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
