using Engine.Core;
using Engine.Text;
using Engine.Interpreter;
using Engine.Runtime;
using NUnit.Framework;
using static Engine.Tests.Baseline.BaselineTestSupport;

namespace Engine.Tests.Baseline;

/// <summary>
/// The tier-up counters stop costing a dispatch once they have nothing to do: the entry's call counter is
/// skipped once the function's compilation was asked for, a loop's iteration counter is skipped (its back
/// edges jump past it) while the compiled code is on its way, and both count again when it is published or
/// when the request is dropped. Each state is checked on the shared code, and programs give the same results.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class TierUpCounterTests
{
    // Nested loops, a br_if back edge with values to move, and a br_table with a loop target.
    private const string Loops = """
        (module
          (func (export "main") (param $n i32) (result i32)
            (local $i i32) (local $j i32) (local $sum i32)
            (loop $outer
              (local.set $j (i32.const 0))
              (loop $inner
                (local.set $sum (i32.add (local.get $sum) (local.get $j)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br_if $inner (i32.lt_u (local.get $j) (i32.const 10))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (block $done
                (br_table $outer $done (i32.ge_u (local.get $i) (local.get $n)))))
            (local.get $sum)))
        """;

    private static int Expected(int n) => n * 45;

    private static InterpretedCode Translate(string wat, int callThreshold, int loopThreshold)
    {
        ModuleInfo module = ModuleLoader.DecodeAndValidate(WatParser.ParseModule(wat));
        var translation = new ModuleTranslation(module, new TranslationOptions(false, false, callThreshold, loopThreshold));
        return translation.Get((uint)module.ImportedFunctionCount);
    }

    [Test]
    public void EveryBackEdgeOfACountedLoopIsRecorded()
    {
        InterpretedCode code = Translate(Loops, 10, 10);
        Assert.That(code.OsrPoints, Has.Length.EqualTo(2));
        foreach (OsrPoint point in code.OsrPoints)
        {
            Assert.That(code.Words[point.CounterPosition], Is.EqualTo((int)Op.TierUpLoop));
            Assert.That(point.BackEdges, Is.Not.Empty);
            Assert.That(point.BackEdges.Select(word => code.Words[word]), Is.All.EqualTo(point.CounterPosition));
        }
        // The outer loop is reached back from its br_table; the inner one from its br_if.
        Assert.That(code.OsrPoints[0].BackEdges.Length + code.OsrPoints[1].BackEdges.Length, Is.GreaterThanOrEqualTo(2));
    }

    [Test]
    public void CountersAreSkippedAndCountAgain()
    {
        InterpretedCode code = Translate(Loops, 10, 10);
        Assert.That(code.Start, Is.Zero);
        code.SkipEntryCounter();
        Assert.That(code.Start, Is.EqualTo(2), "new activations start after TierUpEntry");
        code.SkipLoopCounter(1);
        Assert.That(code.IsLoopCounterSkipped(0), Is.False);
        Assert.That(code.IsLoopCounterSkipped(1), Is.True);
        Assert.That(code.OsrPoints[1].BackEdges.Select(word => code.Words[word]),
            Is.All.EqualTo(code.OsrPoints[1].CounterPosition + 3), "back edges jump just past the counter");

        code.CountLoops(now: true);
        foreach (OsrPoint point in code.OsrPoints)
        {
            Assert.That(code.IsLoopCounterSkipped(Array.IndexOf(code.OsrPoints, point)), Is.False);
            Assert.That(code.Words[point.CounterPosition + 1], Is.EqualTo(1), "runs out at the next iteration");
        }

        code.SkipLoopCounter(0);
        code.RestartCounters(10);
        Assert.That(code.Start, Is.Zero);
        Assert.That(code.Words[1], Is.EqualTo(10));
        Assert.That(code.IsLoopCounterSkipped(0), Is.False);
        Assert.That(code.OsrPoints.Select(point => code.Words[point.CounterPosition + 1]), Is.All.EqualTo(10));
    }

    [Test]
    public void DisabledTierUpSkipsEveryCounter()
    {
        InterpretedCode code = Translate(Loops, 10, 10);
        code.DisableTierUp();
        Assert.That(code.Start, Is.EqualTo(2));
        Assert.That(code.IsLoopCounterSkipped(0) && code.IsLoopCounterSkipped(1), Is.True);
        code.CountLoops(now: true);
        code.RestartCounters(10);
        Assert.That(code.IsLoopCounterSkipped(0) && code.IsLoopCounterSkipped(1), Is.True, "a function that will never be compiled stops counting for good");
    }

    [Test]
    public void AFunctionThatStaysInterpretedRunsWithItsCountersSkipped()
    {
        // Tiered, but main is forced to the interpreter: its first expired counter disables tier-up.
        var engine = new WasmEngine(TierModes.Config("tiered-sync") with
        {
            FunctionTiers = new Dictionary<string, TierMode> { ["0"] = TierMode.Interpreter },
        });
        using var store = new Store(engine);
        Function main = Instantiate(store, Loops).GetFunction("main")!;
        for (int call = 0; call < 5; call++)
        {
            Assert.That(main.Invoke(Value.I32(100))[0].AsI32(), Is.EqualTo(Expected(100)));
        }
        InterpretedCode code = ((InterpretedFunction)main.Instance).Code!;
        Assert.That(code.TierUpDisabled, Is.True);
        Assert.That(code.Start, Is.EqualTo(2));
        Assert.That(code.IsLoopCounterSkipped(0) && code.IsLoopCounterSkipped(1), Is.True);
        Assert.That(IsCompiled(main), Is.False);
    }

    [Test]
    public void ProgramsGiveTheSameResultsWhileCountersAreSkipped()
    {
        // Background mode: the loops stop counting once they asked for code, until it is published.
        var engine = new WasmEngine(TierModes.Config("tiered-background"));
        using var store = new Store(engine);
        Function main = Instantiate(store, Loops).GetFunction("main")!;
        // Counters are resumed just after the code is published to every instance.
        bool Skipped(Function f) => ((InterpretedFunction)f.Instance).Code is { } c && (c.IsLoopCounterSkipped(0) || c.IsLoopCounterSkipped(1));
        for (int i = 0; i < 2000 && !(IsCompiled(main) && !Skipped(main)); i++)
        {
            Assert.That(main.Invoke(Value.I32(50 + i % 7))[0].AsI32(), Is.EqualTo(Expected(50 + i % 7)));
            Thread.Sleep(i < 10 ? 0 : 5);
        }
        Assert.That(IsCompiled(main), Is.True);
        Assert.That(Skipped(main), Is.False, "publication lets the loops count again (for on-stack replacement)");
        Assert.That(main.Invoke(Value.I32(1000))[0].AsI32(), Is.EqualTo(Expected(1000)));
    }

    [Test]
    public void ADroppedRequestRestartsTheCounters()
    {
        var engine = new WasmEngine(TierModes.Config("tiered-background"));
        Module module = Module.FromBytes(engine, WatParser.ParseModule(Loops));
        InterpretedFunction function;
        using (var store = new Store(engine))
        {
            // One short call: translated, no counter runs out (so nothing is queued).
            Function main = new Linker(engine).Instantiate(store, module).GetFunction("main")!;
            Assert.That(main.Invoke(Value.I32(1))[0].AsI32(), Is.EqualTo(Expected(1)));
            function = (InterpretedFunction)main.Instance;
        }
        // As if a request were waiting for its turn: the counters are skipped.
        InterpretedCode code = function.Code!;
        code.SkipEntryCounter();
        code.SkipLoopCounter(0);
        code.SkipLoopCounter(1);

        // The store is gone when the request's turn comes: it is dropped and the counters start over.
        var manager = (Engine.Runtime.Native.TierManager)module.Translation.TierUp!;
        manager.CompileRequested([new Engine.Runtime.Native.CompileRequest(manager, function, "loop", 1)], Engine.Runtime.Native.CompileRequest.ByBackground);
        Assert.That(code.Start, Is.Zero);
        Assert.That(code.IsLoopCounterSkipped(0) || code.IsLoopCounterSkipped(1), Is.False);
        Assert.That(code.Words[1], Is.EqualTo(3));
        Assert.That(code.OsrPoints.Select(point => code.Words[point.CounterPosition + 1]), Is.All.EqualTo(50));
        Assert.That(module.Code!.Get(function.FunctionIndex), Is.Null, "nothing was compiled for a module without instances");

        // A new store of the same module makes the function hot again and gets it compiled.
        using var next = new Store(engine);
        Function again = new Linker(engine).Instantiate(next, module).GetFunction("main")!;
        for (int i = 0; i < 2000 && !IsCompiled(again); i++)
        {
            Assert.That(again.Invoke(Value.I32(100))[0].AsI32(), Is.EqualTo(Expected(100)));
            Thread.Sleep(i < 10 ? 0 : 5);
        }
        Assert.That(IsCompiled(again), Is.True);
    }
}
