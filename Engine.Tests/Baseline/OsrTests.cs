using Engine.Core;
using Engine.Runtime;
using NUnit.Framework;
using static Engine.Tests.Baseline.BaselineTestSupport;

namespace Engine.Tests.Baseline;

/// <summary>
/// On-stack replacement: programs whose only hot loop is inside a function called once (a C main with its
/// loops inline) must leave the interpreter at the loop's header. Every program gives the same result in
/// every mode; in synchronous tiered mode the loop's function is promoted by its loop, in its first call.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class OsrTests
{
    private const string SumLoop = """
        (module
          (memory 1)
          (func (export "main") (param $n i32) (result i64)
            (local $i i32) (local $sum i64)
            (loop $l
              (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (local.get $i))))
              (i64.store (i32.const 8) (local.get $sum))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
            (i64.add (local.get $sum) (i64.load (i32.const 8)))))
        """;

    // Values below the loop on the operand stack (a lazy constant and a computed value), a loop with a
    // parameter and a result, nested loops, and floats live across the transfer.
    private const string StackBelowLoops = """
        (module
          (type $t (func (param i64) (result i64)))
          (func (export "main") (param $n i32) (result i64)
            (local $i i32) (local $j i32) (local $f f64)
            (i64.const 1000)
            (i64.mul (i64.extend_i32_u (local.get $n)) (i64.const 3))
            (i64.const 0)
            (loop $outer (type $t)
              (local.set $j (i32.const 0))
              (loop $inner (type $t)
                (i64.add (i64.extend_i32_u (local.get $j)))
                (local.set $f (f64.add (local.get $f) (f64.const 0.5)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br_if $inner (i32.lt_u (local.get $j) (i32.const 30))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
            (i64.add)
            (i64.add)
            (i64.add (i64.trunc_f64_s (local.get $f)))))
        """;

    private const string TrapInLoop = """
        (module
          (func $check (param i32) (if (i32.eq (local.get 0) (i32.const 5000)) (then unreachable)))
          (func (export "main") (param $n i32) (result i32)
            (local $i i32)
            (loop $l
              (call $check (local.get $i))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $i)))
        """;

    private static long Expected(string program, int n) => program switch
    {
        SumLoop => 2L * ((long)n * (n - 1) / 2),
        _ => 1000 + 3L * n + (long)n * 435 + (long)(n * 30 * 0.5),
    };

    [Test]
    public void SumLoopGivesTheSameResultInEveryMode([ValueSource(typeof(TierModes), nameof(TierModes.All))] string mode)
    {
        var engine = new WasmEngine(TierModes.Config(mode));
        using var store = new Store(engine);
        Function main = Instantiate(store, SumLoop).GetFunction("main")!;
        Assert.That(main.Invoke(Value.I32(100_000))[0].AsI64(), Is.EqualTo(Expected(SumLoop, 100_000)));
        if (mode == "tiered-sync")
        {
            FunctionPromotion promotion = engine.TierStatistics.Promotions.Single();
            Assert.That(promotion.Trigger, Is.EqualTo("loop"));
            Assert.That(promotion.Calls, Is.EqualTo(1), "promoted during its first (and only) call");
        }
    }

    [Test]
    public void ValuesBelowAndAcrossLoopsMoveIntoCompiledCode([ValueSource(typeof(TierModes), nameof(TierModes.All))] string mode)
    {
        var engine = new WasmEngine(TierModes.Config(mode));
        using var store = new Store(engine);
        Function main = Instantiate(store, StackBelowLoops).GetFunction("main")!;
        Assert.That(main.Invoke(Value.I32(1000))[0].AsI64(), Is.EqualTo(Expected(StackBelowLoops, 1000)));
        if (mode == "tiered-sync")
        {
            Assert.That(engine.TierStatistics.Promotions.Single().Trigger, Is.EqualTo("loop"));
        }
    }

    /// <summary>
    /// Found by the fuzzer (diff target, tiered with a loop threshold of 2): a v128 below a loop took one slot in the
    /// state the interpreter handed to the compiled entry, which reads two, so the upper half (and everything after
    /// it) came out as garbage.
    /// </summary>
    [Test]
    public void V128ValuesBelowALoopMoveWhole([ValueSource(typeof(TierModes), nameof(TierModes.All))] string mode)
    {
        var engine = new WasmEngine(TierModes.Config(mode));
        using var store = new Store(engine);
        Instance instance = Instantiate(store, """
            (module
              (global $g (mut v128) (v128.const i32x4 0x11111111 0x22222222 0x33333333 0x44444444))
              (func (export "main") (param $n i32) (result i64 v128) (local $i i32)
                (i64.const 7)
                (global.get $g)
                (v128.const i32x4 1 2 3 4)
                (loop $l (result v128)
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $l (i32.lt_u (local.get $i) (local.get $n)))
                  (v128.const i32x4 5 6 7 8))
                (i32x4.add)
                (i32x4.add)))
            """);
        Value[] results = instance.GetFunction("main")!.Invoke(Value.I32(500));
        Assert.That(results[0].AsI64(), Is.EqualTo(7));
        Assert.That(System.Runtime.Intrinsics.Vector128.AsUInt32(results[1].AsV128()), Is.EqualTo(System.Runtime.Intrinsics.Vector128.Create(0x11111117u, 0x2222222Au, 0x3333333Du, 0x44444450u)));
        if (mode == "tiered-sync")
        {
            Assert.That(engine.TierStatistics.Promotions.Single().Trigger, Is.EqualTo("loop"));
        }
    }

    [Test]
    public void TrapAfterOnStackReplacementHasOneFramePerActivation([ValueSource(typeof(TierModes), nameof(TierModes.All))] string mode)
    {
        var engine = new WasmEngine(TierModes.Config(mode));
        using var store = new Store(engine);
        Function main = Instantiate(store, TrapInLoop).GetFunction("main")!;
        var e = Assert.Throws<TrapException>(() => main.Invoke(Value.I32(100_000)))!;
        Assert.That(e.Code, Is.EqualTo(TrapCode.Unreachable));
        Assert.That(e.WasmBacktrace.Select(f => f.FunctionIndex), Is.EqualTo(new uint[] { 0, 1 }));
    }

    [Test]
    public void BackgroundCompilationEventuallyPublishes()
    {
        var engine = new WasmEngine(TierModes.Config("tiered-background"));
        using var store = new Store(engine);
        Function main = Instantiate(store, SumLoop).GetFunction("main")!;
        // Keep calling until the background compiler published main (calls re-enter through the stub).
        for (int i = 0; i < 2000 && !IsCompiled(main); i++)
        {
            Assert.That(main.Invoke(Value.I32(1000))[0].AsI64(), Is.EqualTo(Expected(SumLoop, 1000)));
            Thread.Sleep(i < 10 ? 0 : 5);
        }
        Assert.That(IsCompiled(main), Is.True);
        Assert.That(main.Invoke(Value.I32(1000))[0].AsI64(), Is.EqualTo(Expected(SumLoop, 1000)));
    }
}
