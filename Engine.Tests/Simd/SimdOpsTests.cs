using System.Numerics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Engine.Core;
using Engine.Interpreter;
using NUnit.Framework;

namespace Engine.Tests.Simd;

/// <summary>Edge cases of <see cref="SimdOps"/>, and random inputs against lane-by-lane reference code.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SimdOpsTests
{
    private const int RandomRounds = 20_000;

    [Test]
    public void EverySimdOpcodeHasAnInlinedMethodOfTheSameName()
    {
        var missing = new List<string>();
        foreach (Opcode op in Enum.GetValues<Opcode>().Where(op => OperatorInfo.Feature(op) == "simd"))
        {
            MethodInfo? method = typeof(SimdOps).GetMethod(op.ToString(), BindingFlags.Public | BindingFlags.Static);
            if (method == null)
            {
                missing.Add(op.ToString());
                continue;
            }
            Assert.That(method.MethodImplementationFlags & MethodImplAttributes.AggressiveInlining, Is.Not.Zero, op.ToString());
            if (OperatorInfo.Kind(op) == OperatorKind.Plain)
            {
                // A plain operator's parameters and result are its stack signature.
                Assert.That(method.GetParameters().Select(p => p.ParameterType), Is.EqualTo(OperatorInfo.Params(op).ToArray().Select(ClrType)), op.ToString());
                Assert.That(method.ReturnType, Is.EqualTo(ClrType(OperatorInfo.Results(op)[0])), op.ToString());
            }
            if (OperatorInfo.LaneCount(op) > 0)
            {
                Assert.That(method.GetParameters()[^1].ParameterType, Is.EqualTo(typeof(byte)), op + ": the lane index comes last");
            }
        }
        Assert.That(missing, Is.Empty);
        int simdCount = Enum.GetValues<Opcode>().Count(op => OperatorInfo.Feature(op) == "simd");
        Assert.That(typeof(SimdOps).GetMethods(BindingFlags.Public | BindingFlags.Static).Length, Is.EqualTo(simdCount),
            "SimdOps has exactly one public method per SIMD opcode");
    }

    [Test]
    public void FloatMinMaxPropagateNaNAndOrderZeros()
    {
        float sNaN = FloatBits(0x7FA0_0000);
        Vector128<byte> a = F32(-0f, 0f, float.NaN, sNaN);
        Vector128<byte> b = F32(0f, -0f, 1f, 1f);

        Assert.That(Bits32(SimdOps.F32x4Min(a, b)), Is.EqualTo(new uint[] { 0x8000_0000, 0x8000_0000, 0x7FC0_0000, 0x7FC0_0000 }));
        Assert.That(Bits32(SimdOps.F32x4Max(a, b)), Is.EqualTo(new uint[] { 0, 0, 0x7FC0_0000, 0x7FC0_0000 }));
        Assert.That(Bits32(SimdOps.F32x4Min(b, a)), Is.EqualTo(new uint[] { 0x8000_0000, 0x8000_0000, 0x7FC0_0000, 0x7FC0_0000 }));
        Assert.That(Bits64(SimdOps.F64x2Min(F64(-0.0, double.NaN), F64(0.0, 2.0))), Is.EqualTo(new ulong[] { 0x8000_0000_0000_0000, 0x7FF8_0000_0000_0000 }));
        Assert.That(Bits64(SimdOps.F64x2Max(F64(-0.0, 3.0), F64(0.0, double.NaN))), Is.EqualTo(new ulong[] { 0, 0x7FF8_0000_0000_0000 }));
    }

    [Test]
    public void PseudoMinMaxAreThePlainSelects()
    {
        float sNaN = FloatBits(0x7FA0_0000);
        // pmin = b < a ? b : a: with a NaN on either side the comparison fails and a comes back unchanged.
        Vector128<byte> a = F32(sNaN, 1f, -0f, 2f);
        Vector128<byte> b = F32(1f, sNaN, 0f, 1f);
        Assert.That(Bits32(SimdOps.F32x4Pmin(a, b)), Is.EqualTo(new uint[] { 0x7FA0_0000, 0x3F80_0000, 0x8000_0000, 0x3F80_0000 }));
        Assert.That(Bits32(SimdOps.F32x4Pmax(a, b)), Is.EqualTo(new uint[] { 0x7FA0_0000, 0x3F80_0000, 0x8000_0000, 0x4000_0000 }));
        Assert.That(Bits64(SimdOps.F64x2Pmin(F64(double.NaN, 0.0), F64(1.0, -0.0))), Is.EqualTo(new ulong[] { BitConverter.DoubleToUInt64Bits(double.NaN), 0 }));
    }

    [Test]
    public void NearestRoundsHalfwayCasesToEven()
    {
        Assert.That(SimdOps.F32x4Nearest(F32(0.5f, 1.5f, 2.5f, -0.5f)).AsSingle(), Is.EqualTo(Vector128.Create(0f, 2f, 2f, -0f)));
        Assert.That(Bits32(SimdOps.F32x4Nearest(F32(-0.5f, -0.4f, 0f, 8388609f))), Is.EqualTo(new uint[] { 0x8000_0000, 0x8000_0000, 0, BitConverter.SingleToUInt32Bits(8388609f) }));
        Assert.That(SimdOps.F64x2Nearest(F64(2.5, -3.5)).AsDouble(), Is.EqualTo(Vector128.Create(2.0, -4.0)));
        Assert.That(Bits32(SimdOps.F32x4Ceil(F32(-0.5f, 0.5f, -1.5f, 1f))), Is.EqualTo(new uint[] { 0x8000_0000, 0x3F80_0000, BitConverter.SingleToUInt32Bits(-1f), 0x3F80_0000 }));
    }

    [Test]
    public void TruncSatMapsNaNToZeroAndSaturates()
    {
        Vector128<byte> input = F32(float.NaN, 3e9f, -3e9f, -1.9f);
        Assert.That(SimdOps.I32x4TruncSatF32x4S(input).AsInt32(), Is.EqualTo(Vector128.Create(0, int.MaxValue, int.MinValue, -1)));
        Assert.That(SimdOps.I32x4TruncSatF32x4U(input).AsUInt32(), Is.EqualTo(Vector128.Create(0u, 3_000_000_000u, 0u, 0u)));
        Assert.That(SimdOps.I32x4TruncSatF32x4U(F32(5e9f, float.PositiveInfinity, 4294967040f, 0.99f)).AsUInt32(),
            Is.EqualTo(Vector128.Create(uint.MaxValue, uint.MaxValue, 4294967040u, 0u)));
        Assert.That(SimdOps.I32x4TruncSatF32x4S(F32(2147483520f, 2147483648f, float.NegativeInfinity, -2147483648f)).AsInt32(),
            Is.EqualTo(Vector128.Create(2147483520, int.MaxValue, int.MinValue, int.MinValue)));

        Assert.That(SimdOps.I32x4TruncSatF64x2SZero(F64(double.NaN, -2147483648.9)).AsInt32(), Is.EqualTo(Vector128.Create(0, int.MinValue, 0, 0)));
        Assert.That(SimdOps.I32x4TruncSatF64x2SZero(F64(2147483647.9, -1e300)).AsInt32(), Is.EqualTo(Vector128.Create(int.MaxValue, int.MinValue, 0, 0)));
        Assert.That(SimdOps.I32x4TruncSatF64x2UZero(F64(double.NaN, 4294967295.9)).AsUInt32(), Is.EqualTo(Vector128.Create(0u, uint.MaxValue, 0u, 0u)));
        Assert.That(SimdOps.I32x4TruncSatF64x2UZero(F64(-0.9, 1e300)).AsUInt32(), Is.EqualTo(Vector128.Create(0u, uint.MaxValue, 0u, 0u)));
        Assert.That(SimdOps.I32x4TruncSatF64x2UZero(F64(double.NegativeInfinity, 3000000000.5)).AsUInt32(), Is.EqualTo(Vector128.Create(0u, 3000000000u, 0u, 0u)));
    }

    [Test]
    public void Q15MultiplySaturatesOnlyTheOneOverflow()
    {
        Vector128<byte> a = I16(short.MinValue, short.MinValue, short.MaxValue, 16384, -16384, 1, -1, 0);
        Vector128<byte> b = I16(short.MinValue, short.MaxValue, short.MaxValue, 16384, 16384, 16384, 16384, 5);
        Assert.That(SimdOps.I16x8Q15mulrSatS(a, b).AsInt16(), Is.EqualTo(Vector128.Create(short.MaxValue, (short)-32767, (short)32766, (short)8192, (short)-8192, (short)1, (short)0, (short)0)));
    }

    [Test]
    public void ShiftCountsAreTakenModuloTheLaneWidth()
    {
        Vector128<byte> bytes = Vector128.Create((byte)0x81);
        Assert.That(SimdOps.I8x16Shl(bytes, 9), Is.EqualTo(Vector128.Create((byte)0x02)));
        Assert.That(SimdOps.I8x16ShrS(bytes, -1), Is.EqualTo(Vector128.Create((byte)0xFF)));
        Assert.That(SimdOps.I8x16ShrU(bytes, 8), Is.EqualTo(bytes));
        Assert.That(SimdOps.I16x8ShrS(I16(-2, 2, 0, 0, 0, 0, 0, 0), 17).AsInt16().GetElement(0), Is.EqualTo(-1));
        Assert.That(SimdOps.I32x4Shl(Vector128.Create(1).AsByte(), 33).AsInt32(), Is.EqualTo(Vector128.Create(2)));
        Assert.That(SimdOps.I64x2ShrS(Vector128.Create(long.MinValue).AsByte(), 127).AsInt64(), Is.EqualTo(Vector128.Create(-1L)));
        Assert.That(SimdOps.I64x2ShrU(Vector128.Create(long.MinValue).AsByte(), 64).AsInt64(), Is.EqualTo(Vector128.Create(long.MinValue)));
    }

    [Test]
    public void AbsWrapsTheMinimumAndNegWraps()
    {
        Assert.That(SimdOps.I8x16Abs(Vector128.Create((byte)0x80)), Is.EqualTo(Vector128.Create((byte)0x80)));
        Assert.That(SimdOps.I16x8Abs(Vector128.Create(short.MinValue).AsByte()).AsInt16(), Is.EqualTo(Vector128.Create(short.MinValue)));
        Assert.That(SimdOps.I32x4Abs(Vector128.Create(int.MinValue, -5, 5, 0).AsByte()).AsInt32(), Is.EqualTo(Vector128.Create(int.MinValue, 5, 5, 0)));
        Assert.That(SimdOps.I64x2Abs(Vector128.Create(long.MinValue, -7).AsByte()).AsInt64(), Is.EqualTo(Vector128.Create(long.MinValue, 7)));
        Assert.That(SimdOps.I64x2Neg(Vector128.Create(long.MinValue, 1).AsByte()).AsInt64(), Is.EqualTo(Vector128.Create(long.MinValue, -1)));
    }

    [Test]
    public void WholeVectorTestsAndBitmasks()
    {
        Assert.That(SimdOps.V128AnyTrue(Vector128<byte>.Zero), Is.Zero);
        Assert.That(SimdOps.V128AnyTrue(Vector128.Create(0UL, 1UL << 63).AsByte()), Is.EqualTo(1));
        Assert.That(SimdOps.I8x16AllTrue(Vector128.Create((byte)1).WithElement(15, (byte)0)), Is.Zero);
        Assert.That(SimdOps.I16x8AllTrue(Vector128.Create((ushort)0x0100).AsByte()), Is.EqualTo(1), "a lane is true when any of its bits is set");
        Assert.That(SimdOps.I32x4AllTrue(Vector128.Create(1, 1, 0, 1).AsByte()), Is.Zero);
        Assert.That(SimdOps.I64x2AllTrue(Vector128.Create(1L << 40, 1L).AsByte()), Is.EqualTo(1));
        Assert.That(SimdOps.I8x16Bitmask(Vector128.Create((byte)0x80, 0, 0xFF, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80)), Is.EqualTo(0b1000_0000_0000_0101));
        Assert.That(SimdOps.I16x8Bitmask(I16(-1, 0, 0, -32768, 0, 0, 0, 32767)), Is.EqualTo(0b1001));
        Assert.That(SimdOps.I32x4Bitmask(Vector128.Create(0, -1, 0, -1).AsByte()), Is.EqualTo(0b1010));
        Assert.That(SimdOps.I64x2Bitmask(Vector128.Create(-1L, 0).AsByte()), Is.EqualTo(1));
    }

    [Test]
    public void SwizzleZeroesOutOfRangeIndices()
    {
        Vector128<byte> table = Vector128.Create((byte)10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25);
        Vector128<byte> indices = Vector128.Create((byte)0, 15, 16, 0x80, 0xFF, 0x10, 0x7F, 1, 2, 3, 31, 32, 0x8F, 14, 5, 0x0F);
        Assert.That(SimdOps.I8x16Swizzle(table, indices), Is.EqualTo(Vector128.Create((byte)10, 25, 0, 0, 0, 0, 0, 11, 12, 13, 0, 0, 0, 24, 15, 25)));
    }

    [Test]
    public void LanesLoadsAndStoresKeepTheOtherLanes()
    {
        Vector128<byte> v = Vector128.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        Assert.That(SimdOps.I8x16ExtractLaneS(Vector128.Create((byte)0xFF), 3), Is.EqualTo(-1));
        Assert.That(SimdOps.I8x16ExtractLaneU(Vector128.Create((byte)0xFF), 3), Is.EqualTo(255));
        Assert.That(SimdOps.I16x8ExtractLaneS(Vector128.Create((ushort)0x8000).AsByte(), 7), Is.EqualTo(-32768));
        Assert.That(SimdOps.I16x8ExtractLaneU(Vector128.Create((ushort)0x8000).AsByte(), 7), Is.EqualTo(32768));
        Assert.That(SimdOps.I8x16ReplaceLane(v, 0x1FF, 15).GetElement(15), Is.EqualTo(0xFF), "only the low 8 bits are stored");
        Assert.That(SimdOps.I16x8ReplaceLane(v, 0x12345, 1).AsUInt16().GetElement(1), Is.EqualTo(0x2345));
        Assert.That(SimdOps.V128Load16Lane(v, 0xBEEF, 7), Is.EqualTo(v.AsUInt16().WithElement(7, (ushort)0xBEEF).AsByte()));
        Assert.That(SimdOps.V128Load64Lane(v, ulong.MaxValue, 0).AsUInt64(), Is.EqualTo(Vector128.Create(ulong.MaxValue, v.AsUInt64().GetElement(1))));
        Assert.That(SimdOps.V128Store32Lane(v, 2), Is.EqualTo(0x0B0A0908u));
        Assert.That(SimdOps.V128Store8Lane(v, 9), Is.EqualTo(9));
        Assert.That(SimdOps.V128Load32Zero(0xDEADBEEF).AsUInt32(), Is.EqualTo(Vector128.Create(0xDEADBEEF, 0, 0, 0)));
        Assert.That(SimdOps.V128Load8x8S(0x80FF_0102_0304_7F00).AsInt16(), Is.EqualTo(Vector128.Create((short)0, 127, 4, 3, 2, 1, -1, -128)));
        Assert.That(SimdOps.V128Load32x2U(0xFFFF_FFFF_8000_0000).AsUInt64(), Is.EqualTo(Vector128.Create(0x8000_0000ul, 0xFFFF_FFFFul)));
        Assert.That(SimdOps.V128Load16Splat(0xABCD).AsUInt16(), Is.EqualTo(Vector128.Create((ushort)0xABCD)));
        float nanWithPayload = FloatBits(0x7F80_0001);
        Assert.That(BitConverter.SingleToUInt32Bits(SimdOps.F32x4ExtractLane(SimdOps.F32x4ReplaceLane(v, nanWithPayload, 2), 2)), Is.EqualTo(0x7F80_0001u), "signalling NaN bits survive");
    }

    [Test]
    public void ConversionsRoundCorrectly()
    {
        // 0x80000081 is just above a halfway point, 0x7FFFFFC1 rounds up to 2^31, 2^24+1 ties to even.
        Vector128<byte> value = Vector128.Create(0xFFFF_FFFFu, 0x8000_0081u, 0x7FFF_FFC1u, 16_777_217u).AsByte();
        Assert.That(SimdOps.F32x4ConvertI32x4U(value).AsSingle(), Is.EqualTo(Vector128.Create(4294967296f, 2147483904f, 2147483648f, 16777216f)));
        Assert.That(SimdOps.F32x4ConvertI32x4S(value).AsSingle(), Is.EqualTo(Vector128.Create(-1f, -2147483520f, 2147483648f, 16777216f)));
        Assert.That(SimdOps.F64x2ConvertLowI32x4U(value).AsDouble(), Is.EqualTo(Vector128.Create(4294967295.0, 2147483777.0)));
        Assert.That(SimdOps.F64x2ConvertLowI32x4S(value).AsDouble(), Is.EqualTo(Vector128.Create(-1.0, -2147483519.0)));

        Vector128<byte> demoted = SimdOps.F32x4DemoteF64x2Zero(F64(1e300, 1.0 + 1.0 / (1 << 24)));
        Assert.That(demoted.AsSingle(), Is.EqualTo(Vector128.Create(float.PositiveInfinity, 1f, 0f, 0f)), "ties to even, upper lanes zero");
        Vector128<byte> promoted = SimdOps.F64x2PromoteLowF32x4(F32(FloatBits(0x7FA0_0000), -0f, 9f, 9f));
        Assert.That(Bits64(promoted)[0] & 0x7FF8_0000_0000_0000, Is.EqualTo(0x7FF8_0000_0000_0000), "NaN stays an arithmetic NaN");
        Assert.That(Bits64(promoted)[1], Is.EqualTo(0x8000_0000_0000_0000));
    }

    [Test]
    public void RandomShufflesMatchTheReference()
    {
        var random = new Random(1);
        for (int round = 0; round < RandomRounds; round++)
        {
            byte[] a = RandomBytes(random), b = RandomBytes(random), lanes = new byte[16], swizzle = RandomBytes(random);
            for (int i = 0; i < 16; i++)
            {
                lanes[i] = (byte)random.Next(32);
                swizzle[i] = random.Next(3) == 0 ? (byte)random.Next(20) : swizzle[i];
            }
            var expectedShuffle = new byte[16];
            var expectedSwizzle = new byte[16];
            for (int i = 0; i < 16; i++)
            {
                expectedShuffle[i] = lanes[i] < 16 ? a[lanes[i]] : b[lanes[i] - 16];
                expectedSwizzle[i] = swizzle[i] < 16 ? a[swizzle[i]] : (byte)0;
            }
            Assert.That(SimdOps.I8x16Shuffle(V(a), V(b), V(lanes)), Is.EqualTo(V(expectedShuffle)));
            Assert.That(SimdOps.I8x16Swizzle(V(a), V(swizzle)), Is.EqualTo(V(expectedSwizzle)));
        }
    }

    [Test]
    public void RandomIntegerOperatorsMatchTheReference()
    {
        var random = new Random(2);
        for (int round = 0; round < RandomRounds; round++)
        {
            byte[] a = RandomBytes(random, edgy: true), b = RandomBytes(random, edgy: true);
            Vector128<byte> va = V(a), vb = V(b);
            sbyte[] sa = Lanes<sbyte>(a), sb = Lanes<sbyte>(b);
            short[] ha = Lanes<short>(a), hb = Lanes<short>(b);
            ushort[] uha = Lanes<ushort>(a), uhb = Lanes<ushort>(b);
            int[] ia = Lanes<int>(a), ib = Lanes<int>(b);
            uint[] uia = Lanes<uint>(a), uib = Lanes<uint>(b);

            Check(SimdOps.I8x16Popcnt(va), Map(a, x => (byte)BitOperations.PopCount(x)));
            Check(SimdOps.I8x16AvgrU(va, vb), Map2(a, b, (x, y) => (byte)((x + y + 1) >> 1)));
            Check(SimdOps.I16x8AvgrU(va, vb), Map2(uha, uhb, (x, y) => (ushort)((x + y + 1) >> 1)));
            Check(SimdOps.I8x16AddSatS(va, vb), Map2(sa, sb, (x, y) => (sbyte)Math.Clamp(x + y, -128, 127)));
            Check(SimdOps.I8x16SubSatU(va, vb), Map2(a, b, (x, y) => (byte)Math.Max(x - y, 0)));
            Check(SimdOps.I16x8SubSatS(va, vb), Map2(ha, hb, (x, y) => (short)Math.Clamp(x - y, -32768, 32767)));
            Check(SimdOps.I16x8AddSatU(va, vb), Map2(uha, uhb, (x, y) => (ushort)Math.Min(x + y, 65535)));
            Check(SimdOps.I8x16NarrowI16x8S(va, vb), Narrow(ha, hb, x => (sbyte)Math.Clamp((int)x, -128, 127)));
            Check(SimdOps.I8x16NarrowI16x8U(va, vb), Narrow(ha, hb, x => (byte)Math.Clamp((int)x, 0, 255)));
            Check(SimdOps.I16x8NarrowI32x4S(va, vb), Narrow(ia, ib, x => (short)Math.Clamp(x, -32768, 32767)));
            Check(SimdOps.I16x8NarrowI32x4U(va, vb), Narrow(ia, ib, x => (ushort)Math.Clamp(x, 0, 65535)));
            Check(SimdOps.I16x8Q15mulrSatS(va, vb), Map2(ha, hb, (x, y) => (short)Math.Min((x * y + 0x4000) >> 15, 32767)));
            Check(SimdOps.I32x4DotI16x8S(va, vb), Enumerable.Range(0, 4).Select(i => unchecked(ha[2 * i] * hb[2 * i] + ha[2 * i + 1] * hb[2 * i + 1])).ToArray());
            Check(SimdOps.I16x8ExtaddPairwiseI8x16S(va), Enumerable.Range(0, 8).Select(i => (short)(sa[2 * i] + sa[2 * i + 1])).ToArray());
            Check(SimdOps.I16x8ExtaddPairwiseI8x16U(va), Enumerable.Range(0, 8).Select(i => (ushort)(a[2 * i] + a[2 * i + 1])).ToArray());
            Check(SimdOps.I32x4ExtaddPairwiseI16x8S(va), Enumerable.Range(0, 4).Select(i => ha[2 * i] + ha[2 * i + 1]).ToArray());
            Check(SimdOps.I32x4ExtaddPairwiseI16x8U(va), Enumerable.Range(0, 4).Select(i => (uint)(uha[2 * i] + uha[2 * i + 1])).ToArray());
            Check(SimdOps.I16x8ExtmulLowI8x16S(va, vb), Enumerable.Range(0, 8).Select(i => (short)(sa[i] * sb[i])).ToArray());
            Check(SimdOps.I16x8ExtmulHighI8x16U(va, vb), Enumerable.Range(8, 8).Select(i => (ushort)(a[i] * b[i])).ToArray());
            Check(SimdOps.I32x4ExtmulLowI16x8S(va, vb), Enumerable.Range(0, 4).Select(i => ha[i] * hb[i]).ToArray());
            Check(SimdOps.I32x4ExtmulHighI16x8S(va, vb), Enumerable.Range(4, 4).Select(i => ha[i] * hb[i]).ToArray());
            Check(SimdOps.I32x4ExtmulLowI16x8U(va, vb), Enumerable.Range(0, 4).Select(i => (uint)(uha[i] * uhb[i])).ToArray());
            Check(SimdOps.I32x4ExtmulHighI16x8U(va, vb), Enumerable.Range(4, 4).Select(i => (uint)(uha[i] * uhb[i])).ToArray());
            Check(SimdOps.I64x2ExtmulLowI32x4S(va, vb), Enumerable.Range(0, 2).Select(i => (long)ia[i] * ib[i]).ToArray());
            Check(SimdOps.I64x2ExtmulHighI32x4S(va, vb), Enumerable.Range(2, 2).Select(i => (long)ia[i] * ib[i]).ToArray());
            Check(SimdOps.I64x2ExtmulLowI32x4U(va, vb), Enumerable.Range(0, 2).Select(i => (ulong)uia[i] * uib[i]).ToArray());
            Check(SimdOps.I64x2ExtmulHighI32x4U(va, vb), Enumerable.Range(2, 2).Select(i => (ulong)uia[i] * uib[i]).ToArray());
            Check(SimdOps.I64x2Mul(va, vb), Enumerable.Range(0, 2).Select(i => unchecked(Lanes<long>(a)[i] * Lanes<long>(b)[i])).ToArray());
            Check(SimdOps.I8x16Abs(va), Map(sa, x => unchecked((sbyte)(x < 0 ? -x : x))));
            Check(SimdOps.I64x2Abs(va), Map(Lanes<long>(a), x => x < 0 ? unchecked(-x) : x));
            Check(SimdOps.I8x16MinS(va, vb), Map2(sa, sb, Math.Min));
            Check(SimdOps.I32x4MaxU(va, vb), Map2(uia, uib, Math.Max));
            Check(SimdOps.I64x2LtS(va, vb), Map2(Lanes<long>(a), Lanes<long>(b), (x, y) => x < y ? -1L : 0L));
            Check(SimdOps.I8x16GtU(va, vb), Map2(a, b, (x, y) => x > y ? (byte)0xFF : (byte)0));
            int count = random.Next(-70, 70);
            Check(SimdOps.I8x16ShrS(va, count), Map(sa, x => (sbyte)(x >> (count & 7))));
            Check(SimdOps.I8x16Shl(va, count), Map(a, x => (byte)(x << (count & 7))));
            Check(SimdOps.I64x2ShrS(va, count), Map(Lanes<long>(a), x => x >> count));
        }
    }

    [Test]
    public void RandomFloatConversionsMatchTheReference()
    {
        var random = new Random(3);
        for (int round = 0; round < RandomRounds; round++)
        {
            byte[] bits = RandomBytes(random, edgy: true);
            float[] floats = Lanes<float>(bits);
            double[] doubles = Lanes<double>(bits);
            // Scale random bit patterns into the interesting range around the integer limits now and then.
            if (round % 2 == 0)
            {
                floats = floats.Select(f => float.IsNaN(f) ? f : MathF.ScaleB(f - MathF.Truncate(f) + 1f, random.Next(28, 34)) * (random.Next(2) * 2 - 1)).ToArray();
                doubles = doubles.Select(d => double.IsNaN(d) ? d : Math.ScaleB(d - Math.Truncate(d) + 1.0, random.Next(28, 34)) * (random.Next(2) * 2 - 1)).ToArray();
            }
            Vector128<byte> vf = Vector128.Create(floats).AsByte();
            Vector128<byte> vd = Vector128.Create(doubles).AsByte();

            Check(SimdOps.I32x4TruncSatF32x4S(vf), floats.Select(f => float.IsNaN(f) ? 0 : (int)Math.Clamp(Math.Truncate((double)f), int.MinValue, int.MaxValue)).ToArray());
            Check(SimdOps.I32x4TruncSatF32x4U(vf), floats.Select(f => float.IsNaN(f) ? 0u : (uint)Math.Clamp(Math.Truncate((double)f), 0, uint.MaxValue)).ToArray());
            Check(SimdOps.I32x4TruncSatF64x2SZero(vd), doubles.Select(d => double.IsNaN(d) ? 0 : (int)Math.Clamp(Math.Truncate(d), int.MinValue, int.MaxValue)).Concat([0, 0]).ToArray());
            Check(SimdOps.I32x4TruncSatF64x2UZero(vd), doubles.Select(d => double.IsNaN(d) ? 0u : (uint)Math.Clamp(Math.Truncate(d), 0, uint.MaxValue)).Concat([0u, 0u]).ToArray());
            uint[] unsigned = Lanes<uint>(bits);
            Check(SimdOps.F32x4ConvertI32x4U(V(bits)), unsigned.Select(u => ReferenceRoundToSingle(u)).ToArray());
            Check(SimdOps.F64x2ConvertLowI32x4U(V(bits)), unsigned.Take(2).Select(u => (double)u).ToArray());
        }
    }

    [Test]
    public void RandomFloatMinMaxMatchTheReference()
    {
        uint[] specials = [0, 0x8000_0000, 0x3F80_0000, 0xBF80_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0000, 0x7FA0_0000, 0x7F80_0001, 0x0000_0001];
        var random = new Random(5);
        for (int round = 0; round < RandomRounds; round++)
        {
            uint[] a = new uint[4], b = new uint[4];
            for (int i = 0; i < 4; i++)
            {
                a[i] = random.Next(2) == 0 ? specials[random.Next(specials.Length)] : (uint)random.Next() << 1;
                b[i] = random.Next(3) == 0 ? a[i] ^ 0x8000_0000 : random.Next(2) == 0 ? specials[random.Next(specials.Length)] : (uint)random.Next() << 1;
            }
            Vector128<byte> va = Vector128.Create(a).AsByte(), vb = Vector128.Create(b).AsByte();
            uint[] min = Bits32(SimdOps.F32x4Min(va, vb)), max = Bits32(SimdOps.F32x4Max(va, vb));
            uint[] pmin = Bits32(SimdOps.F32x4Pmin(va, vb)), pmax = Bits32(SimdOps.F32x4Pmax(va, vb));
            for (int i = 0; i < 4; i++)
            {
                float x = BitConverter.UInt32BitsToSingle(a[i]), y = BitConverter.UInt32BitsToSingle(b[i]);
                string lane = $"lane {i}: {a[i]:x8} {b[i]:x8}";
                if (float.IsNaN(x) || float.IsNaN(y))
                {
                    Assert.That(min[i] & 0x7FFF_FFFF, Is.EqualTo(0x7FC0_0000u), lane);
                    Assert.That(max[i] & 0x7FFF_FFFF, Is.EqualTo(0x7FC0_0000u), lane);
                }
                else
                {
                    Assert.That(min[i], Is.EqualTo(x == y ? a[i] | b[i] : x < y ? a[i] : b[i]), lane);
                    Assert.That(max[i], Is.EqualTo(x == y ? a[i] & b[i] : x > y ? a[i] : b[i]), lane);
                }
                Assert.That(pmin[i], Is.EqualTo(y < x ? b[i] : a[i]), lane);
                Assert.That(pmax[i], Is.EqualTo(x < y ? b[i] : a[i]), lane);
                Assert.That(BitConverter.SingleToUInt32Bits(Numerics.F32Min(x, y)) & (float.IsNaN(x) || float.IsNaN(y) ? 0x7FFF_FFFFu : ~0u),
                    Is.EqualTo(min[i] & (float.IsNaN(x) || float.IsNaN(y) ? 0x7FFF_FFFFu : ~0u)), "scalar " + lane);
            }
        }
    }

    /// <summary>u64 to f32 rounded to nearest even by integer arithmetic alone.</summary>
    internal static float ReferenceRoundToSingle(ulong value)
    {
        int width = 64 - BitOperations.LeadingZeroCount(value);
        if (width <= 24)
        {
            return value;
        }
        int shift = width - 24;
        ulong mantissa = value >> shift;
        ulong rest = value & ((1ul << shift) - 1);
        ulong half = 1ul << (shift - 1);
        if (rest > half || (rest == half && (mantissa & 1) != 0))
        {
            mantissa++;
        }
        return MathF.ScaleB(mantissa, shift); // exact: mantissa has at most 25 bits, a power of two when it carried
    }

    private static Type ClrType(ValType type) => type switch
    {
        ValType.I32 => typeof(int),
        ValType.I64 => typeof(long),
        ValType.F32 => typeof(float),
        ValType.F64 => typeof(double),
        ValType.V128 => typeof(Vector128<byte>),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static Vector128<byte> V(byte[] bytes) => Vector128.Create(bytes);

    private static Vector128<byte> F32(float a, float b, float c, float d) => Vector128.Create(a, b, c, d).AsByte();

    private static Vector128<byte> F64(double a, double b) => Vector128.Create(a, b).AsByte();

    private static Vector128<byte> I16(short a, short b, short c, short d, short e, short f, short g, short h) =>
        Vector128.Create(a, b, c, d, e, f, g, h).AsByte();

    private static uint[] Bits32(Vector128<byte> v) => Lanes<uint>(Bytes(v));

    private static ulong[] Bits64(Vector128<byte> v) => Lanes<ulong>(Bytes(v));

    private static byte[] Bytes(Vector128<byte> v)
    {
        var bytes = new byte[16];
        v.CopyTo(bytes);
        return bytes;
    }

    private static T[] Lanes<T>(byte[] bytes) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(bytes).ToArray();

    private static T[] Map<T>(T[] lanes, Func<T, T> f) => lanes.Select(f).ToArray();

    private static TOut[] Map2<T, TOut>(T[] a, T[] b, Func<T, T, TOut> f) => a.Zip(b, f).ToArray();

    private static TOut[] Narrow<T, TOut>(T[] a, T[] b, Func<T, TOut> f) => a.Concat(b).Select(f).ToArray();

    private static void Check<T>(Vector128<byte> actual, T[] expected) where T : unmanaged =>
        Assert.That(Lanes<T>(Bytes(actual)), Is.EqualTo(expected));

    /// <summary>16 random bytes; with <paramref name="edgy"/>, lanes are often 0, the extremes or their neighbours.</summary>
    private static byte[] RandomBytes(Random random, bool edgy = false)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        if (edgy && random.Next(2) == 0)
        {
            byte[] specials = [0x00, 0x01, 0x7F, 0x80, 0x81, 0xFE, 0xFF];
            for (int i = 0; i < 16; i++)
            {
                if (random.Next(3) == 0)
                {
                    bytes[i] = specials[random.Next(specials.Length)];
                }
            }
        }
        return bytes;
    }

    // Not inlined, so the JIT cannot fold the bits into a float constant (it keeps float constants as
    // doubles while compiling, which quiets a signalling NaN in Release builds).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static float FloatBits(uint bits) => BitConverter.UInt32BitsToSingle(bits);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static double DoubleBits(ulong bits) => BitConverter.UInt64BitsToDouble(bits);
}
