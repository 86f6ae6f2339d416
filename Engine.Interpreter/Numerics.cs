using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Engine.Core;

namespace Engine.Interpreter;

/// <summary>
/// The scalar numeric operators whose wasm semantics differ from the obvious C# expression: float
/// min/max and rounding, sign manipulation on bits, trapping and saturating float-to-int truncation,
/// unsigned int-to-float conversion, and integer division. Methods are named after their
/// <see cref="Opcode"/> member (trapping ones get a <c>Try</c> prefix).
/// </summary>
/// <remarks>
/// <para>
/// What is <em>not</em> here maps one to one onto C#: i32/i64 add, sub, mul, and, or, xor and the
/// comparisons; shifts (C# masks the count to 5 or 6 bits, as wasm does); rotates, clz, ctz and popcnt
/// (<see cref="System.Numerics.BitOperations"/>); f32/f64 add, sub, mul, div, sqrt and comparisons
/// (IEEE 754 round-to-nearest-even; a NaN result is the hardware's quiet NaN, which is the arithmetic
/// NaN the spec asks for); sign extensions (casts) and reinterpretations (<see cref="BitConverter"/>).
/// </para>
/// <para>
/// Traps. A trapping operator is a <c>Try</c> method returning false instead of a value; the caller
/// then asks <see cref="TruncationTrap(float)"/> or <see cref="IntegerDivisionTrap"/> for the trap
/// code. Keeping the classification out of the hot method keeps that method small and branch-light.
/// </para>
/// </remarks>
public static class Numerics
{
    // ------------------------------------------------------------------------------------------------
    // Float min/max: NaN if either operand is NaN, and -0 below +0 (unlike Math.Min of old, and
    // unlike minss/maxsd, which return the second operand for NaN and for equal zeros).
    // ------------------------------------------------------------------------------------------------

    /// <summary><c>f32.min</c>: a canonical NaN when either operand is NaN; -0 is below +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32Min(float x, float y) =>
        // The lane-wise version is branch-free (five SSE instructions), so it beats branches on
        // unpredictable data; only lane 0 is used.
        SimdOps.WasmMin(Vector128.CreateScalarUnsafe(x), Vector128.CreateScalarUnsafe(y)).ToScalar();

    /// <summary><c>f32.max</c>: a canonical NaN when either operand is NaN; +0 is above -0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32Max(float x, float y) =>
        SimdOps.WasmMax(Vector128.CreateScalarUnsafe(x), Vector128.CreateScalarUnsafe(y)).ToScalar();

    /// <summary><c>f64.min</c>: a canonical NaN when either operand is NaN; -0 is below +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64Min(double x, double y) =>
        SimdOps.WasmMin(Vector128.CreateScalarUnsafe(x), Vector128.CreateScalarUnsafe(y)).ToScalar();

    /// <summary><c>f64.max</c>: a canonical NaN when either operand is NaN; +0 is above -0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64Max(double x, double y) =>
        SimdOps.WasmMax(Vector128.CreateScalarUnsafe(x), Vector128.CreateScalarUnsafe(y)).ToScalar();

    // ------------------------------------------------------------------------------------------------
    // Rounding. MathF/Math round in the IEEE way (roundss/roundsd on SSE4.1, frint* on Arm), keep the
    // sign of zero (ceil(-0.5) is -0) and quiet NaNs.
    // ------------------------------------------------------------------------------------------------

    /// <summary><c>f32.ceil</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32Ceil(float x) => MathF.Ceiling(x);

    /// <summary><c>f32.floor</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32Floor(float x) => MathF.Floor(x);

    /// <summary><c>f32.trunc</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32Trunc(float x) => MathF.Truncate(x);

    /// <summary><c>f32.nearest</c>: round to the nearest integer, ties to even (not away from zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32Nearest(float x) => MathF.Round(x, MidpointRounding.ToEven);

    /// <summary><c>f64.ceil</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64Ceil(double x) => Math.Ceiling(x);

    /// <summary><c>f64.floor</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64Floor(double x) => Math.Floor(x);

    /// <summary><c>f64.trunc</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64Trunc(double x) => Math.Truncate(x);

    /// <summary><c>f64.nearest</c>: round to the nearest integer, ties to even (not away from zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64Nearest(double x) => Math.Round(x, MidpointRounding.ToEven);

    // ------------------------------------------------------------------------------------------------
    // Sign operators work on the bits, so NaN payloads pass through unchanged.
    // ------------------------------------------------------------------------------------------------

    /// <summary><c>f32.abs</c>: clears the sign bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32Abs(float x) => BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(x) & 0x7FFF_FFFFu);

    /// <summary><c>f32.neg</c>: flips the sign bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32Neg(float x) => BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(x) ^ 0x8000_0000u);

    /// <summary><c>f32.copysign</c>: the magnitude bits of <paramref name="magnitude"/> with the sign bit of <paramref name="sign"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32Copysign(float magnitude, float sign) =>
        BitConverter.UInt32BitsToSingle(
            (BitConverter.SingleToUInt32Bits(magnitude) & 0x7FFF_FFFFu) | (BitConverter.SingleToUInt32Bits(sign) & 0x8000_0000u));

    /// <summary><c>f64.abs</c>: clears the sign bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64Abs(double x) =>
        BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(x) & 0x7FFF_FFFF_FFFF_FFFFul);

    /// <summary><c>f64.neg</c>: flips the sign bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64Neg(double x) =>
        BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(x) ^ 0x8000_0000_0000_0000ul);

    /// <summary><c>f64.copysign</c>: the magnitude bits of <paramref name="magnitude"/> with the sign bit of <paramref name="sign"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64Copysign(double magnitude, double sign) =>
        BitConverter.UInt64BitsToDouble(
            (BitConverter.DoubleToUInt64Bits(magnitude) & 0x7FFF_FFFF_FFFF_FFFFul) |
            (BitConverter.DoubleToUInt64Bits(sign) & 0x8000_0000_0000_0000ul));

    // ------------------------------------------------------------------------------------------------
    // Trapping float-to-int truncation. Each Try method computes the (saturated) conversion and
    // whether the operand was in range, without a branch; a NaN fails both range comparisons.
    // The bounds are the first float values whose truncation leaves the target range, and all of
    // them are exactly representable in the source type.
    // ------------------------------------------------------------------------------------------------

    /// <summary><c>i32.trunc_f32_s</c>: false (trap) when <paramref name="value"/> is NaN or its truncation is outside [-2^31, 2^31).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryI32TruncF32S(float value, out int result)
    {
        result = (int)value;
        return value >= -2147483648f & value < 2147483648f;
    }

    /// <summary><c>i32.trunc_f32_u</c>: false (trap) when <paramref name="value"/> is NaN or its truncation is outside [0, 2^32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryI32TruncF32U(float value, out int result)
    {
        result = (int)(uint)value;
        return value > -1f & value < 4294967296f;
    }

    /// <summary><c>i32.trunc_f64_s</c>: false (trap) when <paramref name="value"/> is NaN or its truncation is outside [-2^31, 2^31).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryI32TruncF64S(double value, out int result)
    {
        result = (int)value;
        return value > -2147483649.0 & value < 2147483648.0;
    }

    /// <summary><c>i32.trunc_f64_u</c>: false (trap) when <paramref name="value"/> is NaN or its truncation is outside [0, 2^32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryI32TruncF64U(double value, out int result)
    {
        result = (int)(uint)value;
        return value > -1.0 & value < 4294967296.0;
    }

    /// <summary><c>i64.trunc_f32_s</c>: false (trap) when <paramref name="value"/> is NaN or its truncation is outside [-2^63, 2^63).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryI64TruncF32S(float value, out long result)
    {
        result = (long)value;
        return value >= -9223372036854775808f & value < 9223372036854775808f;
    }

    /// <summary><c>i64.trunc_f32_u</c>: false (trap) when <paramref name="value"/> is NaN or its truncation is outside [0, 2^64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryI64TruncF32U(float value, out long result)
    {
        result = (long)(ulong)value;
        return value > -1f & value < 18446744073709551616f;
    }

    /// <summary><c>i64.trunc_f64_s</c>: false (trap) when <paramref name="value"/> is NaN or its truncation is outside [-2^63, 2^63).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryI64TruncF64S(double value, out long result)
    {
        result = (long)value;
        return value >= -9223372036854775808.0 & value < 9223372036854775808.0;
    }

    /// <summary><c>i64.trunc_f64_u</c>: false (trap) when <paramref name="value"/> is NaN or its truncation is outside [0, 2^64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryI64TruncF64U(double value, out long result)
    {
        result = (long)(ulong)value;
        return value > -1.0 & value < 18446744073709551616.0;
    }

    /// <summary>The trap of a failed f32 truncation: invalid conversion for NaN, integer overflow otherwise.</summary>
    public static TrapCode TruncationTrap(float value) =>
        float.IsNaN(value) ? TrapCode.InvalidConversionToInteger : TrapCode.IntegerOverflow;

    /// <summary>The trap of a failed f64 truncation: invalid conversion for NaN, integer overflow otherwise.</summary>
    public static TrapCode TruncationTrap(double value) =>
        double.IsNaN(value) ? TrapCode.InvalidConversionToInteger : TrapCode.IntegerOverflow;

    // ------------------------------------------------------------------------------------------------
    // Saturating truncation. Since .NET 9 every float-to-int cast saturates and maps NaN to 0 on all
    // platforms (cvttss2si plus a fix-up on x64), which is exactly trunc_sat; SaturationTests pins it.
    // ------------------------------------------------------------------------------------------------

    /// <summary><c>i32.trunc_sat_f32_s</c>: truncate, clamp to [-2^31, 2^31-1], NaN to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I32TruncSatF32S(float value) => (int)value;

    /// <summary><c>i32.trunc_sat_f32_u</c>: truncate, clamp to [0, 2^32-1], NaN to 0; the result is the u32's bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I32TruncSatF32U(float value) => (int)(uint)value;

    /// <summary><c>i32.trunc_sat_f64_s</c>: truncate, clamp to [-2^31, 2^31-1], NaN to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I32TruncSatF64S(double value) => (int)value;

    /// <summary><c>i32.trunc_sat_f64_u</c>: truncate, clamp to [0, 2^32-1], NaN to 0; the result is the u32's bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I32TruncSatF64U(double value) => (int)(uint)value;

    /// <summary><c>i64.trunc_sat_f32_s</c>: truncate, clamp to [-2^63, 2^63-1], NaN to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long I64TruncSatF32S(float value) => (long)value;

    /// <summary><c>i64.trunc_sat_f32_u</c>: truncate, clamp to [0, 2^64-1], NaN to 0; the result is the u64's bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long I64TruncSatF32U(float value) => (long)(ulong)value;

    /// <summary><c>i64.trunc_sat_f64_s</c>: truncate, clamp to [-2^63, 2^63-1], NaN to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long I64TruncSatF64S(double value) => (long)value;

    /// <summary><c>i64.trunc_sat_f64_u</c>: truncate, clamp to [0, 2^64-1], NaN to 0; the result is the u64's bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long I64TruncSatF64U(double value) => (long)(ulong)value;

    // ------------------------------------------------------------------------------------------------
    // Int-to-float conversion, each rounded once to nearest even.
    // ------------------------------------------------------------------------------------------------

    /// <summary><c>f32.convert_i32_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32ConvertI32S(int value) => value;

    /// <summary><c>f32.convert_i32_u</c>: <paramref name="value"/>'s bits read as a u32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32ConvertI32U(int value) => (long)(uint)value; // every u32 is a non-negative i64: one rounding

    /// <summary><c>f32.convert_i64_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32ConvertI64S(long value) => value;

    /// <summary><c>f32.convert_i64_u</c>: <paramref name="value"/>'s bits read as a u64, correctly rounded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32ConvertI64U(long value)
    {
        if (value >= 0)
        {
            return value;
        }
        // Halve into the signed range, keeping the lost bit as a sticky bit so that the one rounding
        // of the signed conversion still sees it; doubling is exact.
        long halved = (long)((ulong)value >> 1) | (value & 1);
        return (float)halved * 2f;
    }

    /// <summary><c>f64.convert_i32_s</c> (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64ConvertI32S(int value) => value;

    /// <summary><c>f64.convert_i32_u</c> (exact): <paramref name="value"/>'s bits read as a u32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64ConvertI32U(int value) => (uint)value;

    /// <summary><c>f64.convert_i64_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64ConvertI64S(long value) => value;

    /// <summary><c>f64.convert_i64_u</c>: <paramref name="value"/>'s bits read as a u64, correctly rounded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64ConvertI64U(long value)
    {
        if (value >= 0)
        {
            return value;
        }
        long halved = (long)((ulong)value >> 1) | (value & 1); // see F32ConvertI64U
        return (double)halved * 2.0;
    }

    /// <summary><c>f32.demote_f64</c>: rounded to nearest even; a NaN stays a (quiet) NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32DemoteF64(double value) => (float)value;

    /// <summary><c>f64.promote_f32</c>: exact; a NaN stays a (quiet) NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64PromoteF32(float value) => value;

    // ------------------------------------------------------------------------------------------------
    // Integer division. C# throws where wasm traps, and also for MIN % -1, which wasm defines as 0.
    // ------------------------------------------------------------------------------------------------

    /// <summary><c>i32.div_s</c>: false (trap) on a zero divisor or for -2^31 / -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryI32DivS(int dividend, int divisor, out int quotient)
    {
        if (divisor == 0 || (dividend == int.MinValue && divisor == -1))
        {
            quotient = 0;
            return false;
        }
        quotient = dividend / divisor;
        return true;
    }

    /// <summary><c>i32.div_u</c>: false (trap) on a zero divisor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryI32DivU(int dividend, int divisor, out int quotient)
    {
        if (divisor == 0)
        {
            quotient = 0;
            return false;
        }
        quotient = (int)((uint)dividend / (uint)divisor);
        return true;
    }

    /// <summary><c>i32.rem_s</c>: false (trap) on a zero divisor; the sign follows the dividend, and -2^31 rem -1 is 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryI32RemS(int dividend, int divisor, out int remainder)
    {
        if (divisor == 0)
        {
            remainder = 0;
            return false;
        }
        remainder = divisor == -1 ? 0 : dividend % divisor;
        return true;
    }

    /// <summary><c>i32.rem_u</c>: false (trap) on a zero divisor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryI32RemU(int dividend, int divisor, out int remainder)
    {
        if (divisor == 0)
        {
            remainder = 0;
            return false;
        }
        remainder = (int)((uint)dividend % (uint)divisor);
        return true;
    }

    /// <summary><c>i64.div_s</c>: false (trap) on a zero divisor or for -2^63 / -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryI64DivS(long dividend, long divisor, out long quotient)
    {
        if (divisor == 0 || (dividend == long.MinValue && divisor == -1))
        {
            quotient = 0;
            return false;
        }
        quotient = dividend / divisor;
        return true;
    }

    /// <summary><c>i64.div_u</c>: false (trap) on a zero divisor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryI64DivU(long dividend, long divisor, out long quotient)
    {
        if (divisor == 0)
        {
            quotient = 0;
            return false;
        }
        quotient = (long)((ulong)dividend / (ulong)divisor);
        return true;
    }

    /// <summary><c>i64.rem_s</c>: false (trap) on a zero divisor; the sign follows the dividend, and -2^63 rem -1 is 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryI64RemS(long dividend, long divisor, out long remainder)
    {
        if (divisor == 0)
        {
            remainder = 0;
            return false;
        }
        remainder = divisor == -1 ? 0 : dividend % divisor;
        return true;
    }

    /// <summary><c>i64.rem_u</c>: false (trap) on a zero divisor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryI64RemU(long dividend, long divisor, out long remainder)
    {
        if (divisor == 0)
        {
            remainder = 0;
            return false;
        }
        remainder = (long)((ulong)dividend % (ulong)divisor);
        return true;
    }

    /// <summary>
    /// The trap of a failed division or remainder: divide by zero for a zero divisor, integer overflow
    /// otherwise (only signed MIN / -1 fails with a non-zero divisor).
    /// </summary>
    public static TrapCode IntegerDivisionTrap(long divisor) =>
        divisor == 0 ? TrapCode.IntegerDivideByZero : TrapCode.IntegerOverflow;
}
