using System.Runtime.Intrinsics;
using Engine.Core;
using Engine.Gc;
using Engine.Runtime.Vm;

namespace Engine.Runtime;

/// <summary>A global variable of a store.</summary>
public sealed class Global : Extern
{
    internal Global(Store store, GlobalInstance state) : base(store)
    {
        State = state;
    }

    /// <summary>Creates a global in <paramref name="store"/> holding <paramref name="value"/>.</summary>
    public Global(Store store, GlobalType type, Value value) : this(store, store.Own(new GlobalInstance(type, store.Heap)))
    {
        Write(value);
    }

    internal GlobalInstance State { get; }

    /// <inheritdoc/>
    public override ExternType Type => new GlobalExternType(State.Type);

    /// <summary>The global's type.</summary>
    public GlobalType GlobalType => State.Type;

    /// <summary>The current value. Setting it requires a mutable global.</summary>
    public Value Value
    {
        get
        {
            ValType type = State.Type.Type.Erased();
            return type switch
            {
                ValType.V128 => Value.V128(State.V128),
                ValType.ExternRef => Value.ExternRef(ExternRefHeap.GetObject((nint)State.Bits)),
                ValType.FuncRef => Value.FuncRef(base.Store.FunctionFor((nint)State.Bits)),
                _ => Value.FromBits(type, State.Bits),
            };
        }
        set
        {
            if (!State.Type.Mutable)
            {
                throw new InvalidOperationException("the global is immutable");
            }
            Write(value);
        }
    }

    private void Write(Value value)
    {
        ValType type = State.Type.Type;
        if (value.Type != type.Erased() || (value.IsNull && type.IsReference() && !type.IsNullable()))
        {
            throw new ArgumentException($"the global holds {type.ToWatName()}, not {value.Type.ToWatName()}");
        }
        switch (type.Erased())
        {
            case ValType.V128:
                State.SetV128(value.AsV128());
                break;
            case ValType.ExternRef:
            case ValType.FuncRef:
                State.SetReference(base.Store.ReferenceFor(value, type));
                break;
            default:
                State.SetBits(value.Bits);
                break;
        }
    }
}
