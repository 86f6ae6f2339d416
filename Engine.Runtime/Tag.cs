using Engine.Core;

namespace Engine.Runtime;

/// <summary>
/// An exception tag of a store (3.0 exception handling): exported by an instance, or made by the host to import into
/// modules, to throw from a host function (<c>throw tag.Exception(values)</c>, <see cref="Exception"/>) and to recognise the exceptions wasm throws
/// (<see cref="TagException.Tag"/> is <see cref="Instance"/>).
/// </summary>
public sealed class Tag : Extern
{
    internal Tag(Store store, TagInstance instance) : base(store)
    {
        Instance = instance;
    }

    /// <summary>Creates a tag in <paramref name="store"/> whose exceptions carry values of <paramref name="parameters"/>.</summary>
    public Tag(Store store, params ValType[] parameters)
        : this(store, new TagInstance(new FuncType(parameters, []), store.Engine.Types.GetId(new FuncType(parameters, []))))
    {
    }

    /// <summary>The tag as the VM sees it (what <see cref="TagException.Tag"/> holds).</summary>
    public TagInstance Instance { get; }

    /// <inheritdoc/>
    public override ExternType Type => new TagExternType(Instance.Type);

    /// <summary>
    /// A wasm exception of this tag carrying <paramref name="values"/> (of the tag's parameter types), for a host
    /// function to throw: wasm catches it with <c>try_table</c> as if wasm had thrown it.
    /// </summary>
    public TagException Exception(params Value[] values)
    {
        ValType[] types = Instance.Type.Params;
        if (values.Length != types.Length)
        {
            throw new ArgumentException($"the tag takes {types.Length} values, {values.Length} given", nameof(values));
        }
        var payload = new ulong[Instance.PayloadSlots];
        Store.ToSlots(values, types, payload);
        // The exception owns a count on each reference it carries (released when the store goes).
        for (int i = 0, slot = 0; i < types.Length; slot += FunctionInstance.SlotsOf(types[i]), i++)
        {
            if (types[i].Erased() == ValType.ExternRef)
            {
                Engine.Gc.ExternRefHeap.Increment((nint)payload[slot]);
            }
        }
        return new TagException(Instance, payload);
    }

    /// <summary>The values of <paramref name="exception"/> (which must be of this tag), as <see cref="Value"/>s.</summary>
    public Value[] ValuesOf(TagException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (!ReferenceEquals(exception.Tag, Instance))
        {
            throw new ArgumentException("the exception is of another tag", nameof(exception));
        }
        var values = new Value[Instance.Type.Params.Length];
        Store.FromSlots(Instance.Type.Params, exception.Payload, values);
        return values;
    }
}

/// <summary>A tag's type: a function type without results, whose parameters are the exception's values.</summary>
/// <param name="Type">The tag's function type.</param>
public sealed record TagExternType(FuncType Type) : ExternType
{
    /// <inheritdoc/>
    public override ExternKind Kind => ExternKind.Tag;

    /// <inheritdoc/>
    public override string ToString() => $"tag {Type}";
}
