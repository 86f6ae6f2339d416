namespace Engine.Core;

/// <summary>Decode plus validate in one call.</summary>
public static class ModuleLoader
{
    /// <summary>Decodes and validates a binary; throws <see cref="MalformedModuleException"/> or <see cref="InvalidModuleException"/>.</summary>
    public static ModuleInfo DecodeAndValidate(byte[] bytes)
    {
        ModuleInfo module = ModuleDecoder.Decode(bytes);
        ModuleValidator.Validate(module);
        return module;
    }
}
