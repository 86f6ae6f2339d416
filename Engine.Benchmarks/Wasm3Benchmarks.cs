using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Engine.Runtime;

namespace Engine.Benchmarks;

/// <summary>
/// Two 3.0 features per tier against wasmtime (Cranelift, its tail-call and exception features switched on):
/// a <c>return_call</c> loop (two functions tail-calling each other, one call per step) and a throw/catch round trip
/// (wasm throws, its caller catches one frame up with try_table). One operation is <see cref="TailCalls"/> tail calls or
/// <see cref="RoundTrips"/> round trips, entered once from the host; tiers.md quotes the medians per call and per trip.
/// </summary>
[Config(typeof(Wasm3Config))]
public class Wasm3Benchmarks
{
    /// <summary>Tail calls per invocation.</summary>
    public const int TailCalls = 1_000_000;

    /// <summary>Throw/catch round trips per invocation.</summary>
    public const int RoundTrips = 2_000;

    /// <summary>The return_call loop, text format (both engines parse it).</summary>
    public const string TailCallWat = """
        (module
          (func $even (param $n i32) (param $acc i32) (result i32)
            (if (result i32) (i32.eqz (local.get $n))
              (then (local.get $acc))
              (else (return_call $odd (i32.sub (local.get $n) (i32.const 1)) (i32.add (local.get $acc) (i32.const 3))))))
          (func $odd (param $n i32) (param $acc i32) (result i32)
            (if (result i32) (i32.eqz (local.get $n))
              (then (local.get $acc))
              (else (return_call $even (i32.sub (local.get $n) (i32.const 1)) (i32.xor (local.get $acc) (i32.const 5))))))
          (func (export "run") (param $n i32) (result i32)
            (call $even (local.get $n) (i32.const 0))))
        """;

    /// <summary>
    /// The throw/catch round trip, a module of its own (so a tier that cannot compile exception handling leaves only
    /// these functions to the interpreter).
    /// </summary>
    public const string ThrowCatchWat = """
        (module
          (tag $e (param i32))
          (func $thrower (param $v i32)
            (throw $e (local.get $v)))
          (func (export "run") (param $n i32) (result i32)
            (local $sum i32)
            (loop $again
              (block $caught (result i32)
                (try_table (catch $e $caught)
                  (call $thrower (local.get $n)))
                (i32.const 0))
              (local.set $sum (i32.add (local.get $sum)))
              (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
            (local.get $sum)))
        """;

    /// <summary>Which workload: <c>return_call</c> or <c>throw_catch</c>.</summary>
    [Params("return_call", "throw_catch")]
    public string Case { get; set; } = "";

    private Store? _store;
    private Func<int, int>? _ours;
    private global::Wasmtime.Engine? _wasmtimeEngine;
    private global::Wasmtime.Store? _wasmtimeStore;
    private Func<int, int>? _wasmtime;

    private string Wat => Case == "return_call" ? TailCallWat : ThrowCatchWat;

    private int Argument => Case == "return_call" ? TailCalls : RoundTrips;

    /// <summary>What run(<see cref="Argument"/>) returns.</summary>
    private int Expected => Case == "return_call" ? ExpectedTailCalls(TailCalls) : RoundTrips * (RoundTrips + 1) / 2;

    private static int ExpectedTailCalls(int n)
    {
        int acc = 0;
        for (int i = 0; i < n; i++)
        {
            acc = i % 2 == 0 ? acc + 3 : acc ^ 5;
        }
        return acc;
    }

    private void SetUpOurs(EngineConfig config)
    {
        var engine = new WasmEngine(config);
        _store = new Store(engine);
        Instance instance = new Linker(engine).Instantiate(_store, Module.FromText(engine, Wat));
        _ours = instance.GetFunction("run")!.AsFunc<int, int>();
        Check(_ours(Argument));
    }

    [GlobalSetup(Target = nameof(Interpreter))]
    public void SetupInterpreter() => SetUpOurs(new EngineConfig { Tier = TierMode.Interpreter });

    [GlobalSetup(Target = nameof(Baseline))]
    public void SetupBaseline() => SetUpOurs(new EngineConfig { Tier = TierMode.Baseline });

    [GlobalSetup(Target = nameof(Optimizing))]
    public void SetupOptimizing() => SetUpOurs(new EngineConfig { Tier = TierMode.Optimizing });

    [GlobalSetup(Target = nameof(Tiered))]
    public void SetupTiered() => SetUpOurs(new EngineConfig { Tier = TierMode.Tiered });

    [GlobalSetup(Target = nameof(Wasmtime))]
    public void SetupWasmtime()
    {
        _wasmtimeEngine = new global::Wasmtime.Engine(new global::Wasmtime.Config().WithTailCalls(true).WithExceptions(true));
        using var module = global::Wasmtime.Module.FromText(_wasmtimeEngine, "wasm3", Wat);
        _wasmtimeStore = new global::Wasmtime.Store(_wasmtimeEngine);
        global::Wasmtime.Instance instance = new global::Wasmtime.Linker(_wasmtimeEngine).Instantiate(_wasmtimeStore, module);
        _wasmtime = instance.GetFunction<int, int>("run")!;
        Check(_wasmtime(Argument));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        _wasmtimeStore?.Dispose();
        _wasmtimeEngine?.Dispose();
    }

    [Benchmark]
    public int Interpreter() => _ours!(Argument);

    [Benchmark]
    public int Baseline() => _ours!(Argument);

    [Benchmark]
    public int Optimizing() => _ours!(Argument);

    [Benchmark]
    public int Tiered() => _ours!(Argument);

    [Benchmark(Baseline = true)]
    public int Wasmtime() => _wasmtime!(Argument);

    private void Check(int result)
    {
        if (result != Expected)
        {
            throw new InvalidOperationException($"{Case}: run({Argument}) = {result}, expected {Expected}");
        }
    }
}

/// <summary>
/// Short runs in the benchmark's own process (building a separate one timed out on the loaded 2-core machine): one
/// invocation already makes a million tail calls or thousands of throws.
/// </summary>
public sealed class Wasm3Config : BenchmarkDotNet.Configs.ManualConfig
{
    public Wasm3Config()
    {
        AddJob(BenchmarkDotNet.Jobs.Job.Default
            .WithWarmupCount(3)
            .WithIterationCount(9)
            .WithToolchain(BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance)
            .WithId("wasm3"));
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
        HideColumns("Error", "StdDev");
    }
}
