using System.Runtime.InteropServices;
using Engine.CodeGen.X64;
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
    // The same for the second machine-code tier (asked by the first tier's counters).
    private readonly int[] _optimizeRequested;
    // 1 while (or once) a compiler thread compiles the function's optimized code: two requests of one function (its code,
    // and a version for another loop) may run on the background and the prompt thread at once, and only one compiles it.
    private readonly int[] _optimizeCompiling;
    // The loops (function, loop offset) an optimized version for on-stack replacement was asked for.
    private readonly HashSet<(uint Function, int Loop)> _osrRequested = new();
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
    /// interpreter's counters (shared by all instances) ask only once. The second hop (baseline -> optimizing) is asked
    /// by the baseline code of one instance and compiles for that instance's kind of code.
    /// </summary>
    public TierManager(Module module, EngineConfig config)
    {
        _module = module;
        _config = config;
        _requested = new int[module.Info.Bodies.Count];
        _optimizeRequested = new int[module.Info.Bodies.Count];
        _optimizeCompiling = new int[module.Info.Bodies.Count];
        _programThreadBudget = (long)(config.ProgramThreadCompileBudget.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        CompileWaitLimitTicks = (long)Math.Min(config.CompileWaitLimit.TotalSeconds * System.Diagnostics.Stopwatch.Frequency, long.MaxValue / 4);
    }

    /// <summary>
    /// <see cref="EngineConfig.CompileWaitLimit"/> in <see cref="System.Diagnostics.Stopwatch"/> ticks: how long a request
    /// may wait for the background thread before the prompt thread takes it (0: no limit).
    /// </summary>
    public long CompileWaitLimitTicks { get; }

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
        ModuleCode code = CodeOf(function);
        if (code.Get(function.FunctionIndex) is null && !Request(function, "loop", waits: false))
        {
            return false;
        }
        return function.Compiled is CompiledEntry && code.FindOsrCode(function.FunctionIndex, point.LoopOffset, optimizedOnly: false) is { } osrCode
            && Matches(osrCode, point);
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
        // The published code's entry, or (where the optimized code has none) an optimized version made for this loop, or
        // the baseline code it replaced: any code of the function runs with its funcref and instance.
        var entry = (CompiledEntry)function.Compiled!;
        ModuleCode moduleCode = CodeOf(function);
        NativeFunction code = moduleCode.FindOsrCode(function.FunctionIndex, point.LoopOffset, optimizedOnly: false)!;
        moduleCode.Statistics.AddOnStackReplacement(TierMode.Interpreter);
        entry.Call(code.OsrEntry(point.LoopOffset, out _), state);
    }

    /// <summary>
    /// Compiles requested functions (this module's requests that were waiting together, in order of request, and
    /// the small leaves waiting for company), places their code in one region and publishes it, then lets their
    /// loops count again (they stopped while waiting; running activations move into the compiled code at their
    /// next loop header). On the background thread, when every instance of the module is gone (a short program
    /// ended while the requests waited in the queue), forgets the requests instead and restarts the functions'
    /// counters, so a later program using the module makes them hot and asks again.
    /// </summary>
    internal void CompileRequested(IReadOnlyList<CompileRequest> requests, int owner)
    {
        lock (_waitingLeaves)
        {
            if (_waitingLeaves.Count > 0)
            {
                requests = [.. requests, .. _waitingLeaves];
                _waitingLeaves.Clear();
            }
        }
        // Each request is claimed right before it is compiled, so another compiler thread can take the ones this thread has
        // not reached yet (BackgroundCompiler: the prompt thread takes requests that waited too long).
        ModuleCode[] codes = _module.CodeVariants.Where(code => code.HasLiveInstances).ToArray();
        var compiled = new List<PendingCode>[codes.Length];
        for (int k = 0; k < codes.Length; k++)
        {
            compiled[k] = new List<PendingCode>(requests.Count);
        }
        var firstTier = new List<CompileRequest>(requests.Count);
        foreach (CompileRequest request in requests)
        {
            if (!request.Claim(owner) && request.Owner != owner)
            {
                continue;
            }
            if (request.Target == TierMode.Optimizing)
            {
                CompileOptimized(request);
                continue;
            }
            firstTier.Add(request);
            uint index = request.Function.FunctionIndex;
            for (int k = 0; k < codes.Length; k++)
            {
                if (codes[k].Get(index) == null && codes[k].TryCompile(index, request.Trigger, request.Calls) is { } pending)
                {
                    compiled[k].Add(pending);
                }
            }
        }
        for (int k = 0; k < codes.Length; k++)
        {
            codes[k].PlaceAndPublish(compiled[k]);
        }
        var ready = new List<InterpretedFunction>(firstTier.Count);
        foreach (CompileRequest request in firstTier)
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
    /// A second-hop request: the optimizing tier's code of a function (and its version for a loop) for the code its
    /// instance runs. When every instance of that code is gone, forgets the request and restarts the counter instead.
    /// </summary>
    private void CompileOptimized(CompileRequest request)
    {
        InterpretedFunction function = request.Function;
        ModuleCode code = CodeOf(function);
        int defined = (int)function.FunctionIndex - function.Instance.Module.ImportedFunctionCount;
        if (!code.HasLiveInstances)
        {
            if (request.OsrLoop >= 0)
            {
                lock (_osrRequested)
                {
                    _osrRequested.Remove((function.FunctionIndex, request.OsrLoop));
                }
            }
            Volatile.Write(ref _optimizeCompiling[defined], 0);
            Volatile.Write(ref _optimizeRequested[defined], 0);
            code.SetTierUpCounter(function.FunctionIndex, code.OptimizeThreshold);
            return;
        }
        var compiled = new List<PendingCode>(2);
        bool armed = false;
        // A failure is recorded (a fallback of the second tier) and the function's counter stays spent: its baseline
        // code goes on without calling the runtime again.
        if (!code.IsOptimized(function.FunctionIndex) && Interlocked.Exchange(ref _optimizeCompiling[defined], 1) == 0
            && code.TryCompileOptimized(function.FunctionIndex, request.Trigger, request.Calls) is { } optimized)
        {
            compiled.Add(optimized);
        }
        if (request.OsrLoop >= 0 && code.FindOsrCode(function.FunctionIndex, request.OsrLoop, optimizedOnly: true) is null
            && code.TryCompileOsrVersion(function.FunctionIndex, request.OsrLoop) is { } osr)
        {
            compiled.Add(osr);
            armed = true;
        }
        code.PlaceAndPublish(compiled);
        if (armed)
        {
            // An optimized version for a loop is there: baseline activations at that loop move in at their next iteration.
            code.SetTierUpCounter(function.FunctionIndex, 0);
        }
    }

    /// <summary>
    /// The tier-up counter of <paramref name="functionIndex"/>'s baseline code ran out (<see cref="BuiltinId.TierUp"/>, called
    /// from that code in <paramref name="instance"/>), at its entry (<paramref name="loopOffset"/> -1) or at the header of
    /// the loop at <paramref name="loopOffset"/>. Asks for the optimizing tier's code (once; the counter stays spent
    /// meanwhile, so the baseline code runs on without calling here); once that code is published, a call from a loop
    /// header moves the activation into the optimized version made for that loop (asked for once per loop, see
    /// <see cref="ModuleCode.TryCompileOsrVersion"/>; <see cref="RunInOptimizedCode"/>). Returns the builtin's status: 0 to go on in the
    /// baseline code, 1 with an exception pending, <see cref="Builtins.TierUpFinished"/> when the activation finished in
    /// the optimized code.
    /// </summary>
    public int OnHotBaselineCode(InstanceState instance, uint functionIndex, int loopOffset)
    {
        ModuleCode moduleCode = instance.Code!;
        if (!moduleCode.IsOptimized(functionIndex))
        {
            moduleCode.SetTierUpCounter(functionIndex, int.MaxValue);
            int defined = (int)functionIndex - instance.ModuleInfo.ImportedFunctionCount;
            if (Interlocked.Exchange(ref _optimizeRequested[defined], 1) == 0)
            {
                // Hot by a loop: the version for moving in at that loop comes with the function's code.
                if (loopOffset >= 0)
                {
                    lock (_osrRequested)
                    {
                        _osrRequested.Add((functionIndex, loopOffset));
                    }
                }
                Enqueue(instance, functionIndex, loopOffset < 0 ? "calls" : "loop", loopOffset);
            }
            // Published meanwhile (its publisher armed the counter before the write above): arm it again.
            Interlocked.MemoryBarrier();
            if (!moduleCode.IsOptimized(functionIndex))
            {
                return 0;
            }
            moduleCode.SetTierUpCounter(functionIndex, 0);
        }
        if (loopOffset < 0)
        {
            // The counter stays armed while optimized code is published: other activations of the baseline code (an outer
            // frame of a recursion, another thread) move at their next loop header.
            return 0;
        }
        if (moduleCode.FindOsrCode(functionIndex, loopOffset, optimizedOnly: true) is null)
        {
            // No optimized code to move into at this loop yet: ask for a version with an entry there (once per loop) and
            // count a whole budget before asking again, so the waiting activation does not call here every iteration.
            bool first;
            lock (_osrRequested)
            {
                first = _osrRequested.Add((functionIndex, loopOffset));
            }
            moduleCode.SetTierUpCounter(functionIndex, moduleCode.OptimizeThreshold);
            if (first)
            {
                Enqueue(instance, functionIndex, "loop", loopOffset);
            }
            if (moduleCode.FindOsrCode(functionIndex, loopOffset, optimizedOnly: true) is null)
            {
                return 0;
            }
        }
        return RunInOptimizedCode(instance, functionIndex, loopOffset);
    }

    /// <summary>Asks for the optimizing tier's code of a function (and, for <paramref name="osrLoop"/> >= 0, its version for that loop).</summary>
    private void Enqueue(InstanceState instance, uint functionIndex, string trigger, int osrLoop)
    {
        ModuleCode moduleCode = instance.Code!;
        if (instance.Functions[functionIndex] is not InterpretedFunction function)
        {
            return;
        }
        var request = new CompileRequest(this, function, trigger, moduleCode.OptimizeThreshold, TierMode.Optimizing) { OsrLoop = osrLoop };
        if (CompilesHere(functionIndex, TierMode.Optimizing))
        {
            CompileHere(request);
        }
        else
        {
            BackgroundCompiler.Enqueue(request);
        }
    }

    /// <summary>
    /// On-stack replacement out of baseline code: the frame that called <see cref="BuiltinId.TierUp"/> at the loop header
    /// (the store's exit frame) holds the wasm state where its artifact's <see cref="OsrEntry.FrameSlots"/> say; it is
    /// copied into an <see cref="OsrState"/> area and the optimized code's entry at the same loop runs the rest of the
    /// activation; its results go to the baseline frame's argument area, which then returns. From the transfer on the
    /// baseline frame only stands for the optimized one: a backtrace leaves it out.
    /// </summary>
    private int RunInOptimizedCode(InstanceState instance, uint functionIndex, int loopOffset)
    {
        ModuleCode moduleCode = instance.Code!;
        if (instance.NativeContext is not { } native || moduleCode.FindOsrCode(functionIndex, loopOffset, optimizedOnly: true) is not { } optimized)
        {
            return 0;
        }
        var block = (VMStoreContext*)native.Address;
        nint fp = block->ExitFp;
        NativeFunction? baseline = CodeMap.Find(block->ExitPc);
        nint entry = optimized.OsrEntry(loopOffset, out OsrState? layout);
        OsrEntry? exit = null;
        if (baseline is not null && baseline.FunctionIndex == functionIndex && ReferenceEquals(baseline.Module, optimized.Module))
        {
            foreach (OsrEntry candidate in baseline.Artifact.OsrEntries)
            {
                if (candidate.LoopOffset == loopOffset)
                {
                    exit = candidate;
                    break;
                }
            }
        }
        if (entry == 0 || exit?.FrameSlots is not { } frameSlots || !SameState(exit.State, layout!) || frameSlots.Length != layout!.SlotCount)
        {
            // This loop cannot move (the tiers disagree on its state, or the optimized code has no entry there): the
            // counter stays spent, so the baseline code runs on without calling here.
            moduleCode.SetTierUpCounter(functionIndex, int.MaxValue);
            return 0;
        }
        FuncType type = instance.ModuleInfo.FunctionType(functionIndex);
        int resultSlots = FunctionInstance.SlotsOf(type.Results);
        int slots = Math.Max(Math.Max(frameSlots.Length, resultSlots), 1);
        ulong[]? rented = slots <= 256 ? null : new ulong[slots];
        Span<ulong> state = rented ?? stackalloc ulong[slots];
        // SAFETY: fp is the rbp of the baseline frame that is calling this builtin (its exit frame), live below us; its
        // frame (FrameSize bytes below rbp) holds the state at the slots its artifact lists.
        ulong* frameBase = (ulong*)(fp - baseline!.Artifact.FrameSize);
        for (int i = 0; i < frameSlots.Length; i++)
        {
            state[i] = frameBase[frameSlots[i]];
        }
        moduleCode.Statistics.AddOnStackReplacement(TierMode.Baseline);
        nint vmctx = instance.VMContext;
        nint funcRef = ((nint*)((VMContext*)vmctx)->Functions)[functionIndex];
        try
        {
            fixed (ulong* area = state)
            {
                native.Call(entry, vmctx, area, funcRef);
            }
        }
        catch (Exception e)
        {
            // The baseline frame stood for the optimized one, whose frames the exception carries already: the backtrace
            // goes on with the baseline frame's caller.
            block->ExitFp = ((nint*)fp)[0];
            block->ExitPc = ((nint*)fp)[1];
            native.SetPending(e);
            return 1;
        }
        // SAFETY: the baseline prologue saved its argument/result area pointer at [rbp - 24]; the area holds the results.
        ulong* results = *(ulong**)(fp + FunctionEmitter.ArgsPointerOffsetFromRbp);
        state[..resultSlots].CopyTo(new Span<ulong>(results, resultSlots));
        return Builtins.TierUpFinished;
    }

    private static bool SameState(OsrState a, OsrState b) =>
        a.LocalTypes.AsSpan().SequenceEqual(b.LocalTypes) && a.OperandTypes.AsSpan().SequenceEqual(b.OperandTypes);

    /// <summary>
    /// Asks for the function to be compiled (when <paramref name="waits"/>, with the next function of the module
    /// that is); true when its code is published now.
    /// </summary>
    private bool Request(InterpretedFunction function, string trigger, bool waits)
    {
        uint index = function.FunctionIndex;
        ModuleCode moduleCode = CodeOf(function);
        if (moduleCode.Get(index) != null)
        {
            return true;
        }
        if (moduleCode.TierOf(index) == TierMode.Interpreter || moduleCode.IsFallback(index))
        {
            function.DisableTierUp();
            return false;
        }
        int defined = (int)index - function.Instance.Module.ImportedFunctionCount;
        if (Interlocked.Exchange(ref _requested[defined], 1) != 0)
        {
            return moduleCode.Get(index) != null;
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
        if (!CompilesHere(index, TierMode.Baseline))
        {
            BackgroundCompiler.Enqueue(request);
            return false;
        }
        CompileHere(request);
        return moduleCode.Get(index) != null;
    }

    // Stopwatch ticks the program's threads spent compiling this module's functions (CompileHere), and how many they may.
    private long _programThreadTicks;
    private readonly long _programThreadBudget;

    /// <summary>
    /// True when the thread asking for <paramref name="functionIndex"/>'s code of <paramref name="target"/> compiles it
    /// itself: always without background compilation; with it, a small function (at most
    /// <see cref="EngineConfig.ProgramThreadCompileSize"/> bytes) once the background compiler has compiled that tier in
    /// this process (its types are loaded: a first compilation costs the process 70-300 ms, which stays off the program's
    /// thread), while the module's budget of program-thread compilation (<see cref="EngineConfig.ProgramThreadCompileBudget"/>)
    /// lasts. Why: a hot small function compiles in tens to hundreds of microseconds, where
    /// waiting for the background thread (asleep, or below every other thread of a loaded machine: it runs at a
    /// higher nice value) left call-heavy programs interpreting for hundreds of milliseconds (docs/performance-log.md,
    /// *Tier-up that pays on calls*). The budget bounds what a program with many hot functions pays on its own thread.
    /// </summary>
    private bool CompilesHere(uint functionIndex, TierMode target)
    {
        if (!_config.BackgroundCompilation)
        {
            return true;
        }
        FunctionBody body = _module.Info.Body(functionIndex);
        return body.End - body.Start <= _config.ProgramThreadCompileSize && BackgroundCompiler.HasCompiled(target)
            && Volatile.Read(ref _programThreadTicks) < _programThreadBudget;
    }

    /// <summary>Compiles <paramref name="request"/> (and any small leaves waiting for company) on this thread and publishes it.</summary>
    private void CompileHere(CompileRequest request)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        CompileRequested([request], CompileRequest.ByProgram);
        if (_config.BackgroundCompilation)
        {
            Interlocked.Add(ref _programThreadTicks, System.Diagnostics.Stopwatch.GetTimestamp() - start);
        }
    }
}

/// <summary>
/// A function of <paramref name="Manager"/>'s module to compile in the background, what made it hot, and for which tier
/// (<paramref name="Target"/>: <see cref="TierMode.Baseline"/>, the first machine-code tier, or <see cref="TierMode.Optimizing"/>,
/// the second).
/// </summary>
/// <remarks>A class: queues and lists of it then share the framework's precompiled code for references, where a struct
/// made the program's thread jit a dozen collection methods at its first request.</remarks>
internal sealed record CompileRequest(TierManager Manager, InterpretedFunction Function, string Trigger, long Calls,
    TierMode Target = TierMode.Baseline)
{
    /// <summary>For <see cref="TierMode.Optimizing"/>: the loop whose version for on-stack replacement to make as well, or -1.</summary>
    public int OsrLoop { get; init; } = -1;

    // Who took it for compilation (Claim): 0 nobody yet, else a CompileRequest.By* value.
    private int _owner;

    /// <summary>Owners of a request: the background thread, the prompt thread, the program's thread that made it hot.</summary>
    public const int ByBackground = 1, ByPrompt = 2, ByProgram = 3;

    /// <summary>When it was queued for the background thread (<see cref="System.Diagnostics.Stopwatch"/> ticks).</summary>
    public long QueuedAt { get; set; }

    /// <summary>True for the one thread that compiles the request (<paramref name="owner"/>: a <c>By*</c> value).</summary>
    public bool Claim(int owner) => Interlocked.CompareExchange(ref _owner, owner, 0) == 0;

    /// <summary>Who took the request (<see cref="Claim"/>), 0 while nobody has.</summary>
    public int Owner => Volatile.Read(ref _owner);

    // Requests are compared by identity: two requests for the same function are two requests.
    public bool Equals(CompileRequest? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
}

/// <summary>
/// The background threads that compile hot functions, process-wide. The background thread takes every request waiting
/// when it wakes, in order of request, so functions that got hot together are compiled together and placed in one code
/// region (see <see cref="ModuleCode.PlaceAndPublish"/>). It runs at the nice value of the thread that started it while
/// it compiles a process's first functions of each tier (loading the compilers: tens to hundreds of milliseconds of CPU,
/// which a program waiting for its first compiled code should not wait for at a lower priority), then
/// <see cref="NiceAbove"/> levels higher, so that where more threads want to run than there are cores the program goes
/// first. The prompt thread, at the starting thread's nice value, takes any request that has waited longer than its
/// engine's <see cref="EngineConfig.CompileWaitLimit"/> without the background thread starting on it: on a loaded machine
/// the background thread waits for a core for hundreds of milliseconds while the program interprets, and behind a long
/// batch (a large function, a program's start) a small hot function would wait for all of it.
/// </summary>
internal static class BackgroundCompiler
{
    // Requests waiting for the background thread (under the queue's lock; the thread waits on it when there are none).
    private static readonly Queue<CompileRequest> s_queue = new();
    private static Thread? s_thread;

    // Requests with a wait limit that no thread has claimed yet, oldest first (under the list's lock; the prompt thread
    // waits on it), and whether the prompt thread is asleep with no deadline (it needs a pulse to see a new request).
    private static readonly List<CompileRequest> s_open = new();
    private static bool s_promptAsleep;

    // While requests came within the last second, the prompt thread looks at the list every PromptPollMs instead of
    // being woken by each new request: a wake-up costs the program's thread about 17 us on a VM, a short program's
    // burst of requests may come every few milliseconds, and a look at an empty list costs the other core a few us.
    private const int PromptPollMs = 20;
    private static readonly long s_promptSleepAfter = System.Diagnostics.Stopwatch.Frequency;

    // Requests queued or running.
    private static int s_pending;

    public static void Enqueue(CompileRequest request)
    {
        Interlocked.Increment(ref s_pending);
        long limit = request.Manager.CompileWaitLimitTicks;
        if (limit > 0)
        {
            request.QueuedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            lock (s_open)
            {
                s_open.Add(request);
                if (s_promptAsleep)
                {
                    s_promptAsleep = false;
                    Monitor.Pulse(s_open);
                }
            }
        }
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

    // Set once a compiler thread has compiled a batch with requests of the first / the second machine-code tier.
    private static bool s_compiledBaseline;
    private static bool s_compiledOptimizing;

    /// <summary>
    /// True once a compiler thread has compiled for <paramref name="target"/> (<see cref="TierMode.Optimizing"/>: the second
    /// machine-code tier, else the first) in this process, so that compiler's types are loaded and its code jitted.
    /// </summary>
    public static bool HasCompiled(TierMode target) =>
        target == TierMode.Optimizing ? Volatile.Read(ref s_compiledOptimizing) : Volatile.Read(ref s_compiledBaseline);

    private static void MarkCompiled(IEnumerable<CompileRequest> requests)
    {
        foreach (CompileRequest request in requests)
        {
            if (request.Target == TierMode.Optimizing)
            {
                Volatile.Write(ref s_compiledOptimizing, true);
            }
            else
            {
                Volatile.Write(ref s_compiledBaseline, true);
            }
        }
    }

    /// <summary>True on one of the compiler threads.</summary>
    public static bool IsCurrentThread => Thread.CurrentThread == Volatile.Read(ref s_thread) || Thread.CurrentThread == s_promptThread;

    /// <summary>True when no request is queued or running (benchmarks wait for it between cold starts).</summary>
    public static bool IsIdle => Volatile.Read(ref s_pending) == 0;

    /// <summary>How much higher the background thread's nice value is than that of the thread that started it (Linux), once warm.</summary>
    public const int NiceAbove = 5;

    // The prompt thread (started by the background thread before it lowers its own priority, so it keeps the starter's).
    private static Thread? s_promptThread;

    private static void Run()
    {
        s_promptThread = new Thread(RunPrompt) { IsBackground = true, Name = "wasm tier-up prompt" };
        s_promptThread.Start();
        bool niced = false;
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
                Compile(module.Key, module.ToList(), CompileRequest.ByBackground);
            }
            // The prompt thread counts the requests it took; any left unclaimed (a compilation threw) are this thread's, dropped.
            List<CompileRequest> mine = batch.FindAll(r => r.Claim(CompileRequest.ByBackground) || r.Owner == CompileRequest.ByBackground);
            MarkCompiled(mine);
            Interlocked.Add(ref s_pending, -mine.Count);
            if (!niced && HasCompiled(TierMode.Baseline) && HasCompiled(TierMode.Optimizing))
            {
                // Both compilers are loaded: from now on the program's threads go first where the cores are short.
                niced = true;
                LowerPriority();
            }
        }
    }

    private static void Compile(TierManager manager, List<CompileRequest> requests, int owner)
    {
        try
        {
            manager.CompileRequested(requests, owner);
        }
        catch (Exception)
        {
            // A failed compilation leaves the functions interpreted; the program never sees it.
        }
    }

    /// <summary>The prompt thread: compiles, one at a time, requests nobody has claimed within their wait limit.</summary>
    private static void RunPrompt()
    {
        long lastSeen = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            CompileRequest? due = null;
            lock (s_open)
            {
                while (due is null)
                {
                    s_open.RemoveAll(r => r.Owner != 0);
                    long now = System.Diagnostics.Stopwatch.GetTimestamp();
                    if (s_open.Count == 0)
                    {
                        if (now - lastSeen < s_promptSleepAfter)
                        {
                            Monitor.Wait(s_open, PromptPollMs);
                        }
                        else
                        {
                            s_promptAsleep = true;
                            Monitor.Wait(s_open);
                        }
                        continue;
                    }
                    lastSeen = now;
                    long soonest = long.MaxValue;
                    foreach (CompileRequest request in s_open)
                    {
                        long wait = request.QueuedAt + request.Manager.CompileWaitLimitTicks - now;
                        if (wait <= 0)
                        {
                            due = request;
                            break;
                        }
                        soonest = Math.Min(soonest, wait);
                    }
                    if (due is null)
                    {
                        int ms = (int)Math.Clamp((soonest * 1000 + System.Diagnostics.Stopwatch.Frequency - 1) / System.Diagnostics.Stopwatch.Frequency, 1, int.MaxValue);
                        Monitor.Wait(s_open, ms);
                    }
                }
                s_open.Remove(due);
            }
            if (due.Claim(CompileRequest.ByPrompt))
            {
                Compile(due.Manager, [due], CompileRequest.ByPrompt);
                MarkCompiled([due]);
                Interlocked.Decrement(ref s_pending);
            }
        }
    }

    /// <summary>Raises this thread's nice value by <see cref="NiceAbove"/> (Linux; raising needs no privilege, lowering would).</summary>
    private static void LowerPriority()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
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
}
