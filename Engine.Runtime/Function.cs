using Engine.Core;
using Engine.Runtime.Vm;

namespace Engine.Runtime;

/// <summary>
/// A function of a store: exported by an instance or defined by the host. Call it with
/// <see cref="Invoke(Value[])"/>, or get a typed delegate with <see cref="AsFunc{TResult}"/> and friends.
/// </summary>
public sealed partial class Function : Extern
{
    internal Function(Store store, FunctionInstance instance) : base(store)
    {
        Instance = instance;
    }

    internal FunctionInstance Instance { get; }

    /// <summary>The function's parameters and results.</summary>
    public FuncType FunctionType => Instance.Type;

    /// <inheritdoc/>
    public override ExternType Type => new FunctionExternType(Instance.Type);

    /// <summary>The function's name (from the name section, or the host definition), or null.</summary>
    public string? Name => Instance.Name;

    /// <summary>
    /// Creates a host function in <paramref name="store"/> that can be passed to wasm as a funcref or
    /// given to a <see cref="Linker"/> as an import.
    /// </summary>
    public static Function FromCallback(Store store, FuncType type, HostCallback callback, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(callback);
        var host = new HostFunction(store, type, HostFunction.Adapt(store, type, callback), name);
        return new Function(store, host);
    }

    /// <summary>
    /// Calls the function. Traps raise <see cref="TrapException"/> (with a wasm backtrace); an exception
    /// thrown by a host function the call reached comes out unchanged.
    /// </summary>
    public Value[] Invoke(params Value[] arguments)
    {
        var results = new Value[Instance.Type.Results.Length];
        Invoke(arguments, results);
        return results;
    }

    /// <summary>Calls the function with arguments and result buffers of the exact lengths.</summary>
    public void Invoke(ReadOnlySpan<Value> arguments, Span<Value> results)
    {
        FuncType type = Instance.Type;
        if (results.Length != type.Results.Length)
        {
            throw new ArgumentException($"the function returns {type.Results.Length} values, the buffer holds {results.Length}", nameof(results));
        }
        Span<ulong> slots = Instance.SlotCount <= 64 ? stackalloc ulong[Instance.SlotCount] : new ulong[Instance.SlotCount];
        Store.ToSlots(arguments, type.Params, slots);
        Store.Enter(Instance, slots);
        Store.FromSlots(type.Results, slots, results);
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Function other && other.Instance == Instance;

    /// <inheritdoc/>
    public override int GetHashCode() => Instance.GetHashCode();

    /// <inheritdoc/>
    public override string ToString() => $"func {Name ?? "?"} {Instance.Type}";
}
