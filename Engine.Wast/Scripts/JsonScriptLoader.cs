using System.Globalization;
using System.Text.Json;
using Engine.Core;

namespace Engine.Wast.Scripts;

/// <summary>
/// Loads a spec test script in wabt's <c>wast2json</c> form (<c>NAME.json</c> plus the <c>.wasm</c> and
/// <c>.wat</c> files it names, in the same folder) into <see cref="ScriptCommand"/>s.
/// </summary>
public static class JsonScriptLoader
{
    /// <summary>Loads the script at <paramref name="path"/>; throws <see cref="ScriptFormatException"/> when it is not a valid script.</summary>
    public static IReadOnlyList<ScriptCommand> Load(string path)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement commands = document.RootElement.GetProperty("commands");
            var result = new List<ScriptCommand>(commands.GetArrayLength());
            foreach (JsonElement command in commands.EnumerateArray())
            {
                result.Add(ReadCommand(command, directory));
            }
            return result;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new ScriptFormatException($"{path}: not a wast2json script: {e.Message}", e);
        }
    }

    private static ScriptCommand ReadCommand(JsonElement command, string directory)
    {
        string type = command.GetProperty("type").GetString()!;
        int line = command.TryGetProperty("line", out JsonElement l) ? l.GetInt32() : 0;
        return type switch
        {
            "module" => new ScriptCommand
            {
                Kind = ScriptCommandKind.Module,
                Line = line,
                Module = ReadModule(command, directory),
            },
            "register" => new ScriptCommand
            {
                Kind = ScriptCommandKind.Register,
                Line = line,
                RegisterAs = command.GetProperty("as").GetString(),
                RegisterModuleName = OptionalString(command, "name"),
            },
            "action" => ActionCommand(ScriptCommandKind.Action, command, line),
            "assert_return" => ActionCommand(ScriptCommandKind.AssertReturn, command, line),
            "assert_trap" => ActionCommand(ScriptCommandKind.AssertTrap, command, line),
            "assert_exhaustion" => ActionCommand(ScriptCommandKind.AssertExhaustion, command, line),
            "assert_invalid" => ModuleAssertion(ScriptCommandKind.AssertInvalid, command, line, directory),
            "assert_malformed" => ModuleAssertion(ScriptCommandKind.AssertMalformed, command, line, directory),
            "assert_unlinkable" => ModuleAssertion(ScriptCommandKind.AssertUnlinkable, command, line, directory),
            "assert_uninstantiable" => ModuleAssertion(ScriptCommandKind.AssertUninstantiable, command, line, directory),
            _ => throw new FormatException($"unknown command type '{type}' at line {line}"),
        };
    }

    private static ScriptCommand ActionCommand(ScriptCommandKind kind, JsonElement command, int line)
    {
        IReadOnlyList<ScriptValue> expected = Array.Empty<ScriptValue>();
        // assert_trap and assert_exhaustion list only the result types; values matter for assert_return only.
        if (kind == ScriptCommandKind.AssertReturn && command.TryGetProperty("expected", out JsonElement e))
        {
            expected = e.EnumerateArray().Select(ReadValue).ToArray();
        }
        return new ScriptCommand
        {
            Kind = kind,
            Line = line,
            Action = ReadAction(command.GetProperty("action")),
            Expected = expected,
            Text = OptionalString(command, "text"),
        };
    }

    private static ScriptCommand ModuleAssertion(ScriptCommandKind kind, JsonElement command, int line, string directory) => new()
    {
        Kind = kind,
        Line = line,
        Module = ReadModule(command, directory),
        Text = OptionalString(command, "text"),
    };

    private static ScriptModule ReadModule(JsonElement command, string directory)
    {
        string fileName = command.GetProperty("filename").GetString()!;
        string path = Path.Combine(directory, fileName);
        bool isText = command.TryGetProperty("module_type", out JsonElement moduleType) && moduleType.GetString() == "text";
        if (!File.Exists(path))
        {
            throw new FormatException($"module file {fileName} not found next to the script");
        }
        return isText
            ? new ScriptModule { Text = File.ReadAllText(path), Name = OptionalString(command, "name"), Origin = fileName }
            : new ScriptModule { Binary = File.ReadAllBytes(path), Name = OptionalString(command, "name"), Origin = fileName };
    }

    private static ScriptAction ReadAction(JsonElement action)
    {
        string type = action.GetProperty("type").GetString()!;
        return new ScriptAction
        {
            IsGet = type switch
            {
                "get" => true,
                "invoke" => false,
                _ => throw new FormatException($"unknown action type '{type}'"),
            },
            ModuleName = OptionalString(action, "module"),
            Field = action.GetProperty("field").GetString()!,
            Args = action.TryGetProperty("args", out JsonElement args)
                ? args.EnumerateArray().Select(ReadValue).ToArray()
                : Array.Empty<ScriptValue>(),
        };
    }

    private static ScriptValue ReadValue(JsonElement value)
    {
        string typeName = value.GetProperty("type").GetString()!;
        if (!ValTypeExtensions.TryParseWatName(typeName, out ValType type))
        {
            throw new FormatException($"unknown value type '{typeName}'");
        }
        if (!value.TryGetProperty("value", out JsonElement v))
        {
            // A funcref without a value is (ref.func): any non-null function reference.
            return new ScriptValue { Type = type, AnyNonNull = true };
        }
        switch (type)
        {
            case ValType.FuncRef:
            case ValType.ExternRef:
                string text = v.GetString()!;
                return text == "null"
                    ? new ScriptValue { Type = type, IsNull = true }
                    : new ScriptValue { Type = type, Low = ulong.Parse(text, CultureInfo.InvariantCulture) };
            case ValType.V128:
                return ReadV128(value, v);
            default:
                return ReadScalar(type, v.GetString()!);
        }
    }

    private static ScriptValue ReadScalar(ValType type, string text)
    {
        NanPattern nan = ParseNan(text);
        if (nan != NanPattern.None)
        {
            return new ScriptValue { Type = type, Nan = nan };
        }
        return new ScriptValue { Type = type, Low = ulong.Parse(text, CultureInfo.InvariantCulture) };
    }

    private static NanPattern ParseNan(string text) => text switch
    {
        "nan:canonical" => NanPattern.Canonical,
        "nan:arithmetic" => NanPattern.Arithmetic,
        _ => NanPattern.None,
    };

    private static ScriptValue ReadV128(JsonElement value, JsonElement lanesElement)
    {
        string laneType = value.GetProperty("lane_type").GetString()!;
        int laneBits = laneType switch
        {
            "i8" => 8,
            "i16" => 16,
            "i32" or "f32" => 32,
            "i64" or "f64" => 64,
            _ => throw new FormatException($"unknown lane type '{laneType}'"),
        };
        string[] lanes = lanesElement.EnumerateArray().Select(x => x.GetString()!).ToArray();
        if (lanes.Length * laneBits != 128)
        {
            throw new FormatException($"v128 with {lanes.Length} lanes of {laneType}");
        }
        Span<ulong> bits = stackalloc ulong[lanes.Length];
        NanPattern[]? nans = null;
        for (int i = 0; i < lanes.Length; i++)
        {
            NanPattern nan = ParseNan(lanes[i]);
            if (nan != NanPattern.None)
            {
                nans ??= new NanPattern[lanes.Length];
                nans[i] = nan;
            }
            else
            {
                bits[i] = ulong.Parse(lanes[i], CultureInfo.InvariantCulture);
            }
        }
        return ScriptValue.Vector(laneType, laneBits, bits, nans);
    }

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>A script file is not in the expected form.</summary>
public sealed class ScriptFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ScriptFormatException(string message, Exception? inner = null) : base(message, inner) { }
}
