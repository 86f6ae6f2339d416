using System.Text.Json;
using NUnit.Framework;

namespace Engine.Tests.Simd;

/// <summary>A value of a wast2json script: its type, and its lanes for v128 (one entry otherwise).</summary>
/// <param name="Type">i32, i64, f32, f64, v128, funcref or externref.</param>
/// <param name="LaneType">For v128: i8, i16, i32, i64, f32 or f64.</param>
/// <param name="Values">The unsigned decimal bit patterns (or <c>nan:canonical</c> / <c>nan:arithmetic</c>); empty when the script gives only the type.</param>
internal sealed record SpecValue(string Type, string? LaneType, string[] Values);

/// <summary>An <c>invoke</c> or <c>get</c> action.</summary>
internal sealed record SpecAction(string Type, string Field, string? Module, SpecValue[] Args);

/// <summary>One command of a script; only the fields the SIMD tests need.</summary>
internal sealed record SpecCommand(string Type, int Line, string? FileName, string? Name, SpecAction? Action, SpecValue[] Expected, string? Text);

/// <summary>
/// Reads wast2json scripts with <see cref="JsonDocument"/> (a deliberately small reader of our own, so
/// these tests stand apart from the shared script loader), and finds the spec test suite.
/// </summary>
internal static class SpecScript
{
    /// <summary>The scalar scripts whose assertions exercise <c>Numerics</c>.</summary>
    public static readonly string[] ScalarScripts =
    [
        "conversions", "f32", "f32_bitwise", "f32_cmp", "f64", "f64_bitwise", "f64_cmp",
        "float_exprs", "float_literals", "float_memory", "float_misc", "i32", "i64", "int_exprs", "traps",
    ];

    /// <summary>The suite folder: <c>$WASM_TESTSUITE</c>, else <c>../shared/wasm-testsuite</c> from the repository root; null when absent.</summary>
    public static string? FindSuite()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("WASM_TESTSUITE");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Directory.Exists(Path.Combine(fromEnvironment, "json")) ? fromEnvironment : null;
        }
        for (string? dir = AppContext.BaseDirectory; dir != null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Engine.sln")))
            {
                string suite = Path.GetFullPath(Path.Combine(dir, "..", "shared", "wasm-testsuite"));
                return Directory.Exists(Path.Combine(suite, "json")) ? suite : null;
            }
        }
        return null;
    }

    /// <summary>The suite folder, failing the calling test (never passing silently) when it is missing.</summary>
    public static string RequireSuite()
    {
        string? suite = FindSuite();
        if (suite == null)
        {
            Assert.Fail("The WebAssembly spec test suite was not found: put it at ../shared/wasm-testsuite next to the " +
                        "repository, or set WASM_TESTSUITE to its folder.");
        }
        return suite!;
    }

    /// <summary>Every <c>simd_*</c> script name followed by <see cref="ScalarScripts"/>, for test case sources.</summary>
    public static IEnumerable<string> SimdAndScalarScriptNames()
    {
        string? suite = FindSuite();
        if (suite == null)
        {
            return ["(suite missing)"]; // one case that fails with the explanation
        }
        IEnumerable<string> simd = Directory.GetDirectories(Path.Combine(suite, "json"), "simd_*")
            .Select(dir => Path.GetFileName(dir)!)
            .Order(StringComparer.Ordinal);
        return simd.Concat(ScalarScripts);
    }

    /// <summary>The folder holding script <paramref name="name"/> and its modules.</summary>
    public static string ScriptFolder(string name) => Path.Combine(RequireSuite(), "json", name);

    /// <summary>Reads the commands of script <paramref name="name"/>.</summary>
    public static List<SpecCommand> Read(string name)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(ScriptFolder(name), name + ".json")));
        var commands = new List<SpecCommand>();
        foreach (JsonElement command in document.RootElement.GetProperty("commands").EnumerateArray())
        {
            commands.Add(new SpecCommand(
                command.GetProperty("type").GetString()!,
                command.GetProperty("line").GetInt32(),
                OptionalString(command, "filename"),
                OptionalString(command, "name"),
                command.TryGetProperty("action", out JsonElement action) ? ReadAction(action) : null,
                command.TryGetProperty("expected", out JsonElement expected) ? ReadValues(expected) : [],
                OptionalString(command, "text")));
        }
        return commands;
    }

    private static SpecAction ReadAction(JsonElement action) => new(
        action.GetProperty("type").GetString()!,
        action.GetProperty("field").GetString()!,
        OptionalString(action, "module"),
        action.TryGetProperty("args", out JsonElement args) ? ReadValues(args) : []);

    private static SpecValue[] ReadValues(JsonElement values) =>
        values.EnumerateArray().Select(ReadValue).ToArray();

    private static SpecValue ReadValue(JsonElement value)
    {
        string[] lanes = !value.TryGetProperty("value", out JsonElement v) ? []
            : v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(lane => lane.GetString()!).ToArray()
            : [v.GetString()!];
        return new SpecValue(value.GetProperty("type").GetString()!, OptionalString(value, "lane_type"), lanes);
    }

    private static string? OptionalString(JsonElement element, string property) =>
        element.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
