using Engine.Core;
using Engine.Interpreter;
using NUnit.Framework;

namespace Engine.Tests.Simd;

/// <summary>Edge cases of <see cref="Numerics"/>.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class NumericsTests
{
    private static readonly float s_signallingNaN32 = FloatBits(0x7FA0_0000);
    private static readonly double s_signallingNaN64 = DoubleBits(0x7FF4_0000_0000_0000);

    [Test]
    public void MinMaxFollowWasmNaNAndZeroRules()
    {
        Assert.That(Bits(Numerics.F32Min(0f, -0f)), Is.EqualTo(0x8000_0000u));
        Assert.That(Bits(Numerics.F32Min(-0f, 0f)), Is.EqualTo(0x8000_0000u));
        Assert.That(Bits(Numerics.F32Max(-0f, 0f)), Is.EqualTo(0u));
        Assert.That(Bits(Numerics.F32Max(0f, -0f)), Is.EqualTo(0u));
        Assert.That(Numerics.F32Min(1f, -2f), Is.EqualTo(-2f));
        Assert.That(Numerics.F32Max(float.NegativeInfinity, -2f), Is.EqualTo(-2f));
        Assert.That(IsArithmeticNaN(Numerics.F32Min(s_signallingNaN32, 1f)), Is.True, "a signalling NaN comes back quiet");
        Assert.That(IsArithmeticNaN(Numerics.F32Max(1f, s_signallingNaN32)), Is.True);
        Assert.That(IsArithmeticNaN(Numerics.F32Min(float.NaN, float.NegativeInfinity)), Is.True);

        Assert.That(Bits(Numerics.F64Min(0.0, -0.0)), Is.EqualTo(0x8000_0000_0000_0000ul));
        Assert.That(Bits(Numerics.F64Max(-0.0, 0.0)), Is.EqualTo(0ul));
        Assert.That(Numerics.F64Max(3.0, double.PositiveInfinity), Is.EqualTo(double.PositiveInfinity));
        Assert.That(IsArithmeticNaN(Numerics.F64Max(s_signallingNaN64, 1.0)), Is.True);
        Assert.That(IsArithmeticNaN(Numerics.F64Min(2.0, double.NaN)), Is.True);
    }

    [Test]
    public void RoundingKeepsSignedZerosAndRoundsTiesToEven()
    {
        Assert.That(Bits(Numerics.F32Nearest(-0.5f)), Is.EqualTo(0x8000_0000u));
        Assert.That(Numerics.F32Nearest(0.5f), Is.EqualTo(0f));
        Assert.That(Numerics.F32Nearest(1.5f), Is.EqualTo(2f));
        Assert.That(Numerics.F32Nearest(2.5f), Is.EqualTo(2f));
        Assert.That(Numerics.F32Nearest(-3.5f), Is.EqualTo(-4f));
        Assert.That(Numerics.F32Nearest(8388609f), Is.EqualTo(8388609f), "already an integer");
        Assert.That(Numerics.F64Nearest(4.5), Is.EqualTo(4.0));
        Assert.That(Bits(Numerics.F64Nearest(-0.25)), Is.EqualTo(0x8000_0000_0000_0000ul));
        Assert.That(Bits(Numerics.F32Ceil(-0.5f)), Is.EqualTo(0x8000_0000u));
        Assert.That(Bits(Numerics.F64Trunc(-0.9)), Is.EqualTo(0x8000_0000_0000_0000ul));
        Assert.That(Numerics.F64Floor(-0.5), Is.EqualTo(-1.0));
        Assert.That(IsArithmeticNaN(Numerics.F32Floor(s_signallingNaN32)), Is.True);
        Assert.That(IsArithmeticNaN(Numerics.F64Nearest(s_signallingNaN64)), Is.True);
    }

    [Test]
    public void SignOperatorsWorkOnBits()
    {
        float negativeNaN = FloatBits(0xFFA0_0001);
        Assert.That(Bits(Numerics.F32Abs(negativeNaN)), Is.EqualTo(0x7FA0_0001u));
        Assert.That(Bits(Numerics.F32Neg(s_signallingNaN32)), Is.EqualTo(0xFFA0_0000u));
        Assert.That(Bits(Numerics.F32Copysign(s_signallingNaN32, -0f)), Is.EqualTo(0xFFA0_0000u));
        Assert.That(Bits(Numerics.F32Copysign(-1f, negativeNaN)), Is.EqualTo(Bits(-1f)));
        Assert.That(Bits(Numerics.F32Copysign(-1f, FloatBits(0x7FC0_0000))), Is.EqualTo(Bits(1f)), "a positive NaN's sign is +");
        Assert.That(Bits(Numerics.F64Copysign(2.0, -0.0)), Is.EqualTo(Bits(-2.0)));
        Assert.That(Bits(Numerics.F64Neg(0.0)), Is.EqualTo(0x8000_0000_0000_0000ul));
        Assert.That(Bits(Numerics.F64Abs(DoubleBits(0xFFF0_0000_0000_0001))), Is.EqualTo(0x7FF0_0000_0000_0001ul));
    }

    [Test]
    public void TrappingTruncationsAcceptExactlyTheRepresentableRange()
    {
        // (value, in range?) pairs around every bound: the bound itself and its float neighbours.
        AssertTruncI32S(-2147483648f, true, int.MinValue);
        AssertTruncI32S(BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(-2147483648f) + 1), false, 0);
        AssertTruncI32S(2147483520f, true, 2147483520);
        AssertTruncI32S(2147483648f, false, 0);
        AssertTruncI32S(-0.99f, true, 0);
        Assert.That(Numerics.TryI32TruncF32U(-0.99f, out int u) && u == 0, Is.True);
        Assert.That(Numerics.TryI32TruncF32U(-1f, out _), Is.False);
        Assert.That(Numerics.TryI32TruncF32U(4294967040f, out u) && (uint)u == 4294967040u, Is.True);
        Assert.That(Numerics.TryI32TruncF32U(4294967296f, out _), Is.False);
        Assert.That(Numerics.TryI32TruncF64S(-2147483648.9, out int s) && s == int.MinValue, Is.True);
        Assert.That(Numerics.TryI32TruncF64S(-2147483649.0, out _), Is.False);
        Assert.That(Numerics.TryI32TruncF64S(2147483647.9, out s) && s == int.MaxValue, Is.True);
        Assert.That(Numerics.TryI32TruncF64S(2147483648.0, out _), Is.False);
        Assert.That(Numerics.TryI32TruncF64U(4294967295.9, out u) && u == -1, Is.True);
        Assert.That(Numerics.TryI32TruncF64U(4294967296.0, out _), Is.False);
        Assert.That(Numerics.TryI32TruncF64U(-0.9, out u) && u == 0, Is.True);
        Assert.That(Numerics.TryI64TruncF32S(-9223372036854775808f, out long l) && l == long.MinValue, Is.True);
        Assert.That(Numerics.TryI64TruncF32S(9223372036854775808f, out _), Is.False);
        Assert.That(Numerics.TryI64TruncF32S(9223371487098961920f, out l) && l == 9223371487098961920L, Is.True);
        Assert.That(Numerics.TryI64TruncF32U(18446742974197923840f, out l) && (ulong)l == 18446742974197923840ul, Is.True);
        Assert.That(Numerics.TryI64TruncF32U(18446744073709551616f, out _), Is.False);
        Assert.That(Numerics.TryI64TruncF64S(-9223372036854775808.0, out l) && l == long.MinValue, Is.True);
        Assert.That(Numerics.TryI64TruncF64S(-9223372036854777856.0, out _), Is.False);
        Assert.That(Numerics.TryI64TruncF64S(9223372036854775807.0, out _), Is.False, "that literal is 2^63");
        Assert.That(Numerics.TryI64TruncF64U(18446744073709549568.0, out l) && (ulong)l == 18446744073709549568ul, Is.True);
        Assert.That(Numerics.TryI64TruncF64U(18446744073709551616.0, out _), Is.False);
        Assert.That(Numerics.TryI64TruncF64U(-0.5, out l) && l == 0, Is.True);

        foreach (float bad in new[] { float.NaN, s_signallingNaN32, float.PositiveInfinity, float.NegativeInfinity })
        {
            Assert.That(Numerics.TryI32TruncF32S(bad, out _) || Numerics.TryI32TruncF32U(bad, out _) ||
                        Numerics.TryI64TruncF32S(bad, out _) || Numerics.TryI64TruncF32U(bad, out _), Is.False, bad.ToString());
        }
        foreach (double bad in new[] { double.NaN, s_signallingNaN64, double.PositiveInfinity, double.NegativeInfinity })
        {
            Assert.That(Numerics.TryI32TruncF64S(bad, out _) || Numerics.TryI32TruncF64U(bad, out _) ||
                        Numerics.TryI64TruncF64S(bad, out _) || Numerics.TryI64TruncF64U(bad, out _), Is.False, bad.ToString());
        }
        Assert.That(Numerics.TruncationTrap(float.NaN), Is.EqualTo(TrapCode.InvalidConversionToInteger));
        Assert.That(Numerics.TruncationTrap(-1e10f), Is.EqualTo(TrapCode.IntegerOverflow));
        Assert.That(Numerics.TruncationTrap(s_signallingNaN64), Is.EqualTo(TrapCode.InvalidConversionToInteger));
        Assert.That(Numerics.TruncationTrap(double.PositiveInfinity), Is.EqualTo(TrapCode.IntegerOverflow));
    }

    [Test]
    public void SaturatingTruncationsClampAndMapNaNToZero()
    {
        // These pin the .NET 9+ saturating float-to-int casts the methods rely on.
        Assert.That(Numerics.I32TruncSatF32S(float.NaN), Is.Zero);
        Assert.That(Numerics.I32TruncSatF32S(3e9f), Is.EqualTo(int.MaxValue));
        Assert.That(Numerics.I32TruncSatF32S(float.NegativeInfinity), Is.EqualTo(int.MinValue));
        Assert.That(Numerics.I32TruncSatF32U(-5f), Is.Zero);
        Assert.That(Numerics.I32TruncSatF32U(5e9f), Is.EqualTo(-1));
        Assert.That(Numerics.I32TruncSatF32U(s_signallingNaN32), Is.Zero);
        Assert.That(Numerics.I32TruncSatF64S(-2147483649.5), Is.EqualTo(int.MinValue));
        Assert.That(Numerics.I32TruncSatF64S(2147483647.5), Is.EqualTo(int.MaxValue));
        Assert.That(Numerics.I32TruncSatF64U(4294967295.5), Is.EqualTo(-1));
        Assert.That(Numerics.I32TruncSatF64U(double.NaN), Is.Zero);
        Assert.That(Numerics.I64TruncSatF32S(1e30f), Is.EqualTo(long.MaxValue));
        Assert.That(Numerics.I64TruncSatF32S(-1e30f), Is.EqualTo(long.MinValue));
        Assert.That(Numerics.I64TruncSatF32U(1e30f), Is.EqualTo(-1L));
        Assert.That(Numerics.I64TruncSatF32U(-1e30f), Is.Zero);
        Assert.That(Numerics.I64TruncSatF64S(double.NaN), Is.Zero);
        Assert.That(Numerics.I64TruncSatF64S(9223372036854775808.0), Is.EqualTo(long.MaxValue));
        Assert.That(Numerics.I64TruncSatF64U(18446744073709549568.0), Is.EqualTo(unchecked((long)18446744073709549568ul)));
        Assert.That(Numerics.I64TruncSatF64U(double.PositiveInfinity), Is.EqualTo(-1L));
        Assert.That(Numerics.I64TruncSatF64U(-0.9), Is.Zero);
    }

    [Test]
    public void UnsignedConversionsRoundOnce()
    {
        // 2^63 + 2^39 + 1: rounding through double first would lose the final 1 and round to even (down).
        Assert.That(Bits(Numerics.F32ConvertI64U(unchecked((long)0x8000_0080_0000_0001))), Is.EqualTo(0x5F00_0001u));
        Assert.That(Numerics.F32ConvertI64U(-1), Is.EqualTo(18446744073709551616f));
        Assert.That(Numerics.F64ConvertI64U(-1), Is.EqualTo(18446744073709551616.0));
        // 2^63 + 2^10 + 1 is just above the halfway point between two doubles.
        Assert.That(Numerics.F64ConvertI64U(unchecked((long)0x8000_0000_0000_0401)), Is.EqualTo(9223372036854777856.0));
        Assert.That(Numerics.F64ConvertI64U(unchecked((long)0x8000_0000_0000_0400)), Is.EqualTo(9223372036854775808.0), "a tie goes to even");
        Assert.That(Numerics.F32ConvertI32U(-1), Is.EqualTo(4294967296f));
        Assert.That(Numerics.F32ConvertI32U(unchecked((int)0x8000_0081)), Is.EqualTo(2147483904f));
        Assert.That(Numerics.F64ConvertI32U(-1), Is.EqualTo(4294967295.0));
        Assert.That(Numerics.F32ConvertI64S(long.MinValue), Is.EqualTo(-9223372036854775808f));
        Assert.That(Numerics.F32ConvertI32S(16777217), Is.EqualTo(16777216f));

        var random = new Random(4);
        for (int i = 0; i < 100_000; i++)
        {
            ulong value = (ulong)random.NextInt64() << random.Next(2) | (ulong)random.Next(2) << 63;
            value >>= random.Next(40);
            Assert.That(Numerics.F32ConvertI64U((long)value), Is.EqualTo(SimdOpsTests.ReferenceRoundToSingle(value)), value.ToString("x"));
        }
    }

    [Test]
    public void DivisionTrapsAndTheMinusOneCases()
    {
        Assert.That(Numerics.TryI32DivS(int.MinValue, -1, out _), Is.False);
        Assert.That(Numerics.TryI32DivS(7, 0, out _), Is.False);
        Assert.That(Numerics.TryI32DivS(-7, 2, out int q) && q == -3, Is.True, "truncates toward zero");
        Assert.That(Numerics.TryI32DivU(-1, 2, out q) && q == int.MaxValue, Is.True);
        Assert.That(Numerics.TryI32RemS(int.MinValue, -1, out int r) && r == 0, Is.True);
        Assert.That(Numerics.TryI32RemS(-7, 2, out r) && r == -1, Is.True, "the sign follows the dividend");
        Assert.That(Numerics.TryI32RemU(-1, 10, out r) && r == 5, Is.True);
        Assert.That(Numerics.TryI32RemU(1, 0, out _), Is.False);
        Assert.That(Numerics.TryI64DivS(long.MinValue, -1, out _), Is.False);
        Assert.That(Numerics.TryI64DivU(-1, 0, out _), Is.False);
        Assert.That(Numerics.TryI64RemS(long.MinValue, -1, out long lr) && lr == 0, Is.True);
        Assert.That(Numerics.TryI64RemU(-1, 10, out lr) && lr == 5, Is.True);
        Assert.That(Numerics.IntegerDivisionTrap(0), Is.EqualTo(TrapCode.IntegerDivideByZero));
        Assert.That(Numerics.IntegerDivisionTrap(-1), Is.EqualTo(TrapCode.IntegerOverflow));
    }

    private static void AssertTruncI32S(float value, bool inRange, int expected)
    {
        Assert.That(Numerics.TryI32TruncF32S(value, out int result), Is.EqualTo(inRange), value.ToString("R"));
        if (inRange)
        {
            Assert.That(result, Is.EqualTo(expected));
        }
    }

    private static uint Bits(float value) => BitConverter.SingleToUInt32Bits(value);

    private static ulong Bits(double value) => BitConverter.DoubleToUInt64Bits(value);

    private static bool IsArithmeticNaN(float value) => (Bits(value) & 0x7FC0_0000u) == 0x7FC0_0000u;

    private static bool IsArithmeticNaN(double value) => (Bits(value) & 0x7FF8_0000_0000_0000ul) == 0x7FF8_0000_0000_0000ul;

    // Not inlined, so the JIT cannot fold the bits into a float constant (it keeps float constants as
    // doubles while compiling, which quiets a signalling NaN in Release builds).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static float FloatBits(uint bits) => BitConverter.UInt32BitsToSingle(bits);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static double DoubleBits(ulong bits) => BitConverter.UInt64BitsToDouble(bits);
}
