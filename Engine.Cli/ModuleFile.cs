using Engine.Core;
using Engine.Runtime;
using Engine.Text;

namespace Engine.Cli;

/// <summary>
/// A module named on the command line: a binary as it is, or a text module parsed to its binary. Anything that is
/// neither (an empty file, random bytes, other text: see <see cref="Module.IsText"/>) is "not a WebAssembly module",
/// the same rule for every command that loads a module.
/// </summary>
internal sealed class ModuleFile
{
    private readonly TextSourceMap? _sourceMap;

    private ModuleFile(string path, byte[] binary, TextSourceMap? sourceMap)
    {
        Path = path;
        Binary = binary;
        _sourceMap = sourceMap;
    }

    /// <summary>The path as given.</summary>
    public string Path { get; }

    /// <summary>The module's binary (for a text module, the parser's output; for a precompiled module, the whole file).</summary>
    public byte[] Binary { get; }

    /// <summary>True for a precompiled module (<c>wasm-engine compile</c>).</summary>
    public bool IsPrecompiled => Module.IsPrecompiled(Binary);

    /// <summary>
    /// Reads <paramref name="path"/>: a usage error when it cannot be read, a <see cref="CommandException"/> when it is
    /// not a module or its text does not parse. A precompiled module (<c>.cwasm</c>) is taken only with
    /// <paramref name="precompiled"/> (the commands that run code); the others say how to use one.
    /// </summary>
    public static ModuleFile Read(string path, bool precompiled = false)
    {
        byte[] bytes = Arguments.ReadFile(path);
        if (Module.IsPrecompiled(bytes))
        {
            return precompiled
                ? new ModuleFile(path, bytes, null)
                : throw new CommandException($"{path}: a precompiled module (made by 'wasm-engine compile'): this command takes the .wasm or .wat it was compiled from; 'run' runs it");
        }
        if (Module.IsBinary(bytes))
        {
            if (bytes.AsSpan(4).StartsWith((ReadOnlySpan<byte>)[0x0d, 0x00, 0x01, 0x00]))
            {
                throw new CommandException($"{path}: a WebAssembly component: this engine runs core modules only");
            }
            return new ModuleFile(path, bytes, null);
        }
        if (!Module.IsText(bytes))
        {
            throw new CommandException($"{path}: {Module.NotAModuleReason(bytes)}");
        }
        try
        {
            string text = System.Text.Encoding.UTF8.GetString(bytes);
            byte[] binary = WatParser.ParseModule(text, System.IO.Path.GetFileName(path), emitNames: true, out TextSourceMap sourceMap);
            return new ModuleFile(path, binary, sourceMap);
        }
        catch (WasmException e)
        {
            // A text error names the file, line and column itself.
            throw new CommandException(CommandLine.OneLine(e.Message));
        }
    }

    /// <summary>
    /// The error to report for <paramref name="exception"/>, thrown while decoding, validating or compiling this
    /// module: of a text module, at the line and column of the instruction at fault where the source map knows it
    /// (otherwise at an offset of the binary the text was translated to, and saying so).
    /// </summary>
    public CommandException Error(WasmException exception)
    {
        if (_sourceMap is not null && exception is InvalidModuleException invalid)
        {
            InvalidModuleException located = _sourceMap.Locate(invalid);
            return ReferenceEquals(located, invalid)
                ? new CommandException($"{Path}: {CommandLine.OneLine(invalid.Message)} (an offset in the binary form of the text)")
                : new CommandException(CommandLine.OneLine(located.Message));
        }
        return new CommandException($"{Path}: {CommandLine.OneLine(exception.Message)}");
    }
}
