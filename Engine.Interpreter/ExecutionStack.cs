using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.Core;
using Engine.Gc;

namespace Engine.Interpreter;

/// <summary>The record of one interpreter frame.</summary>
internal unsafe struct Frame
{
    /// <summary>The function running in the frame.</summary>
    public InterpretedFunction Function;
    /// <summary>Slot 0 of the frame.</summary>
    public ulong* Fp;
    /// <summary>
    /// The published code position: for a frame that called out, the return address (just past the call);
    /// for a frame that trapped, one past its instruction's start. Either way, the instruction at Ip - 1 is
    /// the current one, and Ip is the frame's stack-map key at a safepoint.
    /// </summary>
    public int Ip;
}

/// <summary>
/// The interpreter's stack for one store: a native array of 8-byte slots holding every interpreter
/// frame, and the frame records. Host -> wasm -> host -> wasm nesting stacks activations on the same
/// arrays. Used by one thread at a time (the store's rule).
/// </summary>
public sealed unsafe class ExecutionStack : IStackWalker, IDisposable
{
    private readonly SlotMemory _memory;
    private readonly ulong* _slots;
    private readonly int _maxFrames;

    /// <summary>Creates a stack of <paramref name="slotCount"/> slots and at most <paramref name="maxFrames"/> frames.</summary>
    public ExecutionStack(int slotCount = 1 << 20, int maxFrames = 100_000)
    {
        _memory = new SlotMemory(slotCount);
        _memory.EnsureTailCallSlots(16);
        _slots = _memory.Slots;
        SlotLimit = _slots + slotCount;
        SlotTop = _slots;
        _maxFrames = maxFrames;
        Frames = new Frame[Math.Min(256, maxFrames)];
        Top = -1;
    }

    /// <summary>The frame records; [0 .. <see cref="Top"/>] are live.</summary>
    internal Frame[] Frames { get; private set; }

    /// <summary>The index of the innermost frame record, -1 when no wasm runs.</summary>
    internal int Top { get; set; }

    /// <summary>
    /// The frame record of the innermost activation entered from outside the interpreter (the host, or compiled
    /// code calling an interpreted function); -1 when none. A frame above it was called by an interpreted frame.
    /// </summary>
    internal int EntryTop { get; private set; } = -1;

    /// <summary>The first slot a new activation may use.</summary>
    internal ulong* SlotTop { get; set; }

    /// <summary>One past the last slot.</summary>
    internal ulong* SlotLimit { get; }

    /// <summary>The instance of the innermost wasm frame, or null when no wasm runs.</summary>
    public VMInstance? CurrentInstance => Top >= 0 ? Frames[Top].Function?.Instance : null;

    /// <summary>The number of live interpreter frames.</summary>
    public int Depth => Top + 1;

    /// <summary>Doubles the frame records up to the maximum; returns the (possibly same) array.</summary>
    internal Frame[] GrowFrames()
    {
        if (Frames.Length < _maxFrames)
        {
            Frame[] grown = new Frame[Math.Min(Frames.Length * 2, _maxFrames)];
            Array.Copy(Frames, grown, Top + 1);
            Frames = grown;
        }
        return Frames;
    }

    // ---- tail calls between tiers ----

    /// <summary>
    /// The tail-call area: where a function that ends in a tail call it leaves to its caller puts the callee's
    /// arguments (the interpreter's first frame of an activation calling compiled code or the host; compiled code
    /// calling anything but compiled code, through <c>VMStoreContext.TailCallArgs</c>). Holds <see cref="TailCallSlots"/>.
    /// </summary>
    public ulong* TailCallArgs => _memory.TailCallArgs;

    /// <summary>The slots <see cref="TailCallArgs"/> holds (at least the parameters of every type of every module instantiated with this stack).</summary>
    public int TailCallSlots => _memory.TailCallSlots;

    /// <summary>
    /// Makes the tail-call area hold at least <paramref name="slots"/> slots (a module with such a function type is
    /// instantiated); true when it moved (compiled code reads its address from the store context).
    /// </summary>
    public bool EnsureTailCallSlots(int slots) => _memory.EnsureTailCallSlots(slots);

    // The callee of the tail call the interpreter's first frame of an activation left to its caller (see Invoke).
    private FunctionInstance? _pendingTailCall;

    /// <summary>The first frame of an activation tail-calls <paramref name="callee"/> with its arguments at <paramref name="arguments"/>: Invoke returns it.</summary>
    internal void SetPendingTailCall(FunctionInstance callee, ulong* arguments)
    {
        int n = callee.ParamSlots;
        if (n > TailCallSlots)
        {
            throw new InvalidOperationException($"tail call with {n} argument slots: the tail-call area holds {TailCallSlots}");
        }
        new Span<ulong>(arguments, n).CopyTo(new Span<ulong>(TailCallArgs, n));
        _pendingTailCall = callee;
    }

    /// <summary>
    /// A tail call from the frame at <paramref name="top"/> (arguments at its <paramref name="fp"/>) that the interpreter does
    /// not make in place. From the activation's first frame, whoever entered the interpreter makes it: the call is left
    /// pending (<see cref="Invoke"/> returns it) and true says the activation is over. Below an interpreted caller, the frame
    /// becomes a stub (Ip -1: backtraces and stack walks skip it, as the frame it replaced is gone) that calls the callee
    /// now, its results written to the frame's slots 0..; false says the frame now returns them.
    /// </summary>
    internal bool TailCallOut(FunctionInstance callee, int top, int entryTop, ulong* fp, int frameSlots)
    {
        if (top == entryTop)
        {
            SetPendingTailCall(callee, fp);
            Top = top - 1;
            return true;
        }
        Frames[top].Ip = -1;
        Top = top;
        SlotTop = fp + frameSlots;
        callee.Invoke(new Span<ulong>(fp, callee.SlotCount));
        return false;
    }

    /// <summary>
    /// One <c>Return</c> instruction outside any code, for the executor to dispatch to (a frame that finished in a call it
    /// made from outside the dispatch loop returns through the loop's one return path).
    /// </summary>
    // SAFETY: allocated once, never freed or written again; the executor only reads the word.
    internal static readonly int* ReturnInstruction = NewReturnInstruction();

    private static int* NewReturnInstruction()
    {
        int* word = (int*)NativeMemory.Alloc(sizeof(int));
        *word = (int)Op.Return;
        return word;
    }

    /// <summary>
    /// Runs <paramref name="next"/> (and every function a tail call leaves to it after that), whose arguments are in the
    /// tail-call area, and writes the results into <paramref name="results"/>: the loop that makes tail calls between tiers
    /// constant in stack. Each function runs through <see cref="FunctionInstance.InvokeOrTailCall"/>, so none of them makes
    /// the next call itself.
    /// </summary>
    public void RunTailCalls(FunctionInstance next, Span<ulong> results)
    {
        int resultSlots = next.ResultSlots;
        Span<ulong> area = next.SlotCount <= 32 ? stackalloc ulong[32] : new ulong[next.SlotCount];
        FunctionInstance? function = next;
        while (function is not null)
        {
            if (function.SlotCount > area.Length)
            {
                area = new ulong[function.SlotCount];
            }
            new Span<ulong>(TailCallArgs, function.ParamSlots).CopyTo(area);
            function = function.InvokeOrTailCall(area[..function.SlotCount]);
        }
        area[..resultSlots].CopyTo(results);
    }

    /// <summary>
    /// Calls <paramref name="function"/> with its arguments in <paramref name="slots"/> and writes its results
    /// back there (see <see cref="FunctionInstance.Invoke"/>), unless its first frame ends in a tail call to a function
    /// the interpreter does not run in place: then returns that function, its arguments in the tail-call area, for the
    /// caller to run (<see cref="FunctionInstance.InvokeOrTailCall"/>). A trap or host exception leaves every frame
    /// of this call, carrying the wasm frames it crossed.
    /// </summary>
    internal FunctionInstance? Invoke(InterpretedFunction function, Span<ulong> slots)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new TrapException(TrapCode.StackExhausted);
        }
        if (function.Code is null)
        {
            function.Translate();
        }
        InterpretedCode code = function.Code!;
        ulong* savedSlotTop = SlotTop;
        ulong* fp = savedSlotTop;
        if (fp + code.FrameSlots > SlotLimit)
        {
            throw new TrapException(TrapCode.StackExhausted);
        }
        int entryTop = Top + 1;
        if (entryTop == Frames.Length && GrowFrames().Length == entryTop)
        {
            throw new TrapException(TrapCode.StackExhausted);
        }
        slots[..function.ParamSlots].CopyTo(new Span<ulong>(fp, function.ParamSlots));
        new Span<ulong>(fp + code.ParamSlots, code.LocalSlots - code.ParamSlots).Clear();
        Frames[entryTop] = new Frame { Function = function, Fp = fp, Ip = code.Start };
        Top = entryTop;
        int savedEntryTop = EntryTop;
        EntryTop = entryTop;
        bool returned = false;
        try
        {
            while (true)
            {
                try
                {
                    Executor.Run(this, entryTop);
                    break;
                }
                catch (TagException e) when (HasHandler(e, entryTop))
                {
                    // A try_table of this activation catches it: continue at its landing pad.
                    Catch(e, entryTop);
                }
            }
            returned = true;
        }
        catch (Exception e) when (RecordBacktrace(e, entryTop))
        {
            // Never entered: the filter only records. Catching and rethrowing would run every outer
            // handler on top of the deep stack of the throw, so recursion through the host could overflow it.
        }
        finally
        {
            if (!returned)
            {
                _pendingTailCall = null;
                Top = entryTop - 1;
                ClearFrames(entryTop);
                if (entryTop == 0)
                {
                    _recording = null;
                }
            }
            SlotTop = savedSlotTop;
            EntryTop = savedEntryTop;
        }
        Frames[entryTop].Function = null!;
        if (_pendingTailCall is { } next)
        {
            _pendingTailCall = null;
            return next;
        }
        new Span<ulong>(fp, function.ResultSlots).CopyTo(slots);
        return null;
    }

    /// <summary>
    /// True when a try_table of the frames from the innermost (<see cref="Top"/>) down to <paramref name="entryTop"/> takes
    /// <paramref name="exception"/> (an exception filter: it runs before inner activations unwind, so it only looks,
    /// from the frames this activation published).
    /// </summary>
    private bool HasHandler(TagException exception, int entryTop) => FindHandler(exception, entryTop, out _, out _);

    private bool FindHandler(TagException exception, int entryTop, out int frameIndex, out HandlerClause found)
    {
        for (int k = Math.Min(Top, Frames.Length - 1); k >= entryTop; k--)
        {
            ref Frame frame = ref Frames[k];
            if (frame.Ip < 0 || frame.Function?.Code is not { Handlers.Length: > 0 } code)
            {
                continue;
            }
            int position = frame.Ip - 1;
            VMInstance instance = frame.Function.Instance;
            for (int h = code.Handlers.Length - 1; h >= 0; h--)
            {
                ExceptionHandler handler = code.Handlers[h];
                if (position < handler.Start || position >= handler.End)
                {
                    continue;
                }
                if (handler.DelegateTo != ExceptionHandler.NotDelegating)
                {
                    // A legacy delegate: the search goes on at its target (which covers this position too), or leaves
                    // the frame. The loop's decrement lands on the target.
                    h = handler.DelegateTo + 1;
                    continue;
                }
                foreach (HandlerClause clause in handler.Clauses)
                {
                    if (ExceptionHandling.Takes(instance, clause.Kind, clause.Tag, exception))
                    {
                        frameIndex = k;
                        found = clause;
                        return true;
                    }
                }
            }
        }
        frameIndex = -1;
        found = default;
        return false;
    }

    /// <summary>
    /// Delivers <paramref name="exception"/> to the catch clause that takes it: the frames above the catching one are
    /// dropped, the values (a count taken on each reference, as frames hold references) and the exnref are written where
    /// the clause's landing pad expects them, and the frame continues there.
    /// </summary>
    private void Catch(TagException exception, int entryTop)
    {
        if (!FindHandler(exception, entryTop, out int k, out HandlerClause clause))
        {
            throw new InvalidOperationException("the exception's handler went away");
        }
        if (ReferenceEquals(_recording, exception))
        {
            // Caught: a later throw of the same object (throw_ref, the host) records its backtrace afresh.
            _recording = null;
        }
        ref Frame frame = ref Frames[k];
        ulong* fp = frame.Fp;
        // Rooting may collect: it happens while every frame still stands as the exception left it.
        ExceptionHandling.Deliver(frame.Function.Instance, exception, clause.Kind, fp + clause.ValueSlot);
        for (int i = k + 1; i <= Math.Min(Top, Frames.Length - 1); i++)
        {
            Frames[i].Function = null!;
        }
        Top = k;
        frame.Ip = clause.Target;
        SlotTop = fp + frame.Function.Code!.FrameSlots;
    }

    /// <summary>
    /// Forgets that <paramref name="exception"/>'s backtrace is being recorded (compiled code caught it): a later throw of
    /// the same object records its backtrace afresh.
    /// </summary>
    public void ForgetRecording(Exception exception)
    {
        if (ReferenceEquals(_recording, exception))
        {
            _recording = null;
        }
    }

    private void ClearFrames(int from)
    {
        // Drop the references to functions of frames that are gone, so they do not keep instances alive.
        Array.Clear(Frames, from, Math.Min(Frames.Length - from, 64));
    }

    /// <summary>
    /// Adds this activation's frames (from <paramref name="entryTop"/> up to where an inner activation's
    /// frames begin) to the exception's wasm backtrace. Runs as an exception filter, innermost activation
    /// first, while every frame record is still intact; returns false so the exception flows on unchanged.
    /// </summary>
    private bool RecordBacktrace(Exception e, int entryTop)
    {
        int end = ReferenceEquals(_recording, e) ? _recordedFrom - 1 : Top;
        WasmBacktraceRecorder? backtrace = null;
        for (int i = Math.Min(end, Frames.Length - 1); i >= entryTop; i--)
        {
            ref Frame frame = ref Frames[i];
            InterpretedFunction function = frame.Function;
            if (function is null || frame.Ip < 0)
            {
                // Gone, or a stub standing for compiled code (whose frames the native tier reports).
                continue;
            }
            int offset = function.Code?.WasmOffsetAt(frame.Ip) ?? -1;
            (backtrace ??= new WasmBacktraceRecorder(e)).Add(new WasmFrame(function.FunctionIndex, function.Name, offset));
        }
        _recording = e;
        _recordedFrom = entryTop;
        return false;
    }

    // The exception whose backtrace the filters are recording, and the first frame recorded so far
    // (the filters of nested activations run innermost first).
    private Exception? _recording;
    private int _recordedFrom;

    /// <inheritdoc/>
    public bool TryWalk(List<GcFrame> frames) => TryWalk(Depth, 0, frames);

    /// <summary>
    /// Adds the frames at depths <paramref name="toDepth"/> (inclusive, 0 = outermost) up to <paramref name="fromDepth"/>
    /// (exclusive) to <paramref name="frames"/>, innermost first, as <see cref="TryWalk(List{GcFrame})"/> does for all of
    /// them; false when a frame cannot be described (nothing is then freed). For a walker that interleaves these frames
    /// with another tier's, as the runtime's native tier does: it notes <see cref="Depth"/> whenever control leaves the
    /// interpreter and walks each stretch of interpreter frames between two such marks.
    /// </summary>
    public bool TryWalk(int fromDepth, int toDepth, List<GcFrame> frames)
    {
        for (int i = fromDepth - 1; i >= toDepth; i--)
        {
            ref Frame frame = ref Frames[i];
            if (frame.Ip < 0)
            {
                // A stub standing for compiled code: it holds nothing of its own.
                continue;
            }
            InterpretedCode? code = frame.Function?.Code;
            if (code is null)
            {
                return false;
            }
            frames.Add(new GcFrame(code.StackMap, (uint)frame.Ip, (nint)frame.Fp));
        }
        return true;
    }

    /// <inheritdoc/>
    public void Dispose() => _memory.Dispose();

    /// <summary>
    /// The native slots, the only finalizable part (a stack a pool drops is never disposed; the finalizer returns
    /// its slots). It references nothing: a finalizable object keeps everything it references through one more
    /// collection, and the frame records may still name functions, instances and modules of finished programs.
    /// </summary>
    private sealed class SlotMemory : IDisposable
    {
        public SlotMemory(int slotCount)
        {
            // SAFETY: owned by this object, freed once in Dispose or the finalizer; untouched pages are never committed by the OS.
            Slots = (ulong*)NativeMemory.Alloc((nuint)slotCount, sizeof(ulong));
        }

        public ulong* Slots { get; private set; }

        public ulong* TailCallArgs { get; private set; }

        public int TailCallSlots { get; private set; }

        public bool EnsureTailCallSlots(int slots)
        {
            if (slots <= TailCallSlots)
            {
                return false;
            }
            int capacity = Math.Max(Math.Max(slots, 16), 2 * TailCallSlots);
            // SAFETY: owned by this object like Slots; nothing reads the old area after a move (it is refilled per tail call).
            NativeMemory.Free(TailCallArgs);
            TailCallArgs = (ulong*)NativeMemory.AllocZeroed((nuint)capacity, sizeof(ulong));
            TailCallSlots = capacity;
            return true;
        }

        public void Dispose()
        {
            Free();
            GC.SuppressFinalize(this);
        }

        ~SlotMemory() => Free();

        private void Free()
        {
            if (Slots != null)
            {
                NativeMemory.Free(Slots);
                Slots = null;
            }
            if (TailCallArgs != null)
            {
                NativeMemory.Free(TailCallArgs);
                TailCallArgs = null;
                TailCallSlots = 0;
            }
        }
    }
}
