using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Perfolizer.Mathematics.Common;
using Perfolizer.Mathematics.QuantileEstimators;
using Pragmastat;

namespace Engine.Benchmarks.Perf;

/// <summary>
/// The machine-readable result of a regression run (<c>regress</c>), read by <c>compare</c>. One
/// <see cref="PhaseMeasurement"/> per (program, engine, phase), with its raw samples, so comparisons can test
/// significance; the reference engines' rows (wasmtime, our interpreter) measured in the same run let results from
/// different machines be compared as ratios.
/// </summary>
/// <remarks>
/// Schema <c>wasm-engine-perf-result</c>, version <see cref="CurrentSchemaVersion"/>; times are nanoseconds per
/// operation. A reader refuses other schemas and newer versions; fields may be added without a version change,
/// a field's meaning never changes without one.
/// </remarks>
public sealed record PerfResult
{
    /// <summary>The value of <see cref="Schema"/>.</summary>
    public const string SchemaName = "wasm-engine-perf-result";

    /// <summary>The version this code writes and the newest it reads.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Identifies the file's format.</summary>
    public string Schema { get; init; } = SchemaName;

    /// <summary>The format's version.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>quick or full (or sweep), as the run was made.</summary>
    public required string Mode { get; init; }

    /// <summary>When the run ended.</summary>
    public DateTimeOffset CreatedUtc { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>Where it ran.</summary>
    public required MachineInfo Machine { get; init; }

    /// <summary>The repository's commit, when known.</summary>
    public string? Commit { get; init; }

    /// <summary>Versions of the engines measured (ours: the assembly's; wasmtime: its package's).</summary>
    public Dictionary<string, string> EngineVersions { get; init; } = new();

    /// <summary>Engines measured as yardsticks in the same run (wasmtime, interpreter).</summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>Every measurement.</summary>
    public required IReadOnlyList<PhaseMeasurement> Measurements { get; init; }

    /// <summary>The measurement of (<paramref name="program"/>, <paramref name="engine"/>, <paramref name="phase"/>), or null.</summary>
    public PhaseMeasurement? Find(string program, string engine, string phase) =>
        Measurements.FirstOrDefault(m => m.Program == program && m.Engine == engine && m.Phase == phase);

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The result as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    /// <summary>Writes the result to <paramref name="path"/> (creating its folder).</summary>
    public void Save(string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder != null)
        {
            Directory.CreateDirectory(folder);
        }
        File.WriteAllText(path, ToJson());
    }

    /// <summary>Reads a result; throws <see cref="InvalidDataException"/> for another format or a newer version.</summary>
    public static PerfResult FromJson(string json, string source = "result")
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        if (!root.TryGetProperty("schema", out JsonElement schema) || schema.GetString() != SchemaName)
        {
            throw new InvalidDataException($"{source} is not a {SchemaName} file");
        }
        int version = root.TryGetProperty("schemaVersion", out JsonElement v) ? v.GetInt32() : 0;
        if (version < 1 || version > CurrentSchemaVersion)
        {
            throw new InvalidDataException($"{source} has schema version {version}; this tool reads 1 to {CurrentSchemaVersion}");
        }
        return root.Deserialize<PerfResult>(s_json) ?? throw new InvalidDataException($"{source} is empty");
    }

    /// <summary>Reads a result file.</summary>
    public static PerfResult Load(string path) => FromJson(File.ReadAllText(path), path);
}

/// <summary>One (program, engine, phase): its samples and their statistics, in nanoseconds per operation.</summary>
public sealed record PhaseMeasurement
{
    /// <summary>The program.</summary>
    public required string Program { get; init; }

    /// <summary>The engine (<c>interpreter</c>, <c>wasmtime</c>, ...).</summary>
    public required string Engine { get; init; }

    /// <summary>The phase (see <see cref="Phases"/>).</summary>
    public required string Phase { get; init; }

    /// <summary>The argument of run, for the execution phases.</summary>
    public int? Argument { get; init; }

    /// <summary>The median sample.</summary>
    public double Median { get; init; }

    /// <summary>The mean sample.</summary>
    public double Mean { get; init; }

    /// <summary>Lower bound of the median's confidence interval.</summary>
    public double CiLower { get; init; }

    /// <summary>Upper bound of the median's confidence interval.</summary>
    public double CiUpper { get; init; }

    /// <summary>The confidence level of [<see cref="CiLower"/>, <see cref="CiUpper"/>] (0.95).</summary>
    public double CiLevel { get; init; }

    /// <summary>Every measured iteration, in nanoseconds per operation, in the order measured.</summary>
    public required IReadOnlyList<double> Samples { get; init; }

    /// <summary>"program/engine/phase".</summary>
    [JsonIgnore]
    public string Key => $"{Program}/{Engine}/{Phase}";

    /// <summary>A measurement with statistics computed from <paramref name="samples"/>.</summary>
    public static PhaseMeasurement FromSamples(string program, string engine, string phase, int? argument, IReadOnlyList<double> samples)
    {
        SampleSummary summary = SampleSummary.Of(samples);
        return new PhaseMeasurement
        {
            Program = program,
            Engine = engine,
            Phase = phase,
            Argument = argument,
            Median = Math.Round(summary.Median, 1),
            Mean = Math.Round(summary.Mean, 1),
            CiLower = Math.Round(summary.CiLower, 1),
            CiUpper = Math.Round(summary.CiUpper, 1),
            CiLevel = SampleSummary.ConfidenceLevel,
            // A tenth of a nanosecond is far below any clock's resolution; the rest is noise in the file.
            Samples = samples.Select(s => Math.Round(s, 1)).ToArray(),
        };
    }
}

/// <summary>Median, mean and the median's confidence interval (Harrell-Davis, from BenchmarkDotNet's Perfolizer).</summary>
/// <param name="Median">The sample median.</param>
/// <param name="Mean">The mean.</param>
/// <param name="CiLower">Lower bound of the median's confidence interval.</param>
/// <param name="CiUpper">Upper bound.</param>
public readonly record struct SampleSummary(double Median, double Mean, double CiLower, double CiUpper)
{
    /// <summary>The confidence level of the intervals.</summary>
    public const double ConfidenceLevel = 0.95;

    /// <summary>The statistics of <paramref name="samples"/> (at least one).</summary>
    public static SampleSummary Of(IReadOnlyList<double> samples)
    {
        if (samples.Count == 0)
        {
            throw new ArgumentException("no samples", nameof(samples));
        }
        double[] sorted = samples.Order().ToArray();
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        if (n < 3 || sorted[0] == sorted[^1])
        {
            return new SampleSummary(median, sorted.Average(), sorted[0], sorted[^1]);
        }
        ConfidenceInterval ci = HarrellDavisQuantileEstimator.Instance
            .QuantileConfidenceIntervalEstimator(new Sample(sorted), 0.5)
            .ConfidenceInterval(new ConfidenceLevel(ConfidenceLevel));
        return new SampleSummary(median, sorted.Average(), Math.Max(0, ci.Lower), ci.Upper);
    }
}

/// <summary>Where a result was measured; results of different machines are compared through their references.</summary>
/// <param name="Os">The operating system.</param>
/// <param name="Cpu">The processor's model name.</param>
/// <param name="Cores">Logical processors.</param>
/// <param name="Runtime">The .NET runtime.</param>
public sealed record MachineInfo(string Os, string Cpu, int Cores, string Runtime)
{
    /// <summary>True when both describe the same kind of machine (processor, cores, system).</summary>
    public bool SameKindAs(MachineInfo other) => Cpu == other.Cpu && Cores == other.Cores && Os == other.Os;

    /// <summary>This machine.</summary>
    public static MachineInfo Current() =>
        new(RuntimeInformation.OSDescription, ProcessorName(), Environment.ProcessorCount, RuntimeInformation.FrameworkDescription);

    private static string ProcessorName()
    {
        try
        {
            return BenchmarkDotNet.Environments.HostEnvironmentInfo.GetCurrent().Cpu.Value.ProcessorName ?? "unknown";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return "unknown";
        }
    }

    /// <summary>The repository's current commit (from git), or null.</summary>
    public static string? CurrentCommit()
    {
        try
        {
            var start = new ProcessStartInfo("git", "rev-parse --short HEAD")
            {
                WorkingDirectory = BenchmarkFiles.RepositoryRoot,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using Process? git = Process.Start(start);
            string? output = git?.StandardOutput.ReadToEnd().Trim();
            git?.WaitForExit();
            return git?.ExitCode == 0 && !string.IsNullOrEmpty(output) ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
