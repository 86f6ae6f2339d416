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
    // The unchecked callback's i32 and f32 argument slots, zero-extended before each call: the tiers write such values
    // with 32-bit stores, so the upper half of the slot may hold stale bits, and a host reading the slot whole must not
    // see them. Null when there are none.
    private readonly int[]? _narrowSlots;
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
        _narrowSlots = NarrowSlots(type.Params);
    }

    private static int[]? NarrowSlots(ValType[] parameters)
    {
        var narrow = new List<int>();
        for (int i = 0, slot = 0; i < parameters.Length; slot += SlotsOf(parameters[i]), i++)
        {
            if (parameters[i] is ValType.I32 or ValType.F32)
            {
                narrow.Add(slot);
            }
        }
        return narrow.Count > 0 ? narrow.ToArray() : null;
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
            if (_narrowSlots is { } narrow)
            {
                foreach (int slot in narrow)
                {
                    slots[slot] = (uint)slots[slot];
                }
            }
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
