using System.Buffers;
using Engine.Core;

namespace Engine.Runtime.Vm;

/// <summary>The raw form of every host function: arguments in slots, results written back to them.</summary>
internal delegate void SlotCallback(Store store, Span<ulong> slots);

/// <summary>A host function instantiated in a store.</summary>
internal sealed class HostFunction : FunctionInstance
{
    private readonly Store _store;
    private readonly SlotCallback? _callback;
    private readonly UncheckedHostCallback? _unchecked;
    private readonly string? _name;

    public HostFunction(Store store, FuncType type, SlotCallback callback, string? name)
        : this(store, type, name)
    {
        _callback = callback;
    }

    /// <summary>A host function of the public raw shape, called without an adapter in between.</summary>
    public HostFunction(Store store, FuncType type, UncheckedHostCallback callback, string? name)
        : this(store, type, name)
    {
        _unchecked = callback;
    }

    private HostFunction(Store store, FuncType type, string? name)
        : base(type, store.Engine.Types.GetId(type))
    {
        _store = store;
        _name = name;
        store.CreateFuncRef(this, 0);
    }

    /// <inheritdoc/>
    public override string? Name => _name;

    /// <inheritdoc/>
    public override void Invoke(Span<ulong> slots)
    {
        if (_unchecked is { } callback)
        {
            callback(_store.Caller, slots);
        }
        else
        {
            _callback!(_store, slots);
        }
    }

    /// <summary>Adapts a <see cref="HostCallback"/> over values to the slot form.</summary>
    public static SlotCallback Adapt(Store? unused, FuncType type, HostCallback callback) => (store, slots) =>
    {
        int parameters = type.Params.Length, results = type.Results.Length;
        Value[] buffer = ArrayPool<Value>.Shared.Rent(parameters + results);
        try
        {
            Span<Value> arguments = buffer.AsSpan(0, parameters);
            Span<Value> outputs = buffer.AsSpan(parameters, results);
            store.FromSlots(type.Params, slots, arguments);
            for (int i = 0; i < results; i++)
            {
                // A typed reference (3.0) is given back as the funcref or externref that represents it.
                outputs[i] = Value.Default(type.Results[i].Erased());
            }
            callback(store.Caller, arguments, outputs);
            for (int i = 0; i < results; i++)
            {
                if (outputs[i].Type != type.Results[i].Erased())
                {
                    throw new InvalidOperationException(
                        $"host function returned {outputs[i].Type.ToWatName()} for result {i}, which is {type.Results[i].ToWatName()}");
                }
            }
            store.ToSlots(outputs, type.Results, slots);
        }
        finally
        {
            buffer.AsSpan(0, parameters + results).Clear();
            ArrayPool<Value>.Shared.Return(buffer);
        }
    };
}
