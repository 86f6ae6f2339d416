using Engine.Core;

namespace Engine.Wast.Scripts;

/// <summary>
/// The commands of a spec test script. Both the wast2json JSON loader and the <c>.wast</c> text parser
/// produce this one model, and one runner executes it.
/// </summary>
public enum ScriptCommandKind
{
    /// <summary>Define and instantiate a module; it becomes the current module.</summary>
    Module,
    /// <summary>Make a module's exports importable under a name.</summary>
    Register,
    /// <summary>Invoke or get, ignoring the result; must not trap.</summary>
    Action,
    /// <summary>An action must return the expected values.</summary>
    AssertReturn,
    /// <summary>An action (or a module's instantiation) must trap.</summary>
    AssertTrap,
    /// <summary>An action must exhaust the call stack.</summary>
    AssertExhaustion,
    /// <summary>A module must fail validation.</summary>
    AssertInvalid,
    /// <summary>A module must fail to decode or parse.</summary>
    AssertMalformed,
    /// <summary>A module must fail to link.</summary>
    AssertUnlinkable,
    /// <summary>A module must link but trap while instantiating.</summary>
    AssertUninstantiable,
    /// <summary><c>(module instance $i $m?)</c>: instantiate a module defined by <c>(module definition ...)</c>.</summary>
    ModuleInstance,
    /// <summary>An action must throw a WebAssembly exception (exception handling).</summary>
    AssertException,
    /// <summary>
    /// A command the script reader could not read (a construct this engine does not parse yet); it fails with the
    /// reader's message, so one unreadable command does not hide the rest of its script.
    /// </summary>
    Unreadable,
}

/// <summary>Names of <see cref="ScriptCommandKind"/>s.</summary>
public static class ScriptCommandKinds
{
    /// <summary>The script format's name of a command kind (the <c>.wast</c> keyword and wast2json's <c>type</c>), e.g. <c>assert_return</c>.</summary>
    public static string ScriptName(this ScriptCommandKind kind) => kind switch
    {
        ScriptCommandKind.Module => "module",
        ScriptCommandKind.Register => "register",
        ScriptCommandKind.Action => "action",
        ScriptCommandKind.AssertReturn => "assert_return",
        ScriptCommandKind.AssertTrap => "assert_trap",
        ScriptCommandKind.AssertExhaustion => "assert_exhaustion",
        ScriptCommandKind.AssertInvalid => "assert_invalid",
        ScriptCommandKind.AssertMalformed => "assert_malformed",
        ScriptCommandKind.AssertUnlinkable => "assert_unlinkable",
        ScriptCommandKind.AssertUninstantiable => "assert_uninstantiable",
        ScriptCommandKind.ModuleInstance => "module instance",
        ScriptCommandKind.AssertException => "assert_exception",
        ScriptCommandKind.Unreadable => "unreadable",
        _ => kind.ToString(),
    };
}

/// <summary>How an expected float (or float lane) is matched.</summary>
public enum NanPattern : byte
{
    /// <summary>Bit for bit.</summary>
    None,
    /// <summary>Any canonical NaN of either sign.</summary>
    Canonical,
    /// <summary>Any NaN with the top mantissa bit set, of either sign.</summary>
    Arithmetic,
}

/// <summary>
/// A value in a script: an argument or an expected result. Numbers are bit patterns: i32/f32 in the
/// low 32 bits of <see cref="Low"/>, i64/f64 in <see cref="Low"/>, v128 in <see cref="Low"/> (bytes 0-7)
/// and <see cref="High"/> (bytes 8-15). References: <see cref="IsNull"/>, else <see cref="Low"/> is
/// the host reference's identity N of <c>(ref.extern N)</c>.
/// </summary>
public sealed class ScriptValue
{
    /// <summary>The value's type.</summary>
    public required ValType Type { get; init; }
    /// <summary>Low 64 bits (see the type's remarks).</summary>
    public ulong Low { get; init; }
    /// <summary>High 64 bits of a v128.</summary>
    public ulong High { get; init; }
    /// <summary>For references: the null reference.</summary>
    public bool IsNull { get; init; }
    /// <summary>For expected f32/f64: a NaN pattern instead of exact bits.</summary>
    public NanPattern Nan { get; init; }
    /// <summary>For v128: the lane shape the script wrote it in (i8, i16, i32, i64, f32, f64).</summary>
    public string? LaneType { get; init; }
    /// <summary>For expected v128 with float lanes: a NaN pattern per lane (null when all exact).</summary>
    public NanPattern[]? LaneNans { get; init; }
    /// <summary>For expected reference results written without an identity (<c>(ref.func)</c>, <c>(ref.extern)</c>): any non-null reference of the type matches.</summary>
    public bool AnyNonNull { get; init; }
    /// <summary>
    /// For expected results the engine cannot produce yet (<c>(ref.struct)</c>, <c>(ref.null any)</c>, ...): the pattern as
    /// written; no value matches it.
    /// </summary>
    public string? UnsupportedPattern { get; init; }
    /// <summary>For <c>(either v1 v2 ...)</c> results: the values any one of which matches (then the other fields are unused).</summary>
    public IReadOnlyList<ScriptValue>? Alternatives { get; init; }

    /// <summary>
    /// A v128 from its lanes as the script wrote them: <paramref name="lanes"/> holds 128 / <paramref name="laneBits"/>
    /// bit patterns, lane 0 first; a lane with a NaN pattern in <paramref name="laneNans"/> has no bits.
    /// </summary>
    public static ScriptValue Vector(string laneType, int laneBits, ReadOnlySpan<ulong> lanes, NanPattern[]? laneNans)
    {
        Span<byte> bytes = stackalloc byte[16];
        int laneBytes = laneBits / 8;
        for (int i = 0; i < lanes.Length; i++)
        {
            for (int b = 0; b < laneBytes; b++)
            {
                bytes[i * laneBytes + b] = (byte)(lanes[i] >> (8 * b));
            }
        }
        return new ScriptValue
        {
            Type = ValType.V128,
            Low = BitConverter.ToUInt64(bytes[..8]),
            High = BitConverter.ToUInt64(bytes[8..]),
            LaneType = laneType,
            LaneNans = laneNans,
        };
    }

    /// <inheritdoc/>
    public override string ToString() => Alternatives != null ? $"(either {string.Join(' ', Alternatives)})" : UnsupportedPattern ?? Type switch
    {
        ValType.FuncRef or ValType.ExternRef => IsNull ? $"{Type.ToWatName()}:null" : $"{Type.ToWatName()}:{Low}",
        ValType.V128 => $"v128:{High:x16}{Low:x16}",
        _ => Nan != NanPattern.None ? $"{Type.ToWatName()}:nan:{Nan.ToString().ToLowerInvariant()}" : $"{Type.ToWatName()}:0x{Low:x}",
    };
}

/// <summary>A module in a script: a binary, or text to be parsed (a <c>.wat</c> file or <c>(module quote ...)</c>).</summary>
public sealed class ScriptModule
{
    /// <summary>The binary, when the module is binary (or was already encoded from text).</summary>
    public byte[]? Binary { get; init; }
    /// <summary>The text, when the module must still be parsed (text-format <c>assert_malformed</c>, quote modules).</summary>
    public string? Text { get; init; }
    /// <summary>The <c>$name</c> given to the module, or null.</summary>
    public string? Name { get; init; }
    /// <summary>Where the module came from, for messages (a file name or "line N").</summary>
    public string? Origin { get; init; }
    /// <summary>True for <c>(module definition ...)</c>: decoded and validated, instantiated only by <c>(module instance ...)</c>.</summary>
    public bool IsDefinition { get; init; }
}

/// <summary>An invoke or get action.</summary>
public sealed class ScriptAction
{
    /// <summary>True for <c>get</c> (read an exported global), false for <c>invoke</c>.</summary>
    public bool IsGet { get; init; }
    /// <summary>The module's <c>$name</c>, or null for the current module.</summary>
    public string? ModuleName { get; init; }
    /// <summary>The export's name.</summary>
    public required string Field { get; init; }
    /// <summary>The arguments of an invoke.</summary>
    public IReadOnlyList<ScriptValue> Args { get; init; } = Array.Empty<ScriptValue>();
}

/// <summary>One command of a script.</summary>
public sealed class ScriptCommand
{
    /// <summary>What the command is.</summary>
    public required ScriptCommandKind Kind { get; init; }
    /// <summary>The line in the script source.</summary>
    public int Line { get; init; }
    /// <summary>The module of module, assert_invalid/malformed/unlinkable/uninstantiable commands.</summary>
    public ScriptModule? Module { get; init; }
    /// <summary>For register: the name the exports are registered as.</summary>
    public string? RegisterAs { get; init; }
    /// <summary>For register: the module's <c>$name</c>, or null for the current one. For module instance: the definition's <c>$name</c>, or null for the last one.</summary>
    public string? RegisterModuleName { get; init; }
    /// <summary>For module instance: the <c>$name</c> of the new instance, or null.</summary>
    public string? InstanceName { get; init; }
    /// <summary>The action of action, assert_return, assert_trap and assert_exhaustion.</summary>
    public ScriptAction? Action { get; init; }
    /// <summary>The expected results of assert_return.</summary>
    public IReadOnlyList<ScriptValue> Expected { get; init; } = Array.Empty<ScriptValue>();
    /// <summary>The expected failure message of assert_* commands.</summary>
    public string? Text { get; init; }
}
