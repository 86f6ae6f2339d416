using Engine.Core;
using Engine.Gc;
using Engine.Runtime.Vm;

namespace Engine.Runtime;

/// <summary>A table of references (funcref or externref) of a store.</summary>
public sealed class Table : Extern
{
    internal Table(Store store, TableInstance state) : base(store)
    {
        State = state;
    }

    /// <summary>Creates a table in <paramref name="store"/> with every element set to <paramref name="initial"/>.</summary>
    public Table(Store store, TableType type, Value initial) : this(store, store.Own(new TableInstance(type, store.Limits.TableElements, 0, store.Heap)))
    {
        State.Fill(0, store.ReferenceFor(initial, type.ElementType), State.Length);
    }

    internal TableInstance State { get; }

    /// <inheritdoc/>
    public override ExternType Type => new TableExternType(State.CurrentType);

    /// <summary>The element type.</summary>
    public ValType ElementType => State.Type.ElementType;

    /// <summary>The current number of elements.</summary>
    public uint Length => State.Length;

    /// <summary>The element at <paramref name="index"/>.</summary>
    public Value Get(uint index)
    {
        CheckIndex(index);
        nint reference = State.Get(index);
        return ElementType == ValType.ExternRef
            ? Value.ExternRef(ExternRefHeap.GetObject(reference))
            : Value.FuncRef(Store.FunctionFor(reference));
    }

    /// <summary>Sets the element at <paramref name="index"/>.</summary>
    public void Set(uint index, Value value)
    {
        CheckIndex(index);
        State.Set(index, Store.ReferenceFor(value, ElementType));
    }

    /// <summary>Grows by <paramref name="delta"/> elements set to <paramref name="initial"/>; returns the old length or -1.</summary>
    public int Grow(uint delta, Value initial) => State.Grow(delta, Store.ReferenceFor(initial, ElementType));

    private void CheckIndex(uint index)
    {
        if (index >= State.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is outside the table of {State.Length} elements");
        }
    }
}
