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
        usage: wasm-engine disasm [--func INDEX|NAME] [--tier baseline] FILE.wasm|FILE.wat

        Translates each defined function (or only the one given by index or name-section name) into
        the interpreter's instructions and prints them, one per line, with frame slot operands; with
        --tier baseline, compiles them with the baseline compiler and prints the x86-64 code.
        A --func that names no function of FILE (or an imported one, which has no code) is an error.

        {ExitCodes.Help}
        """;

    public int Execute(string[] args, TextWriter output, TextWriter error)
    {
        string? function = null;
        bool baseline = false;
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
                baseline = TierModeNames.TryParse(tier, out TierMode mode) && mode != TierMode.Tiered
                    ? mode == TierMode.Baseline
                    : throw new UsageException($"unknown tier '{tier}' (interpreter or baseline)");
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
        foreach (uint index in Selected(module, function))
        {
            output.WriteLine($"func[{index}] {module.FunctionName(index)} {module.FunctionType(index)}");
            if (baseline)
            {
                CompileResult result = new Engine.Baseline.BaselineCompiler().Compile(module, index, CompilerOptions.Default with { CpuFeatures = Engine.Runtime.HostCpu.Features });
                output.WriteLine(result.Function is { } compiled
                    ? Engine.CodeGen.X64.CodeListing.Format(compiled)
                    : $"  (stays interpreted: {result.Failure})");
                continue;
            }
            output.WriteLine(Disassembler.Disassemble(module, index));
        }
        return ExitCodes.Success;
    }

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
