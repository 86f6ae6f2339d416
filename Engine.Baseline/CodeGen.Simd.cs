using System.Runtime.Intrinsics;
using Engine.Core;

namespace Engine.Baseline;

/// <summary>
/// The SIMD operators: v128 values live in xmm registers (allocated like floats) and in 16-byte frame slots.
/// Each operator pops its operands into registers and calls the shared layer's sequence
/// (<see cref="FunctionEmitter"/>, <c>FunctionEmitter.Simd.cs</c>) or emits its one VEX instruction.
/// </summary>
internal sealed partial class CodeGen
{
    private static readonly Reg Scratch = Reg.XmmScratch;

    private const ValType V128 = ValType.V128;

    public void V128Const(Vector128<byte> value)
    {
        Vector128<long> bits = value.AsInt64();
        PushV128Const(bits.GetElement(0), bits.GetElement(1));
    }

    /// <summary>Pops the top as a v128 operand: a register or a 16-byte frame slot.</summary>
    private Operand PopVector() => PopOperand(allowImmediate: false);

    /// <summary>The operand in a register: its own, or (a slot) loaded into the scratch register.</summary>
    private Reg InRegister(in Operand operand)
    {
        if (operand.IsRegister)
        {
            return operand.Reg;
        }
        Masm.LoadV(Scratch, operand.Mem);
        return Scratch;
    }

    /// <summary>a = a op b.</summary>
    private void VectorBinary(VecOp op)
    {
        Operand b = PopVector();
        Reg a = PopToRegister();
        _emitter.VectorBinary(op, a, b);
        Free(b);
        PushRegister(V128, a);
    }

    /// <summary>a = b op a (for the operators whose x86 form takes the operands the other way round).</summary>
    private void VectorBinarySwapped(VecOp op)
    {
        Operand b = PopVector();
        Reg a = PopToRegister();
        Masm.V(op, a, InRegister(b), a);
        Free(b);
        PushRegister(V128, a);
    }

    private void VectorUnary(VecOp op)
    {
        Reg a = PopToRegister();
        Masm.V(op, a, a);
        PushRegister(V128, a);
    }

    /// <summary>a = f(a) for a sequence of the shared layer.</summary>
    private void VectorInPlace(Action<FunctionEmitter, Reg> sequence)
    {
        Reg a = PopToRegister();
        sequence(_emitter, a);
        PushRegister(V128, a);
    }

    /// <summary>a = f(a) for a sequence of the shared layer that needs a temporary xmm register.</summary>
    private void VectorInPlaceWithTemp(Action<FunctionEmitter, Reg, Reg> sequence)
    {
        Reg a = PopToRegister();
        Reg t = Allocate(true);
        sequence(_emitter, a, t);
        Free(t);
        PushRegister(V128, a);
    }

    /// <summary>a = f(a, b) for a sequence of the shared layer, both in registers.</summary>
    private void VectorPair(Action<FunctionEmitter, Reg, Reg> sequence)
    {
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        sequence(_emitter, a, b);
        Free(b);
        PushRegister(V128, a);
    }

    // ---- comparisons ----

    private void IntegerCompare(OperandSize lane, Cond relation)
    {
        Operand bOperand = PopVector();
        Reg a = PopToRegister();
        _emitter.VectorIntegerCompare(lane, relation, a, InRegister(bOperand));
        Free(bOperand);
        PushRegister(V128, a);
    }

    private void FloatCompare(OperandSize lane, Cond relation)
    {
        Operand bOperand = PopVector();
        Reg a = PopToRegister();
        _emitter.VectorFloatCompare(lane, relation, a, InRegister(bOperand));
        Free(bOperand);
        PushRegister(V128, a);
    }

    // ---- arithmetic ----

    private void VectorFloatMinMax(OperandSize lane, MinMax kind)
    {
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        Reg canonical = Allocate(true);
        _emitter.VectorFloatMinMax(lane, kind, a, b, canonical);
        Free(canonical);
        Free(b);
        PushRegister(V128, a);
    }

    private void I64x2Mul()
    {
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        Reg t = Allocate(true);
        _emitter.I64x2Mul(a, b, t);
        Free(t);
        Free(b);
        PushRegister(V128, a);
    }

    private void Q15MulrSat()
    {
        Operand b = PopVector();
        Reg a = PopToRegister();
        _emitter.I16x8Q15MulrSat(a, b);
        Free(b);
        PushRegister(V128, a);
    }

    private void I8x16Popcnt()
    {
        Reg a = PopToRegister();
        Reg lut = Allocate(true);
        Reg high = Allocate(true);
        _emitter.I8x16Popcnt(a, lut, high);
        Free(lut);
        Free(high);
        PushRegister(V128, a);
    }

    private void Bitmask(OperandSize lane)
    {
        Reg a = PopToRegister();
        Reg r = Allocate(false);
        _emitter.VectorBitmask(lane, r, a);
        Free(a);
        PushRegister(ValType.I32, r);
    }

    private void AnyTrue()
    {
        Reg a = PopToRegister();
        Cond cond = _emitter.VectorAnyTrue(a);
        Free(a);
        PushFlags(cond);
    }

    private void AllTrue(OperandSize lane)
    {
        Reg a = PopToRegister();
        Cond cond = _emitter.VectorAllTrue(lane, a);
        Free(a);
        PushFlags(cond);
    }

    private void Bitselect()
    {
        Reg c = PopToRegister();
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        _emitter.VectorBitselect(a, b, c);
        Free(c);
        Free(b);
        PushRegister(V128, a);
    }

    // ---- shifts ----

    /// <summary>
    /// A lane shift: the count (wasm takes it modulo the lane width) is a constant, or masked in its register before
    /// the vector operand is popped; i8x16 shifts and i64x2.shr_s need a temporary.
    /// </summary>
    private void Shift(OperandSize lane, ShiftOp op)
    {
        Operand count;
        if (Peek().Kind == ValueKind.Const)
        {
            count = Operand.Immediate(Pop().Bits);
        }
        else
        {
            Reg countReg = PopToRegister();
            _emitter.MaskVectorShiftCount(lane, countReg);
            count = Operand.InRegister(countReg);
        }
        Reg a = PopToRegister();
        bool needsTemp = lane == S8 || (lane == S64 && op == ShiftOp.Sar);
        Reg temp = needsTemp ? Allocate(true) : Reg.None;
        _emitter.VectorShift(lane, op, a, count, temp);
        if (needsTemp)
        {
            Free(temp);
        }
        Free(count);
        PushRegister(V128, a);
    }

    // ---- splat, lanes, shuffles ----

    public void Splat(Opcode opcode)
    {
        OperandSize lane = opcode switch
        {
            Opcode.I8x16Splat => S8,
            Opcode.I16x8Splat => S16,
            Opcode.I32x4Splat or Opcode.F32x4Splat => S32,
            _ => S64,
        };
        if (Peek().Kind == ValueKind.Const)
        {
            long bits = Pop().Bits;
            long pattern = lane switch
            {
                S8 => (long)(0x0101010101010101UL * (byte)bits),
                S16 => (long)(0x0001000100010001UL * (ushort)bits),
                S32 => (long)(0x0000000100000001UL * (uint)bits),
                _ => bits,
            };
            PushV128Const(pattern, pattern);
            return;
        }
        Reg value = PopToRegister();
        Reg r = value.IsFloat ? value : Allocate(true);
        _emitter.VectorSplat(lane, r, value);
        if (!value.IsFloat)
        {
            Free(value);
        }
        PushRegister(V128, r);
    }

    public void ExtractLane(Opcode opcode, byte lane)
    {
        Reg v = PopToRegister();
        switch (opcode)
        {
            case Opcode.F32x4ExtractLane:
                _emitter.VectorExtractFloatLane(S32, v, lane);
                PushRegister(ValType.F32, v);
                return;
            case Opcode.F64x2ExtractLane:
                _emitter.VectorExtractFloatLane(S64, v, lane);
                PushRegister(ValType.F64, v);
                return;
        }
        (OperandSize size, Signedness signedness) = opcode switch
        {
            Opcode.I8x16ExtractLaneS => (S8, Signedness.Signed),
            Opcode.I8x16ExtractLaneU => (S8, Signedness.Unsigned),
            Opcode.I16x8ExtractLaneS => (S16, Signedness.Signed),
            Opcode.I16x8ExtractLaneU => (S16, Signedness.Unsigned),
            Opcode.I32x4ExtractLane => (S32, Signedness.Unsigned),
            _ => (S64, Signedness.Unsigned),
        };
        Reg r = Allocate(false);
        _emitter.VectorExtractIntLane(size, signedness, r, v, lane);
        Free(v);
        PushRegister(size == S64 ? ValType.I64 : ValType.I32, r);
    }

    public void ReplaceLane(Opcode opcode, byte lane)
    {
        if (opcode is Opcode.F32x4ReplaceLane or Opcode.F64x2ReplaceLane)
        {
            Reg x = PopToRegister();
            Reg v = PopToRegister();
            _emitter.VectorReplaceFloatLane(opcode == Opcode.F32x4ReplaceLane ? S32 : S64, v, x, lane);
            Free(x);
            PushRegister(V128, v);
            return;
        }
        OperandSize size = opcode switch
        {
            Opcode.I8x16ReplaceLane => S8,
            Opcode.I16x8ReplaceLane => S16,
            Opcode.I32x4ReplaceLane => S32,
            _ => S64,
        };
        Operand value = PopOperand(allowMemory: false);
        Reg vector = PopToRegister();
        _emitter.VectorReplaceIntLane(size, vector, value, lane);
        Free(value);
        PushRegister(V128, vector);
    }

    public void Shuffle(Vector128<byte> lanes)
    {
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        _emitter.I8x16Shuffle(a, b, lanes);
        Free(b);
        PushRegister(V128, a);
    }

    // ---- memory ----

    public void VectorLoad(Opcode opcode, MemArg memArg)
    {
        Operand address = PopOperand(allowMemory: false);
        Mem at = _emitter.HeapAddress(address, memArg.Offset, FunctionEmitter.VectorLoadSize(opcode));
        Reg r = Allocate(true);
        _emitter.VectorLoad(opcode, r, at);
        Free(address);
        PushRegister(V128, r);
    }

    public void VectorStore(MemArg memArg)
    {
        Reg v = PopToRegister();
        Operand address = PopOperand(allowMemory: false);
        Masm.StoreV(_emitter.HeapAddress(address, memArg.Offset, 16), v);
        Free(address);
        Free(v);
    }

    public void LoadLane(Opcode opcode, MemArg memArg, byte lane)
    {
        OperandSize size = FunctionEmitter.LaneAccessSize(opcode);
        Reg v = PopToRegister();
        Operand address = PopOperand(allowMemory: false);
        Masm.Insert(size, v, v, _emitter.HeapAddress(address, memArg.Offset, size.Bytes()), lane);
        Free(address);
        PushRegister(V128, v);
    }

    public void StoreLane(Opcode opcode, MemArg memArg, byte lane)
    {
        OperandSize size = FunctionEmitter.LaneAccessSize(opcode);
        Reg v = PopToRegister();
        Operand address = PopOperand(allowMemory: false);
        Masm.Extract(size, _emitter.HeapAddress(address, memArg.Offset, size.Bytes()), v, lane);
        Free(address);
        Free(v);
    }

    // ---- the operators with a fixed signature ----

    /// <summary>Compiles a SIMD operator of <c>VisitPlain</c>; false when it is not one.</summary>
    public bool SimdPlain(Opcode opcode)
    {
        switch (opcode)
        {
            case Opcode.I8x16Swizzle: VectorPair(static (e, a, indices) => e.I8x16Swizzle(a, indices)); break;
            case Opcode.I8x16Splat or Opcode.I16x8Splat or Opcode.I32x4Splat or Opcode.I64x2Splat or Opcode.F32x4Splat or Opcode.F64x2Splat:
                Splat(opcode);
                break;

            case Opcode.I8x16Eq: IntegerCompare(S8, Cond.Equal); break;
            case Opcode.I8x16Ne: IntegerCompare(S8, Cond.NotEqual); break;
            case Opcode.I8x16LtS: IntegerCompare(S8, Cond.Less); break;
            case Opcode.I8x16LtU: IntegerCompare(S8, Cond.Below); break;
            case Opcode.I8x16GtS: IntegerCompare(S8, Cond.Greater); break;
            case Opcode.I8x16GtU: IntegerCompare(S8, Cond.Above); break;
            case Opcode.I8x16LeS: IntegerCompare(S8, Cond.LessOrEqual); break;
            case Opcode.I8x16LeU: IntegerCompare(S8, Cond.BelowOrEqual); break;
            case Opcode.I8x16GeS: IntegerCompare(S8, Cond.GreaterOrEqual); break;
            case Opcode.I8x16GeU: IntegerCompare(S8, Cond.AboveOrEqual); break;
            case Opcode.I16x8Eq: IntegerCompare(S16, Cond.Equal); break;
            case Opcode.I16x8Ne: IntegerCompare(S16, Cond.NotEqual); break;
            case Opcode.I16x8LtS: IntegerCompare(S16, Cond.Less); break;
            case Opcode.I16x8LtU: IntegerCompare(S16, Cond.Below); break;
            case Opcode.I16x8GtS: IntegerCompare(S16, Cond.Greater); break;
            case Opcode.I16x8GtU: IntegerCompare(S16, Cond.Above); break;
            case Opcode.I16x8LeS: IntegerCompare(S16, Cond.LessOrEqual); break;
            case Opcode.I16x8LeU: IntegerCompare(S16, Cond.BelowOrEqual); break;
            case Opcode.I16x8GeS: IntegerCompare(S16, Cond.GreaterOrEqual); break;
            case Opcode.I16x8GeU: IntegerCompare(S16, Cond.AboveOrEqual); break;
            case Opcode.I32x4Eq: IntegerCompare(S32, Cond.Equal); break;
            case Opcode.I32x4Ne: IntegerCompare(S32, Cond.NotEqual); break;
            case Opcode.I32x4LtS: IntegerCompare(S32, Cond.Less); break;
            case Opcode.I32x4LtU: IntegerCompare(S32, Cond.Below); break;
            case Opcode.I32x4GtS: IntegerCompare(S32, Cond.Greater); break;
            case Opcode.I32x4GtU: IntegerCompare(S32, Cond.Above); break;
            case Opcode.I32x4LeS: IntegerCompare(S32, Cond.LessOrEqual); break;
            case Opcode.I32x4LeU: IntegerCompare(S32, Cond.BelowOrEqual); break;
            case Opcode.I32x4GeS: IntegerCompare(S32, Cond.GreaterOrEqual); break;
            case Opcode.I32x4GeU: IntegerCompare(S32, Cond.AboveOrEqual); break;
            case Opcode.I64x2Eq: IntegerCompare(S64, Cond.Equal); break;
            case Opcode.I64x2Ne: IntegerCompare(S64, Cond.NotEqual); break;
            case Opcode.I64x2LtS: IntegerCompare(S64, Cond.Less); break;
            case Opcode.I64x2GtS: IntegerCompare(S64, Cond.Greater); break;
            case Opcode.I64x2LeS: IntegerCompare(S64, Cond.LessOrEqual); break;
            case Opcode.I64x2GeS: IntegerCompare(S64, Cond.GreaterOrEqual); break;
            case Opcode.F32x4Eq: FloatCompare(S32, Cond.Equal); break;
            case Opcode.F32x4Ne: FloatCompare(S32, Cond.NotEqual); break;
            case Opcode.F32x4Lt: FloatCompare(S32, Cond.Less); break;
            case Opcode.F32x4Gt: FloatCompare(S32, Cond.Greater); break;
            case Opcode.F32x4Le: FloatCompare(S32, Cond.LessOrEqual); break;
            case Opcode.F32x4Ge: FloatCompare(S32, Cond.GreaterOrEqual); break;
            case Opcode.F64x2Eq: FloatCompare(S64, Cond.Equal); break;
            case Opcode.F64x2Ne: FloatCompare(S64, Cond.NotEqual); break;
            case Opcode.F64x2Lt: FloatCompare(S64, Cond.Less); break;
            case Opcode.F64x2Gt: FloatCompare(S64, Cond.Greater); break;
            case Opcode.F64x2Le: FloatCompare(S64, Cond.LessOrEqual); break;
            case Opcode.F64x2Ge: FloatCompare(S64, Cond.GreaterOrEqual); break;

            case Opcode.V128Not: VectorInPlace(static (e, a) => e.VectorNot(a)); break;
            case Opcode.V128And: VectorBinary(VecOp.Pand); break;
            case Opcode.V128Andnot: VectorBinarySwapped(VecOp.Pandn); break;
            case Opcode.V128Or: VectorBinary(VecOp.Por); break;
            case Opcode.V128Xor: VectorBinary(VecOp.Pxor); break;
            case Opcode.V128Bitselect: Bitselect(); break;
            case Opcode.V128AnyTrue: AnyTrue(); break;

            case Opcode.F32x4DemoteF64x2Zero: VectorUnary(VecOp.Cvtpd2ps); break;
            case Opcode.F64x2PromoteLowF32x4: VectorUnary(VecOp.Cvtps2pd); break;

            case Opcode.I8x16Abs: VectorUnary(VecOp.Pabsb); break;
            case Opcode.I8x16Neg: VectorInPlace(static (e, a) => e.VectorIntegerNeg(S8, a)); break;
            case Opcode.I8x16Popcnt: I8x16Popcnt(); break;
            case Opcode.I8x16AllTrue: AllTrue(S8); break;
            case Opcode.I8x16Bitmask: Bitmask(S8); break;
            case Opcode.I8x16NarrowI16x8S: VectorBinary(VecOp.Packsswb); break;
            case Opcode.I8x16NarrowI16x8U: VectorBinary(VecOp.Packuswb); break;
            case Opcode.I8x16Shl: Shift(S8, ShiftOp.Shl); break;
            case Opcode.I8x16ShrS: Shift(S8, ShiftOp.Sar); break;
            case Opcode.I8x16ShrU: Shift(S8, ShiftOp.Shr); break;
            case Opcode.I8x16Add: VectorBinary(VecOp.Paddb); break;
            case Opcode.I8x16AddSatS: VectorBinary(VecOp.Paddsb); break;
            case Opcode.I8x16AddSatU: VectorBinary(VecOp.Paddusb); break;
            case Opcode.I8x16Sub: VectorBinary(VecOp.Psubb); break;
            case Opcode.I8x16SubSatS: VectorBinary(VecOp.Psubsb); break;
            case Opcode.I8x16SubSatU: VectorBinary(VecOp.Psubusb); break;
            case Opcode.I8x16MinS: VectorBinary(VecOp.Pminsb); break;
            case Opcode.I8x16MinU: VectorBinary(VecOp.Pminub); break;
            case Opcode.I8x16MaxS: VectorBinary(VecOp.Pmaxsb); break;
            case Opcode.I8x16MaxU: VectorBinary(VecOp.Pmaxub); break;
            case Opcode.I8x16AvgrU: VectorBinary(VecOp.Pavgb); break;

            case Opcode.I16x8ExtaddPairwiseI8x16S: VectorInPlace(static (e, a) => e.VectorExtAddPairwise(S8, Signedness.Signed, a)); break;
            case Opcode.I16x8ExtaddPairwiseI8x16U: VectorInPlace(static (e, a) => e.VectorExtAddPairwise(S8, Signedness.Unsigned, a)); break;
            case Opcode.I32x4ExtaddPairwiseI16x8S: VectorInPlace(static (e, a) => e.VectorExtAddPairwise(S16, Signedness.Signed, a)); break;
            case Opcode.I32x4ExtaddPairwiseI16x8U: VectorInPlace(static (e, a) => e.VectorExtAddPairwise(S16, Signedness.Unsigned, a)); break;
            case Opcode.I16x8Abs: VectorUnary(VecOp.Pabsw); break;
            case Opcode.I16x8Neg: VectorInPlace(static (e, a) => e.VectorIntegerNeg(S16, a)); break;
            case Opcode.I16x8Q15mulrSatS: Q15MulrSat(); break;
            case Opcode.I16x8AllTrue: AllTrue(S16); break;
            case Opcode.I16x8Bitmask: Bitmask(S16); break;
            case Opcode.I16x8NarrowI32x4S: VectorBinary(VecOp.Packssdw); break;
            case Opcode.I16x8NarrowI32x4U: VectorBinary(VecOp.Packusdw); break;
            case Opcode.I16x8ExtendLowI8x16S: VectorInPlace(static (e, a) => e.VectorExtendHalf(S8, Signedness.Signed, VectorHalf.Low, a)); break;
            case Opcode.I16x8ExtendHighI8x16S: VectorInPlace(static (e, a) => e.VectorExtendHalf(S8, Signedness.Signed, VectorHalf.High, a)); break;
            case Opcode.I16x8ExtendLowI8x16U: VectorInPlace(static (e, a) => e.VectorExtendHalf(S8, Signedness.Unsigned, VectorHalf.Low, a)); break;
            case Opcode.I16x8ExtendHighI8x16U: VectorInPlace(static (e, a) => e.VectorExtendHalf(S8, Signedness.Unsigned, VectorHalf.High, a)); break;
            case Opcode.I16x8Shl: Shift(S16, ShiftOp.Shl); break;
            case Opcode.I16x8ShrS: Shift(S16, ShiftOp.Sar); break;
            case Opcode.I16x8ShrU: Shift(S16, ShiftOp.Shr); break;
            case Opcode.I16x8Add: VectorBinary(VecOp.Paddw); break;
            case Opcode.I16x8AddSatS: VectorBinary(VecOp.Paddsw); break;
            case Opcode.I16x8AddSatU: VectorBinary(VecOp.Paddusw); break;
            case Opcode.I16x8Sub: VectorBinary(VecOp.Psubw); break;
            case Opcode.I16x8SubSatS: VectorBinary(VecOp.Psubsw); break;
            case Opcode.I16x8SubSatU: VectorBinary(VecOp.Psubusw); break;
            case Opcode.I16x8Mul: VectorBinary(VecOp.Pmullw); break;
            case Opcode.I16x8MinS: VectorBinary(VecOp.Pminsw); break;
            case Opcode.I16x8MinU: VectorBinary(VecOp.Pminuw); break;
            case Opcode.I16x8MaxS: VectorBinary(VecOp.Pmaxsw); break;
            case Opcode.I16x8MaxU: VectorBinary(VecOp.Pmaxuw); break;
            case Opcode.I16x8AvgrU: VectorBinary(VecOp.Pavgw); break;
            case Opcode.I16x8ExtmulLowI8x16S: VectorPair(static (e, a, b) => e.VectorExtendedMultiply(S8, VectorHalf.Low, Signedness.Signed, a, b)); break;
            case Opcode.I16x8ExtmulHighI8x16S: VectorPair(static (e, a, b) => e.VectorExtendedMultiply(S8, VectorHalf.High, Signedness.Signed, a, b)); break;
            case Opcode.I16x8ExtmulLowI8x16U: VectorPair(static (e, a, b) => e.VectorExtendedMultiply(S8, VectorHalf.Low, Signedness.Unsigned, a, b)); break;
            case Opcode.I16x8ExtmulHighI8x16U: VectorPair(static (e, a, b) => e.VectorExtendedMultiply(S8, VectorHalf.High, Signedness.Unsigned, a, b)); break;

            case Opcode.I32x4Abs: VectorUnary(VecOp.Pabsd); break;
            case Opcode.I32x4Neg: VectorInPlace(static (e, a) => e.VectorIntegerNeg(S32, a)); break;
            case Opcode.I32x4AllTrue: AllTrue(S32); break;
            case Opcode.I32x4Bitmask: Bitmask(S32); break;
            case Opcode.I32x4ExtendLowI16x8S: VectorInPlace(static (e, a) => e.VectorExtendHalf(S16, Signedness.Signed, VectorHalf.Low, a)); break;
            case Opcode.I32x4ExtendHighI16x8S: VectorInPlace(static (e, a) => e.VectorExtendHalf(S16, Signedness.Signed, VectorHalf.High, a)); break;
            case Opcode.I32x4ExtendLowI16x8U: VectorInPlace(static (e, a) => e.VectorExtendHalf(S16, Signedness.Unsigned, VectorHalf.Low, a)); break;
            case Opcode.I32x4ExtendHighI16x8U: VectorInPlace(static (e, a) => e.VectorExtendHalf(S16, Signedness.Unsigned, VectorHalf.High, a)); break;
            case Opcode.I32x4Shl: Shift(S32, ShiftOp.Shl); break;
            case Opcode.I32x4ShrS: Shift(S32, ShiftOp.Sar); break;
            case Opcode.I32x4ShrU: Shift(S32, ShiftOp.Shr); break;
            case Opcode.I32x4Add: VectorBinary(VecOp.Paddd); break;
            case Opcode.I32x4Sub: VectorBinary(VecOp.Psubd); break;
            case Opcode.I32x4Mul: VectorBinary(VecOp.Pmulld); break;
            case Opcode.I32x4MinS: VectorBinary(VecOp.Pminsd); break;
            case Opcode.I32x4MinU: VectorBinary(VecOp.Pminud); break;
            case Opcode.I32x4MaxS: VectorBinary(VecOp.Pmaxsd); break;
            case Opcode.I32x4MaxU: VectorBinary(VecOp.Pmaxud); break;
            case Opcode.I32x4DotI16x8S: VectorBinary(VecOp.Pmaddwd); break;
            case Opcode.I32x4ExtmulLowI16x8S: VectorPair(static (e, a, b) => e.VectorExtendedMultiply(S16, VectorHalf.Low, Signedness.Signed, a, b)); break;
            case Opcode.I32x4ExtmulHighI16x8S: VectorPair(static (e, a, b) => e.VectorExtendedMultiply(S16, VectorHalf.High, Signedness.Signed, a, b)); break;
            case Opcode.I32x4ExtmulLowI16x8U: VectorPair(static (e, a, b) => e.VectorExtendedMultiply(S16, VectorHalf.Low, Signedness.Unsigned, a, b)); break;
            case Opcode.I32x4ExtmulHighI16x8U: VectorPair(static (e, a, b) => e.VectorExtendedMultiply(S16, VectorHalf.High, Signedness.Unsigned, a, b)); break;

            case Opcode.I64x2Abs: VectorInPlace(static (e, a) => e.I64x2Abs(a)); break;
            case Opcode.I64x2Neg: VectorInPlace(static (e, a) => e.VectorIntegerNeg(S64, a)); break;
            case Opcode.I64x2AllTrue: AllTrue(S64); break;
            case Opcode.I64x2Bitmask: Bitmask(S64); break;
            case Opcode.I64x2ExtendLowI32x4S: VectorInPlace(static (e, a) => e.VectorExtendHalf(S32, Signedness.Signed, VectorHalf.Low, a)); break;
            case Opcode.I64x2ExtendHighI32x4S: VectorInPlace(static (e, a) => e.VectorExtendHalf(S32, Signedness.Signed, VectorHalf.High, a)); break;
            case Opcode.I64x2ExtendLowI32x4U: VectorInPlace(static (e, a) => e.VectorExtendHalf(S32, Signedness.Unsigned, VectorHalf.Low, a)); break;
            case Opcode.I64x2ExtendHighI32x4U: VectorInPlace(static (e, a) => e.VectorExtendHalf(S32, Signedness.Unsigned, VectorHalf.High, a)); break;
            case Opcode.I64x2Shl: Shift(S64, ShiftOp.Shl); break;
            case Opcode.I64x2ShrS: Shift(S64, ShiftOp.Sar); break;
            case Opcode.I64x2ShrU: Shift(S64, ShiftOp.Shr); break;
            case Opcode.I64x2Add: VectorBinary(VecOp.Paddq); break;
            case Opcode.I64x2Sub: VectorBinary(VecOp.Psubq); break;
            case Opcode.I64x2Mul: I64x2Mul(); break;
            case Opcode.I64x2ExtmulLowI32x4S: VectorPair(static (e, a, b) => e.VectorExtendedMultiply(S32, VectorHalf.Low, Signedness.Signed, a, b)); break;
            case Opcode.I64x2ExtmulHighI32x4S: VectorPair(static (e, a, b) => e.VectorExtendedMultiply(S32, VectorHalf.High, Signedness.Signed, a, b)); break;
            case Opcode.I64x2ExtmulLowI32x4U: VectorPair(static (e, a, b) => e.VectorExtendedMultiply(S32, VectorHalf.Low, Signedness.Unsigned, a, b)); break;
            case Opcode.I64x2ExtmulHighI32x4U: VectorPair(static (e, a, b) => e.VectorExtendedMultiply(S32, VectorHalf.High, Signedness.Unsigned, a, b)); break;

            case Opcode.F32x4Ceil: VectorInPlace(static (e, a) => e.VectorFloatRound(S32, RoundingMode.Up, a)); break;
            case Opcode.F32x4Floor: VectorInPlace(static (e, a) => e.VectorFloatRound(S32, RoundingMode.Down, a)); break;
            case Opcode.F32x4Trunc: VectorInPlace(static (e, a) => e.VectorFloatRound(S32, RoundingMode.Zero, a)); break;
            case Opcode.F32x4Nearest: VectorInPlace(static (e, a) => e.VectorFloatRound(S32, RoundingMode.Nearest, a)); break;
            case Opcode.F64x2Ceil: VectorInPlace(static (e, a) => e.VectorFloatRound(S64, RoundingMode.Up, a)); break;
            case Opcode.F64x2Floor: VectorInPlace(static (e, a) => e.VectorFloatRound(S64, RoundingMode.Down, a)); break;
            case Opcode.F64x2Trunc: VectorInPlace(static (e, a) => e.VectorFloatRound(S64, RoundingMode.Zero, a)); break;
            case Opcode.F64x2Nearest: VectorInPlace(static (e, a) => e.VectorFloatRound(S64, RoundingMode.Nearest, a)); break;
            case Opcode.F32x4Abs: VectorInPlace(static (e, a) => e.VectorFloatAbs(S32, a)); break;
            case Opcode.F32x4Neg: VectorInPlace(static (e, a) => e.VectorFloatNeg(S32, a)); break;
            case Opcode.F32x4Sqrt: VectorUnary(VecOp.Sqrtps); break;
            case Opcode.F32x4Add: VectorBinary(VecOp.Addps); break;
            case Opcode.F32x4Sub: VectorBinary(VecOp.Subps); break;
            case Opcode.F32x4Mul: VectorBinary(VecOp.Mulps); break;
            case Opcode.F32x4Div: VectorBinary(VecOp.Divps); break;
            case Opcode.F32x4Min: VectorFloatMinMax(S32, MinMax.Min); break;
            case Opcode.F32x4Max: VectorFloatMinMax(S32, MinMax.Max); break;
            // pmin(a, b) = b < a ? b : a, exactly minps(b, a); pmax likewise.
            case Opcode.F32x4Pmin: VectorBinarySwapped(VecOp.Minps); break;
            case Opcode.F32x4Pmax: VectorBinarySwapped(VecOp.Maxps); break;
            case Opcode.F64x2Abs: VectorInPlace(static (e, a) => e.VectorFloatAbs(S64, a)); break;
            case Opcode.F64x2Neg: VectorInPlace(static (e, a) => e.VectorFloatNeg(S64, a)); break;
            case Opcode.F64x2Sqrt: VectorUnary(VecOp.Sqrtpd); break;
            case Opcode.F64x2Add: VectorBinary(VecOp.Addpd); break;
            case Opcode.F64x2Sub: VectorBinary(VecOp.Subpd); break;
            case Opcode.F64x2Mul: VectorBinary(VecOp.Mulpd); break;
            case Opcode.F64x2Div: VectorBinary(VecOp.Divpd); break;
            case Opcode.F64x2Min: VectorFloatMinMax(S64, MinMax.Min); break;
            case Opcode.F64x2Max: VectorFloatMinMax(S64, MinMax.Max); break;
            case Opcode.F64x2Pmin: VectorBinarySwapped(VecOp.Minpd); break;
            case Opcode.F64x2Pmax: VectorBinarySwapped(VecOp.Maxpd); break;

            case Opcode.I32x4TruncSatF32x4S: VectorInPlace(static (e, a) => e.I32x4TruncSatF32x4S(a)); break;
            case Opcode.I32x4TruncSatF32x4U: VectorInPlaceWithTemp(static (e, a, t) => e.I32x4TruncSatF32x4U(a, t)); break;
            case Opcode.F32x4ConvertI32x4S: VectorUnary(VecOp.Cvtdq2ps); break;
            case Opcode.F32x4ConvertI32x4U: VectorInPlace(static (e, a) => e.F32x4ConvertI32x4U(a)); break;
            case Opcode.I32x4TruncSatF64x2SZero: VectorInPlaceWithTemp(static (e, a, t) => e.I32x4TruncSatF64x2Zero(Signedness.Signed, a, t)); break;
            case Opcode.I32x4TruncSatF64x2UZero: VectorInPlaceWithTemp(static (e, a, t) => e.I32x4TruncSatF64x2Zero(Signedness.Unsigned, a, t)); break;
            case Opcode.F64x2ConvertLowI32x4S: VectorUnary(VecOp.Cvtdq2pd); break;
            case Opcode.F64x2ConvertLowI32x4U: VectorInPlace(static (e, a) => e.F64x2ConvertLowI32x4U(a)); break;
            default:
                return false;
        }
        return true;
    }
}
