using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace Engine.Text;

/// <summary>
/// A position in the tokens of a text with the small recognizers every parser of the text format
/// needs: keywords, forms <c>( keyword ...)</c>, identifiers, strings and names, and errors that point
/// at the current token and say what was expected.
/// </summary>
/// <remarks>
/// Published for grammars that embed the text format, as the script format (<c>.wast</c>) embeds modules:
/// such a parser opens a cursor over its text with <see cref="Open"/>, reads its own forms with these
/// recognizers, and hands each module form to <see cref="WatParser.ReadModuleForm"/>. Tokens are
/// addressed by index (<see cref="Position"/>); parentheses are matched when the text is read.
/// </remarks>
public sealed class TokenCursor : IDisposable
{
    private readonly Token[] _tokens;
    private readonly string _text;
    private readonly bool _ownsList;

    internal TokenCursor(TokenList list)
    {
        List = list;
        _tokens = list.Tokens;
        _text = list.Text;
    }

    private TokenCursor(TokenList list, bool ownsList) : this(list) => _ownsList = ownsList;

    /// <summary>Reads the tokens of <paramref name="text"/> and puts a cursor on the first; dispose it when done.</summary>
    /// <param name="text">The source text.</param>
    /// <param name="fileName">The file the text came from, for messages; may be null.</param>
    /// <exception cref="TextFormatException">The text has a lexical error or unbalanced parentheses.</exception>
    public static TokenCursor Open(string text, string? fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new TokenCursor(Lexer.Tokenize(text, fileName), ownsList: true);
    }

    /// <summary>Returns the token storage (pooled) of a cursor made by <see cref="Open"/>; the cursor must not be used afterwards.</summary>
    public void Dispose()
    {
        if (_ownsList)
        {
            List.Release();
        }
    }

    /// <summary>The tokens read.</summary>
    internal TokenList List { get; }

    /// <summary>The number of tokens, the final <see cref="TokenKind.End"/> included.</summary>
    public int Count => List.Count;

    /// <summary>The source text.</summary>
    public string SourceText => _text;

    /// <summary>The offset in the source text of token <paramref name="index"/>'s first character.</summary>
    public int OffsetOf(int index) => _tokens[index].Start;

    /// <summary>The index of the current token.</summary>
    public int Position { get; set; }

    /// <summary>The kind of the current token.</summary>
    public TokenKind Kind => _tokens[Position].Kind;

    /// <summary>The characters of the current token.</summary>
    public ReadOnlySpan<char> Text => TextAt(Position);

    /// <summary>The kind of the token <paramref name="ahead"/> places after the current one.</summary>
    public TokenKind KindAhead(int ahead) => _tokens[Math.Min(Position + ahead, List.Count - 1)].Kind;

    /// <summary>The characters of token <paramref name="index"/>.</summary>
    public ReadOnlySpan<char> TextAt(int index)
    {
        ref Token token = ref _tokens[index];
        if (token.Kind == TokenKind.Id && token.Match != 0)
        {
            return List.QuotedIds![token.Match - 1];
        }
        return _text.AsSpan(token.Start, token.Length);
    }

    /// <summary>True at <c>)</c>.</summary>
    public bool AtRightParen => Kind == TokenKind.RightParen;

    /// <summary>True at <c>(</c>.</summary>
    public bool AtLeftParen => Kind == TokenKind.LeftParen;

    /// <summary>True when the current token is the keyword <paramref name="keyword"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool AtKeyword(string keyword) => Kind == TokenKind.Atom && Text.SequenceEqual(keyword);

    /// <summary>True at <c>( keyword</c>.</summary>
    public bool AtForm(string keyword) =>
        Kind == TokenKind.LeftParen && KindAhead(1) == TokenKind.Atom && TextAt(Position + 1).SequenceEqual(keyword);

    /// <summary>The keyword after the current <c>(</c>, or empty when the current token does not open a keyword form.</summary>
    public ReadOnlySpan<char> FormKeyword => Kind == TokenKind.LeftParen && KindAhead(1) == TokenKind.Atom ? TextAt(Position + 1) : default;

    /// <summary>The index of the token after the form opened by the current <c>(</c>.</summary>
    public int AfterForm => _tokens[Position].Match + 1;

    /// <summary>Moves to the next token.</summary>
    public void Advance() => Position++;

    /// <summary>Moves past the form opened by the current <c>(</c>.</summary>
    public void SkipForm() => Position = AfterForm;

    /// <summary>Consumes the keyword <paramref name="keyword"/> when it is the current token.</summary>
    public bool TryKeyword(string keyword)
    {
        if (AtKeyword(keyword))
        {
            Position++;
            return true;
        }
        return false;
    }

    /// <summary>Consumes the keyword <paramref name="keyword"/>, or fails.</summary>
    public void ExpectKeyword(string keyword)
    {
        if (!TryKeyword(keyword))
        {
            throw Unexpected($"\"{keyword}\"");
        }
    }

    /// <summary>Consumes <c>( keyword</c> when present.</summary>
    public bool TryEnterForm(string keyword)
    {
        if (AtForm(keyword))
        {
            Position += 2;
            return true;
        }
        return false;
    }

    /// <summary>Consumes <c>( keyword</c>.</summary>
    public void EnterForm(string keyword)
    {
        if (!TryEnterForm(keyword))
        {
            throw Unexpected($"\"({keyword}\"");
        }
    }

    /// <summary>Consumes <c>(</c>, or fails.</summary>
    public void ExpectLeftParen()
    {
        if (Kind != TokenKind.LeftParen)
        {
            throw Unexpected("\"(\"");
        }
        Position++;
    }

    /// <summary>Consumes <c>)</c>, or fails.</summary>
    public void ExpectRightParen()
    {
        if (Kind != TokenKind.RightParen)
        {
            throw Unexpected("\")\"");
        }
        Position++;
    }

    /// <summary>Reads an identifier when the current token is one.</summary>
    public bool TryId(out ReadOnlySpan<char> id)
    {
        if (Kind == TokenKind.Id)
        {
            id = Text;
            Position++;
            return true;
        }
        id = default;
        return false;
    }

    /// <summary>Reads a keyword or number token.</summary>
    public ReadOnlySpan<char> ExpectAtom(string expected)
    {
        if (Kind != TokenKind.Atom)
        {
            throw Unexpected(expected);
        }
        return TextAt(Position++);
    }

    /// <summary>Reads a string literal and appends its bytes.</summary>
    internal void ReadString(ByteWriter destination, string expected = "a string")
    {
        if (Kind != TokenKind.String)
        {
            throw Unexpected(expected);
        }
        DecodeString(Text, destination);
        Position++;
    }

    /// <summary>Reads a string literal as bytes.</summary>
    internal byte[] ReadStringBytes(string expected = "a string")
    {
        var writer = new ByteWriter(Text.Length);
        ReadString(writer, expected);
        return writer.ToArray();
    }

    /// <summary>Reads a name: a string whose bytes must be valid UTF-8 (spec: text/values, names).</summary>
    public string ReadName(string expected = "a name")
    {
        if (Kind == TokenKind.String && IsPlainAscii(Text))
        {
            // Fast path: no escapes and no non-ASCII characters, so the name is the text between the quotes.
            return new string(TextAt(Position++)[1..^1]);
        }
        int at = Position;
        byte[] bytes = ReadStringBytes(expected);
        if (!Utf8.IsValid(bytes))
        {
            throw ErrorAt(at, "malformed UTF-8 encoding");
        }
        return Encoding.UTF8.GetString(bytes);
    }

    private static bool IsPlainAscii(ReadOnlySpan<char> literal) =>
        !literal.Contains('\\') && System.Text.Ascii.IsValid(literal);

    /// <summary>Reads a name and writes it as a binary-format name (length and UTF-8 bytes).</summary>
    internal void ReadNameInto(ByteWriter destination, ByteWriter scratch, string expected = "a name")
    {
        int at = Position;
        scratch.Clear();
        ReadString(scratch, expected);
        if (!Utf8.IsValid(scratch.Span))
        {
            throw ErrorAt(at, "malformed UTF-8 encoding");
        }
        destination.Vector(scratch.Span);
    }

    /// <summary>Decodes a string literal (with its quotes) checked by the lexer: escapes to bytes, other characters to UTF-8.</summary>
    internal static void DecodeString(ReadOnlySpan<char> literal, ByteWriter destination)
    {
        ReadOnlySpan<char> body = literal[1..^1];
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            if (c == '\\')
            {
                i = DecodeEscape(body, i, destination);
            }
            else if (c < 0x80)
            {
                destination.Byte((byte)c);
            }
            else
            {
                int scalar = c;
                if (char.IsHighSurrogate(c))
                {
                    scalar = char.ConvertToUtf32(c, body[++i]);
                }
                int length = new Rune(scalar).EncodeToUtf8(utf8);
                destination.Bytes(utf8[..length]);
            }
        }
    }

    /// <summary>Decodes the escape at <paramref name="backslash"/>; returns the index of its last character.</summary>
    private static int DecodeEscape(ReadOnlySpan<char> body, int backslash, ByteWriter destination)
    {
        char e = body[backslash + 1];
        switch (e)
        {
            case 'n':
                destination.Byte((byte)'\n');
                return backslash + 1;
            case 'r':
                destination.Byte((byte)'\r');
                return backslash + 1;
            case 't':
                destination.Byte((byte)'\t');
                return backslash + 1;
            case '\\' or '\'' or '"':
                destination.Byte((byte)e);
                return backslash + 1;
            case 'u':
                int close = body.Slice(backslash).IndexOf('}') + backslash;
                Lexer.TryParseHexScalar(body[(backslash + 3)..close], out int scalar);
                Span<byte> utf8 = stackalloc byte[4];
                int length = new Rune(scalar).EncodeToUtf8(utf8);
                destination.Bytes(utf8[..length]);
                return close;
            default:
                destination.Byte((byte)((HexValue(e) << 4) | HexValue(body[backslash + 2])));
                return backslash + 2;
        }
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>An error at the current token.</summary>
    public TextFormatException Error(string reason) => ErrorAt(Position, reason);

    /// <summary>An error at token <paramref name="index"/>.</summary>
    public TextFormatException ErrorAt(int index, string reason) => List.ErrorAt(_tokens[Math.Min(index, List.Count - 1)].Start, reason);

    /// <summary>"unexpected token" (or "unknown operator" for a reserved token) at the current token, naming what was expected.</summary>
    public TextFormatException Unexpected(string expected)
    {
        string found = Describe(Position);
        return Kind == TokenKind.Reserved
            ? Error($"unknown operator {found}: expected {expected}")
            : Error($"unexpected token {found}: expected {expected}");
    }

    /// <summary>The token for messages: its text (shortened), or "end of text".</summary>
    public string Describe(int index)
    {
        if (_tokens[index].Kind == TokenKind.End)
        {
            return "end of text";
        }
        ReadOnlySpan<char> text = TextAt(index);
        return text.Length <= 40 ? $"\"{text}\"" : $"\"{text[..37]}...\"";
    }
}
