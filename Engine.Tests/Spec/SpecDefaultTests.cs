using Engine.Runtime;
using NUnit.Framework;

namespace Engine.Tests.Spec;

/// <summary>
/// Every spec script with the engine's default settings (<c>new EngineConfig()</c>, what <c>wasm-engine wast</c> and
/// <c>run</c> use when given no tier options): what a new user gets must pass the suite as it stands.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SpecDefaultTests
{
    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void RunsWithTheDefaultSettings(string name) => SpecRun.AssertPasses(TestPaths.ScriptPath(name), new EngineConfig());

    [Test]
    public void TheDefaultIsTiered() => Assert.That(new EngineConfig().Tier, Is.EqualTo(TierMode.Tiered));

    /// <summary>The default tiered mode is the full pipeline: interpreter -> baseline -> optimizing.</summary>
    [Test]
    public void TheDefaultIsTheFullPipeline()
    {
        var config = new EngineConfig();
        Assert.That(config.TierUpOptimizeThreshold, Is.GreaterThan(0), "the second hop is on");
        Assert.That(config.Compilers.Select(c => c.GetType().Name), Is.EqualTo(new[] { "BaselineCompiler", "OptimizingCompiler" }));
    }
}
