using System.Text.Json;
using Engine.Core;
using Engine.Runtime;

namespace Engine.Benchmarks.Perf;

/// <summary>How much work a measured call of <c>run</c> does.</summary>
public enum ProgramSize
{
    /// <summary>The program's small argument (a few ms under wasmtime): quick runs, sweeps, tests.</summary>
    Small,

    /// <summary>The program's default argument (50-110 ms under wasmtime): full runs.</summary>
    Default,
}

/// <summary>
/// A module the perf tools measure: a program of the corpus (<c>Engine.Benchmarks/Programs</c>), a program of another
/// <c>programs.json</c> manifest, or a bare <c>.wasm</c> file.
/// </summary>
public sealed record BenchProgram
{
    /// <summary>The name rows and files are keyed by.</summary>
    public required string Name { get; init; }

    /// <summary>The module file.</summary>
    public required string Path { get; init; }

    /// <summary>The exported <c>run(i32) -> i32|i64</c> the execution phases call, or null when there is none.</summary>
    public string? Export { get; init; }

    /// <summary>True when <see cref="Export"/> returns an i64.</summary>
    public bool ReturnsI64 { get; init; }

    /// <summary>The module imports something: it cannot be instantiated without a host, so only its load phases are measured.</summary>
    public bool HasImports { get; init; }

    /// <summary>The argument of <see cref="ProgramSize.Small"/> runs.</summary>
    public int SmallArgument { get; init; }

    /// <summary>The argument of <see cref="ProgramSize.Default"/> runs.</summary>
    public int DefaultArgument { get; init; }

    /// <summary>The result run(<see cref="SmallArgument"/>) must return, when known.</summary>
    public long? SmallExpected { get; init; }

    /// <summary>The result run(<see cref="DefaultArgument"/>) must return, when known.</summary>
    public long? DefaultExpected { get; init; }

    /// <summary>True when the execution phases apply: the module needs no imports and exports run.</summary>
    public bool CanRun => Export != null && !HasImports;

    /// <summary>The argument for runs of <paramref name="size"/>.</summary>
    public int ArgumentFor(ProgramSize size) => size == ProgramSize.Small ? SmallArgument : DefaultArgument;

    /// <summary>The expected result of run(<paramref name="argument"/>), when known.</summary>
    public long? ExpectedFor(int argument) =>
        argument == SmallArgument && SmallExpected is long small ? small
        : argument == DefaultArgument ? DefaultExpected
        : null;

    /// <summary>Throws when <paramref name="result"/> is not what run(<paramref name="argument"/>) must return.</summary>
    public void Check(int argument, long result)
    {
        if (ExpectedFor(argument) is long expected && expected != result)
        {
            throw new InvalidOperationException($"{Name}: {Export}({argument}) returned {result}, expected {expected}");
        }
    }

    /// <summary>The module in the binary format (a text module is encoded first, so every engine gets the same bytes).</summary>
    public byte[] ReadBytes()
    {
        byte[] bytes = File.ReadAllBytes(Path);
        return Module.IsBinary(bytes)
            ? bytes
            : global::Engine.Text.WatParser.ParseModule(System.Text.Encoding.UTF8.GetString(bytes), Name, emitNames: true);
    }
}

/// <summary>Finds the programs named on a command line: corpus names, <c>.wasm</c> files, folders and <c>programs.json</c> manifests.</summary>
public static class ProgramCatalog
{
    private const string ManifestName = "programs.json";

    /// <summary>The corpus of <c>Engine.Benchmarks/Programs</c>.</summary>
    public static IReadOnlyList<BenchProgram> Corpus { get; } =
        global::Engine.Benchmarks.Corpus.Programs.Select(p => FromManifestEntry(p, BenchmarkFiles.Project("Programs"))).ToArray();

    /// <summary>
    /// The programs <paramref name="arguments"/> name: a corpus program's name; a <c>.wasm</c> (or <c>.wat</c>) file; a
    /// <c>programs.json</c> manifest (the corpus format, files relative to it); a folder (its manifest if it has one,
    /// else every <c>.wasm</c> in it). Bare modules call <c>run</c>, when they export it, with <paramref name="bareArgument"/>.
    /// </summary>
    public static IReadOnlyList<BenchProgram> Resolve(IEnumerable<string> arguments, int bareArgument = 1)
    {
        var programs = new List<BenchProgram>();
        foreach (string argument in arguments)
        {
            programs.AddRange(ResolveOne(argument, bareArgument));
        }
        return programs;
    }

    private static IEnumerable<BenchProgram> ResolveOne(string argument, int bareArgument)
    {
        if (Corpus.FirstOrDefault(p => p.Name == argument) is { } corpusProgram)
        {
            return [corpusProgram];
        }
        if (Directory.Exists(argument))
        {
            string manifest = System.IO.Path.Combine(argument, ManifestName);
            return File.Exists(manifest)
                ? FromManifest(manifest)
                : Directory.GetFiles(argument, "*.wasm").Order(StringComparer.Ordinal).Select(f => FromModuleFile(f, bareArgument));
        }
        if (File.Exists(argument))
        {
            return System.IO.Path.GetFileName(argument) == ManifestName ? FromManifest(argument) : [FromModuleFile(argument, bareArgument)];
        }
        throw new ArgumentException($"'{argument}' is neither a corpus program ({string.Join(", ", Corpus.Select(p => p.Name))}) nor a file or folder");
    }

    /// <summary>The programs of a manifest in the corpus format.</summary>
    public static IEnumerable<BenchProgram> FromManifest(string manifestPath)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(manifestPath));
        CorpusProgram[] entries = document.RootElement.GetProperty("programs").Deserialize<CorpusProgram[]>()
            ?? throw new InvalidDataException($"{manifestPath}: no programs");
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(manifestPath))!;
        return entries.Select(entry => FromManifestEntry(entry, folder)).ToArray();
    }

    private static BenchProgram FromManifestEntry(CorpusProgram entry, string folder) => new()
    {
        Name = entry.Name,
        Path = System.IO.Path.Combine(folder, entry.File),
        Export = entry.Export,
        ReturnsI64 = entry.Result == "i64",
        SmallArgument = entry.SmallArg,
        DefaultArgument = entry.DefaultArg,
        SmallExpected = entry.SmallExpectedValue,
        DefaultExpected = entry.ExpectedValue,
    };

    /// <summary>A bare module: runs <c>run(i32) -> i32|i64</c> with <paramref name="argument"/> if it exports one and imports nothing.</summary>
    public static BenchProgram FromModuleFile(string path, int argument)
    {
        var module = Module.FromFile(new WasmEngine(), path);
        ExportType? run = module.Exports.FirstOrDefault(e => e.Name == "run"
            && e.Type is FunctionExternType { Type: { Params: [ValType.I32], Results: [ValType.I32 or ValType.I64] } });
        return new BenchProgram
        {
            Name = System.IO.Path.GetFileNameWithoutExtension(path),
            Path = System.IO.Path.GetFullPath(path),
            Export = run?.Name,
            ReturnsI64 = run?.Type is FunctionExternType { Type.Results: [ValType.I64] },
            HasImports = module.Imports.Count > 0,
            SmallArgument = argument,
            DefaultArgument = argument,
        };
    }
}
