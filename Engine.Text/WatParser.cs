
namespace Engine.Text;

/// <summary>
/// Parses the WebAssembly text format (a <c>.wat</c> module) into the binary format, which the rest of
/// the engine decodes and validates. Covers the full WebAssembly 2.0 text format with every abbreviation.
/// </summary>
/// <remarks>
/// The parser checks what the text format itself requires (spec: text) and leaves validation to the
/// validator: a type mismatch or an out-of-range numeric index parses fine; an unknown identifier, a
/// duplicate identifier, a mismatching label, an import after a definition, an inline function type
/// that contradicts its <c>(type x)</c>, or a constant out of range does not. The result is the binary
/// wabt's <c>wast2json</c> would produce for the same text in almost every case (see
/// <see cref="ModuleParser"/> for the encoding choices).
/// </remarks>
public static class WatParser
{
    /// <summary>
    /// Parses a module: <c>(module id? field*)</c>, bare fields (the abbreviated form of a module), or
    /// <c>(module binary "..."*)</c> / <c>(module quote "..."*)</c>.
    /// </summary>
    /// <param name="text">The module's text.</param>
    /// <returns>The module in the binary format.</returns>
    /// <exception cref="TextFormatException">The text is not a well-formed module; the exception has the line and column.</exception>
    public static byte[] ParseModule(string text) => ParseModule(text, fileName: null);

    /// <summary>Parses a module, naming <paramref name="fileName"/> in error messages.</summary>
    /// <param name="text">The module's text.</param>
    /// <param name="fileName">The file the text came from, for messages; may be null.</param>
    /// <returns>The module in the binary format.</returns>
    /// <exception cref="TextFormatException">The text is not a well-formed module; the exception has the line and column.</exception>
    public static byte[] ParseModule(string text, string? fileName) => ParseModule(text, fileName, emitNames: false);

    /// <summary>
    /// Parses a module; with <paramref name="emitNames"/>, adds a <c>name</c> section with the functions'
    /// identifiers (so backtraces can name them), as <c>wat2wasm --debug-names</c> does.
    /// </summary>
    public static byte[] ParseModule(string text, string? fileName, bool emitNames)
    {
        ArgumentNullException.ThrowIfNull(text);
        TokenList tokens = Lexer.Tokenize(text, fileName);
        try
        {
            var cursor = new TokenCursor(tokens);
            byte[] module = ModuleParser.Parse(cursor, emitNames);
            if (cursor.Kind != TokenKind.End)
            {
                throw cursor.Unexpected("the end of the text after the module");
            }
            return module;
        }
        finally
        {
            tokens.Release();
        }
    }
}
