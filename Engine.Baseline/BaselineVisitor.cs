using System.Runtime.Intrinsics;
using Engine.Core;

namespace Engine.Baseline;

/// <summary>
/// One short method per wasm operator, over the <see cref="CodeGen"/> context. Code after an unconditional
/// branch is skipped (only the block structure is followed). A compare's result may stay in the flags
/// for the very next operator; every operator except those that consume it (<c>br_if</c>, <c>if</c>,
/// <c>select</c>) first turns it into a register.
/// </summary>
internal struct BaselineVisitor : IOperatorVisitor
{
    private readonly CodeGen _cg;

    public BaselineVisitor(CodeGen cg) => _cg = cg;

    /// <summary>True when the operator is in unreachable code; otherwise prepares for an ordinary operator.</summary>
    private readonly bool Skip()
    {
        if (_cg.Unreachable)
        {
            return true;
        }
        _cg.MaterializeFlags();
        _cg.MarkOffset(_cg.WasmOffset);
        return false;
    }

    /// <summary>Like <see cref="Skip"/> for the operators that consume a pending compare themselves.</summary>
    private readonly bool SkipKeepingFlags()
    {
        if (_cg.Unreachable)
        {
            return true;
        }
        _cg.MarkOffset(_cg.WasmOffset);
        return false;
    }

    // ---- control ----

    public readonly void VisitUnreachable()
    {
        if (Skip())
        {
            return;
        }
        _cg.Trap(TrapCode.Unreachable);
        _cg.SetUnreachable();
    }

    public readonly void VisitNop() { }

    public readonly void VisitBlock(BlockType blockType)
    {
        Skip();
        _cg.Block(blockType);
    }

    public readonly void VisitLoop(BlockType blockType)
    {
        int offset = _cg.WasmOffset;
        Skip();
        _cg.Loop(blockType, offset);
    }

    public readonly void VisitIf(BlockType blockType)
    {
        SkipKeepingFlags();
        _cg.If(blockType);
    }

    public readonly void VisitElse()
    {
        Skip();
        _cg.Else();
    }

    public readonly void VisitEnd()
    {
        Skip();
        _cg.End();
    }

    public readonly void VisitBr(uint relativeDepth)
    {
        if (!Skip())
        {
            _cg.Br(relativeDepth);
        }
    }

    public readonly void VisitBrIf(uint relativeDepth)
    {
        if (!SkipKeepingFlags())
        {
            _cg.BrIf(relativeDepth);
        }
    }

    public readonly void VisitBrTable(BrTable table)
    {
        if (!Skip())
        {
            _cg.BrTable(table);
        }
    }

    public readonly void VisitReturn()
    {
        if (!Skip())
        {
            _cg.Return();
        }
    }

    public readonly void VisitCall(uint functionIndex)
    {
        if (!Skip())
        {
            _cg.Call(functionIndex);
        }
    }

    public readonly void VisitCallIndirect(uint typeIndex, uint tableIndex)
    {
        if (!Skip())
        {
            _cg.CallIndirect(typeIndex, tableIndex);
        }
    }

    // ---- parametric ----

    public readonly void VisitDrop()
    {
        if (!Skip())
        {
            _cg.Drop();
        }
    }

    public readonly void VisitSelect()
    {
        if (!SkipKeepingFlags())
        {
            _cg.Select();
        }
    }

    public readonly void VisitSelectTyped(ValType type, uint typeCount)
    {
        if (SkipKeepingFlags())
        {
            return;
        }
        _cg.Select();
    }

    // ---- variables ----

    public readonly void VisitLocalGet(uint localIndex)
    {
        if (!Skip())
        {
            _cg.PushLocal(localIndex);
        }
    }

    public readonly void VisitLocalSet(uint localIndex)
    {
        if (!Skip())
        {
            _cg.LocalSet(localIndex, tee: false);
        }
    }

    public readonly void VisitLocalTee(uint localIndex)
    {
        if (!Skip())
        {
            _cg.LocalSet(localIndex, tee: true);
        }
    }

    public readonly void VisitGlobalGet(uint globalIndex)
    {
        if (!Skip())
        {
            _cg.GlobalGet(globalIndex);
        }
    }

    public readonly void VisitGlobalSet(uint globalIndex)
    {
        if (!Skip())
        {
            _cg.GlobalSet(globalIndex);
        }
    }

    public readonly void VisitTableGet(uint tableIndex)
    {
        if (!Skip())
        {
            _cg.TableGet(tableIndex);
        }
    }

    public readonly void VisitTableSet(uint tableIndex)
    {
        if (!Skip())
        {
            _cg.TableSet(tableIndex);
        }
    }

    // ---- memory ----

    public readonly void VisitLoad(Opcode opcode, MemArg memArg)
    {
        if (!Skip())
        {
            _cg.Load(opcode, memArg);
        }
    }

    public readonly void VisitStore(Opcode opcode, MemArg memArg)
    {
        if (!Skip())
        {
            _cg.Store(opcode, memArg);
        }
    }

    public readonly void VisitMemorySize()
    {
        if (!Skip())
        {
            _cg.MemorySize();
        }
    }

    public readonly void VisitMemoryGrow()
    {
        if (!Skip())
        {
            _cg.CallBuiltin(BuiltinId.MemoryGrow, 1, returnsStatus: false);
        }
    }

    public readonly void VisitMemoryInit(uint dataIndex)
    {
        if (!Skip())
        {
            _cg.CallBuiltin(BuiltinId.MemoryInit, 3, returnsStatus: true, dataIndex);
        }
    }

    public readonly void VisitDataDrop(uint dataIndex)
    {
        if (!Skip())
        {
            _cg.CallBuiltin(BuiltinId.DataDrop, 0, returnsStatus: true, dataIndex);
        }
    }

    public readonly void VisitMemoryCopy()
    {
        if (!Skip())
        {
            _cg.CallBuiltin(BuiltinId.MemoryCopy, 3, returnsStatus: true);
        }
    }

    public readonly void VisitMemoryFill()
    {
        if (!Skip())
        {
            _cg.CallBuiltin(BuiltinId.MemoryFill, 3, returnsStatus: true);
        }
    }

    // ---- constants ----

    public readonly void VisitI32Const(int value)
    {
        if (!Skip())
        {
            _cg.PushConst(ValType.I32, value);
        }
    }

    public readonly void VisitI64Const(long value)
    {
        if (!Skip())
        {
            _cg.PushConst(ValType.I64, value);
        }
    }

    public readonly void VisitF32Const(uint bits)
    {
        if (!Skip())
        {
            _cg.PushConst(ValType.F32, bits);
        }
    }

    public readonly void VisitF64Const(ulong bits)
    {
        if (!Skip())
        {
            _cg.PushConst(ValType.F64, (long)bits);
        }
    }

    // ---- references ----

    public readonly void VisitRefNull(ValType type)
    {
        if (!Skip())
        {
            _cg.PushConst(type, 0);
        }
    }

    public readonly void VisitRefIsNull()
    {
        if (!Skip())
        {
            _cg.RefIsNull();
        }
    }

    public readonly void VisitRefFunc(uint functionIndex)
    {
        if (!Skip())
        {
            _cg.RefFunc(functionIndex);
        }
    }

    // ---- tables ----

    public readonly void VisitTableInit(uint elemIndex, uint tableIndex)
    {
        if (!Skip())
        {
            _cg.CallBuiltin(BuiltinId.TableInit, 3, returnsStatus: true, elemIndex, tableIndex);
        }
    }

    public readonly void VisitElemDrop(uint elemIndex)
    {
        if (!Skip())
        {
            _cg.CallBuiltin(BuiltinId.ElemDrop, 0, returnsStatus: true, elemIndex);
        }
    }

    public readonly void VisitTableCopy(uint destinationTable, uint sourceTable)
    {
        if (!Skip())
        {
            _cg.CallBuiltin(BuiltinId.TableCopy, 3, returnsStatus: true, destinationTable, sourceTable);
        }
    }

    public readonly void VisitTableGrow(uint tableIndex)
    {
        if (!Skip())
        {
            _cg.CallBuiltin(BuiltinId.TableGrow, 2, returnsStatus: false, tableIndex);
        }
    }

    public readonly void VisitTableSize(uint tableIndex)
    {
        if (!Skip())
        {
            _cg.TableSize(tableIndex);
        }
    }

    public readonly void VisitTableFill(uint tableIndex)
    {
        if (!Skip())
        {
            _cg.CallBuiltin(BuiltinId.TableFill, 3, returnsStatus: true, tableIndex);
        }
    }

    // ---- SIMD (CodeGen.Simd.cs) ----

    public readonly void VisitV128Const(Vector128<byte> value)
    {
        if (!Skip())
        {
            _cg.V128Const(value);
        }
    }

    public readonly void VisitI8x16Shuffle(Vector128<byte> lanes)
    {
        if (!Skip())
        {
            _cg.Shuffle(lanes);
        }
    }

    public readonly void VisitExtractLane(Opcode opcode, byte lane)
    {
        if (!Skip())
        {
            _cg.ExtractLane(opcode, lane);
        }
    }

    public readonly void VisitReplaceLane(Opcode opcode, byte lane)
    {
        if (!Skip())
        {
            _cg.ReplaceLane(opcode, lane);
        }
    }

    public readonly void VisitLoadLane(Opcode opcode, MemArg memArg, byte lane)
    {
        if (!Skip())
        {
            _cg.LoadLane(opcode, memArg, lane);
        }
    }

    public readonly void VisitStoreLane(Opcode opcode, MemArg memArg, byte lane)
    {
        if (!Skip())
        {
            _cg.StoreLane(opcode, memArg, lane);
        }
    }

    // ---- operators with a fixed signature ----

    public readonly void VisitPlain(Opcode opcode)
    {
        if (Skip())
        {
            return;
        }
        CodeGen cg = _cg;
        switch (opcode)
        {
            case Opcode.I32Eqz: cg.IntEqz(S32); break;
            case Opcode.I32Eq: cg.IntCompare(Cond.Equal, S32); break;
            case Opcode.I32Ne: cg.IntCompare(Cond.NotEqual, S32); break;
            case Opcode.I32LtS: cg.IntCompare(Cond.Less, S32); break;
            case Opcode.I32LtU: cg.IntCompare(Cond.Below, S32); break;
            case Opcode.I32GtS: cg.IntCompare(Cond.Greater, S32); break;
            case Opcode.I32GtU: cg.IntCompare(Cond.Above, S32); break;
            case Opcode.I32LeS: cg.IntCompare(Cond.LessOrEqual, S32); break;
            case Opcode.I32LeU: cg.IntCompare(Cond.BelowOrEqual, S32); break;
            case Opcode.I32GeS: cg.IntCompare(Cond.GreaterOrEqual, S32); break;
            case Opcode.I32GeU: cg.IntCompare(Cond.AboveOrEqual, S32); break;
            case Opcode.I64Eqz: cg.IntEqz(S64); break;
            case Opcode.I64Eq: cg.IntCompare(Cond.Equal, S64); break;
            case Opcode.I64Ne: cg.IntCompare(Cond.NotEqual, S64); break;
            case Opcode.I64LtS: cg.IntCompare(Cond.Less, S64); break;
            case Opcode.I64LtU: cg.IntCompare(Cond.Below, S64); break;
            case Opcode.I64GtS: cg.IntCompare(Cond.Greater, S64); break;
            case Opcode.I64GtU: cg.IntCompare(Cond.Above, S64); break;
            case Opcode.I64LeS: cg.IntCompare(Cond.LessOrEqual, S64); break;
            case Opcode.I64LeU: cg.IntCompare(Cond.BelowOrEqual, S64); break;
            case Opcode.I64GeS: cg.IntCompare(Cond.GreaterOrEqual, S64); break;
            case Opcode.I64GeU: cg.IntCompare(Cond.AboveOrEqual, S64); break;
            case Opcode.F32Eq: cg.FloatCompare(Cond.Equal, S32); break;
            case Opcode.F32Ne: cg.FloatCompare(Cond.NotEqual, S32); break;
            case Opcode.F32Lt: cg.FloatCompare(Cond.Less, S32); break;
            case Opcode.F32Gt: cg.FloatCompare(Cond.Greater, S32); break;
            case Opcode.F32Le: cg.FloatCompare(Cond.LessOrEqual, S32); break;
            case Opcode.F32Ge: cg.FloatCompare(Cond.GreaterOrEqual, S32); break;
            case Opcode.F64Eq: cg.FloatCompare(Cond.Equal, S64); break;
            case Opcode.F64Ne: cg.FloatCompare(Cond.NotEqual, S64); break;
            case Opcode.F64Lt: cg.FloatCompare(Cond.Less, S64); break;
            case Opcode.F64Gt: cg.FloatCompare(Cond.Greater, S64); break;
            case Opcode.F64Le: cg.FloatCompare(Cond.LessOrEqual, S64); break;
            case Opcode.F64Ge: cg.FloatCompare(Cond.GreaterOrEqual, S64); break;

            case Opcode.I32Clz: cg.Clz(S32); break;
            case Opcode.I32Ctz: cg.Ctz(S32); break;
            case Opcode.I32Popcnt: cg.Popcnt(S32); break;
            case Opcode.I32Add: cg.IntBinary(AluOp.Add, S32); break;
            case Opcode.I32Sub: cg.IntBinary(AluOp.Sub, S32); break;
            case Opcode.I32Mul: cg.IntMul(S32); break;
            case Opcode.I32DivS: cg.DivRem(Signedness.Signed, DivRem.Quotient, S32); break;
            case Opcode.I32DivU: cg.DivRem(Signedness.Unsigned, DivRem.Quotient, S32); break;
            case Opcode.I32RemS: cg.DivRem(Signedness.Signed, DivRem.Remainder, S32); break;
            case Opcode.I32RemU: cg.DivRem(Signedness.Unsigned, DivRem.Remainder, S32); break;
            case Opcode.I32And: cg.IntBinary(AluOp.And, S32); break;
            case Opcode.I32Or: cg.IntBinary(AluOp.Or, S32); break;
            case Opcode.I32Xor: cg.IntBinary(AluOp.Xor, S32); break;
            case Opcode.I32Shl: cg.Shift(ShiftOp.Shl, S32); break;
            case Opcode.I32ShrS: cg.Shift(ShiftOp.Sar, S32); break;
            case Opcode.I32ShrU: cg.Shift(ShiftOp.Shr, S32); break;
            case Opcode.I32Rotl: cg.Shift(ShiftOp.Rol, S32); break;
            case Opcode.I32Rotr: cg.Shift(ShiftOp.Ror, S32); break;

            case Opcode.I64Clz: cg.Clz(S64); break;
            case Opcode.I64Ctz: cg.Ctz(S64); break;
            case Opcode.I64Popcnt: cg.Popcnt(S64); break;
            case Opcode.I64Add: cg.IntBinary(AluOp.Add, S64); break;
            case Opcode.I64Sub: cg.IntBinary(AluOp.Sub, S64); break;
            case Opcode.I64Mul: cg.IntMul(S64); break;
            case Opcode.I64DivS: cg.DivRem(Signedness.Signed, DivRem.Quotient, S64); break;
            case Opcode.I64DivU: cg.DivRem(Signedness.Unsigned, DivRem.Quotient, S64); break;
            case Opcode.I64RemS: cg.DivRem(Signedness.Signed, DivRem.Remainder, S64); break;
            case Opcode.I64RemU: cg.DivRem(Signedness.Unsigned, DivRem.Remainder, S64); break;
            case Opcode.I64And: cg.IntBinary(AluOp.And, S64); break;
            case Opcode.I64Or: cg.IntBinary(AluOp.Or, S64); break;
            case Opcode.I64Xor: cg.IntBinary(AluOp.Xor, S64); break;
            case Opcode.I64Shl: cg.Shift(ShiftOp.Shl, S64); break;
            case Opcode.I64ShrS: cg.Shift(ShiftOp.Sar, S64); break;
            case Opcode.I64ShrU: cg.Shift(ShiftOp.Shr, S64); break;
            case Opcode.I64Rotl: cg.Shift(ShiftOp.Rol, S64); break;
            case Opcode.I64Rotr: cg.Shift(ShiftOp.Ror, S64); break;

            case Opcode.F32Abs: cg.FloatAbs(S32); break;
            case Opcode.F32Neg: cg.FloatNeg(S32); break;
            case Opcode.F32Ceil: cg.FloatRound(RoundingMode.Up, S32); break;
            case Opcode.F32Floor: cg.FloatRound(RoundingMode.Down, S32); break;
            case Opcode.F32Trunc: cg.FloatRound(RoundingMode.Zero, S32); break;
            case Opcode.F32Nearest: cg.FloatRound(RoundingMode.Nearest, S32); break;
            case Opcode.F32Sqrt: cg.FloatUnary(SseOp.Sqrt, S32); break;
            case Opcode.F32Add: cg.FloatBinary(SseOp.Add, S32); break;
            case Opcode.F32Sub: cg.FloatBinary(SseOp.Sub, S32); break;
            case Opcode.F32Mul: cg.FloatBinary(SseOp.Mul, S32); break;
            case Opcode.F32Div: cg.FloatBinary(SseOp.Div, S32); break;
            case Opcode.F32Min: cg.FloatMinMax(MinMax.Min, S32); break;
            case Opcode.F32Max: cg.FloatMinMax(MinMax.Max, S32); break;
            case Opcode.F32Copysign: cg.FloatCopysign(S32); break;

            case Opcode.F64Abs: cg.FloatAbs(S64); break;
            case Opcode.F64Neg: cg.FloatNeg(S64); break;
            case Opcode.F64Ceil: cg.FloatRound(RoundingMode.Up, S64); break;
            case Opcode.F64Floor: cg.FloatRound(RoundingMode.Down, S64); break;
            case Opcode.F64Trunc: cg.FloatRound(RoundingMode.Zero, S64); break;
            case Opcode.F64Nearest: cg.FloatRound(RoundingMode.Nearest, S64); break;
            case Opcode.F64Sqrt: cg.FloatUnary(SseOp.Sqrt, S64); break;
            case Opcode.F64Add: cg.FloatBinary(SseOp.Add, S64); break;
            case Opcode.F64Sub: cg.FloatBinary(SseOp.Sub, S64); break;
            case Opcode.F64Mul: cg.FloatBinary(SseOp.Mul, S64); break;
            case Opcode.F64Div: cg.FloatBinary(SseOp.Div, S64); break;
            case Opcode.F64Min: cg.FloatMinMax(MinMax.Min, S64); break;
            case Opcode.F64Max: cg.FloatMinMax(MinMax.Max, S64); break;
            case Opcode.F64Copysign: cg.FloatCopysign(S64); break;

            case Opcode.I32WrapI64: cg.I32WrapI64(); break;
            case Opcode.I32TruncF32S: cg.Truncate(S32, S32, Signedness.Signed, TruncKind.Checked); break;
            case Opcode.I32TruncF32U: cg.Truncate(S32, S32, Signedness.Unsigned, TruncKind.Checked); break;
            case Opcode.I32TruncF64S: cg.Truncate(S64, S32, Signedness.Signed, TruncKind.Checked); break;
            case Opcode.I32TruncF64U: cg.Truncate(S64, S32, Signedness.Unsigned, TruncKind.Checked); break;
            case Opcode.I64ExtendI32S: cg.SignExtend(S32, S64); break;
            case Opcode.I64ExtendI32U: cg.I64ExtendI32U(); break;
            case Opcode.I64TruncF32S: cg.Truncate(S32, S64, Signedness.Signed, TruncKind.Checked); break;
            case Opcode.I64TruncF32U: cg.Truncate(S32, S64, Signedness.Unsigned, TruncKind.Checked); break;
            case Opcode.I64TruncF64S: cg.Truncate(S64, S64, Signedness.Signed, TruncKind.Checked); break;
            case Opcode.I64TruncF64U: cg.Truncate(S64, S64, Signedness.Unsigned, TruncKind.Checked); break;
            case Opcode.F32ConvertI32S: cg.ConvertIntToFloat(S32, S32, Signedness.Signed); break;
            case Opcode.F32ConvertI32U: cg.ConvertIntToFloat(S32, S32, Signedness.Unsigned); break;
            case Opcode.F32ConvertI64S: cg.ConvertIntToFloat(S32, S64, Signedness.Signed); break;
            case Opcode.F32ConvertI64U: cg.ConvertIntToFloat(S32, S64, Signedness.Unsigned); break;
            case Opcode.F32DemoteF64: cg.PromoteDemote(S32); break;
            case Opcode.F64ConvertI32S: cg.ConvertIntToFloat(S64, S32, Signedness.Signed); break;
            case Opcode.F64ConvertI32U: cg.ConvertIntToFloat(S64, S32, Signedness.Unsigned); break;
            case Opcode.F64ConvertI64S: cg.ConvertIntToFloat(S64, S64, Signedness.Signed); break;
            case Opcode.F64ConvertI64U: cg.ConvertIntToFloat(S64, S64, Signedness.Unsigned); break;
            case Opcode.F64PromoteF32: cg.PromoteDemote(S64); break;
            case Opcode.I32ReinterpretF32: cg.Reinterpret(ValType.I32); break;
            case Opcode.I64ReinterpretF64: cg.Reinterpret(ValType.I64); break;
            case Opcode.F32ReinterpretI32: cg.Reinterpret(ValType.F32); break;
            case Opcode.F64ReinterpretI64: cg.Reinterpret(ValType.F64); break;
            case Opcode.I32Extend8S: cg.SignExtend(S8, S32); break;
            case Opcode.I32Extend16S: cg.SignExtend(S16, S32); break;
            case Opcode.I64Extend8S: cg.SignExtend(S8, S64); break;
            case Opcode.I64Extend16S: cg.SignExtend(S16, S64); break;
            case Opcode.I64Extend32S: cg.SignExtend(S32, S64); break;

            case Opcode.I32TruncSatF32S: cg.Truncate(S32, S32, Signedness.Signed, TruncKind.Saturating); break;
            case Opcode.I32TruncSatF32U: cg.Truncate(S32, S32, Signedness.Unsigned, TruncKind.Saturating); break;
            case Opcode.I32TruncSatF64S: cg.Truncate(S64, S32, Signedness.Signed, TruncKind.Saturating); break;
            case Opcode.I32TruncSatF64U: cg.Truncate(S64, S32, Signedness.Unsigned, TruncKind.Saturating); break;
            case Opcode.I64TruncSatF32S: cg.Truncate(S32, S64, Signedness.Signed, TruncKind.Saturating); break;
            case Opcode.I64TruncSatF32U: cg.Truncate(S32, S64, Signedness.Unsigned, TruncKind.Saturating); break;
            case Opcode.I64TruncSatF64S: cg.Truncate(S64, S64, Signedness.Signed, TruncKind.Saturating); break;
            case Opcode.I64TruncSatF64U: cg.Truncate(S64, S64, Signedness.Unsigned, TruncKind.Saturating); break;

            default:
                if (!cg.SimdPlain(opcode))
                {
                    cg.Fail(CompileFailureReason.UnsupportedOperator, OperatorInfo.Name(opcode));
                }
                break;
        }
    }
}
