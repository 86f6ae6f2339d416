using Engine.Core;
using Engine.Runtime;
using NUnit.Framework;

namespace Engine.Tests.Api;

/// <summary>
/// Tail calls (<c>return_call</c>, <c>return_call_indirect</c>) in constant stack within and across tiers: a million
/// tail calls going round functions forced to different tiers, with signatures that grow past the caller's argument
/// area, through a table and into a host function; and backtraces after tail calls, which no longer show the
/// replaced frame (as in wasmtime).
/// </summary>
[TestFixture]
public sealed class TailCallTests
{
    /// <summary>
    /// $i -> $b -> $wide -> $o -> (through the table) $i ..., each hop one tail call counting n down and acc up; at 0 a
    /// tail call of the host's "done". $wide takes seven parameters, more than $b's argument area (two slots) holds.
    /// </summary>
    private const string Ring = """
        (module
          (type $t (func (param i32 i64) (result i64)))
          (import "host" "done" (func $done (param i32 i64) (result i64)))
          (table funcref (elem $i))
          (func $i (param $n i32) (param $acc i64) (result i64)
            (if (i32.eqz (local.get $n)) (then (return_call $done (local.get $n) (local.get $acc))))
            (return_call $b (i32.sub (local.get $n) (i32.const 1)) (i64.add (local.get $acc) (i64.const 1))))
          (func $b (param $n i32) (param $acc i64) (result i64)
            (if (i32.eqz (local.get $n)) (then (return_call $done (local.get $n) (local.get $acc))))
            (return_call $wide (i32.sub (local.get $n) (i32.const 1)) (local.get $acc)
              (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const -9)))
          (func $wide (param $n i32) (param $acc i64) (param i64 i64 i64 i64 i64) (result i64)
            (return_call $o (local.get $n)
              (i64.add (local.get $acc) (i64.add (i64.add (i64.add (local.get 2) (local.get 3))
                (i64.add (local.get 4) (local.get 5))) (local.get 6)))))
          (func $o (param $n i32) (param $acc i64) (result i64)
            (if (i32.eqz (local.get $n)) (then (return_call $done (local.get $n) (local.get $acc))))
            (return_call_indirect (type $t) (i32.sub (local.get $n) (i32.const 1)) (i64.add (local.get $acc) (i64.const 1))
              (i32.const 0)))
          (func (export "run") (param i32) (result i64)
            (call $i (local.get 0) (i64.const 0)))
          (func (export "enter") (param i32) (result i64)
            (return_call $i (local.get 0) (i64.const 0))))
        """;

    private static IEnumerable<TestCaseData> Assignments()
    {
        TierMode I = TierMode.Interpreter, B = TierMode.Baseline, O = TierMode.Optimizing;
        yield return new TestCaseData(I, B, O, O).SetName("i=interpreter b=baseline wide=optimizing o=optimizing");
        yield return new TestCaseData(B, I, O, I).SetName("i=baseline b=interpreter wide=optimizing o=interpreter");
        yield return new TestCaseData(O, B, I, B).SetName("i=optimizing b=baseline wide=interpreter o=baseline");
        yield return new TestCaseData(I, I, I, I).SetName("all interpreted");
        yield return new TestCaseData(B, B, B, B).SetName("all baseline");
        yield return new TestCaseData(O, O, O, O).SetName("all optimizing");
    }

    private static WasmEngine EngineWith(TierMode i, TierMode b, TierMode wide, TierMode o) => new(new EngineConfig
    {
        // Nothing tiers up by itself: only the forced functions are compiled.
        TierUpCallThreshold = int.MaxValue,
        TierUpLoopThreshold = int.MaxValue,
        FunctionTiers = new Dictionary<string, TierMode> { ["i"] = i, ["b"] = b, ["wide"] = wide, ["o"] = o },
    });

    private static Instance Instantiate(Store store)
    {
        var linker = new Linker(store.Engine);
        linker.DefineFunction("host", "done", (int n, long acc) => acc + 1_000_000_000L);
        return linker.Instantiate(store, Module.FromText(store.Engine, Ring));
    }

    /// <summary>Runs <paramref name="action"/> on a thread with a small stack: any growth per tail call would exhaust it.</summary>
    private static void OnSmallStack(Action action) => TestThreads.RunWithStack(1 << 20, action);

    // Every hop adds 1 but $wide's, which adds 1 + 2 + 3 + 4 - 9 = 1 as well: acc = number of hops.
    private const int Hops = 1_000_000;
    private const long Expected = Hops + 1_000_000_000L;

    [TestCaseSource(nameof(Assignments))]
    public void AMillionTailCallsAcrossTiersRunInConstantStack(TierMode i, TierMode b, TierMode wide, TierMode o)
    {
        OnSmallStack(() =>
        {
            using var store = new Store(EngineWith(i, b, wide, o));
            Instance instance = Instantiate(store);
            Assert.That(instance.GetFunction("run")!.Invoke(Value.I32(Hops))[0].AsI64(), Is.EqualTo(Expected), "called from wasm");
            Assert.That(instance.GetFunction("enter")!.Invoke(Value.I32(Hops))[0].AsI64(), Is.EqualTo(Expected), "tail-called from the host's entry");
            var forced = new Dictionary<string, TierMode> { ["i"] = i, ["b"] = b, ["wide"] = wide, ["o"] = o };
            // $i, $b and $o fit the register convention: optimized, they tail-call from a register frame.
            Assert.That(store.Engine.TierStatistics.Promotions.Select(p => (p.FunctionName, p.Tier)),
                Is.EquivalentTo(forced.Where(f => f.Value != TierMode.Interpreter).Select(f => ((string?)f.Key, f.Value))),
                "the functions forced to a machine-code tier run compiled, in that tier");
            Assert.That(store.Engine.TierStatistics.Fallbacks, Is.Empty);
            // The store is still usable afterwards, and the small counts agree too.
            Assert.That(instance.GetFunction("run")!.Invoke(Value.I32(3))[0].AsI64(), Is.EqualTo(3 + 1_000_000_000L));
        });
    }

    [Test]
    public void AMillionTailCallsRunInAnInterpreterOnlyEngine()
    {
        OnSmallStack(() =>
        {
            using var store = new Store(new WasmEngine(new EngineConfig { Tier = TierMode.Interpreter }));
            Instance instance = Instantiate(store);
            Assert.That(instance.GetFunction("run")!.Invoke(Value.I32(Hops))[0].AsI64(), Is.EqualTo(Expected));
            Assert.That(instance.GetFunction("enter")!.Invoke(Value.I32(Hops))[0].AsI64(), Is.EqualTo(Expected));
        });
    }

    /// <summary>$start calls $middle, which tail-calls $inner, which traps: $middle's frame is gone from the backtrace.</summary>
    private const string Replaced = """
        (module
          (func $start (export "start") (result i32)
            (i32.add (call $middle (i32.const 7)) (i32.const 1)))
          (func $middle (param i32) (result i32)
            (return_call $inner (local.get 0) (i64.const 5)))
          (func $inner (param i32 i64) (result i32)
            (if (i32.eq (local.get 0) (i32.const 7)) (then unreachable))
            (local.get 0)))
        """;

    [TestCase(TierMode.Interpreter, TierMode.Interpreter, TierMode.Interpreter)]
    [TestCase(TierMode.Interpreter, TierMode.Interpreter, TierMode.Baseline)]
    [TestCase(TierMode.Interpreter, TierMode.Baseline, TierMode.Interpreter)]
    [TestCase(TierMode.Baseline, TierMode.Baseline, TierMode.Baseline)]
    [TestCase(TierMode.Baseline, TierMode.Baseline, TierMode.Optimizing)]
    [TestCase(TierMode.Optimizing, TierMode.Interpreter, TierMode.Optimizing)]
    [TestCase(TierMode.Optimizing, TierMode.Optimizing, TierMode.Optimizing)]
    [TestCase(TierMode.Optimizing, TierMode.Baseline, TierMode.Optimizing)]
    [TestCase(TierMode.Optimizing, TierMode.Optimizing, TierMode.Baseline)]
    public void ATrapAfterATailCallShowsNoReplacedFrame(TierMode start, TierMode middle, TierMode inner)
    {
        using var store = new Store(new WasmEngine(new EngineConfig
        {
            TierUpCallThreshold = int.MaxValue,
            TierUpLoopThreshold = int.MaxValue,
            FunctionTiers = new Dictionary<string, TierMode> { ["start"] = start, ["middle"] = middle, ["inner"] = inner },
        }));
        Instance instance = new Linker(store.Engine).Instantiate(store, Module.FromText(store.Engine, Replaced));
        var trap = Assert.Throws<TrapException>(() => instance.GetFunction("start")!.Invoke())!;
        Assert.That(trap.Code, Is.EqualTo(TrapCode.Unreachable));
        Assert.That(trap.WasmBacktrace.Select(frame => frame.FunctionName), Is.EqualTo(new[] { "inner", "start" }));
        Assert.That(trap.WasmBacktrace.All(frame => frame.ModuleOffset > 0), Is.True);
    }

    /// <summary>
    /// $start (a register frame when optimized) calls $middle, which tail-calls $inner with more arguments than its own
    /// argument area holds, or $host; $start adds 1 to the result. Whatever tier each is in, the tail call either jumps
    /// to its callee (register entry to register entry) or is left to $start's call site (status 2), which must run it
    /// and go on with its own code: $start's "+ 1" is never skipped.
    /// </summary>
    private const string LeftToARegisterCaller = """
        (module
          (import "host" "h" (func $host (param i32 i64) (result i32)))
          (func $start (export "start") (param i32) (result i32)
            (i32.add (call $middle (local.get 0)) (i32.const 1)))
          (func $middle (param i32) (result i32)
            (if (i32.eqz (local.get 0)) (then (return_call $host (local.get 0) (i64.const 100))))
            (return_call $inner (local.get 0) (i64.const 5)))
          (func $inner (param i32 i64) (result i32)
            (i32.add (local.get 0) (i32.wrap_i64 (local.get 1))))
          (func $loop (export "loop") (param i32) (result i32)
            (local $sum i32)
            (loop $l
              (local.set $sum (i32.add (local.get $sum) (call $middle (local.get 0))))
              (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
            (local.get $sum)))
        """;

    private static IEnumerable<TestCaseData> RegisterCallerAssignments()
    {
        TierMode I = TierMode.Interpreter, B = TierMode.Baseline, O = TierMode.Optimizing;
        foreach (TierMode middle in new[] { I, B, O })
        {
            foreach (TierMode inner in new[] { I, B, O })
            {
                yield return new TestCaseData(O, middle, inner).SetName($"start=optimizing middle={TierModeNames.Name(middle)} inner={TierModeNames.Name(inner)}");
            }
        }
        yield return new TestCaseData(B, O, O).SetName("start=baseline middle=optimizing inner=optimizing");
        yield return new TestCaseData(I, O, B).SetName("start=interpreter middle=optimizing inner=baseline");
    }

    [TestCaseSource(nameof(RegisterCallerAssignments))]
    public void ACallerGoesOnAfterATailCallItsCalleeLeftToIt(TierMode start, TierMode middle, TierMode inner)
    {
        var forced = new Dictionary<string, TierMode> { ["start"] = start, ["middle"] = middle, ["inner"] = inner, ["loop"] = start };
        using var store = new Store(new WasmEngine(new EngineConfig
        {
            TierUpCallThreshold = int.MaxValue,
            TierUpLoopThreshold = int.MaxValue,
            FunctionTiers = forced,
        }));
        var linker = new Linker(store.Engine);
        linker.DefineFunction("host", "h", (int n, long k) => n + (int)k + 1000);
        Instance instance = linker.Instantiate(store, Module.FromText(store.Engine, LeftToARegisterCaller));
        Function run = instance.GetFunction("start")!;
        Assert.That(run.Invoke(Value.I32(7))[0].AsI32(), Is.EqualTo(7 + 5 + 1), "through $inner");
        Assert.That(run.Invoke(Value.I32(0))[0].AsI32(), Is.EqualTo(1100 + 1), "through the host");
        // 10,000 calls, each ending in a tail call: sum of (n + 5) for n = 10,000 .. 1.
        Assert.That(instance.GetFunction("loop")!.Invoke(Value.I32(10_000))[0].AsI32(), Is.EqualTo(10_000 * 10_001 / 2 + 5 * 10_000));
        Assert.That(store.Engine.TierStatistics.Promotions.Select(p => (p.FunctionName, p.Tier)),
            Is.EquivalentTo(forced.Where(f => f.Value != TierMode.Interpreter).Select(f => ((string?)f.Key, f.Value))));
    }

    /// <summary>
    /// A register frame's tail calls to another instance's function (imported, or through an imported table) must not
    /// enter its register entry, which would run it with the caller's vmctx: $f reads its own instance's global (42),
    /// the caller's instance has 7 at the same index.
    /// </summary>
    [TestCase(TierMode.Optimizing)]
    [TestCase(TierMode.Tiered)]
    public void TailCallsIntoAnotherInstanceRunWithItsState(TierMode tier)
    {
        using var store = new Store(new WasmEngine(new EngineConfig
        {
            Tier = tier, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, TierUpOptimizeThreshold = 1, BackgroundCompilation = false,
        }));
        var linker = new Linker(store.Engine);
        Instance a = linker.Instantiate(store, Module.FromText(store.Engine, """
            (module
              (global $g i32 (i32.const 42))
              (table (export "t") 1 funcref)
              (elem (i32.const 0) $f)
              (func $f (export "f") (param i32) (result i32) (i32.add (local.get 0) (global.get $g))))
            """));
        linker.DefineInstance("a", a);
        Instance b = linker.Instantiate(store, Module.FromText(store.Engine, """
            (module
              (import "a" "f" (func $f (param i32) (result i32)))
              (import "a" "t" (table 1 funcref))
              (global $g (mut i32) (i32.const 7))
              (type $t (func (param i32) (result i32)))
              (func $direct (export "direct") (param i32) (result i32) (return_call $f (local.get 0)))
              (func $indirect (export "indirect") (param i32) (result i32)
                (return_call_indirect (type $t) (local.get 0) (i32.const 0)))
              (func (export "both") (param i32) (result i32)
                (i32.add (call $direct (local.get 0)) (call $indirect (i32.add (local.get 0) (global.get $g))))))
            """));
        for (int round = 0; round < 3; round++)
        {
            Assert.That(b.GetFunction("direct")!.Invoke(Value.I32(1))[0].AsI32(), Is.EqualTo(43));
            Assert.That(b.GetFunction("indirect")!.Invoke(Value.I32(2))[0].AsI32(), Is.EqualTo(44));
            Assert.That(b.GetFunction("both")!.Invoke(Value.I32(1))[0].AsI32(), Is.EqualTo(43 + 50));
        }
    }

    /// <summary>
    /// Integer and float arguments of tail calls in the register convention (a register frame jumping to a register entry
    /// with its arguments in rcx, rdx, rsi / xmm0, xmm1), direct and through a table, agree in every tier.
    /// </summary>
    [TestCase(TierMode.Interpreter)]
    [TestCase(TierMode.Baseline)]
    [TestCase(TierMode.Optimizing)]
    [TestCase(TierMode.Tiered)]
    public void MixedArgumentsOfRegisterTailCalls(TierMode tier)
    {
        const string script = """
            (module
              (type $t (func (param i32 i64 f64 f32 i32) (result f64)))
              (table funcref (elem $a $b))
              (func $a (type $t)
                (if (i32.eqz (local.get 0)) (then (return (f64.add (local.get 2) (f64.promote_f32 (local.get 3))))))
                (return_call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1)) (i64.add (local.get 1) (i64.const 1))
                  (f64.add (local.get 2) (f64.const 0.5)) (local.get 3) (local.get 4) (local.get 4)))
              (func $b (type $t)
                (return_call $a (local.get 0) (local.get 1) (local.get 2) (f32.add (local.get 3) (f32.const 1)) (i32.xor (local.get 4) (i32.const 1))))
              (func (export "run") (param i32) (result f64) (f64.add (call $a (local.get 0) (i64.const 0) (f64.const 0) (f32.const 0) (i32.const 1)) (f64.const 1000))))
            (assert_return (invoke "run" (i32.const 0)) (f64.const 1000))
            (assert_return (invoke "run" (i32.const 1)) (f64.const 1001.5))
            (assert_return (invoke "run" (i32.const 4)) (f64.const 1003))
            (assert_return (invoke "run" (i32.const 100000)) (f64.const 51001))
            """;
        RunScript(script, tier, passed: 5);
    }

    [Test]
    public void TailCallsAreInvalidWithTheFeatureSwitchedOff()
    {
        var engine = new WasmEngine(new EngineConfig { Features = WasmFeatures.Default & ~WasmFeatures.TailCall });
        var error = Assert.Throws<InvalidModuleException>(() => Module.FromText(engine, Replaced))!;
        Assert.That(error.Message, Does.Contain("return_call needs the tail-call feature"));
        Assert.That(Module.FromText(new WasmEngine(), Replaced), Is.Not.Null);
    }

    /// <summary>Two functions tail-calling each other for ever: fuel (one unit per function entry) stops them in every tier.</summary>
    private const string Forever = """
        (module
          (func $ping (export "ping") (param i32) (result i32) (return_call $pong (i32.add (local.get 0) (i32.const 1))))
          (func $pong (param i32) (result i32) (return_call $ping (local.get 0))))
        """;

    [TestCase(TierMode.Interpreter, TierMode.Interpreter)]
    [TestCase(TierMode.Interpreter, TierMode.Baseline)]
    [TestCase(TierMode.Optimizing, TierMode.Interpreter)]
    [TestCase(TierMode.Baseline, TierMode.Optimizing)]
    [TestCase(TierMode.Optimizing, TierMode.Optimizing)]
    public void FuelStopsAnEndlessTailCallLoopInEveryTier(TierMode ping, TierMode pong)
    {
        using var store = new Store(new WasmEngine(new EngineConfig
        {
            ConsumeFuel = true,
            TierUpCallThreshold = int.MaxValue,
            TierUpLoopThreshold = int.MaxValue,
            FunctionTiers = new Dictionary<string, TierMode> { ["ping"] = ping, ["pong"] = pong },
        }));
        Instance instance = new Linker(store.Engine).Instantiate(store, Module.FromText(store.Engine, Forever));
        store.SetFuel(100_000);
        var trap = Assert.Throws<TrapException>(() => instance.GetFunction("ping")!.Invoke(Value.I32(0)))!;
        Assert.That(trap.Code, Is.EqualTo(TrapCode.OutOfFuel));
        Assert.That(trap.WasmBacktrace, Has.Count.EqualTo(1), "one frame: every tail call replaced the one before");
        store.SetFuel(100_000);
        Assert.Throws<TrapException>(() => instance.GetFunction("ping")!.Invoke(Value.I32(0)), "the store stays usable");
    }

    /// <summary>
    /// <c>return_call_indirect</c> follows <c>call_indirect</c>'s 3.0 rules in every tier: a callee of a declared subtype
    /// of a non-final type matches, a final type's mismatch traps, and a 64-bit table takes an i64 index (one past
    /// 2^32 is out of bounds, not element 0).
    /// </summary>
    [TestCase(TierMode.Interpreter)]
    [TestCase(TierMode.Baseline)]
    [TestCase(TierMode.Optimizing)]
    [TestCase(TierMode.Tiered)]
    public void ReturnCallIndirectTakesSubtypesAnd64BitTables(TierMode tier)
    {
        const string script = """
            (module
              (type $s (sub (func (result i32))))
              (type $t (sub $s (func (result i32))))
              (type $u (sub final (func (result i32))))
              (func $a (type $t) (i32.const 7))
              (func $b (type $u) (i32.const 9))
              (table funcref (elem $a $b))
              (func (export "go") (param i32) (result i32)
                (return_call_indirect (type $s) (local.get 0))))
            (assert_return (invoke "go" (i32.const 0)) (i32.const 7))
            (assert_trap (invoke "go" (i32.const 1)) "indirect call type mismatch")
            (assert_trap (invoke "go" (i32.const 2)) "undefined element")
            (module
              (type $f (func (result i32)))
              (func $a (type $f) (i32.const 5))
              (table $tb i64 2 funcref)
              (elem (table $tb) (i64.const 0) func $a)
              (func (export "go64") (param i64) (result i32)
                (return_call_indirect (type $f) (local.get 0))))
            (assert_return (invoke "go64" (i64.const 0)) (i32.const 5))
            (assert_trap (invoke "go64" (i64.const 0x100000000)) "undefined element")
            (assert_trap (invoke "go64" (i64.const 1)) "uninitialized element")
            """;
        RunScript(script, tier, passed: 8);
    }

    /// <summary>Runs a script in <paramref name="tier"/> (tiered: every threshold 1, synchronous): no failure, <paramref name="passed"/> commands passed.</summary>
    private static void RunScript(string script, TierMode tier, int passed)
    {
        string path = Path.Combine(Path.GetTempPath(), $"tail-calls-{Guid.NewGuid():N}.wast");
        File.WriteAllText(path, script);
        try
        {
            var config = new EngineConfig
            {
                Tier = tier, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, TierUpOptimizeThreshold = 1, BackgroundCompilation = false,
            };
            Engine.Wast.WastResults results = new Engine.Wast.WastRunner(new Engine.Wast.WastOptions { Config = config, KeepGoing = true }).RunFile(path);
            Assert.That(results.Failures, Is.Empty);
            Assert.That(results.Total.Passed, Is.EqualTo(passed));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// $p and $q tail-call each other through <c>return_call_ref</c> (the reference from <c>ref.func</c>), counting n down
    /// and acc up; the funcref parameter keeps them out of the register convention, so the optimizing tier compiles them.
    /// $null tail-calls a null reference.
    /// </summary>
    private const string RefRing = """
        (module
          (type $t (func (param i32 i64 funcref) (result i64)))
          (elem declare func $p $q)
          (func $p (type $t)
            (if (i32.eqz (local.get 0)) (then (return (local.get 1))))
            (return_call_ref $t (i32.sub (local.get 0) (i32.const 1)) (i64.add (local.get 1) (i64.const 1)) (local.get 2)
              (ref.func $q)))
          (func $q (type $t)
            (if (i32.eqz (local.get 0)) (then (return (local.get 1))))
            (return_call_ref $t (i32.sub (local.get 0) (i32.const 1)) (i64.add (local.get 1) (i64.const 2)) (local.get 2)
              (ref.func $p)))
          (func $null (export "null") (param i32) (result i64)
            (return_call_ref $t (local.get 0) (i64.const 0) (ref.null func) (ref.null $t)))
          (func (export "run") (param i32) (result i64)
            (call $p (local.get 0) (i64.const 0) (ref.null func))))
        """;

    [TestCase(TierMode.Interpreter, TierMode.Interpreter)]
    [TestCase(TierMode.Baseline, TierMode.Baseline)]
    [TestCase(TierMode.Optimizing, TierMode.Optimizing)]
    [TestCase(TierMode.Interpreter, TierMode.Optimizing)]
    [TestCase(TierMode.Baseline, TierMode.Interpreter)]
    [TestCase(TierMode.Optimizing, TierMode.Baseline)]
    public void AMillionReturnCallRefsRunInConstantStackAndNullTraps(TierMode p, TierMode q)
    {
        OnSmallStack(() =>
        {
            var forced = new Dictionary<string, TierMode> { ["p"] = p, ["q"] = q, ["null"] = p };
            using var store = new Store(new WasmEngine(new EngineConfig
            {
                TierUpCallThreshold = int.MaxValue,
                TierUpLoopThreshold = int.MaxValue,
                FunctionTiers = forced,
            }));
            Instance instance = new Linker(store.Engine).Instantiate(store, Module.FromText(store.Engine, RefRing));
            // Hops alternate $p (+1) and $q (+2), starting with $p: an even count adds 3 per pair.
            Assert.That(instance.GetFunction("run")!.Invoke(Value.I32(Hops))[0].AsI64(), Is.EqualTo(3L * Hops / 2));
            var trap = Assert.Throws<TrapException>(() => instance.GetFunction("null")!.Invoke(Value.I32(5)))!;
            Assert.That(trap.Code, Is.EqualTo(TrapCode.NullFunctionReference));
            // $null's type fits the register convention: optimized, its return_call_ref leaves a register frame.
            var expected = forced.Where(f => f.Value != TierMode.Interpreter).Select(f => ((string?)f.Key, f.Value));
            Assert.That(store.Engine.TierStatistics.Promotions.Select(promotion => (promotion.FunctionName, promotion.Tier)),
                Is.EquivalentTo(expected), "the functions forced to a machine-code tier run compiled, in that tier");
            Assert.That(instance.GetFunction("run")!.Invoke(Value.I32(3))[0].AsI64(), Is.EqualTo(4L), "the store stays usable");
        });
    }
}
