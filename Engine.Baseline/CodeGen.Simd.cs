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
    public void VectorBinary(VecOp op)
    {
        Operand b = PopVector();
        Reg a = PopToRegister();
        _emitter.VectorBinary(op, a, b);
        Free(b);
        PushRegister(V128, a);
    }

    /// <summary>a = b op a (for the operators whose x86 form takes the operands the other way round).</summary>
    public void VectorBinarySwapped(VecOp op)
    {
        Operand b = PopVector();
        Reg a = PopToRegister();
        Masm.V(op, a, InRegister(b), a);
        Free(b);
        PushRegister(V128, a);
    }

    public void VectorUnary(VecOp op)
    {
        Reg a = PopToRegister();
        Masm.V(op, a, a);
        PushRegister(V128, a);
    }

    /// <summary>a = f(a) for a sequence of the shared layer.</summary>
    public void VectorInPlace(Action<FunctionEmitter, Reg> sequence)
    {
        Reg a = PopToRegister();
        sequence(_emitter, a);
        PushRegister(V128, a);
    }

    /// <summary>a = f(a) for a sequence of the shared layer that needs a temporary xmm register.</summary>
    public void VectorInPlaceWithTemp(Action<FunctionEmitter, Reg, Reg> sequence)
    {
        Reg a = PopToRegister();
        Reg t = Allocate(true);
        sequence(_emitter, a, t);
        Free(t);
        PushRegister(V128, a);
    }

    /// <summary>a = f(a, b) for a sequence of the shared layer, both in registers.</summary>
    public void VectorPair(Action<FunctionEmitter, Reg, Reg> sequence)
    {
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        sequence(_emitter, a, b);
        Free(b);
        PushRegister(V128, a);
    }

    // ---- comparisons ----

    public void VectorIntegerCompare(OperandSize lane, Cond relation)
    {
        Operand bOperand = PopVector();
        Reg a = PopToRegister();
        _emitter.VectorIntegerCompare(lane, relation, a, InRegister(bOperand));
        Free(bOperand);
        PushRegister(V128, a);
    }

    public void VectorFloatCompare(OperandSize lane, Cond relation)
    {
        Operand bOperand = PopVector();
        Reg a = PopToRegister();
        _emitter.VectorFloatCompare(lane, relation, a, InRegister(bOperand));
        Free(bOperand);
        PushRegister(V128, a);
    }

    // ---- arithmetic ----

    public void VectorFloatMinMax(OperandSize lane, MinMax kind)
    {
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        Reg canonical = Allocate(true);
        _emitter.VectorFloatMinMax(lane, kind, a, b, canonical);
        Free(canonical);
        Free(b);
        PushRegister(V128, a);
    }

    public void I64x2Mul()
    {
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        Reg t = Allocate(true);
        _emitter.I64x2Mul(a, b, t);
        Free(t);
        Free(b);
        PushRegister(V128, a);
    }

    public void Q15MulrSat()
    {
        Operand b = PopVector();
        Reg a = PopToRegister();
        _emitter.I16x8Q15MulrSat(a, b);
        Free(b);
        PushRegister(V128, a);
    }

    public void I8x16Popcnt()
    {
        Reg a = PopToRegister();
        Reg lut = Allocate(true);
        Reg high = Allocate(true);
        _emitter.I8x16Popcnt(a, lut, high);
        Free(lut);
        Free(high);
        PushRegister(V128, a);
    }

    public void VectorBitmask(OperandSize lane)
    {
        Reg a = PopToRegister();
        Reg r = Allocate(false);
        _emitter.VectorBitmask(lane, r, a);
        Free(a);
        PushRegister(ValType.I32, r);
    }

    public void VectorAnyTrue()
    {
        Reg a = PopToRegister();
        Cond cond = _emitter.VectorAnyTrue(a);
        Free(a);
        PushFlags(cond);
    }

    public void VectorAllTrue(OperandSize lane)
    {
        Reg a = PopToRegister();
        Cond cond = _emitter.VectorAllTrue(lane, a);
        Free(a);
        PushFlags(cond);
    }

    /// <summary>a = f(a, b, c) for a three-operand sequence of the shared layer that clobbers only a.</summary>
    public void VectorTriple(Action<FunctionEmitter, Reg, Reg, Reg> sequence)
    {
        Reg c = PopToRegister();
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        sequence(_emitter, a, b, c);
        Free(c);
        Free(b);
        PushRegister(V128, a);
    }

    public void VectorBitselect()
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

    /// <summary>A lane shift: the count (wasm takes it modulo the lane width) is a constant, or masked in its register before the vector operand is popped.</summary>
    public void VectorShift(OperandSize lane, ShiftOp op)
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
        bool needsTemp = FunctionEmitter.VectorShiftNeedsTemp(lane, op);
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
        Mem at = HeapAccess(address, memArg, FunctionEmitter.VectorLoadSize(opcode));
        Reg r = Allocate(true);
        _emitter.VectorLoad(opcode, r, at);
        Free(address);
        PushRegister(V128, r);
    }

    public void VectorStore(MemArg memArg)
    {
        Reg v = PopToRegister();
        Operand address = PopOperand(allowMemory: false);
        Masm.StoreV(HeapAccess(address, memArg, 16), v);
        Free(address);
        Free(v);
    }

    public void LoadLane(Opcode opcode, MemArg memArg, byte lane)
    {
        OperandSize size = FunctionEmitter.LaneAccessSize(opcode);
        Reg v = PopToRegister();
        Operand address = PopOperand(allowMemory: false);
        Masm.Insert(size, v, v, HeapAccess(address, memArg, size.Bytes()), lane);
        Free(address);
        PushRegister(V128, v);
    }

    public void StoreLane(Opcode opcode, MemArg memArg, byte lane)
    {
        OperandSize size = FunctionEmitter.LaneAccessSize(opcode);
        Reg v = PopToRegister();
        Operand address = PopOperand(allowMemory: false);
        Masm.Extract(size, HeapAccess(address, memArg, size.Bytes()), v, lane);
        Free(address);
        Free(v);
    }
}
