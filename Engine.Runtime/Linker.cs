using System.Runtime.CompilerServices;
using Engine.Core;
using Engine.Runtime.Diagnostics;
using Engine.Runtime.Vm;

namespace Engine.Runtime;

/// <summary>
/// Resolves imports by module and field name and instantiates modules: definitions are host
/// functions (usable in any store of the engine) or externs of a particular store (another instance's
/// exports, memories or tables the host made).
/// </summary>
public sealed partial class Linker
{
    private readonly Dictionary<(string Module, string Name), object> _definitions = new();

    /// <summary>Creates an empty linker for modules of <paramref name="engine"/>.</summary>
    public Linker(WasmEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Engine = engine;
    }

    /// <summary>The engine.</summary>
    public WasmEngine Engine { get; }

    /// <summary>Allow a definition to replace an earlier one of the same name (default false: that throws).</summary>
    public bool AllowShadowing { get; set; }

    /// <summary>Defines <paramref name="module"/> <paramref name="name"/> as an extern of some store.</summary>
    public Linker Define(string module, string name, Extern item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Add(module, name, item);
    }

    /// <summary>Defines every export of <paramref name="instance"/> under module name <paramref name="module"/>.</summary>
    public Linker DefineInstance(string module, Instance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        foreach (var (name, item) in instance.Exports)
        {
            Add(module, name, item);
        }
        return this;
    }

    /// <summary>Defines a host function over <see cref="Value"/>s.</summary>
    public Linker DefineFunction(string module, string name, FuncType type, HostCallback callback)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(callback);
        return DefineHost(module, name, type, HostFunction.Adapt(null, type, callback));
    }

    /// <summary>
    /// Defines a host function over raw slots (<see cref="UncheckedHostCallback"/>): the fastest shape,
    /// for hosts that bind many functions generically, as WASI does. The type may have numeric and
    /// vector parameters and results only (a reference in raw form would bypass the externref
    /// collector's bookkeeping).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="type"/> has a reference parameter or result.</exception>
    public Linker DefineFunctionUnchecked(string module, string name, FuncType type, UncheckedHostCallback callback)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(callback);
        if (type.Params.Concat(type.Results).Any(t => t is ValType.ExternRef or ValType.FuncRef))
        {
            throw new ArgumentException($"an unchecked host function takes and returns numbers and vectors only, not {type}", nameof(type));
        }
        string qualified = $"{module}.{name}";
        return Add(module, name, new HostDefinition(store => new HostFunction(store, type, callback, qualified)));
    }

    internal Linker DefineHost(string module, string name, FuncType type, SlotCallback callback)
    {
        string qualified = $"{module}.{name}";
        return Add(module, name, new HostDefinition(store => new HostFunction(store, type, callback, qualified)));
    }

    private Linker Add(string module, string name, object definition)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(name);
        if (!AllowShadowing && _definitions.ContainsKey((module, name)))
        {
            throw new InvalidOperationException($"\"{module}\" \"{name}\" is already defined");
        }
        _definitions[(module, name)] = definition;
        return this;
    }

    /// <summary>The definition of <paramref name="module"/> <paramref name="name"/> as an extern of <paramref name="store"/>, or null.</summary>
    public Extern? Get(Store store, string module, string name) => _definitions.TryGetValue((module, name), out object? definition)
        ? Materialize(store, definition)
        : null;

    private static Extern Materialize(Store store, object definition) => definition switch
    {
        HostDefinition host => host.In(store),
        Extern item => item,
        _ => throw new InvalidOperationException("unknown definition"),
    };

    /// <summary>
    /// Instantiates <paramref name="module"/> in <paramref name="store"/>: resolves its imports, creates its
    /// definitions, runs its segments and start function. Throws <see cref="LinkException"/> for a missing
    /// or mistyped import, <see cref="TrapException"/> when initialisation traps (segment writes already
    /// made stay, as the spec says), <see cref="ResourceLimitException"/> when a limit is exceeded.
    /// </summary>
    public Instance Instantiate(Store store, Module module)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(module);
        if (module.Engine != store.Engine || module.Engine != Engine)
        {
            throw new ArgumentException("the module, the store and the linker must share one engine");
        }
        ModuleInfo info = module.Info;
        var imports = new Extern[info.Imports.Count];
        for (int i = 0; i < imports.Length; i++)
        {
            imports[i] = Resolve(store, module, info.Imports[i]);
        }
        long start = EngineEvents.InstantiationStarting();
        var state = new InstanceState(store, module, imports);
        store.AddInstance(state);
        try
        {
            state.Initialize();
        }
        catch (Exception e) when (EngineEvents.ObserveTrap(store, e))
        {
            // Never entered: the filter only reports a trap of the start function or a segment.
        }
        EngineEvents.Instantiated(module, start);
        return state.Public;
    }

    private Extern Resolve(Store store, Module module, Import import)
    {
        ModuleInfo info = module.Info;
        if (!_definitions.TryGetValue((import.Module, import.Name), out object? definition))
        {
            throw new LinkException("unknown import", import.Module, import.Name, $"nothing defined for {Module.ImportTypeOf(info, import)}");
        }
        Extern item = Materialize(store, definition);
        if (item.Store != store)
        {
            throw new LinkException("incompatible import type", import.Module, import.Name, "the definition belongs to another store");
        }
        ExternType required = Module.ImportTypeOf(info, import);
        if (!Matches(item, required, import.Kind is ExternKind.Func or ExternKind.Tag ? module.CanonicalTypeIds[import.FuncTypeIndex] : -1, module.CanonicalTypeIds))
        {
            throw new LinkException("incompatible import type", import.Module, import.Name, $"{required} required, {item.Type} given");
        }
        return item;
    }

    /// <summary>
    /// Import subtyping: a function whose canonical type is the required one (<paramref name="requiredTypeId"/>) or a
    /// declared subtype of it, tables of the same element type with limits inside the required ones, memories likewise,
    /// globals of the same type (immutable ones: a subtype). Types of tables and globals compare in canonical form
    /// (<see cref="TypeRegistry.Canonical"/>): the item's were made so, the import's use the importer's ids.
    /// </summary>
    private bool Matches(Extern item, ExternType required, int requiredTypeId, int[] canonicalIds) => (item, required) switch
    {
        (Function f, FunctionExternType) => Engine.Types.IsSubtype(f.Instance.TypeId, requiredTypeId),
        (Table t, TableExternType r) => t.State.Type.ElementType == TypeRegistry.Canonical(r.Type.ElementType, canonicalIds)
            && t.State.CurrentType.Limits.IsSubtypeOf(r.Type.Limits),
        (Memory m, MemoryExternType r) => m.State.CurrentType.Limits.IsSubtypeOf(r.Type.Limits),
        (Global g, GlobalExternType r) => g.GlobalType.Mutable == r.Type.Mutable && (r.Type.Mutable
            ? g.GlobalType.Type == TypeRegistry.Canonical(r.Type.Type, canonicalIds)
            : Engine.Types.Matches(g.GlobalType.Type, TypeRegistry.Canonical(r.Type.Type, canonicalIds))),
        (Tag t, TagExternType) => t.Instance.TypeId == requiredTypeId,
        _ => false,
    };

    /// <summary>A host function definition, instantiated once per store that uses it.</summary>
    private sealed class HostDefinition(Func<Store, HostFunction> create)
    {
        private readonly ConditionalWeakTable<Store, Function> _instances = new();

        public Function In(Store store) => _instances.GetValue(store, s => new Function(s, create(s)));
    }
}
