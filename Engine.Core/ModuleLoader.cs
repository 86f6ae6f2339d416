namespace Engine.Core;

/// <summary>Decode plus validate in one call.</summary>
public static class ModuleLoader
{
    /// <summary>Decodes and validates a binary; throws <see cref="MalformedModuleException"/> or <see cref="InvalidModuleException"/>.</summary>
    public static ModuleInfo DecodeAndValidate(byte[] bytes) => DecodeAndValidate(bytes, WasmFeatures.Default);

    /// <summary>As <see cref="DecodeAndValidate(byte[])"/>, accepting only the given 3.0 features.</summary>
    public static ModuleInfo DecodeAndValidate(byte[] bytes, WasmFeatures features)
    {
        ModuleInfo module = ModuleDecoder.Decode(bytes, features);
        ModuleValidator.Validate(module);
        return module;
    }
}
