using System.Globalization;

namespace Engine.Benchmarks.Perf.Sweeps;

/// <summary>
/// <c>sweep --setting NAME --values V,... [PROGRAMS...] --out DIR</c>: runs the programs with each value of one engine
/// setting and writes the results as JSON and CSV, a chart of total time against the setting, and a timeline of
/// tier events per (program, value).
/// </summary>
public static class SweepCommand
{
    public static string Usage => $"""
        usage: sweep --setting NAME --values V1,V2,... [--set NAME=VALUE]... [--runs 3] [--calls 5] [--warmups 1]
                     [--size small|default] [--out DIR] [PROGRAMS...]
          Runs each program with each value of one engine setting, a fresh engine per run: load, instantiate, then
          --calls calls of run(n). Reports total time, time to the first result, compile time per tier, how many
          functions reached each tier and when.
          --setting     the setting to vary:
        {string.Join(Environment.NewLine, SweepSettings.All.Select(s => $"                          {s.Name,-24} {s.Description}"))}
          --values      its values, in the chart's order
          --set         hold another setting at a value (repeatable)
          --runs        runs per (program, value) (default 3; the summary takes medians)
          --calls       calls of run(n) per run (default 5)
          --warmups     discarded runs before each (program, value)'s measured ones (default 1)
          --size        small (default) or default: the programs' small or default argument
          --out         the output folder (default perf-out/sweep-SETTING at the repository root): sweep.json, summary.csv, runs.csv, timeline.csv,
                        total-time.svg, first-result.svg, timelines/PROGRAM-VALUE.svg
          PROGRAMS      corpus names, .wasm files, folders or programs.json manifests (default: the whole corpus)
        """;

    /// <summary>Runs the command; returns the exit code (0 done, 2 bad usage).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        SweepPlan plan;
        string folder;
        try
        {
            CommandOptions options = CommandOptions.Parse(args, [], ["--setting", "--values", "--set", "--runs", "--calls", "--warmups", "--size", "--out"]);
            plan = CreatePlan(options);
            folder = options.Value("--out", Path.Combine(BenchmarkFiles.OutputFolder, $"sweep-{plan.Setting.Name}"))!;
        }
        catch (Exception e) when (e is UsageException or ArgumentException)
        {
            output.WriteLine($"sweep: {e.Message}");
            output.WriteLine(Usage);
            return 2;
        }
        IReadOnlyList<SweepRun> runs = SweepRunner.Run(plan, output);
        SweepResult result = SweepResult.Create(plan, runs);
        IReadOnlyList<string> files = Write(result, folder);
        output.WriteLine();
        PrintSummary(result, output);
        output.WriteLine();
        output.WriteLine($"sweep: {runs.Count} runs; wrote {files.Count} files to {Path.GetFullPath(folder)}");
        return 0;
    }

    /// <summary>The plan the options ask for.</summary>
    public static SweepPlan CreatePlan(CommandOptions options)
    {
        string settingName = options.Value("--setting") ?? throw new UsageException("--setting is required");
        SweepSetting setting = SweepSettings.Get(settingName);
        IReadOnlyList<string> values = options.List("--values");
        if (values.Count == 0)
        {
            throw new UsageException("--values is required");
        }
        var fixedSettings = options.List("--set").Select(ParseFixed).ToArray();
        var plan = new SweepPlan
        {
            Setting = setting,
            Values = values,
            Fixed = fixedSettings,
            Programs = options.Positional.Count == 0 ? ProgramCatalog.Corpus : ProgramCatalog.Resolve(options.Positional),
            Runs = Positive(options.Int("--runs", 3), "--runs"),
            Calls = Positive(options.Int("--calls", 5), "--calls"),
            Warmups = Math.Max(0, options.Int("--warmups", 1)),
            Size = (options.Value("--size") ?? "small") switch
            {
                "small" => ProgramSize.Small,
                "default" => ProgramSize.Default,
                string other => throw new UsageException($"--size is small or default, not '{other}'"),
            },
        };
        foreach (string value in values)
        {
            plan.ConfigFor(value);
        }
        return plan;
    }

    private static (SweepSetting, string) ParseFixed(string text)
    {
        string[] parts = text.Split('=', 2);
        return parts.Length == 2 ? (SweepSettings.Get(parts[0]), parts[1]) : throw new UsageException($"--set wants NAME=VALUE, not '{text}'");
    }

    private static int Positive(int value, string name) => value > 0 ? value : throw new UsageException($"{name} must be at least 1");

    /// <summary>Writes every output file of <paramref name="result"/> into <paramref name="folder"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(SweepResult result, string folder)
    {
        string timelines = Path.Combine(folder, "timelines");
        Directory.CreateDirectory(timelines);
        var files = new List<string>();
        void Text(string name, string content)
        {
            string path = Path.Combine(folder, name);
            File.WriteAllText(path, content);
            files.Add(path);
        }
        Text("sweep.json", result.ToJson());
        Text("summary.csv", result.SummaryCsv());
        Text("runs.csv", result.RunsCsv());
        Text("timeline.csv", result.TimelineCsv());

        string totalChart = Path.Combine(folder, "total-time.svg");
        SweepCharts.SaveSvg(SweepCharts.TimeAgainstSetting(result, s => s.TotalMs, "total time"), totalChart);
        string firstChart = Path.Combine(folder, "first-result.svg");
        SweepCharts.SaveSvg(SweepCharts.TimeAgainstSetting(result, s => s.FirstResultMs, "time to first result"), firstChart);
        files.AddRange([totalChart, firstChart]);

        foreach (SweepRun run in result.Runs.Where(r => r.Run == 1))
        {
            string path = Path.Combine(timelines, $"{FileName(run.Program)}-{FileName(run.Value)}.svg");
            int rows = run.Timeline.Select(e => e.FunctionIndex).Distinct().Count();
            SweepCharts.SaveSvg(SweepCharts.Timeline(result, run), path, SweepCharts.TimelineHeight(rows));
            files.Add(path);
        }
        return files;
    }

    private static string FileName(string text) => string.Concat(text.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    private static void PrintSummary(SweepResult result, TextWriter output)
    {
        string Ms(double ms) => ms.ToString("0.00", CultureInfo.InvariantCulture);
        output.WriteLine($"{"program",-12} {result.Setting,-12} {"total ms",10} {"first ms",10} " +
                         string.Join(" ", result.Tiers.Select(t => $"{"compile ms " + t,20} {"fns " + t,16}")));
        foreach (SweepSummary s in result.Summary)
        {
            output.WriteLine($"{s.Program,-12} {s.Value,-12} {Ms(s.TotalMs),10} {Ms(s.FirstResultMs),10} " +
                             string.Join(" ", result.Tiers.Select(t => $"{Ms(s.CompileMsByTier[t]),20} {s.FunctionsByTier[t],16}")));
        }
    }
}
