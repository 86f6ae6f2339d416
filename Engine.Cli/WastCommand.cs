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
        total. Exits 1 when any command failed.

        options:
          --verbose      print every failure with its line and reason
          --tier TIER    interpreter (default), baseline (every function compiled before it
                         runs; functions the tier cannot compile stay interpreted), or tiered
        {TierOptions.Help}
        """;

    public int Execute(string[] args, TextWriter output, TextWriter error)
    {
        bool verbose = false;
        var files = new List<string>();
        var tier = Engine.Runtime.TierMode.Interpreter;
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
                    if (i + 1 >= args.Length)
                    {
                        throw new UsageException("--tier needs a value");
                    }
                    tier = TierOptions.Parse(args[++i]);
                    break;
                case "--verbose" or "-v":
                    verbose = true;
                    break;
                case var option when option.StartsWith('-'):
                    throw new UsageException($"unknown option '{option}'");
                default:
                    files.Add(arg);
                    break;
            }
        }
        if (files.Count == 0)
        {
            throw new UsageException("missing FILE");
        }
        foreach (string file in files.Where(f => !File.Exists(f)))
        {
            throw new UsageException($"no such file '{file}'");
        }

        var runner = new WastRunner(new WastOptions { Config = tiering.Apply(new Engine.Runtime.EngineConfig { Tier = tier }) });
        var total = new WastResults();
        foreach (string file in files)
        {
            WastResults results;
            try
            {
                results = runner.RunFile(file);
            }
            catch (Exception e) when (e is ScriptFormatException or Engine.Core.WasmException)
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
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
            output.WriteLine($"{WastResults.KindName(kind)}: {total[kind]}");
        }
        if (tier != Engine.Runtime.TierMode.Interpreter)
        {
            string reasons = total.FallbackFunctions == 0 ? ""
                : " (" + string.Join(", ", total.FallbackReasons.OrderBy(r => r.Key).Select(r => $"{r.Key}: {r.Value}")) + ")";
            output.WriteLine($"compiled functions: {total.CompiledFunctions}, stayed interpreted (not compilable by the tier): {total.FallbackFunctions}{reasons}");
        }
        output.WriteLine(total.Total.ToString());
        return total.Total.Failed == 0 ? 0 : 1;
    }
}
