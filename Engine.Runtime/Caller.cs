using Engine.Interpreter;

namespace Engine.Runtime;

/// <summary>A host function's view of its caller: the store, and the instance whose code made the call.</summary>
public sealed class Caller
{
    internal Caller(Store store)
    {
        Store = store;
    }

    /// <summary>The store the call runs in.</summary>
    public Store Store { get; }

    /// <summary>The instance whose wasm code called the host function, or null when the host called it directly.</summary>
    public Instance? Instance => Store.CurrentInstance is Vm.InstanceState state ? state.Public : null;

    /// <summary>An export of the calling instance, or null.</summary>
    public Extern? GetExport(string name) => Instance?.GetExport(name);

    /// <summary>The calling instance's exported memory called <paramref name="name"/> (usually "memory"), or null.</summary>
    public Memory? GetMemory(string name = "memory") => Instance?.GetMemory(name);
}

/// <summary>A host function over <see cref="Value"/>s: read the arguments, write every result.</summary>
/// <param name="caller">The calling context.</param>
/// <param name="arguments">The arguments, typed as the function's parameters.</param>
/// <param name="results">The results to write, one per result type.</param>
public delegate void HostCallback(Caller caller, ReadOnlySpan<Value> arguments, Span<Value> results);
