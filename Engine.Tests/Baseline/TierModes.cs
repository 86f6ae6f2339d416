using Engine.Baseline;
using Engine.Core;
using Engine.Runtime;

namespace Engine.Tests.Baseline;

/// <summary>The engine configurations the machine-code tests run in: every way a function can end up running.</summary>
internal static class TierModes
{
    /// <summary>Names of the configurations, for test case sources.</summary>
    public static IEnumerable<string> All() =>
        ["interpreter", "baseline", "optimizing", "tiered-sync", "tiered-1", "tiered-1-full", "tiered-full", "tiered-background", "tiered-optimizing"];

    /// <summary>The configurations that run machine code.</summary>
    public static IEnumerable<string> Compiled() =>
        ["baseline", "optimizing", "tiered-sync", "tiered-1", "tiered-1-full", "tiered-full", "tiered-background", "tiered-optimizing"];

    public static EngineConfig Config(string name, bool epoch = false, bool fuel = false) => name switch
    {
        "interpreter" => new EngineConfig { Tier = TierMode.Interpreter, EpochInterruption = epoch, ConsumeFuel = fuel },
        "baseline" => new EngineConfig { Tier = TierMode.Baseline, EpochInterruption = epoch, ConsumeFuel = fuel },
        "optimizing" => new EngineConfig { Tier = TierMode.Optimizing, EpochInterruption = epoch, ConsumeFuel = fuel },
        // The baseline with every local in its frame slot (no pinned locals): the code paths pinning skips.
        "baseline-unpinned" => new EngineConfig
        {
            Tier = TierMode.Baseline, EpochInterruption = epoch, ConsumeFuel = fuel,
            Compilers = [new BaselineCompiler(new BaselineOptions { PinLocals = false })],
        },
        // The baseline for an x86-64-v2 processor: bsr/bsf instead of lzcnt/tzcnt, SIMD functions interpreted.
        "baseline-x64v2" => new EngineConfig
        {
            Tier = TierMode.Baseline, EpochInterruption = epoch, ConsumeFuel = fuel, CpuFeatures = CpuFeatures.X64V2,
        },
        // Small thresholds, synchronous: hot code moves at a known point; interpreter -> baseline only.
        "tiered-sync" => new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 3, TierUpLoopThreshold = 50, TierUpOptimizeThreshold = 0,
            BackgroundCompilation = false, EpochInterruption = epoch, ConsumeFuel = fuel,
        },
        // Thresholds of 1, interpreter -> baseline only (the first hop alone, --tier-up-optimize 0).
        "tiered-1" => new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, TierUpOptimizeThreshold = 0,
            BackgroundCompilation = false, EpochInterruption = epoch, ConsumeFuel = fuel,
        },
        // Both hops at once: baseline code asks for the optimizing tier at its entry and moves at its first loop header.
        "tiered-1-full" => new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, TierUpOptimizeThreshold = 1,
            BackgroundCompilation = false, EpochInterruption = epoch, ConsumeFuel = fuel,
        },
        // The full pipeline with small thresholds, synchronous: interpreted, baseline and optimized activations of one
        // function meet in one stack (a recursion), and loops move from each tier to the next.
        "tiered-full" => new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 2, TierUpLoopThreshold = 20, TierUpOptimizeThreshold = 30,
            BackgroundCompilation = false, EpochInterruption = epoch, ConsumeFuel = fuel,
        },
        "tiered-background" => new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 3, TierUpLoopThreshold = 50, TierUpOptimizeThreshold = 40,
            EpochInterruption = epoch, ConsumeFuel = fuel,
        },
        // Tier-up straight into the optimizing tier (its on-stack-replacement entries at every loop).
        "tiered-optimizing" => new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, BackgroundCompilation = false,
            EpochInterruption = epoch, ConsumeFuel = fuel, Compilers = [new Engine.Optimizing.OptimizingCompiler()],
        },
        _ => throw new ArgumentException(name),
    };
}
