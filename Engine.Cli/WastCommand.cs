using Engine.Wast.Scripts;
using Engine.Wast;

namespace Engine.Cli;

/// <summary><c>wast FILE...</c>: runs spec test scripts and prints counts per file and per command kind.</summary>
internal sealed class WastCommand : ICommand
{
    public string Name => "wast";

    public string Summary => "run spec test scripts (.wast, or the .json form of wast2json)";

    public string Help => $"""
        usage: wasm-engine wast [options] FILE...

        Runs each script (a .wast file, or the .json form written by wast2json with its .wasm files beside it) against
        a fresh store and prints one line of counts per file, then one line per command kind, then the
        total. A command the reader cannot read (a construct the engine does not parse yet) counts as one
        failed command ("unreadable"), and the rest of its script runs. Exits 1 when any command failed.

        options:
          --verbose      print every failure with its line and reason
          --tier TIER    tiered (the default: hot functions compiled), interpreter, or baseline
                         (every function compiled before it runs; functions the tier cannot
                         compile stay interpreted)
        {TierOptions.Help}

        {ExitCodes.Help}
        """;

    public int Execute(string[] args, TextWriter output, TextWriter error)
    {
        bool verbose = false;
        var files = new List<string>();
        var tier = new Engine.Runtime.EngineConfig().Tier;
        var tiering = new TierOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (tiering.TryParse(args, ref i))
            {
                continue;
            }
            switch (arg)
            {
                case "--tier":
                    tier = TierOptions.Parse(Arguments.Value(args, ref i));
                    break;
                case "--verbose" or "-v":
                    verbose = true;
                    break;
                case var option when option.StartsWith('-'):
                    throw new UsageException($"unknown option '{option}'", showHelpHint: true);
                default:
                    files.Add(arg);
                    break;
            }
        }
        if (files.Count == 0)
        {
            throw new UsageException("missing FILE", showHelpHint: true);
        }
        files.ForEach(CheckScript);

        var runner = new WastRunner(new WastOptions { KeepGoing = true, Config = tiering.Apply(new Engine.Runtime.EngineConfig { Tier = tier }) });
        var total = new WastResults();
        int unreadableFiles = 0;
        foreach (string file in files)
        {
            WastResults results;
            try
            {
                results = runner.RunFile(file);
            }
            catch (Exception e) when (files.Count > 1 && e is ScriptFormatException or Engine.Core.WasmException)
            {
                // One script that cannot be read does not stop a run over many (the 3.0 suite has such scripts while
                // 3.0 is being built): it is reported, counted and makes the exit status a failure.
                output.WriteLine($"{Path.GetFileName(file)}: error: {CommandLine.OneLine(e.Message)}");
                unreadableFiles++;
                continue;
            }
            catch (Exception e) when (e is ScriptFormatException or Engine.Core.WasmException)
            {
                throw new CommandException(CommandLine.OneLine(e.Message));
            }
            output.WriteLine($"{Path.GetFileName(file)}: {results.Total}");
            if (verbose)
            {
                foreach (WastFailure failure in results.Failures)
                {
                    output.WriteLine($"  {failure}");
                }
            }
            total.Add(results);
        }
        output.WriteLine();
        foreach (ScriptCommandKind kind in Enum.GetValues<ScriptCommandKind>())
        {
            output.WriteLine($"{kind.ScriptName()}: {total[kind]}");
        }
        if (tier != Engine.Runtime.TierMode.Interpreter)
        {
            string reasons = total.FallbackFunctions == 0 ? ""
                : " (" + string.Join(", ", total.FallbackReasons.OrderBy(r => r.Key).Select(r => $"{r.Key}: {r.Value}")) + ")";
            output.WriteLine($"compiled functions: {total.CompiledFunctions} ({total.OptimizedFunctions} optimizing), fell back to a lower tier (not compilable by the tier): {total.FallbackFunctions}{reasons}");
        }
        output.WriteLine(total.Total.ToString() + (unreadableFiles > 0 ? $"; {unreadableFiles} scripts could not be read" : ""));
        return total.Total.Failed == 0 && unreadableFiles == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>
    /// A usage error for a script that cannot be read, a <see cref="CommandException"/> for a file that is no script:
    /// a binary module, or (unless it is a wast2json <c>.json</c> file) bytes that do not look like text.
    /// </summary>
    private static void CheckScript(string path)
    {
        byte[] bytes = Arguments.ReadFile(path);
        if (Engine.Runtime.Module.IsBinary(bytes))
        {
            throw new CommandException($"{path}: a WebAssembly binary module, not a script (run it with 'wasm-engine run', check it with 'wasm-engine validate')");
        }
        if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !Engine.Runtime.Module.IsText(bytes))
        {
            throw new CommandException($"{path}: {Engine.Runtime.Module.NotAModuleReason(bytes).Replace("module", "script")}");
        }
    }
}
