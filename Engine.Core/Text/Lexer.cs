namespace Engine.Core.Text;

/// <summary>
/// Splits source text into tokens (spec: text/lexical). Whitespace and comments (<c>;;</c> to the end of
/// the line, nested <c>(; ;)</c> blocks) separate tokens. Every other run of characters up to whitespace,
/// a parenthesis or a semicolon is one token; string literals inside such a run are skipped whole, so
/// <c>$l"a"</c> is a single (reserved) token, as the spec requires. Parentheses are matched here, so
/// parsers can skip a whole form in one step.
/// </summary>
internal static class Lexer
{
    /// <summary>Tokenizes <paramref name="text"/>; throws <see cref="TextFormatException"/> on a lexical error or unbalanced parentheses.</summary>
    public static TokenList Tokenize(string text, string? fileName)
    {
        var tokens = new Token[Math.Max(16, text.Length / 4)];
        int count = 0;
        var openParens = new Stack<int>();
        int i = 0;
        int end = text.Length;
        while (true)
        {
            i = SkipWhitespaceAndComments(text, i, fileName);
            if (i >= end)
            {
                break;
            }
            if (count + 1 >= tokens.Length)
            {
                Array.Resize(ref tokens, tokens.Length * 2);
            }
            char c = text[i];
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
                i = ScanRun(text, i, ref token, fileName);
            }
            count++;
        }
        if (openParens.Count > 0)
        {
            throw TextErrors.At(text, tokens[openParens.Peek()].Start, "unclosed \"(\": expected \")\" before the end of the text", fileName);
        }
        tokens[count] = new Token { Start = end, Length = 0, Kind = TokenKind.End };
        return new TokenList(text, tokens, count + 1, fileName);
    }

    /// <summary>True for the characters identifiers, keywords and numbers are made of (spec: idchar).</summary>
    public static bool IsIdChar(char c) => c < 128 && s_idChars[c];

    private static readonly bool[] s_idChars = BuildIdChars();

    private static bool[] BuildIdChars()
    {
        var table = new bool[128];
        for (char c = '0'; c <= '9'; c++)
        {
            table[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++)
        {
            table[c] = true;
            table[char.ToUpperInvariant(c)] = true;
        }
        foreach (char c in "!#$%&'*+-./:<=>?@\\^_`|~")
        {
            table[c] = true;
        }
        return table;
    }

    private static int SkipWhitespaceAndComments(string text, int i, string? fileName)
    {
        while (i < text.Length)
        {
            char c = text[i];
            if (c is ' ' or '\t' or '\n' or '\r')
            {
                i++;
            }
            else if (c == ';' && i + 1 < text.Length && text[i + 1] == ';')
            {
                int newline = text.IndexOf('\n', i);
                int end = newline < 0 ? text.Length : newline + 1;
                CheckCommentCharacters(text, i, end, fileName);
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
        while (i + 1 < text.Length)
        {
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
                    CheckCommentCharacters(text, start, i, fileName);
                    return i;
                }
            }
            else
            {
                i++;
            }
        }
        throw TextErrors.At(text, start, "unclosed comment: expected \";)\"", fileName);
    }

    /// <summary>Comments may hold any character, but only characters: a lone surrogate is malformed source.</summary>
    private static void CheckCommentCharacters(string text, int start, int end, string? fileName)
    {
        ReadOnlySpan<char> comment = text.AsSpan(start, end - start);
        int at = comment.IndexOfAnyInRange('\uD800', '\uDFFF');
        while (at >= 0)
        {
            if (!char.IsHighSurrogate(comment[at]) || at + 1 >= comment.Length || !char.IsLowSurrogate(comment[at + 1]))
            {
                throw TextErrors.At(text, start + at, "malformed UTF-8 encoding: unpaired surrogate in comment", fileName);
            }
            int next = comment[(at + 2)..].IndexOfAnyInRange('\uD800', '\uDFFF');
            at = next < 0 ? -1 : at + 2 + next;
        }
    }

    /// <summary>Scans one run of non-delimiter characters and classifies it.</summary>
    private static int ScanRun(string text, int start, ref Token token, string? fileName)
    {
        int i = start;
        int strings = 0;
        bool others = false;
        bool allIdChars = true;
        while (i < text.Length)
        {
            char c = text[i];
            if (c is ' ' or '\t' or '\n' or '\r' or '(' or ')' or ';')
            {
                break;
            }
            if (c == '"')
            {
                i = ScanString(text, i, fileName);
                strings++;
                continue;
            }
            others = true;
            allIdChars &= IsIdChar(c);
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
        token.Kind = Classify(text, start, strings, others, allIdChars);
        return i;
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
            if (i >= text.Length || text[i] == '\n')
            {
                throw TextErrors.At(text, start, "unclosed string literal: expected '\"'", fileName);
            }
            char c = text[i];
            if (c == '"')
            {
                return i + 1;
            }
            if (c == '\\')
            {
                i = ScanEscape(text, i, fileName);
            }
            else if (c < 0x20 || c == 0x7F)
            {
                throw TextErrors.At(text, i, "illegal control character in string literal", fileName);
            }
            else if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    throw TextErrors.At(text, i, "malformed UTF-8 encoding: unpaired surrogate in string literal", fileName);
                }
                i += 2;
            }
            else
            {
                i++;
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
