namespace Engine.Benchmarks.Perf.Regression;

/// <summary>What a regression run measures: programs x engines x phases, at one program size.</summary>
public sealed record RegressionPlan
{
    /// <summary>quick or full.</summary>
    public required string Mode { get; init; }

    /// <summary>The programs.</summary>
    public required IReadOnlyList<BenchProgram> Programs { get; init; }

    /// <summary>The engines (always including the references).</summary>
    public required IReadOnlyList<EngineVariant> Engines { get; init; }

    /// <summary>The phases.</summary>
    public IReadOnlyList<string> PhaseNames { get; init; } = Phases.All;

    /// <summary>How much work each run call does.</summary>
    public required ProgramSize Size { get; init; }

    /// <summary>How many times every case is measured (see <see cref="RegressionConfig.DefaultRounds"/>).</summary>
    public int Rounds { get; init; } = RegressionConfig.DefaultRounds("quick");

    /// <summary>
    /// The plan <see cref="PhaseBenchmarks"/> measures. BenchmarkDotNet runs it in this process (in-process
    /// toolchain), so the command sets it before starting the run.
    /// </summary>
    public static RegressionPlan Current { get; set; } = new()
    {
        Mode = "full",
        Programs = ProgramCatalog.Corpus,
        Engines = EngineVariants.All,
        Size = ProgramSize.Default,
    };

    /// <summary>The program called <paramref name="name"/>.</summary>
    public BenchProgram Program(string name) => Programs.First(p => p.Name == name);

    /// <summary>True when (program, engine, phase) is measured.</summary>
    public bool Includes(string program, string engine, string phase) =>
        PhaseNames.Contains(phase) && EngineVariants.Get(engine).Applies(Program(program), phase);
}
