using Engine.CodeGen.X64;
using Engine.Core;

namespace Engine.Optimizing.Lir;

/// <summary>
/// How a wasm operator emitted by a shared sequence takes its operands (<see cref="LOp.Wasm"/>): in place (the result
/// overwrites a copy of the first operand: [UseDef dst, Use b, Use c]) or into a fresh destination ([Def dst, Use a,
/// Use b]), then its scratch registers (xmm ones first). The emitter (<c>LirEmitter.Wasm.cs</c>) reads them in that
/// order; a source a sequence clobbers is first copied into one of the xmm scratch registers.
/// </summary>
/// <param name="InPlace">The result replaces the first operand (x86's two-operand form).</param>
/// <param name="SecondMayBeMemory">The second operand may be a frame slot (of an in-place operator: its first source; of a
/// three-operand one, <see cref="WasmShapes.VectorBinaryOp"/>: its second source).</param>
/// <param name="XmmTemps">Scratch xmm registers.</param>
/// <param name="GprTemps">Scratch general registers.</param>
internal readonly record struct WasmShape(bool InPlace, bool SecondMayBeMemory, int XmmTemps, int GprTemps);

/// <summary>The <see cref="WasmShape"/> of each operator the instruction selector leaves to the shared sequences.</summary>
internal static class WasmShapes
{
    private static readonly WasmShape NewValue = new(false, false, 0, 0);
    private static readonly WasmShape InPlace = new(true, false, 0, 0);
    private static readonly WasmShape ThreeOperand = new(false, true, 0, 0);

    /// <summary>
    /// The instruction of the operators that are one AVX instruction <c>dst = a op b</c> (b a register or memory), emitted
    /// in the three-operand form into a fresh destination ([Def dst, Use a, Use b any]); null for every other operator.
    /// </summary>
    public static VecOp? VectorBinaryOp(Opcode opcode) => opcode switch
    {
        Opcode.V128And => VecOp.Pand,
        Opcode.V128Or => VecOp.Por,
        Opcode.V128Xor => VecOp.Pxor,
        Opcode.I8x16NarrowI16x8S => VecOp.Packsswb,
        Opcode.I8x16NarrowI16x8U => VecOp.Packuswb,
        Opcode.I8x16Add => VecOp.Paddb,
        Opcode.I8x16AddSatS => VecOp.Paddsb,
        Opcode.I8x16AddSatU => VecOp.Paddusb,
        Opcode.I8x16Sub => VecOp.Psubb,
        Opcode.I8x16SubSatS => VecOp.Psubsb,
        Opcode.I8x16SubSatU => VecOp.Psubusb,
        Opcode.I8x16MinS => VecOp.Pminsb,
        Opcode.I8x16MinU => VecOp.Pminub,
        Opcode.I8x16MaxS => VecOp.Pmaxsb,
        Opcode.I8x16MaxU => VecOp.Pmaxub,
        Opcode.I8x16AvgrU => VecOp.Pavgb,
        Opcode.I16x8NarrowI32x4S => VecOp.Packssdw,
        Opcode.I16x8NarrowI32x4U => VecOp.Packusdw,
        Opcode.I16x8Add => VecOp.Paddw,
        Opcode.I16x8AddSatS => VecOp.Paddsw,
        Opcode.I16x8AddSatU => VecOp.Paddusw,
        Opcode.I16x8Sub => VecOp.Psubw,
        Opcode.I16x8SubSatS => VecOp.Psubsw,
        Opcode.I16x8SubSatU => VecOp.Psubusw,
        Opcode.I16x8Mul => VecOp.Pmullw,
        Opcode.I16x8MinS => VecOp.Pminsw,
        Opcode.I16x8MinU => VecOp.Pminuw,
        Opcode.I16x8MaxS => VecOp.Pmaxsw,
        Opcode.I16x8MaxU => VecOp.Pmaxuw,
        Opcode.I16x8AvgrU => VecOp.Pavgw,
        Opcode.I32x4Add => VecOp.Paddd,
        Opcode.I32x4Sub => VecOp.Psubd,
        Opcode.I32x4Mul => VecOp.Pmulld,
        Opcode.I32x4MinS => VecOp.Pminsd,
        Opcode.I32x4MinU => VecOp.Pminud,
        Opcode.I32x4MaxS => VecOp.Pmaxsd,
        Opcode.I32x4MaxU => VecOp.Pmaxud,
        Opcode.I32x4DotI16x8S => VecOp.Pmaddwd,
        Opcode.I64x2Add => VecOp.Paddq,
        Opcode.I64x2Sub => VecOp.Psubq,
        Opcode.F32x4Add => VecOp.Addps,
        Opcode.F32x4Sub => VecOp.Subps,
        Opcode.F32x4Mul => VecOp.Mulps,
        Opcode.F32x4Div => VecOp.Divps,
        Opcode.F64x2Add => VecOp.Addpd,
        Opcode.F64x2Sub => VecOp.Subpd,
        Opcode.F64x2Mul => VecOp.Mulpd,
        Opcode.F64x2Div => VecOp.Divpd,
        _ => null,
    };

    public static WasmShape Of(Opcode opcode) => opcode switch
    {
        // Scalar floats.
        Opcode.F32Abs or Opcode.F64Abs or Opcode.F32Neg or Opcode.F64Neg => InPlace,
        Opcode.F32Min or Opcode.F32Max or Opcode.F64Min or Opcode.F64Max => InPlace,
        Opcode.F32Copysign or Opcode.F64Copysign => new(true, false, 1, 0),
        Opcode.F32Sqrt or Opcode.F64Sqrt or Opcode.F32Ceil or Opcode.F32Floor or Opcode.F32Trunc or Opcode.F32Nearest
            or Opcode.F64Ceil or Opcode.F64Floor or Opcode.F64Trunc or Opcode.F64Nearest => NewValue,
        // Truncations to u64 modify their source: it is copied first.
        Opcode.I64TruncF32U or Opcode.I64TruncF64U or Opcode.I64TruncSatF32U or Opcode.I64TruncSatF64U => new(false, false, 1, 0),

        // SIMD: dst = a op b (AVX's three-operand form) with b a register or a frame slot.
        _ when VectorBinaryOp(opcode) is not null => ThreeOperand,
        // Comparisons: b a register or (through xmm15) a frame slot.
        >= Opcode.I8x16Eq and <= Opcode.F64x2Ge => new(true, true, 0, 0),
        Opcode.I64x2Eq or Opcode.I64x2Ne or Opcode.I64x2LtS or Opcode.I64x2GtS or Opcode.I64x2LeS or Opcode.I64x2GeS => new(true, true, 0, 0),
        Opcode.F32x4Min or Opcode.F32x4Max or Opcode.F64x2Min or Opcode.F64x2Max => new(true, false, 1, 0),
        Opcode.I64x2Mul => new(true, false, 1, 0),
        Opcode.I8x16Popcnt => new(true, false, 2, 0),
        Opcode.I32x4TruncSatF32x4U or Opcode.I32x4TruncSatF64x2SZero or Opcode.I32x4TruncSatF64x2UZero => new(true, false, 1, 0),
        Opcode.I32x4RelaxedTruncF32x4U or Opcode.I32x4RelaxedTruncF64x2UZero => new(true, false, 1, 0),
        Opcode.I8x16RelaxedLaneselect or Opcode.I16x8RelaxedLaneselect or Opcode.I32x4RelaxedLaneselect or Opcode.I64x2RelaxedLaneselect => new(true, false, 1, 0),
        Opcode.F32x4RelaxedMadd or Opcode.F32x4RelaxedNmadd or Opcode.F64x2RelaxedMadd or Opcode.F64x2RelaxedNmadd
            or Opcode.I32x4RelaxedDotI8x16I7x16AddS => new(true, false, 1, 0),
        // Sequences that clobber their second (or third) operand: it is copied into the scratch first.
        Opcode.I16x8ExtmulLowI8x16S or Opcode.I16x8ExtmulHighI8x16S or Opcode.I16x8ExtmulLowI8x16U or Opcode.I16x8ExtmulHighI8x16U
            or Opcode.I32x4ExtmulLowI16x8S or Opcode.I32x4ExtmulHighI16x8S or Opcode.I32x4ExtmulLowI16x8U or Opcode.I32x4ExtmulHighI16x8U
            or Opcode.I64x2ExtmulLowI32x4S or Opcode.I64x2ExtmulHighI32x4S or Opcode.I64x2ExtmulLowI32x4U or Opcode.I64x2ExtmulHighI32x4U
            or Opcode.V128Bitselect or Opcode.I8x16Shuffle => new(true, false, 1, 0),
        // Lane shifts: the count masked in a scratch copy; i8x16 and i64x2.shr_s need an xmm scratch.
        Opcode.I8x16Shl or Opcode.I8x16ShrS or Opcode.I8x16ShrU or Opcode.I64x2ShrS => new(true, false, 1, 1),
        Opcode.I16x8Shl or Opcode.I16x8ShrS or Opcode.I16x8ShrU or Opcode.I32x4Shl or Opcode.I32x4ShrS or Opcode.I32x4ShrU
            or Opcode.I64x2Shl or Opcode.I64x2ShrU => new(true, false, 0, 1),
        // Results in a general register, or from one.
        Opcode.I8x16Bitmask or Opcode.I32x4Bitmask or Opcode.I64x2Bitmask => NewValue,
        Opcode.I16x8Bitmask => new(false, false, 1, 0),
        Opcode.V128AnyTrue or Opcode.I8x16AllTrue or Opcode.I16x8AllTrue or Opcode.I32x4AllTrue or Opcode.I64x2AllTrue => NewValue,
        Opcode.I8x16Splat or Opcode.I16x8Splat or Opcode.I32x4Splat or Opcode.I64x2Splat or Opcode.F32x4Splat or Opcode.F64x2Splat => NewValue,
        Opcode.I8x16ExtractLaneS or Opcode.I8x16ExtractLaneU or Opcode.I16x8ExtractLaneS or Opcode.I16x8ExtractLaneU
            or Opcode.I32x4ExtractLane or Opcode.I64x2ExtractLane => NewValue,
        _ => DefaultShape(opcode),
    };

    /// <summary>Everything else: SIMD operators in place (unary, lane replacement, float lane extraction), scalar conversions into a new value.</summary>
    private static WasmShape DefaultShape(Opcode opcode) => OperatorInfo.Feature(opcode) == "simd" ? InPlace : NewValue;

    /// <summary>True for the lane shifts (their count may be a constant).</summary>
    public static bool IsVectorShift(Opcode opcode) => opcode is
        Opcode.I8x16Shl or Opcode.I8x16ShrS or Opcode.I8x16ShrU or Opcode.I16x8Shl or Opcode.I16x8ShrS or Opcode.I16x8ShrU
        or Opcode.I32x4Shl or Opcode.I32x4ShrS or Opcode.I32x4ShrU or Opcode.I64x2Shl or Opcode.I64x2ShrS or Opcode.I64x2ShrU;
}
