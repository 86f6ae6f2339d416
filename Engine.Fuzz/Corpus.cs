namespace Engine.Fuzz;

/// <summary>
/// Where the seed inputs come from: the repository (found above the working directory or the program) and the
/// spec test suite (<c>$WASM_TESTSUITE</c> or <c>../shared/wasm-testsuite</c> next to the repository).
/// </summary>
public static class Corpus
{
    /// <summary>The repository root (the folder holding Engine.sln), or null.</summary>
    public static string? RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The spec test suite's folder (holding json/ and wast/), or null.</summary>
    public static string? TestSuite
    {
        get
        {
            string? fromEnvironment = Environment.GetEnvironmentVariable("WASM_TESTSUITE");
            if (!string.IsNullOrEmpty(fromEnvironment))
            {
                return Directory.Exists(fromEnvironment) ? fromEnvironment : null;
            }
            if (RepositoryRoot is null)
            {
                return null;
            }
            string path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "wasm-testsuite"));
            return Directory.Exists(path) ? path : null;
        }
    }

    /// <summary>The binary modules: the spec suite's converted modules and every .wasm committed in the repository.</summary>
    public static List<string> WasmFiles()
    {
        var files = new List<string>();
        if (TestSuite is { } suite && Directory.Exists(Path.Combine(suite, "json")))
        {
            files.AddRange(Directory.GetFiles(Path.Combine(suite, "json"), "*.wasm", SearchOption.AllDirectories));
        }
        if (RepositoryRoot is { } root)
        {
            foreach (string folder in new[] { "Engine.Tests", "Engine.Benchmarks", "examples" })
            {
                string path = Path.Combine(root, folder);
                if (Directory.Exists(path))
                {
                    files.AddRange(Directory.GetFiles(path, "*.wasm", SearchOption.AllDirectories)
                        .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                                    && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")));
                }
            }
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>The spec suite's .wast scripts.</summary>
    public static List<string> WastFiles()
    {
        var files = new List<string>();
        if (TestSuite is { } suite && Directory.Exists(Path.Combine(suite, "wast")))
        {
            files.AddRange(Directory.GetFiles(Path.Combine(suite, "wast"), "*.wast"));
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private static string? FindRepositoryRoot()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (string? dir = start; dir != null; dir = Path.GetDirectoryName(dir))
            {
                if (File.Exists(Path.Combine(dir, "Engine.sln")))
                {
                    return dir;
                }
            }
        }
        return null;
    }
}
