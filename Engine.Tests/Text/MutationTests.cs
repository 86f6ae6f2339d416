using Engine.Core;
using Engine.Fuzz;
using Engine.Text;
using Engine.Wast.Scripts;
using NUnit.Framework;

namespace Engine.Tests.Text;

/// <summary>
/// Robustness: the modules and commands of the spec suite's scripts, damaged at random by the fuzzer's
/// <see cref="TextMutator"/> (truncated; tokens deleted, inserted, swapped, duplicated or replaced by boundary
/// literals; parentheses and characters deleted, inserted or replaced), must
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
            string mutant = TextMutator.Mutate(corpus.Modules[random.Next(corpus.Modules.Count)], corpus.TokenPool, random);
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
            string mutant = TextMutator.Mutate(corpus.Commands[random.Next(corpus.Commands.Count)], corpus.TokenPool, random);
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
