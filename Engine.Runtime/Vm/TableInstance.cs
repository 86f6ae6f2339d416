using System.Runtime.InteropServices;
using Engine.Core;
using Engine.Gc;

namespace Engine.Runtime.Vm;

/// <summary>
/// A table: a native <see cref="VMTable"/> whose element array holds references (VMFuncRef addresses
/// or externref boxes; 0 is null). An externref table owns one count on each non-null element.
/// </summary>
internal sealed unsafe class TableInstance : IDisposable
{
    private readonly ExternRefHeap _heap;

    public TableInstance(TableType type, uint elementLimit, nint initial, ExternRefHeap heap)
    {
        Type = type;
        _heap = heap;
        ulong declaredMaximum = type.Limits.Max ?? uint.MaxValue;
        // Never 2^32 - 1 elements: a 64-bit table index clamped to u32 (the tiers do so) must stay out of bounds.
        Maximum = (uint)Math.Min(Math.Min(declaredMaximum, elementLimit), uint.MaxValue - 1);
        if (type.Limits.Min > Maximum)
        {
            throw new ResourceLimitException($"table of {type.Limits.Min} elements exceeds the limit of {Maximum} elements");
        }
        // SAFETY: the VMTable and its element array are owned by this object and freed in Dispose.
        Table = (VMTable*)NativeMemory.AllocZeroed((nuint)sizeof(VMTable));
        Table->Maximum = Maximum;
        uint minimum = (uint)type.Limits.Min;
        Table->Elements = (nint)NativeMemory.AllocZeroed(Math.Max(minimum, 1u), (nuint)sizeof(nint));
        Table->Length = minimum;
        Fill(0, initial, minimum);
    }

    /// <summary>The declared type.</summary>
    public TableType Type { get; }

    /// <summary>The most elements the table may grow to.</summary>
    public uint Maximum { get; }

    /// <summary>The native table (stable address).</summary>
    public VMTable* Table { get; private set; }

    /// <summary>The current number of elements.</summary>
    public uint Length => Table->Length;

    /// <summary>The current type (minimum = current size), for import matching.</summary>
    public TableType CurrentType => new(Type.ElementType, new Limits(Length, Type.Limits.Max) { Is64 = Type.Limits.Is64 });

    private bool OwnsCounts => Type.ElementType.Erased() == ValType.ExternRef;

    private nint* Elements => (nint*)Table->Elements;

    /// <summary>The element at <paramref name="index"/> (bounds checked by the caller).</summary>
    public nint Get(uint index) => Elements[index];

    /// <summary>Stores <paramref name="value"/> at <paramref name="index"/> (bounds checked by the caller), moving counts.</summary>
    public void Set(uint index, nint value)
    {
        if (OwnsCounts)
        {
            // Increment first: the new and old values may be the same box.
            ExternRefHeap.Increment(value);
            nint old = Elements[index];
            Elements[index] = value;
            _heap.Decrement(old);
        }
        else
        {
            Elements[index] = value;
        }
    }

    /// <summary><c>table.grow</c>: the old length, or -1.</summary>
    public int Grow(uint delta, nint initial)
    {
        uint old = Length;
        if ((ulong)old + delta > Maximum)
        {
            return -1;
        }
        if (delta == 0)
        {
            return (int)old;
        }
        uint grown = old + delta;
        // SAFETY: reallocating our own array; the new tail is initialised below before anyone reads it.
        nint* elements = (nint*)NativeMemory.Realloc((void*)Table->Elements, (nuint)grown * (nuint)sizeof(nint));
        if (elements == null)
        {
            return -1;
        }
        new Span<nint>(elements + old, (int)delta).Clear();
        Table->Elements = (nint)elements;
        Table->Length = grown;
        Fill(old, initial, delta);
        return (int)old;
    }

    /// <summary>Sets [start, start + count) to <paramref name="value"/> (bounds checked by the caller).</summary>
    public void Fill(uint start, nint value, uint count)
    {
        for (uint i = 0; i < count; i++)
        {
            Set(start + i, value);
        }
    }

    public void Dispose()
    {
        if (Table == null)
        {
            return;
        }
        if (OwnsCounts)
        {
            for (uint i = 0; i < Length; i++)
            {
                _heap.Decrement(Elements[i]);
            }
        }
        NativeMemory.Free((void*)Table->Elements);
        NativeMemory.Free(Table);
        Table = null;
    }
}
