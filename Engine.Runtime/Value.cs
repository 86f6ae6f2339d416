using System.Runtime.Intrinsics;
using Engine.Core;

namespace Engine.Runtime;

/// <summary>
/// A WebAssembly value as .NET sees it: a number, a v128, or a reference (an <c>externref</c> is any
/// .NET object or null; a <c>funcref</c> is a <see cref="Function"/> or null).
/// </summary>
public readonly struct Value : IEquatable<Value>
{
    private readonly ulong _low;
    private readonly ulong _high;
    private readonly object? _reference;

    private Value(ValType type, ulong low, ulong high = 0, object? reference = null)
    {
        Type = type;
        _low = low;
        _high = high;
        _reference = reference;
    }

    /// <summary>The value's type.</summary>
    public ValType Type { get; }

    /// <summary>An i32.</summary>
    public static Value I32(int value) => new(ValType.I32, (uint)value);

    /// <summary>An i64.</summary>
    public static Value I64(long value) => new(ValType.I64, (ulong)value);

    /// <summary>An f32.</summary>
    public static Value F32(float value) => new(ValType.F32, BitConverter.SingleToUInt32Bits(value));

    /// <summary>An f64.</summary>
    public static Value F64(double value) => new(ValType.F64, BitConverter.DoubleToUInt64Bits(value));

    /// <summary>An f32 from its bit pattern (any NaN payload kept).</summary>
    public static Value F32Bits(uint bits) => new(ValType.F32, bits);

    /// <summary>An f64 from its bit pattern (any NaN payload kept).</summary>
    public static Value F64Bits(ulong bits) => new(ValType.F64, bits);

    /// <summary>A v128.</summary>
    public static Value V128(Vector128<byte> value) => new(ValType.V128, value.AsUInt64().GetElement(0), value.AsUInt64().GetElement(1));

    /// <summary>An externref holding <paramref name="value"/> (null is the null reference).</summary>
    public static Value ExternRef(object? value) => new(ValType.ExternRef, 0, 0, value);

    /// <summary>A funcref (null is the null reference).</summary>
    public static Value FuncRef(Function? function) => new(ValType.FuncRef, 0, 0, function);

    /// <summary>The null reference of a reference type.</summary>
    public static Value Null(ValType referenceType) => referenceType.IsReference()
        ? new Value(referenceType, 0)
        : throw new ArgumentException($"{referenceType.ToWatName()} is not a reference type", nameof(referenceType));

    /// <summary>The zero (or null) value of a type.</summary>
    public static Value Default(ValType type) => new(type, 0);

    /// <summary>Converts an int to an i32 value.</summary>
    public static implicit operator Value(int value) => I32(value);

    /// <summary>Converts a long to an i64 value.</summary>
    public static implicit operator Value(long value) => I64(value);

    /// <summary>Converts a float to an f32 value.</summary>
    public static implicit operator Value(float value) => F32(value);

    /// <summary>Converts a double to an f64 value.</summary>
    public static implicit operator Value(double value) => F64(value);

    /// <summary>The i32 (throws when the value is not one).</summary>
    public int AsI32() => Type == ValType.I32 ? (int)_low : throw WrongType(ValType.I32);

    /// <summary>The i64.</summary>
    public long AsI64() => Type == ValType.I64 ? (long)_low : throw WrongType(ValType.I64);

    /// <summary>The f32.</summary>
    public float AsF32() => Type == ValType.F32 ? BitConverter.UInt32BitsToSingle((uint)_low) : throw WrongType(ValType.F32);

    /// <summary>The f64.</summary>
    public double AsF64() => Type == ValType.F64 ? BitConverter.UInt64BitsToDouble(_low) : throw WrongType(ValType.F64);

    /// <summary>The v128.</summary>
    public Vector128<byte> AsV128() => Type == ValType.V128 ? Vector128.Create(_low, _high).AsByte() : throw WrongType(ValType.V128);

    /// <summary>The object an externref holds (null for the null reference).</summary>
    public object? AsExternRef() => Type == ValType.ExternRef ? _reference : throw WrongType(ValType.ExternRef);

    /// <summary>The function a funcref refers to (null for the null reference).</summary>
    public Function? AsFuncRef() => Type == ValType.FuncRef ? (Function?)_reference : throw WrongType(ValType.FuncRef);

    /// <summary>True for a null reference.</summary>
    public bool IsNull => Type.IsReference() && _reference is null;

    /// <summary>The raw bits of a number (f32 and f64 as their IEEE patterns); the low half of a v128.</summary>
    public ulong Bits => _low;

    /// <summary>The high half of a v128.</summary>
    public ulong HighBits => _high;

    internal object? Reference => _reference;

    /// <summary>A value from slot bits; an i32 or f32 keeps only the low 4 bytes (the high 4 of its slot are undefined).</summary>
    internal static Value FromBits(ValType type, ulong low, ulong high = 0) =>
        new(type, type is ValType.I32 or ValType.F32 ? (uint)low : low, high);

    private InvalidOperationException WrongType(ValType wanted) =>
        new($"the value is {Type.ToWatName()}, not {wanted.ToWatName()}");

    /// <inheritdoc/>
    public bool Equals(Value other) =>
        Type == other.Type && _low == other._low && _high == other._high && Equals(_reference, other._reference);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Value other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, _low, _high, _reference);

    /// <inheritdoc/>
    public override string ToString() => Type switch
    {
        ValType.I32 => $"i32:{(int)_low}",
        ValType.I64 => $"i64:{(long)_low}",
        ValType.F32 => $"f32:{BitConverter.UInt32BitsToSingle((uint)_low)}",
        ValType.F64 => $"f64:{BitConverter.UInt64BitsToDouble(_low)}",
        ValType.V128 => $"v128:0x{_high:x16}{_low:x16}",
        ValType.ExternRef => _reference is null ? "externref:null" : $"externref:{_reference}",
        ValType.FuncRef => _reference is null ? "funcref:null" : $"funcref:{_reference}",
        _ => "?",
    };
}
