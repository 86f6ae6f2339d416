using System.Globalization;

namespace Engine.Benchmarks.Perf.Comparison;

/// <summary>
/// <c>compare [OLD.json] NEW.json [--threshold 5%] [--alpha 0.001] [--normalize auto|none|wasmtime|interpreter]</c>:
/// prints what changed between two regression results and exits with 1 when something got significantly slower
/// beyond the threshold. Without OLD, compares against a baseline measured on this machine
/// (<c>perf-out/baseline-MODE.json</c>, see <see cref="LocalBaselinePath"/>), else against the one checked into the
/// repository, which only orients: it comes from another machine or another commit (a shared VM's processor name says
/// too little to tell), so its rows are shown as ratios to wasmtime and nothing is judged.
/// </summary>
public static class CompareCommand
{
    public const string Usage = """
        usage: compare [OLD.json] NEW.json [--threshold 5%] [--alpha 0.001] [--normalize auto|none|wasmtime|interpreter]
                       [--test mann-whitney|welch] [--all]
          Compares two 'regress' results case by case with a one-sided significance test on the raw samples and
          exits with 1 when a case got slower by more than the threshold with p < alpha (0 otherwise, 2 for bad usage).
          OLD           default: perf-out/baseline-MODE.json, a baseline measured on this machine (make one with
                        Engine.Benchmarks/baseline.sh: 'regress' of the merge base with main); without it, the
                        baseline checked in (Engine.Benchmarks/Baselines/perf-MODE.json), shown for orientation
                        only (as ratios to wasmtime, unless --normalize says otherwise), and the exit code is 0
          --threshold   the smallest change that counts (default 5%)
          --alpha       the significance level (default 0.001: strict, for busy shared machines)
          --normalize   divide by a reference engine measured in the same run, so different machines compare as
                        ratios (default auto: none on the same kind of machine, wasmtime otherwise)
          --test        mann-whitney (default; rank-based) or welch (t-test on means)
          --all         print every case, not only those that changed
        """;

    /// <summary>The baseline checked into the repository for results of <paramref name="mode"/>.</summary>
    public static string BaselinePath(string mode) => BenchmarkFiles.Project(Path.Combine("Baselines", $"perf-{mode}.json"));

    /// <summary>A baseline measured on this machine for results of <paramref name="mode"/> (what <c>baseline.sh</c> writes).</summary>
    public static string LocalBaselinePath(string mode) => Path.Combine(BenchmarkFiles.OutputFolder, $"baseline-{mode}.json");

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output) =>
        Run(args, output, LocalBaselinePath, BaselinePath);

    /// <summary>
    /// Runs the command with the baselines of a mode at other places than <see cref="LocalBaselinePath"/> (measured here)
    /// and <see cref="BaselinePath"/> (checked in); for tests.
    /// </summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, Func<string, string> localBaseline, Func<string, string> checkedInBaseline)
    {
        ComparisonReport report;
        PerfResult oldResult;
        PerfResult newResult;
        bool all;
        string? advisory;
        try
        {
            CommandOptions options = CommandOptions.Parse(args, ["--all"], ["--threshold", "--alpha", "--normalize", "--test"]);
            all = options.Has("--all");
            (oldResult, newResult, advisory) = LoadResults(options.Positional, output, localBaseline, checkedInBaseline);
            var comparison = new ComparisonOptions(
                Threshold: ParseThreshold(options.Value("--threshold", "5%")!),
                Alpha: ParseProbability(options.Value("--alpha", "0.001")!),
                // The checked-in baseline comes from elsewhere: ratios to wasmtime measured beside each side say more.
                Normalize: options.Value("--normalize", advisory is null ? ResultComparer.Auto : EngineVariants.Wasmtime.Name),
                Test: ParseTest(options.Value("--test", "mann-whitney")!));
            report = ResultComparer.Compare(oldResult, newResult, comparison);
        }
        catch (Exception e) when (e is UsageException or IOException or InvalidDataException or System.Text.Json.JsonException)
        {
            output.WriteLine($"compare: {e.Message}");
            output.WriteLine(Usage);
            return 2;
        }
        Print(report, oldResult, newResult, all, output, judged: advisory is null);
        if (advisory is not null)
        {
            output.WriteLine(advisory);
            return 0;
        }
        return report.ExitCode;
    }

    /// <summary>
    /// The results to compare, and when the baseline cannot give a verdict (the checked-in one: another machine, or the
    /// same kind of VM at another time and commit, which a processor name cannot tell apart) the note saying so: then
    /// the comparison only orients and the exit code is 0.
    /// </summary>
    private static (PerfResult Old, PerfResult New, string? Advisory) LoadResults(IReadOnlyList<string> paths, TextWriter output,
        Func<string, string> localBaseline, Func<string, string> checkedInBaseline)
    {
        switch (paths.Count)
        {
            case 1:
            {
                PerfResult newResult = PerfResult.Load(paths[0]);
                string local = localBaseline(newResult.Mode);
                if (File.Exists(local))
                {
                    output.WriteLine($"baseline: {local} (measured on this machine)");
                    return (PerfResult.Load(local), newResult, null);
                }
                string baseline = checkedInBaseline(newResult.Mode);
                if (!File.Exists(baseline))
                {
                    throw new UsageException($"no baseline for mode '{newResult.Mode}' at {local} or {baseline}; name OLD explicitly");
                }
                PerfResult oldResult = PerfResult.Load(baseline);
                output.WriteLine($"baseline: {baseline} (checked in; no baseline of this machine at {local})");
                string advisory =
                    $"NOT JUDGED: the checked-in baseline was measured elsewhere ({oldResult.Machine.Cpu} x{oldResult.Machine.Cores}, " +
                    $"commit {oldResult.Commit ?? "?"}, {oldResult.CreatedUtc:yyyy-MM-dd}), so differences may be the machine's; the exit code is 0. " +
                    $"For a verdict, measure a baseline here: Engine.Benchmarks/baseline.sh (regress of the merge base with main, written to {local}).";
                return (oldResult, newResult, advisory);
            }
            case 2:
                return (PerfResult.Load(paths[0]), PerfResult.Load(paths[1]), null);
            default:
                throw new UsageException("name one or two result files");
        }
    }

    /// <summary>"5%", "5" or "0.05%" as a fraction (0.05, 0.05, 0.0005).</summary>
    public static double ParseThreshold(string text)
    {
        string number = text.TrimEnd('%');
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double percent) || percent < 0)
        {
            throw new UsageException($"--threshold wants a percentage like 5%, not '{text}'");
        }
        return percent / 100;
    }

    private static double ParseProbability(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double p) && p is > 0 and < 1
            ? p
            : throw new UsageException($"--alpha wants a probability like 0.01, not '{text}'");

    private static SignificanceTest ParseTest(string text) => text switch
    {
        "mann-whitney" or "mannwhitney" or "u" => SignificanceTest.MannWhitney,
        "welch" or "t" => SignificanceTest.Welch,
        _ => throw new UsageException($"--test is mann-whitney or welch, not '{text}'"),
    };

    /// <summary>
    /// Prints the report as a table and a summary line; with <c>judged</c> false (a comparison that only orients, see
    /// <see cref="LoadResults"/>) there is no REGRESSION line.
    /// </summary>
    public static void Print(ComparisonReport report, PerfResult oldResult, PerfResult newResult, bool all, TextWriter output, bool judged = true)
    {
        ComparisonOptions options = report.Options;
        output.WriteLine($"old: {Describe(oldResult)}");
        output.WriteLine($"new: {Describe(newResult)}");
        output.WriteLine(report.NormalizedBy is null
            ? "values: medians as measured (same kind of machine)"
            : $"values: medians in multiples of {report.NormalizedBy}'s median for the same program and phase in the same run");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"test: {options.Test}, one-sided each way, threshold {options.Threshold:P1}, alpha {options.Alpha}"));
        output.WriteLine();

        var shown = report.Rows.Where(r => all || r.Verdict is not (Verdict.Same or Verdict.Reference)).ToList();
        var table = new List<string[]> { new[] { "program", "engine", "phase", "old", "new", "change", "p", "verdict" } };
        table.AddRange(shown.Select(row => new[]
        {
            row.Program, row.Engine, row.Phase,
            FormatValue(row.Old, report.NormalizedBy, row.Verdict), FormatValue(row.New, report.NormalizedBy, row.Verdict),
            row.Ratio is double ratio ? string.Create(CultureInfo.InvariantCulture, $"{ratio - 1:+0.0%;-0.0%;0.0%}") : "",
            row.PValue is double p ? p.ToString(p < 0.001 ? "0.0e0" : "0.000", CultureInfo.InvariantCulture) : "",
            VerdictText(row.Verdict),
        }));
        if (shown.Count > 0)
        {
            WriteTable(table, output);
            output.WriteLine();
        }
        var counts = report.Rows.GroupBy(r => r.Verdict).ToDictionary(g => g.Key, g => g.Count());
        int Count(Verdict v) => counts.GetValueOrDefault(v);
        output.WriteLine($"{Count(Verdict.Slower)} slower, {Count(Verdict.Faster)} faster, {Count(Verdict.Same)} unchanged, " +
                         $"{Count(Verdict.Reference)} reference, {Count(Verdict.Added)} added, {Count(Verdict.Missing)} missing" +
                         (Count(Verdict.NoReference) > 0 ? $", {Count(Verdict.NoReference)} without reference" : ""));
        if (report.ExitCode != 0 && judged)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"REGRESSION: {Count(Verdict.Slower)} case(s) slower by more than {options.Threshold:P1}"));
        }
    }

    private static string Describe(PerfResult result) =>
        $"{result.Mode}, {result.CreatedUtc:yyyy-MM-dd HH:mm} UTC, commit {result.Commit ?? "?"}, {result.Machine.Cpu} x{result.Machine.Cores}";

    private static string VerdictText(Verdict verdict) => verdict switch
    {
        Verdict.Slower => "SLOWER",
        Verdict.Faster => "faster",
        Verdict.Same => "same",
        Verdict.Reference => "(reference)",
        Verdict.Added => "added",
        Verdict.Missing => "missing",
        _ => "no reference",
    };

    private static string FormatValue(double? value, string? normalizedBy, Verdict verdict) => value switch
    {
        null => "",
        double v when normalizedBy != null && verdict is not (Verdict.Reference or Verdict.Added or Verdict.Missing or Verdict.NoReference)
            => string.Create(CultureInfo.InvariantCulture, $"x{v:0.###}"),
        double v => FormatTime(v),
    };

    /// <summary>Nanoseconds in the unit that suits them.</summary>
    public static string FormatTime(double nanoseconds) => nanoseconds switch
    {
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e9:0.000} s"),
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e6:0.000} ms"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e3:0.000} us"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds:0.0} ns"),
    };

    private static void WriteTable(IReadOnlyList<string[]> rows, TextWriter output)
    {
        int[] widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (string[] row in rows)
        {
            // Text columns left, numbers right.
            output.WriteLine(string.Join("  ", row.Select((cell, c) => c is >= 3 and <= 6 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd());
        }
    }
}
