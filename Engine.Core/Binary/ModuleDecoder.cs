namespace Engine.Core;

/// <summary>Decodes a WebAssembly binary into a <see cref="ModuleInfo"/> (structure only; see <see cref="ModuleValidator"/>).</summary>
public static partial class ModuleDecoder
{
    /// <summary>Decodes the binary; throws <see cref="MalformedModuleException"/> when it is not well formed.</summary>
    public static ModuleInfo Decode(byte[] bytes) => throw new NotImplementedException();
}
