using Engine.Runtime;
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
/// --tier-up-threshold 1 --sync-compile</c>): each function is compiled on its first call, and a running
/// activation moves into compiled code at its first loop iteration.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SpecTieredTests
{
    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void RunsTieredWithThresholdOne(string name) =>
        SpecRun.AssertPasses(TestPaths.ScriptPath(name),
            new EngineConfig { Tier = TierMode.Tiered, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, BackgroundCompilation = false });
}

/// <summary>
/// Every spec script in tiered mode with thresholds of 2 and background compilation (the default): code is
/// published while the script runs, so calls, loops and on-stack replacement race with publication.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SpecTieredBackgroundTests
{
    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void RunsTieredWithBackgroundCompilation(string name) =>
        SpecRun.AssertPasses(TestPaths.ScriptPath(name), new EngineConfig { Tier = TierMode.Tiered, TierUpCallThreshold = 2, TierUpLoopThreshold = 2 });
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
