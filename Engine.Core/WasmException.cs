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

    /// <summary>What is wrong, in the words of the spec tests (for example "type mismatch").</summary>
    public string Reason { get; }

    /// <summary>The byte offset in the binary where the problem was found.</summary>
    public long Offset { get; }
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
