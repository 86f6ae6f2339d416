using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engine.Benchmarks;

/// <summary>One program of the benchmark corpus (Programs/programs.json).</summary>
public sealed record CorpusProgram
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("file")] public required string File { get; init; }
    [JsonPropertyName("export")] public required string Export { get; init; }
    [JsonPropertyName("result")] public required string Result { get; init; }
    [JsonPropertyName("defaultArg")] public int DefaultArg { get; init; }
    [JsonPropertyName("expected")] public JsonElement Expected { get; init; }
    [JsonPropertyName("smallArg")] public int SmallArg { get; init; }
    [JsonPropertyName("smallExpected")] public JsonElement SmallExpected { get; init; }
    [JsonPropertyName("features")] public string[] Features { get; init; } = [];

    /// <summary>The module's path.</summary>
    public string Path => BenchmarkFiles.Project(System.IO.Path.Combine("Programs", File));

    /// <summary>The expected result of run(<see cref="DefaultArg"/>) as the raw 64-bit value.</summary>
    public long ExpectedValue => ParseLong(Expected);

    /// <summary>The expected result of run(<see cref="SmallArg"/>).</summary>
    public long SmallExpectedValue => ParseLong(SmallExpected);

    private static long ParseLong(JsonElement element) =>
        element.TryGetInt64(out long value) ? value : unchecked((long)element.GetUInt64());
}

/// <summary>The benchmark corpus.</summary>
public static class Corpus
{
    private sealed record Manifest([property: JsonPropertyName("programs")] CorpusProgram[] Programs);

    /// <summary>All programs, in manifest order.</summary>
    public static IReadOnlyList<CorpusProgram> Programs { get; } = Load();

    /// <summary>The program called <paramref name="name"/>.</summary>
    public static CorpusProgram Get(string name) => Programs.First(p => p.Name == name);

    private static CorpusProgram[] Load() =>
        JsonSerializer.Deserialize<Manifest>(File.ReadAllText(BenchmarkFiles.Project("Programs/programs.json")))!.Programs;
}
