namespace Engine.Core;

/// <summary>Validates a decoded module by the rules of the WebAssembly 2.0 spec.</summary>
public static partial class ModuleValidator
{
    /// <summary>
    /// Validates every part of the module, function bodies included; throws
    /// <see cref="InvalidModuleException"/> (or <see cref="MalformedModuleException"/> for the few
    /// binary-format rules only checkable while reading code, such as a missing data count section).
    /// </summary>
    public static void Validate(ModuleInfo module) => throw new NotImplementedException();
}
