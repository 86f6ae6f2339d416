using Engine.Core;
using Engine.Runtime;
using NUnit.Framework;
using static Engine.Tests.Baseline.BaselineTestSupport;

namespace Engine.Tests.Baseline;

/// <summary>
/// Tiered mode's second hop: baseline code counts calls and loop iterations (one budget per function,
/// <see cref="EngineConfig.TierUpOptimizeThreshold"/>) and asks for the optimizing tier; a running baseline activation
/// moves into the optimized code at a loop header (on-stack replacement out of baseline code); interpreted, baseline
/// and optimized frames of one function meet in one stack, and the collector and backtraces walk them all.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class TierUpOptimizeTests
{
    // Pinned locals (callee-saved and caller-saved registers), memory, an i64 result.
    private const string SumLoop = """
        (module
          (memory 1)
          (func (export "main") (param $n i32) (result i64)
            (local $i i32) (local $sum i64) (local $f f64)
            (loop $l
              (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (local.get $i))))
              (i64.store (i32.const 8) (local.get $sum))
              (local.set $f (f64.add (local.get $f) (f64.const 0.5)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
            (i64.add (i64.add (local.get $sum) (i64.load (i32.const 8))) (i64.trunc_f64_s (local.get $f)))))
        """;

    private static long SumLoopResult(int n) => 2L * ((long)n * (n - 1) / 2) + n / 2;

    // Operands below nested loops (a constant, a computed value, a v128), loop parameters.
    private const string StackBelowLoops = """
        (module
          (type $t (func (param i64) (result i64)))
          (func (export "main") (param $n i32) (result v128 i64)
            (local $i i32) (local $j i32)
            (v128.const i32x4 1 2 3 4)
            (i64.const 1000)
            (i64.mul (i64.extend_i32_u (local.get $n)) (i64.const 3))
            (i64.const 0)
            (loop $outer (type $t)
              (local.set $j (i32.const 0))
              (loop $inner (type $t)
                (i64.add (i64.extend_i32_u (local.get $j)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br_if $inner (i32.lt_u (local.get $j) (i32.const 30))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
            (i64.add)
            (i64.add)))
        """;

    private static EngineConfig Sync(int calls, int loops, int optimize) => new()
    {
        Tier = TierMode.Tiered, TierUpCallThreshold = calls, TierUpLoopThreshold = loops, TierUpOptimizeThreshold = optimize,
        BackgroundCompilation = false,
    };

    [Test]
    public void BaselineLoopMovesIntoOptimizedCode()
    {
        // The first call enters baseline code at once; its loop counts 100 iterations, then moves.
        var engine = new WasmEngine(Sync(calls: 1, loops: 1_000_000, optimize: 100));
        using var store = new Store(engine);
        Function main = Instantiate(store, SumLoop).GetFunction("main")!;
        Assert.That(main.Invoke(Value.I32(10_000))[0].AsI64(), Is.EqualTo(SumLoopResult(10_000)));
        Assert.That(engine.TierStatistics.Promotions.Select(p => (p.From, p.Tier, p.Trigger)),
            Is.EqualTo(new[] { (TierMode.Interpreter, TierMode.Baseline, "calls"), (TierMode.Baseline, TierMode.Optimizing, "loop") }));
        Assert.That(engine.TierStatistics.OnStackReplacements(TierMode.Baseline), Is.EqualTo(1));
        Assert.That(engine.TierStatistics.OnStackReplacements(TierMode.Interpreter), Is.Zero);
        // Later calls run the optimized code from the start.
        Assert.That(main.Invoke(Value.I32(777))[0].AsI64(), Is.EqualTo(SumLoopResult(777)));
        Assert.That(engine.TierStatistics.OnStackReplacements(TierMode.Baseline), Is.EqualTo(1));
    }

    [Test]
    public void OneActivationMovesThroughEveryTier()
    {
        // Never hot by calls: the loop leaves the interpreter after 10 iterations and baseline code after 50 more.
        var engine = new WasmEngine(Sync(calls: 1_000_000, loops: 10, optimize: 50));
        using var store = new Store(engine);
        Function main = Instantiate(store, SumLoop).GetFunction("main")!;
        Assert.That(main.Invoke(Value.I32(5_000))[0].AsI64(), Is.EqualTo(SumLoopResult(5_000)));
        Assert.That(engine.TierStatistics.Promotions.Select(p => (p.From, p.Tier, p.Trigger)),
            Is.EqualTo(new[] { (TierMode.Interpreter, TierMode.Baseline, "loop"), (TierMode.Baseline, TierMode.Optimizing, "loop") }));
        Assert.That(engine.TierStatistics.OnStackReplacements(TierMode.Interpreter), Is.EqualTo(1));
        Assert.That(engine.TierStatistics.OnStackReplacements(TierMode.Baseline), Is.EqualTo(1));
        Assert.That(engine.TierStatistics.Summary(), Does.Contain("1 interpreter -> baseline, 1 baseline -> optimizing"));
    }

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(45)]
    public void OperandsBelowNestedLoopsMoveWhole(int optimize)
    {
        var engine = new WasmEngine(Sync(calls: 1, loops: 1_000_000, optimize));
        using var store = new Store(engine);
        Function main = Instantiate(store, StackBelowLoops).GetFunction("main")!;
        Value[] results = main.Invoke(Value.I32(100));
        Assert.That(System.Runtime.Intrinsics.Vector128.AsUInt32(results[0].AsV128()),
            Is.EqualTo(System.Runtime.Intrinsics.Vector128.Create(1u, 2u, 3u, 4u)));
        Assert.That(results[1].AsI64(), Is.EqualTo(1000 + 3L * 100 + 100L * 435));
        Assert.That(engine.TierStatistics.OnStackReplacements(TierMode.Baseline), Is.EqualTo(1));
    }

    [Test]
    public void TrapAfterMovingOutOfBaselineCodeHasOneFramePerActivation()
    {
        var engine = new WasmEngine(Sync(calls: 1, loops: 1_000_000, optimize: 200));
        using var store = new Store(engine);
        Function main = Instantiate(store, """
            (module
              (func $check (param i32) (if (i32.eq (local.get 0) (i32.const 5000)) (then unreachable)))
              (func (export "main") (param $n i32) (result i32)
                (local $i i32)
                (loop $l
                  (call $check (local.get $i))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
                (local.get $i)))
            """).GetFunction("main")!;
        var e = Assert.Throws<TrapException>(() => main.Invoke(Value.I32(100_000)))!;
        Assert.That(e.Code, Is.EqualTo(TrapCode.Unreachable));
        Assert.That(e.WasmBacktrace.Select(f => f.FunctionIndex), Is.EqualTo(new uint[] { 0, 1 }));
        Assert.That(engine.TierStatistics.OnStackReplacements(TierMode.Baseline), Is.EqualTo(1));
        // The store stays usable.
        Assert.That(main.Invoke(Value.I32(10))[0].AsI32(), Is.EqualTo(10));
    }

    private sealed class Token(int id)
    {
        public int Id { get; } = id;
    }

    // Each activation of $rec holds its own externref (made by the host for its depth) across the call below it; the
    // innermost collects (and so does every frame on the way back), then every frame checks its reference.
    private const string Recursion = """
        (module
          (import "host" "make" (func $make (param i32) (result externref)))
          (import "host" "check" (func $check (param externref i32) (result i32)))
          (import "host" "gc" (func $gc))
          (func $rec (export "rec") (param $n i32) (param $r externref) (result i32)
            (local $i i32)
            (if (result i32) (i32.eqz (local.get $n))
              (then (call $gc) (call $check (local.get $r) (local.get $n)))
              (else
                ;; a loop per frame, so loops move between tiers too
                (loop $l
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $l (i32.lt_u (local.get $i) (i32.const 40))))
                (call $rec (i32.sub (local.get $n) (i32.const 1)) (call $make (i32.sub (local.get $n) (i32.const 1))))
                (call $gc)
                (i32.add (call $check (local.get $r) (local.get $n)))))))
        """;

    [TestCase("tiered-full")]
    [TestCase("tiered-1-full")]
    [TestCase("tiered-background")]
    public void ReferencesSurviveCollectionsUnderInterpretedBaselineAndOptimizedFrames(string mode)
    {
        var engine = new WasmEngine(TierModes.Config(mode));
        using var store = new Store(engine);
        var linker = new Linker(engine);
        linker.DefineFunction("host", "make", new FuncType([ValType.I32], [ValType.ExternRef]),
            (_, args, results) => results[0] = Value.ExternRef(new Token(args[0].AsI32())));
        linker.DefineFunction("host", "check", new FuncType([ValType.ExternRef, ValType.I32], [ValType.I32]),
            (_, args, results) => results[0] = Value.I32(args[0].AsExternRef() is Token t && t.Id == args[1].AsI32() ? 1 : 0));
        linker.DefineFunction("host", "gc", new FuncType([], []), (caller, _, _) =>
        {
            caller.Store.Gc();
            GC.Collect();
            GC.WaitForPendingFinalizers();
        });
        Function rec = Instantiate(store, Recursion, linker).GetFunction("rec")!;
        const int depth = 60;
        for (int round = 0; round < 3; round++)
        {
            Assert.That(rec.Invoke(Value.I32(depth), Value.ExternRef(new Token(depth)))[0].AsI32(), Is.EqualTo(depth + 1),
                $"every frame got its own reference back (round {round})");
        }
        if (mode == "tiered-full")
        {
            // The first round's stack: interpreted activations (before the call counter ran out), baseline ones (before
            // the baseline counter did), optimized ones below; loops moved out of both lower tiers.
            Assert.That(engine.TierStatistics.Promotions.Select(p => (p.From, p.Tier)),
                Is.EqualTo(new[] { (TierMode.Interpreter, TierMode.Baseline), (TierMode.Baseline, TierMode.Optimizing) }));
            Assert.That(engine.TierStatistics.OnStackReplacements(TierMode.Interpreter), Is.GreaterThan(0));
            Assert.That(engine.TierStatistics.OnStackReplacements(TierMode.Baseline), Is.GreaterThan(0));
        }
    }

    [Test]
    public void WithoutASecondTierTieredCodeStaysInTheBaselineTier()
    {
        var engine = new WasmEngine(Sync(calls: 1, loops: 1, optimize: 0));
        using var store = new Store(engine);
        Function main = Instantiate(store, SumLoop).GetFunction("main")!;
        Assert.That(main.Invoke(Value.I32(10_000))[0].AsI64(), Is.EqualTo(SumLoopResult(10_000)));
        Assert.That(engine.TierStatistics.Promotions.Select(p => p.Tier), Is.EqualTo(new[] { TierMode.Baseline }));
    }

    [Test]
    public void BackgroundCompilationEventuallyOptimizes()
    {
        var engine = new WasmEngine(new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 2, TierUpLoopThreshold = 50, TierUpOptimizeThreshold = 20,
        });
        using var store = new Store(engine);
        Function main = Instantiate(store, SumLoop).GetFunction("main")!;
        // The compiler thread runs below the program's priority: on a loaded machine it may take a while.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!engine.TierStatistics.Promotions.Any(p => p.Tier == TierMode.Optimizing) && DateTime.UtcNow < deadline)
        {
            Assert.That(main.Invoke(Value.I32(1000))[0].AsI64(), Is.EqualTo(SumLoopResult(1000)));
            Thread.Sleep(2);
        }
        Assert.That(engine.TierStatistics.Promotions.Select(p => p.Tier), Does.Contain(TierMode.Optimizing));
        Assert.That(main.Invoke(Value.I32(1000))[0].AsI64(), Is.EqualTo(SumLoopResult(1000)));
    }
}
