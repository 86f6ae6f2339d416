using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Core;

/// <summary>One entry of the validator's control stack: the shared frame and the spec's <c>unreachable</c> flag.</summary>
public sealed class ValidatorFrame : ControlFrame
{
    /// <summary>True after an unconditional branch: the rest of the block is unreachable (stack-polymorphic).</summary>
    public bool Unreachable { get; set; }

    /// <summary>How many locals were marked initialised when the block began (3.0: the marks made inside end with it).</summary>
    public int InitHeight { get; set; }
}

/// <summary>
/// Validates one function body by the spec's algorithm (appendix "Validation Algorithm"): an operand
/// stack of value types (with <see cref="ValType.Bottom"/> for the unknown type of unreachable code)
/// and a control stack of <see cref="ValidatorFrame"/>s. It receives operators through <see cref="Visitor"/>.
/// One instance can validate many functions (it keeps its buffers).
/// </summary>
public sealed partial class FuncValidator
{
    private ModuleInfo _module = null!;
    private ValType[] _operands = new ValType[64];
    private int _operandCount;
    private readonly ControlStack<ValidatorFrame> _controls = new();
    private ValType[] _locals = new ValType[16];
    private int _localCount;
    private FuncType _type = null!;
    private uint _functionIndex;

    // 3.0's initialisation of non-defaultable locals (non-nullable references): which locals are set, and the order
    // they were first set in, so that the end of a block forgets what it set.
    private bool[] _initialized = new bool[16];
    private readonly List<int> _initOrder = new();
    private bool _hasNonDefaultable;

    // Some operand was a v128 (see FunctionBody.UsesV128).
    private bool _usesV128;

    // The innermost control frame's height and reachability, cached out of _controls because every
    // pop checks them.
    private int _frameHeight;
    private bool _frameUnreachable;

    /// <summary>The byte offset of the operator being validated (for error messages).</summary>
    public int Offset { get; set; }

    /// <summary>The module being validated.</summary>
    public ModuleInfo Module => _module;

    /// <summary>The function's type.</summary>
    public FuncType FunctionType => _type;

    /// <summary>The number of operands on the stack.</summary>
    public int OperandCount => _operandCount;

    /// <summary>The type of the operand <paramref name="depth"/> entries below the top (0 = top); Bottom when unknown.</summary>
    public ValType OperandType(int depth) => _operands[_operandCount - 1 - depth];

    /// <summary>The number of open control frames (the function's own frame included).</summary>
    public int ControlDepth => _controls.Depth;

    /// <summary>The control frame <paramref name="depth"/> levels out (0 = innermost).</summary>
    public ValidatorFrame Frame(int depth) => _controls[(uint)depth];

    /// <summary>True when the current code is unreachable.</summary>
    public bool IsUnreachable => _frameUnreachable;

    /// <summary>The number of locals, parameters included.</summary>
    public int LocalCount => _localCount;

    /// <summary>The type of local <paramref name="index"/> (parameters first).</summary>
    public ValType LocalType(uint index) => _locals[index];

    /// <summary>Starts validating a defined function.</summary>
    public void Begin(ModuleInfo module, uint functionIndex)
    {
        _module = module;
        _type = module.FunctionType(functionIndex);
        _functionIndex = functionIndex;
        FunctionBody body = module.Body(functionIndex);
        _localCount = _type.Params.Length + body.Locals.Length;
        if (_locals.Length < _localCount)
        {
            _locals = new ValType[Math.Max(_localCount, _locals.Length * 2)];
        }
        _type.Params.CopyTo(_locals, 0);
        body.Locals.CopyTo(_locals, _type.Params.Length);
        if (_initialized.Length < _localCount)
        {
            _initialized = new bool[Math.Max(_localCount, _initialized.Length * 2)];
        }
        _initOrder.Clear();
        _hasNonDefaultable = false;
        for (int i = 0; i < _localCount; i++)
        {
            ValType local = _locals[i];
            bool defaultable = !local.IsReference() || local.IsNullable();
            // Parameters are set by the caller; other locals start at their default value, which a non-nullable reference lacks.
            _initialized[i] = i < _type.Params.Length || defaultable;
            _hasNonDefaultable |= !_initialized[i];
            if (i >= _type.Params.Length && RefTypes.IsTyped(local))
            {
                NoteTyped(local);
            }
        }
        _operandCount = 0;
        _usesV128 = false;
        _controls.Clear();
        PushControl(ControlKind.Function, [], _type.Results);
    }

    /// <summary>Validates a whole defined function body.</summary>
    public void ValidateFunction(ModuleInfo module, uint functionIndex)
    {
        Begin(module, functionIndex);
        FunctionBody body = module.Body(functionIndex);
        var reader = new WasmReader(module.Bytes, body.CodeStart, body.End) { Features = module.Features };
        var visitor = new Visitor(this);
        ControlStack<ValidatorFrame> controls = _controls;
        while (controls.Depth > 0)
        {
            Offset = reader.Position;
            reader.ReadOperator(ref visitor);
        }
        if (!reader.AtEnd)
        {
            WasmReader.ThrowMalformed("operators remaining after end of function", reader.Position);
        }
        body.UsesV128 = _usesV128 || Array.IndexOf(_locals, ValType.V128, 0, _localCount) >= 0;
    }

    /// <summary>True once the function's final <c>end</c> was validated.</summary>
    public bool Finished => _controls.Depth == 0;

    // ---- the algorithm's primitives ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Push(ValType type)
    {
        if (_operandCount == _operands.Length)
        {
            Array.Resize(ref _operands, _operands.Length * 2);
        }
        _operands[_operandCount++] = type;
        if (type == ValType.V128)
        {
            _usesV128 = true;
        }
    }

    private void Push(ReadOnlySpan<ValType> types)
    {
        foreach (ValType t in types)
        {
            Push(t);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ValType Pop()
    {
        if (_operandCount == _frameHeight)
        {
            if (_frameUnreachable)
            {
                return ValType.Bottom;
            }
            FailEmpty("a value");
        }
        return _operands[--_operandCount];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ValType Pop(ValType expected)
    {
        if (_operandCount == _frameHeight)
        {
            if (_frameUnreachable)
            {
                return ValType.Bottom;
            }
            FailEmpty(expected.ToWatName());
        }
        ValType actual = _operands[--_operandCount];
        if (actual != expected && actual != ValType.Bottom && expected != ValType.Bottom && !Subtyping.Matches(_module, actual, expected))
        {
            FailMismatch(expected, actual);
        }
        return actual;
    }

    // The messages start with the spec's words ("type mismatch") and say what was expected and found.
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FailEmpty(string expected) => Fail($"type mismatch: expected {expected}, but nothing is on the stack");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FailMismatch(ValType expected, ValType actual) =>
        Fail($"type mismatch: expected {expected.ToWatName()}, got {actual.ToWatName()}");

    private static string TypeList(ReadOnlySpan<ValType> types)
    {
        var names = new string[types.Length];
        for (int i = 0; i < types.Length; i++)
        {
            names[i] = types[i].ToWatName();
        }
        return "[" + string.Join(' ', names) + "]";
    }

    private void Pop(ReadOnlySpan<ValType> expected)
    {
        for (int i = expected.Length - 1; i >= 0; i--)
        {
            Pop(expected[i]);
        }
    }

    private void PushControl(ControlKind kind, ValType[] start, ValType[] end)
    {
        ValidatorFrame pushed = _controls.Push(kind, start, end, _operandCount);
        pushed.Unreachable = false;
        pushed.InitHeight = _initOrder.Count;
        _frameHeight = _operandCount;
        _frameUnreachable = false;
        Push(start);
    }

    private ValidatorFrame PopControl()
    {
        if (_controls.Depth == 0)
        {
            Fail("type mismatch");
        }
        ValidatorFrame frame = _controls.Innermost;
        Pop(frame.Results);
        if (_operandCount != frame.Height)
        {
            Fail($"type mismatch: at the end of the block, {TypeList(_operands.AsSpan(frame.Height, _operandCount - frame.Height))} " +
                 $"remains on the stack beyond its results {TypeList(frame.Results)}");
        }
        _controls.Pop();
        // Locals first set inside the block are unset again after it.
        for (int i = _initOrder.Count - 1; i >= frame.InitHeight; i--)
        {
            _initialized[_initOrder[i]] = false;
        }
        _initOrder.RemoveRange(frame.InitHeight, _initOrder.Count - frame.InitHeight);
        if (_controls.Depth > 0)
        {
            ValidatorFrame outer = _controls.Innermost;
            _frameHeight = outer.Height;
            _frameUnreachable = outer.Unreachable;
        }
        return frame;
    }

    private void SetUnreachable()
    {
        ValidatorFrame frame = _controls.Innermost;
        _operandCount = frame.Height;
        frame.Unreachable = true;
        _frameUnreachable = true;
    }

    private ValType[] Label(uint depth)
    {
        if (depth >= (uint)_controls.Depth)
        {
            Fail("unknown label");
        }
        return _controls[depth].LabelTypes;
    }

    private (ValType[] Start, ValType[] End) BlockTypes(BlockType blockType)
    {
        if (!Core.BlockTypes.TryResolve(_module, blockType, out ValType[] start, out ValType[] end))
        {
            Fail("unknown type");
        }
        if (RefTypes.IsTyped(blockType.ValueType))
        {
            NoteTyped(blockType.ValueType);
        }
        return (start, end);
    }

    /// <summary>A 3.0 reference type written in the body: its type index must exist; the module uses typed references.</summary>
    private void NoteTyped(ValType type)
    {
        if (type.IsConcrete() && type.TypeIndex() >= (uint)_module.Types.Count)
        {
            Fail($"unknown type {type.TypeIndex()}");
        }
        _module.UsesTypedReferences = true;
    }

    [DoesNotReturn]
    private void Fail(string reason) => throw new InvalidModuleException(reason, Offset);

    /// <summary>The address type (i32, or i64 for a 64-bit memory) of memory <paramref name="index"/>, or "unknown memory N".</summary>
    private ValType MemoryAddress(uint index) => Known(_module.Memories, index, "memory").Limits.AddressType;

    /// <summary>The address type (i32, or i64 for a 64-bit table) of table <paramref name="index"/>.</summary>
    private ValType TableAddress(uint index) => Table(index).Limits.AddressType;

    /// <summary>Checks a memory immediate; returns its memory's address type.</summary>
    private ValType CheckMemArg(Opcode opcode, MemArg memArg)
    {
        ValType address = MemoryAddress(memArg.MemoryIndex);
        if (memArg.AlignLog2 > (uint)OperatorInfo.NaturalAlignmentLog2(opcode))
        {
            Fail("alignment must not be larger than natural");
        }
        if (address == ValType.I32 && memArg.Offset > uint.MaxValue)
        {
            // A 32-bit memory's offsets are u32.
            Fail("offset out of range");
        }
        return address;
    }

    /// <summary>A memory access: its fixed signature, with the address (the first parameter) of type <paramref name="address"/>.</summary>
    private void MemoryAccess(Opcode opcode, ValType address)
    {
        if (address == ValType.I32)
        {
            Plain(opcode);
            return;
        }
        ReadOnlySpan<ValType> parameters = OperatorInfo.Params(opcode);
        for (int i = parameters.Length - 1; i >= 1; i--)
        {
            Pop(parameters[i]);
        }
        Pop(address);
        Push(OperatorInfo.Results(opcode));
    }

    /// <summary>The type of a length over two memories or tables: i64 only when both are 64-bit.</summary>
    private static ValType MinAddress(ValType a, ValType b) => a == ValType.I64 && b == ValType.I64 ? ValType.I64 : ValType.I32;

    private void CheckLane(Opcode opcode, byte lane)
    {
        if (lane >= OperatorInfo.LaneCount(opcode))
        {
            Fail("invalid lane index");
        }
    }

    /// <summary>Entry <paramref name="index"/> of an index space of the module, or "unknown <paramref name="what"/> N".</summary>
    private T Known<T>(List<T> space, uint index, string what)
    {
        if (index >= (uint)space.Count)
        {
            Fail($"unknown {what} {index}");
        }
        return space[(int)index];
    }

    private TableType Table(uint index) => Known(_module.Tables, index, "table");

    private ElementSegment Element(uint index) => Known(_module.Elements, index, "elem segment");

    private void CheckData(uint index)
    {
        if (_module.DataCount is null && _module.Data.Count > 0)
        {
            WasmReader.ThrowMalformed("data count section required", Offset);
        }
        if (index >= (_module.DataCount ?? 0))
        {
            Fail($"unknown data segment {index}");
        }
    }

    private ValType Local(uint index)
    {
        if (index >= (uint)_localCount)
        {
            Fail($"unknown local {index}");
        }
        return _locals[index];
    }

    private GlobalType Global(uint index) => Known(_module.Globals, index, "global");

    private FuncType Function(uint index)
    {
        if (index >= (uint)_module.FunctionTypeIndices.Count)
        {
            Fail($"unknown function {index}");
        }
        return _module.FunctionType(index);
    }

    // ---- operators ----

    internal void Unreachable() => SetUnreachable();

    internal void Block(BlockType blockType)
    {
        var (start, end) = BlockTypes(blockType);
        Pop(start);
        PushControl(ControlKind.Block, start, end);
    }

    internal void TryTable(BlockType blockType, TryTableCatch[] catches)
    {
        RequireExceptions("try_table");
        var (start, end) = BlockTypes(blockType);
        // The catch clauses' labels are those around the try_table (its own label is not visible to them).
        foreach (TryTableCatch clause in catches)
        {
            ValType[] label = Label(clause.Label);
            ValType[] tagParams = clause.HasTag ? Tag(clause.Tag).Params : [];
            int count = tagParams.Length + (clause.PassesReference ? 1 : 0);
            bool matches = label.Length == count;
            for (int i = 0; matches && i < tagParams.Length; i++)
            {
                matches = Subtyping.Matches(_module, tagParams[i], label[i]) || tagParams[i] == label[i];
            }
            if (matches && clause.PassesReference)
            {
                ValType exnRef = RefTypes.Ref(AbstractHeapType.Exn, nullable: false);
                matches = Subtyping.Matches(_module, exnRef, label[^1]);
            }
            if (!matches)
            {
                Fail("type mismatch: a catch clause's values do not match its label's types");
            }
        }
        Pop(start);
        PushControl(ControlKind.Block, start, end);
    }

    internal void Throw(uint tagIndex)
    {
        RequireExceptions("throw");
        Pop(Tag(tagIndex).Params);
        SetUnreachable();
    }

    internal void ThrowRef()
    {
        RequireExceptions("throw_ref");
        Pop(RefTypes.Ref(AbstractHeapType.Exn, nullable: true));
        SetUnreachable();
    }

    private FuncType Tag(uint index)
    {
        if (index >= (uint)_module.TagTypeIndices.Count)
        {
            Fail($"unknown tag {index}");
        }
        return _module.TagType(index);
    }

    /// <summary>
    /// The legacy exception instructions (<c>try</c>, <c>catch</c>, <c>catch_all</c>, <c>delegate</c>, <c>rethrow</c>) do not
    /// exist without the feature (as in 2.0: malformed). They use tags, so they need the exceptions feature too.
    /// </summary>
    private void RequireLegacyExceptions(string name)
    {
        if ((_module.Features & WasmFeatures.LegacyExceptions) == 0)
        {
            WasmReader.ThrowMalformed("illegal opcode" + WasmFeatures.LegacyExceptions.Disabled(name), Offset);
        }
        RequireExceptions(name);
        lock (_module.FunctionsWithLegacyExceptions)
        {
            _module.FunctionsWithLegacyExceptions.Add(_functionIndex);
        }
    }

    internal void Try(BlockType blockType)
    {
        RequireLegacyExceptions("try");
        var (start, end) = BlockTypes(blockType);
        Pop(start);
        PushControl(ControlKind.Try, start, end);
    }

    /// <summary><c>catch</c> and <c>catch_all</c>: the body before ends as a block's would; the handler starts with the tag's values.</summary>
    internal void Catch(uint? tagIndex)
    {
        string name = tagIndex is null ? "catch_all" : "catch";
        RequireLegacyExceptions(name);
        if (_controls.Depth == 0 || _controls.Innermost.Kind is not (ControlKind.Try or ControlKind.Catch))
        {
            Fail(_controls.Depth > 0 && _controls.Innermost.Kind == ControlKind.CatchAll
                ? $"{name} after catch_all"
                : $"{name} without matching try");
        }
        ValType[] values = tagIndex is { } tag ? Tag(tag).Params : [];
        ValidatorFrame frame = PopControl();
        PushControl(tagIndex is null ? ControlKind.CatchAll : ControlKind.Catch, values, frame.Results);
    }

    /// <summary><c>delegate l</c>: ends a try body (no catch before it); l counts the labels around the try.</summary>
    internal void Delegate(uint depth)
    {
        RequireLegacyExceptions("delegate");
        if (_controls.Depth == 0 || _controls.Innermost.Kind != ControlKind.Try)
        {
            Fail("delegate without matching try");
        }
        ValidatorFrame closed = PopControl();
        if (depth >= (uint)_controls.Depth)
        {
            Fail("unknown label");
        }
        Push(closed.Results);
    }

    /// <summary><c>rethrow l</c>: label l must be a catch or catch_all.</summary>
    internal void Rethrow(uint depth)
    {
        RequireLegacyExceptions("rethrow");
        if (depth >= (uint)_controls.Depth)
        {
            Fail("unknown label");
        }
        if (_controls[depth].Kind is not (ControlKind.Catch or ControlKind.CatchAll))
        {
            Fail("invalid rethrow label");
        }
        SetUnreachable();
    }

    private void RequireExceptions(string name)
    {
        _module.UsesExceptions = true;
        if ((_module.Features & WasmFeatures.Exceptions) == 0)
        {
            Fail($"{name} needs the exceptions feature, which is disabled");
        }
    }

    internal void Loop(BlockType blockType)
    {
        var (start, end) = BlockTypes(blockType);
        Pop(start);
        PushControl(ControlKind.Loop, start, end);
    }

    internal void If(BlockType blockType)
    {
        var (start, end) = BlockTypes(blockType);
        Pop(ValType.I32);
        Pop(start);
        PushControl(ControlKind.If, start, end);
    }

    internal void Else()
    {
        if (_controls.Depth == 0 || _controls.Innermost.Kind != ControlKind.If)
        {
            Fail("else without matching if");
        }
        ValidatorFrame frame = PopControl();
        PushControl(ControlKind.Else, frame.Params, frame.Results);
    }

    internal void End()
    {
        if (_controls.Depth > 0 && _controls.Innermost.Kind == ControlKind.If)
        {
            // An if without else: the missing else branch passes its inputs through unchanged.
            ValidatorFrame frame = PopControl();
            PushControl(ControlKind.Else, frame.Params, frame.Results);
        }
        ValidatorFrame closed = PopControl();
        if (_controls.Depth > 0)
        {
            Push(closed.Results);
        }
    }

    internal void Br(uint depth)
    {
        Pop(Label(depth));
        SetUnreachable();
    }

    internal void BrIf(uint depth)
    {
        Pop(ValType.I32);
        ValType[] label = Label(depth);
        Pop(label);
        Push(label);
    }

    internal void BrTable(BrTable table)
    {
        Pop(ValType.I32);
        ValType[] defaultLabel = Label(table.Default);
        int arity = defaultLabel.Length;
        foreach (uint depth in table)
        {
            ValType[] label = Label(depth);
            if (label.Length != arity)
            {
                Fail($"type mismatch: br_table's labels take {arity} and {label.Length} values");
            }
            // Check the label's types against the stack without consuming it.
            int saved = _operandCount;
            ValType[] popped = new ValType[arity];
            for (int i = arity - 1; i >= 0; i--)
            {
                popped[i] = Pop(label[i]);
            }
            for (int i = 0; i < arity; i++)
            {
                Push(popped[i]);
            }
            _ = saved;
        }
        Pop(defaultLabel);
        SetUnreachable();
    }

    internal void Return()
    {
        Pop(_type.Results);
        SetUnreachable();
    }

    internal void Call(uint functionIndex)
    {
        FuncType type = Function(functionIndex);
        Pop(type.Params);
        Push(type.Results);
    }

    internal void CallIndirect(uint typeIndex, uint tableIndex)
    {
        FuncType type = IndirectCallee(typeIndex, tableIndex, "call_indirect");
        Pop(type.Params);
        Push(type.Results);
    }

    /// <summary>
    /// What <c>call_indirect</c> and <c>return_call_indirect</c> check first: a funcref table and a known type; pops the
    /// table index and returns the callee's type.
    /// </summary>
    private FuncType IndirectCallee(uint typeIndex, uint tableIndex, string name)
    {
        TableType table = Table(tableIndex);
        if (!Subtyping.Matches(_module, table.ElementType, ValType.FuncRef))
        {
            Fail($"type mismatch: {name} needs a funcref table, table {tableIndex} holds {table.ElementType.ToWatName()}");
        }
        if (typeIndex >= (uint)_module.Types.Count)
        {
            Fail("unknown type");
        }
        Pop(table.Limits.AddressType);
        return _module.Types[(int)typeIndex];
    }

    internal void ReturnCall(uint functionIndex)
    {
        RequireTailCalls("return_call");
        FuncType type = Function(functionIndex);
        Pop(type.Params);
        CheckTailCallResults(type, "return_call");
        SetUnreachable();
    }

    internal void ReturnCallIndirect(uint typeIndex, uint tableIndex)
    {
        RequireTailCalls("return_call_indirect");
        FuncType type = IndirectCallee(typeIndex, tableIndex, "return_call_indirect");
        Pop(type.Params);
        CheckTailCallResults(type, "return_call_indirect");
        SetUnreachable();
    }

    internal void ReturnCallRef(uint typeIndex)
    {
        RequireTailCalls("return_call_ref");
        CheckFunctionReferences();
        if (typeIndex >= (uint)_module.Types.Count)
        {
            Fail($"unknown type {typeIndex}");
        }
        _module.UsesTypedReferences = true;
        FuncType type = _module.Types[(int)typeIndex];
        Pop(RefTypes.Ref(typeIndex, nullable: true));
        Pop(type.Params);
        CheckTailCallResults(type, "return_call_ref");
        SetUnreachable();
    }

    private void RequireTailCalls(string name)
    {
        lock (_module.FunctionsWithTailCalls)
        {
            _module.FunctionsWithTailCalls.Add(_functionIndex);
        }
        if ((_module.Features & WasmFeatures.TailCall) == 0)
        {
            Fail($"{name} needs the tail-call feature, which is disabled");
        }
    }

    /// <summary>A tail call returns the callee's results as the caller's: each must match the caller's result type.</summary>
    private void CheckTailCallResults(FuncType callee, string name)
    {
        ValType[] results = _type.Results;
        bool matches = callee.Results.Length == results.Length;
        for (int i = 0; matches && i < results.Length; i++)
        {
            matches = callee.Results[i] == results[i] || Subtyping.Matches(_module, callee.Results[i], results[i]);
        }
        if (!matches)
        {
            Fail($"type mismatch: {name}'s callee returns [{string.Join(" ", callee.Results.Select(t => t.ToWatName()))}], the function [{string.Join(" ", results.Select(t => t.ToWatName()))}]");
        }
    }

    internal void CallRef(uint typeIndex)
    {
        CheckFunctionReferences();
        if (typeIndex >= (uint)_module.Types.Count)
        {
            Fail($"unknown type {typeIndex}");
        }
        _module.UsesTypedReferences = true;
        FuncType type = _module.Types[(int)typeIndex];
        Pop(RefTypes.Ref(typeIndex, nullable: true));
        Pop(type.Params);
        Push(type.Results);
    }

    /// <summary>Pops a reference (or the unknown type of unreachable code); anything else is a type mismatch.</summary>
    private ValType PopReference()
    {
        ValType type = Pop();
        if (type != ValType.Bottom && !type.IsReference())
        {
            Fail($"type mismatch: expected a reference, got {type.ToWatName()}");
        }
        return type;
    }

    internal void RefAsNonNull()
    {
        CheckFunctionReferences();
        ValType type = PopReference();
        Push(type == ValType.Bottom ? ValType.Bottom : type.WithNullable(false));
    }

    internal void BrOnNull(uint depth)
    {
        CheckFunctionReferences();
        ValType type = PopReference();
        ValType[] label = Label(depth);
        Pop(label);
        Push(label);
        Push(type == ValType.Bottom ? ValType.Bottom : type.WithNullable(false));
    }

    internal void BrOnNonNull(uint depth)
    {
        CheckFunctionReferences();
        ValType type = PopReference();
        ValType[] label = Label(depth);
        if (label.Length == 0 || !label[^1].IsReference())
        {
            Fail($"type mismatch: br_on_non_null's label must take a reference last, it takes {TypeList(label)}");
        }
        Push(type == ValType.Bottom ? ValType.Bottom : type.WithNullable(false));
        Pop(label);
        Push(label);
        Pop();
    }

    /// <summary>The relaxed SIMD operators do not exist without the feature (as in 2.0: malformed).</summary>
    internal void CheckRelaxedSimd()
    {
        if ((_module.Features & WasmFeatures.RelaxedSimd) == 0)
        {
            WasmReader.ThrowMalformed("illegal opcode" + WasmFeatures.RelaxedSimd.Disabled("a relaxed SIMD operator"), Offset);
        }
    }

    /// <summary>The instructions of typed function references do not exist without the feature (as in 2.0: malformed).</summary>
    private void CheckFunctionReferences()
    {
        if ((_module.Features & WasmFeatures.FunctionReferences) == 0)
        {
            WasmReader.ThrowMalformed("illegal opcode" + WasmFeatures.FunctionReferences.Disabled("a typed-reference operator"), Offset);
        }
        _module.UsesTypedReferences = true;
    }

    internal void Drop() => Pop();

    internal void Select()
    {
        Pop(ValType.I32);
        ValType t1 = Pop();
        ValType t2 = Pop();
        if (t1.IsReference() || t2.IsReference())
        {
            Fail($"type mismatch: select without a type needs numeric or vector operands, got {t2.ToWatName()} and {t1.ToWatName()}");
        }
        if (t1 != t2 && t1 != ValType.Bottom && t2 != ValType.Bottom)
        {
            Fail($"type mismatch: select's operands are {t2.ToWatName()} and {t1.ToWatName()}");
        }
        Push(t1 == ValType.Bottom ? t2 : t1);
    }

    internal void SelectTyped(ValType type, uint count)
    {
        if (RefTypes.IsTyped(type))
        {
            NoteTyped(type);
        }
        if (count != 1)
        {
            Fail("invalid result arity");
        }
        Pop(ValType.I32);
        Pop(type);
        Pop(type);
        Push(type);
    }

    internal void LocalGet(uint index)
    {
        ValType type = Local(index);
        if (_hasNonDefaultable && !_initialized[index])
        {
            Fail($"uninitialized local {index} of type {type.ToWatName()}: read before it is set");
        }
        Push(type);
    }

    internal void LocalSet(uint index)
    {
        Pop(Local(index));
        MarkInitialized(index);
    }

    internal void LocalTee(uint index)
    {
        ValType type = Local(index);
        Pop(type);
        Push(type);
        MarkInitialized(index);
    }

    private void MarkInitialized(uint index)
    {
        if (_hasNonDefaultable && !_initialized[index])
        {
            _initialized[index] = true;
            _initOrder.Add((int)index);
        }
    }

    internal void GlobalGet(uint index) => Push(Global(index).Type);

    internal void GlobalSet(uint index)
    {
        GlobalType global = Global(index);
        if (!global.Mutable)
        {
            Fail("global is immutable");
        }
        Pop(global.Type);
    }

    internal void TableGet(uint index)
    {
        ValType type = Table(index).ElementType;
        Pop(TableAddress(index));
        Push(type);
    }

    internal void TableSet(uint index)
    {
        ValType type = Table(index).ElementType;
        Pop(type);
        Pop(TableAddress(index));
    }

    internal void Load(Opcode opcode, MemArg memArg) => MemoryAccess(opcode, CheckMemArg(opcode, memArg));

    internal void Store(Opcode opcode, MemArg memArg) => MemoryAccess(opcode, CheckMemArg(opcode, memArg));

    internal void MemorySize(uint memory) => Push(MemoryAddress(memory));

    internal void MemoryGrow(uint memory)
    {
        ValType address = MemoryAddress(memory);
        Pop(address);
        Push(address);
    }

    internal void Const(ValType type) => Push(type);

    /// <summary>An operator with a fixed signature: pop its params, push its results.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Plain(Opcode opcode)
    {
        Pop(OperatorInfo.Params(opcode));
        Push(OperatorInfo.Results(opcode));
    }


    internal void RefNull(ValType type)
    {
        if (RefTypes.IsTyped(type))
        {
            NoteTyped(type);
        }
        Push(type);
    }

    internal void RefIsNull()
    {
        ValType type = Pop();
        if (type != ValType.Bottom && !type.IsReference())
        {
            Fail($"type mismatch: expected a reference, got {type.ToWatName()}");
        }
        Push(ValType.I32);
    }

    internal void RefFunc(uint index)
    {
        Function(index);
        if (!_module.DeclaredFunctionReferences.Contains(index))
        {
            Fail("undeclared function reference");
        }
        // 3.0: the precise type (ref $t); 2.0: funcref.
        Push((_module.Features & WasmFeatures.FunctionReferences) != 0
            ? RefTypes.Ref(_module.FunctionTypeIndices[(int)index], nullable: false) : ValType.FuncRef);
    }

    internal void MemoryInit(uint dataIndex, uint memory)
    {
        ValType address = MemoryAddress(memory);
        CheckData(dataIndex);
        Pop(ValType.I32);
        Pop(ValType.I32);
        Pop(address);
    }

    internal void DataDrop(uint dataIndex) => CheckData(dataIndex);

    internal void MemoryCopy(uint destination, uint source)
    {
        ValType d = MemoryAddress(destination), s = MemoryAddress(source);
        Pop(MinAddress(d, s));
        Pop(s);
        Pop(d);
    }

    internal void MemoryFill(uint memory)
    {
        ValType address = MemoryAddress(memory);
        Pop(address);
        Pop(ValType.I32);
        Pop(address);
    }

    internal void TableInit(uint elemIndex, uint tableIndex)
    {
        TableType table = Table(tableIndex);
        ElementSegment segment = Element(elemIndex);
        if (!Subtyping.Matches(_module, ModuleValidator.SegmentType(_module, segment), table.ElementType))
        {
            Fail($"type mismatch: element segment {elemIndex} holds {segment.ElementType.ToWatName()}, table {tableIndex} {table.ElementType.ToWatName()}");
        }
        Pop(ValType.I32);
        Pop(ValType.I32);
        Pop(table.Limits.AddressType);
    }

    internal void ElemDrop(uint elemIndex) => Element(elemIndex);

    internal void TableCopy(uint destination, uint source)
    {
        TableType dst = Table(destination);
        TableType src = Table(source);
        if (!Subtyping.Matches(_module, src.ElementType, dst.ElementType))
        {
            Fail($"type mismatch: table.copy from a table of {src.ElementType.ToWatName()} to one of {dst.ElementType.ToWatName()}");
        }
        Pop(MinAddress(dst.Limits.AddressType, src.Limits.AddressType));
        Pop(src.Limits.AddressType);
        Pop(dst.Limits.AddressType);
    }

    internal void TableGrow(uint index)
    {
        ValType type = Table(index).ElementType;
        ValType address = TableAddress(index);
        Pop(address);
        Pop(type);
        Push(address);
    }

    internal void TableSize(uint index) => Push(TableAddress(index));

    internal void TableFill(uint index)
    {
        ValType type = Table(index).ElementType;
        ValType address = TableAddress(index);
        Pop(address);
        Pop(type);
        Pop(address);
    }

    internal void Shuffle(Vector128<byte> lanes)
    {
        for (int i = 0; i < 16; i++)
        {
            if (lanes[i] >= 32)
            {
                Fail("invalid lane index");
            }
        }
        Pop(ValType.V128);
        Pop(ValType.V128);
        Push(ValType.V128);
    }

    internal void Lane(Opcode opcode, byte lane)
    {
        CheckLane(opcode, lane);
        Plain(opcode);
    }

    internal void MemoryLane(Opcode opcode, MemArg memArg, byte lane)
    {
        ValType address = CheckMemArg(opcode, memArg);
        CheckLane(opcode, lane);
        MemoryAccess(opcode, address);
    }

    /// <summary>Feeds operators to a <see cref="FuncValidator"/>.</summary>
    public readonly struct Visitor : IOperatorVisitor
    {
        private readonly FuncValidator _v;

        /// <summary>Creates the visitor.</summary>
        public Visitor(FuncValidator validator) => _v = validator;

        /// <inheritdoc/>
        public void VisitUnreachable() => _v.Unreachable();
        /// <inheritdoc/>
        public void VisitNop() { }
        /// <inheritdoc/>
        public void VisitBlock(BlockType blockType) => _v.Block(blockType);
        /// <inheritdoc/>
        public void VisitLoop(BlockType blockType) => _v.Loop(blockType);
        /// <inheritdoc/>
        public void VisitIf(BlockType blockType) => _v.If(blockType);
        /// <inheritdoc/>
        public void VisitElse() => _v.Else();
        /// <inheritdoc/>
        public void VisitEnd() => _v.End();
        /// <inheritdoc/>
        public void VisitBr(uint relativeDepth) => _v.Br(relativeDepth);
        /// <inheritdoc/>
        public void VisitBrIf(uint relativeDepth) => _v.BrIf(relativeDepth);
        /// <inheritdoc/>
        public void VisitBrTable(BrTable table) => _v.BrTable(table);
        /// <inheritdoc/>
        public void VisitReturn() => _v.Return();
        /// <inheritdoc/>
        public void VisitCall(uint functionIndex) => _v.Call(functionIndex);
        /// <inheritdoc/>
        public void VisitCallIndirect(uint typeIndex, uint tableIndex) => _v.CallIndirect(typeIndex, tableIndex);
        /// <inheritdoc/>
        public void VisitReturnCall(uint functionIndex) => _v.ReturnCall(functionIndex);
        /// <inheritdoc/>
        public void VisitThrow(uint tagIndex) => _v.Throw(tagIndex);
        /// <inheritdoc/>
        public void VisitThrowRef() => _v.ThrowRef();
        /// <inheritdoc/>
        public void VisitTry(BlockType blockType) => _v.Try(blockType);
        /// <inheritdoc/>
        public void VisitCatch(uint tagIndex) => _v.Catch(tagIndex);
        /// <inheritdoc/>
        public void VisitCatchAll() => _v.Catch(null);
        /// <inheritdoc/>
        public void VisitDelegate(uint relativeDepth) => _v.Delegate(relativeDepth);
        /// <inheritdoc/>
        public void VisitRethrow(uint relativeDepth) => _v.Rethrow(relativeDepth);
        /// <inheritdoc/>
        public void VisitTryTable(BlockType blockType, TryTableCatch[] catches) => _v.TryTable(blockType, catches);
        /// <inheritdoc/>
        public void VisitReturnCallIndirect(uint typeIndex, uint tableIndex) => _v.ReturnCallIndirect(typeIndex, tableIndex);
        public void VisitReturnCallRef(uint typeIndex) => _v.ReturnCallRef(typeIndex);
        public void VisitCallRef(uint typeIndex) => _v.CallRef(typeIndex);
        /// <inheritdoc/>
        public void VisitRefAsNonNull() => _v.RefAsNonNull();
        /// <inheritdoc/>
        public void VisitBrOnNull(uint relativeDepth) => _v.BrOnNull(relativeDepth);
        /// <inheritdoc/>
        public void VisitBrOnNonNull(uint relativeDepth) => _v.BrOnNonNull(relativeDepth);
        /// <inheritdoc/>
        public void VisitDrop() => _v.Drop();
        /// <inheritdoc/>
        public void VisitSelect() => _v.Select();
        /// <inheritdoc/>
        public void VisitSelectTyped(ValType type, uint typeCount) => _v.SelectTyped(type, typeCount);
        /// <inheritdoc/>
        public void VisitLocalGet(uint localIndex) => _v.LocalGet(localIndex);
        /// <inheritdoc/>
        public void VisitLocalSet(uint localIndex) => _v.LocalSet(localIndex);
        /// <inheritdoc/>
        public void VisitLocalTee(uint localIndex) => _v.LocalTee(localIndex);
        /// <inheritdoc/>
        public void VisitGlobalGet(uint globalIndex) => _v.GlobalGet(globalIndex);
        /// <inheritdoc/>
        public void VisitGlobalSet(uint globalIndex) => _v.GlobalSet(globalIndex);
        /// <inheritdoc/>
        public void VisitTableGet(uint tableIndex) => _v.TableGet(tableIndex);
        /// <inheritdoc/>
        public void VisitTableSet(uint tableIndex) => _v.TableSet(tableIndex);
        /// <inheritdoc/>
        public void VisitLoad(Opcode opcode, MemArg memArg) => _v.Load(opcode, memArg);
        /// <inheritdoc/>
        public void VisitStore(Opcode opcode, MemArg memArg) => _v.Store(opcode, memArg);
        /// <inheritdoc/>
        public void VisitMemorySize(uint memoryIndex) => _v.MemorySize(memoryIndex);
        /// <inheritdoc/>
        public void VisitMemoryGrow(uint memoryIndex) => _v.MemoryGrow(memoryIndex);
        /// <inheritdoc/>
        public void VisitI32Const(int value) => _v.Const(ValType.I32);
        /// <inheritdoc/>
        public void VisitI64Const(long value) => _v.Const(ValType.I64);
        /// <inheritdoc/>
        public void VisitF32Const(uint bits) => _v.Const(ValType.F32);
        /// <inheritdoc/>
        public void VisitF64Const(ulong bits) => _v.Const(ValType.F64);
        /// <inheritdoc/>
        public void VisitPlain(Opcode opcode)
        {
            if (OperatorInfo.IsRelaxedSimd(opcode))
            {
                _v.CheckRelaxedSimd();
            }
            _v.Plain(opcode);
        }
        /// <inheritdoc/>
        public void VisitRefNull(ValType type) => _v.RefNull(type);
        /// <inheritdoc/>
        public void VisitRefIsNull() => _v.RefIsNull();
        /// <inheritdoc/>
        public void VisitRefFunc(uint functionIndex) => _v.RefFunc(functionIndex);
        /// <inheritdoc/>
        public void VisitMemoryInit(uint dataIndex, uint memoryIndex) => _v.MemoryInit(dataIndex, memoryIndex);
        /// <inheritdoc/>
        public void VisitDataDrop(uint dataIndex) => _v.DataDrop(dataIndex);
        /// <inheritdoc/>
        public void VisitMemoryCopy(uint destinationMemory, uint sourceMemory) => _v.MemoryCopy(destinationMemory, sourceMemory);
        /// <inheritdoc/>
        public void VisitMemoryFill(uint memoryIndex) => _v.MemoryFill(memoryIndex);
        /// <inheritdoc/>
        public void VisitTableInit(uint elemIndex, uint tableIndex) => _v.TableInit(elemIndex, tableIndex);
        /// <inheritdoc/>
        public void VisitElemDrop(uint elemIndex) => _v.ElemDrop(elemIndex);
        /// <inheritdoc/>
        public void VisitTableCopy(uint destinationTable, uint sourceTable) => _v.TableCopy(destinationTable, sourceTable);
        /// <inheritdoc/>
        public void VisitTableGrow(uint tableIndex) => _v.TableGrow(tableIndex);
        /// <inheritdoc/>
        public void VisitTableSize(uint tableIndex) => _v.TableSize(tableIndex);
        /// <inheritdoc/>
        public void VisitTableFill(uint tableIndex) => _v.TableFill(tableIndex);
        /// <inheritdoc/>
        public void VisitV128Const(Vector128<byte> value) => _v.Const(ValType.V128);
        /// <inheritdoc/>
        public void VisitI8x16Shuffle(Vector128<byte> lanes) => _v.Shuffle(lanes);
        /// <inheritdoc/>
        public void VisitExtractLane(Opcode opcode, byte lane) => _v.Lane(opcode, lane);
        /// <inheritdoc/>
        public void VisitReplaceLane(Opcode opcode, byte lane) => _v.Lane(opcode, lane);
        /// <inheritdoc/>
        public void VisitLoadLane(Opcode opcode, MemArg memArg, byte lane) => _v.MemoryLane(opcode, memArg, lane);
        /// <inheritdoc/>
        public void VisitStoreLane(Opcode opcode, MemArg memArg, byte lane) => _v.MemoryLane(opcode, memArg, lane);
    }
}
