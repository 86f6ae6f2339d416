using System.Diagnostics;
using Engine.Core;
using Engine.Runtime;
using Engine.Tests.Baseline;
using NUnit.Framework;

namespace Engine.Tests.Api;

/// <summary>
/// Wasm backtraces of deep stacks: every frame recorded, in order, however the tiers alternate; the .NET stack
/// trace of the exception stays short; <see cref="WasmBacktrace.ToString()"/> elides the middle of a deep one.
/// </summary>
[TestFixture]
public sealed class BacktraceTests
{
    /// <summary>$f (interpreted) and $g (compiled) call each other: every call crosses between the tiers.</summary>
    internal const string PingPong = """
        (module
          (import "host" "fail" (func $fail))
          (func $f (export "f") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0))
              (then unreachable)
              (else (call $g (i32.sub (local.get 0) (i32.const 1))))))
          (func $g (param i32) (result i32)
            (i32.add (call $f (local.get 0)) (i32.const 1)))
          (func $h (export "h") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0))
              (then (call $fail) (i32.const 0))
              (else (call $k (i32.sub (local.get 0) (i32.const 1))))))
          (func $k (param i32) (result i32)
            (i32.add (call $h (local.get 0)) (i32.const 1))))
        """;

    private static Instance Instantiate(Store store, Action fail)
    {
        var linker = new Linker(store.Engine);
        linker.DefineFunction("host", "fail", fail);
        return linker.Instantiate(store, Module.FromText(store.Engine, PingPong));
    }

    private static WasmEngine MixedEngine() => new(new EngineConfig
    {
        FunctionTiers = new Dictionary<string, TierMode> { ["g"] = TierMode.Baseline, ["k"] = TierMode.Baseline },
    });

    /// <summary>Runs <paramref name="action"/> on a thread with a stack deep enough for 100,000 mixed frames.</summary>
    private static void OnDeepStack(Action action) => TestThreads.RunWithStack(1 << 30, action);

    [Test]
    public void ATrapUnderAHundredThousandMixedTierFramesRecordsEveryFrame()
    {
        const int depth = 49_999;
        OnDeepStack(() =>
        {
            using var store = new Store(MixedEngine());
            Instance instance = Instantiate(store, () => { });
            var stopwatch = Stopwatch.StartNew();
            var trap = Assert.Throws<TrapException>(() => instance.GetFunction("f")!.Invoke(Value.I32(depth)))!;
            TestContext.Progress.WriteLine($"trap under {trap.WasmBacktrace.Count:N0} mixed frames reported in {stopwatch.Elapsed.TotalSeconds:F2} s");

            Assert.That(trap.Code, Is.EqualTo(TrapCode.Unreachable));
            Assert.That(trap.WasmBacktrace, Has.Count.EqualTo(2 * depth + 1));
            Assert.That(trap.WasmBacktrace.Select(frame => frame.FunctionName),
                Is.EqualTo(Enumerable.Range(0, 2 * depth + 1).Select(i => i % 2 == 0 ? "f" : "g")), "innermost first, alternating");
            Assert.That(trap.WasmBacktrace.All(frame => frame.ModuleOffset > 0), Is.True);
            Assert.That(trap.StackTrace!.Split('\n'), Has.Length.LessThan(100),
                "the .NET stack trace does not grow with every activation the trap leaves");

            string text = trap.WasmBacktrace.ToString();
            string[] lines = text.Split(Environment.NewLine);
            Assert.That(lines, Has.Length.EqualTo(WasmBacktrace.DefaultInnermostFrames + 1 + WasmBacktrace.DefaultOutermostFrames));
            Assert.That(lines[0], Does.Match(@"^  0: f @ 0x[0-9a-f]+$"));
            Assert.That(lines[WasmBacktrace.DefaultInnermostFrames],
                Is.EqualTo($"  ... {2 * depth + 1 - 30:N0} frames left out ({2 * depth + 1:N0} in all) ..."));
            Assert.That(lines[^1], Does.Match($@"^  {2 * depth}: f @ 0x[0-9a-f]+$"));
            Assert.That(trap.ToString(), Does.EndWith(text), "the exception shows the same elided backtrace");

            Assert.That(instance.GetFunction("h")!.Invoke(Value.I32(3))[0].AsI32(), Is.EqualTo(3), "usable afterwards");
        });
    }

    private sealed class HostFailure() : Exception("from the host");

    /// <summary>
    /// $f calls $g directly and $g calls $h through a table; all three fit the optimizing tier's register convention, so
    /// the host enters $f through its native adapter and the calls between them go to register entries.
    /// </summary>
    private const string RegisterCalls = """
        (module
          (type $t (func (param i32 f64) (result i32)))
          (table funcref (elem $h))
          (func $f (export "f") (param i32) (result i32)
            (i32.add (call $g (local.get 0)) (i32.const 1)))
          (func $g (param i32) (result i32)
            (i32.add (call_indirect (type $t) (local.get 0) (f64.const 2.5) (i32.const 0)) (i32.const 2)))
          (func $h (type $t)
            (if (i32.eqz (local.get 0)) (then unreachable))
            (i32.add (local.get 0) (i32.trunc_f64_s (local.get 1)))))
        """;

    [TestCase(TierMode.Optimizing, TierMode.Optimizing)]
    [TestCase(TierMode.Optimizing, TierMode.Baseline)]
    [TestCase(TierMode.Optimizing, TierMode.Interpreter)]
    public void RegisterCallsAndNativeAdaptersShowOneFramePerActivation(TierMode tier, TierMode calleeTier)
    {
        using var store = new Store(new WasmEngine(new EngineConfig
        {
            Tier = tier,
            FunctionTiers = new Dictionary<string, TierMode> { ["h"] = calleeTier },
        }));
        Instance instance = new Linker(store.Engine).Instantiate(store, Module.FromText(store.Engine, RegisterCalls));
        Function f = instance.GetFunction("f")!;

        Assert.That(f.Invoke(Value.I32(5))[0].AsI32(), Is.EqualTo(5 + 2 + 2 + 1));
        var trap = Assert.Throws<TrapException>(() => f.Invoke(Value.I32(0)))!;
        Assert.That(trap.Code, Is.EqualTo(TrapCode.Unreachable));
        Assert.That(trap.WasmBacktrace.Select(frame => frame.FunctionName), Is.EqualTo(new[] { "h", "g", "f" }),
            "the native adapter's frame is left out");
        Assert.That(trap.WasmBacktrace.All(frame => frame.ModuleOffset > 0), Is.True);
        Assert.That(f.Invoke(Value.I32(1))[0].AsI32(), Is.EqualTo(1 + 2 + 2 + 1), "usable afterwards");
    }

    /// <summary>
    /// Traps the interpreter raised with the wrong backtrace (found by fuzz5's differential fuzzing, which compares
    /// backtraces): a cold instruction's trap (here <c>i32.trunc_f64_u</c>) after calls that returned started at the frame
    /// last published ($f missing in the interpreter; in tiered mode $g's returned frame on top at offset -1, $g compiled
    /// at its third call), and a load fused into the <c>f64.sub</c> after it trapped at the sub's offset. Every mode must
    /// report the frames and offsets the baseline tier does.
    /// </summary>
    [TestCase("interpreter")]
    [TestCase("optimizing")]
    [TestCase("tiered-1")]
    [TestCase("tiered-sync")]
    [TestCase("tiered-full")]
    public void TrapsAfterCallsThatReturnedAndInFusedLoadsHaveTheTrapsFrames(string mode)
    {
        const string text = """
            (module
              (memory 1)
              (func $g (result i32) (i32.const 1))
              (func $f (param f64) (result i32) (i32.trunc_f64_u (local.get 0)))
              (func $main (export "main") (param f64) (result i32)
                (drop (call $g)) (drop (call $g)) (drop (call $g))
                (drop (call $f (f64.const 1)))
                (call $f (local.get 0)))
              (func $self (export "self") (param f64) (result i32)
                (drop (call $g)) (drop (call $g)) (drop (call $g))
                (i32.trunc_f64_u (local.get 0)))
              (func $fused (export "fused") (param f64) (result f64)
                (f64.sub (local.get 0) (f64.load offset=65530 (i32.const 8)))))
            """;
        List<string> Backtraces(string tiers)
        {
            using var store = new Store(new WasmEngine(TierModes.Config(tiers)));
            Instance instance = new Linker(store.Engine).Instantiate(store, Module.FromText(store.Engine, text));
            return new[] { "main", "self", "fused" }.Select(name =>
            {
                var trap = Assert.Throws<TrapException>(() => instance.GetFunction(name)!.Invoke(Value.F64(-5)))!;
                return $"{trap.Code} at {string.Join(' ', trap.WasmBacktrace.Select(frame => $"{frame.FunctionName}@{frame.ModuleOffset:x}"))}";
            }).ToList();
        }

        List<string> expected = Backtraces("baseline");
        Assert.That(expected.Select(b => string.Join(' ', b.Split(' ').Select(w => w.Split('@')[0]))), Is.EqualTo(new[]
        {
            "IntegerOverflow at f main", "IntegerOverflow at self", "MemoryOutOfBounds at fused",
        }));
        Assert.That(Backtraces(mode), Is.EqualTo(expected));
    }

    [Test]
    public void AHostExceptionUnderDeepMixedFramesKeepsItsOwnStackTrace()
    {
        const int depth = 20_000;
        OnDeepStack(() =>
        {
            using var store = new Store(MixedEngine());
            Instance instance = Instantiate(store, () => throw new HostFailure());

            var failure = Assert.Throws<HostFailure>(() => instance.GetFunction("h")!.Invoke(Value.I32(depth)))!;

            WasmBacktrace frames = WasmBacktrace.Get(failure);
            Assert.That(frames, Has.Count.EqualTo(2 * depth + 1));
            Assert.That(frames[0].FunctionName, Is.EqualTo("h"));
            Assert.That(frames[1].FunctionName, Is.EqualTo("k"));
            Assert.That(failure.StackTrace, Does.Contain(nameof(BacktraceTests)), "thrown from the host callback");
            Assert.That(failure.StackTrace!.Split('\n'), Has.Length.LessThan(100));
        });
    }

    [Test]
    public void ToStringShowsEveryFrameOfAShallowBacktraceAndElidesADeepOne()
    {
        var shallow = new WasmBacktrace([new WasmFrame(0, "main", 0x20), new WasmFrame(3, null, -1)]);
        Assert.That(shallow.ToString(), Is.EqualTo($"  0: main @ 0x20{Environment.NewLine}  1: func[3]"));
        Assert.That(new WasmBacktrace().ToString(), Is.Empty);

        var deep = new WasmBacktrace(Enumerable.Range(0, 100).Select(i => new WasmFrame((uint)i, $"f{i}", i)));
        Assert.That(deep.Lines(2, 1), Is.EqualTo(new[]
        {
            "  0: f0 @ 0x0", "  1: f1 @ 0x1", "  ... 97 frames left out (100 in all) ...", "  99: f99 @ 0x63",
        }));
        Assert.That(deep.Lines(60, 40).Count(), Is.EqualTo(100), "no elision when the ends cover it");
        Assert.That(deep.Lines(60, 39).ElementAt(60), Is.EqualTo("  ... 1 frame left out (100 in all) ..."));
        Assert.That(deep.ToString().Split(Environment.NewLine), Has.Length.EqualTo(31));
    }
}
