using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Engine.Benchmarks.Perf.Regression;

/// <summary>
/// <c>regress [--quick|--full] [--out FILE] [PATHS...]</c>: measures every phase of the corpus (and the named modules)
/// in every engine variant with BenchmarkDotNet, and writes a <see cref="PerfResult"/>.
/// </summary>
public static class RegressCommand
{
    public const string Usage = """
        usage: regress [--quick | --full] [--out FILE] [--artifacts DIR] [--programs NAME,...] [--engines NAME,...]
                       [--phases NAME,...] [--rounds N] [--arg N] [PATHS...]
          Measures decode-validate, compile, instantiate, execute and first-result of each program in every engine
          (our tier modes and the wasmtime reference) and writes the result JSON that 'compare' reads.
          --quick       small program arguments, short iterations, 2 rounds: a few minutes on 2 cores (the default)
          --full        default program arguments, long iterations, 3 rounds: the real measurement (tens of minutes)
          --out FILE    the result (default perf-out/perf-MODE.json at the repository root)
          --artifacts   BenchmarkDotNet's reports: full JSON, CSV of every measurement, markdown
                        (default perf-out/BenchmarkDotNet.Artifacts)
          --programs    only these corpus programs (default: all of Engine.Benchmarks/Programs)
          --engines     only these engines; the references (interpreter, wasmtime) are always measured
          --phases      only these phases
          --rounds N    measure every case N times over the run, pooling the samples (default 2 quick, 3 full), so
                        each case's samples span the run's drift instead of one moment of it
          --arg N       the argument of run(i32) for bare modules among PATHS (default 1)
          PATHS         more modules: .wasm files, folders of them, or programs.json manifests
        """;

    /// <summary>Runs the command; returns the exit code (0 done, 1 a case failed, 2 bad usage).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        RegressionPlan plan;
        string outPath;
        string artifacts;
        try
        {
            CommandOptions options = CommandOptions.Parse(args, ["--quick", "--full"], ["--out", "--artifacts", "--programs", "--engines", "--phases", "--rounds", "--arg"]);
            plan = CreatePlan(options);
            outPath = options.Value("--out", Path.Combine(BenchmarkFiles.OutputFolder, $"perf-{plan.Mode}.json"))!;
            artifacts = options.Value("--artifacts", Path.Combine(BenchmarkFiles.OutputFolder, "BenchmarkDotNet.Artifacts"))!;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
        }
        catch (Exception e) when (e is UsageException or ArgumentException)
        {
            output.WriteLine($"regress: {e.Message}");
            output.WriteLine(Usage);
            return 2;
        }

        var exporter = new PerfResultExporter(plan, outPath);
        int failed = 0;
        for (int round = 1; round <= plan.Rounds; round++)
        {
            output.WriteLine($"regress: round {round} of {plan.Rounds}");
            // BenchmarkDotNet's own reports of each round go to a folder of their own.
            string roundArtifacts = plan.Rounds == 1 ? artifacts : Path.Combine(artifacts, $"round-{round}");
            Summary summary = Measure(plan, RegressionConfig.Create(plan.Mode, roundArtifacts, exporter));
            failed += summary.Reports.Count(r => !r.Success) + summary.ValidationErrors.Count(e => e.IsCritical);
        }
        output.WriteLine();
        output.WriteLine($"regress: {exporter.Result?.Measurements.Count ?? 0} measurements ({plan.Mode}) written to {Path.GetFullPath(outPath)}");
        if (failed > 0)
        {
            output.WriteLine($"regress: {failed} case(s) failed; see the log above");
        }
        return failed == 0 ? 0 : 1;
    }

    /// <summary>The plan the options ask for.</summary>
    public static RegressionPlan CreatePlan(CommandOptions options)
    {
        if (options.Has("--quick") && options.Has("--full"))
        {
            throw new UsageException("--quick or --full, not both");
        }
        bool full = options.Has("--full");
        IReadOnlyList<string> names = options.List("--programs");
        var programs = (names.Count == 0 ? ProgramCatalog.Corpus : ProgramCatalog.Resolve(names)).ToList();
        programs.AddRange(ProgramCatalog.Resolve(options.Positional, options.Int("--arg", 1)));

        IReadOnlyList<string> engineNames = options.List("--engines");
        EngineVariant[] engines = EngineVariants.All
            .Where(e => e.IsReference || engineNames.Count == 0 || engineNames.Contains(e.Name))
            .ToArray();
        foreach (string name in engineNames)
        {
            EngineVariants.Get(name);
        }

        IReadOnlyList<string> phases = options.List("--phases");
        foreach (string phase in phases.Where(p => !Phases.All.Contains(p)))
        {
            throw new UsageException($"no phase '{phase}' (known: {string.Join(", ", Phases.All)})");
        }
        return new RegressionPlan
        {
            Mode = full ? "full" : "quick",
            Programs = programs.DistinctBy(p => p.Name).ToArray(),
            Engines = engines,
            PhaseNames = phases.Count == 0 ? Phases.All : phases,
            Size = full ? ProgramSize.Default : ProgramSize.Small,
            Rounds = options.Int("--rounds", RegressionConfig.DefaultRounds(full ? "full" : "quick")) is > 0 and int rounds
                ? rounds
                : throw new UsageException("--rounds must be at least 1"),
        };
    }

    /// <summary>Runs the plan's cases with BenchmarkDotNet (the combinations that do not apply are left out).</summary>
    public static Summary Measure(RegressionPlan plan, IConfig config)
    {
        RegressionPlan.Current = plan;
        BenchmarkRunInfo all = BenchmarkConverter.TypeToBenchmarks(typeof(PhaseBenchmarks), config);
        BenchmarkCase[] cases = all.BenchmarksCases
            .Where(c => plan.Includes((string)c.Parameters["Program"], (string)c.Parameters["Engine"], (string)c.Parameters["Phase"]))
            .ToArray();
        return BenchmarkRunner.Run(new BenchmarkRunInfo(cases, all.Type, all.Config));
    }
}
