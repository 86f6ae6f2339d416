using Engine.Runtime.Vm;

namespace Engine.Runtime;

/// <summary>An instance of a module in a store: its exports.</summary>
public sealed class Instance
{
    internal Instance(Store store, InstanceState state)
    {
        Store = store;
        State = state;
    }

    /// <summary>The store it lives in.</summary>
    public Store Store { get; }

    internal InstanceState State { get; }

    /// <summary>The exports by name.</summary>
    public IReadOnlyDictionary<string, Extern> Exports => State.Exports;

    /// <summary>The export called <paramref name="name"/>, or null.</summary>
    public Extern? GetExport(string name) => State.Exports.TryGetValue(name, out Extern? value) ? value : null;

    /// <summary>The exported function called <paramref name="name"/>, or null.</summary>
    public Function? GetFunction(string name) => GetExport(name) as Function;

    /// <summary>The exported memory called <paramref name="name"/>, or null.</summary>
    public Memory? GetMemory(string name) => GetExport(name) as Memory;

    /// <summary>The number of memories of the instance (imported and defined; 3.0 allows several).</summary>
    public int MemoryCount => State.Memories.Count;

    /// <summary>
    /// Memory <paramref name="index"/> of the instance (imports first), whether exported or not: what the memory
    /// instructions naming that index use. Throws <see cref="ArgumentOutOfRangeException"/> for an index it lacks.
    /// </summary>
    public Memory GetMemory(int index) => State.GetMemory(index);

    /// <summary>The exported table called <paramref name="name"/>, or null.</summary>
    public Table? GetTable(string name) => GetExport(name) as Table;

    /// <summary>The exported global called <paramref name="name"/>, or null.</summary>
    public Global? GetGlobal(string name) => GetExport(name) as Global;

    /// <summary>The exported tag <paramref name="name"/> (3.0 exception handling), or null.</summary>
    public Tag? GetTag(string name) => GetExport(name) as Tag;
}
