using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;
using Engine.Core;
using Engine.Runtime;
using Engine.Runtime.Diagnostics;
using NUnit.Framework;

namespace Engine.Tests.Perf;

/// <summary>
/// The engine's events and metrics as tracing tools see them: the "WasmEngine" event source (through an
/// in-process <see cref="EventListener"/>, as dotnet-trace would) and the "WasmEngine" meter (through a
/// <see cref="MeterListener"/>, as dotnet-counters would).
/// </summary>
[TestFixture]
public sealed class EngineEventsTests
{
    private const string Wat = """
        (module $demo
          (import "host" "collect" (func $collect))
          (import "host" "reenter" (func $reenter))
          (func $square (export "square") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
          (func $sum (export "sum") (param i32) (result i32)
            (i32.add (call $square (local.get 0)) (call $square (i32.const 2))))
          (func (export "gc") (param externref) (call $collect))
          (func (export "boom") unreachable)
          (func (export "nested") (call $reenter)))
        """;

    /// <summary>A loop counting to n: hot by calls or by its loop.</summary>
    private const string Counter = """
        (module $demo
          (func $count (export "count") (param $n i32) (result i32)
            (local $i i32)
            (loop $l
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $i)))
        """;

    /// <summary>Collects the events of one engine.</summary>
    private sealed class EngineEventCollector(long engineId) : EventListener
    {
        public ConcurrentQueue<EventWrittenEventArgs> Events { get; } = new();

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "WasmEngine")
            {
                EnableEvents(source, EventLevel.Verbose, EventKeywords.All);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.Payload is { Count: > 0 } payload && payload[0] is long id && id == engineId)
            {
                Events.Enqueue(e);
            }
        }

        public IEnumerable<EventWrittenEventArgs> Named(string name) => Events.Where(e => e.EventName == name);
    }

    private static (WasmEngine Engine, Store Store, Instance Instance) Instantiate()
    {
        var engine = new WasmEngine();
        var store = new Store(engine);
        var linker = new Linker(engine);
        Instance? instance = null;
        linker.DefineFunction("host", "collect", () => store.Gc());
        linker.DefineFunction("host", "reenter", () => { instance!.GetFunction("boom")!.Invoke(); });
        instance = linker.Instantiate(store, Module.FromText(engine, Wat));
        return (engine, store, instance);
    }

    [Test]
    public void EventSourceManifestIsValid()
    {
        Assert.That(WasmEngineEventSource.Log.Name, Is.EqualTo("WasmEngine"));
        Assert.That(WasmEngineEventSource.Log.ConstructionException, Is.Null);
        string? manifest = EventSource.GenerateManifest(typeof(WasmEngineEventSource), "Engine.Runtime.dll", EventManifestOptions.Strict);
        Assert.That(manifest, Does.Contain("FunctionPromoted").And.Contain("CompilationFinished").And.Contain("GcCollection"));
    }

    [Test]
    public void TranslationsInstantiationsAndTrapsAreTraced()
    {
        var engine = new WasmEngine();
        using var collector = new EngineEventCollector(engine.Id);
        using var store = new Store(engine);
        var linker = new Linker(engine);
        Instance instance = linker.Instantiate(store, Module.FromText(engine, """
            (module $demo
              (func $square (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
              (func (export "sum") (param i32) (result i32) (i32.add (call $square (local.get 0)) (call $square (i32.const 2))))
              (func (export "boom") unreachable))
            """, "demo"));

        Assert.That(instance.GetFunction("sum")!.AsFunc<int, int>()(3), Is.EqualTo(13));
        Assert.Throws<TrapException>(() => instance.GetFunction("boom")!.Invoke());

        EventWrittenEventArgs instantiated = collector.Named("Instantiated").Single();
        Assert.That(instantiated.Payload![1], Is.EqualTo("demo"));
        Assert.That((double)instantiated.Payload[2]!, Is.GreaterThanOrEqualTo(0));

        var translated = collector.Named("FunctionTranslated").ToList();
        Assert.That(translated.Select(e => (int)e.Payload![2]!), Is.EquivalentTo(new[] { 0, 1, 2 }));
        EventWrittenEventArgs square = translated.Single(e => (int)e.Payload![2]! == 0);
        Assert.That(square.Payload![3], Is.EqualTo("square"));
        Assert.That((int)square.Payload[4]!, Is.GreaterThan(0), "wasm bytes");
        Assert.That((int)square.Payload[5]!, Is.GreaterThan(0), "interpreter code bytes");

        EventWrittenEventArgs trap = collector.Named("Trap").Single();
        Assert.That(trap.Payload![1], Is.EqualTo(nameof(TrapCode.Unreachable)));
    }

    [Test]
    public void TierUpIsTracedAsCompilationsAndPromotions()
    {
        var engine = new WasmEngine(new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 3, TierUpLoopThreshold = 50, BackgroundCompilation = false,
        });
        using var collector = new EngineEventCollector(engine.Id);
        using var store = new Store(engine);
        Instance instance = new Linker(engine).Instantiate(store, Module.FromText(engine, Counter, "demo"));

        Assert.That(instance.GetFunction("count")!.AsFunc<int, int>()(100), Is.EqualTo(100));

        EventWrittenEventArgs started = collector.Named("CompilationStarted").Single();
        Assert.That((started.Payload![1], started.Payload[2], started.Payload[3]), Is.EqualTo(("demo", 0, "count")));
        Assert.That((started.Payload[4], started.Payload[5]), Is.EqualTo((TierNames.Baseline, false)), "tier, in the background");
        EventWrittenEventArgs finished = collector.Named("CompilationFinished").Single();
        Assert.That((int)finished.Payload![5]!, Is.EqualTo(engine.TierStatistics.Promotions.Single().CodeSize), "code bytes");
        EventWrittenEventArgs promoted = collector.Named("FunctionPromoted").Single();
        Assert.That((promoted.Payload![4], promoted.Payload[5]), Is.EqualTo((TierNames.Interpreter, TierNames.Baseline)));
        Assert.That(promoted.Payload[7], Is.EqualTo(50L), "loop iterations counted: the loop threshold");
    }

    /// <summary>Calls "count" of a fresh instance of <see cref="Counter"/> until its baseline code is published (at most 30 s).</summary>
    private static void RunUntilPromoted(WasmEngine engine, Store store)
    {
        Func<int, int> count = new Linker(engine).Instantiate(store, Module.FromText(engine, Counter, "demo")).GetFunction("count")!.AsFunc<int, int>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (engine.TierStatistics.Promotions.Count == 0 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            Assert.That(count(1), Is.EqualTo(1));
            Thread.Sleep(1);
        }
        Assert.That(engine.TierStatistics.Promotions, Has.Count.EqualTo(1));
    }

    /// <summary>
    /// With background compilation, a small hot function is compiled by the thread that made it hot within
    /// <see cref="EngineConfig.ProgramThreadCompileSize"/> and <see cref="EngineConfig.ProgramThreadCompileBudget"/>, else by
    /// the background thread (the CompilationStarted event says which).
    /// </summary>
    [TestCase(300, 5.0, false)]
    [TestCase(0, 5.0, true)]
    [TestCase(300, 0.0, true)]
    public void SmallFunctionsCompileOnTheProgramThreadWithinItsSettings(int size, double budgetMs, bool background)
    {
        // The program's thread compiles only once the background thread has compiled the tier in this process.
        using (var warmStore = new Store(new WasmEngine(new EngineConfig { TierUpCallThreshold = 2, TierUpOptimizeThreshold = 0 })))
        {
            RunUntilPromoted(warmStore.Engine, warmStore);
        }
        // It says so just after publishing.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!Engine.Runtime.Native.BackgroundCompiler.HasCompiled(TierMode.Baseline) && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(1);
        }
        var engine = new WasmEngine(new EngineConfig
        {
            TierUpCallThreshold = 2, TierUpOptimizeThreshold = 0,
            ProgramThreadCompileSize = size, ProgramThreadCompileBudget = TimeSpan.FromMilliseconds(budgetMs),
        });
        using var collector = new EngineEventCollector(engine.Id);
        using var store = new Store(engine);
        RunUntilPromoted(engine, store);
        EventWrittenEventArgs started = collector.Named("CompilationStarted").Single();
        Assert.That((started.Payload![4], started.Payload[5]), Is.EqualTo((TierNames.Baseline, background)), "tier, in the background");
    }

    [Test]
    public void ProgramThreadCompileSettingsMustNotBeNegative()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WasmEngine(new EngineConfig { ProgramThreadCompileSize = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WasmEngine(new EngineConfig { ProgramThreadCompileBudget = TimeSpan.FromMilliseconds(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WasmEngine(new EngineConfig { CompileWaitLimit = TimeSpan.FromMilliseconds(-1) }));
    }

    [Test]
    public void ATrapCrossingNestedEntriesIsReportedOnce()
    {
        (WasmEngine engine, Store store, Instance instance) = Instantiate();
        using var collector = new EngineEventCollector(engine.Id);
        using (store)
        {
            Assert.Throws<TrapException>(() => instance.GetFunction("nested")!.AsAction()());
        }
        Assert.That(collector.Named("Trap").Count(), Is.EqualTo(1));
    }

    [Test]
    public void CollectionsAreTracedWithTheirLiveCounts()
    {
        (WasmEngine engine, Store store, Instance instance) = Instantiate();
        using var collector = new EngineEventCollector(engine.Id);
        using (store)
        {
            instance.GetFunction("gc")!.AsAction<object?>()(new object());
        }
        EventWrittenEventArgs collection = collector.Named("GcCollection").Single();
        Assert.That(collection.Payload![2], Is.True, "complete");
        Assert.That((int)collection.Payload[4]!, Is.EqualTo(1), "the argument is live in the caller's frame");
    }

    [Test]
    public void OtherEnginesEventsCarryTheirOwnId()
    {
        var quiet = new WasmEngine();
        using var collector = new EngineEventCollector(quiet.Id);
        (WasmEngine engine, Store store, Instance instance) = Instantiate();
        using (store)
        {
            instance.GetFunction("sum")!.AsFunc<int, int>()(1);
        }
        Assert.That(engine.Id, Is.Not.EqualTo(quiet.Id));
        Assert.That(collector.Events, Is.Empty);
    }

    [Test]
    public void MetersRecordForDotnetCounters()
    {
        var measurements = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "WasmEngine")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measurements.AddOrUpdate(instrument.Name, value, (_, old) => old + value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => measurements.AddOrUpdate(instrument.Name, value, (_, old) => old + value));
        listener.Start();

        (_, Store store, Instance instance) = Instantiate();
        using (store)
        {
            instance.GetFunction("sum")!.AsFunc<int, int>()(1);
            instance.GetFunction("gc")!.AsAction<object?>()(null);
            Assert.Throws<TrapException>(() => instance.GetFunction("boom")!.Invoke());
        }

        Assert.That(measurements.Keys, Is.SupersetOf(new[]
        {
            "wasm.interpreter.translations", "wasm.interpreter.translated_bytes", "wasm.interpreter.translation.duration",
            "wasm.instantiations", "wasm.instantiation.duration", "wasm.gc.collections", "wasm.gc.duration", "wasm.traps",
        }));
        Assert.That(measurements["wasm.interpreter.translations"], Is.GreaterThanOrEqualTo(3));
    }
}
