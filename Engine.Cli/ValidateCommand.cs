using Engine.Core;

namespace Engine.Cli;

/// <summary><c>validate FILE</c>: decodes and validates a module and lists its imports and exports.</summary>
internal sealed class ValidateCommand : ICommand
{
    public string Name => "validate";

    public string Summary => "check that a module is well-formed and valid; list its imports and exports";

    public string Help => """
        usage: wasm-engine validate FILE.wasm|FILE.wat

        Decodes and validates FILE. On success prints its imports and exports with their types and
        exits 0; otherwise prints the error with its byte offset (or line and column for text) and exits 1.
        """;

    public int Execute(string[] args, TextWriter output, TextWriter error)
    {
        string path = Arguments.SingleFile(args);
        byte[] bytes;
        ModuleInfo module;
        try
        {
            bytes = Arguments.ReadModule(path);
            module = ModuleLoader.DecodeAndValidate(bytes);
        }
        catch (WasmException e)
        {
            error.WriteLine($"{path}: {e.Message}");
            return 1;
        }
        output.WriteLine($"{path}: valid ({bytes.Length} bytes, {module.Bodies.Count} functions)");
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
        return 0;
    }

    private static string Quote(string name) => $"\"{name}\"";
}
