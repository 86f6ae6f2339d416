namespace Engine.Benchmarks;

/// <summary>Finds the benchmark inputs: modules and programs in this project, the spec suite beside the repository.</summary>
internal static class BenchmarkFiles
{
    /// <summary>The repository root (the folder holding Engine.sln).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>
    /// Where the perf tools write by default (<c>perf-out/</c> at the repository root, ignored by git): results,
    /// BenchmarkDotNet's reports, sweeps, and the same-machine baselines <c>compare</c> looks for.
    /// </summary>
    public static string OutputFolder => Path.Combine(RepositoryRoot, "perf-out");

    /// <summary>A file of this project, e.g. <c>Modules/large.wasm</c>.</summary>
    public static string Project(string relative) => Path.Combine(RepositoryRoot, "Engine.Benchmarks", relative);

    /// <summary>The spec test suite (<c>$WASM_TESTSUITE</c> or <c>../shared/wasm-testsuite</c>).</summary>
    public static string TestSuite
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("WASM_TESTSUITE");
            return !string.IsNullOrEmpty(env) ? env : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "wasm-testsuite"));
        }
    }

    private static string FindRoot()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (string? dir = start; dir != null; dir = Path.GetDirectoryName(dir))
            {
                if (File.Exists(Path.Combine(dir, "Engine.sln")))
                {
                    return dir;
                }
            }
        }
        throw new InvalidOperationException("run the benchmarks from inside the repository (Engine.sln not found)");
    }
}
