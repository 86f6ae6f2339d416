using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Attributes;
using Engine.Runtime;

namespace Engine.Benchmarks;

/// <summary>
/// The corpus in our tiers and in the real wasmtime (Cranelift), side by side in one run: the ratio
/// between a tier's row and wasmtime's (the baseline row) is the figure that matters. Each call runs the
/// program once at its default size on an instance created in setup (compilation and instantiation are
/// not measured; in tiered mode the warm-up runs promote the hot code).
/// </summary>
[Config(typeof(ExecutionConfig))]
public class ExecutionBenchmarks
{
    private EngineRunner? _ours;
    private EngineRunner? _baseline;
    private EngineRunner? _optimizing;
    private EngineRunner? _tiered;
    private WasmtimeRunner? _wasmtime;
    private CorpusProgram _program = null!;

    /// <summary>The program of the corpus.</summary>
    [ParamsSource(nameof(ProgramNames))]
    public string Program { get; set; } = "";

    public static IEnumerable<string> ProgramNames => Corpus.Programs.Select(p => p.Name);

    [GlobalSetup(Target = nameof(Interpreter))]
    public void SetupInterpreter()
    {
        _program = Corpus.Get(Program);
        _ours = new EngineRunner(_program, new EngineConfig { Tier = TierMode.Interpreter });
        Check(_ours.Run(_program.DefaultArg));
    }

    [GlobalSetup(Target = nameof(Baseline))]
    public void SetupBaseline()
    {
        _program = Corpus.Get(Program);
        _baseline = new EngineRunner(_program, new EngineConfig { Tier = TierMode.Baseline });
        Check(_baseline.Run(_program.DefaultArg));
    }

    [GlobalSetup(Target = nameof(Optimizing))]
    public void SetupOptimizing()
    {
        _program = Corpus.Get(Program);
        _optimizing = new EngineRunner(_program, new EngineConfig { Tier = TierMode.Optimizing });
        Check(_optimizing.Run(_program.DefaultArg));
    }

    [GlobalSetup(Target = nameof(Tiered))]
    public void SetupTiered()
    {
        _program = Corpus.Get(Program);
        _tiered = new EngineRunner(_program, new EngineConfig { Tier = TierMode.Tiered });
        Check(_tiered.Run(_program.DefaultArg));
    }

    [GlobalSetup(Target = nameof(Wasmtime))]
    public void SetupWasmtime()
    {
        _program = Corpus.Get(Program);
        _wasmtime = new WasmtimeRunner(_program);
        Check(_wasmtime.Run(_program.DefaultArg));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours?.Dispose();
        _baseline?.Dispose();
        _optimizing?.Dispose();
        _tiered?.Dispose();
        _wasmtime?.Dispose();
    }

    [Benchmark]
    public long Interpreter() => _ours!.Run(_program.DefaultArg);

    [Benchmark]
    public long Baseline() => _baseline!.Run(_program.DefaultArg);

    [Benchmark]
    public long Optimizing() => _optimizing!.Run(_program.DefaultArg);

    [Benchmark]
    public long Tiered() => _tiered!.Run(_program.DefaultArg);

    [Benchmark(Baseline = true)]
    public long Wasmtime() => _wasmtime!.Run(_program.DefaultArg);

    private void Check(long result)
    {
        if (result != _program.ExpectedValue)
        {
            throw new InvalidOperationException($"{_program.Name}: run({_program.DefaultArg}) = {result}, expected {_program.ExpectedValue}");
        }
    }
}

/// <summary>Few, long iterations: each operation already runs 50-100 ms under wasmtime and seconds in the interpreter.</summary>
public sealed class ExecutionConfig : BenchmarkDotNet.Configs.ManualConfig
{
    public ExecutionConfig()
    {
        AddJob(BenchmarkDotNet.Jobs.Job.Default
            .WithWarmupCount(1)
            .WithIterationCount(5)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("corpus"));
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
        HideColumns("Error", "StdDev");
    }
}
