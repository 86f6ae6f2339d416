using Engine.Core;
using Engine.Optimizing.Ir;

namespace Engine.Optimizing.Passes;

/// <summary>
/// Inlines small direct callees (<c>call</c> of a function the module defines) into the function, right after it is
/// built: the callee's SSA form is built on its own (<see cref="IrBuilder"/>, no OSR entries) and copied into the
/// caller's graph. Its parameters become the call's arguments, its returns jumps to a continuation block whose
/// parameters are the call's results; the caller's block is split at the call.
/// </summary>
/// <remarks>
/// <para><b>Which calls</b>: callees of at most <see cref="MaxCalleeBytes"/> bytes of body whose signature holds no
/// references, that make no tail calls and need no processor feature the caller lacks; a callee of at most
/// <see cref="TinyCalleeBytes"/> bytes (smaller than a call sequence) always, larger ones while the function's budget of
/// <see cref="BudgetBytes"/> inlined bytes lasts. Leaves (callees that call nothing) go first, then the rest; calls
/// inside inlined code are candidates too, up to <see cref="MaxDepth"/> levels. A function already on the chain of
/// inlined calls may be inlined once more (a recursive function unrolled by one level), never twice. A call not
/// inlined whole may still get the callee's fast path (<see cref="TryInlineFastPath"/>).</para>
/// <para><b>Backtraces</b>: every inlined call gets an <see cref="InlinedFrame"/> (the callee, the call's offset and the
/// inlined call it lies in); the copied instructions carry positions p &lt;= -2 naming (offset in the callee, frame) in
/// <see cref="IrFunction.InlinedPositions"/>, which the offset map keeps, so a trap or a call inside inlined code shows
/// the callee's frame at its own offset above the caller's frame at the call.</para>
/// <para><b>What stays</b>: the callee's fuel and epoch check at its entry (and at its loops); stack maps cover inlined
/// values like any other (it is one function to the allocator); the stack-limit check is the caller's, whose frame
/// holds the callee's values.</para>
/// </remarks>
internal sealed class Inliner
{
    /// <summary>Callees up to this many bytes of body are always inlined (a call costs about as much).</summary>
    public const int TinyCalleeBytes = 12;

    /// <summary>The largest callee body inlined, in bytes of wasm code.</summary>
    public const int MaxCalleeBytes = 96;

    /// <summary>The bytes of callee bodies (beyond tiny ones) one function may take in.</summary>
    public const int BudgetBytes = 320;

    /// <summary>How deep inlined calls nest.</summary>
    public const int MaxDepth = 3;

    /// <summary>No inlining into a function already this large (instructions): the compile time would grow, the gain would not.</summary>
    public const int MaxCallerInstructions = 20_000;

    private readonly IrBuilder _builder = new();
    private readonly IrFunction _callee = new();
    private readonly Dictionary<(int WasmOffset, int Frame), int> _positions = new();
    private readonly HashSet<uint> _noFastPath = new();
    private int[] _valueMap = new int[256];
    private int[] _blockMap = new int[32];
    private int[] _callMap = new int[64];
    private int[] _scratch = new int[16];
    private CompilerOptions? _options;
    private CompilerOptions? _calleeOptions;
    // The callee in _callee (uint.MaxValue: none yet in this compilation), and whether it calls or tail-calls.
    private uint _built;
    private bool _builtCalls;
    private bool _builtTailCalls;

    /// <summary>Inlines the calls that qualify; returns how many.</summary>
    public int Run(IrFunction f, CompilerOptions options)
    {
        ModuleInfo module = f.Module;
        if (module.UsesExceptions)
        {
            // A throw in inlined code, or a call in it under the caller's try, needs the caller's exception edges: not yet.
            return 0;
        }
        if (!ReferenceEquals(options, _options))
        {
            // A callee has no OSR entries of its own, and the optimizing tier counts nothing for tier-up.
            _options = options;
            _calleeOptions = options with { OsrLoops = Array.Empty<int>(), OsrAllLoops = false, TierUpCounters = false };
        }
        _positions.Clear();
        _noFastPath.Clear();
        _built = uint.MaxValue;
        int budget = BudgetBytes;
        int inlined = 0;
        try
        {
            for (int round = 0; round < 2; round++)
            {
                bool leavesOnly = round == 0;
                for (int id = 0; id < f.InstCount && f.InstCount < MaxCallerInstructions; id++)
                {
                    ref Inst inst = ref f[id];
                    if (inst.Op != Op.Call || inst.Removed || inst.Block < 0)
                    {
                        continue;
                    }
                    uint callee = (uint)inst.Imm;
                    int bytes = CalleeBytes(module, callee);
                    if (bytes < 0 || (bytes > TinyCalleeBytes && bytes > budget) || bytes > MaxCalleeBytes || !ChainAllows(f, inst.WasmOffset, callee))
                    {
                        // Not whole: the last round copies its fast path when it has one.
                        if (!leavesOnly && bytes >= 0 && !_noFastPath.Contains(callee) && BuildCallee(module, callee, leavesOnly: false))
                        {
                            if (TryInlineFastPath(f, id))
                            {
                                inlined++;
                            }
                            else
                            {
                                // A matter of the callee's shape alone: its other calls need not build it again.
                                _noFastPath.Add(callee);
                            }
                        }
                        continue;
                    }
                    if (!BuildCallee(module, callee, leavesOnly))
                    {
                        continue;
                    }
                    Splice(f, id);
                    inlined++;
                    if (bytes > TinyCalleeBytes)
                    {
                        budget -= bytes;
                    }
                }
            }
        }
        finally
        {
            _callee.Forget();
        }
        return inlined;
    }

    /// <summary>
    /// The size of the callee's body when it may be inlined at all, whole or its fast path (defined, at most
    /// <see cref="MaxFastPathCalleeBytes"/>, no references at its boundary, no tail calls), else -1.
    /// </summary>
    private static int CalleeBytes(ModuleInfo module, uint callee)
    {
        if (callee < module.ImportedFunctionCount)
        {
            return -1;
        }
        FunctionBody body = module.Body(callee);
        int bytes = body.End - body.CodeStart;
        if (bytes > MaxFastPathCalleeBytes)
        {
            return -1;
        }
        FuncType type = module.FunctionType(callee);
        foreach (ValType t in type.Params)
        {
            if (t.IsReference())
            {
                return -1;
            }
        }
        foreach (ValType t in type.Results)
        {
            if (t.IsReference())
            {
                return -1;
            }
        }
        lock (module.FunctionsWithTailCalls)
        {
            if (module.FunctionsWithTailCalls.Contains(callee))
            {
                return -1;
            }
        }
        return CpuFeatures.Missing(module, callee) is null ? bytes : -1;
    }

    /// <summary>True unless the call lies <see cref="MaxDepth"/> inlined calls deep or <paramref name="callee"/> is on its chain twice already.</summary>
    private static bool ChainAllows(IrFunction f, int position, uint callee)
    {
        int depth = 0;
        int seen = f.FunctionIndex == callee ? 1 : 0;
        int frame = position <= -2 ? f.InlinedPositions[-2 - position].InlinedFrame : -1;
        while (frame >= 0)
        {
            InlinedFrame inlined = f.InlinedFrames[frame];
            depth++;
            if (inlined.FunctionIndex == callee)
            {
                seen++;
            }
            frame = inlined.Parent;
        }
        return depth < MaxDepth && seen < 2;
    }

    /// <summary>Builds the callee's SSA form into <see cref="_callee"/>; false when it does not qualify after all (a call in round one, a tail call).</summary>
    private bool BuildCallee(ModuleInfo module, uint callee, bool leavesOnly)
    {
        // Copying reads the callee's form without changing it: calls of the same callee one after another build it once.
        if (_built != callee)
        {
            _builder.Build(_callee, module, callee, _calleeOptions!);
            _builder.Forget();
            _built = callee;
            _builtCalls = _builtTailCalls = false;
            IrFunction g = _callee;
            for (int id = 0; id < g.InstCount; id++)
            {
                Op op = g[id].Op;
                _builtTailCalls |= op is Op.ReturnCall or Op.ReturnCallIndirect;
                _builtCalls |= op is Op.Call or Op.CallIndirect;
            }
        }
        return !_builtTailCalls && !(leavesOnly && _builtCalls);
    }

    /// <summary>Replaces call <paramref name="call"/> of <paramref name="f"/> by the body in <see cref="_callee"/>.</summary>
    private void Splice(IrFunction f, int call)
    {
        IrFunction g = _callee;
        int block = f[call].Block;
        int position = f[call].WasmOffset;
        int frame = AddFrame(f, g.FunctionIndex, position);
        int[] arguments = f.PoolOperands(call).ToArray();
        int cont = SplitAfter(f, call, g.Type);

        // The callee's blocks after the caller's, then the continuation.
        if (_blockMap.Length < g.BlockCount)
        {
            _blockMap = new int[Math.Max(g.BlockCount, _blockMap.Length * 2)];
        }
        if (_valueMap.Length < g.InstCount)
        {
            _valueMap = new int[Math.Max(g.InstCount, _valueMap.Length * 2)];
        }
        if (_callMap.Length < g.CallCount)
        {
            _callMap = new int[Math.Max(g.CallCount, _callMap.Length * 2)];
        }
        Array.Fill(_callMap, -1, 0, g.CallCount);
        Array.Fill(_blockMap, -1, 0, g.BlockCount);
        int after = block;
        for (int b = g.LayoutFirst; b >= 0; b = g.Blocks[b].LayoutNext)
        {
            int copy = f.NewBlock();
            _blockMap[b] = copy;
            f.Blocks[copy].IsLoopHeader = g.Blocks[b].IsLoopHeader;
            f.Blocks[copy].LoopOffset = g.Blocks[b].LoopOffset;
            f.InsertInLayoutAfter(copy, after);
            after = copy;
        }
        f.InsertInLayoutAfter(cont, after);

        // First every instruction (so forward references map), then their operands.
        for (int b = g.LayoutFirst; b >= 0; b = g.Blocks[b].LayoutNext)
        {
            int copy = _blockMap[b];
            for (int id = g.Blocks[b].First; id >= 0; id = g[id].Next)
            {
                ref Inst inst = ref g[id];
                if (inst.Op == Op.Param)
                {
                    _valueMap[id] = arguments[inst.Aux];
                    continue;
                }
                int made = f.NewInst(inst.Op, inst.Type, inst.A, inst.B, inst.C, inst.Imm, inst.Aux, Position(f, inst.WasmOffset, frame));
                f.Append(copy, made);
                if (inst.Op == Op.BlockParam)
                {
                    f.Blocks[copy].ParamCount++;
                }
                _valueMap[id] = made;
            }
        }
        for (int b = g.LayoutFirst; b >= 0; b = g.Blocks[b].LayoutNext)
        {
            for (int id = g.Blocks[b].First; id >= 0; id = g[id].Next)
            {
                if (g[id].Op != Op.Param)
                {
                    Remap(f, g, id, _valueMap[id], cont);
                }
            }
        }

        // The call becomes a jump into the callee's entry.
        f.Remove(call);
        int jump = f.NewInst(Op.Jump, ValType.Bottom, a: f.NewCall(_blockMap[0], []), wasmOffset: position);
        f.Append(block, jump);
    }

    /// <summary>A new <see cref="InlinedFrame"/> for a call of <paramref name="callee"/> at <paramref name="position"/>; returns its index.</summary>
    private static int AddFrame(IrFunction f, uint callee, int position)
    {
        (int callOffset, int parent) = position <= -2 ? f.InlinedPositions[-2 - position] : (position, -1);
        f.InlinedFrames.Add(new InlinedFrame(callee, callOffset, parent));
        return f.InlinedFrames.Count - 1;
    }

    /// <summary>
    /// Splits the block of <paramref name="call"/> after it: a new block (the continuation, not yet in the layout) gets
    /// the call's results as its parameters (the same ids, so their uses stay) and the rest of the block.
    /// </summary>
    private static int SplitAfter(IrFunction f, int call, FuncType type)
    {
        int cont = f.NewBlock();
        for (int k = 0; k < type.Results.Length; k++)
        {
            int result = -1;
            for (int id = f[call].Next; id >= 0; id = f[id].Next)
            {
                if (f[id].Op == Op.CallResult && f[id].A == call && f[id].Imm == k)
                {
                    result = id;
                    break;
                }
            }
            if (result < 0)
            {
                f.AddBlockParam(cont, type.Results[k]);
                continue;
            }
            f.Unlink(result);
            ref Inst param = ref f[result];
            param.Op = Op.BlockParam;
            param.A = -1;
            param.Imm = 0;
            param.Aux = k;
            f.Append(cont, result);
            f.Blocks[cont].ParamCount++;
        }
        for (int id = f[call].Next; id >= 0;)
        {
            int next = f[id].Next;
            f.Unlink(id);
            f.Append(cont, id);
            id = next;
        }
        return cont;
    }

    /// <summary>The most instructions a fast path of <see cref="TryInlineFastPath"/> copies (its test and its return path).</summary>
    public const int MaxFastPathInstructions = 12;

    /// <summary>The largest callee whose fast path is looked for, in bytes of body.</summary>
    public const int MaxFastPathCalleeBytes = 256;

    /// <summary>
    /// Partial inlining, for a call that is not inlined whole (a recursive call at the limit, a callee too large): when
    /// the callee (in <see cref="_callee"/>) begins with a test of pure operations on its parameters whose one side
    /// returns after pure operations only (fib's <c>if n &lt; 2 return n</c>), that test and that return path are copied
    /// to the call site, and the call is made only on the other side. The copied code cannot trap or call, so it needs
    /// no frame; a callee with a fuel or epoch check at its entry is left alone (the check would be skipped).
    /// </summary>
    private bool TryInlineFastPath(IrFunction f, int call)
    {
        IrFunction g = _callee;
        ref Block entry = ref g.Blocks[0];
        int branch = entry.Last;
        if (branch < 0 || g[branch].Op != Op.Branch)
        {
            return false;
        }
        int count = 0;
        for (int id = entry.First; id != branch; id = g[id].Next)
        {
            if (g[id].Op != Op.Param && !OpInfo.IsPure(g[id].Op))
            {
                return false;
            }
            count++;
        }
        // Which side returns after pure operations (a chain of jumps, each block's parameters taking the edge's arguments).
        bool fastIsTrue = PurePathLength(g, g[branch].B, count) is > 0;
        if (!fastIsTrue && PurePathLength(g, g[branch].C, count) is not > 0)
        {
            return false;
        }
        int fastEdge = fastIsTrue ? g[branch].B : g[branch].C;

        if (_valueMap.Length < g.InstCount)
        {
            _valueMap = new int[Math.Max(g.InstCount, _valueMap.Length * 2)];
        }
        int block = f[call].Block;
        int position = f[call].WasmOffset;
        int frame = AddFrame(f, g.FunctionIndex, position);
        int[] arguments = f.PoolOperands(call).ToArray();
        int cont = SplitAfter(f, call, g.Type);
        int fast = f.NewBlock();
        int slow = f.NewBlock();
        f.InsertInLayoutAfter(fast, block);
        f.InsertInLayoutAfter(slow, fast);
        f.InsertInLayoutAfter(cont, slow);

        // The test, at the end of the caller's block.
        for (int id = entry.First; id != branch; id = g[id].Next)
        {
            if (g[id].Op == Op.Param)
            {
                _valueMap[id] = arguments[g[id].Aux];
                continue;
            }
            _valueMap[id] = CopyPure(f, g, id, block, frame);
        }
        int fastCall = f.NewCall(fast, []);
        int slowCall = f.NewCall(slow, []);
        f.Append(block, f.NewInst(Op.Branch, ValType.Bottom, a: _valueMap[g[branch].A],
            b: fastIsTrue ? fastCall : slowCall, c: fastIsTrue ? slowCall : fastCall, wasmOffset: Position(f, g[branch].WasmOffset, frame)));

        // The return path.
        int edge = fastEdge;
        while (true)
        {
            BlockCall target = g.Calls[edge];
            int param = g.Blocks[target.Block].First;
            for (int k = 0; k < target.ArgCount; k++)
            {
                _valueMap[param] = _valueMap[g.Pool[target.ArgStart + k]];
                param = g[param].Next;
            }
            int id = param;
            for (; !OpInfo.IsTerminator(g[id].Op); id = g[id].Next)
            {
                _valueMap[id] = CopyPure(f, g, id, fast, frame);
            }
            if (g[id].Op == Op.Return)
            {
                Span<int> results = Scratch(g[id].B);
                for (int k = 0; k < results.Length; k++)
                {
                    results[k] = _valueMap[g.Pool[g[id].A + k]];
                }
                f.Append(fast, f.NewInst(Op.Jump, ValType.Bottom, a: f.NewCall(cont, results), wasmOffset: Position(f, g[id].WasmOffset, frame)));
                break;
            }
            edge = g[id].A;
        }

        // The call itself on the other side.
        f.Unlink(call);
        f.Append(slow, call);
        Span<int> values = Scratch(g.Type.Results.Length);
        for (int k = 0; k < values.Length; k++)
        {
            values[k] = f.NewInst(Op.CallResult, g.Type.Results[k], a: call, imm: k, wasmOffset: position);
            f.Append(slow, values[k]);
        }
        f.Append(slow, f.NewInst(Op.Jump, ValType.Bottom, a: f.NewCall(cont, values), wasmOffset: position));
        return true;
    }

    /// <summary>
    /// The number of instructions on the path from edge <paramref name="edge"/> of <paramref name="g"/> to a return
    /// through blocks of pure instructions joined by jumps, plus <paramref name="count"/>; -1 when there is no such
    /// path or it is longer than <see cref="MaxFastPathInstructions"/>.
    /// </summary>
    private static int PurePathLength(IrFunction g, int edge, int count)
    {
        for (int blocks = 0; blocks < 4; blocks++)
        {
            int id = g.Blocks[g.Calls[edge].Block].First;
            for (; id >= 0 && !OpInfo.IsTerminator(g[id].Op); id = g[id].Next)
            {
                if (g[id].Op != Op.BlockParam && !OpInfo.IsPure(g[id].Op))
                {
                    return -1;
                }
                count++;
            }
            if (id < 0 || count > MaxFastPathInstructions)
            {
                return -1;
            }
            if (g[id].Op == Op.Return)
            {
                return count;
            }
            if (g[id].Op != Op.Jump)
            {
                return -1;
            }
            edge = g[id].A;
        }
        return -1;
    }

    /// <summary>Copies pure instruction <paramref name="id"/> of <paramref name="g"/> to the end of <paramref name="block"/> with its operands mapped.</summary>
    private int CopyPure(IrFunction f, IrFunction g, int id, int block, int frame)
    {
        ref Inst inst = ref g[id];
        int mask = OpInfo.ValueFieldMask(inst.Op);
        int a = (mask & 1) != 0 && inst.A >= 0 ? _valueMap[inst.A] : inst.A;
        int b = (mask & 2) != 0 && inst.B >= 0 ? _valueMap[inst.B] : inst.B;
        int c = (mask & 4) != 0 && inst.C >= 0 ? _valueMap[inst.C] : inst.C;
        long imm = inst.Imm;
        if (inst.Op == Op.V128Const || (inst.Op == Op.Simd && (Opcode)inst.Aux == Opcode.I8x16Shuffle))
        {
            imm = f.V128Constants.Count;
            f.V128Constants.Add(g.V128Constants[(int)inst.Imm]);
        }
        int made = f.NewInst(inst.Op, inst.Type, a, b, c, imm, inst.Aux, Position(f, inst.WasmOffset, frame));
        f.Append(block, made);
        return made;
    }

    /// <summary>Rewrites the operands of <paramref name="made"/>, the copy of <paramref name="g"/>'s <paramref name="id"/>, into <paramref name="f"/>'s ids.</summary>
    private void Remap(IrFunction f, IrFunction g, int id, int made, int cont)
    {
        ref Inst source = ref g[id];
        Op op = source.Op;
        int mask = OpInfo.ValueFieldMask(op);
        int a = source.A, b = source.B, c = source.C;
        long imm = source.Imm;
        if ((mask & 1) != 0 && a >= 0)
        {
            a = _valueMap[a];
        }
        if ((mask & 2) != 0 && b >= 0)
        {
            b = _valueMap[b];
        }
        if ((mask & 4) != 0 && c >= 0)
        {
            c = _valueMap[c];
        }
        switch (op)
        {
            case Op.CallResult:
                a = _valueMap[a];
                break;
            case Op.V128Const:
                imm = f.V128Constants.Count;
                f.V128Constants.Add(g.V128Constants[(int)source.Imm]);
                break;
            case Op.Simd when (Opcode)source.Aux == Opcode.I8x16Shuffle:
                imm = f.V128Constants.Count;
                f.V128Constants.Add(g.V128Constants[(int)source.Imm]);
                break;
            case Op.Jump:
                a = CopyCall(f, g, source.A, cont);
                break;
            case Op.Branch:
                b = CopyCall(f, g, source.B, cont);
                c = CopyCall(f, g, source.C, cont);
                break;
            case Op.BrTable:
            {
                int start = f.AllocPool(source.C);
                for (int k = 0; k < source.C; k++)
                {
                    int target = CopyCall(f, g, g.Pool[source.B + k], cont);
                    f.Pool[start + k] = target;
                }
                b = start;
                break;
            }
            case Op.Return:
            {
                // A return of the callee: a jump to the continuation with its results.
                Span<int> results = Scratch(source.B);
                for (int k = 0; k < results.Length; k++)
                {
                    results[k] = _valueMap[g.Pool[source.A + k]];
                }
                ref Inst jump = ref f[made];
                jump.Op = Op.Jump;
                jump.A = f.NewCall(cont, results);
                jump.B = -1;
                jump.C = -1;
                return;
            }
        }
        if ((OpInfo.Flags(op) & OpFlags.PoolOperands) != 0)
        {
            int start = f.AllocPool(source.B);
            for (int k = 0; k < source.B; k++)
            {
                f.Pool[start + k] = _valueMap[g.Pool[source.A + k]];
            }
            a = start;
        }
        ref Inst inst = ref f[made];
        inst.A = a;
        inst.B = b;
        inst.C = c;
        inst.Imm = imm;
    }

    /// <summary>The copy of <paramref name="g"/>'s edge <paramref name="call"/> (one per edge, shared like the original's).</summary>
    private int CopyCall(IrFunction f, IrFunction g, int call, int cont)
    {
        if (_callMap[call] >= 0)
        {
            return _callMap[call];
        }
        BlockCall edge = g.Calls[call];
        if (_blockMap[edge.Block] < 0)
        {
            throw new InvalidOperationException($"inlining func[{g.FunctionIndex}]: an edge to block {edge.Block}, which is not in its layout");
        }
        Span<int> args = Scratch(edge.ArgCount);
        for (int k = 0; k < args.Length; k++)
        {
            args[k] = _valueMap[g.Pool[edge.ArgStart + k]];
        }
        int copy = f.NewCall(_blockMap[edge.Block], args);
        _callMap[call] = copy;
        return copy;
    }

    /// <summary>The position in <paramref name="f"/> of offset <paramref name="wasmOffset"/> of the function inlined as <paramref name="frame"/>.</summary>
    private int Position(IrFunction f, int wasmOffset, int frame)
    {
        if (wasmOffset == -1)
        {
            return -1;
        }
        if (!_positions.TryGetValue((wasmOffset, frame), out int index))
        {
            index = f.InlinedPositions.Count;
            f.InlinedPositions.Add((wasmOffset, frame));
            _positions.Add((wasmOffset, frame), index);
        }
        return -2 - index;
    }

    private Span<int> Scratch(int size)
    {
        if (_scratch.Length < size)
        {
            _scratch = new int[Math.Max(size, _scratch.Length * 2)];
        }
        return _scratch.AsSpan(0, size);
    }
}
