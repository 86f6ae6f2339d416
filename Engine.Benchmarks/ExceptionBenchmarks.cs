using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Engine.Runtime;

namespace Engine.Benchmarks;

/// <summary>
/// A throw/catch round trip in each tier and in wasmtime (Cranelift): wasm throws with one value, and wasm catches it one
/// frame up, in a <c>try_table</c> around the call. Each operation makes <see cref="RoundTrips"/> of them, so the rows
/// read as time per round trip. The modes run one after the other in one BenchmarkDotNet run (compare within a run).
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
public class ExceptionBenchmarks
{
    /// <summary>Round trips per operation.</summary>
    public const int RoundTrips = 20_000;

    /// <summary>run(n): n throws of $e by $thrower, each caught by run's try_table; returns the sum of the values caught.</summary>
    public const string Wat = """
        (module
          (tag $e (param i32))
          (func $thrower (param i32)
            (throw $e (local.get 0)))
          (func (export "run") (param $n i32) (result i32)
            (local $sum i32)
            (loop $again
              (block $caught (result i32)
                (try_table (catch $e $caught)
                  (call $thrower (i32.const 1)))
                (unreachable))
              (local.set $sum (i32.add (local.get $sum)))
              (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
            (local.get $sum)))
        """;

    private readonly List<Store> _stores = new();
    private Function? _interpreter, _baseline, _optimizing, _tiered;
    private global::Wasmtime.Engine? _wasmtimeEngine;
    private global::Wasmtime.Store? _wasmtimeStore;
    private Func<int, int>? _wasmtime;

    [GlobalSetup]
    public void Setup()
    {
        _interpreter = Load(new EngineConfig { Tier = TierMode.Interpreter });
        _baseline = Load(new EngineConfig { Tier = TierMode.Baseline });
        _optimizing = Load(new EngineConfig { Tier = TierMode.Optimizing });
        _tiered = Load(new EngineConfig { Tier = TierMode.Tiered });
        _wasmtimeEngine = new global::Wasmtime.Engine(new global::Wasmtime.Config().WithExceptions(true));
        _wasmtimeStore = new global::Wasmtime.Store(_wasmtimeEngine);
        var module = global::Wasmtime.Module.FromText(_wasmtimeEngine, "exceptions", Wat);
        _wasmtime = new global::Wasmtime.Linker(_wasmtimeEngine).Instantiate(_wasmtimeStore, module).GetFunction<int, int>("run")!;
        // Warm up (tiered mode promotes) and check every mode's answer.
        foreach (Func<int> run in new Func<int>[] { Interpreter, Baseline, Optimizing, Tiered, Tiered, Wasmtime })
        {
            if (run() != RoundTrips)
            {
                throw new InvalidOperationException($"run({RoundTrips}) = {run()}");
            }
        }
    }

    private Function Load(EngineConfig config)
    {
        var engine = new WasmEngine(config);
        var store = new Store(engine);
        _stores.Add(store);
        return new Linker(engine).Instantiate(store, Module.FromText(engine, Wat)).GetFunction("run")!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (Store store in _stores)
        {
            store.Dispose();
        }
        _wasmtimeStore?.Dispose();
        _wasmtimeEngine?.Dispose();
    }

    private static int Run(Function run) => run.Invoke(Value.I32(RoundTrips))[0].AsI32();

    [Benchmark(OperationsPerInvoke = RoundTrips)]
    public int Interpreter() => Run(_interpreter!);

    [Benchmark(OperationsPerInvoke = RoundTrips)]
    public int Baseline() => Run(_baseline!);

    [Benchmark(OperationsPerInvoke = RoundTrips)]
    public int Optimizing() => Run(_optimizing!);

    [Benchmark(OperationsPerInvoke = RoundTrips)]
    public int Tiered() => Run(_tiered!);

    [Benchmark(OperationsPerInvoke = RoundTrips, Baseline = true)]
    public int Wasmtime() => _wasmtime!(RoundTrips);
}

/// <summary>
/// Short runs in the benchmark's own process, for benchmarks whose operations take milliseconds (ExceptionBenchmarks,
/// TailCallBenchmarks): nothing to build per run.
/// </summary>
public sealed class InProcessShortRunConfig : BenchmarkDotNet.Configs.ManualConfig
{
    /// <summary>Two warm-ups, eight measured iterations, the median shown, the rows in declared order.</summary>
    public InProcessShortRunConfig()
    {
        AddJob(BenchmarkDotNet.Jobs.Job.Default
            .WithWarmupCount(2)
            .WithIterationCount(8)
            // In process: nothing to build per run (the boilerplate project's build timed out on the loaded VM).
            .WithToolchain(BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance)
            .WithId("in-process"));
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
        HideColumns("Error", "StdDev");
    }
}
