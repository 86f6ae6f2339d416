using Engine.Runtime;
using Engine.Wast;
using NUnit.Framework;

namespace Engine.Tests.Spec;

/// <summary>
/// Every spec script with every function compiled by the baseline tier before it runs (<c>wast --tier
/// baseline</c>); a function the tier cannot compile (SIMD on a processor without AVX2) stays interpreted.
/// Same expectations as the interpreter.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SpecBaselineTests
{
    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void RunsInTheBaselineTier(string name) =>
        SpecRun.AssertPasses(TestPaths.ScriptPath(name), new EngineConfig { Tier = TierMode.Baseline });
}

/// <summary>
/// Every spec script in tiered mode with thresholds of 1 and synchronous compilation (<c>wast --tier tiered
/// --tier-up-threshold 1 --sync-compile</c>), through both hops: each function is compiled by the baseline tier on its
/// first call, whose entry counter asks for the optimizing tier at once; a running activation moves into compiled code
/// at its first loop iteration (from the interpreter or from baseline code).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SpecTieredTests
{
    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void RunsTieredWithThresholdOne(string name)
    {
        WastResults results = SpecRun.AssertPasses(TestPaths.ScriptPath(name), new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, TierUpOptimizeThreshold = 1, BackgroundCompilation = false,
        });
        // Baseline code asks for the optimizing tier on its first entry or loop header: every function compiled took both hops.
        Assert.That(results.OptimizedFunctions, Is.EqualTo(results.CompiledFunctions), "functions that stayed in the baseline tier");
    }
}

/// <summary>
/// Every spec script in tiered mode with thresholds of 2 and background compilation (the default), through both hops:
/// code of both tiers is published while the script runs, so calls, loops and on-stack replacement (out of the
/// interpreter and out of baseline code) race with publication.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SpecTieredBackgroundTests
{
    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void RunsTieredWithBackgroundCompilation(string name) =>
        SpecRun.AssertPasses(TestPaths.ScriptPath(name),
            new EngineConfig { Tier = TierMode.Tiered, TierUpCallThreshold = 2, TierUpLoopThreshold = 2, TierUpOptimizeThreshold = 2 });
}

/// <summary>
/// Every spec script in tiered mode stopping at the baseline tier (<c>--tier-up-optimize 0</c>), thresholds of 1,
/// synchronous: the interpreter -> baseline hop and its on-stack replacement alone.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SpecTieredBaselineTests
{
    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void RunsTieredIntoTheBaselineTier(string name) =>
        SpecRun.AssertPasses(TestPaths.ScriptPath(name), new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, TierUpOptimizeThreshold = 0, BackgroundCompilation = false,
        });
}

/// <summary>
/// Every spec script with every function compiled by the optimizing tier before it runs (<c>wast --tier optimizing</c>),
/// none falling back to a lower tier. Same expectations as the interpreter.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SpecOptimizingTests
{
    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void RunsInTheOptimizingTier(string name) =>
        SpecRun.AssertPasses(TestPaths.ScriptPath(name), new EngineConfig { Tier = TierMode.Optimizing });
}

/// <summary>
/// Every spec script in tiered mode promoting straight to the optimizing tier (the engine's compiler list holds only
/// it), thresholds of 1, synchronous: each function is optimized on its first call, and a running activation moves
/// into optimized code at its first loop iteration through the tier's on-stack-replacement entries.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SpecTieredOptimizingTests
{
    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void RunsTieredIntoTheOptimizingTier(string name) =>
        SpecRun.AssertPasses(TestPaths.ScriptPath(name), new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, BackgroundCompilation = false,
            Compilers = [new Engine.Optimizing.OptimizingCompiler()],
        });
}
