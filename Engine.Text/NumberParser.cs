using System.Globalization;
using System.Numerics;

namespace Engine.Text;

/// <summary>The outcome of parsing a numeric literal.</summary>
public enum LiteralStatus : byte
{
    /// <summary>Parsed.</summary>
    Ok,
    /// <summary>Not a literal of the requested kind at all.</summary>
    Malformed,
    /// <summary>A well-formed literal whose value does not fit (spec: "constant out of range").</summary>
    OutOfRange,
}

/// <summary>
/// Parses the numeric literals of the text format (spec: text/values): integers with optional sign,
/// decimal or <c>0x</c> hex digits and single underscores between digits; floats in decimal or hex
/// notation, <c>inf</c>, <c>nan</c> and <c>nan:0x...</c>. Floats are rounded to nearest-even; a literal
/// that rounds to infinity is out of range.
/// </summary>
public static class NumberParser
{
    /// <summary>IEEE binary32 layout.</summary>
    public static readonly FloatLayout Single = new(23, 8);
    /// <summary>IEEE binary64 layout.</summary>
    public static readonly FloatLayout Double = new(52, 11);

    /// <summary>Parses an unsigned literal (spec: uN with N = <paramref name="bits"/>): no sign allowed.</summary>
    public static LiteralStatus ParseUnsigned(ReadOnlySpan<char> s, int bits, out ulong value)
    {
        LiteralStatus status = ParseNat(s, out value);
        if (status == LiteralStatus.Ok && bits < 64 && value >> bits != 0)
        {
            return LiteralStatus.OutOfRange;
        }
        return status;
    }

    /// <summary>
    /// Parses an integer literal for an N-bit integer (spec: iN): unsigned up to 2^N-1, or negative down to
    /// -2^(N-1). The result is the N-bit two's complement pattern, zero-extended.
    /// </summary>
    public static LiteralStatus ParseInteger(ReadOnlySpan<char> s, int bits, out ulong value)
    {
        value = 0;
        bool negative = s.Length > 0 && s[0] == '-';
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            s = s[1..];
        }
        LiteralStatus status = ParseNat(s, out ulong magnitude);
        if (status != LiteralStatus.Ok)
        {
            return status;
        }
        ulong mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        if (negative)
        {
            if (magnitude > 1UL << (bits - 1))
            {
                return LiteralStatus.OutOfRange;
            }
            value = unchecked(0UL - magnitude) & mask;
            return LiteralStatus.Ok;
        }
        if (magnitude > mask)
        {
            return LiteralStatus.OutOfRange;
        }
        value = magnitude;
        return LiteralStatus.Ok;
    }

    /// <summary>Parses <c>num</c> or <c>0x hexnum</c> (spec: nat) as a 64-bit value.</summary>
    public static LiteralStatus ParseNat(ReadOnlySpan<char> s, out ulong value)
    {
        if (s.Length > 2 && s[0] == '0' && s[1] == 'x')
        {
            return ParseDigits(s[2..], 16, out value);
        }
        return ParseDigits(s, 10, out value);
    }

    /// <summary>Parses a hex number without prefix (spec: hexnum); false when malformed or beyond 64 bits.</summary>
    internal static bool TryParseHexNum(ReadOnlySpan<char> s, out ulong value) => ParseDigits(s, 16, out value) == LiteralStatus.Ok;

    /// <summary>Parses digits with single underscores between them (spec: num, hexnum).</summary>
    private static LiteralStatus ParseDigits(ReadOnlySpan<char> s, int radix, out ulong value)
    {
        value = 0;
        if (s.IsEmpty)
        {
            return LiteralStatus.Malformed;
        }
        bool overflow = false;
        bool previousWasDigit = false;
        foreach (char c in s)
        {
            if (c == '_')
            {
                if (!previousWasDigit)
                {
                    return LiteralStatus.Malformed;
                }
                previousWasDigit = false;
                continue;
            }
            int digit = DigitValue(c, radix);
            if (digit < 0)
            {
                return LiteralStatus.Malformed;
            }
            previousWasDigit = true;
            ulong next = unchecked(value * (ulong)radix + (ulong)digit);
            overflow |= value > (ulong.MaxValue - (ulong)digit) / (ulong)radix;
            value = next;
        }
        if (!previousWasDigit)
        {
            return LiteralStatus.Malformed;
        }
        return overflow ? LiteralStatus.OutOfRange : LiteralStatus.Ok;
    }

    private static int DigitValue(char c, int radix)
    {
        int digit = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };
        return digit < radix ? digit : -1;
    }

    /// <summary>Parses an f32 literal to its bit pattern.</summary>
    public static LiteralStatus ParseF32(ReadOnlySpan<char> s, out uint bits)
    {
        LiteralStatus status = ParseFloat(s, Single, out ulong raw);
        bits = (uint)raw;
        return status;
    }

    /// <summary>Parses an f64 literal to its bit pattern.</summary>
    public static LiteralStatus ParseF64(ReadOnlySpan<char> s, out ulong bits) => ParseFloat(s, Double, out bits);

    /// <summary>Parses a float literal of the given layout to its bit pattern (in the low bits).</summary>
    public static LiteralStatus ParseFloat(ReadOnlySpan<char> s, FloatLayout layout, out ulong bits)
    {
        bits = 0;
        bool negative = s.Length > 0 && s[0] == '-';
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            s = s[1..];
        }
        ulong sign = negative ? layout.SignBit : 0;
        LiteralStatus status;
        ulong magnitude;
        if (s.SequenceEqual("inf"))
        {
            magnitude = layout.ExponentMask;
            status = LiteralStatus.Ok;
        }
        else if (s.StartsWith("nan"))
        {
            status = ParseNan(s, layout, out magnitude);
        }
        else if (s.StartsWith("0x"))
        {
            status = ParseHexFloat(s[2..], layout, out magnitude);
        }
        else
        {
            status = ParseDecimalFloat(s, layout, out magnitude);
        }
        bits = sign | magnitude;
        return status;
    }

    private static LiteralStatus ParseNan(ReadOnlySpan<char> s, FloatLayout layout, out ulong magnitude)
    {
        magnitude = layout.ExponentMask | layout.QuietBit;
        if (s.Length == 3)
        {
            return LiteralStatus.Ok;
        }
        if (!s.StartsWith("nan:0x"))
        {
            return LiteralStatus.Malformed;
        }
        LiteralStatus status = ParseDigits(s[6..], 16, out ulong payload);
        if (status != LiteralStatus.Ok)
        {
            return status;
        }
        if (payload == 0 || payload > layout.MantissaMask)
        {
            return LiteralStatus.OutOfRange;
        }
        magnitude = layout.ExponentMask | payload;
        return LiteralStatus.Ok;
    }

    /// <summary>Hex float: hexnum ('.' hexfrac?)? ([pP] sign? num)?, rounded exactly.</summary>
    private static LiteralStatus ParseHexFloat(ReadOnlySpan<char> s, FloatLayout layout, out ulong magnitude)
    {
        magnitude = 0;
        int exponentAt = s.IndexOfAny('p', 'P');
        ReadOnlySpan<char> mantissaText = exponentAt < 0 ? s : s[..exponentAt];
        long exponent = 0;
        if (exponentAt >= 0 && !TryParseExponent(s[(exponentAt + 1)..], out exponent))
        {
            return LiteralStatus.Malformed;
        }
        int dot = mantissaText.IndexOf('.');
        ReadOnlySpan<char> integerDigits = dot < 0 ? mantissaText : mantissaText[..dot];
        ReadOnlySpan<char> fractionDigits = dot < 0 ? default : mantissaText[(dot + 1)..];
        if (!IsDigitSequence(integerDigits, 16) || (!fractionDigits.IsEmpty && !IsDigitSequence(fractionDigits, 16)))
        {
            return LiteralStatus.Malformed;
        }

        // Keep the first 60 or so significant bits; anything beyond only matters as a "sticky" bit for rounding.
        ulong significand = 0;
        bool sticky = false;
        long binaryExponent = exponent;
        AccumulateHexDigits(integerDigits, isFraction: false, ref significand, ref binaryExponent, ref sticky);
        AccumulateHexDigits(fractionDigits, isFraction: true, ref significand, ref binaryExponent, ref sticky);
        return RoundToFloat(significand, binaryExponent, sticky, layout, out magnitude);
    }

    private static void AccumulateHexDigits(ReadOnlySpan<char> digits, bool isFraction, ref ulong significand, ref long binaryExponent, ref bool sticky)
    {
        foreach (char c in digits)
        {
            if (c == '_')
            {
                continue;
            }
            int digit = DigitValue(c, 16);
            if (significand >> 59 == 0)
            {
                significand = (significand << 4) | (uint)digit;
                if (isFraction)
                {
                    binaryExponent -= 4;
                }
            }
            else
            {
                sticky |= digit != 0;
                if (!isFraction)
                {
                    binaryExponent += 4;
                }
            }
        }
    }

    /// <summary>
    /// Rounds significand * 2^binaryExponent (plus a sticky fraction below the significand's last bit) to
    /// the nearest float of the layout, ties to even; out of range when it rounds to infinity.
    /// </summary>
    private static LiteralStatus RoundToFloat(ulong significand, long binaryExponent, bool sticky, FloatLayout layout, out ulong magnitude)
    {
        magnitude = 0;
        if (significand == 0)
        {
            return LiteralStatus.Ok;
        }
        int highBit = 63 - BitOperations.LeadingZeroCount(significand);
        long leadExponent = highBit + binaryExponent;
        int bias = layout.Bias;
        int minExponent = 1 - bias;
        if (leadExponent > bias + 1)
        {
            return LiteralStatus.OutOfRange;
        }
        // Bits of precision available: the full significand for normals, fewer for subnormals.
        long keep = layout.MantissaBits + 1 - Math.Max(0, minExponent - leadExponent);
        long drop = highBit + 1 - keep;
        ulong rounded = ShiftRoundNearestEven(significand, drop, sticky);
        if (leadExponent < minExponent || (keep < layout.MantissaBits + 1))
        {
            // Subnormal: the rounded value is the mantissa field itself; a carry lands in the exponent field as 1.
            magnitude = rounded;
            return LiteralStatus.Ok;
        }
        if (rounded >> (layout.MantissaBits + 1) != 0)
        {
            rounded >>= 1;
            leadExponent++;
        }
        if (leadExponent > bias)
        {
            return LiteralStatus.OutOfRange;
        }
        magnitude = ((ulong)(leadExponent + bias) << layout.MantissaBits) | (rounded & layout.MantissaMask);
        return LiteralStatus.Ok;
    }

    private static ulong ShiftRoundNearestEven(ulong value, long drop, bool sticky)
    {
        if (drop <= 0)
        {
            return value << (int)-drop;
        }
        if (drop > 64)
        {
            return 0;
        }
        ulong kept = drop == 64 ? 0 : value >> (int)drop;
        ulong remainder = drop == 64 ? value : value & ((1UL << (int)drop) - 1);
        ulong half = 1UL << (int)(drop - 1);
        bool roundUp = remainder > half || (remainder == half && (sticky || (kept & 1) != 0));
        return roundUp ? kept + 1 : kept;
    }

    private static bool TryParseExponent(ReadOnlySpan<char> s, out long exponent)
    {
        exponent = 0;
        bool negative = s.Length > 0 && s[0] == '-';
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            s = s[1..];
        }
        LiteralStatus status = ParseDigits(s, 10, out ulong value);
        if (status == LiteralStatus.Malformed)
        {
            return false;
        }
        // Exponents this large over- or underflow any float; saturating keeps the arithmetic safe.
        long magnitude = status == LiteralStatus.OutOfRange || value > 1_000_000_000 ? 1_000_000_000 : (long)value;
        exponent = negative ? -magnitude : magnitude;
        return true;
    }

    private static bool IsDigitSequence(ReadOnlySpan<char> s, int radix) => ParseDigits(s, radix, out _) != LiteralStatus.Malformed;

    /// <summary>Decimal float: num ('.' frac?)? ([eE] sign? num)?; rounding is done by .NET's IEEE-correct parser.</summary>
    private static LiteralStatus ParseDecimalFloat(ReadOnlySpan<char> s, FloatLayout layout, out ulong magnitude)
    {
        magnitude = 0;
        int exponentAt = s.IndexOfAny('e', 'E');
        ReadOnlySpan<char> mantissaText = exponentAt < 0 ? s : s[..exponentAt];
        if (exponentAt >= 0 && !TryParseExponent(s[(exponentAt + 1)..], out _))
        {
            return LiteralStatus.Malformed;
        }
        int dot = mantissaText.IndexOf('.');
        ReadOnlySpan<char> integerDigits = dot < 0 ? mantissaText : mantissaText[..dot];
        ReadOnlySpan<char> fractionDigits = dot < 0 ? default : mantissaText[(dot + 1)..];
        if (!IsDigitSequence(integerDigits, 10) || (!fractionDigits.IsEmpty && !IsDigitSequence(fractionDigits, 10)))
        {
            return LiteralStatus.Malformed;
        }

        Span<char> buffer = s.Length <= 256 ? stackalloc char[s.Length] : new char[s.Length];
        int length = 0;
        foreach (char c in s)
        {
            if (c != '_')
            {
                buffer[length++] = c;
            }
        }
        ReadOnlySpan<char> digits = buffer[..length];
        double value;
        if (layout.MantissaBits == Single.MantissaBits)
        {
            if (!float.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out float single))
            {
                return LiteralStatus.OutOfRange;
            }
            value = single;
            magnitude = BitConverter.SingleToUInt32Bits(single) & 0x7FFF_FFFFu;
        }
        else
        {
            if (!double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            {
                return LiteralStatus.OutOfRange;
            }
            magnitude = BitConverter.DoubleToUInt64Bits(value) & 0x7FFF_FFFF_FFFF_FFFFUL;
        }
        return double.IsInfinity(value) ? LiteralStatus.OutOfRange : LiteralStatus.Ok;
    }
}

/// <summary>The bit layout of an IEEE binary float format: <see cref="NumberParser.Single"/> or <see cref="NumberParser.Double"/>.</summary>
public sealed class FloatLayout
{
    internal FloatLayout(int mantissaBits, int exponentBits)
    {
        MantissaBits = mantissaBits;
        Bias = (1 << (exponentBits - 1)) - 1;
        MantissaMask = (1UL << mantissaBits) - 1;
        ExponentMask = ((1UL << exponentBits) - 1) << mantissaBits;
        SignBit = 1UL << (mantissaBits + exponentBits);
        QuietBit = 1UL << (mantissaBits - 1);
    }

    internal int MantissaBits { get; }
    internal int Bias { get; }
    internal ulong MantissaMask { get; }
    internal ulong ExponentMask { get; }
    internal ulong SignBit { get; }
    internal ulong QuietBit { get; }
}
