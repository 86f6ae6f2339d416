using System.Buffers;

namespace Engine.Text;

/// <summary>
/// Splits source text into tokens (spec: text/lexical). Whitespace and comments (<c>;;</c> to the end of
/// the line, nested <c>(; ;)</c> blocks) separate tokens. Every other run of characters up to whitespace,
/// a parenthesis or a semicolon is one token; string literals inside such a run are skipped whole, so
/// <c>$l"a"</c> is a single (reserved) token, as the spec requires. Parentheses are matched here, so
/// parsers can skip a whole form in one step. The scans use vectorized searches (<see cref="SearchValues{T}"/>).
/// </summary>
internal static class Lexer
{
    private const string IdCharacters = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#$%&'*+-./:<=>?@\\^_`|~";

    /// <summary>The characters identifiers, keywords and numbers are made of (spec: idchar).</summary>
    private static readonly SearchValues<char> s_idChars = SearchValues.Create(IdCharacters);

    /// <summary>The characters a string scan must look at: its end, escapes, and the forbidden control characters.</summary>
    private static readonly SearchValues<char> s_stringSpecials = SearchValues.Create(
        "\"\\\u007f" + string.Concat(Enumerable.Range(0, 0x20).Select(c => (char)c)));

    /// <summary>Tokenizes <paramref name="text"/>; throws <see cref="TextFormatException"/> on a lexical error or unbalanced parentheses.</summary>
    /// <remarks>The token array comes from <see cref="ArrayPool{T}"/>; call <see cref="TokenList.Release"/> when done with the list.</remarks>
    public static TokenList Tokenize(string text, string? fileName)
    {
        Token[] tokens = ArrayPool<Token>.Shared.Rent(Math.Max(16, text.Length / 5));
        try
        {
            List<string>? quotedIds = null;
            int count = Scan(text, fileName, ref tokens, ref quotedIds);
            return new TokenList(text, tokens, count, fileName) { QuotedIds = quotedIds };
        }
        catch
        {
            ArrayPool<Token>.Shared.Return(tokens);
            throw;
        }
    }

    private static int Scan(string text, string? fileName, ref Token[] tokens, ref List<string>? quotedIds)
    {
        int count = 0;
        var openParens = new Stack<int>();
        int i = 0;
        while (true)
        {
            i = SkipWhitespaceAndComments(text, i, fileName);
            if (i >= text.Length)
            {
                break;
            }
            char c = text[i];
            if (c == '(' && i + 1 < text.Length && text[i + 1] == '@')
            {
                // An annotation (3.0) may stand wherever whitespace may; all are ignored (custom-section annotations included).
                i = SkipAnnotation(text, i, fileName, ref quotedIds);
                continue;
            }
            if (count + 1 >= tokens.Length)
            {
                Grow(ref tokens);
            }
            ref Token token = ref tokens[count];
            token.Start = i;
            if (c == '(')
            {
                token.Kind = TokenKind.LeftParen;
                token.Length = 1;
                openParens.Push(count);
                i++;
            }
            else if (c == ')')
            {
                if (openParens.Count == 0)
                {
                    throw TextErrors.At(text, i, "unexpected token \")\": no matching \"(\"", fileName);
                }
                token.Kind = TokenKind.RightParen;
                token.Length = 1;
                tokens[openParens.Pop()].Match = count;
                i++;
            }
            else
            {
                i = ScanRun(text, i, ref token, fileName, ref quotedIds, out _);
            }
            count++;
        }
        if (openParens.Count > 0)
        {
            throw TextErrors.At(text, tokens[openParens.Peek()].Start, "unclosed \"(\": expected \")\" before the end of the text", fileName);
        }
        tokens[count] = new Token { Start = text.Length, Length = 0, Kind = TokenKind.End };
        return count + 1;
    }

    private static void Grow(ref Token[] tokens)
    {
        Token[] larger = ArrayPool<Token>.Shared.Rent(tokens.Length * 2);
        tokens.AsSpan().CopyTo(larger);
        ArrayPool<Token>.Shared.Return(tokens);
        tokens = larger;
    }

    /// <summary>True for the characters identifiers, keywords and numbers are made of (spec: idchar).</summary>
    public static bool IsIdChar(char c) => s_idChars.Contains(c);

    private static int SkipWhitespaceAndComments(string text, int i, string? fileName)
    {
        while (i < text.Length)
        {
            char c = text[i];
            if (c is ' ' or '\n' or '\t' or '\r')
            {
                i++;
            }
            else if (c == ';' && i + 1 < text.Length && text[i + 1] == ';')
            {
                // A line comment ends at a line feed or (since 3.0) a carriage return.
                int newline = text.AsSpan(i).IndexOfAny('\n', '\r');
                int end = newline < 0 ? text.Length : i + newline + 1;
                CheckPairedSurrogates(text, i, end, fileName, "comment");
                i = end;
            }
            else if (c == '(' && i + 1 < text.Length && text[i + 1] == ';')
            {
                i = SkipBlockComment(text, i, fileName);
            }
            else
            {
                break;
            }
        }
        return i;
    }

    private static int SkipBlockComment(string text, int start, string? fileName)
    {
        int depth = 0;
        int i = start;
        while (true)
        {
            int next = text.AsSpan(i).IndexOfAny('(', ';');
            if (next < 0 || i + next + 1 >= text.Length)
            {
                throw TextErrors.At(text, start, "unclosed comment: expected \";)\"", fileName);
            }
            i += next;
            if (text[i] == '(' && text[i + 1] == ';')
            {
                depth++;
                i += 2;
            }
            else if (text[i] == ';' && text[i + 1] == ')')
            {
                depth--;
                i += 2;
                if (depth == 0)
                {
                    CheckPairedSurrogates(text, start, i, fileName, "comment");
                    return i;
                }
            }
            else
            {
                i++;
            }
        }
    }

    /// <summary>
    /// Comments and strings may hold any character, but only characters: a surrogate outside a valid pair is malformed
    /// source (<paramref name="where"/> names the construct in the message).
    /// </summary>
    private static void CheckPairedSurrogates(string text, int start, int end, string? fileName, string where)
    {
        int at = start;
        while (true)
        {
            int next = text.AsSpan(at, end - at).IndexOfAnyInRange('\uD800', '\uDFFF');
            if (next < 0)
            {
                return;
            }
            at += next;
            if (!char.IsHighSurrogate(text[at]) || at + 1 >= end || !char.IsLowSurrogate(text[at + 1]))
            {
                throw TextErrors.At(text, at, $"malformed UTF-8 encoding: unpaired surrogate in {where}", fileName);
            }
            at += 2;
        }
    }

    /// <summary>Scans one run of token characters (with any strings inside it) and classifies it.</summary>
    /// <remarks>Tokens are short, so a table-driven scalar loop beats a vectorized search here.</remarks>
    private static int ScanRun(string text, int start, ref Token token, string? fileName, ref List<string>? quotedIds, out int firstIllegal)
    {
        int i = start;
        int strings = 0;
        int firstStringStart = -1;
        int lastStringEnd = -1;
        firstIllegal = -1;
        bool others = false;
        bool allIdChars = true;
        ReadOnlySpan<byte> classes = CharacterClasses;
        while (i < text.Length)
        {
            char c = text[i];
            byte charClass = c < 128 ? classes[c] : (byte)0;
            if ((charClass & RunStop) != 0)
            {
                if (c != '"')
                {
                    break;
                }
                if (strings == 0)
                {
                    firstStringStart = i;
                }
                i = ScanString(text, i, fileName);
                lastStringEnd = i;
                strings++;
                continue;
            }
            others = true;
            if ((charClass & IdChar) == 0)
            {
                allIdChars = false;
                if (firstIllegal < 0 && c is not (',' or '[' or ']' or '{' or '}'))
                {
                    firstIllegal = i;
                }
            }
            i++;
        }
        if (i == start)
        {
            // A lone ';' (not starting a comment) is a token of its own, and never valid.
            i++;
            others = true;
            allIdChars = false;
        }
        token.Length = i - start;
        token.Match = 0;
        if (strings == 1 && firstStringStart == start + 1 && lastStringEnd == i && text[start] == '$')
        {
            // A quoted identifier $"..." (3.0): the same identifier as $ followed by the string's characters.
            token.Kind = TokenKind.Id;
            quotedIds ??= [];
            quotedIds.Add(DecodeQuotedId(text, start, i, fileName));
            token.Match = quotedIds.Count;
            return i;
        }
        token.Kind = Classify(text, start, strings, others, allIdChars);
        return i;
    }

    /// <summary>The canonical text (<c>$</c> and the decoded characters) of the quoted identifier <c>$"..."</c> at <paramref name="start"/>.</summary>
    private static string DecodeQuotedId(string text, int start, int end, string? fileName)
    {
        var bytes = new ByteWriter(end - start);
        TokenCursor.DecodeString(text.AsSpan(start + 1, end - start - 1), bytes);
        if (bytes.Span.IsEmpty)
        {
            throw TextErrors.At(text, start, "empty identifier", fileName);
        }
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
        {
            throw TextErrors.At(text, start, "malformed UTF-8 encoding in identifier", fileName);
        }
        return "$" + System.Text.Encoding.UTF8.GetString(bytes.Span);
    }

    /// <summary>
    /// Skips the annotation <c>(@id ...)</c> at <paramref name="start"/> (spec 3.0: text/lexical, annotations): the id is
    /// idchars or a non-empty name string right after <c>(@</c>, the rest well-formed tokens with balanced parentheses.
    /// </summary>
    private static int SkipAnnotation(string text, int start, string? fileName, ref List<string>? quotedIds)
    {
        int i = start + 2;
        Token scratch = default;
        if (i >= text.Length || (text[i] < 128 && (CharacterClasses[text[i]] & RunStop) != 0 && text[i] != '"'))
        {
            throw TextErrors.At(text, start, "empty annotation id", fileName);
        }
        scratch.Start = i;
        i = ScanRun(text, i, ref scratch, fileName, ref quotedIds, out _);
        if (scratch.Kind == TokenKind.String)
        {
            var bytes = new ByteWriter(scratch.Length);
            TokenCursor.DecodeString(text.AsSpan(scratch.Start, scratch.Length), bytes);
            if (bytes.Span.IsEmpty)
            {
                throw TextErrors.At(text, start, "empty annotation id", fileName);
            }
            if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
            {
                throw TextErrors.At(text, start, "malformed UTF-8 encoding in annotation id", fileName);
            }
        }
        else if (scratch.Kind is not (TokenKind.Atom or TokenKind.Id))
        {
            throw TextErrors.At(text, start + 2, "malformed annotation id", fileName);
        }
        int depth = 1;
        while (true)
        {
            i = SkipWhitespaceAndComments(text, i, fileName);
            if (i >= text.Length)
            {
                throw TextErrors.At(text, start, "unclosed annotation: expected \")\" before the end of the text", fileName);
            }
            char c = text[i];
            if (c == '(')
            {
                depth++;
                i++;
            }
            else if (c == ')')
            {
                i++;
                if (--depth == 0)
                {
                    return i;
                }
            }
            else
            {
                scratch.Start = i;
                i = ScanRun(text, i, ref scratch, fileName, ref quotedIds, out int illegal);
                if (illegal >= 0)
                {
                    throw TextErrors.At(text, illegal, $"illegal character U+{(int)text[illegal]:X4} in annotation", fileName);
                }
            }
        }
    }

    private const byte IdChar = 1;
    private const byte RunStop = 2;

    /// <summary>For each ASCII character: <see cref="IdChar"/> and/or <see cref="RunStop"/> (whitespace, parentheses, ';', '"').</summary>
    private static ReadOnlySpan<byte> CharacterClasses => s_characterClasses;

    private static readonly byte[] s_characterClasses = BuildCharacterClasses();

    private static byte[] BuildCharacterClasses()
    {
        var classes = new byte[128];
        foreach (char c in IdCharacters)
        {
            classes[c] |= IdChar;
        }
        foreach (char c in " \t\n\r();\"")
        {
            classes[c] |= RunStop;
        }
        return classes;
    }

    private static TokenKind Classify(string text, int start, int strings, bool others, bool allIdChars)
    {
        if (strings == 1 && !others)
        {
            return TokenKind.String;
        }
        if (strings > 0 || !allIdChars)
        {
            return TokenKind.Reserved;
        }
        return text[start] == '$' && start + 1 < text.Length && IsIdChar(text[start + 1]) ? TokenKind.Id : TokenKind.Atom;
    }

    /// <summary>Checks a string literal starting at the quote; returns the offset after the closing quote.</summary>
    private static int ScanString(string text, int start, string? fileName)
    {
        int i = start + 1;
        while (true)
        {
            int next = text.AsSpan(i).IndexOfAny(s_stringSpecials);
            if (next < 0)
            {
                throw TextErrors.At(text, start, "unclosed string literal: expected '\"'", fileName);
            }
            CheckPairedSurrogates(text, i, i + next, fileName, "string literal");
            i += next;
            char c = text[i];
            if (c == '"')
            {
                return i + 1;
            }
            if (c == '\\')
            {
                i = ScanEscape(text, i, fileName);
            }
            else if (c == '\n')
            {
                throw TextErrors.At(text, start, "unclosed string literal: expected '\"' before the end of the line", fileName);
            }
            else
            {
                throw TextErrors.At(text, i, "illegal control character in string literal", fileName);
            }
        }
    }

    private static int ScanEscape(string text, int backslash, string? fileName)
    {
        int i = backslash + 1;
        char c = i < text.Length ? text[i] : '\0';
        switch (c)
        {
            case 'n' or 'r' or 't' or '\\' or '\'' or '"':
                return i + 1;
            case 'u':
                return ScanUnicodeEscape(text, backslash, fileName);
            default:
                if (IsHexDigit(c) && i + 1 < text.Length && IsHexDigit(text[i + 1]))
                {
                    return i + 2;
                }
                throw TextErrors.At(text, backslash, "illegal escape: expected one of \\n \\r \\t \\\\ \\' \\\" \\hh \\u{hex}", fileName);
        }
    }

    private static int ScanUnicodeEscape(string text, int backslash, string? fileName)
    {
        int i = backslash + 2;
        if (i >= text.Length || text[i] != '{')
        {
            throw TextErrors.At(text, backslash, "illegal escape: expected '{' after \\u", fileName);
        }
        int close = text.IndexOf('}', i);
        if (close < 0 || !TryParseHexScalar(text.AsSpan(i + 1, close - i - 1), out _))
        {
            throw TextErrors.At(text, backslash, "illegal escape: expected a Unicode scalar value in \\u{...}", fileName);
        }
        return close + 1;
    }

    /// <summary>Parses the hex number of a <c>\u{...}</c> escape; false unless it is a Unicode scalar value.</summary>
    public static bool TryParseHexScalar(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        if (!NumberParser.TryParseHexNum(digits, out ulong number) || number > 0x10FFFF || number is >= 0xD800 and <= 0xDFFF)
        {
            return false;
        }
        value = (int)number;
        return true;
    }

    public static bool IsHexDigit(char c) => char.IsAsciiHexDigit(c);
}
