using System.Globalization;
using Engine.Core;
using Engine.Interpreter;
using Engine.Runtime;

namespace Engine.Cli;

/// <summary><c>disasm FILE [--func INDEX|NAME]</c>: prints the interpreter's translation of a module's functions.</summary>
internal sealed class DisassembleCommand : ICommand
{
    public string Name => "disasm";

    public string Summary => "print the interpreter code of a module's functions";

    public string Help => $"""
        usage: wasm-engine disasm [--func INDEX|NAME] [--tier baseline|optimizing] [--ir]
                                  [--bounds-checks guard|explicit] FILE.wasm|FILE.wat

        Translates each defined function (or only the one given by index or name-section name) into
        the interpreter's instructions and prints them, one per line, with frame slot operands; with
        --tier baseline or --tier optimizing, compiles them with that compiler and prints the x86-64
        code; with --ir, prints the optimizing compiler's SSA form after its passes. Compiled code is
        for memories with guard pages (the engine's default: accesses the guard region covers are not
        checked, and are marked "faults") or, with --bounds-checks explicit, with explicit checks.
        A --func that names no function of FILE (or an imported one, which has no code) is an error.

        {ExitCodes.Help}
        """;

    public int Execute(string[] args, TextWriter output, TextWriter error)
    {
        string? function = null;
        IFunctionCompiler? compiler = null;
        bool ir = false;
        CompilerOptions options = GuardPageOptions;
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--func")
            {
                function = Arguments.Value(args, ref i);
            }
            else if (args[i] == "--tier")
            {
                string tier = Arguments.Value(args, ref i);
                compiler = TierModeNames.TryParse(tier, out TierMode mode) ? mode switch
                {
                    TierMode.Baseline => new Engine.Baseline.BaselineCompiler(),
                    TierMode.Optimizing => new Engine.Optimizing.OptimizingCompiler(),
                    TierMode.Interpreter => null,
                    _ => throw new UsageException($"disasm prints one tier's code: '{tier}' is a mode (interpreter, baseline or optimizing)"),
                } : throw new UsageException($"unknown tier '{tier}' (interpreter, baseline or optimizing)");
            }
            else if (args[i] == "--bounds-checks")
            {
                options = Arguments.Value(args, ref i) switch
                {
                    "guard" => GuardPageOptions,
                    "explicit" => CompilerOptions.Default,
                    string other => throw new UsageException($"unknown --bounds-checks '{other}' (guard or explicit)"),
                };
            }
            else if (args[i] == "--ir")
            {
                ir = true;
            }
            else
            {
                rest.Add(args[i]);
            }
        }
        ModuleFile file = ModuleFile.Read(Arguments.SingleFile(rest.ToArray()));
        ModuleInfo module;
        try
        {
            module = ModuleLoader.DecodeAndValidate(file.Binary);
        }
        catch (WasmException e)
        {
            throw file.Error(e);
        }
        options = options with { CpuFeatures = HostCpu.Features };
        foreach (uint index in Selected(module, function))
        {
            output.WriteLine($"func[{index}] {module.FunctionName(index)} {module.FunctionType(index)}");
            if (ir)
            {
                output.WriteLine(Engine.Optimizing.OptimizingCompiler.OptimizedIr(module, index, options));
                continue;
            }
            if (compiler != null)
            {
                CompileResult result = compiler.Compile(module, index, options);
                output.WriteLine(result.Function is { } compiled
                    ? Engine.CodeGen.X64.CodeListing.Format(compiled)
                    : $"  (not compiled by the tier: {result.Failure})");
                continue;
            }
            output.WriteLine(Disassembler.Disassemble(module, index));
        }
        return ExitCodes.Success;
    }

    /// <summary>What the engine compiles with by default: memories with guard pages of the default size.</summary>
    private static CompilerOptions GuardPageOptions { get; } = new()
    {
        BoundsChecks = BoundsCheckStrategy.GuardPages, MemoryGuardSize = MemoryReservation.DefaultGuardSize,
    };

    /// <summary>The defined functions to print: all, or the one <paramref name="function"/> names (a usage error when none).</summary>
    private static IEnumerable<uint> Selected(ModuleInfo module, string? function)
    {
        uint first = (uint)module.ImportedFunctionCount, end = (uint)module.FunctionTypeIndices.Count;
        if (function is null)
        {
            for (uint index = first; index < end; index++)
            {
                yield return index;
            }
            yield break;
        }
        for (uint index = first; index < end; index++)
        {
            if (module.FunctionName(index) == function)
            {
                yield return index;
                yield break;
            }
        }
        if (uint.TryParse(function, NumberStyles.None, CultureInfo.InvariantCulture, out uint number) && number < end)
        {
            yield return number >= first
                ? number
                : throw new UsageException($"--func {function}: func[{number}] is imported: it has no code to print");
            yield break;
        }
        throw new UsageException($"--func {function}: the module has no function of that name or index " +
                                 (first == end ? "(it defines no functions)" : $"(its defined functions are func[{first}] to func[{end - 1}])"));
    }
}
