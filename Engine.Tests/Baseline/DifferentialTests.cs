using System.Diagnostics;
using Engine.Fuzz.Targets;
using NUnit.Framework;

namespace Engine.Tests.Baseline;

/// <summary>
/// Differential testing: random valid modules (binaryen's <c>wasm-opt --translate-to-fuzz</c>, see
/// <c>Fuzz/generate.sh</c>) run in the interpreter (the oracle) and in the machine-code modes; every export is
/// called in order (after the fuzzer's hang-limit reset) with zero arguments, and the results, traps, the
/// values logged through the imports, the globals and the memory must be identical. NaN bit patterns are
/// compared as "a NaN" (wasm leaves NaN payloads nondeterministic). The committed modules run in the normal
/// suite; <c>WASM_DIFFERENTIAL_COUNT=N</c> generates and runs N more with wasm-opt (the long, opt-in run).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class DifferentialTests
{
    private static string FuzzDirectory => Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Baseline", "Fuzz");

    public static IEnumerable<string> CommittedModules() =>
        Directory.Exists(FuzzDirectory)
            ? Directory.GetFiles(FuzzDirectory, "*.wasm").Select(Path.GetFileName).Order(StringComparer.Ordinal)!
            : [];

    [TestCaseSource(nameof(CommittedModules))]
    public void CompiledCodeBehavesLikeTheInterpreter(string file)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(FuzzDirectory, file));
        CompareAllModes(bytes);
    }

    [Test]
    [Explicit("long run: set WASM_DIFFERENTIAL_COUNT and have wasm-opt (binaryen) on PATH")]
    public void ManyGeneratedModules()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("WASM_DIFFERENTIAL_COUNT"), out int n) ? n : 200;
        int firstSeed = int.TryParse(Environment.GetEnvironmentVariable("WASM_DIFFERENTIAL_SEED"), out int s) ? s : 100_000;
        string work = Path.Combine(Path.GetTempPath(), $"wasm-differential-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        try
        {
            for (int i = 0; i < count; i++)
            {
                int seed = firstSeed + i;
                var random = new Random(seed);
                byte[] input = new byte[random.Next(500, 20_000)];
                random.NextBytes(input);
                string inputPath = Path.Combine(work, "in.dat"), output = Path.Combine(work, "out.wasm");
                File.WriteAllBytes(inputPath, input);
                using (Process process = Process.Start(new ProcessStartInfo("wasm-opt",
                    $"-ttf {inputPath} -o {output} --mvp-features --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int " +
                    "--enable-bulk-memory --enable-multivalue" + (i % 2 == 1 ? " --enable-simd" : "")) { RedirectStandardError = true })!)
                {
                    process.WaitForExit();
                    Assert.That(process.ExitCode, Is.Zero, $"wasm-opt failed for seed {seed}");
                }
                byte[] bytes = File.ReadAllBytes(output);
                try
                {
                    CompareAllModes(bytes);
                }
                catch (Exception e) when (e is AssertionException)
                {
                    string kept = Path.Combine(Path.GetTempPath(), $"differential-failure-{seed}.wasm");
                    File.WriteAllBytes(kept, bytes);
                    throw new AssertionException($"seed {seed} (module kept at {kept}): {e.Message}");
                }
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Test]
    [Explicit("debugging: WASM_DIFFERENTIAL_FILE names a module; prints what each mode did")]
    public void OneFile()
    {
        byte[] bytes = File.ReadAllBytes(Environment.GetEnvironmentVariable("WASM_DIFFERENTIAL_FILE")!);
        foreach (string mode in new[] { "interpreter", "baseline" })
        {
            TestContext.Out.WriteLine($"---- {mode}");
            foreach (string e in Run(bytes, mode, memoryAfterEachCall: true))
            {
                TestContext.Out.WriteLine(e);
            }
        }
        CompareAllModes(bytes);
    }

    private static void CompareAllModes(byte[] bytes)
    {
        List<string> oracle = Run(bytes, "interpreter");
        foreach (string mode in new[] { "baseline", "baseline-unpinned", "baseline-x64v2", "optimizing", "tiered-1", "tiered-1-full", "tiered-sync" })
        {
            List<string> observed = Run(bytes, mode);
            int count = Math.Min(oracle.Count, observed.Count);
            for (int i = 0; i < count; i++)
            {
                Assert.That(observed[i], Is.EqualTo(oracle[i]), $"{mode}: event {i} differs (after: {string.Join(" | ", oracle.Take(i).TakeLast(5))})");
            }
            Assert.That(observed.Count, Is.EqualTo(oracle.Count), $"{mode}: number of events");
        }
    }

    /// <summary>Runs every export with zero arguments; returns what happened, one line per event (the fuzzer's runner).</summary>
    private static List<string> Run(byte[] bytes, string mode, bool memoryAfterEachCall = false) =>
        EngineRun.Run(bytes, TierModes.Config(mode), new EngineRunOptions(ZeroArguments: true, TrapMessages: true, MemoryAfterEachCall: memoryAfterEachCall));
}
