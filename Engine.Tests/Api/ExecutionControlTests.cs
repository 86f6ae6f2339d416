using Engine.Core;
using Engine.Runtime;
using NUnit.Framework;

namespace Engine.Tests.Api;

/// <summary>Traps, host exceptions, deep recursion, limits, interruption, fuel and concurrent stores.</summary>
[TestFixture]
public sealed class ExecutionControlTests
{
    private sealed class HostFailure(string message) : Exception(message);

    [Test]
    public void TrapCarriesKindAndBacktraceWithNames()
    {
        var engine = new WasmEngine();
        using var store = new Store(engine);
        Instance instance = new Linker(engine).Instantiate(store, Module.FromText(engine, """
            (module
              (func $inner (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
              (func $outer (export "outer") (param i32) (result i32) (call $inner (local.get 0))))
            """));
        var trap = Assert.Throws<TrapException>(() => instance.GetFunction("outer")!.Invoke(Value.I32(0)))!;

        Assert.That(trap.Code, Is.EqualTo(TrapCode.IntegerDivideByZero));
        Assert.That(trap.WasmBacktrace.Select(f => f.FunctionName), Is.EqualTo(new[] { "inner", "outer" }));
        Assert.That(trap.WasmBacktrace[0].ModuleOffset, Is.GreaterThan(0));
        Assert.That(trap.ToString(), Does.Contain("wasm backtrace").And.Contain("inner @ 0x"));
        Assert.That(instance.GetFunction("outer")!.Invoke(Value.I32(1))[0].AsI32(), Is.EqualTo(1), "usable after a trap");
    }

    [Test]
    public void HostExceptionsCrossNestedCallsUnchanged()
    {
        var engine = new WasmEngine();
        using var store = new Store(engine);
        var linker = new Linker(engine);
        Function? reenter = null;
        int depth = 0;
        linker.DefineFunction("host", "call", (int n) =>
        {
            depth = Math.Max(depth, n);
            if (n == 0)
            {
                throw new HostFailure("from the innermost host call");
            }
            return reenter!.AsFunc<int, int>()(n - 1);
        });
        Instance instance = linker.Instantiate(store, Module.FromText(engine, """
            (module
              (import "host" "call" (func $host (param i32) (result i32)))
              (func $wasm (export "wasm") (param i32) (result i32) (call $host (local.get 0))))
            """));
        reenter = instance.GetFunction("wasm");

        var failure = Assert.Throws<HostFailure>(() => reenter!.Invoke(Value.I32(3)))!;

        Assert.That(failure.Message, Is.EqualTo("from the innermost host call"));
        Assert.That(depth, Is.EqualTo(3));
        Assert.That(WasmBacktrace.Get(failure).Select(f => f.FunctionName), Is.EqualTo(Enumerable.Repeat("wasm", 4)),
            "the four wasm frames the exception crossed");
        Assert.Throws<HostFailure>(() => reenter!.Invoke(Value.I32(0)), "the store stays usable");
    }

    [Test]
    public void DeepRecursionIsATrapInWasmAndThroughTheHost()
    {
        var engine = new WasmEngine();
        using var store = new Store(engine);
        var linker = new Linker(engine);
        Function? wasm = null;
        linker.DefineFunction("host", "again", () => { wasm!.Invoke(); });
        Instance instance = linker.Instantiate(store, Module.FromText(engine, """
            (module
              (import "host" "again" (func $again))
              (func $self (export "self") (call $self))
              (func (export "through_host") (call $again)))
            """));
        wasm = instance.GetFunction("through_host");

        Assert.That(Assert.Throws<TrapException>(() => instance.GetFunction("self")!.Invoke())!.Code, Is.EqualTo(TrapCode.StackExhausted));
        Assert.That(Assert.Throws<TrapException>(() => wasm!.Invoke())!.Code, Is.EqualTo(TrapCode.StackExhausted));
    }

    [Test]
    public void StoreLimitsFailGrowthAndInstantiationCleanly()
    {
        var engine = new WasmEngine();
        using var store = new Store(engine, new StoreLimits { MemoryPages = 2, TableElements = 10, Instances = 2 });
        var linker = new Linker(engine);
        Instance instance = linker.Instantiate(store, Module.FromText(engine, """
            (module (memory 1) (table 1 funcref)
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
              (func (export "tgrow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))
            """));
        Assert.That(instance.GetFunction("grow")!.AsFunc<int, int>()(1), Is.EqualTo(1));
        Assert.That(instance.GetFunction("grow")!.AsFunc<int, int>()(1), Is.EqualTo(-1));
        Assert.That(instance.GetFunction("tgrow")!.AsFunc<int, int>()(9), Is.EqualTo(1));
        Assert.That(instance.GetFunction("tgrow")!.AsFunc<int, int>()(1), Is.EqualTo(-1));
        Assert.Throws<ResourceLimitException>(() => linker.Instantiate(store, Module.FromText(engine, "(module (memory 3))")));
        linker.Instantiate(store, Module.FromText(engine, "(module)"));
        Assert.Throws<ResourceLimitException>(() => linker.Instantiate(store, Module.FromText(engine, "(module)")));
    }

    private const string Spin = """
        (module (func (export "spin") (loop $l (br $l)))
                (func (export "ok") (result i32) (i32.const 1)))
        """;

    [Test]
    public void AnotherThreadInterruptsRunningWasm()
    {
        var engine = new WasmEngine(new EngineConfig { EpochInterruption = true });
        using var store = new Store(engine);
        Instance instance = new Linker(engine).Instantiate(store, Module.FromText(engine, Spin));
        store.SetEpochDeadline(1);
        using var timer = new Timer(_ => engine.IncrementEpoch(), null, 100, Timeout.Infinite);

        var trap = Assert.Throws<TrapException>(() => instance.GetFunction("spin")!.Invoke())!;

        Assert.That(trap.Code, Is.EqualTo(TrapCode.Interrupted));
        store.SetEpochDeadline(1);
        Assert.That(instance.GetFunction("ok")!.Invoke()[0].AsI32(), Is.EqualTo(1), "usable afterwards");
    }

    [Test]
    public void FuelRunsOutAndCanBeRefilled()
    {
        var engine = new WasmEngine(new EngineConfig { ConsumeFuel = true });
        using var store = new Store(engine);
        Instance instance = new Linker(engine).Instantiate(store, Module.FromText(engine, Spin));
        store.SetFuel(10_000);

        Assert.That(Assert.Throws<TrapException>(() => instance.GetFunction("spin")!.Invoke())!.Code, Is.EqualTo(TrapCode.OutOfFuel));
        Assert.That(store.Fuel, Is.Zero);
        store.SetFuel(10);
        Assert.That(instance.GetFunction("ok")!.Invoke()[0].AsI32(), Is.EqualTo(1));
        Assert.That(store.Fuel, Is.LessThan(10));
    }

    [Test]
    public void SeveralStoresRunOnSeveralThreadsAtOnce()
    {
        var engine = new WasmEngine();
        Module module = Module.FromText(engine, """
            (module (memory 1)
              (func (export "sum") (param i32) (result i32) (local i32 i32)
                (loop $l
                  (i32.store (i32.and (local.get 1) (i32.const 0xfffc)) (local.get 1))
                  (local.set 2 (i32.add (local.get 2) (i32.load (i32.and (local.get 1) (i32.const 0xfffc)))))
                  (local.set 1 (i32.add (local.get 1) (i32.const 1)))
                  (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
                (local.get 2)))
            """);
        int[] results = new int[8];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            using var store = new Store(engine);
            Instance instance = new Linker(engine).Instantiate(store, module);
            results[i] = instance.GetFunction("sum")!.AsFunc<int, int>()(100_000 + i);
        });
        for (int i = 0; i < results.Length; i++)
        {
            int n = 100_000 + i;
            int expected = 0;
            for (int k = 0; k < n; k++)
            {
                expected += k;
            }
            Assert.That(results[i], Is.EqualTo(expected));
        }
    }
}
