using BenchmarkDotNet.Attributes;
using Engine.Runtime;

namespace Engine.Benchmarks;

/// <summary>
/// externref costs, ours and wasmtime's on the same modules: a host -> wasm -> host round trip of a
/// reference, a table.get/table.set loop, and a collection at the bottom of a deep recursion that keeps
/// one reference live per frame (its cost should grow linearly with the depth).
/// </summary>
[MemoryDiagnoser]
public class GcBenchmarks
{
    private const string Wat = """
        (module
          (import "host" "echo" (func $echo (param externref) (result externref)))
          (import "host" "collect" (func $collect))
          (table $t 16 externref)
          (func (export "round_trip") (param externref) (result externref) (call $echo (local.get 0)))
          (func (export "table_loop") (param $r externref) (param $n i32) (local $i i32)
            (table.set $t (i32.const 0) (local.get $r))
            (loop $l
              (table.set $t (i32.and (i32.add (local.get $i) (i32.const 1)) (i32.const 15))
                            (table.get $t (i32.and (local.get $i) (i32.const 15))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
          (func $deep (export "deep") (param $r externref) (param $n i32)
            (if (i32.eqz (local.get $n))
              (then (call $collect))
              (else (call $deep (local.get $r) (i32.sub (local.get $n) (i32.const 1)))
                    (drop (local.get $r))))))
        """;

    private readonly object _payload = new();
    private Store _store = null!;
    private Func<object?, object?> _roundTrip = null!;
    private Action<object?, int> _tableLoop = null!;
    private Action<object?, int> _deep = null!;

    private Wasmtime.Engine _wtEngine = null!;
    private Wasmtime.Store _wtStore = null!;
    private Func<object?, object?> _wtRoundTrip = null!;
    private Action<object?, int> _wtTableLoop = null!;
    private Action<object?, int> _wtDeep = null!;

    /// <summary>Recursion depth for the collection benchmark.</summary>
    [Params(100, 1000, 10000)]
    public int Depth { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var engine = new WasmEngine();
        _store = new Store(engine);
        var linker = new Linker(engine);
        linker.DefineFunction("host", "echo", (object? o) => o);
        linker.DefineFunction("host", "collect", () => _store.Gc());
        Instance instance = linker.Instantiate(_store, Module.FromText(engine, Wat));
        _roundTrip = instance.GetFunction("round_trip")!.AsFunc<object?, object?>();
        _tableLoop = instance.GetFunction("table_loop")!.AsAction<object?, int>();
        _deep = instance.GetFunction("deep")!.AsAction<object?, int>();

        _wtEngine = new Wasmtime.Engine();
        _wtStore = new Wasmtime.Store(_wtEngine);
        var wtLinker = new Wasmtime.Linker(_wtEngine);
        wtLinker.DefineFunction("host", "echo", (object? o) => o);
        wtLinker.DefineFunction("host", "collect", () => _wtStore.GC());
        var wtInstance = wtLinker.Instantiate(_wtStore, Wasmtime.Module.FromText(_wtEngine, "gc", Wat));
        _wtRoundTrip = wtInstance.GetFunction<object?, object?>("round_trip")!;
        _wtTableLoop = wtInstance.GetAction<object?, int>("table_loop")!;
        _wtDeep = wtInstance.GetAction<object?, int>("deep")!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _wtStore.Dispose();
        _wtEngine.Dispose();
    }

    [Benchmark(OperationsPerInvoke = 1000)]
    public object? RoundTrip()
    {
        object? last = null;
        for (int i = 0; i < 1000; i++)
        {
            last = _roundTrip(_payload);
        }
        return last;
    }

    [Benchmark(OperationsPerInvoke = 1000)]
    public object? RoundTripWasmtime()
    {
        object? last = null;
        for (int i = 0; i < 1000; i++)
        {
            last = _wtRoundTrip(_payload);
        }
        return last;
    }

    [Benchmark]
    public void TableLoop() => _tableLoop(_payload, 100_000);

    [Benchmark]
    public void TableLoopWasmtime() => _wtTableLoop(_payload, 100_000);

    [Benchmark]
    public void CollectionOverDeepStack() => _deep(_payload, Depth);

    [Benchmark]
    public void CollectionOverDeepStackWasmtime() => _wtDeep(_payload, Depth);
}
