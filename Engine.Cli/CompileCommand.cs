using System.Diagnostics;
using Engine.Core;
using Engine.Runtime;

namespace Engine.Cli;

/// <summary><c>compile FILE [-o OUT]</c>: compiles every function of a module ahead of time into a precompiled module (<c>.cwasm</c>).</summary>
internal sealed class CompileCommand : ICommand
{
    public string Name => "compile";

    public string Summary => "compile a module ahead of time into a precompiled module (.cwasm) for 'run'";

    public string Help => $"""
        usage: wasm-engine compile [options] FILE.wasm|FILE.wat

        Compiles every function of FILE to machine code and writes a precompiled module: the original module
        and its code, with a header naming the format, the engine build, the processor features and the
        settings the code assumed, and a checksum. 'wasm-engine run FILE.cwasm' (and Module.FromFile or
        Module.Deserialize) loads it without compiling: the module is validated again, and the code is used
        when the header matches this engine and machine (otherwise the module compiles as usual, and
        'run --stats' says why). A precompiled module of another engine build is refused: compile it again.
        Precompiled code is trusted like the engine itself: run only files you made.

        options:
          -o, --output FILE      where to write (default: FILE with the extension .cwasm)
          --tier TIER            the compiler: baseline (the default: fast to compile) or optimizing
                                 (slower to compile, faster code; a function it cannot compile is
                                 compiled by the baseline)
          --consume-fuel         compile with fuel metering, for 'run --fuel'
          --epoch-interruption   compile with interruption checks, for 'run --timeout'

        {ExitCodes.Help}
        """;

    public int Execute(string[] args, TextWriter output, TextWriter error)
    {
        string? path = null, outputPath = null;
        TierMode tier = TierMode.Baseline;
        bool fuel = false, epoch = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-o" or "--output":
                    outputPath = Arguments.Value(args, ref i);
                    break;
                case "--tier":
                    tier = ParseTier(Arguments.Value(args, ref i));
                    break;
                case "--consume-fuel":
                    fuel = true;
                    break;
                case "--epoch-interruption":
                    epoch = true;
                    break;
                case var option when option.StartsWith('-') && option != "-":
                    throw new UsageException($"unknown option '{option}'", showHelpHint: true);
                default:
                    path = path is null ? args[i] : throw new UsageException($"expected one FILE, got '{path}' and '{args[i]}'", showHelpHint: true);
                    break;
            }
        }
        if (path is null)
        {
            throw new UsageException("missing FILE", showHelpHint: true);
        }
        outputPath ??= Path.ChangeExtension(path, ".cwasm");
        ModuleFile file = ModuleFile.Read(path);
        var engine = new WasmEngine(new EngineConfig { Tier = tier, ConsumeFuel = fuel, EpochInterruption = epoch });
        if (!Engine.CodeGen.X64.RuntimeStubs.IsSupported)
        {
            throw new CommandException("this machine runs no compiled code (the compilers emit x86-64 for Linux): nothing to compile");
        }
        var stopwatch = Stopwatch.StartNew();
        Module module;
        try
        {
            module = Module.FromBytes(engine, file.Binary, Path.GetFileNameWithoutExtension(path));
        }
        catch (WasmException e)
        {
            throw file.Error(e);
        }
        byte[] precompiled = module.Serialize();
        TimeSpan time = stopwatch.Elapsed;
        WriteAtomically(outputPath, precompiled);
        int functions = module.Statistics.DefinedFunctions;
        output.WriteLine($"{outputPath}: {module.CompiledFunctionCount} of {functions} functions compiled ({TierModeNames.Name(tier)}) in {time.TotalMilliseconds:F0} ms, " +
                         $"{precompiled.Length / 1024.0:F0} KiB");
        foreach (var (function, failure) in module.TierFallbacks.Take(10))
        {
            output.WriteLine($"  func[{function}] stays interpreted: {failure}");
        }
        return ExitCodes.Success;
    }

    /// <summary>The machine-code tiers <c>compile</c> takes (the interpreter has nothing to precompile).</summary>
    internal static TierMode ParseTier(string value) => TierOptions.Parse(value) switch
    {
        TierMode.Baseline => TierMode.Baseline,
        TierMode.Optimizing => TierMode.Optimizing,
        _ => throw new UsageException($"--tier {value}: compile takes a machine-code tier: baseline or optimizing"),
    };

    /// <summary>Writes through a temporary file renamed into place: a reader never sees half a file, and a failed write leaves the old one.</summary>
    private static void WriteAtomically(string path, byte[] bytes)
    {
        string full = Path.GetFullPath(path);
        string temporary = $"{full}.{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
            }
            throw new CommandException($"cannot write '{path}': {CommandLine.OneLine(e.Message)}");
        }
    }
}
