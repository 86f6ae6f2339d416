namespace Engine.Core;

/// <summary>
/// Subtyping of value types within one module (3.0): numeric types match themselves; a reference type matches another
/// when its nullability allows (non-null &lt;: nullable) and its heap type is a subtype: a type index of a function type
/// &lt;: <c>func</c>; <c>nofunc</c> &lt;: every function heap type; <c>noextern</c> &lt;: <c>extern</c>; a type index &lt;: another
/// when they are the same type (iso-recursive equivalence, <see cref="ModuleInfo.TypeEquivalence"/>) or the second is a
/// declared supertype of the first, transitively. Needs a validated (or being validated) module's type section.
/// </summary>
public static class Subtyping
{
    /// <summary>True when a value of type <paramref name="actual"/> may be used where <paramref name="expected"/> is required.</summary>
    public static bool Matches(ModuleInfo module, ValType actual, ValType expected)
    {
        if (actual == expected)
        {
            return true;
        }
        if (!actual.IsReference() || !expected.IsReference())
        {
            return false;
        }
        if (actual.IsNullable() && !expected.IsNullable())
        {
            return false;
        }
        return HeapMatches(module, actual, expected);
    }

    /// <summary>True when every type of <paramref name="actual"/> matches the type at the same position of <paramref name="expected"/>.</summary>
    public static bool Matches(ModuleInfo module, ReadOnlySpan<ValType> actual, ReadOnlySpan<ValType> expected)
    {
        if (actual.Length != expected.Length)
        {
            return false;
        }
        for (int i = 0; i < actual.Length; i++)
        {
            if (!Matches(module, actual[i], expected[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The heap types of two reference types (nullability ignored).</summary>
    private static bool HeapMatches(ModuleInfo module, ValType actual, ValType expected)
    {
        if (expected.IsConcrete())
        {
            if (actual.IsConcrete())
            {
                return TypeIndexMatches(module, actual.TypeIndex(), expected.TypeIndex());
            }
            return actual.AbstractHeap() == AbstractHeapType.NoFunc;
        }
        AbstractHeapType expectedHeap = expected.AbstractHeap();
        if (actual.IsConcrete())
        {
            // Every concrete type is a function type until GC.
            return expectedHeap == AbstractHeapType.Func;
        }
        return AbstractHeapMatches(actual.AbstractHeap(), expectedHeap);
    }

    /// <summary>Subtyping of abstract heap types (until GC): each is its own subtype, and each bottom type (<c>nofunc</c>, <c>noextern</c>, <c>noexn</c>) a subtype of its top.</summary>
    public static bool AbstractHeapMatches(AbstractHeapType actual, AbstractHeapType expected) =>
        actual == expected
        || (actual == AbstractHeapType.NoFunc && expected == AbstractHeapType.Func)
        || (actual == AbstractHeapType.NoExtern && expected == AbstractHeapType.Extern)
        || (actual == AbstractHeapType.NoExn && expected == AbstractHeapType.Exn);

    /// <summary>True when type <paramref name="sub"/> is type <paramref name="super"/> or declares it as a supertype, transitively.</summary>
    public static bool TypeIndexMatches(ModuleInfo module, uint sub, uint super)
    {
        int[]? equivalence = module.TypeEquivalence;
        int target = equivalence != null ? equivalence[super] : (int)super;
        // Supertypes precede their subtypes (validated), so the walk ends.
        for (uint t = sub; ;)
        {
            if ((equivalence != null ? equivalence[t] : (int)t) == target)
            {
                return true;
            }
            uint[] supers = module.Types[(int)t].SuperTypes;
            if (supers.Length == 0 || supers[0] >= t)
            {
                return false;
            }
            t = supers[0];
        }
    }
}
