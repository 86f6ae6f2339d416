using Engine.Core;

namespace Engine.Interpreter;

/// <summary>
/// A wasm function of one instance, run by the interpreter. Its code is translated on first call and
/// shared through <see cref="ModuleTranslation"/> with every other instance of the module.
/// </summary>
public sealed class InterpretedFunction : FunctionInstance
{
    private readonly ModuleTranslation _translation;
    private InterpretedCode? _code;
    // What new activations run: the translation, or a stub that calls the compiled code once published.
    private InterpretedCode? _entryCode;
    private FunctionInstance? _compiled;

    /// <summary>Creates the function <paramref name="index"/> of <paramref name="instance"/>, running on <paramref name="stack"/>.</summary>
    public InterpretedFunction(VMInstance instance, uint index, int typeId, ModuleTranslation translation, ExecutionStack stack)
        : base(instance.Module.FunctionType(index), typeId)
    {
        Instance = instance;
        FunctionIndex = index;
        _translation = translation;
        Stack = stack;
    }

    /// <summary>The instance the function belongs to.</summary>
    public VMInstance Instance { get; }

    /// <summary>The function's index in its module.</summary>
    public uint FunctionIndex { get; }

    /// <summary>The stack of the store the instance lives in.</summary>
    public ExecutionStack Stack { get; }

    /// <inheritdoc/>
    public override int Index => (int)FunctionIndex;

    /// <inheritdoc/>
    public override string? Name => Instance.Module.FunctionName(FunctionIndex);

    /// <summary>The translated code, or null before the first call.</summary>
    internal InterpretedCode? Code => _code;

    /// <summary>The code a new activation starts in: the translation, or (once compiled code is published) a stub calling it; null before the first call.</summary>
    internal InterpretedCode? EntryCode => _entryCode;

    /// <summary>Translates the function (or takes the module's existing translation) and returns the code new activations run.</summary>
    internal InterpretedCode Translate()
    {
        _code = _translation.Get(FunctionIndex);
        InterpretedCode entry = _compiled is null ? _code : InterpretedCode.CompiledStub(ParamSlots, SlotCount);
        _entryCode = entry;
        return entry;
    }

    /// <summary>True once the code was translated.</summary>
    public bool IsTranslated => _code != null;

    /// <summary>The size in bytes of the function's wasm body (locals and code).</summary>
    public int WasmBodySize
    {
        get
        {
            FunctionBody body = Instance.Module.Body(FunctionIndex);
            return body.End - body.Start;
        }
    }

    /// <summary>The loops of the translation that count their iterations for tier-up (every loop when translated with a loop threshold); 0 before translation.</summary>
    public int CountedLoops => _code?.OsrPoints.Length ?? 0;

    /// <summary>The compiled code every later call runs (set by <see cref="PublishCompiled"/>), or null while the function is interpreted.</summary>
    public FunctionInstance? Compiled => Volatile.Read(ref _compiled);

    /// <summary>
    /// Makes later calls from any tier run <paramref name="compiled"/> (same type, same slots). Activations
    /// already running keep interpreting; new interpreted calls go through a stub that calls it, unless
    /// <paramref name="fromInterpretedCallers"/> is false (a small leaf: entering compiled code from the
    /// interpreter costs more than interpreting it; compiled callers and the host still use the compiled
    /// code). Safe from any thread: each field is swapped atomically, the compiled code first.
    /// </summary>
    public void PublishCompiled(FunctionInstance compiled, bool fromInterpretedCallers = true)
    {
        ArgumentNullException.ThrowIfNull(compiled);
        Volatile.Write(ref _compiled, compiled);
        if (fromInterpretedCallers)
        {
            Volatile.Write(ref _entryCode, InterpretedCode.CompiledStub(ParamSlots, SlotCount));
        }
    }

    /// <summary>
    /// Counts calls and loop iterations from the start again, as in fresh code (a request for compilation was
    /// dropped: the next activation that gets hot asks again).
    /// </summary>
    public void RestartTierUpCounters() => _code?.RestartCounters(_translation.Options.CallThreshold);

    /// <summary>Stops counting calls and loop iterations in this function's code (it will never be compiled).</summary>
    public void DisableTierUp() => _code?.DisableTierUp();

    /// <summary>Calls counted by the tier-up counter so far (0 before translation or without counters).</summary>
    public long CountedCalls(int threshold) => _code?.CountedCalls(threshold) ?? 0;

    /// <summary>The module's translation (shared code, options, tier-up hooks).</summary>
    public ModuleTranslation Translation => _translation;

    /// <summary>
    /// Runs the compiled code for the interpreter frame at <paramref name="top"/> (a stub frame: its slots are the
    /// argument area). Publishes the frame state first, as any call out of the executor does.
    /// </summary>
    internal unsafe void RunCompiled(ExecutionStack stack, int top, ulong* fp)
    {
        // Ip -1 marks a frame that only stands for compiled code: backtraces and stack walks skip it.
        stack.Frames[top].Ip = -1;
        stack.Top = top;
        stack.SlotTop = fp + Math.Max(_code?.FrameSlots ?? 0, Math.Max(SlotCount, 1));
        Compiled!.Invoke(new Span<ulong>(fp, SlotCount));
    }

    /// <summary>
    /// The call counter ran out (at the function's entry): spends it, publishes the frame state, asks for
    /// compiled code; true when it is published now (the executor then runs it for this call).
    /// </summary>
    internal unsafe bool OnHotEntry(ExecutionStack stack, int top, ulong* fp, int* counter)
    {
        *counter = int.MaxValue;
        stack.Top = top;
        stack.SlotTop = fp + _code!.FrameSlots;
        if (_translation.TierUp?.OnHotFunction(this, interpretedCaller: top != stack.EntryTop) == true && Compiled is not null)
        {
            return true;
        }
        // Asked for (or never to be compiled): later calls need not pass the spent counter.
        _code.SkipEntryCounter();
        return false;
    }

    /// <summary>
    /// The function's compiled code was published to every live instance: the loops of this function's code
    /// count again (<see cref="InterpretedCode.SkipLoopCounter"/> stopped them meanwhile) and each runs out at its
    /// next iteration, so running activations move into the compiled code at the next loop header they reach.
    /// </summary>
    public void ResumeLoopCounters()
    {
        _code?.SkipEntryCounter();
        _code?.CountLoops(now: true);
    }

    /// <summary>
    /// The counter of a loop header ran out: if compiled code with an entry at this loop is ready, moves the
    /// frame's wasm state (locals, then operands) there and runs the rest of the activation in it; its
    /// results are then in the frame's slots from 0 and the caller returns. Otherwise resets the counter
    /// (<paramref name="counter"/>) to try again later.
    /// </summary>
    internal unsafe bool TryContinueInCompiledCode(ExecutionStack stack, int top, ulong* fp, int* counter, int point)
    {
        stack.Top = top;
        stack.SlotTop = fp + _code!.FrameSlots;
        ITierUpHooks? hooks = _translation.TierUp;
        InterpretedCode code = _code!;
        OsrPoint osr = code.OsrPoints[point];
        *counter = osr.Threshold;
        if (hooks is null || !hooks.OnHotLoop(this, osr))
        {
            if (code.TierUpDisabled)
            {
                *counter = int.MaxValue;
                return false;
            }
            // Compiled code is on its way (or this loop cannot enter it): until it is published
            // (ResumeLoopCounters), this loop's iterations and the function's calls stop counting.
            code.SkipLoopCounter(point);
            code.SkipEntryCounter();
            // Unless it was published meanwhile (the publisher resumed the counters before the skip above):
            // then count again, and the next expiry tries again. The fence orders the skip before the read.
            Interlocked.MemoryBarrier();
            if (Compiled is not null)
            {
                code.CountLoops(now: false);
            }
            return false;
        }
        int locals = osr.LocalSlots;
        // Operands take their slots as in OsrState (a v128 two): the compiled entry reads them that way.
        int slots = Math.Max(locals + SlotsOf(osr.OperandTypes), SlotCount);
        Span<ulong> state = slots <= 256 ? stackalloc ulong[slots] : new ulong[slots];
        new Span<ulong>(fp, locals).CopyTo(state);
        int at = locals;
        for (int i = 0; i < osr.OperandSlots.Length; i++)
        {
            int slot = osr.OperandSlots[i];
            if (slot < 0)
            {
                // Lazy constants are scalars (v128.const is always materialized).
                state[at++] = (ulong)osr.Constants[i];
                continue;
            }
            for (int k = 0, n = osr.OperandTypes[i] == ValType.V128 ? 2 : 1; k < n; k++)
            {
                state[at++] = fp[slot + k];
            }
        }
        // From here the frame only stands for the compiled code: backtraces and stack walks skip it.
        stack.Frames[top].Ip = -1;
        hooks.RunFromLoop(this, osr, state);
        state[..ResultSlots].CopyTo(new Span<ulong>(fp, ResultSlots));
        return true;
    }

    /// <inheritdoc/>
    public override void Invoke(Span<ulong> slots)
    {
        if (InvokeOrTailCall(slots) is { } next)
        {
            Stack.RunTailCalls(next, slots);
        }
    }

    /// <inheritdoc/>
    public override FunctionInstance? InvokeOrTailCall(Span<ulong> slots)
    {
        FunctionInstance? compiled = Volatile.Read(ref _compiled);
        return compiled is not null ? compiled.InvokeOrTailCall(slots) : Stack.Invoke(this, slots);
    }
}
