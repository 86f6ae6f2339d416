using Engine.Core;
using System.Runtime.CompilerServices;

namespace Engine.Interpreter;

/// <summary>Float operations whose wasm semantics differ from C#'s operators.</summary>
internal static class FloatOps
{
    /// <summary>wasm <c>f32.min</c>: NaN when either operand is NaN (quieted), -0 below +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Min(float a, float b) => float.IsNaN(a) || float.IsNaN(b) ? a + b : MathF.Min(a, b);

    /// <summary>wasm <c>f32.max</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(float a, float b) => float.IsNaN(a) || float.IsNaN(b) ? a + b : MathF.Max(a, b);

    /// <summary>wasm <c>f64.min</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Min(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? a + b : Math.Min(a, b);

    /// <summary>wasm <c>f64.max</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Max(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? a + b : Math.Max(a, b);

    /// <summary>The trap for a failed trapping conversion: NaN is an invalid conversion, anything else an overflow.</summary>
    public static TrapException ConversionTrap(double value) =>
        new(double.IsNaN(value) ? TrapCode.InvalidConversionToInteger : TrapCode.IntegerOverflow);

    /// <summary>The code of that trap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TrapCode ConversionTrapCode(double value) =>
        double.IsNaN(value) ? TrapCode.InvalidConversionToInteger : TrapCode.IntegerOverflow;

    // Saturating truncations: NaN -> 0, out of range -> the nearest bound. Written out rather than
    // relying on the runtime's cast behaviour, which only became saturating on x64 in .NET 9.

    public static int SaturateToInt32(double value) =>
        double.IsNaN(value) ? 0 : value <= -2147483648.0 ? int.MinValue : value >= 2147483647.0 ? int.MaxValue : (int)value;

    public static uint SaturateToUInt32(double value) =>
        double.IsNaN(value) || value <= 0 ? 0u : value >= 4294967295.0 ? uint.MaxValue : (uint)value;

    public static long SaturateToInt64(double value) =>
        double.IsNaN(value) ? 0 : value <= -9223372036854775808.0 ? long.MinValue : value >= 9223372036854775808.0 ? long.MaxValue : (long)value;

    public static ulong SaturateToUInt64(double value) =>
        double.IsNaN(value) || value <= 0 ? 0ul : value >= 18446744073709551616.0 ? ulong.MaxValue : (ulong)value;

    /// <summary>u64 to f32 with one rounding (round to nearest, ties to even).</summary>
    public static float UInt64ToSingle(ulong value)
    {
        if ((long)value >= 0)
        {
            return (long)value;
        }
        // Halve with the lost bit folded into bit 0 (round to odd) so the single rounding below is exact.
        ulong halved = (value >> 1) | (value & 1);
        return (float)(long)halved * 2.0f;
    }

    /// <summary>u64 to f64 with one rounding.</summary>
    public static double UInt64ToDouble(ulong value)
    {
        if ((long)value >= 0)
        {
            return (long)value;
        }
        ulong halved = (value >> 1) | (value & 1);
        return (double)(long)halved * 2.0;
    }
}
