using Engine.Benchmarks;
using Engine.Runtime;
using NUnit.Framework;

namespace Engine.Tests.Optimizing;

/// <summary>
/// Whole programs in the optimizing tier, compiled with verification on (the IR checked after every pass, the register
/// allocation checked by symbolic execution): each program of the benchmark corpus must give its known result, at
/// load (TierMode.Optimizing) and tiered straight into the tier (OSR at its loops).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class OptimizingExecutionTests
{
    public static IEnumerable<string> Programs() => Corpus.Programs.Select(p => p.Name);

    private static readonly Engine.Optimizing.OptimizingCompiler s_verifying = new() { Verify = true };

    [TestCaseSource(nameof(Programs))]
    public void CorpusProgramGivesItsResultAtLoad(string name) =>
        Check(name, new EngineConfig { Tier = TierMode.Optimizing, Compilers = [new Engine.Baseline.BaselineCompiler(), s_verifying] });

    [TestCaseSource(nameof(Programs))]
    public void CorpusProgramGivesItsResultTieredIntoTheTier(string name) =>
        Check(name, new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 1, TierUpLoopThreshold = 10, BackgroundCompilation = false,
            Compilers = [s_verifying],
        });

    private static void Check(string name, EngineConfig config)
    {
        CorpusProgram program = Corpus.Get(name);
        using var runner = new EngineRunner(program, config);
        Assert.That(runner.Run(program.SmallArg), Is.EqualTo(program.SmallExpectedValue), $"{name}({program.SmallArg})");
        Assert.That(runner.Engine.TierStatistics.Fallbacks, Is.Empty, "functions the tier could not compile");
    }
}
