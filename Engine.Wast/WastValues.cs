using Engine.Core;
using Engine.Wast.Scripts;
using Engine.Runtime;

namespace Engine.Wast;

/// <summary>Compares results with a script's expected values: bit for bit, except NaN patterns and reference identities.</summary>
internal static class WastValues
{
    public static bool Matches(ScriptValue expected, Value actual)
    {
        if (expected.Alternatives != null)
        {
            return expected.Alternatives.Any(alternative => Matches(alternative, actual));
        }
        if (expected.UnsupportedPattern != null)
        {
            return false;
        }
        if (expected.Type == ValType.Bottom && expected.IsNull)
        {
            // (ref.null) with no heap type: any null reference.
            return actual.Type.IsReference() && actual.IsNull;
        }
        if (actual.Type != expected.Type)
        {
            return false;
        }
        return expected.Type switch
        {
            ValType.I32 => (uint)actual.Bits == (uint)expected.Low,
            ValType.I64 => actual.Bits == expected.Low,
            ValType.F32 => MatchesF32(expected.Nan, (uint)expected.Low, (uint)actual.Bits),
            ValType.F64 => MatchesF64(expected.Nan, expected.Low, actual.Bits),
            ValType.V128 => MatchesV128(expected, actual.Bits, actual.HighBits),
            ValType.ExternRef => expected.IsNull
                ? actual.IsNull
                : expected.AnyNonNull ? !actual.IsNull : actual.AsExternRef() is HostReference reference && reference.Id == expected.Low,
            ValType.FuncRef => expected.IsNull ? actual.IsNull : !actual.IsNull,
            _ => false,
        };
    }

    private static bool MatchesF32(NanPattern nan, uint expected, uint actual) => nan switch
    {
        NanPattern.Canonical => (actual & 0x7FFFFFFFu) == 0x7FC00000u,
        NanPattern.Arithmetic => (actual & 0x7FC00000u) == 0x7FC00000u,
        _ => actual == expected,
    };

    private static bool MatchesF64(NanPattern nan, ulong expected, ulong actual) => nan switch
    {
        NanPattern.Canonical => (actual & 0x7FFFFFFFFFFFFFFFul) == 0x7FF8000000000000ul,
        NanPattern.Arithmetic => (actual & 0x7FF8000000000000ul) == 0x7FF8000000000000ul,
        _ => actual == expected,
    };

    private static bool MatchesV128(ScriptValue expected, ulong low, ulong high)
    {
        if (expected.LaneNans is null)
        {
            return low == expected.Low && high == expected.High;
        }
        Span<byte> actualBytes = stackalloc byte[16];
        Span<byte> expectedBytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(actualBytes, low);
        BitConverter.TryWriteBytes(actualBytes[8..], high);
        BitConverter.TryWriteBytes(expectedBytes, expected.Low);
        BitConverter.TryWriteBytes(expectedBytes[8..], expected.High);
        int laneBytes = expected.LaneType is "f64" or "i64" ? 8 : 4;
        for (int lane = 0; lane < expected.LaneNans.Length; lane++)
        {
            ReadOnlySpan<byte> a = actualBytes.Slice(lane * laneBytes, laneBytes);
            ReadOnlySpan<byte> e = expectedBytes.Slice(lane * laneBytes, laneBytes);
            bool ok = laneBytes == 8
                ? MatchesF64(expected.LaneNans[lane], BitConverter.ToUInt64(e), BitConverter.ToUInt64(a))
                : MatchesF32(expected.LaneNans[lane], BitConverter.ToUInt32(e), BitConverter.ToUInt32(a));
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }
}
