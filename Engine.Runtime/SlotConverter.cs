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

    private static ValType TypeOf()
    {
        if (typeof(T) == typeof(int) || typeof(T) == typeof(uint))
        {
            return ValType.I32;
        }
        if (typeof(T) == typeof(long) || typeof(T) == typeof(ulong))
        {
            return ValType.I64;
        }
        if (typeof(T) == typeof(float))
        {
            return ValType.F32;
        }
        if (typeof(T) == typeof(double))
        {
            return ValType.F64;
        }
        if (typeof(T) == typeof(Vector128<byte>))
        {
            return ValType.V128;
        }
        if (typeof(T) == typeof(Function))
        {
            return ValType.FuncRef;
        }
        if (!typeof(T).IsValueType)
        {
            return ValType.ExternRef;
        }
        throw new NotSupportedException($"{typeof(T)} has no WebAssembly value type (use int, long, float, double, Vector128<byte>, Function or a reference type)");
    }

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

/// <summary>The results of a typed function: nothing (for actions), one value, or a value tuple of 2 to 4 values.</summary>
internal static class ResultConverter<T>
{
    public static readonly ValType[] Types = TypesOf();

    private static ValType[] TypesOf()
    {
        Type type = typeof(T);
        if (type.IsGenericType && type.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal))
        {
            return type.GetGenericArguments().Select(ValTypeOf).ToArray();
        }
        return [SlotConverter<T>.Type];
    }

    private static ValType ValTypeOf(Type type) =>
        (ValType)typeof(SlotConverter<>).MakeGenericType(type).GetField(nameof(SlotConverter<int>.Type))!.GetValue(null)!;

    public static void Write(Store store, Span<ulong> slots, T value)
    {
        store.Activations.Reserve(Types.Length);
        if (Types.Length == 1)
        {
            SlotConverter<T>.Write(store, slots, 0, value);
            return;
        }
        // Multi-value results: rare enough that going through ITuple is fine.
        var tuple = (System.Runtime.CompilerServices.ITuple)value!;
        int slot = 0;
        for (int i = 0; i < Types.Length; i++)
        {
            Value v = ToValue(Types[i], tuple[i]);
            store.ToSlots(v, Types[i], slots[slot..]);
            slot += FunctionInstance.SlotsOf(Types[i]);
        }
    }

    public static T Read(Store store, ReadOnlySpan<ulong> slots)
    {
        if (Types.Length == 1)
        {
            return SlotConverter<T>.Read(store, slots, 0);
        }
        object?[] items = new object?[Types.Length];
        int slot = 0;
        for (int i = 0; i < Types.Length; i++)
        {
            items[i] = FromValue(store.FromSlots(Types[i], slots[slot..]), typeof(T).GetGenericArguments()[i]);
            slot += FunctionInstance.SlotsOf(Types[i]);
        }
        return (T)Activator.CreateInstance(typeof(T), items)!;
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

    private static object? FromValue(Value value, Type type) => value.Type switch
    {
        ValType.I32 => type == typeof(uint) ? (uint)value.AsI32() : value.AsI32(),
        ValType.I64 => type == typeof(ulong) ? (ulong)value.AsI64() : value.AsI64(),
        ValType.F32 => value.AsF32(),
        ValType.F64 => value.AsF64(),
        ValType.V128 => value.AsV128(),
        ValType.FuncRef => value.AsFuncRef(),
        _ => value.AsExternRef(),
    };
}
