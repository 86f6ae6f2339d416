using System.Text;
using Engine.Core;
using Engine.Text;
using Engine.Wast.Scripts;
using NUnit.Framework;

namespace Engine.Tests.Text;

/// <summary>
/// Robustness: the modules and commands of the spec suite's scripts, damaged at random (truncated;
/// tokens deleted, inserted, swapped or duplicated; characters deleted, inserted or replaced), must
/// either parse or fail with <see cref="TextFormatException"/>; a module that parses is then decoded
/// and validated, which may only fail with <see cref="MalformedModuleException"/> or
/// <see cref="InvalidModuleException"/>. Any other exception is a bug. Seeded, so failures reproduce.
/// </summary>
[TestFixture]
public class MutationTests
{
    private const int MutantsPerCase = 12000;
    private const int MaxSourceLength = 4000;

    private static readonly Lazy<Corpus> s_corpus = new(Corpus.Load);

    private static IEnumerable<int> Seeds() => Enumerable.Range(1, 8);

    [TestCaseSource(nameof(Seeds))]
    public void DamagedModulesFailOnlyWithTextFormatErrors(int seed)
    {
        SpecSuite.RequireRoot();
        Corpus corpus = s_corpus.Value;
        var random = new Random(seed);
        var failures = new List<string>();
        int parsed = 0;
        for (int i = 0; i < MutantsPerCase && failures.Count < 5; i++)
        {
            string mutant = Mutate(corpus.Modules[random.Next(corpus.Modules.Count)], corpus, random);
            try
            {
                byte[] binary = WatParser.ParseModule(mutant);
                parsed++;
                ModuleLoader.DecodeAndValidate(binary);
            }
            catch (TextFormatException e)
            {
                Assert.That(e.Line, Is.GreaterThanOrEqualTo(1));
            }
            catch (MalformedModuleException)
            {
            }
            catch (InvalidModuleException)
            {
            }
            catch (Exception e)
            {
                failures.Add($"{e.GetType().Name}: {e.Message}\n--- input ---\n{mutant}\n{e.StackTrace}");
            }
        }
        TestContext.Out.WriteLine($"seed {seed}: {MutantsPerCase} mutants, {parsed} still parsed");
        Assert.That(failures, Is.Empty, string.Join("\n\n", failures));
    }

    [TestCaseSource(nameof(Seeds))]
    public void DamagedScriptCommandsFailOnlyWithTextFormatErrors(int seed)
    {
        SpecSuite.RequireRoot();
        Corpus corpus = s_corpus.Value;
        var random = new Random(seed * 7919);
        var failures = new List<string>();
        for (int i = 0; i < MutantsPerCase / 2 && failures.Count < 5; i++)
        {
            string mutant = Mutate(corpus.Commands[random.Next(corpus.Commands.Count)], corpus, random);
            try
            {
                WastParser.ParseScript(mutant, "mutant.wast");
            }
            catch (TextFormatException)
            {
            }
            catch (Exception e)
            {
                failures.Add($"{e.GetType().Name}: {e.Message}\n--- input ---\n{mutant}\n{e.StackTrace}");
            }
        }
        Assert.That(failures, Is.Empty, string.Join("\n\n", failures));
    }

    [Test]
    public void DeepNestingFailsCleanly()
    {
        string deep = "(module (func " + string.Concat(Enumerable.Repeat("(block ", 200_000)) + string.Concat(Enumerable.Repeat(")", 200_000)) + "))";
        Assert.That(Assert.Throws<TextFormatException>(() => WatParser.ParseModule(deep))!.Reason, Does.Contain("nesting"));
        string deepFlat = "(module (func " + string.Concat(Enumerable.Repeat("block ", 200_000)) + string.Concat(Enumerable.Repeat("end ", 200_000)) + "))";
        Assert.That(Assert.Throws<TextFormatException>(() => WatParser.ParseModule(deepFlat))!.Reason, Does.Contain("nesting"));
    }

    /// <summary>Applies one to three random mutations.</summary>
    private static string Mutate(string source, Corpus corpus, Random random)
    {
        string text = source;
        int count = 1 + random.Next(3);
        for (int i = 0; i < count; i++)
        {
            text = MutateOnce(text, corpus, random);
        }
        return text;
    }

    private static string MutateOnce(string text, Corpus corpus, Random random)
    {
        List<(int Start, int Length)> tokens = TokenSpans(text);
        if (tokens.Count == 0 || text.Length == 0)
        {
            return text + corpus.TokenPool[random.Next(corpus.TokenPool.Count)];
        }
        (int start, int length) = tokens[random.Next(tokens.Count)];
        int at = random.Next(text.Length + 1);
        switch (random.Next(8))
        {
            case 0:
                return text[..at];
            case 1:
                return text.Remove(start, length);
            case 2:
                return text.Insert(start, corpus.TokenPool[random.Next(corpus.TokenPool.Count)] + " ");
            case 3:
                (int otherStart, int otherLength) = tokens[random.Next(tokens.Count)];
                return Swap(text, (start, length), (otherStart, otherLength));
            case 4:
                return text.Insert(start, text.Substring(start, length) + " ");
            case 5:
                return at < text.Length ? text.Remove(at, 1) : text;
            case 6:
                return text.Insert(at, RandomCharacter(random).ToString());
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

    private const string Interesting = "()\";$\\_.=:-+0123456789abcdefxpnu{} \t\n\r\u0000\u007f\u00e9\u20ac\ud83d\ude00";

    private static char RandomCharacter(Random random) =>
        random.Next(4) == 0 ? (char)random.Next(0x20, 0x7F) : Interesting[random.Next(Interesting.Length)];

    /// <summary>Token spans for mutation, from the real lexer when the text lexes, else whitespace-separated words.</summary>
    private static List<(int Start, int Length)> TokenSpans(string text)
    {
        var spans = new List<(int, int)>();
        try
        {
            TokenList list = Lexer.Tokenize(text, null);
            for (int i = 0; i < list.Count - 1; i++)
            {
                spans.Add((list.Tokens[i].Start, list.Tokens[i].Length));
            }
            return spans;
        }
        catch (TextFormatException)
        {
        }
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool space = i == text.Length || char.IsWhiteSpace(text[i]);
            if (!space && start < 0)
            {
                start = i;
            }
            else if (space && start >= 0)
            {
                spans.Add((start, i - start));
                start = -1;
            }
        }
        return spans;
    }

    /// <summary>The module forms and the other commands of every script, and a pool of their tokens.</summary>
    private sealed class Corpus
    {
        public List<string> Modules { get; } = new();
        public List<string> Commands { get; } = new();
        public List<string> TokenPool { get; } = new();

        public static Corpus Load()
        {
            var corpus = new Corpus();
            var pool = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in SpecSuite.ScriptNames())
            {
                string script = SpecSuite.ReadWast(name);
                TokenList tokens = Lexer.Tokenize(script, null);
                corpus.CollectForms(tokens, script);
                for (int i = 0; i < tokens.Count - 1 && pool.Count < 20000; i++)
                {
                    pool.Add(tokens.TextOf(i).ToString());
                }
            }
            corpus.TokenPool.AddRange(pool.Order(StringComparer.Ordinal));
            return corpus;
        }

        /// <summary>Every <c>(module ...)</c> form (also inside assertions), and every top-level command.</summary>
        private void CollectForms(TokenList tokens, string script)
        {
            int depth = 0;
            for (int i = 0; i < tokens.Count - 1; i++)
            {
                Token token = tokens.Tokens[i];
                if (token.Kind == TokenKind.RightParen)
                {
                    depth--;
                    continue;
                }
                if (token.Kind != TokenKind.LeftParen)
                {
                    continue;
                }
                int end = tokens.Tokens[token.Match].Start + 1;
                if (end - token.Start <= MaxSourceLength)
                {
                    string form = script[token.Start..end];
                    if (tokens.TextOf(i + 1).SequenceEqual("module"))
                    {
                        Modules.Add(form);
                    }
                    else if (depth == 0)
                    {
                        Commands.Add(form);
                    }
                }
                depth++;
            }
        }
    }
}
