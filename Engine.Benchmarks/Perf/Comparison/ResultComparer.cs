using System.Globalization;
using Perfolizer.Mathematics.SignificanceTesting;
using Perfolizer.Mathematics.SignificanceTesting.Base;
using Perfolizer.Mathematics.SignificanceTesting.MannWhitney;
using Perfolizer.Metrology;
using Pragmastat;

namespace Engine.Benchmarks.Perf.Comparison;

/// <summary>What a comparison concluded about one (program, engine, phase).</summary>
public enum Verdict
{
    /// <summary>No significant change beyond the threshold.</summary>
    Same,

    /// <summary>Significantly slower by more than the threshold: a regression.</summary>
    Slower,

    /// <summary>Significantly faster by more than the threshold.</summary>
    Faster,

    /// <summary>A reference engine's row (wasmtime, or the engine results are normalised by): shown, never judged.</summary>
    Reference,

    /// <summary>Only in the new result.</summary>
    Added,

    /// <summary>Only in the old result.</summary>
    Missing,

    /// <summary>The reference measurement needed to normalise it is missing.</summary>
    NoReference,
}

/// <summary>The significance test of a comparison.</summary>
public enum SignificanceTest
{
    /// <summary>Mann-Whitney U (rank-based: no assumption about the distribution; robust to outliers).</summary>
    MannWhitney,

    /// <summary>Welch's t-test (compares means; assumes roughly normal samples).</summary>
    Welch,
}

/// <summary>How a comparison treats the two results.</summary>
/// <param name="Threshold">The smallest relative change that counts (0.05 = 5%).</param>
/// <param name="Alpha">The significance level: a change counts when the test's p-value is below it.</param>
/// <param name="Normalize">
/// The reference engine whose measurements (same program, same phase, same result) divide every sample, so results of
/// different machines compare as ratios; <see cref="ResultComparer.Auto"/> for none on the same kind of machine and
/// wasmtime otherwise; null for none.
/// </param>
/// <param name="Test">The significance test.</param>
public sealed record ComparisonOptions(
    double Threshold = 0.05,
    double Alpha = 0.001,
    string? Normalize = ResultComparer.Auto,
    SignificanceTest Test = SignificanceTest.MannWhitney);

/// <summary>One row of a comparison. Values are medians: nanoseconds, or multiples of the reference when normalised.</summary>
/// <param name="Program">The program.</param>
/// <param name="Engine">The engine.</param>
/// <param name="Phase">The phase.</param>
/// <param name="Old">The old median.</param>
/// <param name="New">The new median.</param>
/// <param name="PValue">The p-value of the change in the direction of <see cref="Ratio"/>, when tested.</param>
/// <param name="Verdict">The conclusion.</param>
public sealed record ComparisonRow(string Program, string Engine, string Phase, double? Old, double? New, double? PValue, Verdict Verdict)
{
    /// <summary>New over old.</summary>
    public double? Ratio => Old is > 0 && New is double n ? n / Old : null;
}

/// <summary>The rows of a comparison and how it was made.</summary>
/// <param name="Rows">One per (program, engine, phase) of either result.</param>
/// <param name="NormalizedBy">The reference engine values were divided by, or null.</param>
/// <param name="Options">The options.</param>
public sealed record ComparisonReport(IReadOnlyList<ComparisonRow> Rows, string? NormalizedBy, ComparisonOptions Options)
{
    /// <summary>Rows that got slower.</summary>
    public IEnumerable<ComparisonRow> Regressions => Rows.Where(r => r.Verdict == Verdict.Slower);

    /// <summary>0 when nothing got significantly slower beyond the threshold, 1 otherwise.</summary>
    public int ExitCode => Regressions.Any() ? 1 : 0;
}

/// <summary>
/// Compares two <see cref="PerfResult"/>s: for every (program, engine, phase) in both, a one-sided significance test
/// in each direction on the raw samples, shifted by the threshold ("is new slower than old by more than 5%?").
/// </summary>
/// <remarks>
/// Measurements of different machines are not comparable as they are; each result carries its references (wasmtime
/// and our interpreter, measured in the same run), and with normalisation every sample is divided by the median of the
/// reference's measurement of the same program and phase in the same result (wasmtime has no separate decode+validate:
/// its compile stands in for the phases it lacks). Rows of wasmtime are never judged: a change there is the machine.
/// </remarks>
public static class ResultComparer
{
    /// <summary>The <see cref="ComparisonOptions.Normalize"/> value choosing by machine.</summary>
    public const string Auto = "auto";

    /// <summary>Engines that are yardsticks only: their changes are the machine's, never ours.</summary>
    public static IReadOnlySet<string> ExternalEngines { get; } = new HashSet<string> { EngineVariants.Wasmtime.Name };

    /// <summary>Compares <paramref name="newResult"/> against <paramref name="oldResult"/>.</summary>
    public static ComparisonReport Compare(PerfResult oldResult, PerfResult newResult, ComparisonOptions options)
    {
        string? reference = ResolveNormalization(oldResult, newResult, options.Normalize);
        Threshold threshold = Threshold.Parse(string.Create(CultureInfo.InvariantCulture, $"{options.Threshold * 100}%"));
        var rows = new List<ComparisonRow>();
        foreach (PhaseMeasurement current in newResult.Measurements)
        {
            PhaseMeasurement? previous = oldResult.Find(current.Program, current.Engine, current.Phase);
            rows.Add(previous is null
                ? new ComparisonRow(current.Program, current.Engine, current.Phase, null, current.Median, null, Verdict.Added)
                : CompareOne(previous, current, oldResult, newResult, reference, threshold, options));
        }
        foreach (PhaseMeasurement previous in oldResult.Measurements.Where(m => newResult.Find(m.Program, m.Engine, m.Phase) is null))
        {
            rows.Add(new ComparisonRow(previous.Program, previous.Engine, previous.Phase, previous.Median, null, null, Verdict.Missing));
        }
        return new ComparisonReport(rows, reference, options);
    }

    /// <summary>The reference engine to normalise by, or null.</summary>
    public static string? ResolveNormalization(PerfResult oldResult, PerfResult newResult, string? normalize) => normalize switch
    {
        null or "" or "none" => null,
        Auto => oldResult.Machine.SameKindAs(newResult.Machine) ? null : EngineVariants.Wasmtime.Name,
        _ => normalize,
    };

    private static ComparisonRow CompareOne(PhaseMeasurement previous, PhaseMeasurement current, PerfResult oldResult, PerfResult newResult,
        string? reference, Threshold threshold, ComparisonOptions options)
    {
        bool isReference = ExternalEngines.Contains(current.Engine) || current.Engine == reference;
        double[]? oldSamples = Normalized(previous, oldResult, reference);
        double[]? newSamples = Normalized(current, newResult, reference);
        if (isReference || oldSamples is null || newSamples is null)
        {
            // Reference rows are shown as measured: their drift is what normalisation divides out.
            return new ComparisonRow(current.Program, current.Engine, current.Phase, previous.Median, current.Median, null,
                isReference ? Verdict.Reference : Verdict.NoReference);
        }
        var oldSample = new Sample(oldSamples);
        var newSample = new Sample(newSamples);
        double slowerP = PValue(options.Test, newSample, oldSample, threshold);
        double fasterP = PValue(options.Test, oldSample, newSample, threshold);
        Verdict verdict = slowerP < options.Alpha ? Verdict.Slower : fasterP < options.Alpha ? Verdict.Faster : Verdict.Same;
        double oldMedian = SampleSummary.Of(oldSamples).Median;
        double newMedian = SampleSummary.Of(newSamples).Median;
        return new ComparisonRow(current.Program, current.Engine, current.Phase, oldMedian, newMedian,
            newMedian >= oldMedian ? slowerP : fasterP, verdict);
    }

    /// <summary>The samples divided by the reference's median in the same result (as they are without a reference); null when it is missing.</summary>
    public static double[]? Normalized(PhaseMeasurement measurement, PerfResult result, string? reference)
    {
        if (reference is null)
        {
            return measurement.Samples.ToArray();
        }
        PhaseMeasurement? yardstick = result.Find(measurement.Program, reference, measurement.Phase)
            ?? result.Find(measurement.Program, reference, Phases.Compile);
        return yardstick is { Median: > 0 } ? measurement.Samples.Select(s => s / yardstick.Median).ToArray() : null;
    }

    /// <summary>The p-value of "x is greater than y by more than the threshold".</summary>
    private static double PValue(SignificanceTest test, Sample x, Sample y, Threshold threshold) => test switch
    {
        SignificanceTest.Welch when x.Size > 1 && y.Size > 1 => WelchTest.Instance.Perform(x, y, AlternativeHypothesis.Greater, threshold).PValue,
        _ => MannWhitneyTest.Instance.Perform(x, y, AlternativeHypothesis.Greater, threshold).PValue,
    };
}
