using Engine.Core;

namespace Engine.Cli;

/// <summary><c>validate FILE</c>: decodes and validates a module and lists its imports and exports.</summary>
internal sealed class ValidateCommand : ICommand
{
    public string Name => "validate";

    public string Summary => "check that a module is well-formed and valid; list its imports and exports";

    public string Help => $"""
        usage: wasm-engine validate FILE.wasm|FILE.wat

        Decodes and validates FILE. On success prints its imports and exports with their types and
        exits 0; otherwise prints the error with its byte offset (or line and column for text) and exits 1.

        {ExitCodes.Help}
        """;

    public int Execute(string[] args, TextWriter output, TextWriter error)
    {
        ModuleFile file = ModuleFile.Read(Arguments.SingleFile(args));
        ModuleInfo module;
        try
        {
            module = ModuleLoader.DecodeAndValidate(file.Binary);
        }
        catch (WasmException e)
        {
            throw file.Error(e);
        }
        output.WriteLine($"{file.Path}: valid ({file.Binary.Length} bytes, {module.Bodies.Count} functions)");
        output.WriteLine($"imports ({module.Imports.Count}):");
        foreach (Import import in module.Imports)
        {
            output.WriteLine($"  {Quote(import.Module)} {Quote(import.Name)}: {ModuleDescription.Describe(module, import)}");
        }
        output.WriteLine($"exports ({module.Exports.Count}):");
        foreach (Export export in module.Exports)
        {
            output.WriteLine($"  {Quote(export.Name)}: {ModuleDescription.Describe(module, export)}");
        }
        return ExitCodes.Success;
    }

    private static string Quote(string name) => $"\"{name}\"";
}
