using System.Text;
using Engine.Core;
using Engine.Text;
using Engine.Wast.Scripts;

namespace Engine.Fuzz.Targets;

/// <summary>
/// <c>text</c>: mutated text-format sources (the module forms and commands of the spec scripts, and modules of
/// the corpus printed by <see cref="WatPrinter"/>) through the parser. A module form may only parse or fail with
/// <see cref="TextFormatException"/> (with a line and column); what parses must decode and validate or fail with
/// the two module exceptions; a module that validates must print, and its printed text must parse back to a
/// module that prints the same. Other commands go through the script parser, where only <see cref="TextFormatException"/> may
/// come out.
/// </summary>
public sealed class TextTarget : FuzzTarget
{
    private const int MaxFormLength = 6000;
    private readonly List<string> _modules = [];
    private readonly List<string> _commands = [];
    private readonly List<string> _tokenPool;

    /// <summary>Loads the corpus: the spec scripts' forms and up to <paramref name="printedModules"/> printed modules.</summary>
    public TextTarget(int printedModules = 400)
    {
        var pool = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in Corpus.WastFiles())
        {
            string script = File.ReadAllText(file);
            (List<string> modules, List<string> commands) = TextMutator.Forms(script, MaxFormLength);
            _modules.AddRange(modules);
            _commands.AddRange(commands);
            foreach ((int start, int length) in TextMutator.Tokens(script))
            {
                if (pool.Count < 20_000 && length < 40)
                {
                    pool.Add(script.Substring(start, length));
                }
            }
        }
        List<string> binaries = Corpus.WasmFiles();
        // An even spread over the corpus, the same every run.
        int step = Math.Max(1, binaries.Count / Math.Max(1, printedModules));
        for (int i = 0; i < binaries.Count && _modules.Count < int.MaxValue; i += step)
        {
            try
            {
                byte[] bytes = File.ReadAllBytes(binaries[i]);
                ModuleLoader.DecodeAndValidate(bytes);
                string printed = WatPrinter.Print(bytes);
                if (printed.Length <= MaxFormLength * 4)
                {
                    _modules.Add(printed);
                }
            }
            catch (WasmException)
            {
                // Modules of assert_invalid and assert_malformed: not printable, not needed.
            }
        }
        _tokenPool = pool.Order(StringComparer.Ordinal).ToList();
        if (_modules.Count == 0)
        {
            throw new InvalidOperationException("no text corpus: the spec suite (WASM_TESTSUITE) was not found");
        }
    }

    /// <inheritdoc/>
    public override string Name => "text";

    /// <inheritdoc/>
    public override string Extension => ".wat";

    /// <summary>Module forms and other commands in the corpus.</summary>
    public (int Modules, int Commands) CorpusSize => (_modules.Count, _commands.Count);

    /// <inheritdoc/>
    public override byte[] Generate(Random random)
    {
        bool command = _commands.Count > 0 && random.Next(4) == 0;
        string source = command ? _commands[random.Next(_commands.Count)] : _modules[random.Next(_modules.Count)];
        return Encoding.UTF8.GetBytes(TextMutator.Mutate(source, _tokenPool, random));
    }

    /// <inheritdoc/>
    public override Finding? Run(byte[] input)
    {
        string text = Encoding.UTF8.GetString(input);
        if (!text.TrimStart().StartsWith("(module", StringComparison.Ordinal))
        {
            try
            {
                WastParser.ParseScript(text, "fuzz.wast");
                Count("script parsed");
            }
            catch (TextFormatException e)
            {
                Count("script rejected");
                return CheckPosition(e);
            }
            catch (Exception e)
            {
                return Finding.Unexpected("parse-script", e);
            }
            return null;
        }
        byte[] binary;
        try
        {
            binary = WatParser.ParseModule(text);
        }
        catch (TextFormatException e)
        {
            Count("rejected");
            return CheckPosition(e);
        }
        catch (Exception e)
        {
            return Finding.Unexpected("parse", e);
        }
        try
        {
            ModuleLoader.DecodeAndValidate(binary);
        }
        catch (MalformedModuleException)
        {
            Count("parsed, malformed");
            return null;
        }
        catch (InvalidModuleException)
        {
            Count("parsed, invalid");
            return null;
        }
        catch (Exception e)
        {
            return Finding.Unexpected("validate", e);
        }
        Count("parsed, valid");
        return RoundTrip(binary);
    }

    /// <summary>
    /// Print, parse the printed text, print again: the two printed texts must be equal (the binaries may differ
    /// where the original used a non-minimal encoding, as <c>(module binary ...)</c> forms do).
    /// </summary>
    private static Finding? RoundTrip(byte[] binary)
    {
        string printed, again;
        try
        {
            printed = WatPrinter.Print(binary);
        }
        catch (Exception e)
        {
            return Finding.Unexpected("print", e);
        }
        try
        {
            byte[] reparsed = WatParser.ParseModule(printed);
            again = WatPrinter.Print(reparsed);
        }
        catch (Exception e)
        {
            return new Finding($"reparse: {e.GetType().Name} at {Finding.FirstEngineFrame(e)}",
                $"reparse: the printed module does not parse back: {Finding.OneLine(e.Message)}");
        }
        if (printed != again)
        {
            int at = 0;
            while (at < printed.Length && at < again.Length && printed[at] == again[at])
            {
                at++;
            }
            int lineStart = printed.LastIndexOf('\n', Math.Max(0, Math.Min(at, printed.Length - 1))) + 1;
            int lineEnd = printed.IndexOf('\n', Math.Min(at, printed.Length));
            string line = printed[lineStart..(lineEnd < 0 ? printed.Length : lineEnd)].Trim();
            return new Finding("roundtrip: printed text changes", $"roundtrip: print, parse, print changes the text at '{Finding.OneLine(line, 120)}'");
        }
        return null;
    }

    private static Finding? CheckPosition(TextFormatException e) =>
        e.Line >= 1 && e.Column >= 1
            ? null
            : new Finding("parse: error without a position", $"parse: TextFormatException at line {e.Line} column {e.Column}: {e.Reason}");
}
