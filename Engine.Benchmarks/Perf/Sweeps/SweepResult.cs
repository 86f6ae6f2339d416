using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engine.Benchmarks.Perf.Sweeps;

/// <summary>The medians of the runs of one (program, value).</summary>
public sealed record SweepSummary
{
    public required string Program { get; init; }
    public required string Value { get; init; }
    public required int Runs { get; init; }
    public required double TotalMs { get; init; }
    public required double TotalMsMin { get; init; }
    public required double TotalMsMax { get; init; }
    public required double FirstResultMs { get; init; }
    public required double LoadMs { get; init; }
    public required double InstantiateMs { get; init; }

    /// <summary>Median time spent translating or compiling, by tier.</summary>
    public required IReadOnlyDictionary<string, double> CompileMsByTier { get; init; }

    /// <summary>Median number of functions that reached each tier.</summary>
    public required IReadOnlyDictionary<string, double> FunctionsByTier { get; init; }

    /// <summary>Median time by which the last function reached each tier (ms since the run began).</summary>
    public required IReadOnlyDictionary<string, double> ReachedMsByTier { get; init; }
}

/// <summary>
/// The result of a sweep (<c>sweep.json</c>, schema <c>wasm-engine-sweep-result</c> version 1): the plan, every run with
/// its timeline of tier events, and the per-(program, value) medians; also written as CSV.
/// </summary>
public sealed record SweepResult
{
    public const string SchemaName = "wasm-engine-sweep-result";
    public const int CurrentSchemaVersion = 1;

    public string Schema { get; init; } = SchemaName;
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public DateTimeOffset CreatedUtc { get; init; } = DateTimeOffset.UtcNow;
    public required MachineInfo Machine { get; init; }
    public string? Commit { get; init; }

    /// <summary>The swept setting.</summary>
    public required string Setting { get; init; }

    /// <summary>Its values, in order.</summary>
    public required IReadOnlyList<string> Values { get; init; }

    /// <summary>Settings held fixed.</summary>
    public Dictionary<string, string> Fixed { get; init; } = new();

    /// <summary>small or default.</summary>
    public required string Size { get; init; }

    /// <summary>Calls of run per run.</summary>
    public required int Calls { get; init; }

    /// <summary>Every tier seen in any run, interpreter first.</summary>
    public required IReadOnlyList<string> Tiers { get; init; }

    /// <summary>Medians per (program, value).</summary>
    public required IReadOnlyList<SweepSummary> Summary { get; init; }

    /// <summary>Every run.</summary>
    public required IReadOnlyList<SweepRun> Runs { get; init; }

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The result of <paramref name="runs"/> made for <paramref name="plan"/>.</summary>
    public static SweepResult Create(SweepPlan plan, IReadOnlyList<SweepRun> runs)
    {
        string[] tiers = runs.SelectMany(r => r.CompileMsByTier.Keys.Concat(r.FunctionsByTier.Keys))
            .Append(Runtime.Diagnostics.TierNames.Interpreter).Distinct()
            .OrderBy(t => t == Runtime.Diagnostics.TierNames.Interpreter ? 0 : 1).ThenBy(t => t, StringComparer.Ordinal).ToArray();
        return new SweepResult
        {
            Machine = MachineInfo.Current(),
            Commit = MachineInfo.CurrentCommit(),
            Setting = plan.Setting.Name,
            Values = plan.Values,
            Fixed = plan.Fixed.ToDictionary(f => f.Setting.Name, f => f.Value),
            Size = plan.Size.ToString().ToLowerInvariant(),
            Calls = plan.Calls,
            Tiers = tiers,
            Summary = runs.GroupBy(r => (r.Program, r.Value)).Select(g => Summarize(g.ToList(), tiers)).ToArray(),
            Runs = runs,
        };
    }

    private static SweepSummary Summarize(IReadOnlyList<SweepRun> runs, IReadOnlyList<string> tiers) => new()
    {
        Program = runs[0].Program,
        Value = runs[0].Value,
        Runs = runs.Count,
        TotalMs = Median(runs.Select(r => r.TotalMs)),
        TotalMsMin = runs.Min(r => r.TotalMs),
        TotalMsMax = runs.Max(r => r.TotalMs),
        FirstResultMs = Median(runs.Select(r => r.FirstResultMs)),
        LoadMs = Median(runs.Select(r => r.LoadMs)),
        InstantiateMs = Median(runs.Select(r => r.InstantiateMs)),
        CompileMsByTier = tiers.ToDictionary(t => t, t => Median(runs.Select(r => r.CompileMsByTier.GetValueOrDefault(t)))),
        FunctionsByTier = tiers.ToDictionary(t => t, t => Median(runs.Select(r => (double)r.FunctionsByTier.GetValueOrDefault(t)))),
        ReachedMsByTier = tiers.ToDictionary(t => t, t => Median(runs.Select(r => ReachedMs(r, t)))),
    };

    private static double ReachedMs(SweepRun run, string tier) =>
        run.Timeline.Where(e => e.Tier == tier && e.Kind != TierEvent.Compile).Select(e => e.EndMs).DefaultIfEmpty(0).Max();

    private static double Median(IEnumerable<double> values) => SampleSummary.Of(values.ToArray()).Median;

    /// <summary>The result as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    /// <summary>Reads a sweep result.</summary>
    public static SweepResult FromJson(string json)
    {
        SweepResult result = JsonSerializer.Deserialize<SweepResult>(json, s_json) ?? throw new InvalidDataException("empty sweep result");
        return result.Schema == SchemaName && result.SchemaVersion is >= 1 and <= CurrentSchemaVersion
            ? result
            : throw new InvalidDataException($"not a {SchemaName} file of version 1 to {CurrentSchemaVersion}");
    }

    /// <summary>summary.csv: one row per (program, value) with the medians, tier columns per tier.</summary>
    public string SummaryCsv()
    {
        var csv = new CsvBuilder(["program", "setting", "value", "runs", "total_ms", "total_ms_min", "total_ms_max", "first_result_ms",
            "load_ms", "instantiate_ms", .. Tiers.SelectMany(t => new[] { $"compile_ms_{t}", $"functions_{t}", $"reached_ms_{t}" })]);
        foreach (SweepSummary s in Summary)
        {
            csv.Row([s.Program, Setting, s.Value, s.Runs, s.TotalMs, s.TotalMsMin, s.TotalMsMax, s.FirstResultMs, s.LoadMs, s.InstantiateMs,
                .. Tiers.SelectMany(t => new object[] { s.CompileMsByTier[t], s.FunctionsByTier[t], s.ReachedMsByTier[t] })]);
        }
        return csv.ToString();
    }

    /// <summary>runs.csv: one row per run.</summary>
    public string RunsCsv()
    {
        var csv = new CsvBuilder(["program", "setting", "value", "run", "total_ms", "first_result_ms", "load_ms", "instantiate_ms", "call_ms",
            .. Tiers.SelectMany(t => new[] { $"compile_ms_{t}", $"functions_{t}" })]);
        foreach (SweepRun r in Runs)
        {
            csv.Row([r.Program, Setting, r.Value, r.Run, r.TotalMs, r.FirstResultMs, r.LoadMs, r.InstantiateMs,
                string.Join(' ', r.CallMs.Select(CsvBuilder.Format)),
                .. Tiers.SelectMany(t => new object[] { r.CompileMsByTier.GetValueOrDefault(t), r.FunctionsByTier.GetValueOrDefault(t) })]);
        }
        return csv.ToString();
    }

    /// <summary>timeline.csv: every tier event of every run.</summary>
    public string TimelineCsv()
    {
        var csv = new CsvBuilder(["program", "setting", "value", "run", "kind", "tier", "function_index", "function_name", "start_ms",
            "duration_ms", "code_bytes", "calls"]);
        foreach (SweepRun r in Runs)
        {
            foreach (TierEvent e in r.Timeline)
            {
                csv.Row([r.Program, Setting, r.Value, r.Run, e.Kind, e.Tier, e.FunctionIndex, e.FunctionName, e.StartMs, e.DurationMs, e.CodeBytes, e.Calls]);
            }
        }
        return csv.ToString();
    }
}

/// <summary>RFC 4180 CSV with invariant numbers.</summary>
internal sealed class CsvBuilder
{
    private readonly StringBuilder _text = new();

    public CsvBuilder(IEnumerable<string> header) => Row(header);

    public void Row(IEnumerable<object> cells) => _text.AppendJoin(',', cells.Select(Cell)).Append('\n');

    public static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Cell(object cell)
    {
        string text = cell switch
        {
            double d => Format(d),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => cell.ToString() ?? "",
        };
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{text.Replace("\"", "\"\"")}\"" : text;
    }

    public override string ToString() => _text.ToString();
}
