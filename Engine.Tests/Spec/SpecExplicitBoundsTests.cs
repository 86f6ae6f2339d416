using Engine.Core;
using Engine.Runtime;
using NUnit.Framework;

namespace Engine.Tests.Spec;

/// <summary>
/// Every spec script in the compiled tiers with explicit bounds checks (<c>--bounds-checks explicit</c>), the strategy
/// of memories that cannot have guard pages; the other spec fixtures run with guard pages, the default.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SpecExplicitBoundsTests
{
    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void RunsInTheBaselineTierWithExplicitChecks(string name) =>
        SpecRun.AssertPasses(TestPaths.ScriptPath(name), new EngineConfig { Tier = TierMode.Baseline, BoundsChecks = BoundsCheckStrategy.Explicit });

    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void RunsTieredWithThresholdOneWithExplicitChecks(string name) =>
        SpecRun.AssertPasses(TestPaths.ScriptPath(name), new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, BackgroundCompilation = false,
            BoundsChecks = BoundsCheckStrategy.Explicit,
        });

    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void RunsInTheOptimizingTierWithExplicitChecks(string name) =>
        SpecRun.AssertPasses(TestPaths.ScriptPath(name), new EngineConfig { Tier = TierMode.Optimizing, BoundsChecks = BoundsCheckStrategy.Explicit });

    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void RunsTieredIntoTheOptimizingTierWithExplicitChecks(string name) =>
        SpecRun.AssertPasses(TestPaths.ScriptPath(name), new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, BackgroundCompilation = false,
            Compilers = [new Engine.Optimizing.OptimizingCompiler()], BoundsChecks = BoundsCheckStrategy.Explicit,
        });
}
