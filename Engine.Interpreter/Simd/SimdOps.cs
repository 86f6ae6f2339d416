using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine.Interpreter;

/// <summary>
/// The exact semantics of every WebAssembly 2.0 SIMD operator, one method per operator, named exactly
/// as its <see cref="Engine.Core.Opcode"/> member (<c>Opcode.I8x16Add</c> is <see cref="I8x16Add"/>).
/// </summary>
/// <remarks>
/// <para>
/// Conventions. A v128 is a <see cref="Vector128{T}"/> of <see cref="byte"/>; methods reinterpret it
/// (<c>AsInt32()</c>, <c>AsSingle()</c>, ...) internally, which costs nothing. Scalar operands and
/// results use the wasm value types' C# carriers (<see cref="int"/> for i32, <see cref="long"/> for
/// i64, <see cref="float"/>, <see cref="double"/>), so an unsigned lane is returned as the bit pattern
/// of an i32. Parameters come in stack order (the deepest operand first), then the immediates: the lane
/// index of extract/replace/load-lane/store-lane as a <see cref="byte"/> (already validated against the
/// lane count), the 16 lane indices of <c>i8x16.shuffle</c> as a <see cref="Vector128{T}"/>.
/// </para>
/// <para>
/// Memory. The methods never touch linear memory: the executor checks bounds and reads the bytes; a
/// load method turns the bytes it read (as a little-endian integer of the access size) into the v128
/// (<see cref="V128Load8x8S"/>, <see cref="V128Load32Zero"/>, <see cref="V128Load8Splat"/>,
/// <see cref="V128Load16Lane"/>), and a store method returns the value to write
/// (<see cref="V128Store32Lane"/>). <see cref="V128Load"/>, <see cref="V128Store"/> and
/// <see cref="V128Const"/> are identities, present so that every SIMD opcode has its method.
/// </para>
/// <para>
/// Floating point. Arithmetic follows IEEE 754 with round-to-nearest-even, which SSE/AVX and the .NET
/// scalar fallbacks give directly; a NaN result of add/sub/mul/div/sqrt/rounding is the hardware's
/// quiet NaN, which the spec allows (an arithmetic NaN, canonical when the inputs were canonical).
/// <c>min</c>/<c>max</c> return a positive canonical NaN when either lane is NaN and order -0 below
/// +0; <c>pmin</c>/<c>pmax</c> are the plain selects the spec defines and pass NaNs through unchanged.
/// Conversions to integers saturate, with NaN giving 0.
/// </para>
/// <para>
/// Speed. Each method is a few vector instructions on x86-64 with SSE4.1: most go through the portable
/// <see cref="Vector128"/> API, which the JIT lowers to single instructions or short sequences; where
/// an instruction has exactly the wasm semantics (or makes a much shorter sequence) the method uses
/// <see cref="Sse2"/>, <see cref="Ssse3"/>, <see cref="Sse41"/> or AVX-512 directly. Every hardware
/// path is guarded by its <c>IsSupported</c> check, which the JIT folds to a constant, and has a
/// portable fallback with the same results. <c>Simd/README.md</c> lists which operators get which.
/// </para>
/// </remarks>
public static partial class SimdOps
{
    // ------------------------------------------------------------------------------------------------
    // Memory: loads turn the bytes read into a v128; stores return the value to write.
    // ------------------------------------------------------------------------------------------------

    /// <summary><c>v128.load</c>: the 16 bytes read are the value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load(Vector128<byte> bits) => bits;

    /// <summary><c>v128.load8x8_s</c>: 8 bytes, each sign-extended to an i16 lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load8x8S(ulong bits) =>
        Vector128.WidenLower(Vector128.CreateScalar(bits).AsSByte()).AsByte();

    /// <summary><c>v128.load8x8_u</c>: 8 bytes, each zero-extended to an i16 lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load8x8U(ulong bits) =>
        Vector128.WidenLower(Vector128.CreateScalar(bits).AsByte()).AsByte();

    /// <summary><c>v128.load16x4_s</c>: 4 i16s, each sign-extended to an i32 lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load16x4S(ulong bits) =>
        Vector128.WidenLower(Vector128.CreateScalar(bits).AsInt16()).AsByte();

    /// <summary><c>v128.load16x4_u</c>: 4 i16s, each zero-extended to an i32 lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load16x4U(ulong bits) =>
        Vector128.WidenLower(Vector128.CreateScalar(bits).AsUInt16()).AsByte();

    /// <summary><c>v128.load32x2_s</c>: 2 i32s, each sign-extended to an i64 lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load32x2S(ulong bits) =>
        Vector128.WidenLower(Vector128.CreateScalar(bits).AsInt32()).AsByte();

    /// <summary><c>v128.load32x2_u</c>: 2 i32s, each zero-extended to an i64 lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load32x2U(ulong bits) =>
        Vector128.WidenLower(Vector128.CreateScalar(bits).AsUInt32()).AsByte();

    /// <summary><c>v128.load8_splat</c>: the byte in all 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load8Splat(byte value) => Vector128.Create(value);

    /// <summary><c>v128.load16_splat</c>: the i16 in all 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load16Splat(ushort value) => Vector128.Create(value).AsByte();

    /// <summary><c>v128.load32_splat</c>: the i32 in all 4 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load32Splat(uint value) => Vector128.Create(value).AsByte();

    /// <summary><c>v128.load64_splat</c>: the i64 in both lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load64Splat(ulong value) => Vector128.Create(value).AsByte();

    /// <summary><c>v128.load32_zero</c>: the i32 in lane 0, the other lanes zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load32Zero(uint value) => Vector128.CreateScalar(value).AsByte();

    /// <summary><c>v128.load64_zero</c>: the i64 in lane 0, lane 1 zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load64Zero(ulong value) => Vector128.CreateScalar(value).AsByte();

    /// <summary><c>v128.load8_lane</c>: <paramref name="vector"/> with i8 lane <paramref name="lane"/> replaced by the byte read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load8Lane(Vector128<byte> vector, byte value, byte lane) =>
        vector.WithElement(lane, value);

    /// <summary><c>v128.load16_lane</c>: <paramref name="vector"/> with i16 lane <paramref name="lane"/> replaced by the value read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load16Lane(Vector128<byte> vector, ushort value, byte lane) =>
        vector.AsUInt16().WithElement(lane, value).AsByte();

    /// <summary><c>v128.load32_lane</c>: <paramref name="vector"/> with i32 lane <paramref name="lane"/> replaced by the value read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load32Lane(Vector128<byte> vector, uint value, byte lane) =>
        vector.AsUInt32().WithElement(lane, value).AsByte();

    /// <summary><c>v128.load64_lane</c>: <paramref name="vector"/> with i64 lane <paramref name="lane"/> replaced by the value read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Load64Lane(Vector128<byte> vector, ulong value, byte lane) =>
        vector.AsUInt64().WithElement(lane, value).AsByte();

    /// <summary><c>v128.store</c>: the 16 bytes to write are the value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Store(Vector128<byte> vector) => vector;

    /// <summary><c>v128.store8_lane</c>: the byte to write, i8 lane <paramref name="lane"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte V128Store8Lane(Vector128<byte> vector, byte lane) => vector.GetElement(lane);

    /// <summary><c>v128.store16_lane</c>: the i16 to write, lane <paramref name="lane"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort V128Store16Lane(Vector128<byte> vector, byte lane) => vector.AsUInt16().GetElement(lane);

    /// <summary><c>v128.store32_lane</c>: the i32 to write, lane <paramref name="lane"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint V128Store32Lane(Vector128<byte> vector, byte lane) => vector.AsUInt32().GetElement(lane);

    /// <summary><c>v128.store64_lane</c>: the i64 to write, lane <paramref name="lane"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong V128Store64Lane(Vector128<byte> vector, byte lane) => vector.AsUInt64().GetElement(lane);

    // ------------------------------------------------------------------------------------------------
    // Constants, shuffles, splats and lanes.
    // ------------------------------------------------------------------------------------------------

    /// <summary><c>v128.const</c>: the immediate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Const(Vector128<byte> value) => value;

    /// <summary>
    /// <c>i8x16.shuffle</c>: lane i of the result is byte <c>lanes[i]</c> of the 32-byte concatenation
    /// <paramref name="a"/>:<paramref name="b"/>. The lane indices are the immediate, validated to be below 32.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Shuffle(Vector128<byte> a, Vector128<byte> b, Vector128<byte> lanes)
    {
        if (Avx512Vbmi.VL.IsSupported)
        {
            // vpermt2b: one instruction, indexes the pair by the low 5 bits.
            return Avx512Vbmi.VL.PermuteVar16x8x2(a, lanes, b);
        }
        if (Ssse3.IsSupported)
        {
            // pshufb zeroes a lane whose index has bit 7 set. Adding 0x70 with saturation sets it for
            // indices 16..31 and keeps the low nibble of 0..15; subtracting 16 sets it for 0..15.
            Vector128<byte> fromA = Ssse3.Shuffle(a, Sse2.AddSaturate(lanes, Vector128.Create((byte)0x70)));
            Vector128<byte> fromB = Ssse3.Shuffle(b, lanes - Vector128.Create((byte)16));
            return fromA | fromB;
        }
        // Vector128.Shuffle yields 0 for an index of 16 or more, so each half picks only its own lanes.
        return Vector128.Shuffle(a, lanes) | Vector128.Shuffle(b, lanes - Vector128.Create((byte)16));
    }

    /// <summary><c>i8x16.swizzle</c>: lane i is <c>a[s[i]]</c>, or 0 when <c>s[i]</c> is 16 or more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Swizzle(Vector128<byte> a, Vector128<byte> s)
    {
        if (Ssse3.IsSupported)
        {
            // Saturating +0x70 sets bit 7 (pshufb's "zero this lane") exactly for indices >= 16.
            return Ssse3.Shuffle(a, Sse2.AddSaturate(s, Vector128.Create((byte)0x70)));
        }
        return Vector128.Shuffle(a, s);
    }

    /// <summary><c>i8x16.splat</c>: the low 8 bits of <paramref name="value"/> in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Splat(int value) => Vector128.Create((byte)value);

    /// <summary><c>i16x8.splat</c>: the low 16 bits of <paramref name="value"/> in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Splat(int value) => Vector128.Create((short)value).AsByte();

    /// <summary><c>i32x4.splat</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4Splat(int value) => Vector128.Create(value).AsByte();

    /// <summary><c>i64x2.splat</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2Splat(long value) => Vector128.Create(value).AsByte();

    /// <summary><c>f32x4.splat</c> (the bits are copied unchanged, NaN payloads included).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Splat(float value) => Vector128.Create(value).AsByte();

    /// <summary><c>f64x2.splat</c> (the bits are copied unchanged, NaN payloads included).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Splat(double value) => Vector128.Create(value).AsByte();

    /// <summary><c>i8x16.extract_lane_s</c>: the lane, sign-extended.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I8x16ExtractLaneS(Vector128<byte> vector, byte lane) => vector.AsSByte().GetElement(lane);

    /// <summary><c>i8x16.extract_lane_u</c>: the lane, zero-extended.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I8x16ExtractLaneU(Vector128<byte> vector, byte lane) => vector.GetElement(lane);

    /// <summary><c>i8x16.replace_lane</c>: lane <paramref name="lane"/> set to the low 8 bits of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16ReplaceLane(Vector128<byte> vector, int value, byte lane) =>
        vector.WithElement(lane, (byte)value);

    /// <summary><c>i16x8.extract_lane_s</c>: the lane, sign-extended.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I16x8ExtractLaneS(Vector128<byte> vector, byte lane) => vector.AsInt16().GetElement(lane);

    /// <summary><c>i16x8.extract_lane_u</c>: the lane, zero-extended.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I16x8ExtractLaneU(Vector128<byte> vector, byte lane) => vector.AsUInt16().GetElement(lane);

    /// <summary><c>i16x8.replace_lane</c>: lane <paramref name="lane"/> set to the low 16 bits of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ReplaceLane(Vector128<byte> vector, int value, byte lane) =>
        vector.AsInt16().WithElement(lane, (short)value).AsByte();

    /// <summary><c>i32x4.extract_lane</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I32x4ExtractLane(Vector128<byte> vector, byte lane) => vector.AsInt32().GetElement(lane);

    /// <summary><c>i32x4.replace_lane</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ReplaceLane(Vector128<byte> vector, int value, byte lane) =>
        vector.AsInt32().WithElement(lane, value).AsByte();

    /// <summary><c>i64x2.extract_lane</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long I64x2ExtractLane(Vector128<byte> vector, byte lane) => vector.AsInt64().GetElement(lane);

    /// <summary><c>i64x2.replace_lane</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ReplaceLane(Vector128<byte> vector, long value, byte lane) =>
        vector.AsInt64().WithElement(lane, value).AsByte();

    /// <summary><c>f32x4.extract_lane</c> (bits unchanged).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32x4ExtractLane(Vector128<byte> vector, byte lane) => vector.AsSingle().GetElement(lane);

    /// <summary><c>f32x4.replace_lane</c> (bits unchanged).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4ReplaceLane(Vector128<byte> vector, float value, byte lane) =>
        vector.AsSingle().WithElement(lane, value).AsByte();

    /// <summary><c>f64x2.extract_lane</c> (bits unchanged).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64x2ExtractLane(Vector128<byte> vector, byte lane) => vector.AsDouble().GetElement(lane);

    /// <summary><c>f64x2.replace_lane</c> (bits unchanged).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2ReplaceLane(Vector128<byte> vector, double value, byte lane) =>
        vector.AsDouble().WithElement(lane, value).AsByte();

    // ------------------------------------------------------------------------------------------------
    // Comparisons: each lane becomes all ones (true) or all zeros (false).
    // ------------------------------------------------------------------------------------------------

    /// <summary><c>i8x16.eq</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Eq(Vector128<byte> a, Vector128<byte> b) => Vector128.Equals(a, b);

    /// <summary><c>i8x16.ne</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Ne(Vector128<byte> a, Vector128<byte> b) => ~Vector128.Equals(a, b);

    /// <summary><c>i8x16.lt_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16LtS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThan(a.AsSByte(), b.AsSByte()).AsByte();

    /// <summary><c>i8x16.lt_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16LtU(Vector128<byte> a, Vector128<byte> b) => Vector128.LessThan(a, b);

    /// <summary><c>i8x16.gt_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16GtS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThan(a.AsSByte(), b.AsSByte()).AsByte();

    /// <summary><c>i8x16.gt_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16GtU(Vector128<byte> a, Vector128<byte> b) => Vector128.GreaterThan(a, b);

    /// <summary><c>i8x16.le_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16LeS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThanOrEqual(a.AsSByte(), b.AsSByte()).AsByte();

    /// <summary><c>i8x16.le_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16LeU(Vector128<byte> a, Vector128<byte> b) => Vector128.LessThanOrEqual(a, b);

    /// <summary><c>i8x16.ge_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16GeS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThanOrEqual(a.AsSByte(), b.AsSByte()).AsByte();

    /// <summary><c>i8x16.ge_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16GeU(Vector128<byte> a, Vector128<byte> b) => Vector128.GreaterThanOrEqual(a, b);

    /// <summary><c>i16x8.eq</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Eq(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Equals(a.AsUInt16(), b.AsUInt16()).AsByte();

    /// <summary><c>i16x8.ne</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Ne(Vector128<byte> a, Vector128<byte> b) =>
        (~Vector128.Equals(a.AsUInt16(), b.AsUInt16())).AsByte();

    /// <summary><c>i16x8.lt_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8LtS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThan(a.AsInt16(), b.AsInt16()).AsByte();

    /// <summary><c>i16x8.lt_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8LtU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThan(a.AsUInt16(), b.AsUInt16()).AsByte();

    /// <summary><c>i16x8.gt_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8GtS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThan(a.AsInt16(), b.AsInt16()).AsByte();

    /// <summary><c>i16x8.gt_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8GtU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThan(a.AsUInt16(), b.AsUInt16()).AsByte();

    /// <summary><c>i16x8.le_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8LeS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThanOrEqual(a.AsInt16(), b.AsInt16()).AsByte();

    /// <summary><c>i16x8.le_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8LeU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThanOrEqual(a.AsUInt16(), b.AsUInt16()).AsByte();

    /// <summary><c>i16x8.ge_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8GeS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThanOrEqual(a.AsInt16(), b.AsInt16()).AsByte();

    /// <summary><c>i16x8.ge_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8GeU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThanOrEqual(a.AsUInt16(), b.AsUInt16()).AsByte();

    /// <summary><c>i32x4.eq</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4Eq(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Equals(a.AsUInt32(), b.AsUInt32()).AsByte();

    /// <summary><c>i32x4.ne</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4Ne(Vector128<byte> a, Vector128<byte> b) =>
        (~Vector128.Equals(a.AsUInt32(), b.AsUInt32())).AsByte();

    /// <summary><c>i32x4.lt_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4LtS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThan(a.AsInt32(), b.AsInt32()).AsByte();

    /// <summary><c>i32x4.lt_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4LtU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThan(a.AsUInt32(), b.AsUInt32()).AsByte();

    /// <summary><c>i32x4.gt_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4GtS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThan(a.AsInt32(), b.AsInt32()).AsByte();

    /// <summary><c>i32x4.gt_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4GtU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThan(a.AsUInt32(), b.AsUInt32()).AsByte();

    /// <summary><c>i32x4.le_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4LeS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThanOrEqual(a.AsInt32(), b.AsInt32()).AsByte();

    /// <summary><c>i32x4.le_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4LeU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThanOrEqual(a.AsUInt32(), b.AsUInt32()).AsByte();

    /// <summary><c>i32x4.ge_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4GeS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThanOrEqual(a.AsInt32(), b.AsInt32()).AsByte();

    /// <summary><c>i32x4.ge_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4GeU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThanOrEqual(a.AsUInt32(), b.AsUInt32()).AsByte();

    /// <summary><c>i64x2.eq</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2Eq(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Equals(a.AsInt64(), b.AsInt64()).AsByte();

    /// <summary><c>i64x2.ne</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2Ne(Vector128<byte> a, Vector128<byte> b) =>
        (~Vector128.Equals(a.AsInt64(), b.AsInt64())).AsByte();

    /// <summary><c>i64x2.lt_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2LtS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThan(a.AsInt64(), b.AsInt64()).AsByte();

    /// <summary><c>i64x2.gt_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2GtS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThan(a.AsInt64(), b.AsInt64()).AsByte();

    /// <summary><c>i64x2.le_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2LeS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThanOrEqual(a.AsInt64(), b.AsInt64()).AsByte();

    /// <summary><c>i64x2.ge_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2GeS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThanOrEqual(a.AsInt64(), b.AsInt64()).AsByte();

    /// <summary><c>f32x4.eq</c>: false when either lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Eq(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Equals(a.AsSingle(), b.AsSingle()).AsByte();

    /// <summary><c>f32x4.ne</c>: true when either lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Ne(Vector128<byte> a, Vector128<byte> b) =>
        (~Vector128.Equals(a.AsSingle(), b.AsSingle())).AsByte();

    /// <summary><c>f32x4.lt</c>: false when either lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Lt(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThan(a.AsSingle(), b.AsSingle()).AsByte();

    /// <summary><c>f32x4.gt</c>: false when either lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Gt(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThan(a.AsSingle(), b.AsSingle()).AsByte();

    /// <summary><c>f32x4.le</c>: false when either lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Le(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThanOrEqual(a.AsSingle(), b.AsSingle()).AsByte();

    /// <summary><c>f32x4.ge</c>: false when either lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Ge(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThanOrEqual(a.AsSingle(), b.AsSingle()).AsByte();

    /// <summary><c>f64x2.eq</c>: false when either lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Eq(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Equals(a.AsDouble(), b.AsDouble()).AsByte();

    /// <summary><c>f64x2.ne</c>: true when either lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Ne(Vector128<byte> a, Vector128<byte> b) =>
        (~Vector128.Equals(a.AsDouble(), b.AsDouble())).AsByte();

    /// <summary><c>f64x2.lt</c>: false when either lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Lt(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThan(a.AsDouble(), b.AsDouble()).AsByte();

    /// <summary><c>f64x2.gt</c>: false when either lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Gt(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThan(a.AsDouble(), b.AsDouble()).AsByte();

    /// <summary><c>f64x2.le</c>: false when either lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Le(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThanOrEqual(a.AsDouble(), b.AsDouble()).AsByte();

    /// <summary><c>f64x2.ge</c>: false when either lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Ge(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThanOrEqual(a.AsDouble(), b.AsDouble()).AsByte();

    // ------------------------------------------------------------------------------------------------
    // Bitwise operators and whole-vector tests.
    // ------------------------------------------------------------------------------------------------

    /// <summary><c>v128.not</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Not(Vector128<byte> a) => ~a;

    /// <summary><c>v128.and</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128And(Vector128<byte> a, Vector128<byte> b) => a & b;

    /// <summary><c>v128.andnot</c>: <c>a &amp; ~b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Andnot(Vector128<byte> a, Vector128<byte> b) => Vector128.AndNot(a, b);

    /// <summary><c>v128.or</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Or(Vector128<byte> a, Vector128<byte> b) => a | b;

    /// <summary><c>v128.xor</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Xor(Vector128<byte> a, Vector128<byte> b) => a ^ b;

    /// <summary><c>v128.bitselect</c>: each bit from <paramref name="a"/> where <paramref name="mask"/> is 1, else from <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> V128Bitselect(Vector128<byte> a, Vector128<byte> b, Vector128<byte> mask) =>
        Vector128.ConditionalSelect(mask, a, b);

    /// <summary><c>v128.any_true</c>: 1 when any bit is set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int V128AnyTrue(Vector128<byte> a) => a != Vector128<byte>.Zero ? 1 : 0;

    /// <summary><c>i8x16.all_true</c>: 1 when no lane is zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I8x16AllTrue(Vector128<byte> a) => Vector128.EqualsAny(a, Vector128<byte>.Zero) ? 0 : 1;

    /// <summary><c>i16x8.all_true</c>: 1 when no lane is zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I16x8AllTrue(Vector128<byte> a) =>
        Vector128.EqualsAny(a.AsUInt16(), Vector128<ushort>.Zero) ? 0 : 1;

    /// <summary><c>i32x4.all_true</c>: 1 when no lane is zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I32x4AllTrue(Vector128<byte> a) =>
        Vector128.EqualsAny(a.AsUInt32(), Vector128<uint>.Zero) ? 0 : 1;

    /// <summary><c>i64x2.all_true</c>: 1 when no lane is zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I64x2AllTrue(Vector128<byte> a) =>
        Vector128.EqualsAny(a.AsUInt64(), Vector128<ulong>.Zero) ? 0 : 1;

    /// <summary><c>i8x16.bitmask</c>: bit i is the sign bit of lane i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I8x16Bitmask(Vector128<byte> a) => (int)Vector128.ExtractMostSignificantBits(a);

    /// <summary><c>i16x8.bitmask</c>: bit i is the sign bit of lane i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I16x8Bitmask(Vector128<byte> a) => (int)Vector128.ExtractMostSignificantBits(a.AsUInt16());

    /// <summary><c>i32x4.bitmask</c>: bit i is the sign bit of lane i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I32x4Bitmask(Vector128<byte> a) => (int)Vector128.ExtractMostSignificantBits(a.AsUInt32());

    /// <summary><c>i64x2.bitmask</c>: bit i is the sign bit of lane i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I64x2Bitmask(Vector128<byte> a) => (int)Vector128.ExtractMostSignificantBits(a.AsUInt64());

    // ------------------------------------------------------------------------------------------------
    // Integer lane arithmetic. Everything wraps modulo the lane width unless the name says sat.
    // ------------------------------------------------------------------------------------------------

    /// <summary><c>i8x16.abs</c>: -128 stays -128.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Abs(Vector128<byte> a) => WrappingAbs(a.AsSByte()).AsByte();

    /// <summary><c>i16x8.abs</c>: -32768 stays -32768.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Abs(Vector128<byte> a) => WrappingAbs(a.AsInt16()).AsByte();

    /// <summary><c>i32x4.abs</c>: the minimum value stays itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4Abs(Vector128<byte> a) => WrappingAbs(a.AsInt32()).AsByte();

    /// <summary><c>i64x2.abs</c>: the minimum value stays itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2Abs(Vector128<byte> a) => WrappingAbs(a.AsInt64()).AsByte();

    /// <summary><c>i8x16.neg</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Neg(Vector128<byte> a) => Vector128<byte>.Zero - a;

    /// <summary><c>i16x8.neg</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Neg(Vector128<byte> a) => (Vector128<ushort>.Zero - a.AsUInt16()).AsByte();

    /// <summary><c>i32x4.neg</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4Neg(Vector128<byte> a) => (Vector128<uint>.Zero - a.AsUInt32()).AsByte();

    /// <summary><c>i64x2.neg</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2Neg(Vector128<byte> a) => (Vector128<ulong>.Zero - a.AsUInt64()).AsByte();

    /// <summary><c>i8x16.popcnt</c>: the number of set bits of each byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Popcnt(Vector128<byte> a)
    {
        Vector128<byte> lowNibbles = a & Vector128.Create((byte)0x0F);
        Vector128<byte> highNibbles = Vector128.ShiftRightLogical(a, 4);
        if (Ssse3.IsSupported)
        {
            // Look up the bit count of each nibble in a 16-entry table with pshufb.
            Vector128<byte> nibbleCounts = Vector128.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
            return Ssse3.Shuffle(nibbleCounts, lowNibbles) + Ssse3.Shuffle(nibbleCounts, highNibbles);
        }
        // Classic SWAR: pairs, then nibbles, then the byte.
        Vector128<byte> pairs = a - (Vector128.ShiftRightLogical(a, 1) & Vector128.Create((byte)0x55));
        Vector128<byte> quads = (pairs & Vector128.Create((byte)0x33)) +
            (Vector128.ShiftRightLogical(pairs, 2) & Vector128.Create((byte)0x33));
        return (quads + Vector128.ShiftRightLogical(quads, 4)) & Vector128.Create((byte)0x0F);
    }

    /// <summary><c>i8x16.shl</c>: the count is taken modulo 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Shl(Vector128<byte> a, int count) => Vector128.ShiftLeft(a, count & 7);

    /// <summary><c>i8x16.shr_s</c>: the count is taken modulo 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16ShrS(Vector128<byte> a, int count) =>
        Vector128.ShiftRightArithmetic(a.AsSByte(), count & 7).AsByte();

    /// <summary><c>i8x16.shr_u</c>: the count is taken modulo 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16ShrU(Vector128<byte> a, int count) => Vector128.ShiftRightLogical(a, count & 7);

    /// <summary><c>i16x8.shl</c>: the count is taken modulo 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Shl(Vector128<byte> a, int count) =>
        Vector128.ShiftLeft(a.AsUInt16(), count & 15).AsByte();

    /// <summary><c>i16x8.shr_s</c>: the count is taken modulo 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ShrS(Vector128<byte> a, int count) =>
        Vector128.ShiftRightArithmetic(a.AsInt16(), count & 15).AsByte();

    /// <summary><c>i16x8.shr_u</c>: the count is taken modulo 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ShrU(Vector128<byte> a, int count) =>
        Vector128.ShiftRightLogical(a.AsUInt16(), count & 15).AsByte();

    /// <summary><c>i32x4.shl</c>: the count is taken modulo 32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4Shl(Vector128<byte> a, int count) =>
        Vector128.ShiftLeft(a.AsUInt32(), count & 31).AsByte();

    /// <summary><c>i32x4.shr_s</c>: the count is taken modulo 32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ShrS(Vector128<byte> a, int count) =>
        Vector128.ShiftRightArithmetic(a.AsInt32(), count & 31).AsByte();

    /// <summary><c>i32x4.shr_u</c>: the count is taken modulo 32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ShrU(Vector128<byte> a, int count) =>
        Vector128.ShiftRightLogical(a.AsUInt32(), count & 31).AsByte();

    /// <summary><c>i64x2.shl</c>: the count is taken modulo 64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2Shl(Vector128<byte> a, int count) =>
        Vector128.ShiftLeft(a.AsUInt64(), count & 63).AsByte();

    /// <summary><c>i64x2.shr_s</c>: the count is taken modulo 64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ShrS(Vector128<byte> a, int count) =>
        Vector128.ShiftRightArithmetic(a.AsInt64(), count & 63).AsByte();

    /// <summary><c>i64x2.shr_u</c>: the count is taken modulo 64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ShrU(Vector128<byte> a, int count) =>
        Vector128.ShiftRightLogical(a.AsUInt64(), count & 63).AsByte();

    /// <summary><c>i8x16.add</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Add(Vector128<byte> a, Vector128<byte> b) => a + b;

    /// <summary><c>i8x16.add_sat_s</c>: clamps to [-128, 127].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16AddSatS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.AddSaturate(a.AsSByte(), b.AsSByte()).AsByte();

    /// <summary><c>i8x16.add_sat_u</c>: clamps to [0, 255].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16AddSatU(Vector128<byte> a, Vector128<byte> b) => Vector128.AddSaturate(a, b);

    /// <summary><c>i8x16.sub</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16Sub(Vector128<byte> a, Vector128<byte> b) => a - b;

    /// <summary><c>i8x16.sub_sat_s</c>: clamps to [-128, 127].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16SubSatS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.SubtractSaturate(a.AsSByte(), b.AsSByte()).AsByte();

    /// <summary><c>i8x16.sub_sat_u</c>: clamps to [0, 255].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16SubSatU(Vector128<byte> a, Vector128<byte> b) => Vector128.SubtractSaturate(a, b);

    /// <summary><c>i8x16.min_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16MinS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Min(a.AsSByte(), b.AsSByte()).AsByte();

    /// <summary><c>i8x16.min_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16MinU(Vector128<byte> a, Vector128<byte> b) => Vector128.Min(a, b);

    /// <summary><c>i8x16.max_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16MaxS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Max(a.AsSByte(), b.AsSByte()).AsByte();

    /// <summary><c>i8x16.max_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16MaxU(Vector128<byte> a, Vector128<byte> b) => Vector128.Max(a, b);

    /// <summary><c>i8x16.avgr_u</c>: <c>(a + b + 1) / 2</c> without overflow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16AvgrU(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
        {
            return Sse2.Average(a, b); // pavgb rounds up exactly like avgr_u
        }
        // a + b + 1 = 2(a | b) - (a ^ b), so halving rounds up without a wider type.
        return (a | b) - Vector128.ShiftRightLogical(a ^ b, 1);
    }

    /// <summary><c>i16x8.add</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Add(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt16() + b.AsUInt16()).AsByte();

    /// <summary><c>i16x8.add_sat_s</c>: clamps to [-32768, 32767].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8AddSatS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.AddSaturate(a.AsInt16(), b.AsInt16()).AsByte();

    /// <summary><c>i16x8.add_sat_u</c>: clamps to [0, 65535].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8AddSatU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.AddSaturate(a.AsUInt16(), b.AsUInt16()).AsByte();

    /// <summary><c>i16x8.sub</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Sub(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt16() - b.AsUInt16()).AsByte();

    /// <summary><c>i16x8.sub_sat_s</c>: clamps to [-32768, 32767].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8SubSatS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.SubtractSaturate(a.AsInt16(), b.AsInt16()).AsByte();

    /// <summary><c>i16x8.sub_sat_u</c>: clamps to [0, 65535].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8SubSatU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.SubtractSaturate(a.AsUInt16(), b.AsUInt16()).AsByte();

    /// <summary><c>i16x8.mul</c>: the low 16 bits of each product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Mul(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt16() * b.AsUInt16()).AsByte();

    /// <summary><c>i16x8.min_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8MinS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Min(a.AsInt16(), b.AsInt16()).AsByte();

    /// <summary><c>i16x8.min_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8MinU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Min(a.AsUInt16(), b.AsUInt16()).AsByte();

    /// <summary><c>i16x8.max_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8MaxS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Max(a.AsInt16(), b.AsInt16()).AsByte();

    /// <summary><c>i16x8.max_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8MaxU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Max(a.AsUInt16(), b.AsUInt16()).AsByte();

    /// <summary><c>i16x8.avgr_u</c>: <c>(a + b + 1) / 2</c> without overflow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8AvgrU(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
        {
            return Sse2.Average(a.AsUInt16(), b.AsUInt16()).AsByte(); // pavgw
        }
        Vector128<ushort> x = a.AsUInt16();
        Vector128<ushort> y = b.AsUInt16();
        return ((x | y) - Vector128.ShiftRightLogical(x ^ y, 1)).AsByte();
    }

    /// <summary>
    /// <c>i16x8.q15mulr_sat_s</c>: the Q15 product <c>(a * b + 0x4000) &gt;&gt; 15</c>, saturated; only
    /// -32768 * -32768 overflows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8Q15mulrSatS(Vector128<byte> a, Vector128<byte> b)
    {
        if (Ssse3.IsSupported)
        {
            // pmulhrsw computes exactly the rounded product but wraps the one overflow to 0x8000; no
            // other pair of inputs yields 0x8000, so flipping those lanes' bits gives 0x7FFF.
            Vector128<short> product = Ssse3.MultiplyHighRoundScale(a.AsInt16(), b.AsInt16());
            return (product ^ Vector128.Equals(product, Vector128.Create(short.MinValue))).AsByte();
        }
        Vector128<short> x = a.AsInt16();
        Vector128<short> y = b.AsInt16();
        Vector128<int> low = Q15Product(Vector128.WidenLower(x), Vector128.WidenLower(y));
        Vector128<int> high = Q15Product(Vector128.WidenUpper(x), Vector128.WidenUpper(y));
        return Vector128.NarrowWithSaturation(low, high).AsByte();
    }

    /// <summary><c>i32x4.add</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4Add(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt32() + b.AsUInt32()).AsByte();

    /// <summary><c>i32x4.sub</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4Sub(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt32() - b.AsUInt32()).AsByte();

    /// <summary><c>i32x4.mul</c>: the low 32 bits of each product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4Mul(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt32() * b.AsUInt32()).AsByte();

    /// <summary><c>i32x4.min_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4MinS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Min(a.AsInt32(), b.AsInt32()).AsByte();

    /// <summary><c>i32x4.min_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4MinU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Min(a.AsUInt32(), b.AsUInt32()).AsByte();

    /// <summary><c>i32x4.max_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4MaxS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Max(a.AsInt32(), b.AsInt32()).AsByte();

    /// <summary><c>i32x4.max_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4MaxU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Max(a.AsUInt32(), b.AsUInt32()).AsByte();

    /// <summary>
    /// <c>i32x4.dot_i16x8_s</c>: lane i is <c>a[2i]*b[2i] + a[2i+1]*b[2i+1]</c> of the signed i16 lanes,
    /// modulo 2^32 (only -32768 in all four inputs wraps).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4DotI16x8S(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
        {
            return Sse2.MultiplyAddAdjacent(a.AsInt16(), b.AsInt16()).AsByte(); // pmaddwd, wraps the same way
        }
        Vector128<int> x = a.AsInt32();
        Vector128<int> y = b.AsInt32();
        return (EvenI16Lanes(x) * EvenI16Lanes(y) + OddI16Lanes(x) * OddI16Lanes(y)).AsByte();
    }

    /// <summary><c>i64x2.add</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2Add(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt64() + b.AsUInt64()).AsByte();

    /// <summary><c>i64x2.sub</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2Sub(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt64() - b.AsUInt64()).AsByte();

    /// <summary><c>i64x2.mul</c>: the low 64 bits of each product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2Mul(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt64() * b.AsUInt64()).AsByte();

    // ------------------------------------------------------------------------------------------------
    // Pairwise, widening and narrowing integer operators.
    // ------------------------------------------------------------------------------------------------

    /// <summary><c>i16x8.extadd_pairwise_i8x16_s</c>: lane i is <c>a[2i] + a[2i+1]</c>, signed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtaddPairwiseI8x16S(Vector128<byte> a)
    {
        // Viewed as i16 lanes, the even byte is the sign-extended low half and the odd byte the high half.
        Vector128<short> pairs = a.AsInt16();
        Vector128<short> even = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(pairs, 8), 8);
        Vector128<short> odd = Vector128.ShiftRightArithmetic(pairs, 8);
        return (even + odd).AsByte();
    }

    /// <summary><c>i16x8.extadd_pairwise_i8x16_u</c>: lane i is <c>a[2i] + a[2i+1]</c>, unsigned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtaddPairwiseI8x16U(Vector128<byte> a)
    {
        Vector128<ushort> pairs = a.AsUInt16();
        return ((pairs & Vector128.Create((ushort)0xFF)) + Vector128.ShiftRightLogical(pairs, 8)).AsByte();
    }

    /// <summary><c>i32x4.extadd_pairwise_i16x8_s</c>: lane i is <c>a[2i] + a[2i+1]</c>, signed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtaddPairwiseI16x8S(Vector128<byte> a)
    {
        Vector128<int> pairs = a.AsInt32();
        return (EvenI16Lanes(pairs) + OddI16Lanes(pairs)).AsByte();
    }

    /// <summary><c>i32x4.extadd_pairwise_i16x8_u</c>: lane i is <c>a[2i] + a[2i+1]</c>, unsigned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtaddPairwiseI16x8U(Vector128<byte> a)
    {
        Vector128<uint> pairs = a.AsUInt32();
        return ((pairs & Vector128.Create(0xFFFFu)) + Vector128.ShiftRightLogical(pairs, 16)).AsByte();
    }

    /// <summary><c>i16x8.extend_low_i8x16_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtendLowI8x16S(Vector128<byte> a) => Vector128.WidenLower(a.AsSByte()).AsByte();

    /// <summary><c>i16x8.extend_high_i8x16_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtendHighI8x16S(Vector128<byte> a) => Vector128.WidenUpper(a.AsSByte()).AsByte();

    /// <summary><c>i16x8.extend_low_i8x16_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtendLowI8x16U(Vector128<byte> a) => Vector128.WidenLower(a).AsByte();

    /// <summary><c>i16x8.extend_high_i8x16_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtendHighI8x16U(Vector128<byte> a) => Vector128.WidenUpper(a).AsByte();

    /// <summary><c>i32x4.extend_low_i16x8_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtendLowI16x8S(Vector128<byte> a) => Vector128.WidenLower(a.AsInt16()).AsByte();

    /// <summary><c>i32x4.extend_high_i16x8_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtendHighI16x8S(Vector128<byte> a) => Vector128.WidenUpper(a.AsInt16()).AsByte();

    /// <summary><c>i32x4.extend_low_i16x8_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtendLowI16x8U(Vector128<byte> a) => Vector128.WidenLower(a.AsUInt16()).AsByte();

    /// <summary><c>i32x4.extend_high_i16x8_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtendHighI16x8U(Vector128<byte> a) => Vector128.WidenUpper(a.AsUInt16()).AsByte();

    /// <summary><c>i64x2.extend_low_i32x4_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ExtendLowI32x4S(Vector128<byte> a) => Vector128.WidenLower(a.AsInt32()).AsByte();

    /// <summary><c>i64x2.extend_high_i32x4_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ExtendHighI32x4S(Vector128<byte> a) => Vector128.WidenUpper(a.AsInt32()).AsByte();

    /// <summary><c>i64x2.extend_low_i32x4_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ExtendLowI32x4U(Vector128<byte> a) => Vector128.WidenLower(a.AsUInt32()).AsByte();

    /// <summary><c>i64x2.extend_high_i32x4_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ExtendHighI32x4U(Vector128<byte> a) => Vector128.WidenUpper(a.AsUInt32()).AsByte();

    /// <summary><c>i16x8.extmul_low_i8x16_s</c>: the full i16 products of the low 8 signed lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtmulLowI8x16S(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenLower(a.AsSByte()) * Vector128.WidenLower(b.AsSByte())).AsByte();

    /// <summary><c>i16x8.extmul_high_i8x16_s</c>: the full i16 products of the high 8 signed lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtmulHighI8x16S(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenUpper(a.AsSByte()) * Vector128.WidenUpper(b.AsSByte())).AsByte();

    /// <summary><c>i16x8.extmul_low_i8x16_u</c>: the full i16 products of the low 8 unsigned lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtmulLowI8x16U(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenLower(a) * Vector128.WidenLower(b)).AsByte();

    /// <summary><c>i16x8.extmul_high_i8x16_u</c>: the full i16 products of the high 8 unsigned lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8ExtmulHighI8x16U(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenUpper(a) * Vector128.WidenUpper(b)).AsByte();

    /// <summary><c>i32x4.extmul_low_i16x8_s</c>: the full i32 products of the low 4 signed lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtmulLowI16x8S(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
        {
            // pmullw/pmulhw give the low and high halves of all eight products; interleave the low four.
            Vector128<short> low = Sse2.MultiplyLow(a.AsInt16(), b.AsInt16());
            Vector128<short> high = Sse2.MultiplyHigh(a.AsInt16(), b.AsInt16());
            return Sse2.UnpackLow(low, high).AsByte();
        }
        return (Vector128.WidenLower(a.AsInt16()) * Vector128.WidenLower(b.AsInt16())).AsByte();
    }

    /// <summary><c>i32x4.extmul_high_i16x8_s</c>: the full i32 products of the high 4 signed lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtmulHighI16x8S(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
        {
            Vector128<short> low = Sse2.MultiplyLow(a.AsInt16(), b.AsInt16());
            Vector128<short> high = Sse2.MultiplyHigh(a.AsInt16(), b.AsInt16());
            return Sse2.UnpackHigh(low, high).AsByte();
        }
        return (Vector128.WidenUpper(a.AsInt16()) * Vector128.WidenUpper(b.AsInt16())).AsByte();
    }

    /// <summary><c>i32x4.extmul_low_i16x8_u</c>: the full i32 products of the low 4 unsigned lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtmulLowI16x8U(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
        {
            Vector128<ushort> low = Sse2.MultiplyLow(a.AsUInt16(), b.AsUInt16());
            Vector128<ushort> high = Sse2.MultiplyHigh(a.AsUInt16(), b.AsUInt16());
            return Sse2.UnpackLow(low, high).AsByte();
        }
        return (Vector128.WidenLower(a.AsUInt16()) * Vector128.WidenLower(b.AsUInt16())).AsByte();
    }

    /// <summary><c>i32x4.extmul_high_i16x8_u</c>: the full i32 products of the high 4 unsigned lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4ExtmulHighI16x8U(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
        {
            Vector128<ushort> low = Sse2.MultiplyLow(a.AsUInt16(), b.AsUInt16());
            Vector128<ushort> high = Sse2.MultiplyHigh(a.AsUInt16(), b.AsUInt16());
            return Sse2.UnpackHigh(low, high).AsByte();
        }
        return (Vector128.WidenUpper(a.AsUInt16()) * Vector128.WidenUpper(b.AsUInt16())).AsByte();
    }

    /// <summary><c>i64x2.extmul_low_i32x4_s</c>: the full i64 products of the low 2 signed lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ExtmulLowI32x4S(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse41.IsSupported)
        {
            // pmuldq multiplies lanes 0 and 2; duplicating lanes 0,1 into 0,2 feeds it the low pair.
            return Sse41.Multiply(Sse2.UnpackLow(a.AsInt32(), a.AsInt32()), Sse2.UnpackLow(b.AsInt32(), b.AsInt32())).AsByte();
        }
        return (Vector128.WidenLower(a.AsInt32()) * Vector128.WidenLower(b.AsInt32())).AsByte();
    }

    /// <summary><c>i64x2.extmul_high_i32x4_s</c>: the full i64 products of the high 2 signed lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ExtmulHighI32x4S(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse41.IsSupported)
        {
            return Sse41.Multiply(Sse2.UnpackHigh(a.AsInt32(), a.AsInt32()), Sse2.UnpackHigh(b.AsInt32(), b.AsInt32())).AsByte();
        }
        return (Vector128.WidenUpper(a.AsInt32()) * Vector128.WidenUpper(b.AsInt32())).AsByte();
    }

    /// <summary><c>i64x2.extmul_low_i32x4_u</c>: the full i64 products of the low 2 unsigned lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ExtmulLowI32x4U(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
        {
            // pmuludq multiplies lanes 0 and 2, like pmuldq above.
            return Sse2.Multiply(Sse2.UnpackLow(a.AsUInt32(), a.AsUInt32()), Sse2.UnpackLow(b.AsUInt32(), b.AsUInt32())).AsByte();
        }
        return (Vector128.WidenLower(a.AsUInt32()) * Vector128.WidenLower(b.AsUInt32())).AsByte();
    }

    /// <summary><c>i64x2.extmul_high_i32x4_u</c>: the full i64 products of the high 2 unsigned lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I64x2ExtmulHighI32x4U(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
        {
            return Sse2.Multiply(Sse2.UnpackHigh(a.AsUInt32(), a.AsUInt32()), Sse2.UnpackHigh(b.AsUInt32(), b.AsUInt32())).AsByte();
        }
        return (Vector128.WidenUpper(a.AsUInt32()) * Vector128.WidenUpper(b.AsUInt32())).AsByte();
    }

    /// <summary><c>i8x16.narrow_i16x8_s</c>: lanes of <paramref name="a"/> then <paramref name="b"/>, each clamped to [-128, 127].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16NarrowI16x8S(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
        {
            return Sse2.PackSignedSaturate(a.AsInt16(), b.AsInt16()).AsByte(); // packsswb
        }
        return Vector128.NarrowWithSaturation(a.AsInt16(), b.AsInt16()).AsByte();
    }

    /// <summary><c>i8x16.narrow_i16x8_u</c>: the signed lanes of <paramref name="a"/> then <paramref name="b"/>, each clamped to [0, 255].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I8x16NarrowI16x8U(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
        {
            return Sse2.PackUnsignedSaturate(a.AsInt16(), b.AsInt16()); // packuswb: signed in, unsigned out
        }
        // Clamp negatives to 0 first; the unsigned saturating narrow then clamps above at 255.
        Vector128<ushort> low = Vector128.Max(a.AsInt16(), Vector128<short>.Zero).AsUInt16();
        Vector128<ushort> high = Vector128.Max(b.AsInt16(), Vector128<short>.Zero).AsUInt16();
        return Vector128.NarrowWithSaturation(low, high);
    }

    /// <summary><c>i16x8.narrow_i32x4_s</c>: lanes of <paramref name="a"/> then <paramref name="b"/>, each clamped to [-32768, 32767].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8NarrowI32x4S(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
        {
            return Sse2.PackSignedSaturate(a.AsInt32(), b.AsInt32()).AsByte(); // packssdw
        }
        return Vector128.NarrowWithSaturation(a.AsInt32(), b.AsInt32()).AsByte();
    }

    /// <summary><c>i16x8.narrow_i32x4_u</c>: the signed lanes of <paramref name="a"/> then <paramref name="b"/>, each clamped to [0, 65535].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I16x8NarrowI32x4U(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse41.IsSupported)
        {
            return Sse41.PackUnsignedSaturate(a.AsInt32(), b.AsInt32()).AsByte(); // packusdw
        }
        Vector128<uint> low = Vector128.Max(a.AsInt32(), Vector128<int>.Zero).AsUInt32();
        Vector128<uint> high = Vector128.Max(b.AsInt32(), Vector128<int>.Zero).AsUInt32();
        return Vector128.NarrowWithSaturation(low, high).AsByte();
    }

    // ------------------------------------------------------------------------------------------------
    // Floating-point lane arithmetic.
    // ------------------------------------------------------------------------------------------------

    /// <summary><c>f32x4.abs</c>: clears the sign bits (NaN payloads kept).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Abs(Vector128<byte> a) => (a.AsUInt32() & Vector128.Create(0x7FFF_FFFFu)).AsByte();

    /// <summary><c>f32x4.neg</c>: flips the sign bits (NaN payloads kept).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Neg(Vector128<byte> a) => (a.AsUInt32() ^ Vector128.Create(0x8000_0000u)).AsByte();

    /// <summary><c>f32x4.sqrt</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Sqrt(Vector128<byte> a) => Vector128.Sqrt(a.AsSingle()).AsByte();

    /// <summary><c>f32x4.add</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Add(Vector128<byte> a, Vector128<byte> b) => (a.AsSingle() + b.AsSingle()).AsByte();

    /// <summary><c>f32x4.sub</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Sub(Vector128<byte> a, Vector128<byte> b) => (a.AsSingle() - b.AsSingle()).AsByte();

    /// <summary><c>f32x4.mul</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Mul(Vector128<byte> a, Vector128<byte> b) => (a.AsSingle() * b.AsSingle()).AsByte();

    /// <summary><c>f32x4.div</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Div(Vector128<byte> a, Vector128<byte> b) => (a.AsSingle() / b.AsSingle()).AsByte();

    /// <summary><c>f32x4.min</c>: canonical NaN when either lane is NaN; -0 is below +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Min(Vector128<byte> a, Vector128<byte> b) =>
        WasmMin(a.AsSingle(), b.AsSingle()).AsByte();

    /// <summary><c>f32x4.max</c>: canonical NaN when either lane is NaN; +0 is above -0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Max(Vector128<byte> a, Vector128<byte> b) =>
        WasmMax(a.AsSingle(), b.AsSingle()).AsByte();

    /// <summary><c>f32x4.pmin</c>: <c>b &lt; a ? b : a</c> per lane (NaNs pass through as the select picks them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Pmin(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse.IsSupported)
        {
            return Sse.Min(b.AsSingle(), a.AsSingle()).AsByte(); // minps(x, y) is exactly x < y ? x : y
        }
        return Vector128.ConditionalSelect(Vector128.LessThan(b.AsSingle(), a.AsSingle()), b.AsSingle(), a.AsSingle()).AsByte();
    }

    /// <summary><c>f32x4.pmax</c>: <c>a &lt; b ? b : a</c> per lane (NaNs pass through as the select picks them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Pmax(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse.IsSupported)
        {
            return Sse.Max(b.AsSingle(), a.AsSingle()).AsByte(); // maxps(x, y) is exactly x > y ? x : y
        }
        return Vector128.ConditionalSelect(Vector128.LessThan(a.AsSingle(), b.AsSingle()), b.AsSingle(), a.AsSingle()).AsByte();
    }

    /// <summary><c>f32x4.ceil</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Ceil(Vector128<byte> a) => Vector128.Ceiling(a.AsSingle()).AsByte();

    /// <summary><c>f32x4.floor</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Floor(Vector128<byte> a) => Vector128.Floor(a.AsSingle()).AsByte();

    /// <summary><c>f32x4.trunc</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Trunc(Vector128<byte> a) => Vector128.Truncate(a.AsSingle()).AsByte();

    /// <summary><c>f32x4.nearest</c>: round to the nearest integer, ties to even.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4Nearest(Vector128<byte> a) => Vector128.Round(a.AsSingle()).AsByte();

    /// <summary><c>f64x2.abs</c>: clears the sign bits (NaN payloads kept).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Abs(Vector128<byte> a) =>
        (a.AsUInt64() & Vector128.Create(0x7FFF_FFFF_FFFF_FFFFul)).AsByte();

    /// <summary><c>f64x2.neg</c>: flips the sign bits (NaN payloads kept).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Neg(Vector128<byte> a) =>
        (a.AsUInt64() ^ Vector128.Create(0x8000_0000_0000_0000ul)).AsByte();

    /// <summary><c>f64x2.sqrt</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Sqrt(Vector128<byte> a) => Vector128.Sqrt(a.AsDouble()).AsByte();

    /// <summary><c>f64x2.add</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Add(Vector128<byte> a, Vector128<byte> b) => (a.AsDouble() + b.AsDouble()).AsByte();

    /// <summary><c>f64x2.sub</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Sub(Vector128<byte> a, Vector128<byte> b) => (a.AsDouble() - b.AsDouble()).AsByte();

    /// <summary><c>f64x2.mul</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Mul(Vector128<byte> a, Vector128<byte> b) => (a.AsDouble() * b.AsDouble()).AsByte();

    /// <summary><c>f64x2.div</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Div(Vector128<byte> a, Vector128<byte> b) => (a.AsDouble() / b.AsDouble()).AsByte();

    /// <summary><c>f64x2.min</c>: canonical NaN when either lane is NaN; -0 is below +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Min(Vector128<byte> a, Vector128<byte> b) =>
        WasmMin(a.AsDouble(), b.AsDouble()).AsByte();

    /// <summary><c>f64x2.max</c>: canonical NaN when either lane is NaN; +0 is above -0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Max(Vector128<byte> a, Vector128<byte> b) =>
        WasmMax(a.AsDouble(), b.AsDouble()).AsByte();

    /// <summary><c>f64x2.pmin</c>: <c>b &lt; a ? b : a</c> per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Pmin(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
        {
            return Sse2.Min(b.AsDouble(), a.AsDouble()).AsByte(); // minpd(x, y) is exactly x < y ? x : y
        }
        return Vector128.ConditionalSelect(Vector128.LessThan(b.AsDouble(), a.AsDouble()), b.AsDouble(), a.AsDouble()).AsByte();
    }

    /// <summary><c>f64x2.pmax</c>: <c>a &lt; b ? b : a</c> per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Pmax(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
        {
            return Sse2.Max(b.AsDouble(), a.AsDouble()).AsByte(); // maxpd(x, y) is exactly x > y ? x : y
        }
        return Vector128.ConditionalSelect(Vector128.LessThan(a.AsDouble(), b.AsDouble()), b.AsDouble(), a.AsDouble()).AsByte();
    }

    /// <summary><c>f64x2.ceil</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Ceil(Vector128<byte> a) => Vector128.Ceiling(a.AsDouble()).AsByte();

    /// <summary><c>f64x2.floor</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Floor(Vector128<byte> a) => Vector128.Floor(a.AsDouble()).AsByte();

    /// <summary><c>f64x2.trunc</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Trunc(Vector128<byte> a) => Vector128.Truncate(a.AsDouble()).AsByte();

    /// <summary><c>f64x2.nearest</c>: round to the nearest integer, ties to even.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2Nearest(Vector128<byte> a) => Vector128.Round(a.AsDouble()).AsByte();

    // ------------------------------------------------------------------------------------------------
    // Conversions.
    // ------------------------------------------------------------------------------------------------

    /// <summary><c>i32x4.trunc_sat_f32x4_s</c>: truncate, clamp to the i32 range, NaN to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4TruncSatF32x4S(Vector128<byte> a)
    {
        if (Sse2.IsSupported)
        {
            // cvttps2dq yields 0x80000000 for NaN and for out-of-range lanes. Zero the NaN lanes first;
            // then a lane that came out as 0x80000000 from a non-negative input overflowed upwards,
            // and flipping its bits gives 0x7FFFFFFF.
            Vector128<float> value = a.AsSingle();
            Vector128<float> notNaN = value & Vector128.Equals(value, value);
            Vector128<int> truncated = Sse2.ConvertToVector128Int32WithTruncation(notNaN);
            Vector128<int> overflowed = Vector128.ShiftRightArithmetic(truncated & ~notNaN.AsInt32(), 31);
            return (truncated ^ overflowed).AsByte();
        }
        // Since .NET 9 the conversion itself saturates and maps NaN to 0 on every platform.
        return Vector128.ConvertToInt32(a.AsSingle()).AsByte();
    }

    /// <summary><c>i32x4.trunc_sat_f32x4_u</c>: truncate, clamp to the u32 range, NaN to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4TruncSatF32x4U(Vector128<byte> a)
    {
        if (Sse41.IsSupported && !Avx512F.VL.IsSupported)
        {
            // Without vcvttps2udq: clamp NaN and negatives to 0 (maxps returns its second operand for
            // NaN), convert the part below 2^31 and the part above it separately, and add them.
            Vector128<float> value = Sse.Max(a.AsSingle(), Vector128<float>.Zero);
            Vector128<float> twoTo31 = Vector128.Create(2147483648f);
            Vector128<float> excess = value - twoTo31; // exact for value in [2^31, 2^32)
            // Lanes of 2^32 and more convert to 0x80000000; flipping the bits gives 0x7FFFFFFF.
            Vector128<int> overflow = Sse.CompareLessThanOrEqual(twoTo31, excess).AsInt32();
            Vector128<int> high = Sse41.Max(Sse2.ConvertToVector128Int32WithTruncation(excess) ^ overflow, Vector128<int>.Zero);
            // Lanes of 2^31 and more convert to 0x80000000 = 2^31 here, so the sum is right for all lanes.
            return (Sse2.ConvertToVector128Int32WithTruncation(value) + high).AsByte();
        }
        // Saturating with NaN -> 0 since .NET 9; vcvttps2udq plus a small fix-up with AVX-512.
        return Vector128.ConvertToUInt32(a.AsSingle()).AsByte();
    }

    /// <summary><c>f32x4.convert_i32x4_s</c>: round to nearest even.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4ConvertI32x4S(Vector128<byte> a) => Vector128.ConvertToSingle(a.AsInt32()).AsByte();

    /// <summary><c>f32x4.convert_i32x4_u</c>: round to nearest even.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4ConvertI32x4U(Vector128<byte> a)
    {
        if (Avx512F.VL.IsSupported)
        {
            return Avx512F.VL.ConvertToVector128Single(a.AsUInt32()).AsByte(); // vcvtudq2ps
        }
        // Convert the high and low 16 bits separately: both conversions and the scaling by 2^16 are
        // exact, so the one rounding happens in the final add, as it must.
        Vector128<uint> value = a.AsUInt32();
        Vector128<float> high = Vector128.ConvertToSingle(Vector128.ShiftRightLogical(value, 16).AsInt32()) * Vector128.Create(65536f);
        Vector128<float> low = Vector128.ConvertToSingle((value & Vector128.Create(0xFFFFu)).AsInt32());
        return (high + low).AsByte();
    }

    /// <summary><c>i32x4.trunc_sat_f64x2_s_zero</c>: the two lanes truncated and clamped to i32 (NaN to 0), upper lanes zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4TruncSatF64x2SZero(Vector128<byte> a)
    {
        // Zero the NaN lanes first, so the clamps below never see a NaN.
        Vector128<double> value = a.AsDouble();
        Vector128<double> notNaN = value & Vector128.Equals(value, value);
        if (Sse2.IsSupported)
        {
            // Clamp above; cvttpd2dq already gives int.MinValue below the range and zeroes lanes 2, 3.
            Vector128<double> clamped = Sse2.Min(notNaN, Vector128.Create(2147483647.0));
            return Sse2.ConvertToVector128Int32WithTruncation(clamped).AsByte();
        }
        Vector128<double> inRange = Vector128.Max(Vector128.Min(notNaN, Vector128.Create(2147483647.0)), Vector128.Create(-2147483648.0));
        return Vector128.Narrow(Vector128.ConvertToInt64(inRange), Vector128<long>.Zero).AsByte();
    }

    /// <summary><c>i32x4.trunc_sat_f64x2_u_zero</c>: the two lanes truncated and clamped to u32 (NaN to 0), upper lanes zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> I32x4TruncSatF64x2UZero(Vector128<byte> a)
    {
        Vector128<double> value = a.AsDouble();
        if (Sse41.IsSupported)
        {
            // maxpd(x, 0) maps NaN to 0 (it returns the second operand when unordered); after clamping
            // and truncating, adding 2^52 leaves the integer in the low 32 bits of each double.
            Vector128<double> clamped = Sse2.Min(Sse2.Max(value, Vector128<double>.Zero), Vector128.Create(4294967295.0));
            Vector128<double> shifted = Sse41.RoundToZero(clamped) + Vector128.Create(4503599627370496.0);
            return Sse.Shuffle(shifted.AsSingle(), Vector128<float>.Zero, 0b00_00_10_00).AsByte();
        }
        // Zero the NaN lanes, clamp above (negative lanes saturate to 0 in the conversion), truncate.
        Vector128<double> notNaN = value & Vector128.Equals(value, value);
        Vector128<double> inRange = Vector128.Min(notNaN, Vector128.Create(4294967295.0));
        return Vector128.Narrow(Vector128.ConvertToUInt64(inRange), Vector128<ulong>.Zero).AsByte();
    }

    /// <summary><c>f64x2.convert_low_i32x4_s</c>: the low two lanes, exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2ConvertLowI32x4S(Vector128<byte> a)
    {
        if (Sse2.IsSupported)
        {
            return Sse2.ConvertToVector128Double(a.AsInt32()).AsByte(); // cvtdq2pd
        }
        return Vector128.ConvertToDouble(Vector128.WidenLower(a.AsInt32())).AsByte();
    }

    /// <summary><c>f64x2.convert_low_i32x4_u</c>: the low two lanes, exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2ConvertLowI32x4U(Vector128<byte> a)
    {
        // Placing the u32 in the mantissa of 2^52 makes the double 2^52 + x; subtracting 2^52 is exact.
        Vector128<ulong> widened = Vector128.WidenLower(a.AsUInt32()) | Vector128.Create(0x4330_0000_0000_0000ul);
        return (widened.AsDouble() - Vector128.Create(4503599627370496.0)).AsByte();
    }

    /// <summary><c>f32x4.demote_f64x2_zero</c>: the two lanes rounded to f32 in lanes 0 and 1, upper lanes zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F32x4DemoteF64x2Zero(Vector128<byte> a)
    {
        if (Sse2.IsSupported)
        {
            return Sse2.ConvertToVector128Single(a.AsDouble()).AsByte(); // cvtpd2ps zeroes the upper half
        }
        return Vector128.Narrow(a.AsDouble(), Vector128<double>.Zero).AsByte();
    }

    /// <summary><c>f64x2.promote_low_f32x4</c>: lanes 0 and 1, exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> F64x2PromoteLowF32x4(Vector128<byte> a)
    {
        if (Sse2.IsSupported)
        {
            return Sse2.ConvertToVector128Double(a.AsSingle()).AsByte(); // cvtps2pd
        }
        return Vector128.WidenLower(a.AsSingle()).AsByte();
    }

    // ------------------------------------------------------------------------------------------------
    // Shared helpers.
    // ------------------------------------------------------------------------------------------------

    /// <summary>The positive canonical f32 NaN, as bits: exponent all ones, only the top mantissa bit set.</summary>
    private const uint CanonicalNaN32Bits = 0x7FC0_0000;

    /// <summary>The positive canonical f64 NaN, as bits.</summary>
    private const ulong CanonicalNaN64Bits = 0x7FF8_0000_0000_0000;

    private static float CanonicalNaN32 => BitConverter.UInt32BitsToSingle(CanonicalNaN32Bits);

    private static double CanonicalNaN64 => BitConverter.UInt64BitsToDouble(CanonicalNaN64Bits);

    /// <summary>The wasm <c>fmin</c> per f32 lane (see <see cref="F32x4Min"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> WasmMin(Vector128<float> a, Vector128<float> b)
    {
        if (Sse.IsSupported)
        {
            // minps(x, y) is x < y ? x : y, so it returns y for equal or unordered lanes. Taking it both
            // ways and ORing keeps the smaller lane and makes -0 win over +0; cmpunordps then marks
            // the lanes where either input is NaN, which get the canonical NaN.
            Vector128<float> smaller = Sse.Min(a, b) | Sse.Min(b, a);
            return Vector128.ConditionalSelect(Sse.CompareUnordered(a, b), Vector128.Create(CanonicalNaN32), smaller);
        }
        return PortableMin(a, b, Vector128.Create(CanonicalNaN32));
    }

    /// <summary>The wasm <c>fmax</c> per f32 lane (see <see cref="F32x4Max"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> WasmMax(Vector128<float> a, Vector128<float> b)
    {
        if (Sse.IsSupported)
        {
            // As in WasmMin, with AND so that +0 wins over -0.
            Vector128<float> larger = Sse.Max(a, b) & Sse.Max(b, a);
            return Vector128.ConditionalSelect(Sse.CompareUnordered(a, b), Vector128.Create(CanonicalNaN32), larger);
        }
        return PortableMax(a, b, Vector128.Create(CanonicalNaN32));
    }

    /// <summary>The wasm <c>fmin</c> per f64 lane (see <see cref="F64x2Min"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<double> WasmMin(Vector128<double> a, Vector128<double> b)
    {
        if (Sse2.IsSupported)
        {
            Vector128<double> smaller = Sse2.Min(a, b) | Sse2.Min(b, a);
            return Vector128.ConditionalSelect(Sse2.CompareUnordered(a, b), Vector128.Create(CanonicalNaN64), smaller);
        }
        return PortableMin(a, b, Vector128.Create(CanonicalNaN64));
    }

    /// <summary>The wasm <c>fmax</c> per f64 lane (see <see cref="F64x2Max"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<double> WasmMax(Vector128<double> a, Vector128<double> b)
    {
        if (Sse2.IsSupported)
        {
            Vector128<double> larger = Sse2.Max(a, b) & Sse2.Max(b, a);
            return Vector128.ConditionalSelect(Sse2.CompareUnordered(a, b), Vector128.Create(CanonicalNaN64), larger);
        }
        return PortableMax(a, b, Vector128.Create(CanonicalNaN64));
    }

    /// <summary>
    /// <c>fmin</c> from portable operations: the smaller lane; on equal lanes the OR of their bits, which
    /// makes -0 win over +0; <paramref name="canonicalNaN"/> when either lane is NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> PortableMin<T>(Vector128<T> a, Vector128<T> b, Vector128<T> canonicalNaN)
    {
        Vector128<T> ordered = Vector128.ConditionalSelect(Vector128.LessThan(a, b), a, b);
        Vector128<T> result = ordered | (a & Vector128.Equals(a, b));
        return Vector128.ConditionalSelect(Vector128.IsNaN(a) | Vector128.IsNaN(b), canonicalNaN, result);
    }

    /// <summary>
    /// <c>fmax</c> from portable operations: the larger lane; on equal lanes the AND of their bits, which
    /// makes +0 win over -0; <paramref name="canonicalNaN"/> when either lane is NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> PortableMax<T>(Vector128<T> a, Vector128<T> b, Vector128<T> canonicalNaN)
    {
        Vector128<T> ordered = Vector128.ConditionalSelect(Vector128.GreaterThan(a, b), a, b);
        Vector128<T> result = ordered & (a | ~Vector128.Equals(a, b));
        return Vector128.ConditionalSelect(Vector128.IsNaN(a) | Vector128.IsNaN(b), canonicalNaN, result);
    }

    /// <summary>Two's-complement absolute value that wraps the minimum to itself (never throws).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> WrappingAbs<T>(Vector128<T> a)
    {
        // pabsb/w/d (and AVX-512's vpabsq) wrap the minimum exactly as wasm does.
        if (Ssse3.IsSupported && typeof(T) == typeof(sbyte))
        {
            return Ssse3.Abs(a.AsSByte()).As<byte, T>();
        }
        if (Ssse3.IsSupported && typeof(T) == typeof(short))
        {
            return Ssse3.Abs(a.AsInt16()).As<ushort, T>();
        }
        if (Ssse3.IsSupported && typeof(T) == typeof(int))
        {
            return Ssse3.Abs(a.AsInt32()).As<uint, T>();
        }
        if (Avx512F.VL.IsSupported && typeof(T) == typeof(long))
        {
            return Avx512F.VL.Abs(a.AsInt64()).As<ulong, T>();
        }
        // (a ^ m) - m with m = all ones for negative lanes: the textbook branch-free abs.
        Vector128<T> negative = Vector128.LessThan(a, Vector128<T>.Zero);
        return (a ^ negative) - negative;
    }

    /// <summary>The even (low) i16 of each i32 lane, sign-extended to i32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> EvenI16Lanes(Vector128<int> pairs) =>
        Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(pairs, 16), 16);

    /// <summary>The odd (high) i16 of each i32 lane, sign-extended to i32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> OddI16Lanes(Vector128<int> pairs) => Vector128.ShiftRightArithmetic(pairs, 16);

    /// <summary>The Q15 rounding product of widened lanes, before saturation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Q15Product(Vector128<int> x, Vector128<int> y) =>
        Vector128.ShiftRightArithmetic(x * y + Vector128.Create(0x4000), 15);
}
