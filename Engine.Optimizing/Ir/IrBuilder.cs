using System.Runtime.Intrinsics;
using Engine.Core;

namespace Engine.Optimizing.Ir;

/// <summary>
/// Builds the SSA form of a validated function body in one pass over its operators (driven by the generated
/// operator reader through <see cref="IrBuilderVisitor"/>).
/// </summary>
/// <remarks>
/// <para><b>Values</b>: the operand stack holds value ids; every local holds the id of its current value
/// (the environment). Locals the function never assigns are never merged: a parameter keeps its
/// <see cref="Op.Param"/>, a declared local reads as a zero constant made where it is read.</para>
/// <para><b>Merges</b> (the end of a block or an if): every edge into the label records the label's values
/// and the values of the assigned locals (a snapshot). At the label's <c>end</c> all its edges are known: a
/// value that is the same on every edge is used as it is; one that differs becomes a parameter of the
/// target block, and each edge passes its own. No parameter is ever made that would be trivial.</para>
/// <para><b>Loops</b>: a loop header's parameters are the loop's own parameters and the locals its body
/// assigns (a quick scan before building finds them: <see cref="AssignmentScan"/>), so back edges, which
/// come before the header's parameters could otherwise be known, just pass their values.</para>
/// <para><b>On-stack replacement</b>: an OSR loop gets a merge block before its header whose parameters are
/// every operand-stack value and every local that can hold anything but zero, with two predecessors: the
/// code before the loop and an OSR entry block that reads the same values from the state area. Nothing the
/// loop uses then comes from the normal entry except through those parameters.</para>
/// </remarks>
internal sealed partial class IrBuilder
{
    private enum FrameKind : byte
    {
        Block,
        Loop,
        If,
        Else,
        Function,
    }

    /// <summary>A control frame; one object per nesting depth, reused.</summary>
    private sealed class Frame
    {
        public FrameKind Kind;
        public bool Dead;
        public ValType[] Params = [];
        public ValType[] Results = [];
        public int BaseHeight;
        /// <summary>The block after the end (block, if) or the header (loop); -1 for the function.</summary>
        public int Target;
        public int ElseBlock;
        public int LoopOrdinal;
        public int EdgeCount;
        public int[] EdgeCalls = new int[4];
        /// <summary>Per edge: the label's values, then the assigned locals' values (stride = arity + assigned count).</summary>
        public int[] Snapshots = new int[32];
        public int[] SavedLocals = new int[16];
        public int[] SavedParams = new int[4];
        /// <summary>A try_table's catch clauses (null for every other frame).</summary>
        public TryTableCatch[]? Catches;
        /// <summary>A try_table's module offset (the catch builtin finds its clauses by it).</summary>
        public int TryOffset;
        /// <summary>Per clause, the index in the frame stack of the frame whose label it branches to.</summary>
        public int[] CatchFrames = [];

        public ValType[] LabelTypes => Kind == FrameKind.Loop ? Params : Results;
    }

    private IrFunction _f = null!;
    private ModuleInfo _module = null!;
    private CompilerOptions _options = null!;
    private readonly AssignmentScan _scan = new();
    private ValType[] _localTypes = new ValType[16];
    private int _localCount;
    private int _paramCount;
    // Current value of each local; -1 for a declared local the function never assigns (it reads as zero).
    private int[] _locals = new int[16];
    private int[] _stack = new int[64];
    private int _height;
    private Frame[] _frames = new Frame[16];
    private int _depth;
    private int _current = -1;
    private int _offset;
    private int _loopOrdinal;
    private int[] _scratch = new int[64];
    private readonly List<int> _lateBlocks = new();
    private int[] _brTableCalls = new int[16];
    private int _zeroV128 = -1;
    // The block that leaves with status 1 (an exception no try_table of the function takes), made on first use.
    private int _unwindBlock = -1;
    // With OSR entries, a value anywhere in the state may differ between paths that went through an OSR merge and
    // paths that did not: labels and loop headers then merge the whole state (the operand stack below them, every
    // parameter), not only their own values and the assigned locals.
    private bool _fullMerge;

    /// <summary>True once the function's final <c>end</c> was read.</summary>
    public bool Done => _depth == 0;

    /// <summary>The byte offset of the operator being read.</summary>
    public int Offset
    {
        get => _offset;
        set => _offset = value;
    }

    private bool Reachable => _current >= 0;

    /// <summary>True while the code being read is reachable (operators in unreachable code are skipped).</summary>
    public bool IsReachable => _current >= 0;

    /// <summary>Builds <paramref name="f"/> from the body of <paramref name="functionIndex"/>.</summary>
    public void Build(IrFunction f, ModuleInfo module, uint functionIndex, CompilerOptions options)
    {
        f.Reset(module, functionIndex);
        _f = f;
        _module = module;
        _options = options;
        FuncType type = module.FunctionType(functionIndex);
        FunctionBody body = module.Body(functionIndex);
        _paramCount = type.Params.Length;
        _localCount = _paramCount + body.Locals.Length;
        if (_localTypes.Length < _localCount)
        {
            int size = Math.Max(_localCount, _localTypes.Length * 2);
            _localTypes = new ValType[size];
            _locals = new int[size];
        }
        type.Params.CopyTo(_localTypes, 0);
        body.Locals.CopyTo(_localTypes, _paramCount);
        for (int i = 0; i < _localCount; i++)
        {
            _localTypes[i] = _localTypes[i].Erased();
        }
        _fullMerge = options.OsrAllLoops || options.OsrLoops.Count > 0;
        _scan.Run(module, functionIndex, _localCount, _fullMerge ? _paramCount : 0);
        _height = 0;
        _depth = 0;
        _loopOrdinal = 0;
        _lateBlocks.Clear();
        _zeroV128 = -1;
        _unwindBlock = -1;

        _offset = body.CodeStart;
        BeginFunction(type);
        var reader = new WasmReader(module.Bytes, body.CodeStart, body.End);
        var visitor = new IrBuilderVisitor(this);
        while (_depth > 0)
        {
            _offset = reader.Position;
            reader.ReadOperator(ref visitor);
        }
        foreach (int block in _lateBlocks)
        {
            f.AppendToLayout(block);
        }
    }

    /// <summary>Drops the references to the module just built.</summary>
    public void Forget()
    {
        _f = null!;
        _module = null!;
        _options = null!;
    }

    private void BeginFunction(FuncType type)
    {
        int entry = _f.NewBlock();
        _f.Blocks[entry].IsEntry = true;
        _f.AppendToLayout(entry);
        _current = entry;
        int slot = 0;
        for (int i = 0; i < _paramCount; i++)
        {
            _locals[i] = Emit(Op.Param, _localTypes[i], imm: slot, aux: i);
            slot += SlotsOf(_localTypes[i]);
        }
        for (int i = _paramCount; i < _localCount; i++)
        {
            _locals[i] = -1;
        }
        // Declared locals the function assigns start as explicit zeros (they are merged like any value).
        for (int k = 0; k < _scan.AssignedCount; k++)
        {
            int local = _scan.Assigned[k];
            if (local >= _paramCount)
            {
                _locals[local] = Zero(_localTypes[local]);
            }
        }
        Frame frame = PushFrame(FrameKind.Function, [], type.Results);
        frame.Target = -1;
        EmitInterruptCheck();
    }

    internal static int SlotsOf(ValType type) => type == ValType.V128 ? 2 : 1;

    // ---- emitting ----

    private int Emit(Op op, ValType type, int a = -1, int b = -1, int c = -1, long imm = 0, int aux = 0)
    {
        int id = _f.NewInst(op, type, a, b, c, imm, aux, _offset);
        _f.Append(_current, id);
        return id;
    }

    /// <summary>A zero of <paramref name="type"/>, made in the current block.</summary>
    private int Zero(ValType type)
    {
        if (type == ValType.V128)
        {
            if (_zeroV128 < 0)
            {
                _zeroV128 = _f.V128Constants.Count;
                _f.V128Constants.Add(Vector128<byte>.Zero);
            }
            return Emit(Op.V128Const, ValType.V128, imm: _zeroV128);
        }
        return Emit(Op.Const, type, imm: 0);
    }

    private void EmitInterruptCheck()
    {
        int kinds = (_options.EpochChecks ? 1 : 0) | (_options.Fuel ? 2 : 0);
        if (kinds != 0)
        {
            Emit(Op.InterruptCheck, ValType.Bottom, aux: kinds);
        }
    }

    // ---- the operand stack ----

    private void Push(int value)
    {
        if (_height == _stack.Length)
        {
            Array.Resize(ref _stack, _stack.Length * 2);
        }
        _stack[_height++] = value;
    }

    private int Pop() => _stack[--_height];

    private int Peek(int depth = 0) => _stack[_height - 1 - depth];

    private int LocalValue(int index)
    {
        int value = _locals[index];
        return value >= 0 ? value : Zero(_localTypes[index]);
    }

    // ---- control frames ----

    private Frame PushFrame(FrameKind kind, ValType[] parameters, ValType[] results)
    {
        if (_depth == _frames.Length)
        {
            Array.Resize(ref _frames, _depth * 2);
        }
        Frame frame = _frames[_depth] ??= new Frame();
        _depth++;
        frame.Kind = kind;
        frame.Dead = false;
        frame.Params = parameters;
        frame.Results = results;
        frame.BaseHeight = _height - parameters.Length;
        frame.Target = -1;
        frame.ElseBlock = -1;
        frame.EdgeCount = 0;
        frame.Catches = null;
        return frame;
    }

    private Frame FrameAt(uint depth) => _frames[_depth - 1 - (int)depth];

    private (ValType[] Params, ValType[] Results) BlockTypes(BlockType blockType)
    {
        if (blockType.IsEmpty)
        {
            return ([], []);
        }
        if (!blockType.IsTypeIndex)
        {
            return ([], [blockType.ValueType]);
        }
        FuncType type = _module.Types[blockType.TypeIndex];
        return (type.Params, type.Results);
    }

    private void PushDeadFrame() => PushFrame(FrameKind.Block, [], []).Dead = true;

    /// <summary>Ends the current block (after an unconditional transfer): the rest until the frame's end is unreachable.</summary>
    private void SetUnreachable()
    {
        _current = -1;
        _height = Math.Min(_height, _frames[_depth - 1].BaseHeight);
    }

    /// <summary>Makes <paramref name="block"/> the current block and puts it next in the layout.</summary>
    private void StartBlock(int block)
    {
        _f.AppendToLayout(block);
        _current = block;
    }

    /// <summary>
    /// Records an edge from the current point into <paramref name="frame"/>'s label (not a loop): its call, whose
    /// arguments are filled when the label ends, and a snapshot of the label's values and the assigned locals.
    /// </summary>
    private int AddEdge(Frame frame)
    {
        int call = _f.NewCall(frame.Target, []);
        int arity = frame.Results.Length;
        int below = Below(frame);
        int stride = below + arity + _scan.AssignedCount;
        int n = frame.EdgeCount++;
        if (n == frame.EdgeCalls.Length)
        {
            Array.Resize(ref frame.EdgeCalls, n * 2);
        }
        frame.EdgeCalls[n] = call;
        if ((n + 1) * stride > frame.Snapshots.Length)
        {
            Array.Resize(ref frame.Snapshots, Math.Max(frame.Snapshots.Length * 2, (n + 1) * stride));
        }
        Span<int> snapshot = frame.Snapshots.AsSpan(n * stride, stride);
        _stack.AsSpan(0, below).CopyTo(snapshot);
        for (int j = 0; j < arity; j++)
        {
            snapshot[below + j] = _stack[_height - arity + j];
        }
        for (int k = 0; k < _scan.AssignedCount; k++)
        {
            snapshot[below + arity + k] = _locals[_scan.Assigned[k]];
        }
        return call;
    }

    /// <summary>The operand-stack values below a frame that its label merges (all of them with OSR entries, else none).</summary>
    private int Below(Frame frame) => _fullMerge ? frame.BaseHeight : 0;

    /// <summary>The locals a loop header takes as parameters: those its body assigns (with OSR entries: every one that can be more than zero).</summary>
    private ReadOnlySpan<int> LoopLocals(int ordinal) =>
        _fullMerge ? _scan.Assigned.AsSpan(0, _scan.AssignedCount) : _scan.LocalsOfLoop(ordinal);

    /// <summary>An edge back to a loop's header with its label values and the values of the locals the loop assigns.</summary>
    private int LoopEdge(Frame frame)
    {
        int arity = frame.Params.Length;
        int below = Below(frame);
        ReadOnlySpan<int> locals = LoopLocals(frame.LoopOrdinal);
        Span<int> args = Scratch(below + arity + locals.Length);
        _stack.AsSpan(0, below).CopyTo(args);
        for (int j = 0; j < arity; j++)
        {
            args[below + j] = _stack[_height - arity + j];
        }
        for (int k = 0; k < locals.Length; k++)
        {
            args[below + arity + k] = _locals[locals[k]];
        }
        return _f.NewCall(frame.Target, args);
    }

    private Span<int> Scratch(int size)
    {
        if (_scratch.Length < size)
        {
            _scratch = new int[Math.Max(size, _scratch.Length * 2)];
        }
        return _scratch.AsSpan(0, size);
    }

    /// <summary>
    /// Closes a label after its last edge: values equal on every edge are used directly, the others become
    /// parameters of the target block; fills every edge's arguments, and continues in the target block
    /// (or in unreachable code when nothing reaches it).
    /// </summary>
    private void FinishLabel(Frame frame)
    {
        int n = frame.EdgeCount;
        _height = frame.BaseHeight;
        if (n == 0)
        {
            _current = -1;
            return;
        }
        int target = frame.Target;
        int arity = frame.Results.Length;
        int assigned = _scan.AssignedCount;
        int below = Below(frame);
        int stride = below + arity + assigned;
        int[] snapshots = frame.Snapshots;
        Span<int> merged = Scratch(2 * stride);
        Span<int> isParam = merged.Slice(stride, stride);
        merged = merged[..stride];
        int paramCount = 0;
        for (int j = 0; j < stride; j++)
        {
            int first = snapshots[j];
            bool same = true;
            for (int e = 1; e < n; e++)
            {
                if (snapshots[e * stride + j] != first)
                {
                    same = false;
                    break;
                }
            }
            if (same)
            {
                merged[j] = first;
                isParam[j] = 0;
            }
            else
            {
                ValType type = j < below ? _f.TypeOf(first)
                    : j < below + arity ? frame.Results[j - below]
                    : _localTypes[_scan.Assigned[j - below - arity]];
                merged[j] = _f.AddBlockParam(target, type);
                isParam[j] = 1;
                paramCount++;
            }
        }
        for (int e = 0; e < n; e++)
        {
            ref BlockCall call = ref _f.Calls[frame.EdgeCalls[e]];
            call.ArgCount = paramCount;
            call.ArgStart = paramCount == 0 ? 0 : _f.AllocPool(paramCount);
            int k = call.ArgStart;
            for (int j = 0; j < stride; j++)
            {
                if (isParam[j] != 0)
                {
                    _f.Pool[k++] = snapshots[e * stride + j];
                }
            }
        }
        StartBlock(target);
        merged[..below].CopyTo(_stack);
        for (int j = 0; j < arity; j++)
        {
            Push(merged[below + j]);
        }
        for (int k = 0; k < assigned; k++)
        {
            _locals[_scan.Assigned[k]] = merged[below + arity + k];
        }
    }

    // ---- control operators ----

    public void Block(BlockType blockType)
    {
        if (!Reachable)
        {
            PushDeadFrame();
            return;
        }
        var (parameters, results) = BlockTypes(blockType);
        Frame frame = PushFrame(FrameKind.Block, parameters, results);
        frame.Target = _f.NewBlock();
    }

    public void Loop(BlockType blockType)
    {
        int ordinal = _loopOrdinal++;
        if (!Reachable)
        {
            PushDeadFrame();
            return;
        }
        var (parameters, results) = BlockTypes(blockType);
        int loopOffset = _offset;
        if (_options.OsrAllLoops || (_options.OsrLoops.Count > 0 && _options.OsrLoops.Contains(loopOffset)))
        {
            BuildOsrMerge(loopOffset);
        }
        int header = _f.NewBlock();
        _f.Blocks[header].IsLoopHeader = true;
        _f.Blocks[header].LoopOffset = loopOffset;
        ReadOnlySpan<int> locals = LoopLocals(ordinal);
        int arity = parameters.Length;
        // The stack values the header takes: its own parameters, and with OSR entries everything below too.
        int first = _fullMerge ? 0 : _height - arity;
        int stackCount = _height - first;
        Span<int> args = Scratch(stackCount + locals.Length);
        for (int j = 0; j < stackCount; j++)
        {
            args[j] = _stack[first + j];
            _f.AddBlockParam(header, _f.TypeOf(_stack[first + j]));
        }
        for (int k = 0; k < locals.Length; k++)
        {
            args[stackCount + k] = _locals[locals[k]];
            _f.AddBlockParam(header, _localTypes[locals[k]]);
        }
        Emit(Op.Jump, ValType.Bottom, a: _f.NewCall(header, args));
        StartBlock(header);
        int param = _f.Blocks[header].First;
        for (int j = 0; j < stackCount; j++)
        {
            _stack[first + j] = param;
            param = _f[param].Next;
        }
        for (int k = 0; k < locals.Length; k++)
        {
            _locals[locals[k]] = param;
            param = _f[param].Next;
        }
        Frame frame = PushFrame(FrameKind.Loop, parameters, results);
        frame.Target = header;
        frame.LoopOrdinal = ordinal;
        EmitInterruptCheck();
    }

    /// <summary>
    /// The merge block before an OSR loop and the OSR entry feeding it: every operand-stack value and every local
    /// that may hold more than zero becomes a parameter of the merge, which both the code before the loop and
    /// the entry (reading the state area) jump to.
    /// </summary>
    private void BuildOsrMerge(int loopOffset)
    {
        var operandTypes = new ValType[_height];
        for (int i = 0; i < _height; i++)
        {
            operandTypes[i] = _f.TypeOf(_stack[i]);
        }
        var state = new OsrState(_localTypes.AsSpan(0, _localCount).ToArray(), operandTypes);
        int merge = _f.NewBlock();
        int entry = _f.NewBlock();
        _f.Blocks[entry].IsEntry = true;
        _f.Blocks[entry].LoopOffset = loopOffset;
        _lateBlocks.Add(entry);
        _f.OsrEntries.Add(new OsrEntryBlock(entry, loopOffset, state));

        // Arguments from here (the normal path) and from the state (the entry), in the merge's parameter order.
        int count = 0;
        Span<int> normal = Scratch(2 * (_height + _localCount));
        Span<int> fromState = normal.Slice(_height + _localCount);
        int savedCurrent = _current;
        _current = entry;
        int localSlots = 0;
        for (int i = 0; i < _localCount; i++)
        {
            localSlots += SlotsOf(_localTypes[i]);
        }
        int slot = localSlots;
        for (int i = 0; i < _height; i++)
        {
            normal[count] = _stack[i];
            fromState[count++] = Emit(Op.OsrValue, operandTypes[i], imm: slot);
            slot += SlotsOf(operandTypes[i]);
        }
        slot = 0;
        for (int i = 0; i < _localCount; i++)
        {
            if (_locals[i] >= 0)
            {
                normal[count] = _locals[i];
                fromState[count++] = Emit(Op.OsrValue, _localTypes[i], imm: slot);
            }
            slot += SlotsOf(_localTypes[i]);
        }
        Emit(Op.Jump, ValType.Bottom, a: _f.NewCall(merge, fromState[..count]));
        _current = savedCurrent;
        Emit(Op.Jump, ValType.Bottom, a: _f.NewCall(merge, normal[..count]));
        StartBlock(merge);
        for (int i = 0; i < _height; i++)
        {
            _stack[i] = _f.AddBlockParam(merge, operandTypes[i]);
        }
        for (int i = 0; i < _localCount; i++)
        {
            if (_locals[i] >= 0)
            {
                _locals[i] = _f.AddBlockParam(merge, _localTypes[i]);
            }
        }
    }

    public void If(BlockType blockType)
    {
        if (!Reachable)
        {
            PushDeadFrame();
            return;
        }
        var (parameters, results) = BlockTypes(blockType);
        int condition = Pop();
        int thenBlock = _f.NewBlock();
        int elseBlock = _f.NewBlock();
        Emit(Op.Branch, ValType.Bottom, a: condition, b: _f.NewCall(thenBlock, []), c: _f.NewCall(elseBlock, []));
        Frame frame = PushFrame(FrameKind.If, parameters, results);
        frame.Target = _f.NewBlock();
        frame.ElseBlock = elseBlock;
        int assigned = _scan.AssignedCount;
        if (frame.SavedLocals.Length < assigned)
        {
            frame.SavedLocals = new int[Math.Max(assigned, frame.SavedLocals.Length * 2)];
        }
        for (int k = 0; k < assigned; k++)
        {
            frame.SavedLocals[k] = _locals[_scan.Assigned[k]];
        }
        // The stack the else branch starts with: the parameters, and with OSR entries everything below.
        int saved = frame.BaseHeight + parameters.Length;
        if (frame.SavedParams.Length < saved)
        {
            frame.SavedParams = new int[Math.Max(saved, frame.SavedParams.Length * 2)];
        }
        _stack.AsSpan(0, saved).CopyTo(frame.SavedParams);
        StartBlock(thenBlock);
    }

    public void Else()
    {
        Frame frame = _frames[_depth - 1];
        if (frame.Dead)
        {
            return;
        }
        if (Reachable)
        {
            Emit(Op.Jump, ValType.Bottom, a: AddEdge(frame));
        }
        EnterElse(frame);
    }

    /// <summary>Continues in the else branch with the state the <c>if</c> had.</summary>
    private void EnterElse(Frame frame)
    {
        StartBlock(frame.ElseBlock);
        _height = frame.BaseHeight;
        if (_fullMerge)
        {
            frame.SavedParams.AsSpan(0, _height).CopyTo(_stack);
        }
        for (int j = 0; j < frame.Params.Length; j++)
        {
            Push(frame.SavedParams[frame.BaseHeight + j]);
        }
        for (int k = 0; k < _scan.AssignedCount; k++)
        {
            _locals[_scan.Assigned[k]] = frame.SavedLocals[k];
        }
        frame.Kind = FrameKind.Else;
    }

    public void End()
    {
        Frame frame = _frames[_depth - 1];
        if (frame.Dead)
        {
            _depth--;
            return;
        }
        switch (frame.Kind)
        {
            case FrameKind.Function:
                if (Reachable)
                {
                    EmitReturn();
                }
                _depth--;
                _current = -1;
                return;
            case FrameKind.Loop:
                // Falling out of the body continues in the current block; branches to the loop went to its header.
                _depth--;
                if (Reachable)
                {
                    _height = frame.BaseHeight + frame.Results.Length;
                }
                return;
            case FrameKind.If:
                // No else: the false edge passes the parameters through.
                if (Reachable)
                {
                    Emit(Op.Jump, ValType.Bottom, a: AddEdge(frame));
                }
                EnterElse(frame);
                goto default;
            default:
                if (Reachable)
                {
                    Emit(Op.Jump, ValType.Bottom, a: AddEdge(frame));
                }
                _depth--;
                FinishLabel(frame);
                return;
        }
    }

    /// <summary>The current function results (the top of the stack) returned.</summary>
    private void EmitReturn()
    {
        int count = _f.Type.Results.Length;
        int start = _f.AddToPool(_stack.AsSpan(_height - count, count));
        Emit(Op.Return, ValType.Bottom, a: start, b: count);
    }

    public void Br(uint depth)
    {
        BranchTo(FrameAt(depth));
        SetUnreachable();
    }

    /// <summary>Ends the current block with a branch to <paramref name="target"/>'s label carrying the top values (a return for the function's).</summary>
    private void BranchTo(Frame target)
    {
        switch (target.Kind)
        {
            case FrameKind.Function:
                EmitReturn();
                break;
            case FrameKind.Loop:
                Emit(Op.Jump, ValType.Bottom, a: LoopEdge(target));
                break;
            default:
                Emit(Op.Jump, ValType.Bottom, a: AddEdge(target));
                break;
        }
    }

    public void BrIf(uint depth)
    {
        int condition = Pop();
        Frame target = FrameAt(depth);
        int next = _f.NewBlock();
        int taken = BranchEdge(target);
        Emit(Op.Branch, ValType.Bottom, a: condition, b: taken, c: _f.NewCall(next, []));
        StartBlock(next);
    }

    /// <summary>The edge of a branch to <paramref name="target"/> with the current top values.</summary>
    private int BranchEdge(Frame target) => target.Kind switch
    {
        FrameKind.Function => _f.NewCall(ReturnBlock(), []),
        FrameKind.Loop => LoopEdge(target),
        _ => AddEdge(target),
    };

    /// <summary>A block that returns the current top values (for conditional branches to the function's label).</summary>
    private int ReturnBlock()
    {
        int block = _f.NewBlock();
        int saved = _current;
        _current = block;
        EmitReturn();
        _current = saved;
        _lateBlocks.Add(block);
        return block;
    }

    public void BrTable(BrTable table)
    {
        int index = Pop();
        int count = (int)table.Count;
        if (_brTableCalls.Length < _depth)
        {
            _brTableCalls = new int[Math.Max(_depth, _brTableCalls.Length * 2)];
        }
        // One edge per distinct target label.
        Array.Fill(_brTableCalls, -1, 0, _depth);
        int start = _f.AllocPool(count + 1);
        int k = 0;
        foreach (uint depth in table)
        {
            _f.Pool[start + k++] = BrTableEdge(depth);
        }
        _f.Pool[start + count] = BrTableEdge(table.Default);
        Emit(Op.BrTable, ValType.Bottom, a: index, b: start, c: count + 1);
        SetUnreachable();
    }

    private int BrTableEdge(uint depth)
    {
        if (_brTableCalls[depth] >= 0)
        {
            return _brTableCalls[depth];
        }
        Frame target = FrameAt(depth);
        int call = target.Kind switch
        {
            FrameKind.Function => _f.NewCall(ReturnBlock(), []),
            FrameKind.Loop => LoopEdge(target),
            _ => AddEdge(target),
        };
        _brTableCalls[depth] = call;
        return call;
    }

    public void Return()
    {
        EmitReturn();
        SetUnreachable();
    }

    /// <summary><c>br_on_null</c>: branches with the values below the reference when it is null, else keeps it.</summary>
    public void BrOnNull(uint depth)
    {
        int value = Pop();
        int isNull = IsNull(value);
        Frame target = FrameAt(depth);
        int next = _f.NewBlock();
        int taken = BranchEdge(target);
        Emit(Op.Branch, ValType.Bottom, a: isNull, b: taken, c: _f.NewCall(next, []));
        StartBlock(next);
        Push(value);
    }

    /// <summary><c>br_on_non_null</c>: branches with the values and the reference when it is not null, else drops it.</summary>
    public void BrOnNonNull(uint depth)
    {
        int isNull = IsNull(_stack[_height - 1]);
        Frame target = FrameAt(depth);
        int next = _f.NewBlock();
        int taken = BranchEdge(target);
        Emit(Op.Branch, ValType.Bottom, a: isNull, b: _f.NewCall(next, []), c: taken);
        StartBlock(next);
        _height--;
    }

    /// <summary><c>ref.as_non_null</c>: traps on null (in a block of its own, off the straight path).</summary>
    public void RefAsNonNull()
    {
        int value = Pop();
        TrapIfNull(value, TrapCode.NullReference);
        Push(value);
    }

    /// <summary>Branches to a block that traps with <paramref name="code"/> when <paramref name="value"/> is null.</summary>
    private void TrapIfNull(int value, TrapCode code)
    {
        int isNull = IsNull(value);
        int trap = _f.NewBlock();
        int saved = _current;
        _current = trap;
        Emit(Op.Trap, ValType.Bottom, imm: (long)code);
        _current = saved;
        _lateBlocks.Add(trap);
        int next = _f.NewBlock();
        Emit(Op.Branch, ValType.Bottom, a: isNull, b: _f.NewCall(trap, []), c: _f.NewCall(next, []));
        StartBlock(next);
    }

    private int IsNull(int value)
    {
        int nullValue = Emit(Op.Const, _f.TypeOf(value), imm: 0);
        return Emit(Op.Icmp, ValType.I32, a: value, b: nullValue, imm: (long)IrCond.Eq);
    }

    // ---- exception handling (3.0; tiers.md, *Exceptions*) ----

    /// <summary><c>try_table</c>: a block whose calls and throws get an edge to a landing path (<see cref="Landing"/>).</summary>
    public void TryTable(BlockType blockType, TryTableCatch[] catches)
    {
        int offset = _offset;
        if (!Reachable)
        {
            PushDeadFrame();
            return;
        }
        var (parameters, results) = BlockTypes(blockType);
        // The clauses' labels count from the frame around the try_table.
        var targets = new int[catches.Length];
        for (int i = 0; i < catches.Length; i++)
        {
            targets[i] = _depth - 1 - (int)catches[i].Label;
        }
        Frame frame = PushFrame(FrameKind.Block, parameters, results);
        frame.Target = _f.NewBlock();
        frame.Catches = catches;
        frame.TryOffset = offset;
        frame.CatchFrames = targets;
    }

    /// <summary>The innermost open try_table frame at or below index <paramref name="from"/> of the frame stack, or -1.</summary>
    private int TryFrameFrom(int from)
    {
        for (int i = from; i >= 0; i--)
        {
            if (_frames[i].Catches is not null && !_frames[i].Dead)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>
    /// The block an exception raised here continues in: the landing path of the innermost try_table around this point
    /// (with the current stack and locals), or -1 when there is none (the function leaves with it).
    /// </summary>
    private int ExceptionLanding()
    {
        int tryFrame = TryFrameFrom(_depth - 1);
        return tryFrame < 0 ? -1 : Landing(tryFrame);
    }

    /// <summary>
    /// The landing path of the try_table at frame <paramref name="tryFrame"/>, built for the current point: a block that
    /// asks <see cref="BuiltinId.CatchException"/> which clause takes the pending exception, then per clause a block
    /// that takes the delivered values (<see cref="Op.CallResult"/> of the builtin) and branches to the clause's label as
    /// a <c>br</c> from here would; no clause: the enclosing try_table's landing path, or <see cref="Op.Unwind"/>.
    /// </summary>
    private int Landing(int tryFrame)
    {
        Frame frame = _frames[tryFrame];
        TryTableCatch[] catches = frame.Catches!;
        int[] targets = frame.CatchFrames;
        int landing = _f.NewBlock();
        _lateBlocks.Add(landing);
        int saved = _current;
        _current = landing;
        int index = Emit(Op.CallBuiltin, ValType.I32, a: 0, b: 0, c: frame.TryOffset, imm: (long)BuiltinId.CatchException);
        int n = catches.Length;
        var blocks = new int[n];
        for (int k = 0; k < n; k++)
        {
            blocks[k] = _f.NewBlock();
            _lateBlocks.Add(blocks[k]);
        }
        int outer = TryFrameFrom(tryFrame - 1);
        int otherwise = outer >= 0 ? Landing(outer) : UnwindBlock();
        int start = _f.AllocPool(n + 1);
        for (int k = 0; k < n; k++)
        {
            _f.Pool[start + k] = _f.NewCall(blocks[k], []);
        }
        _f.Pool[start + n] = _f.NewCall(otherwise, []);
        _current = landing;
        Emit(Op.BrTable, ValType.Bottom, a: index, b: start, c: n + 1);
        for (int k = 0; k < n; k++)
        {
            _current = blocks[k];
            Frame target = _frames[targets[k]];
            // The clause's values (the tag's, then the exnref), typed as the label takes them (validation checked that
            // they match it, subtypes included).
            ValType[] types = target.LabelTypes;
            int count = types.Length;
            int slot = 1;
            foreach (ValType type in types)
            {
                Push(Emit(Op.CallResult, type, a: index, imm: slot));
                slot += SlotsOf(type);
            }
            BranchTo(target);
            _height -= count;
        }
        _current = saved;
        return landing;
    }

    private int UnwindBlock()
    {
        if (_unwindBlock < 0)
        {
            _unwindBlock = _f.NewBlock();
            _lateBlocks.Add(_unwindBlock);
            int saved = _current;
            _current = _unwindBlock;
            Emit(Op.Unwind, ValType.Bottom);
            _current = saved;
        }
        return _unwindBlock;
    }

    /// <summary>After a call: inside a try_table, a branch on its status to the landing path.</summary>
    private void CatchFailedCall(int call)
    {
        int landing = ExceptionLanding();
        if (landing < 0)
        {
            return;
        }
        int status = Emit(Op.CallResult, ValType.I32, a: call, imm: -1);
        int next = _f.NewBlock();
        Emit(Op.Branch, ValType.Bottom, a: status, b: _f.NewCall(landing, []), c: _f.NewCall(next, []));
        StartBlock(next);
    }

    /// <summary>After a throw (a builtin that always fails): to the landing path, or leave.</summary>
    private void ExitWithException()
    {
        int landing = ExceptionLanding();
        if (landing >= 0)
        {
            Emit(Op.Jump, ValType.Bottom, a: _f.NewCall(landing, []));
        }
        else
        {
            Emit(Op.Unwind, ValType.Bottom);
        }
        SetUnreachable();
    }

    /// <summary><c>throw</c>: the tag's values to the <see cref="BuiltinId.Throw"/> builtin.</summary>
    public void Throw(uint tagIndex)
    {
        int count = _module.TagType(tagIndex).Params.Length;
        int start = _f.AddToPool(_stack.AsSpan(_height - count, count));
        _height -= count;
        Emit(Op.CallBuiltin, ValType.Bottom, a: start, b: count, c: (int)tagIndex, imm: (long)BuiltinId.Throw);
        ExitWithException();
    }

    /// <summary><c>throw_ref</c>: the exnref to the <see cref="BuiltinId.ThrowRef"/> builtin (which traps on null).</summary>
    public void ThrowRef()
    {
        int start = _f.AddToPool(_stack.AsSpan(_height - 1, 1));
        _height--;
        Emit(Op.CallBuiltin, ValType.Bottom, a: start, b: 1, imm: (long)BuiltinId.ThrowRef);
        ExitWithException();
    }

    public void Unreachable()
    {
        Emit(Op.Trap, ValType.Bottom, imm: (long)TrapCode.Unreachable);
        SetUnreachable();
    }
}
