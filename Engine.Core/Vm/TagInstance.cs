namespace Engine.Core;

/// <summary>
/// An exception tag of an instance (3.0 exception handling), defined or imported: its identity is what <c>catch</c>
/// compares (an imported tag is the exporter's object), its type's parameters the values an exception carries.
/// </summary>
public sealed class TagInstance
{
    /// <summary>Creates a tag of <paramref name="type"/> (a function type without results).</summary>
    public TagInstance(FuncType type, int typeId, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.Results.Length != 0)
        {
            throw new ArgumentException("a tag's type has no results", nameof(type));
        }
        Type = type;
        TypeId = typeId;
        Name = name;
        PayloadSlots = FunctionInstance.SlotsOf(type.Params);
    }

    /// <summary>The tag's type: its parameters are the exception's values.</summary>
    public FuncType Type { get; }

    /// <summary>The engine-wide canonical id of <see cref="Type"/>.</summary>
    public int TypeId { get; }

    /// <summary>A name for messages (the export or import name), or null.</summary>
    public string? Name { get; }

    /// <summary>The slots the exception's values take.</summary>
    public int PayloadSlots { get; }

    /// <inheritdoc/>
    public override string ToString() => $"tag {Name ?? "(unnamed)"} {Type}";
}

/// <summary>
/// A WebAssembly exception (3.0 <c>throw</c>): its tag and its values, in slots as they cross calls (a v128 in two,
/// references as addresses). Thrown by wasm, it crosses host frames as this .NET exception and can be caught there,
/// or rethrown into wasm, where <c>try_table</c> catches it by its tag; a host function may throw one of its own.
/// An <c>exnref</c> is a counted box of this object.
/// </summary>
public sealed class TagException : Exception
{
    /// <summary>Creates an exception of <paramref name="tag"/> with its values in <paramref name="payload"/> (slots).</summary>
    public TagException(TagInstance tag, ulong[] payload)
    {
        ArgumentNullException.ThrowIfNull(tag);
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.Length != tag.PayloadSlots)
        {
            throw new ArgumentException($"the tag's values take {tag.PayloadSlots} slots, not {payload.Length}", nameof(payload));
        }
        Tag = tag;
        Payload = payload;
    }

    /// <summary>The exception's tag.</summary>
    public TagInstance Tag { get; }

    /// <inheritdoc/>
    /// <remarks>Made when read: wasm code that throws and catches many exceptions never formats it.</remarks>
    public override string Message => $"uncaught wasm exception of {Tag}";

    /// <summary>The exception's values, in slots (see <see cref="FunctionInstance.Invoke"/>).</summary>
    public ulong[] Payload { get; }
}
