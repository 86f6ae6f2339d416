using Engine.Runtime;
using Engine.Wast;
using NUnit.Framework;

namespace Engine.Tests.Spec;

/// <summary>
/// The WebAssembly 3.0 spec suite (<c>core/*.wast</c> of <c>../shared/wasm-testsuite-3.0</c>, or <c>$WASM_TESTSUITE_3</c>) on
/// every tier, as a ratchet while 3.0 is being built (issue 17): the scripts listed in <c>Spec30Passing.txt</c> must pass
/// whole (no command failed or skipped); any other script runs and reports its counts, and fails the test once it passes
/// whole, so that it is added to the list and cannot fall back later.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class Spec30Tests
{
    [TestCaseSource(typeof(Spec30Suite), nameof(Spec30Suite.ScriptNames))]
    public void RunsInTheInterpreter(string name) => Spec30Suite.Check(name, Spec30Suite.Interpreter);

    [TestCaseSource(typeof(Spec30Suite), nameof(Spec30Suite.ScriptNames))]
    public void RunsInTheBaselineTier(string name) => Spec30Suite.Check(name, Spec30Suite.Baseline);

    [TestCaseSource(typeof(Spec30Suite), nameof(Spec30Suite.ScriptNames))]
    public void RunsTieredWithThresholdOne(string name) => Spec30Suite.Check(name, Spec30Suite.TieredThresholdOne);

    [TestCaseSource(typeof(Spec30Suite), nameof(Spec30Suite.ScriptNames))]
    public void RunsInTheOptimizingTier(string name) => Spec30Suite.Check(name, Spec30Suite.Optimizing);

    [Test]
    public void ThePassingListNamesOnlyScriptsOfTheSuite()
    {
        string[] missing = Spec30Suite.Passing.Where(name => !File.Exists(Spec30Suite.ScriptPath(name))).ToArray();
        Assert.That(missing, Is.Empty, "Spec30Passing.txt names scripts the suite does not have");
    }
}

/// <summary>Where the 3.0 suite is, which of its scripts pass, and how one is checked.</summary>
internal static class Spec30Suite
{
    // The tier modes the 3.0 scripts run in (the legacy exception scripts' fixture too); tiered goes through both hops.
    public static readonly EngineConfig Interpreter = new() { Tier = TierMode.Interpreter };
    public static readonly EngineConfig Baseline = new() { Tier = TierMode.Baseline };
    public static readonly EngineConfig Optimizing = new() { Tier = TierMode.Optimizing };
    public static readonly EngineConfig TieredThresholdOne = new()
    {
        Tier = TierMode.Tiered, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, TierUpOptimizeThreshold = 1,
        BackgroundCompilation = false,
    };

    private static readonly Lazy<HashSet<string>> s_passing = new(ReadPassingList);

    /// <summary>The suite's folder: <c>$WASM_TESTSUITE_3</c>, else <c>../shared/wasm-testsuite-3.0</c> from the repository root.</summary>
    public static string Root
    {
        get
        {
            string? fromEnvironment = Environment.GetEnvironmentVariable("WASM_TESTSUITE_3");
            return !string.IsNullOrEmpty(fromEnvironment)
                ? fromEnvironment
                : Path.GetFullPath(Path.Combine(TestPaths.RepositoryRoot, "..", "shared", "wasm-testsuite-3.0"));
        }
    }

    /// <summary>The scripts that pass whole in every tier (<c>Engine.Tests/Spec/Spec30Passing.txt</c>, one name a line, <c>#</c> comments).</summary>
    public static IReadOnlySet<string> Passing => s_passing.Value;

    /// <summary>The names of the core scripts (file names without <c>.wast</c>); one failing case when the suite is missing.</summary>
    public static IEnumerable<string> ScriptNames()
    {
        string core = Path.Combine(Root, "core");
        if (!Directory.Exists(core))
        {
            return ["(suite missing)"];
        }
        return Directory.GetFiles(core, "*.wast").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;
    }

    public static string ScriptPath(string name) => Path.Combine(Root, "core", name + ".wast");

    /// <summary>Runs one script and applies the ratchet.</summary>
    public static void Check(string name, EngineConfig config)
    {
        string path = ScriptPath(name);
        if (!File.Exists(path))
        {
            Assert.Fail($"The WebAssembly 3.0 spec test suite was not found at '{Root}' (set WASM_TESTSUITE_3 to its folder).");
        }
        WastResults results;
        try
        {
            results = new WastRunner(new WastOptions { Config = config, KeepGoing = true }).RunFile(path);
        }
        catch (Engine.Text.TextFormatException e) when (!Passing.Contains(name))
        {
            Assert.Pass($"not yet: the script does not parse: {e.Message}");
            return;
        }
        string summary = $"{name}: {results.Total}";
        bool passes = results.Total.Failed == 0 && results.Total.Skipped == 0;
        if (Passing.Contains(name))
        {
            Assert.That(results.Failures, Is.Empty, summary + Environment.NewLine + string.Join(Environment.NewLine, results.Failures.Take(20)));
            Assert.That(results.Total.Skipped, Is.Zero, summary);
            AssertNoFallbacks(results, config);
        }
        else if (passes)
        {
            Assert.Fail($"{summary}: passes whole now; add \"{name}\" to Engine.Tests/Spec/Spec30Passing.txt so it keeps passing");
        }
        else
        {
            Assert.Pass($"not yet: {summary}");
        }
    }

    /// <summary>
    /// In a machine-code mode no function may fall back (a compiler that fails must not pass as the tier below having run
    /// it), except for want of a processor feature this machine lacks.
    /// </summary>
    private static void AssertNoFallbacks(WastResults results, EngineConfig config)
    {
        if (config.Tier == TierMode.Interpreter || !SpecRun.HasEveryCpuFeature)
        {
            return;
        }
        Assert.That(results.FallbackDetails.Keys, Is.Empty, "functions the tier could not compile");
    }

    private static HashSet<string> ReadPassingList()
    {
        string list = Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Spec", "Spec30Passing.txt");
        return File.ReadAllLines(list)
            .Select(line => line.Split('#')[0].Trim())
            .Where(line => line.Length > 0)
            .ToHashSet(StringComparer.Ordinal);
    }
}
