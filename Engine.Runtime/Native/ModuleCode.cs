using System.Diagnostics;
using System.Runtime.CompilerServices;
using Engine.Core;
using Engine.Runtime.Diagnostics;
using Engine.Runtime.Vm;

namespace Engine.Runtime.Native;

/// <summary>
/// The compiled code of one module: per defined function, its native code (shared by every instance, as
/// compiled code reaches its instance only through the VMContext) or why it stays interpreted. Publishing
/// a function updates every live instance of the module; instances created later pick it up at creation.
/// The compilers are the engine's ordered list of machine-code tiers (<see cref="EngineConfig.Compilers"/>;
/// the interpreter is tier 0, the list's first compiler tier 1, the one <see cref="TierMode.Baseline"/> and tiered
/// mode promote to; the second tier 2, the one <see cref="TierMode.Optimizing"/> compiles with).
/// </summary>
internal sealed class ModuleCode
{
    private readonly Module _owner;
    private readonly ModuleInfo _module;
    private readonly string? _moduleName;
    private readonly int _loopThreshold;
    private readonly TierStatistics _statistics;
    private readonly NativeFunction?[] _functions;
    private readonly CompileFailure?[] _fallbacks;
    private readonly IFunctionCompiler[] _compilers;
    private readonly TierMode[] _tiers;
    // Per defined function: 0 not known yet, 1 a small leaf, -1 not (benign races: every thread computes the same).
    private readonly sbyte[] _smallLeaves;
    private readonly List<WeakReference<InstanceState>> _instances = new();
    private readonly object _lock = new();
    // Code replaced by a higher tier's (activations may still run it, and interpreted activations may move into it at a
    // loop header), and optimized code made only for moving running activations in at one loop: it lives as long as the
    // module's code does (under _lock).
    private readonly List<NativeFunction> _replaced = new();
    private readonly List<NativeFunction> _osrCode = new();
    // The tier-up budget of each defined function in code counting for the next tier (VMContext.TierUpCounters; pinned,
    // so its address never changes); null when no code counts.
    private readonly int[]? _tierUpCounters;
    private readonly int _optimizeThreshold;

    public ModuleCode(Module owner, EngineConfig config, CpuFeatures cpuFeatures, TierStatistics statistics, BoundsCheckStrategy boundsChecks)
    {
        ModuleInfo module = owner.Info;
        _owner = owner;
        _module = module;
        _moduleName = owner.Name;
        _loopThreshold = config.TierUpLoopThreshold;
        _statistics = statistics;
        int count = module.Bodies.Count;
        _functions = new NativeFunction?[count];
        _fallbacks = new CompileFailure?[count];
        _compilers = [.. config.Compilers];
        if (_compilers.Length == 0)
        {
            throw new ArgumentException("the engine has no compiler for its machine-code tier", nameof(config));
        }
        _tiers = new TierMode[count];
        _smallLeaves = new sbyte[count];
        for (int i = 0; i < count; i++)
        {
            uint index = (uint)(i + module.ImportedFunctionCount);
            _tiers[i] = config.Tier;
            string? name = module.FunctionName(index);
            if ((name != null && config.FunctionTiers.TryGetValue(name, out TierMode forced))
                || config.FunctionTiers.TryGetValue(index.ToString(System.Globalization.CultureInfo.InvariantCulture), out forced))
            {
                _tiers[i] = forced;
            }
        }
        // Tiered code gets an OSR entry at every loop, so any hot loop can move into it.
        Options = new CompilerOptions
        {
            EpochChecks = config.EpochInterruption,
            Fuel = config.ConsumeFuel,
            OsrAllLoops = config.Tier == TierMode.Tiered,
            CpuFeatures = cpuFeatures,
            BoundsChecks = boundsChecks,
            MemoryGuardSize = boundsChecks == BoundsCheckStrategy.GuardPages ? config.MemoryGuardSize : 0,
        };
        // Tiered mode with a second machine-code tier: the first tier's tier-up code counts for the second.
        _optimizeThreshold = config.TierUpOptimizeThreshold;
        if (config.Tier == TierMode.Tiered && _compilers.Length >= 2 && _optimizeThreshold > 0)
        {
            _tierUpCounters = GC.AllocateArray<int>(Math.Max(count, 1), pinned: true);
            Array.Fill(_tierUpCounters, _optimizeThreshold);
            CountingOptions = Options with { TierUpCounters = true };
        }
        else
        {
            CountingOptions = Options;
        }
    }

    /// <summary>What the compiler is asked to emit (epoch checks, fuel, OSR entries, bounds checks) and for which instruction sets.</summary>
    public CompilerOptions Options { get; }

    /// <summary>How this code checks memory accesses: it runs only in instances whose memory is of that kind (<see cref="Module.CodeFor"/>).</summary>
    public BoundsCheckStrategy BoundsChecks => Options.BoundsChecks;
    /// <summary>
    /// What the first machine-code tier is asked to emit when tiered mode promotes a function to it: <see cref="Options"/>,
    /// with tier-up counters for the second tier when there is one (<see cref="EngineConfig.TierUpOptimizeThreshold"/>).
    /// </summary>
    public CompilerOptions CountingOptions { get; }

    /// <summary>The engine's statistics, which this module's compilations and transfers are counted in.</summary>
    public TierStatistics Statistics => _statistics;

    /// <summary>The tier manager of tiered mode (what the counters of compiled code call), or null.</summary>
    public TierManager? TierUp { get; set; }

    /// <summary>True when code of the first machine-code tier counts calls and loop iterations for the second.</summary>
    public bool CountsForOptimizing => _tierUpCounters != null;

    /// <summary>
    /// Sets what is left of the tier-up budget of <paramref name="functionIndex"/> in code counting for the second tier:
    /// <see cref="int.MaxValue"/> spent (its next tier asked for), 0 armed (every check calls the runtime: the next tier is
    /// published and running activations move into it at their next loop header), or the threshold (counting again).
    /// </summary>
    public void SetTierUpCounter(uint functionIndex, int value)
    {
        if (_tierUpCounters is { } counters)
        {
            Volatile.Write(ref counters[(int)functionIndex - _module.ImportedFunctionCount], value);
        }
    }

    /// <summary>The second tier's threshold (calls and loop iterations in the first machine-code tier).</summary>
    public int OptimizeThreshold => _optimizeThreshold;

    /// <summary>True when the compiled code of <paramref name="functionIndex"/> is the second machine-code tier's.</summary>
    public bool IsOptimized(uint functionIndex) => Get(functionIndex) is { TierMode: TierMode.Optimizing };

    /// <summary>The machine-code tiers, lowest first (tier 1 onwards: the interpreter is tier 0).</summary>
    public IReadOnlyList<IFunctionCompiler> Compilers => _compilers;

    /// <summary>The compiler of the first machine-code tier, the one functions are promoted to from the interpreter.</summary>
    public IFunctionCompiler Compiler => _compilers[0];

    /// <summary>The compiler of a tier mode: the first machine-code tier's, or for <see cref="TierMode.Optimizing"/> the second's.</summary>
    private IFunctionCompiler CompilerOf(TierMode tier)
    {
        if (tier != TierMode.Optimizing)
        {
            return _compilers[0];
        }
        if (_compilers.Length < 2)
        {
            throw new InvalidOperationException("the engine's compiler list has no second (optimizing) tier for TierMode.Optimizing");
        }
        return _compilers[1];
    }

    /// <summary>Functions the tier they were meant for could not compile (function index, why): they stay in the tier below.</summary>
    public IReadOnlyList<(uint Function, CompileFailure Failure)> Fallbacks
    {
        get
        {
            var list = new List<(uint, CompileFailure)>();
            for (int i = 0; i < _fallbacks.Length; i++)
            {
                if (ReadFallback(i) is { } failure)
                {
                    list.Add(((uint)(i + _module.ImportedFunctionCount), failure));
                }
            }
            return list;
        }
    }

    // A nullable struct is not written atomically: the failures are published under the lock.
    private CompileFailure? ReadFallback(int defined)
    {
        lock (_fallbacks)
        {
            return _fallbacks[defined];
        }
    }

    /// <summary>The number of defined functions.</summary>
    public int FunctionCount => _functions.Length;

    /// <summary>The number of functions compiled so far.</summary>
    public int CompiledCount => _functions.Count(f => f != null);

    /// <summary>The number of functions whose code is the second machine-code tier's.</summary>
    public int OptimizedCount => _functions.Count(f => f is { TierMode: TierMode.Optimizing });

    /// <summary>The compiled code of <paramref name="functionIndex"/>, or null.</summary>
    public NativeFunction? Get(uint functionIndex) => Volatile.Read(ref _functions[(int)functionIndex - _module.ImportedFunctionCount]);

    /// <summary>The tier chosen for <paramref name="functionIndex"/> (the engine's, or the one forced for it).</summary>
    public TierMode TierOf(uint functionIndex) => _tiers[(int)functionIndex - _module.ImportedFunctionCount];

    /// <summary>True when the function is a <see cref="TierManager.IsSmallLeaf">small leaf</see> (computed once per function).</summary>
    public bool IsSmallLeaf(uint functionIndex)
    {
        ref sbyte known = ref _smallLeaves[(int)functionIndex - _module.ImportedFunctionCount];
        if (known == 0)
        {
            known = TierManager.IsSmallLeaf(_module, functionIndex) ? (sbyte)1 : (sbyte)-1;
        }
        return known > 0;
    }

    /// <summary>True when the tier already failed to compile the function.</summary>
    public bool IsFallback(uint functionIndex) => ReadFallback((int)functionIndex - _module.ImportedFunctionCount) != null;

    /// <summary>
    /// Compiles, at load, every function whose tier is <see cref="TierMode.Baseline"/> or <see cref="TierMode.Optimizing"/>
    /// (those a tier cannot compile are recorded; one the optimizing tier cannot compile goes to the baseline tier)
    /// and places their code in one region.
    /// </summary>
    public void CompileEager()
    {
        var compiled = new List<PendingCode>();
        for (int i = 0; i < _functions.Length; i++)
        {
            uint index = (uint)(i + _module.ImportedFunctionCount);
            TierMode tier = _tiers[i];
            if (_functions[i] != null || tier is not (TierMode.Baseline or TierMode.Optimizing))
            {
                continue;
            }
            PendingCode? pending = TryCompile(index, "load", 0, tier);
            if (pending is null && tier == TierMode.Optimizing && _compilers[0] != CompilerOf(TierMode.Optimizing))
            {
                // The tier below takes it; the optimizing tier's failure stays recorded (Fallbacks), so a compiler that
                // fails is never mistaken for one that compiled everything.
                pending = TryCompile(index, "load", 0, TierMode.Baseline, retry: true);
            }
            if (pending is not null)
            {
                compiled.Add(pending);
            }
        }
        PlaceAndPublish(compiled);
    }

    /// <summary>
    /// Places and publishes functions compiled earlier (a precompiled module's, or a code-cache entry's): one region,
    /// published with <paramref name="trigger"/> as the reason, before any instance exists. Functions already compiled
    /// are skipped. Returns how many were published.
    /// </summary>
    public int Preload(IReadOnlyList<Caching.StoredFunction> functions, string trigger)
    {
        var pending = new List<PendingCode>(functions.Count);
        var seen = new HashSet<uint>();
        foreach (Caching.StoredFunction stored in functions)
        {
            uint index = stored.Artifact.FunctionIndex;
            // The file's settings name the same compiler list (CodeSettings), so the compiler's place in it is its tier.
            int tier = Array.FindIndex(_compilers, c => c.Name == stored.Tier);
            // (Code for the other kind of memory never runs here: the settings name the strategy, and each artifact does.)
            if (tier >= 0 && seen.Add(index) && Get(index) is null && TierOf(index) != TierMode.Interpreter
                && stored.Artifact.BoundsChecks == Options.BoundsChecks)
            {
                pending.Add(new PendingCode(stored.Artifact, stored.Tier, tier == 0 ? TierMode.Baseline : TierMode.Optimizing, TimeSpan.Zero, trigger, 0));
            }
        }
        PlaceAndPublish(pending);
        return pending.Count;
    }

    /// <summary>Every function compiled so far, with the tier that compiled it, in function order (what a code file stores).</summary>
    public IReadOnlyList<Caching.StoredFunction> Compiled()
    {
        var list = new List<Caching.StoredFunction>();
        for (int i = 0; i < _functions.Length; i++)
        {
            if (Volatile.Read(ref _functions[i]) is { } function)
            {
                list.Add(new Caching.StoredFunction(function.Artifact, function.Tier));
            }
        }
        return list;
    }

    /// <summary>
    /// Compiles <paramref name="functionIndex"/> without placing it (<see cref="PlaceAndPublish"/> does, for several
    /// at once); null, with the reason recorded, when the tier cannot compile it.
    /// </summary>
    public PendingCode? TryCompile(uint functionIndex, string trigger, long calls) =>
        TryCompile(functionIndex, trigger, calls, TierMode.Baseline, counting: true);

    /// <summary>
    /// Compiles <paramref name="functionIndex"/> with the second machine-code tier (tier-up from the first), without placing
    /// it; null, with the reason recorded, when the tier cannot compile it.
    /// </summary>
    public PendingCode? TryCompileOptimized(uint functionIndex, string trigger, long calls) =>
        TryCompile(functionIndex, trigger, calls, TierMode.Optimizing, retry: true, options: Options with { OsrAllLoops = false });

    /// <summary>
    /// Compiles <paramref name="functionIndex"/> with the second machine-code tier with one on-stack-replacement entry, at
    /// the loop at <paramref name="loopOffset"/>, for moving running activations in there (placed, never published: an
    /// entry merges the whole wasm state into the loop's header and the loops around it, which costs the code calls run
    /// a quarter of its speed on nested loops, so the function's published code has none); null when it cannot.
    /// </summary>
    public PendingCode? TryCompileOsrVersion(uint functionIndex, int loopOffset)
    {
        PendingCode? pending = TryCompile(functionIndex, "loop", 0, TierMode.Optimizing, retry: true,
            options: Options with { OsrAllLoops = false, OsrLoops = [loopOffset] });
        return pending is null ? null : pending with { OsrOnly = true };
    }

    /// <summary>
    /// Code of <paramref name="functionIndex"/> with an on-stack-replacement entry at the loop at <paramref name="loopOffset"/>
    /// (the published code, an optimized version made for that loop, or code a higher tier replaced), the highest tier
    /// first; null when there is none (yet). <paramref name="optimizedOnly"/>: only the second machine-code tier's.
    /// </summary>
    public NativeFunction? FindOsrCode(uint functionIndex, int loopOffset, bool optimizedOnly)
    {
        NativeFunction? best = null;
        void Consider(NativeFunction? code)
        {
            if (code is not null && code.FunctionIndex == functionIndex && code.OsrEntry(loopOffset, out _) != 0
                && (!optimizedOnly || code.TierMode == TierMode.Optimizing)
                && (best is null || (best.TierMode != TierMode.Optimizing && code.TierMode == TierMode.Optimizing)))
            {
                best = code;
            }
        }
        Consider(Get(functionIndex));
        lock (_lock)
        {
            _osrCode.ForEach(Consider);
            _replaced.ForEach(Consider);
        }
        return best;
    }

    /// <summary>
    /// Compiles with the compiler of <paramref name="tier"/> (<paramref name="retry"/>: after a higher tier failed, or a
    /// second tier after the first succeeded; <paramref name="counting"/>: with <see cref="CountingOptions"/>).
    /// </summary>
    private PendingCode? TryCompile(uint functionIndex, string trigger, long calls, TierMode tier, bool retry = false, bool counting = false,
        CompilerOptions? options = null)
    {
        if (!retry && IsFallback(functionIndex))
        {
            return null;
        }
        IFunctionCompiler compiler = CompilerOf(tier);
        EngineEvents.CompilationStarted(_owner, functionIndex, compiler.Name, BackgroundCompiler.IsCurrentThread);
        long start = Stopwatch.GetTimestamp();
        CompileResult result;
        try
        {
            result = compiler.Compile(_module, functionIndex, options ?? (counting ? CountingOptions : Options));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A compiler failure must never reach the program: the function stays interpreted.
            result = CompileResult.Failed(CompileFailureReason.CompilerError, $"{e.GetType().Name}: {e.Message}");
        }
        TimeSpan time = Stopwatch.GetElapsedTime(start);
        if (result.Function is null)
        {
            RecordFallback(functionIndex, result.Failure ?? new CompileFailure(CompileFailureReason.CompilerError, "no code and no reason"));
            return null;
        }
        EngineEvents.CompilationFinished(_owner, functionIndex, compiler.Name, result.Function.Code.Length, time);
        return new PendingCode(result.Function, compiler.Name, tier, time, trigger, calls);
    }

    /// <summary>
    /// Places compiled functions in one new code region and publishes each. One region per batch, not per
    /// function: every mapping, change of protection and unmapping makes the kernel interrupt the other cores
    /// running this process (a TLB shootdown), which costs the running program about as much as the
    /// compilation it gets (measured: tens of microseconds of the program's thread per function, see tiers.md).
    /// </summary>
    public void PlaceAndPublish(IReadOnlyList<PendingCode> compiled)
    {
        if (compiled.Count == 0)
        {
            return;
        }
        int total = 0;
        foreach (PendingCode pending in compiled)
        {
            total += Align(pending.Artifact.Code.Length);
        }
        byte[] code = new byte[total];
        var offsets = new int[compiled.Count];
        for (int i = 0, offset = 0; i < compiled.Count; i++)
        {
            offsets[i] = offset;
            compiled[i].Artifact.Code.CopyTo(code, offset);
            offset += Align(compiled[i].Artifact.Code.Length);
        }
        var region = new CodeRegion(code);
        var functions = new NativeFunction[compiled.Count];
        for (int i = 0; i < compiled.Count; i++)
        {
            functions[i] = new NativeFunction(_module, compiled[i].Artifact, region, offsets[i], compiled[i].Tier, compiled[i].Time,
                compiled[i].TierMode == TierMode.Optimizing ? TierMode.Optimizing : TierMode.Baseline);
        }
        region.Functions = functions;
        CodeMap.Register(region);
        if (Options.BoundsChecks == BoundsCheckStrategy.GuardPages)
        {
            // Before any of it can run: its heap accesses become trap sites of the fault handler.
            FaultHandler.Register(region, MemoryReservation.ReservedBytes(Options.MemoryGuardSize));
        }
        Diagnostics.PerfMap.Write(region);
        for (int i = 0; i < compiled.Count; i++)
        {
            if (compiled[i].OsrOnly)
            {
                lock (_lock)
                {
                    _osrCode.Add(functions[i]);
                }
                continue;
            }
            Publish(functions[i], compiled[i].TierMode, compiled[i].Trigger, compiled[i].Calls);
        }
    }

    private void RecordFallback(uint functionIndex, CompileFailure failure)
    {
        lock (_fallbacks)
        {
            _fallbacks[(int)functionIndex - _module.ImportedFunctionCount] = failure;
        }
        _statistics.AddFallback(_moduleName, functionIndex, failure);
    }

    private static int Align(int size) => (size + 15) & ~15;

    /// <summary>Makes <paramref name="function"/> the code of its function in every live instance, now and later.</summary>
    private void Publish(NativeFunction function, TierMode tier, string trigger, long calls)
    {
        List<InstanceState> live = new();
        NativeFunction? previous;
        lock (_lock)
        {
            previous = _functions[(int)function.FunctionIndex - _module.ImportedFunctionCount];
            if (previous != null)
            {
                _replaced.Add(previous);
            }
            Volatile.Write(ref _functions[(int)function.FunctionIndex - _module.ImportedFunctionCount], function);
            _instances.RemoveAll(w => !w.TryGetTarget(out _));
            foreach (WeakReference<InstanceState> weak in _instances)
            {
                if (weak.TryGetTarget(out InstanceState? instance))
                {
                    live.Add(instance);
                }
            }
        }
        foreach (InstanceState instance in live)
        {
            instance.PublishCompiled(function);
        }
        if (function.TierMode == TierMode.Optimizing)
        {
            // Armed: activations still running the first tier's code move into this code at their next loop header.
            SetTierUpCounter(function.FunctionIndex, 0);
        }
        FunctionBody body = _module.Body(function.FunctionIndex);
        TierMode from = previous is null ? TierMode.Interpreter : previous.TierMode;
        _statistics.AddPromotion(new FunctionPromotion(_moduleName, function.FunctionIndex, _module.FunctionName(function.FunctionIndex),
            tier, trigger, calls, _statistics.Now, function.CompileTime, function.Artifact.Code.Length, body.End - body.Start)
        {
            From = from,
        });
        EngineEvents.FunctionPromoted(_owner, function.FunctionIndex, previous?.Tier ?? TierNames.Interpreter, function.Tier, calls,
            trigger == "loop" ? (previous is null ? _loopThreshold : _optimizeThreshold) : 0);
    }

    /// <summary>
    /// True while some instance of the module can still run code (not disposed). Queued tier-up work for a
    /// module whose stores are all gone is dropped instead of competing with live programs for the CPU.
    /// </summary>
    public bool HasLiveInstances
    {
        get
        {
            lock (_lock)
            {
                foreach (WeakReference<InstanceState> weak in _instances)
                {
                    if (weak.TryGetTarget(out InstanceState? instance) && !instance.IsDisposed)
                    {
                        return true;
                    }
                }
                return false;
            }
        }
    }

    /// <summary>Registers a new instance and gives it every function compiled so far.</summary>
    public unsafe void Attach(InstanceState instance)
    {
        if (_tierUpCounters is { } counters)
        {
            // SAFETY: the array is pinned (never moves) and lives as long as this object, which every instance keeps alive.
            ((VMContext*)instance.VMContext)->TierUpCounters = (nint)Unsafe.AsPointer(ref counters[0]);
        }
        lock (_lock)
        {
            _instances.Add(new WeakReference<InstanceState>(instance));
        }
        for (int i = 0; i < _functions.Length; i++)
        {
            if (Volatile.Read(ref _functions[i]) is { } function)
            {
                instance.PublishCompiled(function);
            }
        }
    }
}

/// <summary>A function compiled and not yet placed in executable memory: its artifact, the tier that compiled it, compile time, and what made it hot.</summary>
internal sealed record PendingCode(CompiledFunction Artifact, string Tier, TierMode TierMode, TimeSpan Time, string Trigger, long Calls)
{
    /// <summary>Code made only for on-stack replacement at one loop: placed, never published (<see cref="ModuleCode.TryCompileOsrVersion"/>).</summary>
    public bool OsrOnly { get; init; }
}
