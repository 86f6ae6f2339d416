using System.Text.Json;
using Engine.Wast.Scripts;
using NUnit.Framework;

namespace Engine.Tests.Text;

/// <summary>
/// Locates the WebAssembly 2.0 spec test suite (the <c>.wast</c> files and their wast2json conversion)
/// at <c>$WASM_TESTSUITE</c> or <c>../shared/wasm-testsuite</c> relative to the repository root, and reads
/// the JSON command lists.
/// </summary>
internal static class SpecSuite
{
    private static readonly Lazy<string?> s_root = new(Locate);

    /// <summary>The suite's folder, or null when it is not there.</summary>
    public static string? Root => s_root.Value;

    /// <summary>The script names (file names without <c>.wast</c>), sorted; empty when the suite is missing.</summary>
    public static IEnumerable<string> ScriptNames()
    {
        if (Root == null)
        {
            return [];
        }
        return Directory.GetFiles(Path.Combine(Root, "wast"), "*.wast")
            .Select(Path.GetFileNameWithoutExtension)
            .Order(StringComparer.Ordinal)
            .ToArray()!;
    }

    /// <summary>Skips the test when the suite is not available.</summary>
    public static string RequireRoot()
    {
        if (Root == null)
        {
            Assert.Ignore("WebAssembly test suite not found (set WASM_TESTSUITE or put it at ../shared/wasm-testsuite)");
        }
        return Root!;
    }

    public static string WastPath(string name) => Path.Combine(RequireRoot(), "wast", name + ".wast");

    public static string JsonFolder(string name) => Path.Combine(RequireRoot(), "json", name);

    public static string ReadWast(string name) => File.ReadAllText(WastPath(name));

    /// <summary>The commands of <c>json/NAME/NAME.json</c>.</summary>
    public static IReadOnlyList<JsonCommand> LoadCommands(string name)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(JsonFolder(name), name + ".json")));
        var commands = new List<JsonCommand>();
        foreach (JsonElement command in document.RootElement.GetProperty("commands").EnumerateArray())
        {
            commands.Add(new JsonCommand(command.Clone()));
        }
        return commands;
    }

    /// <summary>The repository's root (the folder of Engine.sln), or null.</summary>
    public static string? RepositoryRoot { get; } = FindRepositoryRoot();

    private static string? FindRepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Engine.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }

    private static string? Locate()
    {
        string? configured = Environment.GetEnvironmentVariable("WASM_TESTSUITE");
        if (!string.IsNullOrEmpty(configured) && Directory.Exists(configured))
        {
            return configured;
        }
        if (RepositoryRoot == null)
        {
            return null;
        }
        string candidate = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "wasm-testsuite"));
        return Directory.Exists(candidate) ? candidate : null;
    }
}

/// <summary>One command of a wast2json JSON file.</summary>
internal sealed class JsonCommand
{
    private readonly JsonElement _element;

    public JsonCommand(JsonElement element)
    {
        _element = element;
    }

    public string Type => _element.GetProperty("type").GetString()!;

    public int Line => _element.GetProperty("line").GetInt32();

    public string? FileName => String("filename");

    public string? ModuleType => String("module_type");

    public string? Name => String("name");

    public string? As => String("as");

    public string? Text => String("text");

    public JsonElement? Action => _element.TryGetProperty("action", out JsonElement action) ? action : null;

    public JsonElement? Expected => _element.TryGetProperty("expected", out JsonElement expected) ? expected : null;

    private string? String(string property) =>
        _element.TryGetProperty(property, out JsonElement value) ? value.GetString() : null;

    public override string ToString() => _element.ToString();
}
