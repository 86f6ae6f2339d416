using System.Diagnostics;
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
    }

    /// <summary>What the compiler is asked to emit (epoch checks, fuel, OSR entries, bounds checks) and for which instruction sets.</summary>
    public CompilerOptions Options { get; }

    /// <summary>How this code checks memory accesses: it runs only in instances whose memory is of that kind (<see cref="Module.CodeFor"/>).</summary>
    public BoundsCheckStrategy BoundsChecks => Options.BoundsChecks;

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
    public PendingCode? TryCompile(uint functionIndex, string trigger, long calls) => TryCompile(functionIndex, trigger, calls, TierMode.Baseline);

    /// <summary>Compiles with the compiler of <paramref name="tier"/> (<paramref name="retry"/>: after a higher tier failed).</summary>
    private PendingCode? TryCompile(uint functionIndex, string trigger, long calls, TierMode tier, bool retry = false)
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
            result = compiler.Compile(_module, functionIndex, Options);
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
            functions[i] = new NativeFunction(_module, compiled[i].Artifact, region, offsets[i], compiled[i].Tier, compiled[i].Time);
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
        lock (_lock)
        {
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
        FunctionBody body = _module.Body(function.FunctionIndex);
        _statistics.AddPromotion(new FunctionPromotion(_moduleName, function.FunctionIndex, _module.FunctionName(function.FunctionIndex),
            tier, trigger, calls, _statistics.Now, function.CompileTime, function.Artifact.Code.Length, body.End - body.Start));
        EngineEvents.FunctionPromoted(_owner, function.FunctionIndex, TierNames.Interpreter, function.Tier, calls,
            trigger == "loop" ? _loopThreshold : 0);
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
    public void Attach(InstanceState instance)
    {
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
internal sealed record PendingCode(CompiledFunction Artifact, string Tier, TierMode TierMode, TimeSpan Time, string Trigger, long Calls);
