using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Interpreter;

/// <summary>
/// Relaxed SIMD (3.0): one deterministic choice per operator, the one x86 makes natively where a single instruction
/// does the job (as wasmtime does), else the strict operator's result; the compilers emit the same (tiers.md,
/// "Relaxed SIMD"), so a result never depends on when a function tiered up.
/// </summary>
public static partial class SimdOps
{
    /// <summary><c>i8x16.relaxed_swizzle</c> as pshufb: 0 where the index has bit 7 set, else <c>a[index &amp; 15]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16RelaxedSwizzle(Vector128<byte> a, Vector128<byte> s)
    {
        Span<byte> result = stackalloc byte[16];
        for (int i = 0; i < 16; i++)
        {
            byte index = s.GetElement(i);
            result[i] = (index & 0x80) != 0 ? (byte)0 : a.GetElement(index & 15);
        }
        return Vector128.Create<byte>(result);
    }

    /// <summary>cvttps2dq / cvttpd2dq: the truncation, or <c>int.MinValue</c> for NaN and out-of-range lanes.</summary>
    private static int TruncateOrMin(double value) =>
        double.IsNaN(value) || value <= -2147483649.0 || value >= 2147483648.0 ? int.MinValue : (int)value;

    /// <summary><c>i32x4.relaxed_trunc_f32x4_s</c> as cvttps2dq (NaN and out-of-range lanes give <c>int.MinValue</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4RelaxedTruncF32x4S(Vector128<byte> a)
    {
        Vector128<float> f = a.AsSingle();
        return Vector128.Create(TruncateOrMin(f[0]), TruncateOrMin(f[1]), TruncateOrMin(f[2]), TruncateOrMin(f[3])).AsByte();
    }

    /// <summary><c>i32x4.relaxed_trunc_f32x4_u</c>: the saturating truncation (x86 has no single instruction for it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4RelaxedTruncF32x4U(Vector128<byte> a) => I32x4TruncSatF32x4U(a);

    /// <summary><c>i32x4.relaxed_trunc_f64x2_s_zero</c> as cvttpd2dq (bad lanes give <c>int.MinValue</c>; lanes 2 and 3 are 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4RelaxedTruncF64x2SZero(Vector128<byte> a)
    {
        Vector128<double> f = a.AsDouble();
        return Vector128.Create(TruncateOrMin(f[0]), TruncateOrMin(f[1]), 0, 0).AsByte();
    }

    /// <summary><c>i32x4.relaxed_trunc_f64x2_u_zero</c>: the saturating truncation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4RelaxedTruncF64x2UZero(Vector128<byte> a) => I32x4TruncSatF64x2UZero(a);

    /// <summary><c>f32x4.relaxed_madd</c>: <c>a * b + c</c>, not fused (two roundings: no FMA needed in any tier).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4RelaxedMadd(Vector128<byte> a, Vector128<byte> b, Vector128<byte> c) =>
        (a.AsSingle() * b.AsSingle() + c.AsSingle()).AsByte();

    /// <summary><c>f32x4.relaxed_nmadd</c>: <c>c - a * b</c>, not fused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4RelaxedNmadd(Vector128<byte> a, Vector128<byte> b, Vector128<byte> c) =>
        (c.AsSingle() - a.AsSingle() * b.AsSingle()).AsByte();

    /// <summary><c>f64x2.relaxed_madd</c>: <c>a * b + c</c>, not fused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2RelaxedMadd(Vector128<byte> a, Vector128<byte> b, Vector128<byte> c) =>
        (a.AsDouble() * b.AsDouble() + c.AsDouble()).AsByte();

    /// <summary><c>f64x2.relaxed_nmadd</c>: <c>c - a * b</c>, not fused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2RelaxedNmadd(Vector128<byte> a, Vector128<byte> b, Vector128<byte> c) =>
        (c.AsDouble() - a.AsDouble() * b.AsDouble()).AsByte();

    /// <summary><c>i8x16.relaxed_laneselect</c>: <c>v128.bitselect</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16RelaxedLaneselect(Vector128<byte> a, Vector128<byte> b, Vector128<byte> m) => V128Bitselect(a, b, m);

    /// <summary><c>i16x8.relaxed_laneselect</c>: <c>v128.bitselect</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8RelaxedLaneselect(Vector128<byte> a, Vector128<byte> b, Vector128<byte> m) => V128Bitselect(a, b, m);

    /// <summary><c>i32x4.relaxed_laneselect</c>: <c>v128.bitselect</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4RelaxedLaneselect(Vector128<byte> a, Vector128<byte> b, Vector128<byte> m) => V128Bitselect(a, b, m);

    /// <summary><c>i64x2.relaxed_laneselect</c>: <c>v128.bitselect</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2RelaxedLaneselect(Vector128<byte> a, Vector128<byte> b, Vector128<byte> m) => V128Bitselect(a, b, m);

    /// <summary><c>f32x4.relaxed_min</c> as minps: <c>a &lt; b ? a : b</c> (b when either is NaN or both are zeros).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4RelaxedMin(Vector128<byte> a, Vector128<byte> b)
    {
        Vector128<float> x = a.AsSingle(), y = b.AsSingle();
        return Vector128.ConditionalSelect(Vector128.LessThan(x, y), x, y).AsByte();
    }

    /// <summary><c>f32x4.relaxed_max</c> as maxps: <c>a &gt; b ? a : b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4RelaxedMax(Vector128<byte> a, Vector128<byte> b)
    {
        Vector128<float> x = a.AsSingle(), y = b.AsSingle();
        return Vector128.ConditionalSelect(Vector128.GreaterThan(x, y), x, y).AsByte();
    }

    /// <summary><c>f64x2.relaxed_min</c> as minpd.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2RelaxedMin(Vector128<byte> a, Vector128<byte> b)
    {
        Vector128<double> x = a.AsDouble(), y = b.AsDouble();
        return Vector128.ConditionalSelect(Vector128.LessThan(x, y), x, y).AsByte();
    }

    /// <summary><c>f64x2.relaxed_max</c> as maxpd.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2RelaxedMax(Vector128<byte> a, Vector128<byte> b)
    {
        Vector128<double> x = a.AsDouble(), y = b.AsDouble();
        return Vector128.ConditionalSelect(Vector128.GreaterThan(x, y), x, y).AsByte();
    }

    /// <summary><c>i16x8.relaxed_q15mulr_s</c> as pmulhrsw: <c>(a * b + 0x4000) &gt;&gt; 15</c> wrapped to 16 bits (-32768² gives -32768).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8RelaxedQ15mulrS(Vector128<byte> a, Vector128<byte> b)
    {
        Vector128<short> x = a.AsInt16(), y = b.AsInt16();
        Span<short> result = stackalloc short[8];
        for (int i = 0; i < 8; i++)
        {
            result[i] = (short)((x[i] * y[i] + 0x4000) >> 15);
        }
        return Vector128.Create<short>(result).AsByte();
    }

    /// <summary>pmaddubsw(b, a): <c>b</c>'s bytes unsigned times <c>a</c>'s signed, adjacent pairs added with signed saturation.</summary>
    private static short DotPair(Vector128<byte> a, Vector128<byte> b, int i)
    {
        int sum = b.GetElement(2 * i) * (sbyte)a.GetElement(2 * i) + b.GetElement(2 * i + 1) * (sbyte)a.GetElement(2 * i + 1);
        return (short)Math.Clamp(sum, short.MinValue, short.MaxValue);
    }

    /// <summary><c>i16x8.relaxed_dot_i8x16_i7x16_s</c> as pmaddubsw with <c>b</c> unsigned (exact for b's lanes in 0..127).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8RelaxedDotI8x16I7x16S(Vector128<byte> a, Vector128<byte> b)
    {
        Span<short> result = stackalloc short[8];
        for (int i = 0; i < 8; i++)
        {
            result[i] = DotPair(a, b, i);
        }
        return Vector128.Create<short>(result).AsByte();
    }

    /// <summary><c>i32x4.relaxed_dot_i8x16_i7x16_add_s</c>: pmaddubsw, then pmaddwd by ones (the pairs of 16-bit sums), plus <c>c</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4RelaxedDotI8x16I7x16AddS(Vector128<byte> a, Vector128<byte> b, Vector128<byte> c)
    {
        Vector128<int> acc = c.AsInt32();
        Span<int> result = stackalloc int[4];
        for (int j = 0; j < 4; j++)
        {
            result[j] = DotPair(a, b, 2 * j) + DotPair(a, b, 2 * j + 1) + acc[j];
        }
        return Vector128.Create<int>(result).AsByte();
    }
}
