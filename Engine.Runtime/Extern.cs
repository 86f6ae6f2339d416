using Engine.Core;

namespace Engine.Runtime;

/// <summary>Something an instance exports or a linker defines: a function, table, memory or global of a store.</summary>
public abstract class Extern
{
    private protected Extern(Store store)
    {
        Store = store;
    }

    /// <summary>The store it belongs to.</summary>
    public Store Store { get; }

    /// <summary>Its type.</summary>
    public abstract ExternType Type { get; }

    /// <summary>What kind of definition it is.</summary>
    public ExternKind Kind => Type.Kind;
}
