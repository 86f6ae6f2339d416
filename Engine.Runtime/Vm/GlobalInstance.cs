using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Engine.Core;
using Engine.Gc;

namespace Engine.Runtime.Vm;

/// <summary>A global: a native 16-byte <see cref="VMGlobal"/> cell. An externref global owns one count on its value.</summary>
internal sealed unsafe class GlobalInstance : IDisposable
{
    private readonly ExternRefHeap _heap;

    public GlobalInstance(GlobalType type, ExternRefHeap heap)
    {
        Type = type;
        _heap = heap;
        // SAFETY: owned by this object, freed in Dispose.
        Cell = (VMGlobal*)NativeMemory.AllocZeroed((nuint)sizeof(VMGlobal));
    }

    /// <summary>The global's type.</summary>
    public GlobalType Type { get; }

    /// <summary>The native cell (stable address).</summary>
    public VMGlobal* Cell { get; private set; }

    /// <summary>The raw low 8 bytes (the whole value unless v128).</summary>
    public ulong Bits => Cell->Low;

    /// <summary>The value as a v128.</summary>
    public Vector128<byte> V128 => *(Vector128<byte>*)Cell;

    /// <summary>Sets a non-reference, non-v128 value's bits.</summary>
    public void SetBits(ulong bits)
    {
        if (Type.Type.Erased() == ValType.ExternRef)
        {
            SetReference((nint)bits);
            return;
        }
        Cell->Low = bits;
    }

    /// <summary>Sets a v128 value.</summary>
    public void SetV128(Vector128<byte> value) => *(Vector128<byte>*)Cell = value;

    /// <summary>Stores a reference, moving counts for externref.</summary>
    public void SetReference(nint value)
    {
        if (Type.Type.Erased() == ValType.ExternRef)
        {
            ExternRefHeap.Increment(value);
            nint old = (nint)Cell->Low;
            Cell->Low = (ulong)value;
            _heap.Decrement(old);
        }
        else
        {
            Cell->Low = (ulong)value;
        }
    }

    public void Dispose()
    {
        if (Cell == null)
        {
            return;
        }
        if (Type.Type.Erased() == ValType.ExternRef)
        {
            _heap.Decrement((nint)Cell->Low);
        }
        NativeMemory.Free(Cell);
        Cell = null;
    }
}
