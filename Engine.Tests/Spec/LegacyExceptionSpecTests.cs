using Engine.Core;
using Engine.Runtime;
using Engine.Wast;
using NUnit.Framework;

namespace Engine.Tests.Spec;

/// <summary>
/// The 3.0 suite's scripts of the legacy exception instructions (<c>legacy/*.wast</c>: <c>try</c>, <c>catch</c>,
/// <c>catch_all</c>, <c>delegate</c>, <c>rethrow</c>) pass whole in every tier mode. The compilers refuse functions
/// using them, which stay in the interpreter: in the machine-code modes the only fallbacks allowed are those, with
/// <see cref="CompileFailureReason.UnsupportedFeature"/>.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class LegacyExceptionSpecTests
{
    public static IEnumerable<string> ScriptNames()
    {
        string folder = Path.Combine(Spec30Suite.Root, "legacy");
        return Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.wast").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!
            : ["(suite missing)"];
    }

    [TestCaseSource(nameof(ScriptNames))]
    public void RunsInTheInterpreter(string name) => Check(name, Spec30Suite.Interpreter);

    [TestCaseSource(nameof(ScriptNames))]
    public void RunsInTheBaselineTier(string name) => Check(name, Spec30Suite.Baseline);

    [TestCaseSource(nameof(ScriptNames))]
    public void RunsInTheOptimizingTier(string name) => Check(name, Spec30Suite.Optimizing);

    [TestCaseSource(nameof(ScriptNames))]
    public void RunsTieredWithThresholdOne(string name) => Check(name, Spec30Suite.TieredThresholdOne);

    private static void Check(string name, EngineConfig config)
    {
        string path = Path.Combine(Spec30Suite.Root, "legacy", name + ".wast");
        if (!File.Exists(path))
        {
            Assert.Fail($"The WebAssembly 3.0 spec test suite was not found at '{Spec30Suite.Root}' (set WASM_TESTSUITE_3 to its folder).");
        }
        WastResults results = new WastRunner(new WastOptions { Config = config, KeepGoing = true }).RunFile(path);
        Assert.That(results.Failures, Is.Empty, $"{name}: {results.Total}" + Environment.NewLine + string.Join(Environment.NewLine, results.Failures.Take(20)));
        Assert.That(results.Total.Skipped, Is.Zero);
        Assert.That(results.Total.Passed, Is.GreaterThan(0));
        Assert.That(results.FallbackReasons.Keys, Is.SubsetOf(new[] { CompileFailureReason.UnsupportedFeature }));
        Assert.That(results.FallbackDetails.Keys, Has.All.Contains("legacy exception instructions"));
    }
}
