namespace Engine.Core;

/// <summary>
/// A function type: parameter and result types, and (3.0) how it was declared: its supertypes and whether it is
/// final (<c>(sub final? $super* (func ...))</c>; a plain <c>(func ...)</c> is final without supertypes). Equality is
/// structural over parameters and results only (the text format's type uses); type identity across modules, which
/// also depends on the declaration and the recursive group, is the <see cref="TypeRegistry"/>'s canonical id.
/// </summary>
public sealed class FuncType : IEquatable<FuncType>
{
    /// <summary>Creates a function type.</summary>
    public FuncType(ValType[] parameters, ValType[] results)
    {
        Params = parameters;
        Results = results;
    }

    /// <summary>The parameter types.</summary>
    public ValType[] Params { get; }

    /// <summary>The result types.</summary>
    public ValType[] Results { get; }

    /// <summary>True when no type may declare this one its supertype (the default, and what a plain <c>(func ...)</c> is).</summary>
    public bool IsFinal { get; init; } = true;

    /// <summary>The declared supertypes' type indices (at most one is valid).</summary>
    public uint[] SuperTypes { get; init; } = [];

    /// <summary>True for a plain final type without supertypes (what 2.0 has; written without <c>sub</c>).</summary>
    public bool IsPlain => IsFinal && SuperTypes.Length == 0;

    /// <inheritdoc/>
    public bool Equals(FuncType? other) =>
        other is not null && Params.AsSpan().SequenceEqual(other.Params) && Results.AsSpan().SequenceEqual(other.Results);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as FuncType);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (ValType t in Params)
        {
            hash.Add(t);
        }
        hash.Add(-1);
        foreach (ValType t in Results)
        {
            hash.Add(t);
        }
        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"[{string.Join(' ', Params.Select(p => p.ToWatName()))}] -> [{string.Join(' ', Results.Select(r => r.ToWatName()))}]";
}

/// <summary>A recursive type group: the types <paramref name="Start"/> .. <paramref name="Start"/> + <paramref name="Count"/> - 1 of the module, defined together (<c>(rec ...)</c>; every other type is a group of its own).</summary>
/// <param name="Start">The first type index of the group.</param>
/// <param name="Count">The number of types in it.</param>
public readonly record struct RecGroup(int Start, int Count)
{
    /// <summary>One past the last type index of the group.</summary>
    public int End => Start + Count;
}

/// <summary>Size limits of a memory (in 64 KiB pages) or a table (in elements), and its address type.</summary>
/// <param name="Min">The minimum (initial) size.</param>
/// <param name="Max">The maximum size, or null when unbounded.</param>
public readonly record struct Limits(ulong Min, ulong? Max)
{
    /// <summary>
    /// True for a 64-bit memory or table (3.0, memory64/table64: the limits' flags have bit 2 set): its addresses,
    /// sizes and <c>grow</c> deltas are i64. Part of the type, so import matching requires the same address type.
    /// </summary>
    public bool Is64 { get; init; }

    /// <summary>The value type of addresses (and sizes) of a memory or table with these limits.</summary>
    public ValType AddressType => Is64 ? ValType.I64 : ValType.I32;

    /// <summary>True when these limits fit inside <paramref name="required"/> (import subtyping; the address types must agree).</summary>
    public bool IsSubtypeOf(Limits required) =>
        Is64 == required.Is64 && Min >= required.Min && (required.Max is null || (Max is not null && Max.Value <= required.Max.Value));

    /// <inheritdoc/>
    public override string ToString() => (Is64 ? "i64 " : "") + (Max is null ? $"{Min}" : $"{Min} {Max}");
}

/// <summary>A table type: element reference type and limits.</summary>
public readonly record struct TableType(ValType ElementType, Limits Limits);

/// <summary>A memory type: limits in pages.</summary>
public readonly record struct MemoryType(Limits Limits);

/// <summary>A global type: value type and mutability.</summary>
public readonly record struct GlobalType(ValType Type, bool Mutable)
{
    /// <inheritdoc/>
    public override string ToString() => Mutable ? $"(mut {Type.ToWatName()})" : Type.ToWatName();
}

/// <summary>The kind of an import or export; the value is its binary encoding.</summary>
public enum ExternKind : byte
{
    /// <summary>A function.</summary>
    Func = 0,
    /// <summary>A table.</summary>
    Table = 1,
    /// <summary>A memory.</summary>
    Memory = 2,
    /// <summary>A global.</summary>
    Global = 3,
    /// <summary>An exception tag (3.0 exception handling).</summary>
    Tag = 4,
}
