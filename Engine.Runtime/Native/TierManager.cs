using System.Runtime.InteropServices;
using Engine.Core;
using Engine.Interpreter;
using Engine.Runtime.Vm;

namespace Engine.Runtime.Native;

/// <summary>
/// Tier-up for one module (tiered mode): the interpreter's counters call in here when a function or a
/// loop gets hot; the function is compiled on the shared background thread (or at once, when
/// <see cref="EngineConfig.BackgroundCompilation"/> is off) and published to every instance; a hot loop
/// moves its running activation into the compiled code at the loop's header (on-stack replacement).
/// </summary>
internal sealed unsafe class TierManager : ITierUpHooks
{
    private readonly Module _module;
    private readonly EngineConfig _config;
    // 0: never requested, 1: requested (compiling or compiled, or failed, or a small leaf waiting in _waitingLeaves).
    private readonly int[] _requested;
    // Hot small leaves that wait to be compiled with the next function of the module that is (under _waitingLeaves).
    private readonly List<CompileRequest> _waitingLeaves = new();

    /// <summary>The largest body (bytes) of a <see cref="IsSmallLeaf">small leaf</see>.</summary>
    public const int SmallLeafBodySize = 64;

    /// <summary>
    /// A function without loops and calls, with a body of at most <see cref="SmallLeafBodySize"/> bytes: entering
    /// compiled code from the interpreter costs more than interpreting it (a transition of about 100 ns against a few
    /// dozen instructions), so interpreted callers keep interpreting it and its compilation waits for the next
    /// compilation of a function of its module, whose compiled code will call it natively. A small function that calls
    /// (a recursive <c>fib</c>) is no leaf: its own calls gain from compiled code, and nothing else might ever ask for it.
    /// </summary>
    public static bool IsSmallLeaf(ModuleInfo module, uint functionIndex)
    {
        FunctionBody body = module.Body(functionIndex);
        if (body.End - body.Start > SmallLeafBodySize)
        {
            return false;
        }
        var (loops, calls) = FunctionBodyScan.LoopsAndCalls(module, functionIndex);
        return loops == 0 && calls == 0;
    }

    /// <summary>
    /// Tier-up of <paramref name="module"/>'s functions. The module may have compiled code for each kind of memory
    /// (<see cref="Module.CodeFor"/>): a hot function is compiled for every kind its live instances have, since the
    /// interpreter's counters (shared by all instances) ask only once.
    /// </summary>
    public TierManager(Module module, EngineConfig config)
    {
        _module = module;
        _config = config;
        _requested = new int[module.Info.Bodies.Count];
    }

    /// <summary>The compiled code <paramref name="function"/>'s instance runs.</summary>
    private static ModuleCode CodeOf(InterpretedFunction function) => ((InstanceState)function.Instance).Code!;

    /// <inheritdoc/>
    public bool OnHotFunction(InterpretedFunction function, bool interpretedCaller)
    {
        // A small leaf hot only for interpreted callers, which would not use its compiled code, waits for company.
        bool waits = interpretedCaller && CodeOf(function).IsSmallLeaf(function.FunctionIndex);
        return Request(function, "calls", waits);
    }

    /// <inheritdoc/>
    public bool OnHotLoop(InterpretedFunction function, OsrPoint point)
    {
        if (CodeOf(function).Get(function.FunctionIndex) is null && !Request(function, "loop", waits: false))
        {
            return false;
        }
        return function.Compiled is CompiledEntry entry && Matches(entry.Code, point);
    }

    /// <summary>True when the compiled code has an entry at the point's loop taking exactly the state the interpreter gives.</summary>
    private static bool Matches(NativeFunction code, OsrPoint point)
    {
        if (code.OsrEntry(point.LoopOffset, out OsrState? layout) == 0)
        {
            return false;
        }
        bool same = FunctionInstance.SlotsOf(layout!.LocalTypes) == point.LocalSlots
            && layout.OperandTypes.AsSpan().SequenceEqual(point.OperandTypes);
        System.Diagnostics.Debug.Assert(same, "the tiers disagree on the wasm state at a loop header");
        return same;
    }

    /// <inheritdoc/>
    public void RunFromLoop(InterpretedFunction function, OsrPoint point, Span<ulong> state)
    {
        var entry = (CompiledEntry)function.Compiled!;
        entry.Call(entry.Code.OsrEntry(point.LoopOffset, out _), state);
    }

    /// <summary>
    /// Compiles requested functions (this module's requests that were waiting together, in order of request, and
    /// the small leaves waiting for company), places their code in one region and publishes it, then lets their
    /// loops count again (they stopped while waiting; running activations move into the compiled code at their
    /// next loop header). On the background thread, when every instance of the module is gone (a short program
    /// ended while the requests waited in the queue), forgets the requests instead and restarts the functions'
    /// counters, so a later program using the module makes them hot and asks again.
    /// </summary>
    internal void CompileRequested(IReadOnlyList<CompileRequest> requests)
    {
        lock (_waitingLeaves)
        {
            if (_waitingLeaves.Count > 0)
            {
                requests = [.. requests, .. _waitingLeaves];
                _waitingLeaves.Clear();
            }
        }
        ModuleCode[] codes = _module.CodeVariants.Where(code => code.HasLiveInstances).ToArray();
        foreach (ModuleCode code in codes)
        {
            var compiled = new List<PendingCode>(requests.Count);
            foreach (CompileRequest request in requests)
            {
                uint index = request.Function.FunctionIndex;
                if (code.Get(index) == null && code.TryCompile(index, request.Trigger, request.Calls) is { } pending)
                {
                    compiled.Add(pending);
                }
            }
            code.PlaceAndPublish(compiled);
        }
        var ready = new List<InterpretedFunction>(requests.Count);
        foreach (CompileRequest request in requests)
        {
            InterpretedFunction function = request.Function;
            ModuleCode code = CodeOf(function);
            if (code.Get(function.FunctionIndex) != null)
            {
                ready.Add(function);
            }
            else if (code.IsFallback(function.FunctionIndex))
            {
                function.DisableTierUp();
            }
            else
            {
                // Its instance is gone (and with it, maybe, every instance of its kind of memory): forget the request.
                Volatile.Write(ref _requested[(int)function.FunctionIndex - function.Instance.Module.ImportedFunctionCount], 0);
                function.RestartTierUpCounters();
            }
        }
        foreach (InterpretedFunction function in ready)
        {
            function.ResumeLoopCounters();
        }
    }

    /// <summary>
    /// Asks for the function to be compiled (when <paramref name="waits"/>, with the next function of the module
    /// that is); true when its code is published now.
    /// </summary>
    private bool Request(InterpretedFunction function, string trigger, bool waits)
    {
        uint index = function.FunctionIndex;
        ModuleCode code = CodeOf(function);
        if (code.Get(index) != null)
        {
            return true;
        }
        if (code.TierOf(index) == TierMode.Interpreter || code.IsFallback(index))
        {
            function.DisableTierUp();
            return false;
        }
        int defined = (int)index - function.Instance.Module.ImportedFunctionCount;
        if (Interlocked.Exchange(ref _requested[defined], 1) != 0)
        {
            return code.Get(index) != null;
        }
        // The entry counter is spent (reset out of reach) when it triggers; a loop counts calls so far.
        long calls = trigger == "calls" ? _config.TierUpCallThreshold : function.CountedCalls(_config.TierUpCallThreshold);
        var request = new CompileRequest(this, function, trigger, calls);
        if (waits)
        {
            lock (_waitingLeaves)
            {
                _waitingLeaves.Add(request);
            }
            return false;
        }
        if (_config.BackgroundCompilation)
        {
            BackgroundCompiler.Enqueue(request);
            return false;
        }
        CompileRequested([request]);
        return code.Get(index) != null;
    }
}

/// <summary>A function of <paramref name="Manager"/>'s module to compile in the background, and what made it hot.</summary>
/// <remarks>A class: queues and lists of it then share the framework's precompiled code for references, where a struct
/// made the program's thread jit a dozen collection methods at its first request.</remarks>
internal sealed record CompileRequest(TierManager Manager, InterpretedFunction Function, string Trigger, long Calls);

/// <summary>
/// The one background thread that compiles hot functions, process-wide, in order of request. It takes every
/// request waiting when it wakes, so functions that got hot together are compiled together and placed in one
/// code region (see <see cref="ModuleCode.PlaceAndPublish"/>).
/// </summary>
internal static class BackgroundCompiler
{
    // Requests waiting (under the queue's lock; the thread waits on it when there are none).
    private static readonly Queue<CompileRequest> s_queue = new();
    private static Thread? s_thread;

    // Requests queued or running.
    private static int s_pending;

    public static void Enqueue(CompileRequest request)
    {
        Interlocked.Increment(ref s_pending);
        lock (s_queue)
        {
            s_queue.Enqueue(request);
            if (s_thread is null)
            {
                s_thread = new Thread(Run) { IsBackground = true, Name = "wasm tier-up compiler" };
                s_thread.Start();
            }
            else if (s_queue.Count == 1)
            {
                // The thread may be waiting for work (it wakes only when the queue was empty).
                Monitor.Pulse(s_queue);
            }
        }
    }

    /// <summary>True on the background compiler's thread.</summary>
    public static bool IsCurrentThread => Thread.CurrentThread == Volatile.Read(ref s_thread);

    /// <summary>True when no request is queued or running (benchmarks wait for it between cold starts).</summary>
    public static bool IsIdle => Volatile.Read(ref s_pending) == 0;

    /// <summary>How much higher the compiler thread's nice value is than that of the thread that started it (Linux).</summary>
    public const int NiceAbove = 5;

    private static void Run()
    {
        // Below the program's threads: where more threads want to run than there are cores (early in a process
        // the .NET runtime's own JIT thread is busy too), the program runs first and its compiled code waits.
        if (OperatingSystem.IsLinux())
        {
            try
            {
                // A new thread starts with its creator's nice value; raising it needs no privilege (lowering would).
                int tid = NativeMethods.GetTid();
                Marshal.SetLastPInvokeError(0);
                int nice = NativeMethods.GetPriority(0, tid);
                if (nice != -1 || Marshal.GetLastPInvokeError() == 0)
                {
                    _ = NativeMethods.SetPriority(0, tid, Math.Min(nice + NiceAbove, 19));
                }
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                // An older libc: the thread keeps the default priority.
            }
        }
        var batch = new List<CompileRequest>();
        while (true)
        {
            batch.Clear();
            lock (s_queue)
            {
                while (s_queue.Count == 0)
                {
                    Monitor.Wait(s_queue);
                }
                while (s_queue.TryDequeue(out CompileRequest? request))
                {
                    batch.Add(request);
                }
            }
            foreach (IGrouping<TierManager, CompileRequest> module in batch.GroupBy(r => r.Manager))
            {
                try
                {
                    module.Key.CompileRequested(module.ToList());
                }
                catch (Exception)
                {
                    // A failed compilation leaves the functions interpreted; the program never sees it.
                }
            }
            Interlocked.Add(ref s_pending, -batch.Count);
        }
    }
}
