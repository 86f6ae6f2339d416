using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Engine.Core;
using Engine.Gc;

namespace Engine.Runtime;

/// <summary>
/// Converts between a .NET type and wasm slots: int/uint (i32), long/ulong (i64), float (f32),
/// double (f64), <see cref="Vector128{T}"/> of byte (v128), <see cref="Function"/> (funcref), and any
/// other reference type (externref). The type tests fold away when the JIT specialises for T.
/// </summary>
internal static class SlotConverter<T>
{
    public static readonly ValType Type = TypeOf();

    /// <summary>Slots the type takes.</summary>
    public static readonly int Slots = FunctionInstance.SlotsOf(Type);

    private static ValType TypeOf() => SlotTypes.Of(typeof(T))
        ?? throw new NotSupportedException($"{typeof(T)} has no WebAssembly value type (use int, long, float, double, Vector128<byte>, Function or a reference type)");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Read(Store store, ReadOnlySpan<ulong> slots, int at)
    {
        ulong bits = slots[at];
        if (typeof(T) == typeof(int) || typeof(T) == typeof(uint))
        {
            uint value = (uint)bits;
            return Unsafe.As<uint, T>(ref value);
        }
        if (typeof(T) == typeof(long) || typeof(T) == typeof(ulong))
        {
            return Unsafe.As<ulong, T>(ref bits);
        }
        if (typeof(T) == typeof(float))
        {
            float value = BitConverter.UInt32BitsToSingle((uint)bits);
            return Unsafe.As<float, T>(ref value);
        }
        if (typeof(T) == typeof(double))
        {
            double value = BitConverter.UInt64BitsToDouble(bits);
            return Unsafe.As<double, T>(ref value);
        }
        if (typeof(T) == typeof(Vector128<byte>))
        {
            Vector128<byte> value = Vector128.Create(bits, slots[at + 1]).AsByte();
            return Unsafe.As<Vector128<byte>, T>(ref value);
        }
        if (typeof(T) == typeof(Function))
        {
            return (T)(object)store.FunctionFor((nint)bits)!;
        }
        return (T)ExternRefHeap.GetObject((nint)bits)!;
    }

    /// <summary>Writes a value; externrefs are boxed and rooted (the caller reserved activations-table room).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Store store, Span<ulong> slots, int at, T value)
    {
        if (typeof(T) == typeof(int) || typeof(T) == typeof(uint))
        {
            slots[at] = Unsafe.As<T, uint>(ref value);
        }
        else if (typeof(T) == typeof(long) || typeof(T) == typeof(ulong))
        {
            slots[at] = Unsafe.As<T, ulong>(ref value);
        }
        else if (typeof(T) == typeof(float))
        {
            slots[at] = BitConverter.SingleToUInt32Bits(Unsafe.As<T, float>(ref value));
        }
        else if (typeof(T) == typeof(double))
        {
            slots[at] = BitConverter.DoubleToUInt64Bits(Unsafe.As<T, double>(ref value));
        }
        else if (typeof(T) == typeof(Vector128<byte>))
        {
            Vector128<ulong> v = Unsafe.As<T, Vector128<byte>>(ref value).AsUInt64();
            slots[at] = v.GetElement(0);
            slots[at + 1] = v.GetElement(1);
        }
        else if (typeof(T) == typeof(Function))
        {
            slots[at] = (ulong)store.FuncRefOf((Function?)(object?)value);
        }
        else
        {
            nint box = store.Heap.Allocate(value);
            store.Activations.InsertReserved(box);
            slots[at] = (ulong)box;
        }
    }
}

/// <summary>The .NET types of the typed API and their WebAssembly value types.</summary>
internal static class SlotTypes
{
    /// <summary>
    /// The value type <paramref name="type"/> converts to: int/uint (i32), long/ulong (i64), float (f32), double (f64),
    /// <see cref="Vector128{T}"/> of byte (v128), <see cref="Function"/> (funcref), any other reference type
    /// (externref); null for other value types.
    /// </summary>
    public static ValType? Of(Type type)
    {
        if (type == typeof(int) || type == typeof(uint))
        {
            return ValType.I32;
        }
        if (type == typeof(long) || type == typeof(ulong))
        {
            return ValType.I64;
        }
        if (type == typeof(float))
        {
            return ValType.F32;
        }
        if (type == typeof(double))
        {
            return ValType.F64;
        }
        if (type == typeof(Vector128<byte>))
        {
            return ValType.V128;
        }
        if (type == typeof(Function))
        {
            return ValType.FuncRef;
        }
        return type.IsValueType ? null : ValType.ExternRef;
    }

    /// <summary>True when <paramref name="type"/> is a value tuple (<c>(int, long)</c>): several results.</summary>
    public static bool IsValueTuple(Type type) =>
        type.IsValueType && type.IsGenericType && typeof(ITuple).IsAssignableFrom(type)
        && type.Namespace == "System" && type.Name.StartsWith("ValueTuple`", StringComparison.Ordinal);
}

/// <summary>
/// The results of a typed function: nothing (for actions), one value, or a value tuple of several values (up to
/// seven). Works without generating code at run time (no <c>MakeGenericType</c>, no <c>Activator</c>), so the typed
/// API runs the same in a NativeAOT program: a tuple is read through <see cref="ITuple"/> and built in place at the
/// offsets of its fields, which <see cref="TupleLayout{T}"/> finds once per tuple type.
/// </summary>
internal static class ResultConverter<T>
{
    public static readonly ValType[] Types = TypesOf();

    private static ValType[] TypesOf()
    {
        if (SlotTypes.IsValueTuple(typeof(T)))
        {
            return TupleLayout<T>.Types;
        }
        return [SlotConverter<T>.Type];
    }

    public static void Write(Store store, Span<ulong> slots, T value)
    {
        store.Activations.Reserve(Types.Length);
        if (Types.Length == 1 && !SlotTypes.IsValueTuple(typeof(T)))
        {
            SlotConverter<T>.Write(store, slots, 0, value);
            return;
        }
        // Multi-value results: rare enough that going through ITuple is fine.
        var tuple = (ITuple)value!;
        int slot = 0;
        for (int i = 0; i < Types.Length; i++)
        {
            store.ToSlots(ToValue(Types[i], tuple[i]), Types[i], slots[slot..]);
            slot += FunctionInstance.SlotsOf(Types[i]);
        }
    }

    public static T Read(Store store, ReadOnlySpan<ulong> slots)
    {
        if (Types.Length == 1 && !SlotTypes.IsValueTuple(typeof(T)))
        {
            return SlotConverter<T>.Read(store, slots, 0);
        }
        T result = default!;
        int slot = 0;
        for (int i = 0; i < Types.Length; i++)
        {
            TupleLayout<T>.Set(ref result, i, store.FromSlots(Types[i], slots[slot..]));
            slot += FunctionInstance.SlotsOf(Types[i]);
        }
        return result;
    }

    private static Value ToValue(ValType type, object? item) => type switch
    {
        ValType.I32 => Value.I32(item is uint u ? (int)u : (int)item!),
        ValType.I64 => Value.I64(item is ulong u ? (long)u : (long)item!),
        ValType.F32 => Value.F32((float)item!),
        ValType.F64 => Value.F64((double)item!),
        ValType.V128 => Value.V128((Vector128<byte>)item!),
        ValType.FuncRef => Value.FuncRef((Function?)item),
        _ => Value.ExternRef(item),
    };
}

/// <summary>
/// Where each element of the value tuple type <typeparamref name="T"/> lies in its memory, found without reflection
/// over fields: a tuple's layout is the runtime's choice (the <c>ValueTuple</c> types have automatic layout), so it is
/// observed instead, by writing probes into a default <typeparamref name="T"/> and reading the elements back through
/// <see cref="ITuple"/>. References are probed with a real object, at pointer-aligned offsets only (where the runtime
/// puts references), so the collector never sees a bad reference; numbers are probed a byte at a time at the offsets
/// that hold no reference (an element's first byte that reads back changed is where it starts).
/// </summary>
internal static class TupleLayout<T>
{
    private static readonly Type[] s_elements = ElementsOf();

    /// <summary>The elements' value types.</summary>
    public static readonly ValType[] Types = s_elements.Select(e => SlotTypes.Of(e)
        ?? throw new NotSupportedException($"{typeof(T)}: {e} has no WebAssembly value type (use int, long, float, double, Vector128<byte>, Function or a reference type)")).ToArray();

    private static readonly int[] s_offsets = FindOffsets();

    // ValueTuple<T1..T7, TRest>: an eighth element nests another tuple; seven results are plenty for a typed delegate.
    private static Type[] ElementsOf()
    {
        Type[] elements = typeof(T).GetGenericArguments();
        return elements.Length <= 7 ? elements
            : throw new NotSupportedException($"{typeof(T)}: at most 7 results in a value tuple (use Function.Invoke for more)");
    }

    /// <summary>Writes element <paramref name="index"/> of <paramref name="tuple"/>.</summary>
    public static void Set(ref T tuple, int index, Value value)
    {
        ref byte field = ref Unsafe.Add(ref Unsafe.As<T, byte>(ref tuple), s_offsets[index]);
        Type type = s_elements[index];
        switch (Types[index])
        {
            case ValType.I32:
                Unsafe.WriteUnaligned(ref field, value.AsI32());
                break;
            case ValType.I64:
                Unsafe.WriteUnaligned(ref field, value.AsI64());
                break;
            case ValType.F32:
                Unsafe.WriteUnaligned(ref field, value.AsF32());
                break;
            case ValType.F64:
                Unsafe.WriteUnaligned(ref field, value.AsF64());
                break;
            case ValType.V128:
                Unsafe.WriteUnaligned(ref field, value.AsV128());
                break;
            default:
                object? reference = Types[index] == ValType.FuncRef ? value.AsFuncRef() : value.AsExternRef();
                if (reference is not null && !type.IsInstanceOfType(reference))
                {
                    throw new InvalidCastException($"result {index + 1} is a {reference.GetType()}, not a {type}");
                }
                // SAFETY: the offset is a reference field of T (FindOffsets saw this element there), and the object is
                // an instance of the field's type (checked above), so T stays well-typed.
                Unsafe.As<byte, object?>(ref field) = reference;
                break;
        }
    }

    private static int[] FindOffsets()
    {
        int size = Unsafe.SizeOf<T>();
        int count = s_elements.Length;
        var offsets = new int[count];
        Array.Fill(offsets, -1);
        var referenceBytes = new bool[size];
        object probe = new();
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            for (int offset = 0; offset + IntPtr.Size <= size; offset += IntPtr.Size)
            {
                T tuple = default!;
                // SAFETY: a pointer-aligned word of T holds either a reference or plain bits; writing a real object there
                // never shows the collector a bad reference, and the tuple is dropped unless the word is an element's.
                Unsafe.As<byte, object>(ref Unsafe.Add(ref Unsafe.As<T, byte>(ref tuple), offset)) = probe;
                var items = (ITuple)tuple!;
                for (int i = 0; i < count; i++)
                {
                    if (!s_elements[i].IsValueType && ReferenceEquals(items[i], probe))
                    {
                        offsets[i] = offset;
                        referenceBytes.AsSpan(offset, IntPtr.Size).Fill(true);
                    }
                }
            }
        }
        for (int offset = 0; offset < size; offset++)
        {
            if (referenceBytes[offset])
            {
                continue;
            }
            T tuple = default!;
            Unsafe.Add(ref Unsafe.As<T, byte>(ref tuple), offset) = 0xFF;
            var items = (ITuple)tuple!;
            for (int i = 0; i < count; i++)
            {
                if (offsets[i] < 0 && s_elements[i].IsValueType && !IsDefault(items[i]))
                {
                    offsets[i] = offset;
                }
            }
        }
        if (offsets.Contains(-1))
        {
            throw new NotSupportedException($"{typeof(T)}: the runtime's layout of the tuple could not be determined");
        }
        return offsets;
    }

    private static bool IsDefault(object? item) => item switch
    {
        int i => i == 0,
        uint u => u == 0,
        long l => l == 0,
        ulong u => u == 0,
        float f => BitConverter.SingleToUInt32Bits(f) == 0,
        double d => BitConverter.DoubleToUInt64Bits(d) == 0,
        Vector128<byte> v => v == Vector128<byte>.Zero,
        _ => true,
    };
}
