using System.Runtime.InteropServices;
using Engine.Core;
using Engine.Runtime;
using Engine.Runtime.Native;
using Engine.Tests.Baseline;
using NUnit.Framework;

namespace Engine.Tests.BoundsChecks;

/// <summary>
/// The fault handler beside .NET's: faults at recorded heap accesses become traps, every other fault reaches the
/// handler that was there before (a NullReferenceException in a host function stays one; a fault in native code still
/// kills the process with SIGSEGV), and an engine whose memories cannot be reserved, or whose handler was replaced, falls
/// back to explicit checks.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class FaultHandlerTests
{
    private const string MemoryModule = """
        (module
          (import "host" "poke" (func $poke (param i32)))
          (memory (export "memory") 1)
          (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
          (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
          (func (export "poke") (param i32) (call $poke (local.get 0)) (drop (i32.load (i32.const 0)))))
        """;

    private static (Instance Instance, Store Store) Instantiate(WasmEngine engine, Action<int> poke)
    {
        var store = new Store(engine);
        var linker = new Linker(engine);
        linker.DefineFunction("host", "poke", poke);
        return (BaselineTestSupport.Instantiate(store, MemoryModule, linker), store);
    }

    private static readonly WasmEngine s_baseline = new(new EngineConfig { Tier = TierMode.Baseline });

    [Test]
    public void AnOutOfBoundsAccessOfCompiledCodeIsATrapWithItsBacktrace()
    {
        var (instance, store) = Instantiate(s_baseline, _ => { });
        using (store)
        {
            Assert.That(instance.GetMemory("memory")!.BoundsChecks, Is.EqualTo(BoundsCheckStrategy.GuardPages));
            Assert.That(BaselineTestSupport.IsCompiled(instance.GetFunction("load")!));
            var trap = Assert.Throws<TrapException>(() => instance.GetFunction("load")!.Invoke(65533))!;
            Assert.That(trap.Code, Is.EqualTo(TrapCode.MemoryOutOfBounds));
            Assert.That(trap.WasmBacktrace.Select(f => f.FunctionIndex), Is.EqualTo(new uint[] { 1 }));
            Assert.That(FaultHandler.IsInstalled);
            // The store stays usable.
            instance.GetFunction("store")!.Invoke(65532, 7);
            Assert.That(instance.GetFunction("load")!.Invoke(65532)[0].AsI32(), Is.EqualTo(7));
        }
    }

    /// <summary>
    /// Child: a hardware fault in managed code (a null dereference in a C# host function called from compiled code, and one
    /// in plain C#) reaches .NET's handler through ours and becomes a NullReferenceException, between traps of our own.
    /// </summary>
    [ChildScenario("null-reference")]
    private static int NullReferenceInAHostFunction()
    {
        string? nothing = null;
        var (instance, _) = Instantiate(s_baseline, value =>
        {
            if (value == 1)
            {
                _ = nothing!.Length;
            }
        });
        Function poke = instance.GetFunction("poke")!;
        if (!BaselineTestSupport.IsCompiled(poke))
        {
            Console.WriteLine("poke is not compiled");
            return 1;
        }
        int nullReferences = 0, traps = 0;
        for (int i = 0; i < 20; i++)
        {
            try
            {
                poke.Invoke(1);
            }
            catch (NullReferenceException exception) when (WasmBacktrace.Get(exception)?.Select(f => f.FunctionIndex).SequenceEqual([3u]) == true)
            {
                nullReferences++;
            }
            try
            {
                instance.GetFunction("load")!.Invoke(-1);
            }
            catch (TrapException trap) when (trap.Code == TrapCode.MemoryOutOfBounds)
            {
                traps++;
            }
            poke.Invoke(0);
        }
        try
        {
            _ = nothing!.Length;
        }
        catch (NullReferenceException)
        {
            nullReferences++;
        }
        Console.WriteLine($"null references {nullReferences}, traps {traps}, handler {FaultHandler.IsInstalled}");
        return 0;
    }

    [Test]
    public void ANullReferenceInAHostFunctionCalledFromCompiledCodeStaysANullReferenceException()
    {
        ChildResult result = ChildProcess.Run("null-reference");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("null references 21, traps 20, handler True"), result.ToString());
    }

    [DllImport("libc", EntryPoint = "memset")]
    private static extern nint Memset(nint destination, int value, nuint length);

    /// <summary>Child: a trap through the handler, then a fault in native code that nothing handles.</summary>
    [ChildScenario("native-fault")]
    private static int NativeFaultAfterTraps()
    {
        var (instance, _) = Instantiate(s_baseline, _ => { });
        return TrapThenFaultInNativeCode(instance);
    }

    /// <summary>A trap through the handler (prints "trapped"), then a write to address 16 in native code (prints "survived" if it lives).</summary>
    private static int TrapThenFaultInNativeCode(Instance instance)
    {
        try
        {
            instance.GetFunction("load")!.Invoke(70000);
        }
        catch (TrapException trap) when (trap.Code == TrapCode.MemoryOutOfBounds && FaultHandler.IsInstalled)
        {
            Console.WriteLine("trapped");
            Console.Out.Flush();
        }
        Memset(16, 1, 1);
        Console.WriteLine("survived");
        return 0;
    }

    /// <summary>Child: the same fault in native code with no engine in the process.</summary>
    [ChildScenario("native-fault-alone")]
    private static int NativeFaultAlone()
    {
        Console.WriteLine("trapped");
        Console.Out.Flush();
        Memset(16, 1, 1);
        Console.WriteLine("survived");
        return 0;
    }

    [Test]
    public void AFaultInNativeCodeStillKillsTheProcessWithSegv()
    {
        ChildResult alone = ChildProcess.Run("native-fault-alone");
        ChildResult withEngine = ChildProcess.Run("native-fault");

        Assert.That(alone.ExitCode, Is.EqualTo(128 + 11), alone.ToString());
        Assert.That(withEngine.ExitCode, Is.EqualTo(alone.ExitCode), withEngine.ToString());
        Assert.That(withEngine.Output, Does.Contain("trapped").And.Not.Contain("survived"));
    }

    [DllImport("libc", EntryPoint = "mmap")]
    private static extern nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [DllImport("libc", EntryPoint = "mprotect")]
    private static extern int Mprotect(nint address, nuint length, int protection);

    [DllImport("libc", EntryPoint = "sigaction")]
    private static extern unsafe int Sigaction(int signal, byte* action, byte* previous);

    /// <summary>
    /// Child: a native SIGSEGV handler (machine code: <c>exit_group(42)</c>) is installed before the engine's; a trap still
    /// goes through ours, and a fault in unrelated native code reaches the earlier handler, which ends the process with 42.
    /// </summary>
    [ChildScenario("previous-handler")]
    private static unsafe int PreviousHandlerGetsForeignFaults()
    {
        byte[] exit42 = [0xBF, 42, 0, 0, 0, 0xB8, 231, 0, 0, 0, 0x0F, 0x05]; // mov edi, 42; mov eax, 231; syscall
        nint page = Mmap(0, 4096, 3, 0x22, -1, 0); // PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS
        Marshal.Copy(exit42, 0, page, exit42.Length);
        Mprotect(page, 4096, 5); // PROT_READ | PROT_EXEC
        // glibc's struct sigaction: handler at 0, mask at 8 (128 bytes), flags at 136 (SA_SIGINFO | SA_ONSTACK).
        byte* action = stackalloc byte[152];
        new Span<byte>(action, 152).Clear();
        *(nint*)action = page;
        *(int*)(action + 136) = 0x4 | 0x08000000;
        if (Sigaction(11, action, null) != 0)
        {
            return 3;
        }
        var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline });
        var (instance, _) = Instantiate(engine, _ => { });
        return TrapThenFaultInNativeCode(instance);
    }

    [Test]
    public void AFaultOutsideOurCodeReachesTheHandlerInstalledBeforeOurs()
    {
        ChildResult result = ChildProcess.Run("previous-handler");

        Assert.That(result.ExitCode, Is.EqualTo(42), result.ToString());
        Assert.That(result.Output, Does.Contain("trapped").And.Not.Contain("survived"), result.ToString());
    }

    /// <summary>
    /// Child: runaway recursion through functions that access guard-page memory ends in the prologue's explicit stack
    /// check (a StackExhausted trap), never in a fault the handler could take for an access; the engine stays usable.
    /// </summary>
    [ChildScenario("stack-exhaustion")]
    private static int StackExhaustionStaysAnExplicitCheck()
    {
        var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline });
        using var store = new Store(engine);
        Instance instance = BaselineTestSupport.Instantiate(store, """
            (module (memory (export "memory") 1)
              (func $deep (export "deep") (param i32) (result i32)
                (i32.add (i32.load (i32.and (local.get 0) (i32.const 0xfffc)))
                         (call $deep (i32.add (local.get 0) (i32.const 4)))))
              (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
            """);
        int exhausted = 0, outOfBounds = 0;
        for (int i = 0; i < 5; i++)
        {
            try
            {
                instance.GetFunction("deep")!.Invoke(0);
            }
            catch (TrapException trap) when (trap.Code == TrapCode.StackExhausted && trap.WasmBacktrace.Count > 1000)
            {
                exhausted++;
            }
            try
            {
                instance.GetFunction("load")!.Invoke(65533);
            }
            catch (TrapException trap) when (trap.Code == TrapCode.MemoryOutOfBounds)
            {
                outOfBounds++;
            }
        }
        Console.WriteLine($"{instance.GetMemory("memory")!.BoundsChecks}: exhausted {exhausted}, out of bounds {outOfBounds}");
        return 0;
    }

    [Test]
    public void StackExhaustionWithGuardPageMemoriesStaysAnExplicitCheck()
    {
        ChildResult result = ChildProcess.Run("stack-exhaustion");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("GuardPages: exhausted 5, out of bounds 5"), result.ToString());
    }

    [TestCase(BoundsCheckStrategy.GuardPages)]
    [TestCase(BoundsCheckStrategy.Explicit)]
    public unsafe void MemoryGrowNeverMovesTheMemory(BoundsCheckStrategy strategy)
    {
        var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline, BoundsChecks = strategy });
        using var store = new Store(engine);
        Instance instance = BaselineTestSupport.Instantiate(store, """
            (module (memory (export "memory") 1)
              (func (export "grow") (result i32) (memory.grow (i32.const 1)))
              (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
              (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1))))
            """);
        Engine.Runtime.Memory memory = instance.GetMemory("memory")!;
        Assert.That(memory.BoundsChecks, Is.EqualTo(strategy));
        byte* start = memory.State.Base;
        Function grow = instance.GetFunction("grow")!, load = instance.GetFunction("load")!, storeByte = instance.GetFunction("store")!;
        for (int pages = 1; pages < 300; pages++)
        {
            int end = pages * 65536;
            storeByte.Invoke(end - 1, pages & 0xff);
            Assert.That(Assert.Throws<TrapException>(() => load.Invoke(end))!.Code, Is.EqualTo(TrapCode.MemoryOutOfBounds));
            Assert.That(grow.Invoke()[0].AsI32(), Is.EqualTo(pages));
            Assert.That(load.Invoke(end)[0].AsI32(), Is.Zero, "a new page is zero");
            Assert.That(memory.State.Base == start, $"the memory moved when it grew to {pages + 1} pages");
        }
        for (int pages = 1; pages < 300; pages++)
        {
            Assert.That(load.Invoke(pages * 65536 - 1)[0].AsI32(), Is.EqualTo(pages & 0xff));
        }
    }

    [DllImport("libc", EntryPoint = "signal")]
    private static extern nint Signal(int signal, nint handler);

    /// <summary>Child: another SIGSEGV handler replaces ours (here: the default action); later memories get explicit checks.</summary>
    [ChildScenario("handler-replaced")]
    private static int HandlerReplaced()
    {
        var (first, _) = Instantiate(s_baseline, _ => { });
        Signal(11, 0);
        var (second, _) = Instantiate(s_baseline, _ => { });
        Console.WriteLine($"first {first.GetMemory("memory")!.BoundsChecks}, second {second.GetMemory("memory")!.BoundsChecks}");
        try
        {
            second.GetFunction("load")!.Invoke(65533);
        }
        catch (TrapException trap)
        {
            Console.WriteLine($"second traps: {trap.Code}");
        }
        Console.WriteLine(string.Join("; ", s_baseline.TierStatistics.Memories));
        return 0;
    }

    [Test]
    public void MemoriesCreatedAfterOurHandlerWasReplacedGetExplicitChecks()
    {
        ChildResult result = ChildProcess.Run("handler-replaced");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("first GuardPages, second Explicit"));
        Assert.That(result.Output, Does.Contain("second traps: MemoryOutOfBounds"));
        Assert.That(result.Output, Does.Contain("another SIGSEGV handler replaced the engine's"));
    }

    [Test]
    public void EightStoresTrappingOnEightThreadsAtOnceAllTrap()
    {
        const int threads = 8, rounds = 300;
        var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline });
        using var start = new Barrier(threads);
        var counts = new int[threads];
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var (instance, store) = Instantiate(engine, _ => { });
            using (store)
            {
                Function storeFunction = instance.GetFunction("store")!, load = instance.GetFunction("load")!;
                start.SignalAndWait();
                for (int i = 0; i < rounds; i++)
                {
                    try
                    {
                        storeFunction.Invoke(65536 - 3 + (i % 7), i);
                        if (65536 - 3 + (i % 7) <= 65532)
                        {
                            counts[t]++;
                        }
                        else
                        {
                            failures.Enqueue($"thread {t} round {i}: no trap");
                        }
                    }
                    catch (TrapException trap) when (trap.Code == TrapCode.MemoryOutOfBounds && trap.WasmBacktrace.Count == 1)
                    {
                        counts[t]++;
                    }
                    storeFunction.Invoke(4 * t, i);
                    if (load.Invoke(4 * t)[0].AsI32() != i)
                    {
                        failures.Enqueue($"thread {t} round {i}: wrong value");
                    }
                }
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.That(failures, Is.Empty);
        Assert.That(counts, Is.All.EqualTo(rounds));
    }

    [TestCase(BoundsCheckStrategy.GuardPages)]
    [TestCase(BoundsCheckStrategy.Explicit)]
    public void ReadingBelowTheOldSizeWhileAnotherThreadGrowsTheMemory(BoundsCheckStrategy strategy)
    {
        var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline, BoundsChecks = strategy });
        using var store = new Store(engine);
        Instance instance = BaselineTestSupport.Instantiate(store, """
            (module
              (memory (export "memory") 1 2000)
              (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $sum i32)
                (loop $again
                  (local.set $sum (i32.add (local.get $sum) (i32.load (i32.and (i32.mul (local.get $i) (i32.const 4)) (i32.const 0xfffc)))))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $again (i32.lt_u (local.get $i) (local.get $n))))
                (local.get $sum)))
            """);
        Engine.Runtime.Memory memory = instance.GetMemory("memory")!;
        Assert.That(memory.BoundsChecks, Is.EqualTo(strategy));
        for (int i = 0; i < 16384; i++)
        {
            memory.WriteInt32(4 * i, 1);
        }
        bool done = false;
        var grower = new Thread(() =>
        {
            while (!Volatile.Read(ref done) && memory.Grow(1) >= 0)
            {
            }
        });
        grower.Start();
        Function sum = instance.GetFunction("sum")!;
        for (int round = 0; round < 200; round++)
        {
            Assert.That(sum.Invoke(100_000)[0].AsI32(), Is.EqualTo(100_000));
        }
        Volatile.Write(ref done, true);
        grower.Join();
        Assert.That(memory.Pages, Is.GreaterThan(1u));
    }

    [Test]
    public void TheSettingGivesExplicitChecks()
    {
        var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline, BoundsChecks = BoundsCheckStrategy.Explicit });
        var (instance, store) = Instantiate(engine, _ => { });
        using (store)
        {
            Assert.That(instance.GetMemory("memory")!.BoundsChecks, Is.EqualTo(BoundsCheckStrategy.Explicit));
            Assert.That(engine.TierStatistics.Memories.Single().ExplicitReason, Does.Contain("Explicit"));
            Assert.That(Assert.Throws<TrapException>(() => instance.GetFunction("load")!.Invoke(65533))!.Code, Is.EqualTo(TrapCode.MemoryOutOfBounds));
        }
    }

    [Test]
    public void TheInterpreterReservesNoGuardRegion()
    {
        var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Interpreter });
        var (instance, store) = Instantiate(engine, _ => { });
        using (store)
        {
            Assert.That(instance.GetMemory("memory")!.BoundsChecks, Is.EqualTo(BoundsCheckStrategy.Explicit));
            Assert.That(engine.TierStatistics.Memories.Single().ExplicitReason, Does.Contain("no machine code"));
        }
    }

    [Test]
    public void TheStoreLimitCountsAccessiblePagesNotReservedOnes()
    {
        var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline });
        using var store = new Store(engine, new StoreLimits { MemoryPages = 3 });
        Instance instance = BaselineTestSupport.Instantiate(store, """
            (module (memory (export "memory") 1)
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
            """);
        Engine.Runtime.Memory memory = instance.GetMemory("memory")!;
        Assert.That(memory.BoundsChecks, Is.EqualTo(BoundsCheckStrategy.GuardPages));
        Assert.That(engine.TierStatistics.Memories.Single().ReservedBytes, Is.EqualTo(MemoryReservation.ReservedBytes(MemoryReservation.DefaultGuardSize)));
        Function grow = instance.GetFunction("grow")!;
        Assert.That(grow.Invoke(2)[0].AsI32(), Is.EqualTo(1));
        Assert.That(grow.Invoke(1)[0].AsI32(), Is.EqualTo(-1));
        Assert.That(memory.Pages, Is.EqualTo(3u));
    }

    /// <summary>
    /// Code kept on disk (a precompiled module) keeps its fault sites: its out-of-bounds access still traps through the
    /// handler; an engine whose memories have explicit checks does not use it (its settings name the strategy).
    /// </summary>
    [Test]
    public void PrecompiledCodeForGuardPagesKeepsItsFaultSitesAndIsNotUsedWithExplicitChecks()
    {
        byte[] binary = Engine.Text.WatParser.ParseModule(MemoryModule);
        byte[] precompiled = Module.FromBytes(new WasmEngine(new EngineConfig { Tier = TierMode.Baseline }), binary).Serialize();
        foreach (BoundsCheckStrategy strategy in new[] { BoundsCheckStrategy.GuardPages, BoundsCheckStrategy.Explicit })
        {
            var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline, BoundsChecks = strategy });
            Module module = Module.FromBytes(engine, precompiled);
            using var store = new Store(engine);
            var linker = new Linker(engine);
            linker.DefineFunction("host", "poke", (int _) => { });
            Instance instance = linker.Instantiate(store, module);
            Assert.That(module.CodeCache!.FunctionsLoaded, strategy == BoundsCheckStrategy.GuardPages ? Is.EqualTo(3) : Is.Zero, strategy.ToString());
            if (strategy == BoundsCheckStrategy.Explicit)
            {
                Assert.That(module.CodeCache.NotUsed, Does.Contain("bounds=GuardPages"));
            }
            var trap = Assert.Throws<TrapException>(() => instance.GetFunction("load")!.Invoke(65533))!;
            Assert.That(trap.Code, Is.EqualTo(TrapCode.MemoryOutOfBounds));
            Assert.That(trap.WasmBacktrace.Select(f => f.FunctionIndex), Is.EqualTo(new uint[] { 1 }));
            Assert.That(instance.GetFunction("load")!.Invoke(65532)[0].AsI32(), Is.Zero);
        }
    }

    [Test]
    public void AMemoryThatCannotBeReservedRunsWithExplicitChecks()
    {
        // A limit on address space (the .NET runtime's own heap made to fit under it): 4 GiB + 32 MiB cannot be reserved.
        string module = Path.Combine(Path.GetTempPath(), $"guard-ulimit-{Environment.ProcessId}.wat");
        File.WriteAllText(module, """
            (module (memory 1)
              (func (export "run") (param i32) (result i32)
                (i32.store (i32.const 65532) (local.get 0))
                (drop (memory.grow (i32.const 1)))
                (i32.store (i32.const 131068) (local.get 0))
                (i32.add (i32.load (i32.const 65532)) (i32.load (local.get 0)))))
            """);
        try
        {
            var environment = new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x10000000" };
            Cli.CliResult ok = Cli.CliProcess.Run(["run", "--tier", "baseline", "--stats", "--invoke", "run", module, "131068"],
                environment, shellPrefix: "ulimit -v 3000000; exec ");
            Cli.CliResult trap = Cli.CliProcess.Run(["run", "--tier", "baseline", "--invoke", "run", module, "131069"],
                environment, shellPrefix: "ulimit -v 3000000; exec ");

            Assert.That(ok.ExitCode, Is.Zero, ok.ToString());
            Assert.That(ok.Output.Trim(), Is.EqualTo("262136"));
            Assert.That(ok.Error, Does.Contain("0 with guard pages, 1 with explicit bounds checks"));
            Assert.That(ok.Error, Does.Contain("reservation of 4128 MiB of address space failed"));
            Assert.That(trap.ExitCode, Is.EqualTo(134), trap.ToString());
            Assert.That(trap.Error, Does.Contain("out of bounds memory access"));
        }
        finally
        {
            File.Delete(module);
        }
    }
}
