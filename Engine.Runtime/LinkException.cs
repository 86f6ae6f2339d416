using Engine.Core;

namespace Engine.Runtime;

/// <summary>A module cannot be instantiated because an import is missing or has the wrong type.</summary>
public sealed class LinkException : WasmException
{
    /// <summary>Creates the exception.</summary>
    public LinkException(string reason, string module, string name, string detail)
        : base($"{reason}: \"{module}\" \"{name}\": {detail}")
    {
        Reason = reason;
        ImportModule = module;
        ImportName = name;
    }

    /// <summary>"unknown import" or "incompatible import type", as the spec tests say.</summary>
    public string Reason { get; }

    /// <summary>The import's module name.</summary>
    public string ImportModule { get; }

    /// <summary>The import's field name.</summary>
    public string ImportName { get; }
}
