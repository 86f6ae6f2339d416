
namespace Engine.Text;

/// <summary>The lexical class of a token of the text format.</summary>
public enum TokenKind : byte
{
    /// <summary><c>(</c>.</summary>
    LeftParen,
    /// <summary><c>)</c>.</summary>
    RightParen,
    /// <summary>A run of identifier characters not starting with <c>$</c>: a keyword or a number (or junk the parser rejects).</summary>
    Atom,
    /// <summary>An identifier: <c>$</c> followed by identifier characters.</summary>
    Id,
    /// <summary>One string literal; its escapes were checked by the lexer.</summary>
    String,
    /// <summary>Any other run of characters (strings glued to other characters, characters outside the grammar); never valid.</summary>
    Reserved,
    /// <summary>The end of the input.</summary>
    End,
}

/// <summary>A token: a kind and a range of the source text.</summary>
internal struct Token
{
    /// <summary>Offset of the first character in the source text.</summary>
    public int Start;
    /// <summary>Number of characters.</summary>
    public int Length;
    /// <summary>For <see cref="TokenKind.LeftParen"/>: the index of the matching right parenthesis; for <see cref="TokenKind.Id"/>:
    /// 0, or for a quoted identifier one more than its index in <see cref="TokenList.QuotedIds"/>.</summary>
    public int Match;
    /// <summary>The lexical class.</summary>
    public TokenKind Kind;
}

/// <summary>The tokens of one source text, with parentheses already matched.</summary>
internal sealed class TokenList
{
    public TokenList(string text, Token[] tokens, int count, string? fileName)
    {
        Text = text;
        Tokens = tokens;
        Count = count;
        FileName = fileName;
    }

    /// <summary>The source text.</summary>
    public string Text { get; }

    /// <summary>The tokens (the array may be longer); the last one, at <see cref="Count"/> - 1, is <see cref="TokenKind.End"/>.</summary>
    public Token[] Tokens { get; }

    /// <summary>The number of tokens including the final end token.</summary>
    public int Count { get; }

    /// <summary>The file name for messages, or null.</summary>
    public string? FileName { get; }

    /// <summary>The canonical texts (<c>$</c> and the decoded name) of the quoted identifiers <c>$"..."</c>, or null when there are none.</summary>
    public List<string>? QuotedIds { get; init; }

    /// <summary>The characters of token <paramref name="index"/> (for a quoted identifier, its canonical text).</summary>
    public ReadOnlySpan<char> TextOf(int index)
    {
        ref Token token = ref Tokens[index];
        if (token.Kind == TokenKind.Id && token.Match != 0)
        {
            return QuotedIds![token.Match - 1];
        }
        return Text.AsSpan(token.Start, token.Length);
    }

    /// <summary>Returns the token array to the pool it was rented from; the list must not be used afterwards.</summary>
    public void Release() => System.Buffers.ArrayPool<Token>.Shared.Return(Tokens);

    /// <summary>An exception for a problem at a text offset, with its line and column.</summary>
    public TextFormatException ErrorAt(int offset, string reason) => TextErrors.At(Text, offset, reason, FileName);
}

/// <summary>Makes <see cref="TextFormatException"/>s with line and column computed from an offset (only on failure).</summary>
internal static class TextErrors
{
    public static TextFormatException At(string text, int offset, string reason, string? fileName)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return new TextFormatException(reason, line, offset - lineStart + 1, fileName);
    }
}
