using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Engine.Benchmarks;

/// <summary>Implemented by benchmark classes whose cases process a known number of bytes per operation.</summary>
public interface IBytesPerOperation
{
    /// <summary>The bytes one operation of the case with these parameters processes.</summary>
    long BytesFor(BenchmarkCase benchmarkCase);
}

/// <summary>A column "MB/s": bytes per operation divided by the mean time (1 MB = 10^6 bytes).</summary>
public sealed class ThroughputColumn : IColumn
{
    public string Id => nameof(ThroughputColumn);
    public string ColumnName => "MB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Throughput in 10^6 bytes per second (mean)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        BenchmarkReport? report = summary[benchmarkCase];
        if (report?.ResultStatistics is null
            || Activator.CreateInstance(benchmarkCase.Descriptor.Type) is not IBytesPerOperation source)
        {
            return "-";
        }
        foreach (var parameter in benchmarkCase.Parameters.Items)
        {
            benchmarkCase.Descriptor.Type.GetProperty(parameter.Name)?.SetValue(source, parameter.Value);
            benchmarkCase.Descriptor.Type.GetField(parameter.Name)?.SetValue(source, parameter.Value);
        }
        double seconds = report.ResultStatistics.Mean / 1e9;
        return (source.BytesFor(benchmarkCase) / seconds / 1e6).ToString("F1");
    }

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
