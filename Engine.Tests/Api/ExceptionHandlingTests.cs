using Engine.Core;
using Engine.Runtime;
using NUnit.Framework;

namespace Engine.Tests.Api;

/// <summary>
/// Exception handling (3.0) through the embedding API: tags made by the host, exceptions thrown by host functions and
/// caught in wasm, wasm exceptions reaching the host as <see cref="TagException"/> and thrown back in, exceptions
/// unwinding through compiled frames, and exnrefs kept in globals across collections.
/// </summary>
[TestFixture]
public sealed class ExceptionHandlingTests
{
    /// <summary>Catches what $call (an import) throws with the host's tag, and rethrows what its catch_all_ref took.</summary>
    private const string Catcher = """
        (module
          (import "host" "tag" (tag $e (param i32)))
          (import "host" "call" (func $call (param i32)))
          (global $kept (mut exnref) (ref.null exn))
          (func $catch (export "catch") (param i32) (result i32)
            (block $got (result i32)
              (try_table (catch $e $got)
                (call $call (local.get 0)))
              (i32.const -1))
            (i32.const 1)
            (i32.add))
          (func (export "keep") (param i32)
            (block $got (result exnref)
              (try_table (catch_all_ref $got)
                (call $call (local.get 0)))
              (return))
            (global.set $kept))
          (func (export "rethrow-kept")
            (throw_ref (global.get $kept))))
        """;

    /// <summary>Throws with its own exported tag; $pass calls through a function of another module.</summary>
    private const string Thrower = """
        (module
          (tag $boom (export "boom") (param i32 i64))
          (func (export "throw") (param i32)
            (throw $boom (local.get 0) (i64.const 77))))
        """;

    /// <summary>No exception handling of its own, so compiled: exceptions of the module it calls pass through its frames.</summary>
    private const string Middle = """
        (module
          (import "thrower" "throw" (func $throw (param i32)))
          (func $deeper (export "pass") (param i32)
            (call $throw (i32.add (local.get 0) (i32.const 1)))))
        """;

    [TestCaseSource(nameof(Modes))]
    public void AHostFunctionThrowsWithAHostTagAndWasmCatchesIt(string mode)
    {
        using var store = new Store(new WasmEngine(ConfigFor(mode)));
        var tag = new Tag(store, ValType.I32);
        var linker = new Linker(store.Engine);
        linker.Define("host", "tag", tag);
        linker.DefineFunction("host", "call", (int n) =>
        {
            if (n > 0)
            {
                throw tag.Exception(Value.I32(n * 10));
            }
        });
        Instance instance = linker.Instantiate(store, Module.FromText(store.Engine, Catcher));
        for (int i = 0; i < 3; i++)
        {
            Assert.That(instance.GetFunction("catch")!.Invoke(Value.I32(4))[0].AsI32(), Is.EqualTo(41));
            Assert.That(instance.GetFunction("catch")!.Invoke(Value.I32(0))[0].AsI32(), Is.EqualTo(0));
        }
        AssertCompiled(store, mode, "catch");
    }

    [Test]
    public void AnUncaughtWasmExceptionReachesTheHostWithItsTagAndValues()
    {
        using var store = new Store(new WasmEngine());
        Instance thrower = new Linker(store.Engine).Instantiate(store, Module.FromText(store.Engine, Thrower));
        Tag boom = thrower.GetTag("boom")!;
        Assert.That(boom.Type, Is.EqualTo(new TagExternType(new FuncType([ValType.I32, ValType.I64], []))));
        var e = Assert.Throws<TagException>(() => thrower.GetFunction("throw")!.Invoke(Value.I32(5)))!;
        Assert.That(e.Tag, Is.SameAs(boom.Instance));
        Assert.That(boom.ValuesOf(e).Select(v => v.ToString()), Is.EqualTo(new[] { Value.I32(5).ToString(), Value.I64(77).ToString() }));
    }

    /// <summary>Calls the host (which calls the middle module) inside a try_table catching the thrower's tag.</summary>
    private const string CatcherOfBoom = """
        (module
          (import "host" "boom" (tag $boom (param i32 i64)))
          (import "host" "call" (func $call (param i32)))
          (func $catch (export "catch") (param i32) (result i32)
            (block $got (result i32 i64)
              (try_table (catch $boom $got)
                (call $call (local.get 0)))
              (return (i32.const -1)))
            (drop)
            (i32.const 1)
            (i32.add)))
        """;

    [TestCaseSource(nameof(Modes))]
    public void AWasmExceptionCrossesCompiledFramesAndTheHostAndIsCaughtInWasm(string mode)
    {
        using var store = new Store(new WasmEngine(ConfigFor(mode)));
        var linker = new Linker(store.Engine);
        Instance thrower = linker.Instantiate(store, Module.FromText(store.Engine, Thrower));
        linker.DefineInstance("thrower", thrower);
        Instance middle = linker.Instantiate(store, Module.FromText(store.Engine, Middle));
        Tag boom = thrower.GetTag("boom")!;
        // The host function calls wasm (the thrower, through the middle module's compiled frames), sees the exception
        // as a TagException, and lets it go on into the catching module.
        var host = new Linker(store.Engine);
        int seen = 0;
        host.DefineFunction("host", "call", (int n) =>
        {
            try
            {
                middle.GetFunction("pass")!.Invoke(Value.I32(n));
            }
            catch (TagException e) when (e.Tag == boom.Instance)
            {
                seen++;
                throw;
            }
        });
        // The catcher imports the thrower's tag.
        host.Define("host", "boom", boom);
        Instance catcher = host.Instantiate(store, Module.FromText(store.Engine, CatcherOfBoom));
        for (int i = 1; i <= 3; i++)
        {
            Assert.That(catcher.GetFunction("catch")!.Invoke(Value.I32(6))[0].AsI32(), Is.EqualTo(8), "the thrower added one, the catcher one more");
            Assert.That(seen, Is.EqualTo(i));
        }
        AssertCompiled(store, mode, "catch");
        if (mode != "interpreter")
        {
            Assert.That(store.Engine.TierStatistics.Promotions.Select(p => p.FunctionName), Does.Contain("deeper"),
                "the middle module's function ran compiled");
        }
    }

    [TestCaseSource(nameof(Modes))]
    public void AnExnrefKeptInAGlobalSurvivesCollectionsAndIsThrownAgain(string mode)
    {
        using var store = new Store(new WasmEngine(ConfigFor(mode)));
        var tag = new Tag(store, ValType.I32);
        var linker = new Linker(store.Engine);
        linker.Define("host", "tag", tag);
        linker.DefineFunction("host", "call", (int n) => throw tag.Exception(Value.I32(n)));
        Instance instance = linker.Instantiate(store, Module.FromText(store.Engine, Catcher));
        instance.GetFunction("keep")!.Invoke(Value.I32(123));
        store.Gc();
        store.Gc();
        var e = Assert.Throws<TagException>(() => instance.GetFunction("rethrow-kept")!.Invoke())!;
        Assert.That(e.Tag, Is.SameAs(tag.Instance));
        Assert.That(tag.ValuesOf(e)[0].AsI32(), Is.EqualTo(123));
        Assert.That(instance.GetFunction("catch")!.Invoke(Value.I32(9))[0].AsI32(), Is.EqualTo(10), "the store goes on working");
    }

    [TestCaseSource(nameof(Modes))]
    public void ThrowingANullExnrefTraps(string mode)
    {
        using var store = new Store(new WasmEngine(ConfigFor(mode)));
        var linker = new Linker(store.Engine);
        linker.Define("host", "tag", new Tag(store, ValType.I32));
        linker.DefineFunction("host", "call", (int n) => { });
        Instance instance = linker.Instantiate(store, Module.FromText(store.Engine, Catcher));
        var trap = Assert.Throws<TrapException>(() => instance.GetFunction("rethrow-kept")!.Invoke())!;
        Assert.That(trap.Code, Is.EqualTo(TrapCode.NullReference));
    }

    // ---- catching in every tier, and across tiers ----

    /// <summary>The tier modes: each tier alone, and tiered with thresholds of 1 (both hops, compiled synchronously).</summary>
    public static IEnumerable<string> Modes() => ["interpreter", "baseline", "optimizing", "tiered"];

    private static EngineConfig ConfigFor(string mode) => mode switch
    {
        "interpreter" => new EngineConfig { Tier = TierMode.Interpreter },
        "baseline" => new EngineConfig { Tier = TierMode.Baseline },
        "optimizing" => new EngineConfig { Tier = TierMode.Optimizing },
        "tiered" => new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, TierUpOptimizeThreshold = 1,
            BackgroundCompilation = false,
        },
        _ => throw new ArgumentException(mode, nameof(mode)),
    };

    /// <summary>In a machine-code mode: nothing fell back, and <paramref name="function"/> ran compiled.</summary>
    private static void AssertCompiled(Store store, string mode, string function)
    {
        if (mode == "interpreter")
        {
            return;
        }
        TierStatistics statistics = store.Engine.TierStatistics;
        Assert.That(statistics.Fallbacks, Is.Empty, "functions the tiers could not compile");
        Assert.That(statistics.Promotions.Select(p => p.FunctionName), Does.Contain(function), $"{function} ran compiled");
    }

    /// <summary>
    /// A thrower, a middle function and catchers of every shape, with an externref among the values: the catchers keep
    /// what they caught on the operand stack across a call that collects.
    /// </summary>
    private const string Chain = """
        (module
          (import "host" "collect" (func $collect))
          (tag $e (param i32 externref))
          (tag $other)
          (tag $n (param i32))
          (func $thrower (param i32 externref)
            (throw $e (local.get 0) (local.get 1)))
          (func $middle (param i32 externref)
            (call $thrower (i32.add (local.get 0) (i32.const 1)) (local.get 1)))
          (func $trapper (unreachable))
          (func $throw-n (param i32) (throw $n (local.get 0)))
          ;; catch to a block, then the values across a collection
          (func $catcher (export "catcher") (param i32 externref) (result i32 externref)
            (block $got (result i32 externref)
              (try_table (catch $e $got) (call $middle (local.get 0) (local.get 1)))
              (unreachable))
            (call $collect))
          ;; catch_all_ref, the exnref across a collection, thrown again to the enclosing try_table of the same function
          (func $rethrower (export "rethrower") (param i32 externref) (result i32 externref)
            (block $outer (result i32 externref)
              (try_table (catch $e $outer)
                (block $got (result exnref)
                  (try_table (catch_all_ref $got) (call $middle (local.get 0) (local.get 1)))
                  (unreachable))
                (call $collect)
                (throw_ref))
              (unreachable)))
          ;; catch_ref: the values and the exnref
          (func $catch-ref (export "catch-ref") (param i32 externref) (result i32 externref)
            (block $got (result i32 externref exnref)
              (try_table (catch_ref $e $got) (call $middle (local.get 0) (local.get 1)))
              (unreachable))
            (call $collect)
            (drop))
          ;; the inner try_table does not take it, the outer one does
          (func $nested (export "nested") (param i32 externref) (result i32 externref)
            (block $outer (result i32 externref)
              (try_table (catch $e $outer)
                (block $inner
                  (try_table (catch $other $inner) (call $middle (local.get 0) (local.get 1)))
                  (unreachable))
                (unreachable))
              (unreachable)))
          ;; a catch to the function's label returns
          (func $to-function (export "to-function") (param i32 externref) (result i32 externref)
            (try_table (catch $e 0) (call $middle (local.get 0) (local.get 1)))
            (unreachable))
          ;; a throw caught in its own function
          (func $local (export "local") (param i32 externref) (result i32 externref)
            (block $got (result i32 externref)
              (try_table (catch $e $got) (throw $e (local.get 0) (local.get 1)))
              (unreachable)))
          ;; a catch to a loop's label, n times
          (func $count (export "count") (param i32) (result i32)
            (local.get 0)
            (loop $again (param i32) (result i32)
              (local.set 0)
              (if (i32.eqz (local.get 0)) (then (return (i32.const 42))))
              (try_table (catch $n $again) (call $throw-n (i32.sub (local.get 0) (i32.const 1))))
              (unreachable)))
          ;; no clause takes it: it leaves the function
          (func $miss (export "miss") (param i32 externref)
            (try_table (catch $other 0) (call $middle (local.get 0) (local.get 1))))
          ;; traps are not caught
          (func $trap (export "trap")
            (try_table (catch_all 0) (call $trapper))))
        """;

    private static readonly string[] s_catchers = ["catcher", "rethrower", "catch-ref", "nested", "to-function", "local", "count", "miss", "trap"];

    /// <summary>Runs every catcher of <see cref="Chain"/> a few times with fresh host objects and collections in between.</summary>
    private static void RunChain(Store store)
    {
        var linker = new Linker(store.Engine);
        linker.DefineFunction("host", "collect", () => store.Gc());
        Instance instance = linker.Instantiate(store, Module.FromText(store.Engine, Chain));
        for (int round = 0; round < 4; round++)
        {
            foreach (string name in new[] { "catcher", "rethrower", "catch-ref", "nested", "to-function" })
            {
                var token = new object();
                Value[] results = instance.GetFunction(name)!.Invoke(Value.I32(round * 10), Value.ExternRef(token));
                Assert.That(results[0].AsI32(), Is.EqualTo(round * 10 + 1), name);
                Assert.That(results[1].AsExternRef(), Is.SameAs(token), name);
            }
            var own = new object();
            Value[] local = instance.GetFunction("local")!.Invoke(Value.I32(round), Value.ExternRef(own));
            Assert.That(local[0].AsI32(), Is.EqualTo(round));
            Assert.That(local[1].AsExternRef(), Is.SameAs(own));
            Assert.That(instance.GetFunction("count")!.Invoke(Value.I32(5 + round))[0].AsI32(), Is.EqualTo(42));
            var missed = Assert.Throws<TagException>(() => instance.GetFunction("miss")!.Invoke(Value.I32(round), Value.ExternRef("x")))!;
            Assert.That(missed.Payload[0], Is.EqualTo((ulong)(round + 1)));
            var trap = Assert.Throws<TrapException>(() => instance.GetFunction("trap")!.Invoke())!;
            Assert.That(trap.Code, Is.EqualTo(TrapCode.Unreachable));
            store.Gc();
        }
    }

    [TestCaseSource(nameof(Modes))]
    public void CatchesOfEveryShapeWithAnExternrefAcrossACollection(string mode)
    {
        using var store = new Store(new WasmEngine(ConfigFor(mode)));
        RunChain(store);
        AssertCompiled(store, mode, "rethrower");
    }

    /// <summary>Every assignment of the interpreter, the baseline and the optimizing tier to the thrower, the middle and the catchers.</summary>
    public static IEnumerable<TestCaseData> MixedTiers()
    {
        TierMode[] tiers = [TierMode.Interpreter, TierMode.Baseline, TierMode.Optimizing];
        foreach (TierMode thrower in tiers)
        {
            foreach (TierMode middle in tiers)
            {
                foreach (TierMode catcher in tiers)
                {
                    yield return new TestCaseData(thrower, middle, catcher).SetName($"thrower={thrower} middle={middle} catchers={catcher}");
                }
            }
        }
    }

    [TestCaseSource(nameof(MixedTiers))]
    public void ExceptionsUnwindAndAreCaughtAcrossTiers(TierMode thrower, TierMode middle, TierMode catcher)
    {
        var tiers = new Dictionary<string, TierMode> { ["thrower"] = thrower, ["throw-n"] = thrower, ["trapper"] = thrower, ["middle"] = middle };
        foreach (string name in s_catchers)
        {
            tiers[name] = catcher;
        }
        using var store = new Store(new WasmEngine(new EngineConfig
        {
            // Nothing tiers up by itself: only the forced functions are compiled.
            TierUpCallThreshold = int.MaxValue,
            TierUpLoopThreshold = int.MaxValue,
            FunctionTiers = tiers,
        }));
        RunChain(store);
        Assert.That(store.Engine.TierStatistics.Fallbacks, Is.Empty);
    }

    /// <summary>A v128 (two slots) among values of every other kind, caught from a callee, in the same function, and rethrown.</summary>
    private const string Vectors = """
        (module
          (tag $v (param i32 v128 f64 i64))
          (func $thrower (param i32) (throw $v (local.get 0) (v128.const i32x4 1 2 3 4) (f64.const 2.5) (i64.const -7)))
          (func $split (param i32 v128 f64 i64) (result i32 i32 f64 i64)
            (local.get 0) (i32x4.extract_lane 3 (local.get 1)) (local.get 2) (local.get 3))
          (func $catch (export "catch") (param i32) (result i32 i32 f64 i64)
            (block $got (result i32 v128 f64 i64)
              (try_table (catch $v $got) (call $thrower (local.get 0)))
              (unreachable))
            (call $split))
          (func $local (export "local") (param i32) (result i32 i32 f64 i64)
            (block $got (result i32 v128 f64 i64)
              (try_table (catch $v $got) (throw $v (local.get 0) (v128.const i32x4 5 6 7 8) (f64.const 1.5) (i64.const 9)))
              (unreachable))
            (call $split))
          (func $rethrow (export "rethrow") (param i32) (result i32 i32 f64 i64)
            (block $outer (result i32 v128 f64 i64)
              (try_table (catch $v $outer)
                (block $got (result i32 v128 f64 i64 exnref)
                  (try_table (catch_ref $v $got) (call $thrower (local.get 0)))
                  (unreachable))
                (throw_ref))
              (unreachable))
            (call $split)))
        """;

    [TestCaseSource(nameof(Modes))]
    public void AVectorAmongTheValuesIsDeliveredWhole(string mode)
    {
        using var store = new Store(new WasmEngine(ConfigFor(mode)));
        Instance instance = new Linker(store.Engine).Instantiate(store, Module.FromText(store.Engine, Vectors));
        for (int round = 0; round < 3; round++)
        {
            foreach (var (name, lane, f, l) in new[] { ("catch", 4, 2.5, -7L), ("local", 8, 1.5, 9L), ("rethrow", 4, 2.5, -7L) })
            {
                Value[] results = instance.GetFunction(name)!.Invoke(Value.I32(round + 3));
                Assert.That(results.Select(v => v.ToString()), Is.EqualTo(new[]
                {
                    Value.I32(round + 3).ToString(), Value.I32(lane).ToString(), Value.F64(f).ToString(), Value.I64(l).ToString(),
                }), name);
            }
        }
        AssertCompiled(store, mode, "rethrow");
    }

    /// <summary>Throws its externref parameter n times to itself, caught by catch and by catch_all.</summary>
    private const string Repeated = """
        (module
          (tag $e (param externref))
          (func $thrower (param externref) (throw $e (local.get 0)))
          (func $loop (export "loop") (param externref i32)
            (loop $again
              (block $got (result externref)
                (try_table (catch $e $got) (call $thrower (local.get 0)))
                (unreachable))
              (drop)
              (block $all
                (try_table (catch_all $all) (throw $e (local.get 0))))
              (br_if $again (local.tee 1 (i32.sub (local.get 1) (i32.const 1)))))))
        """;

    /// <summary>
    /// An exception compiled code throws and catches without an exnref, which never left compiled code, gives back the
    /// counts it held on its references: the argument's box goes at the next collections (the interpreter still keeps them
    /// until the store goes: tiers.md, *Exceptions*).
    /// </summary>
    [TestCase("baseline")]
    [TestCase("optimizing")]
    [TestCase("tiered")]
    public void ExceptionsCaughtInCompiledCodeReleaseTheirReferences(string mode)
    {
        using var store = new Store(new WasmEngine(ConfigFor(mode)));
        Instance instance = new Linker(store.Engine).Instantiate(store, Module.FromText(store.Engine, Repeated));
        Function loop = instance.GetFunction("loop")!;
        loop.Invoke(Value.ExternRef(new object()), Value.I32(3));
        store.Gc();
        store.Gc();
        long before = store.GcStatistics.BoxesAlive;
        loop.Invoke(Value.ExternRef(new object()), Value.I32(1000));
        store.Gc();
        store.Gc();
        Assert.That(store.GcStatistics.BoxesAlive, Is.LessThanOrEqualTo(before), "the argument's box is freed");
    }

    [Test]
    public void ExceptionHandlingIsInvalidWithTheFeatureSwitchedOff()
    {
        var engine = new WasmEngine(new EngineConfig { Features = WasmFeatures.Default & ~WasmFeatures.Exceptions });
        Assert.Throws<MalformedModuleException>(() => Module.FromText(engine, Thrower));
    }
}
