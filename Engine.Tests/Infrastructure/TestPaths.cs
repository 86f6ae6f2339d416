using NUnit.Framework;

namespace Engine.Tests;

/// <summary>Where the tests find the repository and the spec test suite.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> s_root = new(FindRepositoryRoot);

    /// <summary>The repository root (the folder holding Engine.sln).</summary>
    public static string RepositoryRoot => s_root.Value;

    /// <summary>
    /// The spec test suite: <c>$WASM_TESTSUITE</c>, else <c>../shared/wasm-testsuite</c> from the repository
    /// root. Fails the calling test (never silently passes) when neither exists.
    /// </summary>
    public static string TestSuite
    {
        get
        {
            string? fromEnvironment = Environment.GetEnvironmentVariable("WASM_TESTSUITE");
            string path = !string.IsNullOrEmpty(fromEnvironment)
                ? fromEnvironment
                : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "wasm-testsuite"));
            if (!Directory.Exists(Path.Combine(path, "json")))
            {
                Assert.Fail($"The WebAssembly spec test suite was not found at '{path}'. Put the suite (its json/ and wast/ " +
                            "folders, see https://github.com/WebAssembly/testsuite converted with wabt's wast2json) there, " +
                            "or set WASM_TESTSUITE to its folder.");
            }
            return path;
        }
    }

    /// <summary>The names of the 146 scripts (NAME of json/NAME/NAME.json), for test case sources; empty when the suite is missing.</summary>
    public static IEnumerable<string> ScriptNames()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("WASM_TESTSUITE");
        string path = !string.IsNullOrEmpty(fromEnvironment)
            ? fromEnvironment
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "wasm-testsuite"));
        string json = Path.Combine(path, "json");
        if (!Directory.Exists(json))
        {
            // One case that fails with the explanation, so a missing suite is never a silent pass.
            return ["(suite missing)"];
        }
        return Directory.GetDirectories(json).Select(Path.GetFileName).Order(StringComparer.Ordinal)!;
    }

    /// <summary>The raw .wast script of a suite file.</summary>
    public static string WastPath(string name) => Path.Combine(TestSuite, "wast", name + ".wast");

    /// <summary>The JSON script of a suite file.</summary>
    public static string ScriptPath(string name) => Path.Combine(TestSuite, "json", name, name + ".json");

    private static string FindRepositoryRoot()
    {
        for (string? dir = AppContext.BaseDirectory; dir != null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Engine.sln")))
            {
                return dir;
            }
        }
        throw new InvalidOperationException("Engine.sln not found above " + AppContext.BaseDirectory);
    }
}
