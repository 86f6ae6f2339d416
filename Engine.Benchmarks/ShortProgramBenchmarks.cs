using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Engine.Runtime;

namespace Engine.Benchmarks;

/// <summary>
/// Short programs from a cold start: each operation loads the module, instantiates it and runs the program
/// once at its small size, in a new engine. Tiered mode must not be slower than the interpreter alone
/// (its compilations run in the background); the baseline tier pays for compiling everything first.
/// </summary>
[Config(typeof(ShortProgramConfig))]
public class ShortProgramBenchmarks
{
    private CorpusProgram _program = null!;

    /// <summary>The program of the corpus.</summary>
    [ParamsSource(nameof(ProgramNames))]
    public string Program { get; set; } = "";

    public static IEnumerable<string> ProgramNames => Corpus.Programs.Select(p => p.Name);

    [GlobalSetup]
    public void Setup() => _program = Corpus.Get(Program);

    private long Run(TierMode tier)
    {
        using var runner = new EngineRunner(_program, new EngineConfig { Tier = tier });
        long result = runner.Run(_program.SmallArg);
        if (result != _program.SmallExpectedValue)
        {
            throw new InvalidOperationException($"{_program.Name}: run({_program.SmallArg}) = {result}, expected {_program.SmallExpectedValue}");
        }
        return result;
    }

    [Benchmark(Baseline = true)]
    public long Interpreter() => Run(TierMode.Interpreter);

    [Benchmark]
    public long Tiered() => Run(TierMode.Tiered);

    [Benchmark]
    public long Baseline() => Run(TierMode.Baseline);
}

/// <summary>Short iterations, a few of them.</summary>
public sealed class ShortProgramConfig : BenchmarkDotNet.Configs.ManualConfig
{
    public ShortProgramConfig()
    {
        AddJob(BenchmarkDotNet.Jobs.Job.Default.WithWarmupCount(2).WithIterationCount(8).WithId("short-programs"));
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
        HideColumns("Error", "StdDev");
    }
}
