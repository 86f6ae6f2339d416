using System.Globalization;
using System.Numerics;
using Engine.Text;
using NUnit.Framework;

namespace Engine.Tests.Text;

/// <summary>Numeric literals of the text format: integer ranges, underscores, hex floats (checked against .NET's decimal parser), NaN payloads.</summary>
[TestFixture]
public class NumberParserTests
{
    [TestCase("0", 32, 0UL)]
    [TestCase("4294967295", 32, 0xFFFF_FFFFUL)]
    [TestCase("-2147483648", 32, 0x8000_0000UL)]
    [TestCase("-1", 32, 0xFFFF_FFFFUL)]
    [TestCase("+42", 32, 42UL)]
    [TestCase("0x1_0", 32, 16UL)]
    [TestCase("1_000", 32, 1000UL)]
    [TestCase("0xFFFF_ffff_FFFF_ffff", 64, ulong.MaxValue)]
    [TestCase("-0x8000000000000000", 64, 0x8000_0000_0000_0000UL)]
    [TestCase("255", 8, 255UL)]
    [TestCase("-128", 8, 0x80UL)]
    public void IntegersInRange(string text, int bits, ulong expected)
    {
        Assert.That(NumberParser.ParseInteger(text, bits, out ulong value), Is.EqualTo(LiteralStatus.Ok));
        Assert.That(value, Is.EqualTo(expected));
    }

    [TestCase("4294967296", 32)]
    [TestCase("-2147483649", 32)]
    [TestCase("0x1_0000_0000", 32)]
    [TestCase("18446744073709551616", 64)]
    [TestCase("-9223372036854775809", 64)]
    [TestCase("256", 8)]
    [TestCase("-129", 8)]
    public void IntegersOutOfRange(string text, int bits) =>
        Assert.That(NumberParser.ParseInteger(text, bits, out _), Is.EqualTo(LiteralStatus.OutOfRange));

    [TestCase("")]
    [TestCase("_1")]
    [TestCase("1_")]
    [TestCase("1_.0")]
    [TestCase("0x.8")]
    [TestCase("0x")]
    [TestCase("0x_1")]
    [TestCase("1a")]
    [TestCase("--1")]
    [TestCase("0X10")]
    [TestCase("1.0")]
    public void MalformedIntegers(string text) =>
        Assert.That(NumberParser.ParseInteger(text, 32, out _), Is.EqualTo(LiteralStatus.Malformed));

    [TestCase("0", 0x0000_0000u)]
    [TestCase("-0", 0x8000_0000u)]
    [TestCase("1", 0x3F80_0000u)]
    [TestCase("1.", 0x3F80_0000u)]
    [TestCase("1.e1", 0x4120_0000u)]
    [TestCase("1_0.0_0e+0_1", 0x42C8_0000u)]
    [TestCase("0x1p-149", 0x0000_0001u)]
    [TestCase("0x1p-150", 0x0000_0000u)]
    [TestCase("0x1.8p-150", 0x0000_0001u)]
    [TestCase("0x1.fffffep127", 0x7F7F_FFFFu)]
    [TestCase("0x1.fffffefffp127", 0x7F7F_FFFFu)]
    [TestCase("inf", 0x7F80_0000u)]
    [TestCase("-inf", 0xFF80_0000u)]
    [TestCase("nan", 0x7FC0_0000u)]
    [TestCase("-nan", 0xFFC0_0000u)]
    [TestCase("nan:0x1", 0x7F80_0001u)]
    [TestCase("nan:0x7f_ffff", 0x7FFF_FFFFu)]
    [TestCase("1e-99999999999999999999", 0u)]
    [TestCase("0e99999999999999999999", 0u)]
    public void F32Literals(string text, uint expected)
    {
        Assert.That(NumberParser.ParseF32(text, out uint bits), Is.EqualTo(LiteralStatus.Ok), text);
        Assert.That(bits, Is.EqualTo(expected), $"{text}: 0x{bits:x8}");
    }

    [TestCase("0x1p128")]
    [TestCase("0x1.ffffffp127")]
    [TestCase("1e39")]
    [TestCase("340282356779733661637539395458142568448")]
    [TestCase("1e99999999999999999999")]
    [TestCase("nan:0x0")]
    [TestCase("nan:0x80_0000")]
    public void F32OutOfRange(string text) =>
        Assert.That(NumberParser.ParseF32(text, out _), Is.EqualTo(LiteralStatus.OutOfRange), text);

    [TestCase(".5")]
    [TestCase("1e")]
    [TestCase("1.5.")]
    [TestCase("infinity")]
    [TestCase("nan:0x")]
    [TestCase("nan:canonical")]
    [TestCase("0x1p")]
    [TestCase("1_.0")]
    [TestCase("0x.8")]
    public void MalformedFloats(string text) =>
        Assert.That(NumberParser.ParseF32(text, out _), Is.EqualTo(LiteralStatus.Malformed), text);

    [Test]
    public void F64HalfwayBelowTheSmallestNormalRoundsToEven() =>
        Assert.That(Parse64("0x1.fffffffffffffp-1023"), Is.EqualTo(0x0010_0000_0000_0000UL));

    /// <summary>Hex floats m * 2^e, against .NET's correctly rounded parse of the exact decimal expansion of the same value.</summary>
    [Test]
    public void HexFloatsRoundLikeTheExactDecimalValue()
    {
        var random = new Random(12345);
        for (int i = 0; i < 20000; i++)
        {
            int significandBits = 1 + random.Next(90);
            BigInteger significand = RandomBits(random, significandBits);
            int exponent = random.Next(-1200, 1100);
            string hex = $"0x{significand.ToString("x", CultureInfo.InvariantCulture).TrimStart('0').PadLeft(1, '0')}p{exponent}";
            string exact = ExactDecimal(significand, exponent);

            double expected64 = double.Parse(exact, CultureInfo.InvariantCulture);
            LiteralStatus status64 = NumberParser.ParseF64(hex, out ulong bits64);
            Assert.That(status64, Is.EqualTo(double.IsInfinity(expected64) ? LiteralStatus.OutOfRange : LiteralStatus.Ok), hex);
            if (status64 == LiteralStatus.Ok)
            {
                Assert.That(bits64, Is.EqualTo(BitConverter.DoubleToUInt64Bits(expected64)), hex);
            }

            float expected32 = float.Parse(exact, CultureInfo.InvariantCulture);
            LiteralStatus status32 = NumberParser.ParseF32(hex, out uint bits32);
            Assert.That(status32, Is.EqualTo(float.IsInfinity(expected32) ? LiteralStatus.OutOfRange : LiteralStatus.Ok), hex);
            if (status32 == LiteralStatus.Ok)
            {
                Assert.That(bits32, Is.EqualTo(BitConverter.SingleToUInt32Bits(expected32)), hex);
            }
        }
    }

    private static ulong Parse64(string text)
    {
        Assert.That(NumberParser.ParseF64(text, out ulong bits), Is.EqualTo(LiteralStatus.Ok));
        return bits;
    }

    private static BigInteger RandomBits(Random random, int bits)
    {
        byte[] bytes = new byte[(bits + 7) / 8 + 1];
        random.NextBytes(bytes);
        bytes[^1] = 0;
        BigInteger value = new BigInteger(bytes) & ((BigInteger.One << bits) - 1);
        return value | (BigInteger.One << (bits - 1));
    }

    /// <summary>The exact decimal expansion of significand * 2^exponent.</summary>
    private static string ExactDecimal(BigInteger significand, int exponent)
    {
        if (exponent >= 0)
        {
            return (significand << exponent).ToString(CultureInfo.InvariantCulture);
        }
        string digits = (significand * BigInteger.Pow(5, -exponent)).ToString(CultureInfo.InvariantCulture).PadLeft(-exponent + 1, '0');
        return digits[..^(-exponent)] + "." + digits[^(-exponent)..];
    }
}
