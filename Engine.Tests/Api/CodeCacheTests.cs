using Engine.Core;
using Engine.Runtime;
using Engine.Runtime.Caching;
using Engine.Text;
using NUnit.Framework;

namespace Engine.Tests.Api;

/// <summary>
/// Compiled code kept between runs: precompiled modules (<see cref="Module.Serialize"/>, <see cref="Module.Deserialize"/>)
/// and the code cache (<see cref="EngineConfig.CacheDirectory"/>). Every damaged or foreign file is refused or ignored,
/// and the results never change.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class CodeCacheTests
{
    /// <summary>Loops, calls, a trap site, an indirect call: code with stack maps, trap sites and OSR entries to store.</summary>
    private const string Program = """
        (module
          (type $t (func (param i32) (result i32)))
          (table 2 funcref)
          (elem (i32.const 0) $square $fib)
          (memory 1)
          (func $square (type $t) (i32.mul (local.get 0) (local.get 0)))
          (func $fib (type $t)
            (if (result i32) (i32.lt_s (local.get 0) (i32.const 2))
              (then (local.get 0))
              (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                             (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
          (func $sum (export "sum") (param $n i32) (result i32) (local $i i32) (local $acc i32)
            (loop $next
              (local.set $acc (i32.add (local.get $acc)
                (call_indirect (type $t) (local.get $i) (i32.and (local.get $i) (i32.const 1)))))
              (i32.store (i32.const 0) (local.get $acc))
              (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
            (i32.add (local.get $acc) (call $fib (i32.const 15))))
          (func (export "divide") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))
        """;

    private static readonly byte[] s_binary = WatParser.ParseModule(Program);

    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("wasm-engine-cache-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static EngineConfig Tiered(string? cache) => new()
    {
        Tier = TierMode.Tiered, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, BackgroundCompilation = false, CacheDirectory = cache,
    };

    /// <summary>Loads the program, runs it, writes the cache; returns the results and the module.</summary>
    private static (int Sum, Module Module) RunOnce(EngineConfig config, byte[]? binary = null)
    {
        var engine = new WasmEngine(config);
        Module module = Module.FromBytes(engine, binary ?? s_binary);
        using var store = new Store(engine);
        if (config.ConsumeFuel)
        {
            store.SetFuel(long.MaxValue);
        }
        Instance instance = new Linker(engine).Instantiate(store, module);
        int sum = instance.GetFunction("sum")!.AsFunc<int, int>()(30);
        Assert.That(() => instance.GetFunction("divide")!.AsFunc<int, int, int>()(1, 0), Throws.InstanceOf<TrapException>());
        module.WriteCache();
        return (sum, module);
    }

    private static int Expected => RunOnce(new EngineConfig { Tier = TierMode.Interpreter }).Sum;

    private string Entry => Directory.GetFiles(_folder, "*" + CodeCache.Extension).Single();

    [Test]
    public void TheSecondRunStartsWithTheFunctionsTheFirstCompiled()
    {
        var (first, cold) = RunOnce(Tiered(_folder));
        Assert.That(cold.CodeCache!.NotUsed, Is.EqualTo("no entry yet"));
        Assert.That(cold.CodeCache.FunctionsWritten, Is.EqualTo(4));
        var (second, warm) = RunOnce(Tiered(_folder));
        Assert.That(second, Is.EqualTo(first).And.EqualTo(Expected));
        Assert.That(warm.CodeCache!.NotUsed, Is.Null);
        Assert.That(warm.CodeCache.FunctionsLoaded, Is.EqualTo(4), "every function compiled by the first run is a hit");
        Assert.That(warm.Statistics.TranslatedFunctions, Is.Zero, "nothing ran in the interpreter");
        Assert.That(warm.Engine.TierStatistics.Promotions.Select(p => p.Trigger), Is.All.EqualTo("cache"));
        Assert.That(warm.CodeCache.FunctionsWritten, Is.Zero, "nothing new to write");
    }

    [Test]
    public void ATrapInCachedCodeHasItsBacktrace()
    {
        RunOnce(Tiered(_folder));
        var engine = new WasmEngine(Tiered(_folder));
        Module module = Module.FromBytes(engine, s_binary);
        using var store = new Store(engine);
        Instance instance = new Linker(engine).Instantiate(store, module);
        Assert.That(module.CodeCache!.FunctionsLoaded, Is.EqualTo(4));
        var trap = Assert.Throws<TrapException>(() => instance.GetFunction("divide")!.Invoke(Value.I32(1), Value.I32(0)))!;
        Assert.That(trap.Code, Is.EqualTo(TrapCode.IntegerDivideByZero));
        Assert.That(WasmBacktrace.Get(trap).Count, Is.EqualTo(1));
    }

    /// <summary>A damaged entry (a flipped byte anywhere, a truncation, an empty file) is detected and ignored; the results stay the same.</summary>
    [TestCase("flip-header")]
    [TestCase("flip-code")]
    [TestCase("flip-checksum")]
    [TestCase("truncate")]
    [TestCase("empty")]
    [TestCase("garbage")]
    public void ADamagedEntryIsIgnored(string damage)
    {
        RunOnce(Tiered(_folder));
        string entry = Entry;
        byte[] bytes = File.ReadAllBytes(entry);
        switch (damage)
        {
            case "flip-header":
                bytes[20] ^= 0x40;
                break;
            case "flip-code":
                bytes[bytes.Length / 2] ^= 0x01;
                break;
            case "flip-checksum":
                bytes[^1] ^= 0x80;
                break;
            case "truncate":
                bytes = bytes[..(bytes.Length - 100)];
                break;
            case "empty":
                bytes = [];
                break;
            default:
                bytes = [.. CodeFile.Magic, .. new byte[500]];
                break;
        }
        File.WriteAllBytes(entry, bytes);
        var (sum, module) = RunOnce(Tiered(_folder));
        Assert.That(sum, Is.EqualTo(Expected));
        Assert.That(module.CodeCache!.FunctionsLoaded, Is.Zero);
        Assert.That(module.CodeCache.NotUsed, Does.StartWith("the entry is ignored"));
        Assert.That(module.Statistics.TranslatedFunctions, Is.GreaterThan(0), "compiled as usual");
        Assert.That(module.CodeCache.FunctionsWritten, Is.EqualTo(4), "the damaged entry is replaced");
        Assert.That(RunOnce(Tiered(_folder)).Module.CodeCache!.FunctionsLoaded, Is.EqualTo(4));
    }

    /// <summary>An intact entry made under other conditions (another engine build, processor features this machine lacks) is ignored.</summary>
    [TestCase("build")]
    [TestCase("features")]
    [TestCase("settings")]
    [TestCase("module")]
    public void AnEntryMadeUnderOtherConditionsIsIgnored(string what)
    {
        // Features: the engine may use x86-64-v2 only (the lowered setting), the entry claims AVX2 code.
        EngineConfig config = what == "features" ? Tiered(_folder) with { CpuFeatures = CpuFeatures.X64V2 } : Tiered(_folder);
        RunOnce(config);
        string entry = Entry;
        CodeFileContents contents = CodeFile.Read(File.ReadAllBytes(entry));
        CodeSettings settings = contents.Settings;
        contents = what switch
        {
            "build" => contents with { Settings = settings with { EngineBuild = "0.0.1 build 0123456789abcdef" } },
            "features" => contents with { Settings = settings with { Features = settings.Features | CpuFeatures.Avx | CpuFeatures.Avx2 } },
            "settings" => contents with { Settings = settings with { Options = settings.Options.Replace("fuel=False", "fuel=True") } },
            _ => contents with { ModuleHash = new byte[32] },
        };
        File.WriteAllBytes(entry, CodeFile.Write(contents));
        var (sum, module) = RunOnce(config);
        Assert.That(sum, Is.EqualTo(Expected));
        Assert.That(module.CodeCache!.FunctionsLoaded, Is.Zero);
        Assert.That(module.CodeCache.NotUsed, Does.Contain(what switch
        {
            "build" => "another engine build",
            "features" => "processor features this engine may not use (avx avx2)",
            "settings" => "other settings",
            _ => "another module",
        }));
    }

    /// <summary>Different settings are different entries: fuel metering changes the code, so a run with fuel never takes code made without.</summary>
    [Test]
    public void SettingsThatChangeTheCodeHaveTheirOwnEntries()
    {
        RunOnce(Tiered(_folder));
        var (_, withFuel) = RunOnce(Tiered(_folder) with { ConsumeFuel = true });
        Assert.That(withFuel.CodeCache!.NotUsed, Is.EqualTo("no entry yet"));
        Assert.That(Directory.GetFiles(_folder, "*" + CodeCache.Extension), Has.Length.EqualTo(2));
    }

    /// <summary>Threads writing the same entry over and over while others read it: every read is a whole entry (or none).</summary>
    [Test]
    public void ConcurrentWritersNeverLeaveAHalfEntry()
    {
        RunOnce(Tiered(_folder));
        CodeFileContents contents = CodeFile.Read(File.ReadAllBytes(Entry));
        string key = Path.GetFileNameWithoutExtension(Entry);
        var cache = new CodeCache(_folder, long.MaxValue);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var stop = DateTime.UtcNow.AddSeconds(2);
        var tasks = Enumerable.Range(0, 4).Select(i => Task.Run(() =>
        {
            while (DateTime.UtcNow < stop)
            {
                try
                {
                    if (i % 2 == 0)
                    {
                        cache.Write(key, contents);
                    }
                    else if (cache.TryRead(key, contents.Settings, contents.ModuleHash, ModuleLoader.DecodeAndValidate(s_binary)) is null)
                    {
                        failures.Add("the entry was missing");
                    }
                }
                catch (Exception e)
                {
                    failures.Add(e.Message);
                }
            }
        })).ToArray();
        Task.WaitAll(tasks);
        Assert.That(failures, Is.Empty);
        Assert.That(Directory.GetFiles(_folder), Has.Length.EqualTo(1), "no temporary file left behind");
    }

    [Test]
    public void TheCacheKeepsUnderItsCapDroppingTheLeastRecentlyUsed()
    {
        // Three modules, one entry each; a cap of about two entries.
        byte[][] modules = [.. Enumerable.Range(0, 3).Select(i => WatParser.ParseModule(Program.Replace("(i32.const 15)", $"(i32.const {10 + i})")))];
        RunOnce(Tiered(_folder), modules[0]);
        long size = new FileInfo(Entry).Length;
        string oldest = Entry;
        File.SetLastWriteTimeUtc(oldest, DateTime.UtcNow.AddMinutes(-5));
        RunOnce(Tiered(_folder), modules[1]);
        RunOnce(Tiered(_folder) with { CacheMaxBytes = size * 2 + size / 2 }, modules[2]);
        string[] entries = Directory.GetFiles(_folder, "*" + CodeCache.Extension);
        Assert.That(entries, Has.Length.EqualTo(2));
        Assert.That(entries, Does.Not.Contain(oldest));
    }

    [Test]
    public void APrecompiledModuleRunsWithoutCompiling()
    {
        var compiler = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline });
        byte[] precompiled = Module.FromBytes(compiler, s_binary).Serialize();
        Assert.That(Module.IsPrecompiled(precompiled), Is.True);

        var (sum, module) = RunOnce(new EngineConfig(), precompiled);
        Assert.That(sum, Is.EqualTo(Expected));
        Assert.That(module.CodeCache!.FunctionsLoaded, Is.EqualTo(4));
        Assert.That(module.Statistics.TranslatedFunctions, Is.Zero);
        Assert.That(module.Engine.TierStatistics.Promotions.Select(p => p.Trigger), Is.All.EqualTo("precompiled"));
        Assert.That(module.Exports.Select(e => e.Name), Is.EqualTo(new[] { "sum", "divide" }), "the original module is the module");
    }

    [Test]
    public void APrecompiledModuleOfOtherSettingsCompilesAsUsual()
    {
        byte[] precompiled = Module.FromBytes(new WasmEngine(new EngineConfig { Tier = TierMode.Baseline }), s_binary).Serialize();
        var (sum, module) = RunOnce(new EngineConfig { ConsumeFuel = true }, precompiled);
        Assert.That(sum, Is.EqualTo(Expected));
        Assert.That(module.CodeCache!.FunctionsLoaded, Is.Zero);
        Assert.That(module.CodeCache.NotUsed, Does.Contain("compiled with other settings"));
    }

    /// <summary>
    /// The header records the processor features the code was compiled for (the engine's, from CPUID); an engine that
    /// may use fewer (the lowered setting, as on an older processor) compiles as usual, and every function's code records
    /// the features of the engine that made it, whether compiled or loaded.
    /// </summary>
    [Test]
    public void APrecompiledModuleForMoreProcessorFeaturesCompilesAsUsual()
    {
        var full = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline });
        byte[] precompiled = Module.FromBytes(full, s_binary).Serialize();
        CodeFileContents contents = CodeFile.Read(precompiled);
        Assert.That(contents.Settings.Features, Is.EqualTo(full.CpuFeatures));
        Assert.That(contents.Functions.Select(f => f.Artifact.CpuFeatures), Is.All.EqualTo(full.CpuFeatures));

        var (sum, loaded) = RunOnce(new EngineConfig(), precompiled);
        Assert.That(sum, Is.EqualTo(Expected));
        Assert.That(loaded.CodeCache!.FunctionsLoaded, Is.EqualTo(4));

        if ((full.CpuFeatures & ~CpuFeatures.X64V2) == 0)
        {
            Assert.Ignore("this processor has nothing beyond x86-64-v2 to withhold");
        }
        var (lowSum, lowered) = RunOnce(new EngineConfig { CpuFeatures = CpuFeatures.X64V2 }, precompiled);
        Assert.That(lowSum, Is.EqualTo(Expected));
        Assert.That(lowered.CodeCache!.FunctionsLoaded, Is.Zero);
        Assert.That(lowered.CodeCache.NotUsed, Does.Contain("processor features this engine may not use"));
    }

    [Test]
    public void APrecompiledModuleOfAnotherEngineBuildIsRefused()
    {
        byte[] precompiled = Module.FromBytes(new WasmEngine(new EngineConfig { Tier = TierMode.Baseline }), s_binary).Serialize();
        CodeFileContents contents = CodeFile.Read(precompiled);
        byte[] foreign = CodeFile.Write(contents with { Settings = contents.Settings with { EngineBuild = "0.0.1 build 0123456789abcdef" } });
        var error = Assert.Throws<CodeFileException>(() => Module.Deserialize(new WasmEngine(), foreign))!;
        Assert.That(error.Incompatible, Is.True);
        Assert.That(error.Message, Does.Contain("made by another engine build (0.0.1 build 0123456789abcdef; this is "));
        Assert.That(error.Message, Does.EndWith("compile the module again"));
    }

    /// <summary>
    /// A precompiled module with any byte changed (header, module, code, checksum) or cut short anywhere is refused before
    /// any of its code is placed: the checksum covers every byte. No function of a refused file ever runs.
    /// </summary>
    [Test]
    public void APrecompiledModuleWhoseChecksumDoesNotMatchIsRefused()
    {
        byte[] precompiled = Module.FromBytes(new WasmEngine(new EngineConfig { Tier = TierMode.Baseline }), s_binary).Serialize();
        var engine = new WasmEngine();
        for (int at = 8; at < precompiled.Length; at += Math.Max(1, precompiled.Length / 97))
        {
            byte[] damaged = (byte[])precompiled.Clone();
            damaged[at] ^= 0x10;
            var error = Assert.Throws<CodeFileException>(() => Module.Deserialize(engine, damaged), $"byte {at} flipped")!;
            Assert.That(error.Message, Does.StartWith("corrupted").Or.StartWith("made in code-file format"), $"byte {at} flipped");
            Assert.Throws<CodeFileException>(() => Module.Deserialize(engine, precompiled[..at]), $"cut at {at}");
        }
        Assert.That(engine.TierStatistics.Promotions, Is.Empty, "nothing of a refused file was placed");
    }
}
