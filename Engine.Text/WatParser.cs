
using Engine.Core;

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
        using TokenCursor cursor = TokenCursor.Open(text, fileName);
        byte[] module = ModuleParser.Parse(cursor, emitNames);
        if (cursor.Kind != TokenKind.End)
        {
            throw cursor.Unexpected("the end of the text after the module");
        }
        return module;
    }

    /// <summary>
    /// Parses a module as <see cref="ParseModule(string, string?, bool)"/> does, and tells where each instruction of
    /// its code came from (<paramref name="sourceMap"/>), to report a decoding or validation error, which has a
    /// binary offset, at the text's line and column.
    /// </summary>
    public static byte[] ParseModule(string text, string? fileName, bool emitNames, out TextSourceMap sourceMap)
    {
        ArgumentNullException.ThrowIfNull(text);
        using TokenCursor cursor = TokenCursor.Open(text, fileName);
        var builder = new TextSourceMap.Builder();
        byte[] module = ModuleParser.Parse(cursor, emitNames, builder);
        if (cursor.Kind != TokenKind.End)
        {
            throw cursor.Unexpected("the end of the text after the module");
        }
        sourceMap = builder.Build(text, fileName);
        return module;
    }

    /// <summary>
    /// Parses the module at <paramref name="cursor"/>: a <c>(module ...)</c> form (also <c>binary</c> and
    /// <c>quote</c>), or bare module fields up to the end of the text. Leaves the cursor after the module.
    /// </summary>
    /// <exception cref="TextFormatException">The module is not well formed.</exception>
    public static byte[] ParseModule(TokenCursor cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        return ModuleParser.Parse(cursor);
    }

    /// <summary>
    /// Reads the <c>(module $id? ...)</c> form at <paramref name="cursor"/> as a script embeds it, and leaves
    /// the cursor after it. A <c>binary</c> module gives its bytes. A text or <c>quote</c> module is parsed to
    /// its binary, unless <paramref name="keepText"/> asks for its text instead (for a module that must fail
    /// to parse: the text form's own source, or the quoted strings joined).
    /// </summary>
    /// <exception cref="TextFormatException">The form is not a module, or (parsed) not a well-formed one.</exception>
    public static ModuleForm ReadModuleForm(TokenCursor cursor, bool keepText)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        if (!cursor.AtForm("module"))
        {
            throw cursor.Unexpected("\"(module\"");
        }
        int start = cursor.Position;
        cursor.Position += 2;
        bool definition = cursor.TryKeyword("definition");
        string? id = cursor.TryId(out ReadOnlySpan<char> name) ? name.ToString() : null;
        if (cursor.TryKeyword("binary"))
        {
            return new ModuleForm(id, ModuleParser.ParseBinaryModule(cursor), null) { IsDefinition = definition };
        }
        if (cursor.TryKeyword("quote"))
        {
            int quoteAt = cursor.Position;
            string quoted = ModuleParser.ReadQuotedText(cursor);
            return keepText
                ? new ModuleForm(id, null, quoted) { IsDefinition = definition }
                : new ModuleForm(id, ModuleParser.ParseQuotedText(cursor, quoteAt, quoted), null) { IsDefinition = definition };
        }
        cursor.Position = start;
        if (keepText)
        {
            cursor.SkipForm();
            int end = cursor.OffsetOf(cursor.Position - 1) + 1;
            return new ModuleForm(id, null, cursor.SourceText[cursor.OffsetOf(start)..end]) { IsDefinition = definition };
        }
        return new ModuleForm(id, ModuleParser.Parse(cursor), null) { IsDefinition = definition };
    }
}

/// <summary>A <c>(module ...)</c> form of a script, read by <see cref="WatParser.ReadModuleForm"/>.</summary>
/// <param name="Id">The module's identifier (<c>$name</c>), or null.</param>
/// <param name="Binary">The module in the binary format, or null when its text was kept.</param>
/// <param name="Text">The module's text when it was kept instead of parsed, or null.</param>
public readonly record struct ModuleForm(string? Id, byte[]? Binary, string? Text)
{
    /// <summary>True for <c>(module definition ...)</c>: a module a script defines without instantiating it.</summary>
    public bool IsDefinition { get; init; }
}
