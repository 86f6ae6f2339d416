namespace Engine.Core;

/// <summary>The base of every error the engine reports about a module or its execution.</summary>
public abstract class WasmException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    protected WasmException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// The bytes are not a well-formed WebAssembly binary (spec: "malformed"): bad magic or version,
/// a truncated section, an overlong LEB128, an unknown opcode, invalid UTF-8 in a name, and so on.
/// </summary>
public sealed class MalformedModuleException : WasmException
{
    /// <summary>Creates the exception for the given reason at a byte offset of the binary.</summary>
    public MalformedModuleException(string reason, long offset)
        : base($"malformed module at offset 0x{offset:x}: {reason}")
    {
        Reason = reason;
        Offset = offset;
    }

    /// <summary>What is wrong, in the words of the spec tests (for example "unexpected end").</summary>
    public string Reason { get; }

    /// <summary>The byte offset in the binary where the problem was found.</summary>
    public long Offset { get; }
}

/// <summary>
/// The binary is well formed but does not validate (spec: "invalid"): a type mismatch, an unknown
/// index, a bad constant expression, duplicate export names, and so on.
/// </summary>
public sealed class InvalidModuleException : WasmException
{
    /// <summary>Creates the exception for the given reason at a byte offset of the binary.</summary>
    public InvalidModuleException(string reason, long offset)
        : base($"invalid module at offset 0x{offset:x}: {reason}")
    {
        Reason = reason;
        Offset = offset;
    }

    /// <summary>
    /// Creates the exception for a module parsed from text, at the 1-based <paramref name="line"/> and
    /// <paramref name="column"/> of the instruction that was encoded at <paramref name="offset"/> of its binary:
    /// the message names the text position, which the user wrote, instead of the binary offset.
    /// </summary>
    public InvalidModuleException(string reason, long offset, string? fileName, int line, int column)
        : base($"{fileName ?? "<text>"}:{line}:{column}: invalid module: {reason}")
    {
        Reason = reason;
        Offset = offset;
        Line = line;
        Column = column;
    }

    /// <summary>What is wrong, in the words of the spec tests (for example "type mismatch"), often followed by details.</summary>
    public string Reason { get; }

    /// <summary>The byte offset in the binary where the problem was found.</summary>
    public long Offset { get; }

    /// <summary>For a module parsed from text, the 1-based line of the instruction at fault; 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>For a module parsed from text, the 1-based column of the instruction at fault; 0 when unknown.</summary>
    public int Column { get; }
}

/// <summary>
/// A valid module exceeds a limit of this engine's implementation (for example a function whose frame
/// would need more than 65,535 slots), so it cannot run here.
/// </summary>
public sealed class ImplementationLimitException : WasmException
{
    /// <summary>Creates the exception.</summary>
    public ImplementationLimitException(string message) : base(message) { }
}
