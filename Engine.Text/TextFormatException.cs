
using Engine.Core;

namespace Engine.Text;

/// <summary>
/// The text is not well-formed WebAssembly text (spec: "malformed" at the text level): a lexical error,
/// an unexpected token, an unknown operator or identifier, a constant out of range, a mismatching label,
/// and so on. The only exception the text parsers throw for bad input.
/// </summary>
public sealed class TextFormatException : WasmException
{
    /// <summary>Creates the exception for the given reason at a 1-based line and column.</summary>
    public TextFormatException(string reason, int line, int column, string? fileName = null)
        : base($"{fileName ?? "<text>"}:{line}:{column}: {reason}")
    {
        Reason = reason;
        Line = line;
        Column = column;
        FileName = fileName;
    }

    /// <summary>What is wrong, close to the spec tests' words (for example "unknown operator").</summary>
    public string Reason { get; }

    /// <summary>The 1-based line of the offending token.</summary>
    public int Line { get; }

    /// <summary>The 1-based column (in UTF-16 code units) of the offending token.</summary>
    public int Column { get; }

    /// <summary>The file name given to the parser, or null.</summary>
    public string? FileName { get; }
}
