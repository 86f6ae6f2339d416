using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Engine.Core;
using Engine.Gc;
using Engine.Interpreter;
using Engine.Runtime.Vm;

namespace Engine.Runtime.Native;

/// <summary>
/// A store's side of compiled code: the native <see cref="VMStoreContext"/> block compiled code records its
/// exit frames in, the activations (each entry from C# into compiled code), the pending exception of the
/// status protocol, the running thread's stack limit, and the stack walk over mixed interpreter and native
/// frames.
/// </summary>
/// <remarks>
/// <para><b>Activations.</b> Each entry from C# into compiled code (<see cref="Call"/>) pushes a record: the
/// exit frame recorded so far (it belongs to the enclosing native segment, and is restored on return),
/// the interpreter's top frame at entry (interpreter frames above it are inner to this segment), and an
/// address in the entering C# frame (native frames of the segment lie below it).</para>
/// <para><b>Walking.</b> Innermost first: the interpreter frames above the innermost activation, then that
/// activation's native frames (from the current exit frame along the rbp chain until a return address
/// is not compiled code), then the interpreter frames between it and the next activation, and so on.</para>
/// <para><b>Exceptions.</b> A trap in compiled code, or an exception in C# called from compiled code, is
/// stored here with the native frames of the innermost segment appended to its wasm backtrace, and a
/// non-zero status goes back through every native frame to <see cref="Call"/>, which rethrows it.</para>
/// </remarks>
internal sealed unsafe class NativeContext : IStackWalker, IDisposable
{
    private struct Activation
    {
        public nint SavedExitFp;
        public nint SavedExitPc;
        public nint SavedExitVmctx;
        /// <summary>The interpreter's <see cref="ExecutionStack.Depth"/> when the activation began: its frames below that are outside it.</summary>
        public int InterpreterDepth;
        public nint EntrySp;
    }

    private readonly Store _store;
    private readonly ExecutionStack _stack;
    private VMStoreContext* _block;
    private GCHandle _self;
    private Activation[] _activations = new Activation[16];
    private int _activationCount;
    private Exception? _pending;
    // The exception unwinding through this store's activations, and its stack trace as it first became pending.
    private Exception? _unwinding;
    private ExceptionDispatchInfo? _unwindingDispatch;
    private nint _stackLimit;

    public NativeContext(Store store, ExecutionStack stack)
    {
        _store = store;
        _stack = stack;
        // SAFETY: owned by this object, freed in Dispose; compiled code of this store writes its exit frames here.
        _block = (VMStoreContext*)NativeMemory.AllocZeroed((nuint)sizeof(VMStoreContext));
        _self = GCHandle.Alloc(this, GCHandleType.Weak);
        _block->Handle = GCHandle.ToIntPtr(_self);
        _block->TailCallArgs = (nint)stack.TailCallArgs;
    }

    /// <summary>Makes the store's tail-call area hold at least <paramref name="slots"/> slots (and tells compiled code where it is).</summary>
    public void EnsureTailCallSlots(int slots)
    {
        _stack.EnsureTailCallSlots(slots);
        _block->TailCallArgs = (nint)_stack.TailCallArgs;
    }

    /// <summary>Tells compiled code the exit stub's address (before the store's first compiled code is published).</summary>
    public void SetExitStub(nint exitStub) => _block->ExitStub = exitStub;

    /// <summary>The address of the store's <see cref="VMStoreContext"/>.</summary>
    public nint Address => (nint)_block;

    /// <summary>The stack limit written into every VMContext of the store (that of the thread that last entered compiled code).</summary>
    public nint StackLimit => _stackLimit;

    /// <summary>The number of entries from C# into compiled code that have not returned.</summary>
    public int ActivationCount => _activationCount;

    /// <summary>The context whose block is at <paramref name="storeContext"/>.</summary>
    public static NativeContext From(VMStoreContext* storeContext) =>
        (NativeContext)GCHandle.FromIntPtr(storeContext->Handle).Target!;

    /// <summary>
    /// The instance whose compiled code made the innermost call out to C#, when that code is innermost
    /// (no interpreter frame above its segment); null otherwise.
    /// </summary>
    public VMInstance? InnermostCompiledCaller
    {
        get
        {
            if (_activationCount == 0 || _activations[_activationCount - 1].InterpreterDepth != _stack.Depth || _block->ExitVmctx == 0)
            {
                return null;
            }
            nint handle = ((VMContext*)_block->ExitVmctx)->Instance;
            return handle == 0 ? null : (VMInstance?)GCHandle.FromIntPtr(handle).Target;
        }
    }

    // ---- entering compiled code ----

    /// <summary>
    /// Calls compiled code at <paramref name="code"/> with the native signature; a non-zero status rethrows
    /// the pending exception (with the wasm frames it crossed). A tail call the code leaves to its caller is run
    /// here (<see cref="ExecutionStack.RunTailCalls"/>), its results written to <paramref name="args"/>.
    /// </summary>
    public void Call(nint code, nint vmctx, ulong* args, nint funcRef)
    {
        if (CallOrTailCall(code, vmctx, args, funcRef) is { } next)
        {
            var function = (FunctionInstance)GCHandle.FromIntPtr(((VMFuncRef*)funcRef)->Function).Target!;
            _stack.RunTailCalls(next, new Span<ulong>(args, function.ResultSlots));
        }
    }

    /// <summary>
    /// <see cref="Call"/>, except that a tail call the code leaves to its caller (status <see cref="Builtins.TailCallPending"/>)
    /// is returned: the function to call next, its arguments in the tail-call area (<see cref="FunctionInstance.InvokeOrTailCall"/>).
    /// </summary>
    public FunctionInstance? CallOrTailCall(nint code, nint vmctx, ulong* args, nint funcRef)
    {
        nint limit = ThreadStackLimit();
        if (limit != _stackLimit)
        {
            SetStackLimit(limit);
        }
        if (_activationCount == _activations.Length)
        {
            Array.Resize(ref _activations, _activations.Length * 2);
        }
        nint marker = 0;
        ref Activation activation = ref _activations[_activationCount++];
        activation.SavedExitFp = _block->ExitFp;
        activation.SavedExitPc = _block->ExitPc;
        activation.SavedExitVmctx = _block->ExitVmctx;
        activation.InterpreterDepth = _stack.Depth;
        activation.EntrySp = (nint)(&marker);
        // SAFETY: code is compiled code with the native signature, published for a function of this store;
        // every path out of it returns (traps and exceptions come back as a status).
        int status = ((delegate* unmanaged<nint, ulong*, nint, int>)code)(vmctx, args, funcRef);
        activation = ref _activations[--_activationCount];
        _block->ExitFp = activation.SavedExitFp;
        _block->ExitPc = activation.SavedExitPc;
        _block->ExitVmctx = activation.SavedExitVmctx;
        if (status == Builtins.TailCallPending)
        {
            return TakePendingTailCall();
        }
        if (status != 0)
        {
            ThrowPending();
        }
        return null;
    }

    /// <summary>The function compiled code's tail call left to its caller (status <see cref="Builtins.TailCallPending"/>).</summary>
    public FunctionInstance TakePendingTailCall()
    {
        nint funcRef = _block->PendingTailCall;
        _block->PendingTailCall = 0;
        return (FunctionInstance)GCHandle.FromIntPtr(((VMFuncRef*)funcRef)->Function).Target!;
    }

    /// <summary>The store's interpreter stack (which owns the tail-call area).</summary>
    public ExecutionStack Stack => _stack;

    /// <summary>
    /// Rethrows the pending exception from <see cref="Call"/>, with the .NET stack trace it had when it first
    /// became pending here. Rethrowing it with a capture of its current trace at each activation it leaves
    /// would grow that trace by the C# frames of every activation and copy it each time: quadratic in the
    /// depth of a stack alternating between tiers (seconds for a few thousand activations).
    /// </summary>
    private void ThrowPending()
    {
        Exception pending = _pending ?? new InvalidOperationException("compiled code returned a failure status with no exception pending");
        _pending = null;
        // It leaves compiled code: C# code (the host among it) may keep it from here on.
        _fresh = null;
        ExceptionDispatchInfo dispatch = ReferenceEquals(pending, _unwinding) ? _unwindingDispatch! : ExceptionDispatchInfo.Capture(pending);
        if (_activationCount == 0)
        {
            // It leaves compiled code for good (or a host frame catches it and may throw it again from elsewhere).
            _unwinding = null;
            _unwindingDispatch = null;
        }
        dispatch.Throw();
    }

    /// <summary>The exception compiled code's non-zero status stands for, or null.</summary>
    public Exception? Pending => _pending;

    // The exception compiled code's throw made and nothing but this context has seen: it has not left compiled code
    // (ThrowPending forgets it), so when compiled code catches it without an exnref nothing can read its values again.
    private TagException? _fresh;

    /// <summary>Makes <paramref name="exception"/>, just made by compiled code's <c>throw</c>, pending (see <see cref="ReleaseIfFresh"/>).</summary>
    public void SetPendingFresh(TagException exception)
    {
        SetPending(exception);
        _fresh = exception;
    }

    /// <summary>
    /// Compiled code caught <paramref name="exception"/> with a clause that makes no exnref (its values, if delivered, are
    /// now rooted as the frame's): when compiled code threw it and it never left compiled code, nothing refers to it any
    /// more, and the counts it owned on the references among its values are released (issue 17's leak, for this path).
    /// Call before <see cref="Caught"/>.
    /// </summary>
    public void ReleaseIfFresh(TagException exception)
    {
        if (ReferenceEquals(exception, _fresh))
        {
            Interpreter.ExceptionHandling.ForEachReference(exception.Tag, exception.Payload, _store.Heap.Decrement);
            _fresh = null;
        }
    }

    /// <summary>
    /// A try_table of compiled code caught the pending <paramref name="exception"/>: it is no longer pending nor unwinding
    /// (a later throw of the same object, by <c>throw_ref</c> or the host, starts afresh).
    /// </summary>
    public void Caught(Exception exception)
    {
        _pending = null;
        _fresh = null;
        if (ReferenceEquals(exception, _unwinding))
        {
            _unwinding = null;
            _unwindingDispatch = null;
        }
        _stack.ForgetRecording(exception);
    }

    /// <summary>Stores <paramref name="exception"/> as pending, with the native frames it crossed appended to its backtrace.</summary>
    public void SetPending(Exception exception)
    {
        if (_activationCount > 0)
        {
            nint fp = _block->ExitFp, pc = _block->ExitPc, entrySp = _activations[_activationCount - 1].EntrySp;
            WasmBacktraceRecorder? backtrace = null;
            while (fp != 0 && fp < entrySp && CodeMap.Find(pc) is { } function)
            {
                // A native adapter's frame stands for the same activation as the register frame it called.
                if (!function.Artifact.IsAdapterReturn((int)(pc - function.Entry)))
                {
                    (backtrace ??= new WasmBacktraceRecorder(exception)).Add(function.FrameAt(pc));
                }
                pc = ((nint*)fp)[1];
                fp = ((nint*)fp)[0];
            }
        }
        if (!ReferenceEquals(exception, _fresh))
        {
            _fresh = null;
        }
        if (!ReferenceEquals(exception, _unwinding))
        {
            _unwinding = exception;
            _unwindingDispatch = ExceptionDispatchInfo.Capture(exception);
        }
        _pending = exception;
    }

    // ---- the stack limit ----

    [ThreadStatic]
    private static nint t_stackLimit;

    /// <summary>
    /// The lowest stack address compiled code may use on the current thread: the thread's stack bottom
    /// plus a margin for the C# frames of builtins, host calls and the interpreter (which checks for itself).
    /// </summary>
    public static nint ThreadStackLimit()
    {
        nint limit = t_stackLimit;
        if (limit != 0)
        {
            return limit;
        }
        nint low;
        nuint size;
        byte* attributes = stackalloc byte[256];
        if (NativeMethods.PthreadGetattrNp(NativeMethods.PthreadSelf(), attributes) == 0)
        {
            NativeMethods.PthreadAttrGetstack(attributes, &low, &size);
            NativeMethods.PthreadAttrDestroy(attributes);
        }
        else
        {
            // Unknown: assume 1 MiB below here.
            nint here = 0;
            low = (nint)(&here) - (1 << 20);
            size = 1 << 20;
        }
        nint margin = (nint)Math.Min((ulong)size / 4, 256 * 1024);
        t_stackLimit = low + margin;
        return t_stackLimit;
    }

    private void SetStackLimit(nint limit)
    {
        _stackLimit = limit;
        foreach (InstanceState instance in _store.Instances)
        {
            ((VMContext*)instance.VMContext)->StackLimit = limit;
        }
    }

    // ---- walking ----

    /// <inheritdoc/>
    public bool TryWalk(List<GcFrame> frames)
    {
        int interpreterDepth = _stack.Depth;
        nint exitFp = _block->ExitFp, exitPc = _block->ExitPc;
        for (int k = _activationCount - 1; k >= 0; k--)
        {
            ref Activation activation = ref _activations[k];
            if (!_stack.TryWalk(interpreterDepth, activation.InterpreterDepth, frames))
            {
                return false;
            }
            nint fp = exitFp, pc = exitPc;
            while (fp != 0 && fp < activation.EntrySp && CodeMap.Find(pc) is { } function)
            {
                frames.Add(new GcFrame(function.StackMap, (uint)(pc - function.Entry), fp - function.Artifact.FrameSize));
                pc = ((nint*)fp)[1];
                fp = ((nint*)fp)[0];
            }
            exitFp = activation.SavedExitFp;
            exitPc = activation.SavedExitPc;
            interpreterDepth = activation.InterpreterDepth;
        }
        return _stack.TryWalk(interpreterDepth, 0, frames);
    }

    public void Dispose()
    {
        if (_block != null)
        {
            NativeMemory.Free(_block);
            _block = null;
            _self.Free();
        }
    }
}
