using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;

namespace Engine.Benchmarks.Perf.Regression;

/// <summary>
/// A BenchmarkDotNet exporter writing the run as a <see cref="PerfResult"/> (the file <c>compare</c> reads): each
/// case's measured iterations become the samples of its (program, engine, phase). Over several rounds (one
/// BenchmarkDotNet run each) it accumulates, and the file holds every round so far.
/// </summary>
/// <param name="plan">What was measured.</param>
/// <param name="path">Where the result goes.</param>
public sealed class PerfResultExporter(RegressionPlan plan, string path) : IExporter
{
    private readonly List<BenchmarkReport> _reports = new();

    /// <summary>The result of the last export.</summary>
    public PerfResult? Result { get; private set; }

    /// <inheritdoc/>
    public string Name => nameof(PerfResultExporter);

    /// <inheritdoc/>
    public void ExportToLog(Summary summary, ILogger logger)
    {
    }

    /// <inheritdoc/>
    public IEnumerable<string> ExportToFiles(Summary summary, ILogger logger)
    {
        _reports.AddRange(summary.Reports);
        Result = ToResult(plan, _reports);
        Result.Save(path);
        return [Path.GetFullPath(path)];
    }

    /// <summary>The result of <paramref name="reports"/> (reports of the same case, from several rounds, pool their samples).</summary>
    public static PerfResult ToResult(RegressionPlan plan, IEnumerable<BenchmarkReport> reports)
    {
        var measurements = new List<PhaseMeasurement>();
        foreach (var round in reports.GroupBy(r => (
            Program: (string)r.BenchmarkCase.Parameters["Program"],
            Engine: (string)r.BenchmarkCase.Parameters["Engine"],
            Phase: (string)r.BenchmarkCase.Parameters["Phase"])))
        {
            double[] samples = round.SelectMany(report => report.AllMeasurements)
                .Where(m => m.IterationMode == IterationMode.Workload && m.IterationStage == IterationStage.Actual)
                .Select(m => m.Nanoseconds / m.Operations)
                .ToArray();
            if (samples.Length == 0)
            {
                continue;
            }
            (string program, string engine, string phase) = round.Key;
            int? argument = phase is Phases.Execute or Phases.FirstResult ? plan.Program(program).ArgumentFor(plan.Size) : null;
            measurements.Add(PhaseMeasurement.FromSamples(program, engine, phase, argument, samples));
        }
        return Create(plan.Mode, plan.Engines, measurements);
    }

    /// <summary>A result of this machine and commit.</summary>
    public static PerfResult Create(string mode, IEnumerable<EngineVariant> engines, IReadOnlyList<PhaseMeasurement> measurements)
    {
        string ours = typeof(Runtime.WasmEngine).Assembly.GetName().Version?.ToString() ?? "?";
        return new PerfResult
        {
            Mode = mode,
            Machine = MachineInfo.Current(),
            Commit = MachineInfo.CurrentCommit(),
            EngineVersions = engines.ToDictionary(e => e.Name, e => e is WasmtimeVariant ? WasmtimeVariant.Version : ours),
            References = engines.Where(e => e.IsReference).Select(e => e.Name).ToArray(),
            Measurements = measurements,
        };
    }
}
