using Engine.Core;
using Engine.Interpreter;
using Engine.Runtime;

namespace Engine.Cli;

/// <summary><c>disasm FILE [--func INDEX|NAME]</c>: prints the interpreter's translation of a module's functions.</summary>
internal sealed class DisassembleCommand : ICommand
{
    public string Name => "disasm";

    public string Summary => "print the interpreter code of a module's functions";

    public string Help => """
        usage: wasm-engine disasm [--func INDEX|NAME] [--tier baseline] FILE.wasm

        Translates each defined function (or only the one given by index or name-section name) into
        the interpreter's instructions and prints them, one per line, with frame slot operands; with
        --tier baseline, compiles them with the baseline compiler and prints the x86-64 code.
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
                function = i + 1 < args.Length ? args[++i] : throw new UsageException("--func needs a value");
            }
            else if (args[i] == "--tier")
            {
                string tier = i + 1 < args.Length ? args[++i] : throw new UsageException("--tier needs a value");
                baseline = TierModeNames.TryParse(tier, out TierMode mode) && mode != TierMode.Tiered
                    ? mode == TierMode.Baseline
                    : throw new UsageException($"unknown tier '{tier}' (interpreter or baseline)");
            }
            else
            {
                rest.Add(args[i]);
            }
        }
        string path = Arguments.SingleFile(rest.ToArray());
        ModuleInfo module;
        try
        {
            module = ModuleLoader.DecodeAndValidate(Arguments.ReadModule(path));
        }
        catch (WasmException e)
        {
            error.WriteLine($"{path}: {e.Message}");
            return 1;
        }
        for (int i = module.ImportedFunctionCount; i < module.FunctionTypeIndices.Count; i++)
        {
            uint index = (uint)i;
            string? name = module.FunctionName(index);
            if (function != null && function != i.ToString() && function != name)
            {
                continue;
            }
            output.WriteLine($"func[{i}] {name} {module.FunctionType(index)}");
            if (baseline)
            {
                CompileResult result = new Engine.Baseline.BaselineCompiler().Compile(module, index, CompilerOptions.Default);
                output.WriteLine(result.Function is { } compiled
                    ? Engine.Baseline.CodeListing.Format(compiled)
                    : $"  (stays interpreted: {result.Unsupported})");
                continue;
            }
            output.WriteLine(Disassembler.Disassemble(module, index));
        }
        return 0;
    }
}
