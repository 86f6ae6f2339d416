using BenchmarkDotNet.Attributes;

namespace Engine.Benchmarks.Perf.Regression;

/// <summary>
/// One phase of one program in one engine per benchmark case: the cases of <see cref="RegressionPlan.Current"/>.
/// Run by the <c>regress</c> command (which drops the combinations that do not apply), not by the switcher.
/// </summary>
public class PhaseBenchmarks
{
    private PhaseOperation? _operation;

    /// <summary>The program.</summary>
    [ParamsSource(nameof(ProgramNames), Priority = 0)]
    public string Program { get; set; } = "";

    /// <summary>The engine.</summary>
    [ParamsSource(nameof(EngineNames), Priority = 1)]
    public string Engine { get; set; } = "";

    /// <summary>The phase.</summary>
    [ParamsSource(nameof(PhaseNames), Priority = 2)]
    public string Phase { get; set; } = "";

    public static IEnumerable<string> ProgramNames => RegressionPlan.Current.Programs.Select(p => p.Name);

    public static IEnumerable<string> EngineNames => RegressionPlan.Current.Engines.Select(e => e.Name);

    public static IEnumerable<string> PhaseNames => RegressionPlan.Current.PhaseNames;

    [GlobalSetup]
    public void Setup()
    {
        RegressionPlan plan = RegressionPlan.Current;
        BenchProgram program = plan.Program(Program);
        _operation = EngineVariants.Get(Engine).Prepare(program, Phase, program.ArgumentFor(plan.Size));
    }

    [Benchmark]
    public long Measure() => _operation!.Run();

    [GlobalCleanup]
    public void Cleanup() => _operation?.Dispose();
}
