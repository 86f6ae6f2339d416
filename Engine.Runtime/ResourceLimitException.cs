using Engine.Core;

namespace Engine.Runtime;

/// <summary>A store limit (memory pages, table elements, instances) or the machine's resources do not allow an allocation.</summary>
public sealed class ResourceLimitException : WasmException
{
    /// <summary>Creates the exception.</summary>
    public ResourceLimitException(string message) : base(message) { }
}
