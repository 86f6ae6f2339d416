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

    /// <summary>
    /// The calling instance's default memory: memory 0, the one memory instructions without an
    /// index use, whether the module defines or imports it, exported or not; null when it has none
    /// or the host called directly. For ABIs whose pointers address "the" memory of a module
    /// (WASI's); cheaper than a lookup by export name.
    /// </summary>
    public Memory? DefaultMemory => Store.CurrentInstance is Vm.InstanceState state ? state.DefaultMemory : null;

    /// <summary>
    /// Memory <paramref name="index"/> of the calling instance (3.0: a module may have several), exported or not; null
    /// when it has no such memory or the host was called directly.
    /// </summary>
    public Memory? GetMemory(int index) =>
        Store.CurrentInstance is Vm.InstanceState state && index >= 0 && index < state.Memories.Count ? state.GetMemory(index) : null;

    /// <summary>
    /// <see cref="DefaultMemory"/> as a span, the fast path for hosts that read and write guest memory on
    /// every call: valid during this host call only (until the memory grows), holding at most the first
    /// 2 GiB (what a span can; beyond that a host sees "out of bounds"); empty when there is no memory.
    /// </summary>
    public Span<byte> DefaultMemorySpan => Store.CurrentInstance is Vm.InstanceState { Memory: { } memory }
        ? memory.Slice(0, (int)Math.Min(memory.Length, int.MaxValue))
        : Span<byte>.Empty;
}

/// <summary>A host function over <see cref="Value"/>s: read the arguments, write every result.</summary>
/// <param name="caller">The calling context.</param>
/// <param name="arguments">The arguments, typed as the function's parameters.</param>
/// <param name="results">The results to write, one per result type.</param>
public delegate void HostCallback(Caller caller, ReadOnlySpan<Value> arguments, Span<Value> results);

/// <summary>
/// A host function over raw slots (see <see cref="Linker.DefineFunctionUnchecked"/>), for hosts that
/// bind many functions generically: no values are boxed or checked.
/// </summary>
/// <param name="caller">The calling context.</param>
/// <param name="slots">The arguments in order, one 64-bit slot each (an i32 or f32 zero-extended, an
/// i64 or f64 whole, a v128 in two slots, low half first); the results are written back from slot 0
/// the same way (only the low 32 bits of an i32 or f32 result are read). The span holds at least as many slots as the larger of the two.</param>
public delegate void UncheckedHostCallback(Caller caller, Span<ulong> slots);
