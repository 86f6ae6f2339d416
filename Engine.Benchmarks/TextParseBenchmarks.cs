using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Engine.Wast.Scripts;

namespace Engine.Benchmarks;

/// <summary>
/// Text-format parse throughput: <see cref="WastParser.ParseScript(string, string)"/> (lexing, script commands, and every
/// module parsed and encoded to binary) over the spec suite's largest <c>.wast</c> files and over all of
/// them, reported in MB/s of source. The suite is found at <c>$WASM_TESTSUITE</c> or
/// <c>../shared/wasm-testsuite</c> next to the repository.
/// Run: <c>dotnet run -c Release --project Engine.Benchmarks -- --filter '*TextParse*' --job short</c>.
/// </summary>
[Config(typeof(ThroughputConfig))]
[MemoryDiagnoser]
public class TextParseBenchmarks : IBytesPerOperation
{
    /// <summary>The parameter value that stands for every file of the suite.</summary>
    public const string AllFiles = "(all 146 files)";

    private (string Name, string Text)[] _scripts = [];

    /// <summary>The script(s) to parse.</summary>
    [ParamsSource(nameof(Scripts))]
    public string Script { get; set; } = AllFiles;

    /// <summary>The four largest scripts, and all of them.</summary>
    public static IEnumerable<string> Scripts() =>
        SuiteFiles().OrderByDescending(f => new FileInfo(f).Length).Take(4).Select(Path.GetFileName).Append(AllFiles)!;

    [GlobalSetup]
    public void Setup()
    {
        _scripts = SelectedFiles(Script).Select(f => (Path.GetFileName(f), File.ReadAllText(f))).ToArray();
    }

    /// <summary>Parses the selected scripts; returns the number of commands.</summary>
    [Benchmark]
    public int ParseScript()
    {
        int commands = 0;
        foreach ((string name, string text) in _scripts)
        {
            commands += WastParser.ParseScript(text, name).Count;
        }
        return commands;
    }

    /// <summary>The source size in bytes of a <see cref="Script"/> value.</summary>
    public static long SourceBytes(string script) => SelectedFiles(script).Sum(f => new FileInfo(f).Length);

    /// <inheritdoc/>
    public long BytesFor(BenchmarkCase benchmarkCase) => SourceBytes(Script);

    private static IEnumerable<string> SelectedFiles(string script) =>
        script == AllFiles ? SuiteFiles() : SuiteFiles().Where(f => Path.GetFileName(f) == script);

    private static IEnumerable<string> SuiteFiles()
    {
        string folder = Path.Combine(BenchmarkFiles.TestSuite, "wast");
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"WebAssembly test suite not found at {folder}; set WASM_TESTSUITE");
        }
        return Directory.GetFiles(folder, "*.wast").Order(StringComparer.Ordinal);
    }
}
