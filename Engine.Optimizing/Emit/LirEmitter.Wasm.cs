using Engine.CodeGen.X64;
using Engine.Core;
using Engine.Optimizing.Lir;

namespace Engine.Optimizing.Emit;

/// <summary>
/// The operators the shared layer's sequences compute (<see cref="LOp.Wasm"/>): scalar float operations and
/// conversions, and SIMD. Operands as <see cref="WasmShapes"/> lays them out: operand 0 the destination (in place:
/// also the first source), then the sources, then the scratch registers.
/// </summary>
internal sealed partial class LirEmitter
{
    private const OperandSize S8 = OperandSize.S8;
    private const OperandSize S16 = OperandSize.S16;
    private const OperandSize S32 = OperandSize.S32;
    private const OperandSize S64 = OperandSize.S64;

    private void Wasm(int i)
    {
        ref LInst inst = ref _lir.Insts[i];
        var opcode = (Opcode)inst.Aux;
        WasmShape shape = WasmShapes.Of(opcode);
        int temps = inst.OperandCount - shape.XmmTemps - shape.GprTemps;
        Reg dst = R(i, 0);
        if (WasmShapes.VectorBinaryOp(opcode) is { } vectorOp)
        {
            // AVX's three-operand form: [Def dst, Use a, Use b any], no copy of a into dst first.
            Operand b = Any(i, 2);
            if (b.IsMemory)
            {
                Masm.V(vectorOp, dst, R(i, 1), b.Mem);
            }
            else
            {
                Masm.V(vectorOp, dst, R(i, 1), b.Reg);
            }
            return;
        }
        if (!shape.InPlace)
        {
            NewValue(i, opcode, dst, temps);
            return;
        }
        if (OperatorInfo.Feature(opcode) != "simd")
        {
            ScalarInPlace(i, opcode, dst, temps);
            return;
        }
        if (!VectorInPlace(i, opcode, dst, temps))
        {
            throw new InvalidOperationException($"optimizing: no emission for {OperatorInfo.Name(opcode)}");
        }
    }

    /// <summary>A copy of source <paramref name="operand"/> in scratch <paramref name="temp"/> (for sequences that clobber it).</summary>
    private Reg CopyToTemp(int i, int operand, Reg temp)
    {
        Masm.MovF(temp, R(i, operand));
        return temp;
    }

    private void ScalarInPlace(int i, Opcode opcode, Reg a, int temps)
    {
        OperandSize size = opcode is Opcode.F64Abs or Opcode.F64Neg or Opcode.F64Min or Opcode.F64Max or Opcode.F64Copysign ? S64 : S32;
        switch (opcode)
        {
            case Opcode.F32Abs or Opcode.F64Abs: _e.FloatAbs(size, a); return;
            case Opcode.F32Neg or Opcode.F64Neg: _e.FloatNeg(size, a); return;
            case Opcode.F32Min or Opcode.F64Min: _e.FloatMinMax(MinMax.Min, size, a, R(i, 1)); return;
            case Opcode.F32Max or Opcode.F64Max: _e.FloatMinMax(MinMax.Max, size, a, R(i, 1)); return;
            case Opcode.F32Copysign or Opcode.F64Copysign: _e.FloatCopysign(size, a, CopyToTemp(i, 1, R(i, temps))); return;
            default: throw new InvalidOperationException($"optimizing: no emission for {OperatorInfo.Name(opcode)}");
        }
    }

    /// <summary>The operators whose result is a new register: [Def dst, Use a, (Use b), scratch...].</summary>
    private void NewValue(int i, Opcode opcode, Reg dst, int temps)
    {
        Reg a = R(i, 1);
        switch (opcode)
        {
            case Opcode.F32Sqrt: Masm.Sse(SseOp.Sqrt, S32, dst, a); return;
            case Opcode.F64Sqrt: Masm.Sse(SseOp.Sqrt, S64, dst, a); return;
            case Opcode.F32Ceil: Masm.Round(S32, dst, a, RoundingMode.Up); return;
            case Opcode.F32Floor: Masm.Round(S32, dst, a, RoundingMode.Down); return;
            case Opcode.F32Trunc: Masm.Round(S32, dst, a, RoundingMode.Zero); return;
            case Opcode.F32Nearest: Masm.Round(S32, dst, a, RoundingMode.Nearest); return;
            case Opcode.F64Ceil: Masm.Round(S64, dst, a, RoundingMode.Up); return;
            case Opcode.F64Floor: Masm.Round(S64, dst, a, RoundingMode.Down); return;
            case Opcode.F64Trunc: Masm.Round(S64, dst, a, RoundingMode.Zero); return;
            case Opcode.F64Nearest: Masm.Round(S64, dst, a, RoundingMode.Nearest); return;

            case Opcode.I32TruncF32S: _e.Truncate(S32, S32, Signedness.Signed, TruncKind.Checked, dst, a); return;
            case Opcode.I32TruncF32U: _e.Truncate(S32, S32, Signedness.Unsigned, TruncKind.Checked, dst, a); return;
            case Opcode.I32TruncF64S: _e.Truncate(S64, S32, Signedness.Signed, TruncKind.Checked, dst, a); return;
            case Opcode.I32TruncF64U: _e.Truncate(S64, S32, Signedness.Unsigned, TruncKind.Checked, dst, a); return;
            case Opcode.I64TruncF32S: _e.Truncate(S32, S64, Signedness.Signed, TruncKind.Checked, dst, a); return;
            case Opcode.I64TruncF32U: _e.Truncate(S32, S64, Signedness.Unsigned, TruncKind.Checked, dst, CopyToTemp(i, 1, R(i, temps))); return;
            case Opcode.I64TruncF64S: _e.Truncate(S64, S64, Signedness.Signed, TruncKind.Checked, dst, a); return;
            case Opcode.I64TruncF64U: _e.Truncate(S64, S64, Signedness.Unsigned, TruncKind.Checked, dst, CopyToTemp(i, 1, R(i, temps))); return;
            case Opcode.I32TruncSatF32S: _e.Truncate(S32, S32, Signedness.Signed, TruncKind.Saturating, dst, a); return;
            case Opcode.I32TruncSatF32U: _e.Truncate(S32, S32, Signedness.Unsigned, TruncKind.Saturating, dst, a); return;
            case Opcode.I32TruncSatF64S: _e.Truncate(S64, S32, Signedness.Signed, TruncKind.Saturating, dst, a); return;
            case Opcode.I32TruncSatF64U: _e.Truncate(S64, S32, Signedness.Unsigned, TruncKind.Saturating, dst, a); return;
            case Opcode.I64TruncSatF32S: _e.Truncate(S32, S64, Signedness.Signed, TruncKind.Saturating, dst, a); return;
            case Opcode.I64TruncSatF32U: _e.Truncate(S32, S64, Signedness.Unsigned, TruncKind.Saturating, dst, CopyToTemp(i, 1, R(i, temps))); return;
            case Opcode.I64TruncSatF64S: _e.Truncate(S64, S64, Signedness.Signed, TruncKind.Saturating, dst, a); return;
            case Opcode.I64TruncSatF64U: _e.Truncate(S64, S64, Signedness.Unsigned, TruncKind.Saturating, dst, CopyToTemp(i, 1, R(i, temps))); return;

            case Opcode.F32ConvertI32S: _e.ConvertIntToFloat(S32, S32, Signedness.Signed, dst, a); return;
            case Opcode.F32ConvertI32U: _e.ConvertIntToFloat(S32, S32, Signedness.Unsigned, dst, a); return;
            case Opcode.F32ConvertI64S: _e.ConvertIntToFloat(S32, S64, Signedness.Signed, dst, a); return;
            case Opcode.F32ConvertI64U: _e.ConvertIntToFloat(S32, S64, Signedness.Unsigned, dst, a); return;
            case Opcode.F64ConvertI32S: _e.ConvertIntToFloat(S64, S32, Signedness.Signed, dst, a); return;
            case Opcode.F64ConvertI32U: _e.ConvertIntToFloat(S64, S32, Signedness.Unsigned, dst, a); return;
            case Opcode.F64ConvertI64S: _e.ConvertIntToFloat(S64, S64, Signedness.Signed, dst, a); return;
            case Opcode.F64ConvertI64U: _e.ConvertIntToFloat(S64, S64, Signedness.Unsigned, dst, a); return;
            case Opcode.F32DemoteF64: Masm.CvtFloat(S32, dst, a); return;
            case Opcode.F64PromoteF32: Masm.CvtFloat(S64, dst, a); return;
            case Opcode.I32ReinterpretF32: Masm.MovFromXmm(S32, dst, a); return;
            case Opcode.I64ReinterpretF64: Masm.MovFromXmm(S64, dst, a); return;
            case Opcode.F32ReinterpretI32: Masm.MovToXmm(S32, dst, a); return;
            case Opcode.F64ReinterpretI64: Masm.MovToXmm(S64, dst, a); return;

            case Opcode.I8x16Bitmask: _e.VectorBitmask(S8, dst, a); return;
            case Opcode.I16x8Bitmask: _e.VectorBitmask(S16, dst, CopyToTemp(i, 1, R(i, temps))); return;
            case Opcode.I32x4Bitmask: _e.VectorBitmask(S32, dst, a); return;
            case Opcode.I64x2Bitmask: _e.VectorBitmask(S64, dst, a); return;
            case Opcode.V128AnyTrue: Masm.SetCc(_e.VectorAnyTrue(a), dst); return;
            case Opcode.I8x16AllTrue: Masm.SetCc(_e.VectorAllTrue(S8, a), dst); return;
            case Opcode.I16x8AllTrue: Masm.SetCc(_e.VectorAllTrue(S16, a), dst); return;
            case Opcode.I32x4AllTrue: Masm.SetCc(_e.VectorAllTrue(S32, a), dst); return;
            case Opcode.I64x2AllTrue: Masm.SetCc(_e.VectorAllTrue(S64, a), dst); return;
            case Opcode.I8x16Splat: _e.VectorSplat(S8, dst, a); return;
            case Opcode.I16x8Splat: _e.VectorSplat(S16, dst, a); return;
            case Opcode.I32x4Splat or Opcode.F32x4Splat: _e.VectorSplat(S32, dst, a); return;
            case Opcode.I64x2Splat or Opcode.F64x2Splat: _e.VectorSplat(S64, dst, a); return;
            case Opcode.I8x16ExtractLaneS: _e.VectorExtractIntLane(S8, Signedness.Signed, dst, a, (int)_lir.Insts[i].Imm); return;
            case Opcode.I8x16ExtractLaneU: _e.VectorExtractIntLane(S8, Signedness.Unsigned, dst, a, (int)_lir.Insts[i].Imm); return;
            case Opcode.I16x8ExtractLaneS: _e.VectorExtractIntLane(S16, Signedness.Signed, dst, a, (int)_lir.Insts[i].Imm); return;
            case Opcode.I16x8ExtractLaneU: _e.VectorExtractIntLane(S16, Signedness.Unsigned, dst, a, (int)_lir.Insts[i].Imm); return;
            case Opcode.I32x4ExtractLane: _e.VectorExtractIntLane(S32, Signedness.Unsigned, dst, a, (int)_lir.Insts[i].Imm); return;
            case Opcode.I64x2ExtractLane: _e.VectorExtractIntLane(S64, Signedness.Unsigned, dst, a, (int)_lir.Insts[i].Imm); return;
            default: throw new InvalidOperationException($"optimizing: no emission for {OperatorInfo.Name(opcode)}");
        }
    }

    /// <summary>The second source of an in-place SIMD operator as an operand (register or frame slot).</summary>
    private Operand Second(int i) => Any(i, 1);

    /// <summary>The second source in a register: its own, or a frame slot loaded into xmm15 (for the sequences that allow it).</summary>
    private Reg SecondInRegister(int i) => InRegister(i, 1, Reg.XmmScratch);

    private bool VectorInPlace(int i, Opcode opcode, Reg a, int temps)
    {
        long imm = _lir.Insts[i].Imm;
        switch (opcode)
        {
            case Opcode.I8x16Swizzle: _e.I8x16Swizzle(a, R(i, 1)); return true;
            case Opcode.I8x16Shuffle: _e.I8x16Shuffle(a, CopyToTemp(i, 1, R(i, temps)), _f.V128Constants[(int)imm]); return true;
            case Opcode.F32x4ExtractLane: _e.VectorExtractFloatLane(S32, a, (int)imm); return true;
            case Opcode.F64x2ExtractLane: _e.VectorExtractFloatLane(S64, a, (int)imm); return true;
            case Opcode.F32x4ReplaceLane: _e.VectorReplaceFloatLane(S32, a, R(i, 1), (int)imm); return true;
            case Opcode.F64x2ReplaceLane: _e.VectorReplaceFloatLane(S64, a, R(i, 1), (int)imm); return true;
            case Opcode.I8x16ReplaceLane: _e.VectorReplaceIntLane(S8, a, Operand.InRegister(R(i, 1)), (int)imm); return true;
            case Opcode.I16x8ReplaceLane: _e.VectorReplaceIntLane(S16, a, Operand.InRegister(R(i, 1)), (int)imm); return true;
            case Opcode.I32x4ReplaceLane: _e.VectorReplaceIntLane(S32, a, Operand.InRegister(R(i, 1)), (int)imm); return true;
            case Opcode.I64x2ReplaceLane: _e.VectorReplaceIntLane(S64, a, Operand.InRegister(R(i, 1)), (int)imm); return true;

            case Opcode.I8x16Eq: _e.VectorIntegerCompare(S8, Cond.Equal, a, SecondInRegister(i)); return true;
            case Opcode.I8x16Ne: _e.VectorIntegerCompare(S8, Cond.NotEqual, a, SecondInRegister(i)); return true;
            case Opcode.I8x16LtS: _e.VectorIntegerCompare(S8, Cond.Less, a, SecondInRegister(i)); return true;
            case Opcode.I8x16LtU: _e.VectorIntegerCompare(S8, Cond.Below, a, SecondInRegister(i)); return true;
            case Opcode.I8x16GtS: _e.VectorIntegerCompare(S8, Cond.Greater, a, SecondInRegister(i)); return true;
            case Opcode.I8x16GtU: _e.VectorIntegerCompare(S8, Cond.Above, a, SecondInRegister(i)); return true;
            case Opcode.I8x16LeS: _e.VectorIntegerCompare(S8, Cond.LessOrEqual, a, SecondInRegister(i)); return true;
            case Opcode.I8x16LeU: _e.VectorIntegerCompare(S8, Cond.BelowOrEqual, a, SecondInRegister(i)); return true;
            case Opcode.I8x16GeS: _e.VectorIntegerCompare(S8, Cond.GreaterOrEqual, a, SecondInRegister(i)); return true;
            case Opcode.I8x16GeU: _e.VectorIntegerCompare(S8, Cond.AboveOrEqual, a, SecondInRegister(i)); return true;
            case Opcode.I16x8Eq: _e.VectorIntegerCompare(S16, Cond.Equal, a, SecondInRegister(i)); return true;
            case Opcode.I16x8Ne: _e.VectorIntegerCompare(S16, Cond.NotEqual, a, SecondInRegister(i)); return true;
            case Opcode.I16x8LtS: _e.VectorIntegerCompare(S16, Cond.Less, a, SecondInRegister(i)); return true;
            case Opcode.I16x8LtU: _e.VectorIntegerCompare(S16, Cond.Below, a, SecondInRegister(i)); return true;
            case Opcode.I16x8GtS: _e.VectorIntegerCompare(S16, Cond.Greater, a, SecondInRegister(i)); return true;
            case Opcode.I16x8GtU: _e.VectorIntegerCompare(S16, Cond.Above, a, SecondInRegister(i)); return true;
            case Opcode.I16x8LeS: _e.VectorIntegerCompare(S16, Cond.LessOrEqual, a, SecondInRegister(i)); return true;
            case Opcode.I16x8LeU: _e.VectorIntegerCompare(S16, Cond.BelowOrEqual, a, SecondInRegister(i)); return true;
            case Opcode.I16x8GeS: _e.VectorIntegerCompare(S16, Cond.GreaterOrEqual, a, SecondInRegister(i)); return true;
            case Opcode.I16x8GeU: _e.VectorIntegerCompare(S16, Cond.AboveOrEqual, a, SecondInRegister(i)); return true;
            case Opcode.I32x4Eq: _e.VectorIntegerCompare(S32, Cond.Equal, a, SecondInRegister(i)); return true;
            case Opcode.I32x4Ne: _e.VectorIntegerCompare(S32, Cond.NotEqual, a, SecondInRegister(i)); return true;
            case Opcode.I32x4LtS: _e.VectorIntegerCompare(S32, Cond.Less, a, SecondInRegister(i)); return true;
            case Opcode.I32x4LtU: _e.VectorIntegerCompare(S32, Cond.Below, a, SecondInRegister(i)); return true;
            case Opcode.I32x4GtS: _e.VectorIntegerCompare(S32, Cond.Greater, a, SecondInRegister(i)); return true;
            case Opcode.I32x4GtU: _e.VectorIntegerCompare(S32, Cond.Above, a, SecondInRegister(i)); return true;
            case Opcode.I32x4LeS: _e.VectorIntegerCompare(S32, Cond.LessOrEqual, a, SecondInRegister(i)); return true;
            case Opcode.I32x4LeU: _e.VectorIntegerCompare(S32, Cond.BelowOrEqual, a, SecondInRegister(i)); return true;
            case Opcode.I32x4GeS: _e.VectorIntegerCompare(S32, Cond.GreaterOrEqual, a, SecondInRegister(i)); return true;
            case Opcode.I32x4GeU: _e.VectorIntegerCompare(S32, Cond.AboveOrEqual, a, SecondInRegister(i)); return true;
            case Opcode.I64x2Eq: _e.VectorIntegerCompare(S64, Cond.Equal, a, SecondInRegister(i)); return true;
            case Opcode.I64x2Ne: _e.VectorIntegerCompare(S64, Cond.NotEqual, a, SecondInRegister(i)); return true;
            case Opcode.I64x2LtS: _e.VectorIntegerCompare(S64, Cond.Less, a, SecondInRegister(i)); return true;
            case Opcode.I64x2GtS: _e.VectorIntegerCompare(S64, Cond.Greater, a, SecondInRegister(i)); return true;
            case Opcode.I64x2LeS: _e.VectorIntegerCompare(S64, Cond.LessOrEqual, a, SecondInRegister(i)); return true;
            case Opcode.I64x2GeS: _e.VectorIntegerCompare(S64, Cond.GreaterOrEqual, a, SecondInRegister(i)); return true;
            case Opcode.F32x4Eq: _e.VectorFloatCompare(S32, Cond.Equal, a, SecondInRegister(i)); return true;
            case Opcode.F32x4Ne: _e.VectorFloatCompare(S32, Cond.NotEqual, a, SecondInRegister(i)); return true;
            case Opcode.F32x4Lt: _e.VectorFloatCompare(S32, Cond.Less, a, SecondInRegister(i)); return true;
            case Opcode.F32x4Gt: _e.VectorFloatCompare(S32, Cond.Greater, a, SecondInRegister(i)); return true;
            case Opcode.F32x4Le: _e.VectorFloatCompare(S32, Cond.LessOrEqual, a, SecondInRegister(i)); return true;
            case Opcode.F32x4Ge: _e.VectorFloatCompare(S32, Cond.GreaterOrEqual, a, SecondInRegister(i)); return true;
            case Opcode.F64x2Eq: _e.VectorFloatCompare(S64, Cond.Equal, a, SecondInRegister(i)); return true;
            case Opcode.F64x2Ne: _e.VectorFloatCompare(S64, Cond.NotEqual, a, SecondInRegister(i)); return true;
            case Opcode.F64x2Lt: _e.VectorFloatCompare(S64, Cond.Less, a, SecondInRegister(i)); return true;
            case Opcode.F64x2Gt: _e.VectorFloatCompare(S64, Cond.Greater, a, SecondInRegister(i)); return true;
            case Opcode.F64x2Le: _e.VectorFloatCompare(S64, Cond.LessOrEqual, a, SecondInRegister(i)); return true;
            case Opcode.F64x2Ge: _e.VectorFloatCompare(S64, Cond.GreaterOrEqual, a, SecondInRegister(i)); return true;

            case Opcode.V128Not: _e.VectorNot(a); return true;
            case Opcode.V128Andnot: Masm.V(VecOp.Pandn, a, R(i, 1), a); return true;
            case Opcode.V128Bitselect: _e.VectorBitselect(a, R(i, 1), CopyToTemp(i, 2, R(i, temps))); return true;

            case Opcode.F32x4DemoteF64x2Zero: Masm.V(VecOp.Cvtpd2ps, a, a); return true;
            case Opcode.F64x2PromoteLowF32x4: Masm.V(VecOp.Cvtps2pd, a, a); return true;

            case Opcode.I8x16Abs: Masm.V(VecOp.Pabsb, a, a); return true;
            case Opcode.I8x16Neg: _e.VectorIntegerNeg(S8, a); return true;
            case Opcode.I8x16Popcnt: _e.I8x16Popcnt(a, R(i, temps), R(i, temps + 1)); return true;
            case Opcode.I8x16Shl: VectorShift(i, S8, ShiftOp.Shl, a, temps, xmmTemp: true); return true;
            case Opcode.I8x16ShrS: VectorShift(i, S8, ShiftOp.Sar, a, temps, xmmTemp: true); return true;
            case Opcode.I8x16ShrU: VectorShift(i, S8, ShiftOp.Shr, a, temps, xmmTemp: true); return true;

            case Opcode.I16x8ExtaddPairwiseI8x16S: _e.VectorExtAddPairwise(S8, Signedness.Signed, a); return true;
            case Opcode.I16x8ExtaddPairwiseI8x16U: _e.VectorExtAddPairwise(S8, Signedness.Unsigned, a); return true;
            case Opcode.I32x4ExtaddPairwiseI16x8S: _e.VectorExtAddPairwise(S16, Signedness.Signed, a); return true;
            case Opcode.I32x4ExtaddPairwiseI16x8U: _e.VectorExtAddPairwise(S16, Signedness.Unsigned, a); return true;
            case Opcode.I16x8Abs: Masm.V(VecOp.Pabsw, a, a); return true;
            case Opcode.I16x8Neg: _e.VectorIntegerNeg(S16, a); return true;
            case Opcode.I16x8Q15mulrSatS: _e.I16x8Q15MulrSat(a, Second(i)); return true;
            case Opcode.I16x8ExtendLowI8x16S: _e.VectorExtendHalf(S8, Signedness.Signed, VectorHalf.Low, a); return true;
            case Opcode.I16x8ExtendHighI8x16S: _e.VectorExtendHalf(S8, Signedness.Signed, VectorHalf.High, a); return true;
            case Opcode.I16x8ExtendLowI8x16U: _e.VectorExtendHalf(S8, Signedness.Unsigned, VectorHalf.Low, a); return true;
            case Opcode.I16x8ExtendHighI8x16U: _e.VectorExtendHalf(S8, Signedness.Unsigned, VectorHalf.High, a); return true;
            case Opcode.I16x8Shl: VectorShift(i, S16, ShiftOp.Shl, a, temps, xmmTemp: false); return true;
            case Opcode.I16x8ShrS: VectorShift(i, S16, ShiftOp.Sar, a, temps, xmmTemp: false); return true;
            case Opcode.I16x8ShrU: VectorShift(i, S16, ShiftOp.Shr, a, temps, xmmTemp: false); return true;
            case Opcode.I16x8ExtmulLowI8x16S: _e.VectorExtendedMultiply(S8, VectorHalf.Low, Signedness.Signed, a, CopyToTemp(i, 1, R(i, temps))); return true;
            case Opcode.I16x8ExtmulHighI8x16S: _e.VectorExtendedMultiply(S8, VectorHalf.High, Signedness.Signed, a, CopyToTemp(i, 1, R(i, temps))); return true;
            case Opcode.I16x8ExtmulLowI8x16U: _e.VectorExtendedMultiply(S8, VectorHalf.Low, Signedness.Unsigned, a, CopyToTemp(i, 1, R(i, temps))); return true;
            case Opcode.I16x8ExtmulHighI8x16U: _e.VectorExtendedMultiply(S8, VectorHalf.High, Signedness.Unsigned, a, CopyToTemp(i, 1, R(i, temps))); return true;

            case Opcode.I32x4Abs: Masm.V(VecOp.Pabsd, a, a); return true;
            case Opcode.I32x4Neg: _e.VectorIntegerNeg(S32, a); return true;
            case Opcode.I32x4ExtendLowI16x8S: _e.VectorExtendHalf(S16, Signedness.Signed, VectorHalf.Low, a); return true;
            case Opcode.I32x4ExtendHighI16x8S: _e.VectorExtendHalf(S16, Signedness.Signed, VectorHalf.High, a); return true;
            case Opcode.I32x4ExtendLowI16x8U: _e.VectorExtendHalf(S16, Signedness.Unsigned, VectorHalf.Low, a); return true;
            case Opcode.I32x4ExtendHighI16x8U: _e.VectorExtendHalf(S16, Signedness.Unsigned, VectorHalf.High, a); return true;
            case Opcode.I32x4Shl: VectorShift(i, S32, ShiftOp.Shl, a, temps, xmmTemp: false); return true;
            case Opcode.I32x4ShrS: VectorShift(i, S32, ShiftOp.Sar, a, temps, xmmTemp: false); return true;
            case Opcode.I32x4ShrU: VectorShift(i, S32, ShiftOp.Shr, a, temps, xmmTemp: false); return true;
            case Opcode.I32x4ExtmulLowI16x8S: _e.VectorExtendedMultiply(S16, VectorHalf.Low, Signedness.Signed, a, CopyToTemp(i, 1, R(i, temps))); return true;
            case Opcode.I32x4ExtmulHighI16x8S: _e.VectorExtendedMultiply(S16, VectorHalf.High, Signedness.Signed, a, CopyToTemp(i, 1, R(i, temps))); return true;
            case Opcode.I32x4ExtmulLowI16x8U: _e.VectorExtendedMultiply(S16, VectorHalf.Low, Signedness.Unsigned, a, CopyToTemp(i, 1, R(i, temps))); return true;
            case Opcode.I32x4ExtmulHighI16x8U: _e.VectorExtendedMultiply(S16, VectorHalf.High, Signedness.Unsigned, a, CopyToTemp(i, 1, R(i, temps))); return true;

            case Opcode.I64x2Abs: _e.I64x2Abs(a); return true;
            case Opcode.I64x2Neg: _e.VectorIntegerNeg(S64, a); return true;
            case Opcode.I64x2ExtendLowI32x4S: _e.VectorExtendHalf(S32, Signedness.Signed, VectorHalf.Low, a); return true;
            case Opcode.I64x2ExtendHighI32x4S: _e.VectorExtendHalf(S32, Signedness.Signed, VectorHalf.High, a); return true;
            case Opcode.I64x2ExtendLowI32x4U: _e.VectorExtendHalf(S32, Signedness.Unsigned, VectorHalf.Low, a); return true;
            case Opcode.I64x2ExtendHighI32x4U: _e.VectorExtendHalf(S32, Signedness.Unsigned, VectorHalf.High, a); return true;
            case Opcode.I64x2Shl: VectorShift(i, S64, ShiftOp.Shl, a, temps, xmmTemp: false); return true;
            case Opcode.I64x2ShrS: VectorShift(i, S64, ShiftOp.Sar, a, temps, xmmTemp: true); return true;
            case Opcode.I64x2ShrU: VectorShift(i, S64, ShiftOp.Shr, a, temps, xmmTemp: false); return true;
            case Opcode.I64x2Mul: _e.I64x2Mul(a, R(i, 1), R(i, temps)); return true;
            case Opcode.I64x2ExtmulLowI32x4S: _e.VectorExtendedMultiply(S32, VectorHalf.Low, Signedness.Signed, a, CopyToTemp(i, 1, R(i, temps))); return true;
            case Opcode.I64x2ExtmulHighI32x4S: _e.VectorExtendedMultiply(S32, VectorHalf.High, Signedness.Signed, a, CopyToTemp(i, 1, R(i, temps))); return true;
            case Opcode.I64x2ExtmulLowI32x4U: _e.VectorExtendedMultiply(S32, VectorHalf.Low, Signedness.Unsigned, a, CopyToTemp(i, 1, R(i, temps))); return true;
            case Opcode.I64x2ExtmulHighI32x4U: _e.VectorExtendedMultiply(S32, VectorHalf.High, Signedness.Unsigned, a, CopyToTemp(i, 1, R(i, temps))); return true;

            case Opcode.F32x4Ceil: _e.VectorFloatRound(S32, RoundingMode.Up, a); return true;
            case Opcode.F32x4Floor: _e.VectorFloatRound(S32, RoundingMode.Down, a); return true;
            case Opcode.F32x4Trunc: _e.VectorFloatRound(S32, RoundingMode.Zero, a); return true;
            case Opcode.F32x4Nearest: _e.VectorFloatRound(S32, RoundingMode.Nearest, a); return true;
            case Opcode.F64x2Ceil: _e.VectorFloatRound(S64, RoundingMode.Up, a); return true;
            case Opcode.F64x2Floor: _e.VectorFloatRound(S64, RoundingMode.Down, a); return true;
            case Opcode.F64x2Trunc: _e.VectorFloatRound(S64, RoundingMode.Zero, a); return true;
            case Opcode.F64x2Nearest: _e.VectorFloatRound(S64, RoundingMode.Nearest, a); return true;
            case Opcode.F32x4Abs: _e.VectorFloatAbs(S32, a); return true;
            case Opcode.F32x4Neg: _e.VectorFloatNeg(S32, a); return true;
            case Opcode.F32x4Sqrt: Masm.V(VecOp.Sqrtps, a, a); return true;
            case Opcode.F32x4Min: _e.VectorFloatMinMax(S32, MinMax.Min, a, R(i, 1), R(i, temps)); return true;
            case Opcode.F32x4Max: _e.VectorFloatMinMax(S32, MinMax.Max, a, R(i, 1), R(i, temps)); return true;
            // pmin(a, b) = b < a ? b : a, exactly minps(b, a); pmax likewise.
            case Opcode.F32x4Pmin: Masm.V(VecOp.Minps, a, R(i, 1), a); return true;
            case Opcode.F32x4Pmax: Masm.V(VecOp.Maxps, a, R(i, 1), a); return true;
            case Opcode.F64x2Abs: _e.VectorFloatAbs(S64, a); return true;
            case Opcode.F64x2Neg: _e.VectorFloatNeg(S64, a); return true;
            case Opcode.F64x2Sqrt: Masm.V(VecOp.Sqrtpd, a, a); return true;
            case Opcode.F64x2Min: _e.VectorFloatMinMax(S64, MinMax.Min, a, R(i, 1), R(i, temps)); return true;
            case Opcode.F64x2Max: _e.VectorFloatMinMax(S64, MinMax.Max, a, R(i, 1), R(i, temps)); return true;
            case Opcode.F64x2Pmin: Masm.V(VecOp.Minpd, a, R(i, 1), a); return true;
            case Opcode.F64x2Pmax: Masm.V(VecOp.Maxpd, a, R(i, 1), a); return true;

            case Opcode.I32x4TruncSatF32x4S: _e.I32x4TruncSatF32x4S(a); return true;
            case Opcode.I32x4TruncSatF32x4U: _e.I32x4TruncSatF32x4U(a, R(i, temps)); return true;
            case Opcode.F32x4ConvertI32x4S: Masm.V(VecOp.Cvtdq2ps, a, a); return true;
            case Opcode.F32x4ConvertI32x4U: _e.F32x4ConvertI32x4U(a); return true;
            case Opcode.I32x4TruncSatF64x2SZero: _e.I32x4TruncSatF64x2Zero(Signedness.Signed, a, R(i, temps)); return true;
            case Opcode.I32x4TruncSatF64x2UZero: _e.I32x4TruncSatF64x2Zero(Signedness.Unsigned, a, R(i, temps)); return true;
            case Opcode.F64x2ConvertLowI32x4S: Masm.V(VecOp.Cvtdq2pd, a, a); return true;
            // Relaxed SIMD (3.0): the choices of tiers.md, "Relaxed SIMD" (as the baseline and the interpreter); a third operand
            // is copied first, as the destination may share its register.
            case Opcode.I8x16RelaxedSwizzle: _e.VectorBinary(VecOp.Pshufb, a, Second(i)); return true;
            case Opcode.I32x4RelaxedTruncF32x4S: Masm.V(VecOp.Cvttps2dq, a, a); return true;
            case Opcode.I32x4RelaxedTruncF32x4U: _e.I32x4TruncSatF32x4U(a, R(i, temps)); return true;
            case Opcode.I32x4RelaxedTruncF64x2SZero: Masm.V(VecOp.Cvttpd2dq, a, a); return true;
            case Opcode.I32x4RelaxedTruncF64x2UZero: _e.I32x4TruncSatF64x2Zero(Signedness.Unsigned, a, R(i, temps)); return true;
            case Opcode.F32x4RelaxedMadd: _e.VectorRelaxedMadd(S32, false, a, R(i, 1), CopyToTemp(i, 2, R(i, temps))); return true;
            case Opcode.F32x4RelaxedNmadd: _e.VectorRelaxedMadd(S32, true, a, R(i, 1), CopyToTemp(i, 2, R(i, temps))); return true;
            case Opcode.F64x2RelaxedMadd: _e.VectorRelaxedMadd(S64, false, a, R(i, 1), CopyToTemp(i, 2, R(i, temps))); return true;
            case Opcode.F64x2RelaxedNmadd: _e.VectorRelaxedMadd(S64, true, a, R(i, 1), CopyToTemp(i, 2, R(i, temps))); return true;
            case Opcode.I8x16RelaxedLaneselect or Opcode.I16x8RelaxedLaneselect or Opcode.I32x4RelaxedLaneselect or Opcode.I64x2RelaxedLaneselect:
                _e.VectorBitselect(a, R(i, 1), CopyToTemp(i, 2, R(i, temps))); return true;
            case Opcode.F32x4RelaxedMin: _e.VectorBinary(VecOp.Minps, a, Second(i)); return true;
            case Opcode.F32x4RelaxedMax: _e.VectorBinary(VecOp.Maxps, a, Second(i)); return true;
            case Opcode.F64x2RelaxedMin: _e.VectorBinary(VecOp.Minpd, a, Second(i)); return true;
            case Opcode.F64x2RelaxedMax: _e.VectorBinary(VecOp.Maxpd, a, Second(i)); return true;
            case Opcode.I16x8RelaxedQ15mulrS: _e.VectorBinary(VecOp.Pmulhrsw, a, Second(i)); return true;
            case Opcode.I16x8RelaxedDotI8x16I7x16S: _e.I16x8RelaxedDot(a, R(i, 1)); return true;
            case Opcode.I32x4RelaxedDotI8x16I7x16AddS: _e.I32x4RelaxedDotAdd(a, R(i, 1), CopyToTemp(i, 2, R(i, temps))); return true;
            case Opcode.F64x2ConvertLowI32x4U: _e.F64x2ConvertLowI32x4U(a); return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// A lane shift: the count an immediate (Imm2 = 1, the count in Imm) or a general register copied into the general
    /// scratch and masked there; the xmm scratch (the first scratch operand) for i8x16 shifts and i64x2.shr_s.
    /// </summary>
    private void VectorShift(int i, OperandSize lane, ShiftOp op, Reg a, int temps, bool xmmTemp)
    {
        ref LInst inst = ref _lir.Insts[i];
        Reg temp = xmmTemp ? R(i, temps) : Reg.None;
        Operand count;
        if (inst.Imm2 == 1)
        {
            count = Operand.Immediate(inst.Imm);
        }
        else
        {
            Reg countCopy = R(i, inst.OperandCount - 1);
            Masm.Mov(S32, countCopy, R(i, 1));
            _e.MaskVectorShiftCount(lane, countCopy);
            count = Operand.InRegister(countCopy);
        }
        _e.VectorShift(lane, op, a, count, temp);
    }
}
