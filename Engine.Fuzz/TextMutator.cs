using System.Text;

namespace Engine.Fuzz;

/// <summary>
/// Damages text-format sources: truncation; tokens deleted, inserted (from a pool of real tokens), swapped or
/// duplicated; parentheses dropped or doubled; characters deleted, inserted or replaced; numbers replaced by
/// boundary literals. Has its own small tokenizer (not the parser's lexer, which is under test).
/// </summary>
public static class TextMutator
{
    private const string Interesting = "()\";$\\_.=:-+0123456789abcdefxpnu{} \t\n\r\u0000\u007f\u00e9\u20ac\ud83d\ude00";

    private static readonly string[] s_literals =
    [
        "0", "-0", "1", "-1", "0x7fffffff", "0x80000000", "0xffffffff", "0x100000000", "-0x80000000", "0xffffffffffffffff",
        "0x1_0000_0000_0000_0000", "18446744073709551616", "-9223372036854775809", "nan", "-nan", "nan:0x1", "nan:0x7fffff",
        "nan:0x800000", "nan:0xfffffffffffff", "nan:0x0", "inf", "-inf", "0x1p+128", "1e400", "0x1.fffffep127", "1_000",
        "1__0", "_1", "0x", "0x.p1", "4294967296", "65536", "65537", "\"\\ff\"", "\"\\u{110000}\"", "\"\\u{d800}\"", "\"\"",
        "$x", "$", "$\"a\"", "offset=4294967296", "align=3", "align=0", "i32", "v128", "funcref", "externref", "(;", ";)",
    ];

    /// <summary>Applies one to three mutations.</summary>
    public static string Mutate(string source, IReadOnlyList<string> tokenPool, Random random)
    {
        string text = source;
        // Often a single change, so that more mutants still parse and reach validation and printing.
        int count = random.Next(2) == 0 ? 1 : 1 + random.Next(3);
        for (int i = 0; i < count; i++)
        {
            text = MutateOnce(text, tokenPool, random);
        }
        return text;
    }

    private static string MutateOnce(string text, IReadOnlyList<string> pool, Random random)
    {
        List<(int Start, int Length)> tokens = Tokens(text);
        string poolToken = pool.Count > 0 && random.Next(3) != 0 ? pool[random.Next(pool.Count)] : s_literals[random.Next(s_literals.Length)];
        if (tokens.Count == 0 || text.Length == 0)
        {
            return text + poolToken;
        }
        (int start, int length) = tokens[random.Next(tokens.Count)];
        int at = random.Next(text.Length + 1);
        switch (random.Next(10))
        {
            case 0:
                return text[..at];
            case 1:
                return text.Remove(start, length);
            case 2:
                return text.Insert(start, poolToken + " ");
            case 3:
                return Swap(text, (start, length), tokens[random.Next(tokens.Count)]);
            case 4:
                return text.Insert(start, text.Substring(start, length) + " ");
            case 5:
                // Replace a token with a boundary literal or a token of the pool.
                return text.Remove(start, length).Insert(start, poolToken);
            case 6:
                return at < text.Length ? text.Remove(at, 1) : text;
            case 7:
                return text.Insert(at, RandomCharacter(random).ToString());
            case 8:
                return text.Insert(at, random.Next(2) == 0 ? "(" : ")");
            default:
                return at < text.Length ? text.Remove(at, 1).Insert(at, RandomCharacter(random).ToString()) : text;
        }
    }

    private static string Swap(string text, (int Start, int Length) a, (int Start, int Length) b)
    {
        if (a.Start > b.Start)
        {
            (a, b) = (b, a);
        }
        if (a.Start + a.Length > b.Start)
        {
            return text;
        }
        var result = new StringBuilder(text.Length);
        result.Append(text, 0, a.Start).Append(text, b.Start, b.Length);
        result.Append(text, a.Start + a.Length, b.Start - a.Start - a.Length);
        result.Append(text, a.Start, a.Length).Append(text, b.Start + b.Length, text.Length - b.Start - b.Length);
        return result.ToString();
    }

    private static char RandomCharacter(Random random) =>
        random.Next(4) == 0 ? (char)random.Next(0x20, 0x7F) : Interesting[random.Next(Interesting.Length)];

    /// <summary>
    /// Token spans: parentheses, strings, and runs of other non-space characters; comments are skipped. Lenient:
    /// an unterminated string or block comment runs to the end.
    /// </summary>
    public static List<(int Start, int Length)> Tokens(string text)
    {
        var spans = new List<(int, int)>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == ';' && i + 1 < text.Length && text[i + 1] == ';')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '(' && i + 1 < text.Length && text[i + 1] == ';')
            {
                int depth = 1;
                i += 2;
                while (i < text.Length && depth > 0)
                {
                    if (text[i] == '(' && i + 1 < text.Length && text[i + 1] == ';')
                    {
                        depth++;
                        i += 2;
                    }
                    else if (text[i] == ';' && i + 1 < text.Length && text[i + 1] == ')')
                    {
                        depth--;
                        i += 2;
                    }
                    else
                    {
                        i++;
                    }
                }
            }
            else if (c is '(' or ')')
            {
                spans.Add((i, 1));
                i++;
            }
            else if (c == '"')
            {
                int start = i++;
                while (i < text.Length && text[i] != '"')
                {
                    i += text[i] == '\\' ? 2 : 1;
                }
                i = Math.Min(i + 1, text.Length);
                spans.Add((start, i - start));
            }
            else
            {
                int start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not '(' and not ')' and not '"' and not ';')
                {
                    i++;
                }
                if (i == start)
                {
                    i++;
                }
                spans.Add((start, i - start));
            }
        }
        return spans;
    }

    /// <summary>
    /// The parenthesised forms of a script: every <c>(module ...)</c> (also inside assertions) and every other
    /// top-level command, up to <paramref name="maxLength"/> characters each.
    /// </summary>
    public static (List<string> Modules, List<string> Commands) Forms(string script, int maxLength)
    {
        var modules = new List<string>();
        var commands = new List<string>();
        List<(int Start, int Length)> tokens = Tokens(script);
        var open = new Stack<(int TokenIndex, int Start)>();
        for (int t = 0; t < tokens.Count; t++)
        {
            (int start, int length) = tokens[t];
            if (length == 1 && script[start] == '(')
            {
                open.Push((t, start));
            }
            else if (length == 1 && script[start] == ')' && open.Count > 0)
            {
                (int first, int formStart) = open.Pop();
                int end = start + 1;
                if (end - formStart > maxLength || first + 1 >= tokens.Count)
                {
                    continue;
                }
                string head = script.Substring(tokens[first + 1].Start, tokens[first + 1].Length);
                if (head == "module")
                {
                    modules.Add(script[formStart..end]);
                }
                else if (open.Count == 0)
                {
                    commands.Add(script[formStart..end]);
                }
            }
        }
        return (modules, commands);
    }
}
