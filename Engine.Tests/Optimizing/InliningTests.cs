using Engine.Core;
using Engine.Optimizing;
using Engine.Runtime;
using Engine.Tests.Baseline;
using Engine.Text;
using NUnit.Framework;

namespace Engine.Tests.Optimizing;

/// <summary>
/// Inlining in the optimizing tier: the calls it inlines, and what must not change when it does (tiers.md section 5,
/// *Inlining*): backtraces through inlined frames (a frame per inlined call, at its own offset), traps and host
/// exceptions raised inside inlined code, fuel, the stack limit under recursion, results. Every tier gives the same
/// backtrace as the interpreter.
/// </summary>
[TestFixture]
public sealed class InliningTests
{
    /// <summary>
    /// $outer -> $mid -> $leaf, each small enough to be inlined: in the optimizing tier $outer's code holds both, two
    /// levels deep. $leaf traps (division by zero: an explicit check; an access past the memory: a fault with guard
    /// pages) or calls the host, whose exception then crosses the inlined frames.
    /// </summary>
    private const string Chain = """
        (module
          (import "host" "fail" (func $fail (param i32)))
          (memory 1)
          (func $leaf (param i32 i32) (result i32)
            (if (i32.eq (local.get 1) (i32.const 7)) (then (call $fail (local.get 0))))
            (i32.add (i32.load (local.get 1)) (i32.div_s (local.get 0) (local.get 1))))
          (func $mid (param i32 i32) (result i32)
            (i32.mul (call $leaf (local.get 0) (local.get 1)) (i32.const 3)))
          (func $outer (export "outer") (param i32 i32) (result i32)
            (i32.add (i32.const 1) (call $mid (local.get 0) (local.get 1)))))
        """;

    public static IEnumerable<string> Modes() => TierModes.All();

    private static Instance Instantiate(Store store)
    {
        var linker = new Linker(store.Engine);
        linker.DefineFunction("host", "fail", (Action<int>)(value => throw new InvalidOperationException($"host fails with {value}")));
        return linker.Instantiate(store, Module.FromText(store.Engine, Chain));
    }

    /// <summary>The backtraces of the three failures in the interpreter (names and offsets).</summary>
    private static (string?, long)[][] InterpreterBacktraces()
    {
        using var store = new Store(new WasmEngine(TierModes.Config("interpreter")));
        return Backtraces(Instantiate(store).GetFunction("outer")!);
    }

    private static (string?, long)[][] Backtraces(Function outer)
    {
        var divide = Assert.Throws<TrapException>(() => outer.Invoke(Value.I32(5), Value.I32(0)))!;
        Assert.That(divide.Code, Is.EqualTo(TrapCode.IntegerDivideByZero));
        var fault = Assert.Throws<TrapException>(() => outer.Invoke(Value.I32(5), Value.I32(70_000)))!;
        Assert.That(fault.Code, Is.EqualTo(TrapCode.MemoryOutOfBounds));
        var host = Assert.Throws<InvalidOperationException>(() => outer.Invoke(Value.I32(5), Value.I32(7)))!;
        Assert.That(host.Message, Is.EqualTo("host fails with 5"));
        return [Frames(divide.WasmBacktrace), Frames(fault.WasmBacktrace), Frames(WasmBacktrace.Get(host))];
    }

    private static (string?, long)[] Frames(WasmBacktrace backtrace) => backtrace.Select(f => (f.FunctionName, f.ModuleOffset)).ToArray();

    [TestCaseSource(nameof(Modes))]
    public void ATrapInACalleeInlinedTwoLevelsDeepShowsEveryFrameAtItsOffset(string mode)
    {
        (string?, long)[][] expected = InterpreterBacktraces();
        foreach ((string?, long)[] frames in expected)
        {
            Assert.That(frames.Select(f => f.Item1), Is.EqualTo(new[] { "leaf", "mid", "outer" }));
            Assert.That(frames.All(f => f.Item2 > 0), Is.True);
        }

        using var store = new Store(new WasmEngine(TierModes.Config(mode)));
        Function outer = Instantiate(store).GetFunction("outer")!;
        for (int i = 0; i < 3; i++)
        {
            // Tiered modes: warm up first, so the code that traps is the top tier's.
            Assert.That(outer.Invoke(Value.I32(6), Value.I32(3))[0].AsI32(), Is.EqualTo(1 + 3 * (0 + 2)));
        }
        (string?, long)[][] actual = Backtraces(outer);
        Assert.That(actual[0], Is.EqualTo(expected[0]), "division by zero (an explicit check) in $leaf");
        Assert.That(actual[1], Is.EqualTo(expected[1]), "an access past the memory in $leaf");
        Assert.That(actual[2], Is.EqualTo(expected[2]), "a host exception from a call in $leaf");
        Assert.That(outer.Invoke(Value.I32(6), Value.I32(3))[0].AsI32(), Is.EqualTo(7), "usable afterwards");
    }

    [Test]
    public void APrecompiledModuleKeepsItsInlinedFrames()
    {
        byte[] binary = WatParser.ParseModule(Chain, "chain.wat", emitNames: true);
        byte[] precompiled = Module.FromBytes(new WasmEngine(new EngineConfig { Tier = TierMode.Optimizing }), binary).Serialize();
        Engine.Runtime.Caching.CodeFileContents contents = Engine.Runtime.Caching.CodeFile.Read(precompiled);
        CompiledFunction outer = contents.Functions.Single(f => f.Artifact.FunctionIndex == 3).Artifact;
        Assert.That(outer.InlinedFrames, Has.Length.EqualTo(2));
        Assert.That(outer.OffsetMap.Count(m => m.InlinedFrame >= 0), Is.GreaterThan(0));

        (string?, long)[][] expected = InterpreterBacktraces();
        var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Optimizing });
        Module module = Module.FromBytes(engine, precompiled);
        Assert.That(module.CodeCache!.FunctionsLoaded, Is.EqualTo(3));
        using var store = new Store(engine);
        var linker = new Linker(engine);
        linker.DefineFunction("host", "fail", (Action<int>)(value => throw new InvalidOperationException($"host fails with {value}")));
        Function function = linker.Instantiate(store, module).GetFunction("outer")!;
        Assert.That(Backtraces(function), Is.EqualTo(expected), "the backtraces of code loaded from the file");
    }

    [Test]
    public void TheOptimizingTierInlinesTheChainAndRecordsItsFrames()
    {
        ModuleInfo module = ModuleLoader.DecodeAndValidate(WatParser.ParseModule(Chain, "chain.wat", emitNames: true));
        uint leaf = 1, mid = 2, outer = 3;
        CompileResult result = new OptimizingCompiler { Verify = true }.Compile(module, outer, CompilerOptions.Default);
        Assert.That(result.Failure, Is.Null);
        InlinedFrame[] frames = result.Function!.InlinedFrames;
        Assert.That(frames.Select(f => (f.FunctionIndex, f.Parent)), Is.EqualTo(new[] { (mid, -1), (leaf, 0) }),
            "$mid inlined into $outer, $leaf into $mid's inlined code");
        Assert.That(frames[0].CallerWasmOffset, Is.InRange(module.Body(outer).CodeStart, module.Body(outer).End));
        Assert.That(frames[1].CallerWasmOffset, Is.InRange(module.Body(mid).CodeStart, module.Body(mid).End));
        Assert.That(result.Function.OffsetMap.Any(m => m.InlinedFrame == 1 && m.WasmOffset >= module.Body(leaf).CodeStart
            && m.WasmOffset < module.Body(leaf).End), Is.True, "code of $leaf is mapped to $leaf's offsets");
        Assert.That(result.Function.OffsetMap.Any(m => m.InlinedFrame == -1), Is.True);

        CompileResult without = new OptimizingCompiler { Passes = OptimizingPasses.All & ~OptimizingPasses.Inlining }
            .Compile(module, outer, CompilerOptions.Default);
        Assert.That(without.Function!.InlinedFrames, Is.Empty);
        Assert.That(without.Function.OffsetMap.All(m => m.InlinedFrame == -1), Is.True);
    }

    /// <summary>
    /// Recursive functions small enough to inline: inlined into themselves once, never more; the calls left get the
    /// callee's fast path (its test and the side that returns at once) copied to them.
    /// </summary>
    private const string Recursion = """
        (module
          (func $fib (export "fib") (param i32) (result i32)
            (if (result i32) (i32.lt_s (local.get 0) (i32.const 2))
              (then (local.get 0))
              (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
          (func $down (export "down") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0))
              (then (i32.const 0))
              (else (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 2)))))
          (func $forever (export "forever") (param i32) (result i32)
            (i32.add (call $forever (i32.add (local.get 0) (i32.const 1))) (i32.const 1))))
        """;

    [Test]
    public void ARecursiveFunctionIsInlinedIntoItselfOnceAndItsCallsGetItsFastPath()
    {
        ModuleInfo module = ModuleLoader.DecodeAndValidate(WatParser.ParseModule(Recursion, "recursion.wat", emitNames: true));
        uint down = 1;
        CompileResult result = new OptimizingCompiler { Verify = true }.Compile(module, down, CompilerOptions.Default);
        InlinedFrame[] frames = result.Function!.InlinedFrames;
        Assert.That(frames.Select(f => (f.FunctionIndex, f.Parent)), Is.EqualTo(new[] { (down, -1), (down, 0) }),
            "$down whole into itself once, then the fast path of $down into that copy's call");
        string ir = OptimizingCompiler.OptimizedIr(module, down, CompilerOptions.Default);
        Assert.That(ir.Split('\n').Count(line => line.Contains("call f1(", StringComparison.Ordinal)), Is.EqualTo(1), ir);
        Assert.That(ir.Split('\n').Count(line => line.Contains("icmp", StringComparison.Ordinal)), Is.EqualTo(3),
            "its own test, the inlined copy's and the fast path's:\n" + ir);

        uint fib = 0;
        string fibIr = OptimizingCompiler.OptimizedIr(module, fib, CompilerOptions.Default);
        Assert.That(fibIr.Split('\n').Count(line => line.Contains("call f0(", StringComparison.Ordinal)), Is.EqualTo(4), fibIr);
    }

    [TestCaseSource(nameof(Modes))]
    public void InlinedRecursionComputesWhatTheInterpreterDoes(string mode)
    {
        using var store = new Store(new WasmEngine(TierModes.Config(mode)));
        Instance instance = new Linker(store.Engine).Instantiate(store, Module.FromText(store.Engine, Recursion));
        int[] expected = [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55];
        for (int round = 0; round < 3; round++)
        {
            for (int n = -1; n <= 10; n++)
            {
                Assert.That(instance.GetFunction("fib")!.Invoke(Value.I32(n))[0].AsI32(), Is.EqualTo(n < 0 ? n : expected[n]), $"fib({n})");
            }
        }
        Assert.That(instance.GetFunction("fib")!.Invoke(Value.I32(25))[0].AsI32(), Is.EqualTo(75025));
    }

    [TestCaseSource(nameof(Modes))]
    public void DeepRecursionThroughInlinedCallsStillExhaustsTheStack(string mode)
    {
        using var store = new Store(new WasmEngine(TierModes.Config(mode)));
        Instance instance = new Linker(store.Engine).Instantiate(store, Module.FromText(store.Engine, Recursion));
        Assert.That(instance.GetFunction("down")!.Invoke(Value.I32(1000))[0].AsI32(), Is.EqualTo(2000));
        var trap = Assert.Throws<TrapException>(() => instance.GetFunction("forever")!.Invoke(Value.I32(0)))!;
        Assert.That(trap.Code, Is.EqualTo(TrapCode.StackExhausted));
        Assert.That(trap.WasmBacktrace.Take(10).Select(f => f.FunctionName), Is.All.EqualTo("forever"));
        Assert.That(instance.GetFunction("down")!.Invoke(Value.I32(10))[0].AsI32(), Is.EqualTo(20), "usable afterwards");
    }

    [TestCaseSource(nameof(Modes))]
    public void InlinedCallsConsumeTheFuelOfTheirCalls(string mode)
    {
        long Consumed(string config)
        {
            using var store = new Store(new WasmEngine(TierModes.Config(config, fuel: true)));
            store.SetFuel(1_000_000);
            Function outer = Instantiate(store).GetFunction("outer")!;
            Assert.That(outer.Invoke(Value.I32(6), Value.I32(3))[0].AsI32(), Is.EqualTo(7));
            return 1_000_000 - store.Fuel;
        }
        Assert.That(Consumed(mode), Is.EqualTo(Consumed("interpreter")), "one unit per function entry, inlined or not");
    }
}
