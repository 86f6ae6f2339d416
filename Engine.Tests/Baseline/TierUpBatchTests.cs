using Engine.Core;
using Engine.Text;
using Engine.Interpreter;
using Engine.Runtime;
using Engine.Runtime.Native;
using NUnit.Framework;
using static Engine.Tests.Baseline.BaselineTestSupport;

namespace Engine.Tests.Baseline;

/// <summary>
/// What tier-up costs a short program: functions that get hot together are compiled together and placed in one
/// code region; a small leaf that only interpreted callers use waits to be compiled with the next function of its
/// module; the exit stub is assembled only when a store first gets compiled code; and compiled code that nothing
/// can run any more lets its module be collected at the next collection.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class TierUpBatchTests
{
    // $leaf is a small leaf (no loop, a few bytes); $main calls it from a loop; $host_leaf is exported too.
    private const string LeafAndLoop = """
        (module
          (func $leaf (export "leaf") (param i32) (result i32) (i32.add (local.get 0) (i32.const 3)))
          (func (export "main") (param $n i32) (result i32)
            (local $i i32) (local $sum i32)
            (loop $l
              (local.set $sum (i32.add (local.get $sum) (call $leaf (local.get $i))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $sum)))
        """;

    private static int Expected(int n) => n * (n - 1) / 2 + 3 * n;

    private const uint Leaf = 0, Main = 1;

    // The first hop (interpreter -> baseline) alone: its promotions are what these tests count.
    private static EngineConfig Sync => new() { Tier = TierMode.Tiered, TierUpCallThreshold = 3, TierUpLoopThreshold = 50, TierUpOptimizeThreshold = 0, BackgroundCompilation = false };

    [Test]
    public void ASmallLeafHotInInterpretedCallersWaitsForItsCaller()
    {
        var engine = new WasmEngine(Sync);
        Module module = Module.FromBytes(engine, WatParser.ParseModule(LeafAndLoop));
        using var store = new Store(engine);
        Function main = new Linker(engine).Instantiate(store, module).GetFunction("main")!;

        // Ten calls from the interpreted loop (past the call threshold of 3, short of the loop threshold of 50).
        Assert.That(main.Invoke(Value.I32(10))[0].AsI32(), Is.EqualTo(Expected(10)));
        Assert.That(module.Code!.Get(Leaf), Is.Null, "the leaf waits: its interpreted caller would not use its code");
        Assert.That(engine.TierStatistics.Promotions, Is.Empty);

        // The loop gets hot: its function is compiled, and the waiting leaf with it, in the same region.
        Assert.That(main.Invoke(Value.I32(200))[0].AsI32(), Is.EqualTo(Expected(200)));
        NativeFunction? leaf = module.Code.Get(Leaf), compiledMain = module.Code.Get(Main);
        Assert.That(compiledMain, Is.Not.Null);
        Assert.That(leaf, Is.Not.Null);
        Assert.That(leaf!.Region, Is.SameAs(compiledMain!.Region));
        Assert.That(engine.TierStatistics.Promotions.Select(p => (p.FunctionIndex, p.Trigger)),
            Is.EquivalentTo(new[] { (Main, "loop"), (Leaf, "calls") }));
        Assert.That(main.Invoke(Value.I32(300))[0].AsI32(), Is.EqualTo(Expected(300)));
    }

    [Test]
    public void ASmallLeafCalledFromTheHostIsCompiledWhenHot()
    {
        var engine = new WasmEngine(Sync);
        using var store = new Store(engine);
        Function leaf = Instantiate(store, LeafAndLoop).GetFunction("leaf")!;
        for (int i = 0; i < 5; i++)
        {
            Assert.That(leaf.Invoke(Value.I32(i))[0].AsI32(), Is.EqualTo(i + 3));
        }
        Assert.That(IsCompiled(leaf), Is.True);
        Assert.That(engine.TierStatistics.Promotions.Single().Trigger, Is.EqualTo("calls"));
    }

    /// <summary>
    /// A small function that calls (here itself: a recursive fib without loops) is no leaf: hot in its own interpreted
    /// calls it asks for compilation at once. Taken for a leaf, it waited for a compilation that never came, and a
    /// recursive fib ran interpreted to the end in tiered mode.
    /// </summary>
    [Test]
    public void ASmallRecursiveFunctionIsNoLeaf()
    {
        const string Fib = """
            (module
              (func $fib (export "fib") (param i32) (result i32)
                (if (result i32) (i32.lt_s (local.get 0) (i32.const 2))
                  (then (local.get 0))
                  (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                                 (call $fib (i32.sub (local.get 0) (i32.const 2))))))))
            """;
        var engine = new WasmEngine(Sync);
        Module module = Module.FromBytes(engine, WatParser.ParseModule(Fib));
        Assert.That(module.Code!.IsSmallLeaf(0), Is.False);
        using var store = new Store(engine);
        Function fib = new Linker(engine).Instantiate(store, module).GetFunction("fib")!;
        Assert.That(fib.Invoke(Value.I32(15))[0].AsI32(), Is.EqualTo(610));
        Assert.That(module.Code.Get(0), Is.Not.Null, "fib got hot in its own calls and was compiled");
        Assert.That(engine.TierStatistics.Promotions.Single().Trigger, Is.EqualTo("calls"));
    }

    [Test]
    public void ASmallLeafCalledFromCompiledCodeIsCompiledWhenHot()
    {
        // $main compiled at load; the leaf is reached from compiled code through the exit stub and counts there.
        var engine = new WasmEngine(Sync with { FunctionTiers = new Dictionary<string, TierMode> { ["1"] = TierMode.Baseline } });
        Module module = Module.FromBytes(engine, WatParser.ParseModule(LeafAndLoop));
        using var store = new Store(engine);
        Function main = new Linker(engine).Instantiate(store, module).GetFunction("main")!;
        Assert.That(module.Code!.Get(Main), Is.Not.Null);
        Assert.That(module.Code.Get(Leaf), Is.Null);
        Assert.That(main.Invoke(Value.I32(10))[0].AsI32(), Is.EqualTo(Expected(10)));
        Assert.That(module.Code.Get(Leaf), Is.Not.Null);
        Assert.That(module.Code.Get(Leaf)!.Region, Is.Not.SameAs(module.Code.Get(Main)!.Region));
        Assert.That(main.Invoke(Value.I32(20))[0].AsI32(), Is.EqualTo(Expected(20)));
    }

    [Test]
    public void FunctionsHotTogetherInTheBackgroundShareARegion()
    {
        var engine = new WasmEngine(Sync with { BackgroundCompilation = true });
        Module module = Module.FromBytes(engine, WatParser.ParseModule(LeafAndLoop));
        using var store = new Store(engine);
        Function main = new Linker(engine).Instantiate(store, module).GetFunction("main")!;
        for (int i = 0; i < 2000 && module.Code!.Get(Main) is null; i++)
        {
            Assert.That(main.Invoke(Value.I32(100))[0].AsI32(), Is.EqualTo(Expected(100)));
            Thread.Sleep(i < 10 ? 0 : 5);
        }
        Assert.That(module.Code!.Get(Main), Is.Not.Null, "the loop's function was compiled in the background");
        Assert.That(module.Code.Get(Leaf)?.Region, Is.SameAs(module.Code.Get(Main)!.Region));
        Assert.That(main.Invoke(Value.I32(100))[0].AsI32(), Is.EqualTo(Expected(100)));
    }

    [Test]
    public void TheCompilerThreadRunsBelowTheProgramsPriorityOnceWarmAndThePromptThreadAtIt()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("thread priorities are read from /proc");
        }
        // Start the background thread (once per process) with requests of both tiers, as a program would: it lowers its
        // priority once it has compiled for both.
        var engine = new WasmEngine(new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, TierUpOptimizeThreshold = 1,
            ProgramThreadCompileSize = 0,
        });
        using var store = new Store(engine);
        Function main = Instantiate(store, LeafAndLoop).GetFunction("main")!;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!(BackgroundCompiler.HasCompiled(TierMode.Baseline) && BackgroundCompiler.HasCompiled(TierMode.Optimizing))
               && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.That(main.Invoke(Value.I32(5))[0].AsI32(), Is.EqualTo(Expected(5)));
            Thread.Sleep(1);
        }

        // /proc/self/task/TID/stat: "tid (comm) state ..." with the nice value 19th (17th after the comm). Every thread
        // here has the process's nice value (threads inherit it), the compiler thread NiceAbove more once warm, and the
        // prompt thread the process's.
        static int NiceOf(string stat) =>
            int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture);
        int process = NiceOf(File.ReadAllText("/proc/self/stat"));
        int expected = Math.Min(process + BackgroundCompiler.NiceAbove, 19);
        int? nice = null, prompt = null;
        // (Polled: the thread lowers its priority after the batch that made it warm.)
        for (int attempt = 0; attempt < 400 && (nice != expected || prompt is null); attempt++)
        {
            foreach (string task in Directory.GetDirectories("/proc/self/task"))
            {
                string stat;
                try
                {
                    stat = File.ReadAllText(Path.Combine(task, "stat"));
                }
                catch (IOException)
                {
                    continue;
                }
                if (stat.Contains("(wasm tier-up co)", StringComparison.Ordinal))
                {
                    nice = NiceOf(stat);
                }
                else if (stat.Contains("(wasm tier-up pr)", StringComparison.Ordinal))
                {
                    prompt = NiceOf(stat);
                }
            }
            Thread.Sleep(nice == expected && prompt is not null ? 0 : 5);
        }
        Assert.That((nice, prompt), Is.EqualTo(((int?)expected, (int?)process)), "background thread, prompt thread");
    }

    /// <summary>
    /// With a wait limit far below a compilation's time, the prompt thread and the background thread race for every request:
    /// each function is still compiled and published once per tier, and the program's results stay right.
    /// </summary>
    [Test]
    public void ARequestIsCompiledOnceWhicheverCompilerThreadTakesIt()
    {
        const string Module = """
            (module
              (func $f0 (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
              (func $f1 (param i32) (result i32) (i32.mul (call $f0 (local.get 0)) (i32.const 3)))
              (func $f2 (param i32) (result i32) (i32.sub (call $f1 (local.get 0)) (call $f0 (local.get 0))))
              (func $f3 (param i32) (result i32) (i32.xor (call $f2 (local.get 0)) (call $f1 (local.get 0))))
              (func (export "main") (param $n i32) (result i32)
                (local $i i32) (local $sum i32)
                (loop $l
                  (local.set $sum (i32.add (local.get $sum) (call $f3 (local.get $i))))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
                (local.get $sum)))
            """;
        static int F3(int x) => (((x + 1) * 3) - (x + 1)) ^ ((x + 1) * 3);
        int expected = Enumerable.Range(0, 300).Sum(F3);
        for (int round = 0; round < 5; round++)
        {
            var engine = new WasmEngine(new EngineConfig
            {
                Tier = TierMode.Tiered, TierUpCallThreshold = 2, TierUpLoopThreshold = 10, TierUpOptimizeThreshold = 20,
                ProgramThreadCompileSize = 0, CompileWaitLimit = TimeSpan.FromTicks(1),
            });
            using var store = new Store(engine);
            Function main = Instantiate(store, Module).GetFunction("main")!;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (engine.TierStatistics.Promotions.Count(p => p.Tier == TierMode.Optimizing) < 5 && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                Assert.That(main.Invoke(Value.I32(300))[0].AsI32(), Is.EqualTo(expected));
                Thread.Sleep(1);
            }
            var promotions = engine.TierStatistics.Promotions;
            Assert.That(promotions.Where(p => p.Tier == TierMode.Optimizing).Select(p => p.FunctionIndex), Is.Unique, "optimizing, once each");
            Assert.That(promotions.Where(p => p.Tier == TierMode.Baseline).Select(p => p.FunctionIndex), Is.Unique, "baseline, once each");
            Assert.That(main.Invoke(Value.I32(300))[0].AsI32(), Is.EqualTo(expected));
        }
    }

    [Test]
    public void TheCodeMapFindsEveryFunctionOfARegionUntilItIsUnmapped()
    {
        var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline });
        Module module = Module.FromBytes(engine, WatParser.ParseModule(LeafAndLoop));
        NativeFunction leaf = module.Code!.Get(Leaf)!, main = module.Code.Get(Main)!;
        Assert.That(leaf.Region, Is.SameAs(main.Region), "a module compiled at load is one region");
        foreach (NativeFunction function in new[] { leaf, main })
        {
            Assert.That(CodeMap.Find(function.Entry), Is.SameAs(function));
            Assert.That(CodeMap.Find(function.End - 1), Is.SameAs(function));
        }
        Assert.That(CodeMap.Find(main.Region.Address - 1), Is.Null);

        main.Region.Dispose();
        Assert.That(CodeMap.Find(leaf.Entry), Is.Null);
        Assert.That(CodeMap.Find(main.Entry), Is.Null);
    }

    private const string CallsAnImport = """
        (module
          (import "host" "twice" (func $twice (param i32) (result i32)))
          (func (export "main") (param $n i32) (result i32)
            (local $i i32) (local $sum i32)
            (loop $l
              (local.set $sum (i32.add (local.get $sum) (call $twice (local.get $i))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $sum)))
        """;

    [Test]
    public unsafe void FunctionReferencesGetTheExitStubWhenTheStoreFirstGetsCompiledCode()
    {
        var engine = new WasmEngine(Sync);
        using var store = new Store(engine);
        var linker = new Linker(engine);
        var twice = Function.FromCallback(store, new FuncType([ValType.I32], [ValType.I32]),
            (_, arguments, results) => results[0] = Value.I32(2 * arguments[0].AsI32()));
        linker.Define("host", "twice", twice);
        Function main = Instantiate(store, CallsAnImport, linker).GetFunction("main")!;

        // Interpreted only: nothing can call through a function reference's native code yet.
        Assert.That(main.Invoke(Value.I32(10))[0].AsI32(), Is.EqualTo(90));
        Assert.That(((VMFuncRef*)twice.Instance.FuncRef)->NativeCode, Is.EqualTo(nint.Zero));

        // The loop's function is compiled and calls the import (created before there was an exit stub) natively.
        Assert.That(main.Invoke(Value.I32(1000))[0].AsI32(), Is.EqualTo(999_000));
        Assert.That(IsCompiled(main), Is.True);
        Assert.That(((VMFuncRef*)twice.Instance.FuncRef)->NativeCode, Is.EqualTo(NativeRuntime.ExitStub));
    }

    [Test]
    public void CompiledCodeNothingCanRunLetsItsModuleGoAtTheNextCollection()
    {
        WeakReference module = CompileAndDrop();
        // One collection, no waiting for finalizers: a finalizable object holding the module would keep it.
        // (The compiler's and the translator's reused state let go of the module, and its code region's finalizable
        // part references nothing.)
        GC.Collect();
        Assert.That(module.IsAlive, Is.False);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference CompileAndDrop()
    {
        var engine = new WasmEngine(Sync);
        Module module = Module.FromBytes(engine, WatParser.ParseModule(LeafAndLoop));
        using (var store = new Store(engine))
        {
            Function main = new Linker(engine).Instantiate(store, module).GetFunction("main")!;
            Assert.That(main.Invoke(Value.I32(200))[0].AsI32(), Is.EqualTo(Expected(200)));
            Assert.That(module.Code!.Get(Main), Is.Not.Null);
        }
        return new WeakReference(module.Code!.Get(Main)!.Module);
    }
}
