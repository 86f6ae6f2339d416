using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Engine.Benchmarks.Perf.Regression;

/// <summary>The BenchmarkDotNet configurations of regression runs: the quick job and the full job.</summary>
public static class RegressionConfig
{
    /// <summary>
    /// Before a commit: a few minutes on 2 cores. Small program arguments, short iterations, 4 measured iterations
    /// per case and round (2 rounds: 8 samples a side, so a one-sided rank test can reach p = 8e-5, below the default
    /// alpha of 0.001; 6 a side could not go below 0.0011 and would never see a change).
    /// </summary>
    public static Job Quick { get; } = InProcess("quick")
        .WithWarmupCount(1)
        .WithIterationCount(4)
        .WithIterationTime(TimeInterval.FromMilliseconds(25));

    /// <summary>Real measurements: default program arguments, 6 measured iterations of at least 250 ms per case and round.</summary>
    public static Job Full { get; } = InProcess("full")
        .WithWarmupCount(2)
        .WithIterationCount(6)
        .WithIterationTime(TimeInterval.FromMilliseconds(250));

    /// <summary>
    /// Rounds of a run: every case is measured once per round, so each case's samples spread over the whole run and
    /// include the machine's drift, rather than one moment of it that another run cannot reproduce.
    /// </summary>
    public static int DefaultRounds(string mode) => mode == "full" ? 3 : 2;

    /// <summary>The job of a mode.</summary>
    public static Job For(string mode) => mode == "full" ? Full : Quick;

    /// <summary>
    /// In this process (the plan and the user's files are here; every case warms up before it is measured), one
    /// call per invocation (each phase is at least microseconds), no overhead subtraction (nothing to subtract from
    /// a delegate call at these durations).
    /// </summary>
    private static Job InProcess(string id) => Job.Default
        .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(1), logOutput: true))
        .WithUnrollFactor(1)
        .WithEvaluateOverhead(false)
        .WithId(id);

    /// <summary>The configuration: the job, BenchmarkDotNet's own exporters (full JSON, CSV of every measurement, GitHub markdown) and ours.</summary>
    public static IConfig Create(string mode, string artifactsPath, IExporter resultExporter) => ManualConfig.CreateEmpty()
        .AddJob(For(mode))
        .AddLogger(ConsoleLogger.Default)
        .AddColumnProvider(DefaultColumnProviders.Instance)
        .AddColumn(StatisticColumn.Median)
        .AddExporter(JsonExporter.Full, CsvMeasurementsExporter.Default, MarkdownExporter.GitHub, resultExporter)
        .WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Declared))
        .WithArtifactsPath(artifactsPath)
        .WithOptions(ConfigOptions.JoinSummary);
}
