using Engine.Fuzz;
using Engine.Fuzz.Targets;
using NUnit.Framework;

namespace Engine.Tests.Fuzz;

/// <summary>
/// The quick part of fuzzing (issue 19): each target of <c>Engine.Fuzz</c> for a small fixed number of cases with
/// a fixed seed (a few seconds each), and every reproducer the fuzzer ever saved (committed under
/// <c>Reproducers/TARGET/</c>) replayed through its target. The long runs are
/// <c>dotnet run -c Release --project Engine.Fuzz -- TARGET --time 10m</c>.
/// </summary>
[TestFixture]
public sealed class FuzzTargetTests
{
    private static string ReproducerDirectory => Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Fuzz", "Reproducers");

    private static FuzzTarget Create(string name) => name switch
    {
        // wasm-opt is not needed by the tests: our own generator makes the modules.
        "diff" => new DiffTarget(wasmtime: true, wasmOpt: false),
        "decode" => new DecodeTarget(),
        "text" => new TextTarget(printedModules: 150),
        "wasi" => new WasiTarget(),
        _ => throw new ArgumentException(name),
    };

    [TestCase("decode", 4000)]
    [TestCase("text", 3000)]
    [TestCase("diff", 100)]
    [TestCase("wasi", 60)]
    public void QuickRunFindsNothing(string targetName, int count)
    {
        // The decode and text targets mutate the spec suite: fail with the explanation when it is missing.
        _ = TestPaths.TestSuite;
        FuzzTarget target = Create(targetName);
        var failures = new FailureStore(directory: null);
        var log = new StringWriter();
        var runner = new FuzzRunner(target, failures, seed: 19) { Log = log };
        runner.Run(start: 0, count, DateTime.MaxValue);
        TestContext.Out.WriteLine($"{targetName}: {runner.Cases} cases; " +
                                  string.Join(", ", target.Counters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}")));
        Assert.That(runner.Cases, Is.EqualTo(count));
        Assert.That(failures.Descriptions.Values, Is.Empty, log.ToString());
    }

    /// <summary>
    /// The generator's 3.0 options (issue 17), each alone and all together: the modules use the feature, are valid, and
    /// our tiers agree with one another and, except for relaxed SIMD (implementation-defined), with wasmtime.
    /// </summary>
    [TestCase("multi-memory", "(memory $m1")]
    [TestCase("memory64", " i64 1 ")]
    [TestCase("function-references", "call_ref $t")]
    [TestCase("relaxed-simd", "relaxed_")]
    [TestCase("tail-calls", "return_call")]
    [TestCase("exceptions", "try_table")]
    [TestCase("calls", "i32.and\n    local.tee 0\n    i32.eqz\n")]
    [TestCase("all", "call_ref $t")]
    public void GeneratorOptionsMakeModulesTheTiersAndWasmtimeAgreeOn(string feature, string expectedText)
    {
        var options = feature switch
        {
            "multi-memory" => new Engine.Fuzz.Generation.ModuleGenerator.Options(MultiMemory: true),
            "memory64" => new Engine.Fuzz.Generation.ModuleGenerator.Options(Memory64: true),
            "function-references" => new Engine.Fuzz.Generation.ModuleGenerator.Options(FunctionReferences: true),
            "relaxed-simd" => new Engine.Fuzz.Generation.ModuleGenerator.Options(RelaxedSimd: true),
            "tail-calls" => new Engine.Fuzz.Generation.ModuleGenerator.Options(TailCalls: true),
            "exceptions" => new Engine.Fuzz.Generation.ModuleGenerator.Options(Exceptions: true),
            "calls" => new Engine.Fuzz.Generation.ModuleGenerator.Options(Calls: true),
            _ => Engine.Fuzz.Generation.ModuleGenerator.Options.All,
        };
        // Relaxed SIMD: our tiers only (an unmarked module is not compared with wasmtime); the rest NaN-canonical, so wasmtime compares too.
        bool tiersOnly = options.RelaxedSimd;
        var target = new DiffTarget(wasmtime: true, wasmOpt: false);
        int withFeature = 0;
        for (int seed = 0; seed < 12; seed++)
        {
            string text = new Engine.Fuzz.Generation.ModuleGenerator(new Random(seed), simd: seed % 2 == 0 || tiersOnly, canonicalNaNs: !tiersOnly, options).Generate();
            if (text.Contains(expectedText, StringComparison.Ordinal))
            {
                withFeature++;
            }
            byte[] module = Engine.Text.WatParser.ParseModule(text);
            Finding? finding = target.Run(tiersOnly ? module : DiffTarget.MarkCanonical(module));
            Assert.That(finding, Is.Null, $"seed {seed}: {finding?.Description}\n{text}");
        }
        Assert.That(withFeature, Is.GreaterThan(3), $"few modules contain '{expectedText}'");
        if (!tiersOnly)
        {
            Assert.That(target.Counters.GetValueOrDefault("not compared with wasmtime (NaN bits may differ)"), Is.Zero);
        }
    }

    /// <summary>
    /// Every module of the generator with all its 3.0 options (and SIMD, NaN canonicalisation, each in half) is valid for
    /// our validator and (without relaxed SIMD) for wasmtime's. 200 modules here; <c>WASM_GENERATOR_COUNT=N</c> checks N (a few thousand by hand).
    /// </summary>
    [Test]
    public void GeneratedModulesAreValid()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("WASM_GENERATOR_COUNT"), out int n) ? n : 200;
        var features = new Dictionary<string, int> { ["return_call"] = 0, ["return_call_indirect"] = 0, ["return_call_ref"] = 0, ["throw "] = 0,
            ["throw_ref"] = 0, ["try_table"] = 0, ["(catch "] = 0, ["(catch_ref "] = 0, ["(catch_all "] = 0, ["(catch_all_ref "] = 0 };
        for (int seed = 0; seed < count; seed++)
        {
            // wasmtime runs without relaxed SIMD (its choices are implementation-defined): in a third of the modules, ours only.
            bool relaxed = seed % 3 == 0;
            string text = new Engine.Fuzz.Generation.ModuleGenerator(new Random(seed), simd: seed % 2 == 0, canonicalNaNs: seed % 4 < 2,
                Engine.Fuzz.Generation.ModuleGenerator.Options.All with { RelaxedSimd = relaxed }).Generate();
            foreach (string feature in features.Keys)
            {
                features[feature] += text.Contains(feature, StringComparison.Ordinal) ? 1 : 0;
            }
            byte[] module;
            try
            {
                module = Engine.Text.WatParser.ParseModule(text);
                Engine.Core.ModuleLoader.DecodeAndValidate(module);
            }
            catch (Engine.Core.WasmException e)
            {
                Assert.Fail($"seed {seed}: {e.Message}\n{text}");
                return;
            }
            if (!relaxed)
            {
                Assert.That(WasmtimeRun.Validate(module, wasm3: true), Is.Null, $"seed {seed}: wasmtime refuses\n{text}");
            }
        }
        TestContext.Out.WriteLine($"{count} modules; containing: " + string.Join(", ", features.Select(p => $"{p.Key.Trim()} {p.Value}")));
        Assert.That(features.Values, Has.All.GreaterThan(count / 20), "each new instruction in at least 5% of the modules");
    }

    [Test]
    public void CasesDependOnTheSeedAndIndexOnly()
    {
        var target = new DiffTarget(wasmtime: false, wasmOpt: false);
        var a = new FuzzRunner(target, new FailureStore(null), seed: 5);
        var b = new FuzzRunner(target, new FailureStore(null), seed: 5);
        Assert.That(a.Generate(17), Is.EqualTo(b.Generate(17)));
        Assert.That(a.Generate(17), Is.Not.EqualTo(a.Generate(18)));
        var wasi = new WasiTarget();
        Assert.That(new FuzzRunner(wasi, new FailureStore(null), 5).Generate(3), Is.EqualTo(new FuzzRunner(wasi, new FailureStore(null), 5).Generate(3)));
    }

    public static IEnumerable<TestCaseData> Reproducers() =>
        Directory.Exists(ReproducerDirectory)
            ? Directory.GetFiles(ReproducerDirectory, "*", SearchOption.AllDirectories)
                .Where(f => !f.EndsWith(".txt", StringComparison.Ordinal) && !f.EndsWith(".md", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .Select(f => new TestCaseData(Path.GetRelativePath(ReproducerDirectory, f)).SetName($"Reproducer({Path.GetRelativePath(ReproducerDirectory, f)})"))
            : [];

    [TestCaseSource(nameof(Reproducers))]
    public void FixedReproducersStayFixed(string relativePath)
    {
        string target = relativePath.Split(Path.DirectorySeparatorChar)[0];
        Finding? finding = Create(target).Run(File.ReadAllBytes(Path.Combine(ReproducerDirectory, relativePath)));
        Assert.That(finding, Is.Null, finding?.Description);
    }

    private static string OpenFindingDirectory => Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Fuzz", "Open");

    /// <summary>Findings not fixed yet (each with a .txt saying what is wrong), one case per module.</summary>
    public static IEnumerable<TestCaseData> OpenFindings() =>
        Directory.Exists(OpenFindingDirectory)
            ? Directory.GetFiles(OpenFindingDirectory, "*.wasm", SearchOption.AllDirectories)
                .Order(StringComparer.Ordinal)
                .Select(f => new TestCaseData(Path.GetRelativePath(OpenFindingDirectory, f)).SetName($"OpenFinding({Path.GetRelativePath(OpenFindingDirectory, f)})"))
            : [];

    /// <summary>
    /// A known, not yet fixed finding keeps failing the way its .txt says: the day it passes, this test says so, and the
    /// module moves to <c>Reproducers/</c> where <see cref="FixedReproducersStayFixed"/> keeps it fixed.
    /// </summary>
    [TestCaseSource(nameof(OpenFindings))]
    public void OpenFindingsStillFail(string relativePath)
    {
        string target = relativePath.Split(Path.DirectorySeparatorChar)[0];
        Finding? finding = Create(target).Run(File.ReadAllBytes(Path.Combine(OpenFindingDirectory, relativePath)));
        Assert.That(finding, Is.Not.Null, "this finding is fixed now: move it to Reproducers/" + target);
    }
}
