using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Engine.Runtime;

namespace Engine.Benchmarks;

/// <summary>
/// A <c>return_call</c> loop in each tier and in wasmtime (Cranelift, tail calls on): two functions tail-calling each
/// other, one call per step, entered once from the host per operation. Each operation makes <see cref="TailCalls"/> of
/// them, so the rows read as time per tail call. The modes run one after the other in one BenchmarkDotNet run (compare
/// within a run). The throw/catch round trip is <c>ExceptionBenchmarks</c>'s.
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
public class TailCallBenchmarks
{
    /// <summary>Tail calls per operation.</summary>
    public const int TailCalls = 1_000_000;

    /// <summary>run(n): n tail calls alternating between $even and $odd, each changing the accumulator.</summary>
    public const string Wat = """
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

    private readonly List<Store> _stores = new();
    private Func<int, int>? _interpreter, _baseline, _optimizing, _tiered;
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
        _wasmtimeEngine = new global::Wasmtime.Engine(new global::Wasmtime.Config().WithTailCalls(true));
        _wasmtimeStore = new global::Wasmtime.Store(_wasmtimeEngine);
        using var module = global::Wasmtime.Module.FromText(_wasmtimeEngine, "tail-calls", Wat);
        _wasmtime = new global::Wasmtime.Linker(_wasmtimeEngine).Instantiate(_wasmtimeStore, module).GetFunction<int, int>("run")!;
        // Warm up (tiered mode promotes) and check every mode's answer.
        int expected = Expected(TailCalls);
        foreach (Func<int> run in new Func<int>[] { Interpreter, Baseline, Optimizing, Tiered, Tiered, Wasmtime })
        {
            int result = run();
            if (result != expected)
            {
                throw new InvalidOperationException($"run({TailCalls}) = {result}, expected {expected}");
            }
        }
    }

    /// <summary>What run(<paramref name="n"/>) returns.</summary>
    private static int Expected(int n)
    {
        int acc = 0;
        for (int i = 0; i < n; i++)
        {
            acc = i % 2 == 0 ? acc + 3 : acc ^ 5;
        }
        return acc;
    }

    private Func<int, int> Load(EngineConfig config)
    {
        var engine = new WasmEngine(config);
        var store = new Store(engine);
        _stores.Add(store);
        return new Linker(engine).Instantiate(store, Module.FromText(engine, Wat)).GetFunction("run")!.AsFunc<int, int>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stores.ForEach(store => store.Dispose());
        _wasmtimeStore?.Dispose();
        _wasmtimeEngine?.Dispose();
    }

    [Benchmark(OperationsPerInvoke = TailCalls)]
    public int Interpreter() => _interpreter!(TailCalls);

    [Benchmark(OperationsPerInvoke = TailCalls)]
    public int Baseline() => _baseline!(TailCalls);

    [Benchmark(OperationsPerInvoke = TailCalls)]
    public int Optimizing() => _optimizing!(TailCalls);

    [Benchmark(OperationsPerInvoke = TailCalls)]
    public int Tiered() => _tiered!(TailCalls);

    [Benchmark(OperationsPerInvoke = TailCalls, Baseline = true)]
    public int Wasmtime() => _wasmtime!(TailCalls);
}
