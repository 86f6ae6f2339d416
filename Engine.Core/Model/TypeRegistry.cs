using System.Text;

namespace Engine.Core;

/// <summary>
/// Canonical type ids: one small integer per distinct type, so that type identity is an int compare (call_indirect,
/// import matching). Types are compared iso-recursively, as 3.0 defines: a recursive group is identified by its
/// structure, where a reference to a type of the same group is written as its position in the group and a reference
/// to any other type as that type's canonical id; a type is identified by its group and its position in it. Two
/// modules that define the same group (in the same order) get the same ids, whatever their type indices.
/// The engine has one registry (engine-wide ids); the validator uses a registry of its own per module, for the
/// module-local equivalence that subtyping needs. Declared supertypes are kept per id, for <see cref="IsSubtype"/>.
/// </summary>
public sealed class TypeRegistry
{
    private readonly Dictionary<string, int> _groups = new(StringComparer.Ordinal);
    private readonly List<FuncType> _types = new();
    private readonly List<int> _superTypes = new();
    private readonly object _lock = new();

    /// <summary>The canonical id of every type index of <paramref name="module"/>, registering its groups if new.</summary>
    public int[] Canonicalize(ModuleInfo module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var ids = new int[module.Types.Count];
        // A module model made without the decoder may not list its groups: then every type is a group of its own.
        IEnumerable<RecGroup> groups = module.RecGroups.Sum(g => g.Count) == module.Types.Count
            ? module.RecGroups
            : Enumerable.Range(0, module.Types.Count).Select(i => new RecGroup(i, 1));
        lock (_lock)
        {
            foreach (RecGroup group in groups)
            {
                string key = GroupKey(module.Types, group, ids);
                if (!_groups.TryGetValue(key, out int first))
                {
                    first = _types.Count;
                    _groups.Add(key, first);
                    for (int i = 0; i < group.Count; i++)
                    {
                        FuncType type = module.Types[group.Start + i];
                        _types.Add(type);
                        // A supertype precedes its subtype (validated), so its id is known; within the group it is the new one.
                        _superTypes.Add(type.SuperTypes.Length == 0 ? -1
                            : type.SuperTypes[0] >= (uint)group.Start ? first + (int)type.SuperTypes[0] - group.Start
                            : type.SuperTypes[0] < (uint)ids.Length ? ids[type.SuperTypes[0]] : -1);
                    }
                }
                for (int i = 0; i < group.Count; i++)
                {
                    ids[group.Start + i] = first + i;
                }
            }
        }
        return ids;
    }

    /// <summary>
    /// The canonical id of a type given alone (a group of one, as a host function's type): its parameters and results
    /// must not name type indices, which have no meaning outside a module.
    /// </summary>
    public int GetId(FuncType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.Params.Any(RefTypes.IsConcreteRef) || type.Results.Any(RefTypes.IsConcreteRef) || type.SuperTypes.Length != 0)
        {
            throw new ArgumentException("a function type given alone cannot refer to type indices", nameof(type));
        }
        var module = new ModuleInfo([]);
        module.Types.Add(type);
        module.RecGroups.Add(new RecGroup(0, 1));
        return Canonicalize(module)[0];
    }

    /// <summary>The type with canonical id <paramref name="id"/> (as the first module that defined it wrote it).</summary>
    public FuncType GetType(int id)
    {
        lock (_lock)
        {
            return _types[id];
        }
    }

    /// <summary>True when the type of id <paramref name="sub"/> is the type of id <paramref name="super"/> or declares it as a (transitive) supertype.</summary>
    public bool IsSubtype(int sub, int super)
    {
        lock (_lock)
        {
            for (int id = sub; id >= 0; id = _superTypes[id])
            {
                if (id == super)
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>
    /// A value type with its type index (if any) replaced by the type's canonical id in <paramref name="canonicalIds"/>
    /// (a module's), so that types of different modules compare with <see cref="Matches"/> (or <c>==</c> for equality).
    /// </summary>
    public static ValType Canonical(ValType type, int[] canonicalIds) =>
        type.IsConcrete() && type.TypeIndex() < (uint)canonicalIds.Length ? RefTypes.Ref((uint)canonicalIds[type.TypeIndex()], type.IsNullable()) : type;

    /// <summary>
    /// Subtyping of value types in canonical form (<see cref="Canonical"/>): import matching of globals. Like
    /// <see cref="Subtyping.Matches(ModuleInfo, ValType, ValType)"/>, with declared supertypes looked up by id.
    /// </summary>
    public bool Matches(ValType actual, ValType expected)
    {
        if (actual == expected)
        {
            return true;
        }
        if (!actual.IsReference() || !expected.IsReference() || (actual.IsNullable() && !expected.IsNullable()))
        {
            return false;
        }
        if (expected.IsConcrete())
        {
            return actual.IsConcrete() ? IsSubtype((int)actual.TypeIndex(), (int)expected.TypeIndex()) : actual.AbstractHeap() == AbstractHeapType.NoFunc;
        }
        AbstractHeapType expectedHeap = expected.AbstractHeap();
        if (actual.IsConcrete())
        {
            return expectedHeap == AbstractHeapType.Func;
        }
        return Subtyping.AbstractHeapMatches(actual.AbstractHeap(), expectedHeap);
    }

    /// <summary>The structure of a group: each type's declaration and value types, with references resolved as the class remarks say.</summary>
    private static string GroupKey(List<FuncType> types, RecGroup group, int[] ids)
    {
        var key = new StringBuilder();
        for (int i = group.Start; i < group.End; i++)
        {
            FuncType type = types[i];
            key.Append(type.IsFinal ? "F" : "S");
            foreach (uint super in type.SuperTypes)
            {
                key.Append(':').Append(Reference(super));
            }
            key.Append('(');
            foreach (ValType t in type.Params)
            {
                AppendType(t);
            }
            key.Append("->");
            foreach (ValType t in type.Results)
            {
                AppendType(t);
            }
            key.Append(')');
        }
        return key.ToString();

        string Reference(uint index) =>
            index >= (uint)group.Start && index < (uint)group.End ? $"r{index - group.Start}"
            : index < (uint)group.Start ? $"c{ids[index]}"
            : $"?{index}"; // a forward reference out of the group is invalid; the validator rejects it

        void AppendType(ValType t)
        {
            if (t.IsConcrete())
            {
                key.Append(t.IsNullable() ? "n" : "N").Append(Reference(t.TypeIndex())).Append(',');
            }
            else
            {
                key.Append(((uint)t).ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append(',');
            }
        }
    }
}
