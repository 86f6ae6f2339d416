using Engine.Core;

namespace Engine.Runtime;

/// <summary>Which tier runs wasm code.</summary>
public enum TierMode
{
    /// <summary>Everything runs in the register-based interpreter.</summary>
    Interpreter,

    /// <summary>
    /// Every function is compiled by the baseline compiler before it runs (when its module is loaded). A function the
    /// tier cannot compile stays in the interpreter, with the reason in <see cref="WasmEngine.TierStatistics"/>: the
    /// baseline compiles every 2.0 instruction, SIMD included, so the one reason left is a processor without AVX2,
    /// where functions that may hold a v128 stay interpreted.
    /// </summary>
    Baseline,

    /// <summary>
    /// Functions start in the interpreter, move to the baseline tier when hot and to the optimizing tier when hot there
    /// (see the tier-up settings; <see cref="EngineConfig.TierUpOptimizeThreshold"/> 0 stops at the baseline tier): the
    /// default, fast to start and fast to run.
    /// </summary>
    Tiered,

    /// <summary>
    /// Every function is compiled by the optimizing compiler before it runs (when its module is loaded); a function
    /// the tier cannot compile is compiled by the baseline tier instead (or, failing that too, stays in the
    /// interpreter), and the statistics list it with the reason.
    /// </summary>
    Optimizing,
}

/// <summary>
/// The names of the <see cref="TierMode"/>s, as command lines and settings files write them: <c>interpreter</c>
/// (or <c>interp</c>), <c>baseline</c>, <c>optimizing</c>, <c>tiered</c>, in any letter case. The one parser of tier names.
/// </summary>
public static class TierModeNames
{
    /// <summary>The accepted names, for messages.</summary>
    public const string Accepted = "interpreter or interp, baseline, optimizing, tiered";

    /// <summary>The name of <paramref name="mode"/>: <c>interpreter</c>, <c>baseline</c>, <c>optimizing</c> or <c>tiered</c>.</summary>
    public static string Name(TierMode mode) => mode switch
    {
        TierMode.Interpreter => Diagnostics.TierNames.Interpreter,
        TierMode.Baseline => Diagnostics.TierNames.Baseline,
        TierMode.Optimizing => Diagnostics.TierNames.Optimizing,
        TierMode.Tiered => "tiered",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    /// <summary>The tier mode named <paramref name="text"/>; false when it names none.</summary>
    public static bool TryParse(string? text, out TierMode mode)
    {
        switch (text?.ToLowerInvariant())
        {
            case "interpreter" or "interp":
                mode = TierMode.Interpreter;
                return true;
            case "baseline":
                mode = TierMode.Baseline;
                return true;
            case "optimizing":
                mode = TierMode.Optimizing;
                return true;
            case "tiered":
                mode = TierMode.Tiered;
                return true;
            default:
                mode = default;
                return false;
        }
    }

    /// <summary>The tier mode named <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">No tier mode has that name; the message lists the accepted names.</exception>
    public static TierMode Parse(string text) =>
        TryParse(text, out TierMode mode) ? mode : throw new FormatException($"unknown tier '{text}' ({Accepted})");
}

/// <summary>
/// Settings of a <see cref="WasmEngine"/>; fixed once the engine is created. A record, so a variation of a
/// configuration is <c>config with { Setting = value }</c> (how tier-tuning sweeps build theirs).
/// </summary>
public sealed record EngineConfig
{
    /// <summary>
    /// Which tier runs code: <see cref="TierMode.Tiered"/> by default (every function starts in the interpreter,
    /// hot ones are compiled); <see cref="TierMode.Interpreter"/> and <see cref="TierMode.Baseline"/> are for
    /// experiments and for machines without the compilers (there the engine interprets whatever this says).
    /// </summary>
    public TierMode Tier { get; init; } = TierMode.Tiered;

    /// <summary>
    /// Check the engine's epoch at function entries and loop headers, so running wasm can be stopped from
    /// another thread with <see cref="WasmEngine.IncrementEpoch"/> and <see cref="Store.SetEpochDeadline"/>.
    /// Costs a little speed; off by default.
    /// </summary>
    public bool EpochInterruption { get; init; }

    /// <summary>Meter execution with fuel (<see cref="Store.SetFuel"/>); off by default.</summary>
    public bool ConsumeFuel { get; init; }

    /// <summary>The interpreter stack of each store, in 8-byte slots (default 1 Mi slots, 8 MiB).</summary>
    public int MaxStackSlots { get; init; } = 1 << 20;

    /// <summary>The deepest call nesting of each store before a stack-exhaustion trap.</summary>
    public int MaxCallDepth { get; init; } = 100_000;

    /// <summary>Tiered mode: calls of a function in the interpreter before it is compiled (at least 1).</summary>
    public int TierUpCallThreshold { get; init; } = 200;

    /// <summary>
    /// Tiered mode: iterations of one loop in the interpreter before its function is compiled and the running
    /// activation continues in compiled code at that loop's header (on-stack replacement; at least 1).
    /// </summary>
    public int TierUpLoopThreshold { get; init; } = 1000;

    /// <summary>
    /// Tiered mode: the budget of calls and loop iterations a function's baseline code counts (one counter per function,
    /// decremented at its entry and at every loop header) before it is compiled by the optimizing tier; running baseline
    /// activations then move into the optimized code at their next loop header (on-stack replacement). Default 1000
    /// (measured: tiers.md section 6); 0 keeps tiered code in the baseline tier. Needs a second compiler in
    /// <see cref="Compilers"/>.
    /// </summary>
    public int TierUpOptimizeThreshold { get; init; } = 1000;

    /// <summary>
    /// Tiered mode: compile hot functions on a background thread (true, the default: the interpreter goes on
    /// meanwhile) or synchronously on the thread that made them hot (deterministic, for experiments and tests).
    /// </summary>
    public bool BackgroundCompilation { get; init; } = true;

    /// <summary>
    /// Tiered mode with <see cref="BackgroundCompilation"/>: the largest function body, in wasm bytes, that the thread which
    /// made a function hot compiles itself instead of queueing it for the background thread (default 300; 0: every
    /// function goes to the background thread). It does so only once the background thread has compiled that tier in the
    /// process (a process's first compilation loads the compiler and stays off the program's thread) and while the
    /// module's <see cref="ProgramThreadCompileBudget"/> lasts. Why: a small hot function compiles in tens to hundreds of
    /// microseconds, while waiting for the background thread (asleep, or starved on a loaded machine) left call-heavy
    /// programs interpreting for hundreds of milliseconds (tiers.md section 6).
    /// </summary>
    public int ProgramThreadCompileSize { get; init; } = 300;

    /// <summary>
    /// Tiered mode with <see cref="BackgroundCompilation"/>: how much time the program's threads may spend, per module,
    /// compiling functions themselves (<see cref="ProgramThreadCompileSize"/>); once spent, every request goes to the
    /// background thread. Default 5 ms; <see cref="TimeSpan.Zero"/> turns program-thread compilation off.
    /// </summary>
    public TimeSpan ProgramThreadCompileBudget { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Tiered mode with <see cref="BackgroundCompilation"/>: the longest a hot function waits for the background thread to
    /// start compiling it before a second compiler thread, at the program's priority, takes it (default 20 ms;
    /// <see cref="TimeSpan.Zero"/>: no limit, only the background thread). Why: the background thread runs below the
    /// program's priority, so on a loaded machine it waited hundreds of milliseconds for a core while the program
    /// interpreted (fib ran 2.1x wasmtime's time at a load average of 5), and behind a long batch a small hot function
    /// waits for all of it (tiers.md section 6).
    /// </summary>
    public TimeSpan CompileWaitLimit { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Forces the tier of particular functions, whatever <see cref="Tier"/> says: keys are function names
    /// (from the name section) or indices written in decimal; values are <see cref="TierMode.Interpreter"/>
    /// (never compiled), <see cref="TierMode.Baseline"/> or <see cref="TierMode.Optimizing"/> (compiled by that tier
    /// when the module is loaded).
    /// </summary>
    public IReadOnlyDictionary<string, TierMode> FunctionTiers { get; init; } = new Dictionary<string, TierMode>();

    /// <summary>
    /// A folder for the code cache, or null (the default) for none. With a folder, the functions a run compiled are
    /// written to an entry of their module when the process exits (or at <see cref="Module.WriteCache"/>), keyed by the
    /// module's hash, the engine build, the processor features and the code-affecting settings; the next load of the
    /// same module under the same settings places them at once (its hot functions start compiled), and the rest tiers
    /// up as usual. Several processes may share a folder. <c>wasm-engine run --cache</c> uses
    /// <c>$XDG_CACHE_HOME/wasm-engine</c> (else <c>~/.cache/wasm-engine</c>).
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>The usual cache folder: <c>$XDG_CACHE_HOME/wasm-engine</c>, else <c>~/.cache/wasm-engine</c> (as wasmtime's).</summary>
    public static string DefaultCacheDirectory => Caching.CodeCache.DefaultDirectory();

    /// <summary>The size the cache folder is kept under (default 512 MiB): the entries used least recently go first.</summary>
    public long CacheMaxBytes { get; init; } = 512L << 20;

    /// <summary>
    /// The machine-code tiers, lowest first: the interpreter is tier 0, <c>Compilers[0]</c> is tier 1 (what
    /// <see cref="TierMode.Baseline"/> compiles with and tiered mode promotes to), <c>Compilers[1]</c> tier 2 (what
    /// <see cref="TierMode.Optimizing"/> compiles with). The default is the baseline compiler and the optimizing
    /// compiler with their default settings; a list with other
    /// compilers or compiler settings (for example <c>new BaselineCompiler(new BaselineOptions { PinLocals = false })</c>)
    /// is how experiments change them. Compilers must be thread-safe (the background thread and the program's
    /// threads may compile at once).
    /// </summary>
    public IReadOnlyList<IFunctionCompiler> Compilers { get; init; } = s_defaultCompilers;

    /// <summary>
    /// How compiled code keeps memory accesses in bounds. <see cref="BoundsCheckStrategy.GuardPages"/> (the default, as
    /// in wasmtime and V8): each memory an engine that runs machine code creates is a reservation of 4 GiB +
    /// <see cref="MemoryGuardSize"/> of address space (none of it committed until the memory grows into it), compiled
    /// code checks no access whose static offset fits in the guard region, and an out-of-bounds access faults and
    /// becomes the same <see cref="TrapCode.MemoryOutOfBounds"/> trap (a process-wide SIGSEGV handler, installed with
    /// the first such code, that passes every other fault on to .NET's). A memory whose reservation fails (a
    /// limit on address space, <c>ulimit -v</c>) gets explicit checks instead, and so does every memory with
    /// <see cref="BoundsCheckStrategy.Explicit"/>. The choice is made per memory; code compiled for one kind never runs
    /// with the other. <see cref="StoreLimits.MemoryPages"/> counts accessible pages only.
    /// </summary>
    public BoundsCheckStrategy BoundsChecks { get; init; } = BoundsCheckStrategy.GuardPages;

    /// <summary>
    /// The guard region reserved past the 4 GiB of each guard-page memory (default 32 MiB, a multiple of 64 KiB, at most
    /// 2 GiB): an access whose static offset plus size fits in it needs no check; a larger offset keeps its explicit check.
    /// </summary>
    public ulong MemoryGuardSize { get; init; } = MemoryReservation.DefaultGuardSize;


    /// <summary>
    /// The instruction sets compiled code may use, at most: null (the default) for everything the processor offers
    /// (<see cref="HostCpu.Features"/>); a set withholds the others (features the processor lacks are never used,
    /// whatever the set says). For tests and experiments: <c>CpuFeatures.X64V2</c> gives the code of a processor
    /// without AVX, BMI or LZCNT, where functions with SIMD stay interpreted (reason
    /// <see cref="CompileFailureReason.MissingCpuFeature"/>).
    /// </summary>
    public CpuFeatures? CpuFeatures { get; init; }

    /// <summary>
    /// The WebAssembly 3.0 features modules may use (default: every one the engine implements). A module using a
    /// disabled feature is rejected as 2.0 would reject it; <see cref="WasmFeatures.Wasm2"/> gives the 2.0 rules, which
    /// the 2.0 spec suite checks (3.0 changed a few of them). The command line's <c>--wasm</c> option sets it.
    /// </summary>
    public WasmFeatures Features { get; init; } = WasmFeatures.Default;

    private static readonly IFunctionCompiler[] s_defaultCompilers = [new Baseline.BaselineCompiler(), new Optimizing.OptimizingCompiler()];
}
