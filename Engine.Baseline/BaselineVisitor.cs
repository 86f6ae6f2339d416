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

    private readonly void Unsupported(string what)
    {
        if (!_cg.Unreachable)
        {
            _cg.NotSupported(what);
        }
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
            case Opcode.I32Eqz: cg.IntEqz(false); break;
            case Opcode.I32Eq: cg.IntCompare(Cond.Equal, false); break;
            case Opcode.I32Ne: cg.IntCompare(Cond.NotEqual, false); break;
            case Opcode.I32LtS: cg.IntCompare(Cond.Less, false); break;
            case Opcode.I32LtU: cg.IntCompare(Cond.Below, false); break;
            case Opcode.I32GtS: cg.IntCompare(Cond.Greater, false); break;
            case Opcode.I32GtU: cg.IntCompare(Cond.Above, false); break;
            case Opcode.I32LeS: cg.IntCompare(Cond.LessOrEqual, false); break;
            case Opcode.I32LeU: cg.IntCompare(Cond.BelowOrEqual, false); break;
            case Opcode.I32GeS: cg.IntCompare(Cond.GreaterOrEqual, false); break;
            case Opcode.I32GeU: cg.IntCompare(Cond.AboveOrEqual, false); break;
            case Opcode.I64Eqz: cg.IntEqz(true); break;
            case Opcode.I64Eq: cg.IntCompare(Cond.Equal, true); break;
            case Opcode.I64Ne: cg.IntCompare(Cond.NotEqual, true); break;
            case Opcode.I64LtS: cg.IntCompare(Cond.Less, true); break;
            case Opcode.I64LtU: cg.IntCompare(Cond.Below, true); break;
            case Opcode.I64GtS: cg.IntCompare(Cond.Greater, true); break;
            case Opcode.I64GtU: cg.IntCompare(Cond.Above, true); break;
            case Opcode.I64LeS: cg.IntCompare(Cond.LessOrEqual, true); break;
            case Opcode.I64LeU: cg.IntCompare(Cond.BelowOrEqual, true); break;
            case Opcode.I64GeS: cg.IntCompare(Cond.GreaterOrEqual, true); break;
            case Opcode.I64GeU: cg.IntCompare(Cond.AboveOrEqual, true); break;
            case Opcode.F32Eq or Opcode.F32Ne or Opcode.F32Lt or Opcode.F32Gt or Opcode.F32Le or Opcode.F32Ge:
                cg.FloatCompare(opcode, false);
                break;
            case Opcode.F64Eq or Opcode.F64Ne or Opcode.F64Lt or Opcode.F64Gt or Opcode.F64Le or Opcode.F64Ge:
                cg.FloatCompare(opcode, true);
                break;

            case Opcode.I32Clz: cg.Clz(false); break;
            case Opcode.I32Ctz: cg.Ctz(false); break;
            case Opcode.I32Popcnt: cg.Popcnt(false); break;
            case Opcode.I32Add: cg.IntBinary(AluOp.Add, false); break;
            case Opcode.I32Sub: cg.IntBinary(AluOp.Sub, false); break;
            case Opcode.I32Mul: cg.IntMul(false); break;
            case Opcode.I32DivS: cg.DivRem(signed: true, remainder: false, wide: false); break;
            case Opcode.I32DivU: cg.DivRem(signed: false, remainder: false, wide: false); break;
            case Opcode.I32RemS: cg.DivRem(signed: true, remainder: true, wide: false); break;
            case Opcode.I32RemU: cg.DivRem(signed: false, remainder: true, wide: false); break;
            case Opcode.I32And: cg.IntBinary(AluOp.And, false); break;
            case Opcode.I32Or: cg.IntBinary(AluOp.Or, false); break;
            case Opcode.I32Xor: cg.IntBinary(AluOp.Xor, false); break;
            case Opcode.I32Shl: cg.Shift(ShiftOp.Shl, false); break;
            case Opcode.I32ShrS: cg.Shift(ShiftOp.Sar, false); break;
            case Opcode.I32ShrU: cg.Shift(ShiftOp.Shr, false); break;
            case Opcode.I32Rotl: cg.Shift(ShiftOp.Rol, false); break;
            case Opcode.I32Rotr: cg.Shift(ShiftOp.Ror, false); break;

            case Opcode.I64Clz: cg.Clz(true); break;
            case Opcode.I64Ctz: cg.Ctz(true); break;
            case Opcode.I64Popcnt: cg.Popcnt(true); break;
            case Opcode.I64Add: cg.IntBinary(AluOp.Add, true); break;
            case Opcode.I64Sub: cg.IntBinary(AluOp.Sub, true); break;
            case Opcode.I64Mul: cg.IntMul(true); break;
            case Opcode.I64DivS: cg.DivRem(signed: true, remainder: false, wide: true); break;
            case Opcode.I64DivU: cg.DivRem(signed: false, remainder: false, wide: true); break;
            case Opcode.I64RemS: cg.DivRem(signed: true, remainder: true, wide: true); break;
            case Opcode.I64RemU: cg.DivRem(signed: false, remainder: true, wide: true); break;
            case Opcode.I64And: cg.IntBinary(AluOp.And, true); break;
            case Opcode.I64Or: cg.IntBinary(AluOp.Or, true); break;
            case Opcode.I64Xor: cg.IntBinary(AluOp.Xor, true); break;
            case Opcode.I64Shl: cg.Shift(ShiftOp.Shl, true); break;
            case Opcode.I64ShrS: cg.Shift(ShiftOp.Sar, true); break;
            case Opcode.I64ShrU: cg.Shift(ShiftOp.Shr, true); break;
            case Opcode.I64Rotl: cg.Shift(ShiftOp.Rol, true); break;
            case Opcode.I64Rotr: cg.Shift(ShiftOp.Ror, true); break;

            case Opcode.F32Abs: cg.FloatAbs(false); break;
            case Opcode.F32Neg: cg.FloatNeg(false); break;
            case Opcode.F32Ceil: cg.FloatRound(2, false); break;
            case Opcode.F32Floor: cg.FloatRound(1, false); break;
            case Opcode.F32Trunc: cg.FloatRound(3, false); break;
            case Opcode.F32Nearest: cg.FloatRound(0, false); break;
            case Opcode.F32Sqrt: cg.FloatUnary(SseOp.Sqrt, false); break;
            case Opcode.F32Add: cg.FloatBinary(SseOp.Add, false); break;
            case Opcode.F32Sub: cg.FloatBinary(SseOp.Sub, false); break;
            case Opcode.F32Mul: cg.FloatBinary(SseOp.Mul, false); break;
            case Opcode.F32Div: cg.FloatBinary(SseOp.Div, false); break;
            case Opcode.F32Min: cg.FloatMinMax(max: false, dbl: false); break;
            case Opcode.F32Max: cg.FloatMinMax(max: true, dbl: false); break;
            case Opcode.F32Copysign: cg.FloatCopysign(false); break;

            case Opcode.F64Abs: cg.FloatAbs(true); break;
            case Opcode.F64Neg: cg.FloatNeg(true); break;
            case Opcode.F64Ceil: cg.FloatRound(2, true); break;
            case Opcode.F64Floor: cg.FloatRound(1, true); break;
            case Opcode.F64Trunc: cg.FloatRound(3, true); break;
            case Opcode.F64Nearest: cg.FloatRound(0, true); break;
            case Opcode.F64Sqrt: cg.FloatUnary(SseOp.Sqrt, true); break;
            case Opcode.F64Add: cg.FloatBinary(SseOp.Add, true); break;
            case Opcode.F64Sub: cg.FloatBinary(SseOp.Sub, true); break;
            case Opcode.F64Mul: cg.FloatBinary(SseOp.Mul, true); break;
            case Opcode.F64Div: cg.FloatBinary(SseOp.Div, true); break;
            case Opcode.F64Min: cg.FloatMinMax(max: false, dbl: true); break;
            case Opcode.F64Max: cg.FloatMinMax(max: true, dbl: true); break;
            case Opcode.F64Copysign: cg.FloatCopysign(true); break;

            case Opcode.I32WrapI64: cg.I32WrapI64(); break;
            case Opcode.I32TruncF32S: cg.Truncate(dbl: false, wideInt: false, signed: true, saturating: false); break;
            case Opcode.I32TruncF32U: cg.Truncate(dbl: false, wideInt: false, signed: false, saturating: false); break;
            case Opcode.I32TruncF64S: cg.Truncate(dbl: true, wideInt: false, signed: true, saturating: false); break;
            case Opcode.I32TruncF64U: cg.Truncate(dbl: true, wideInt: false, signed: false, saturating: false); break;
            case Opcode.I64ExtendI32S: cg.SignExtend(32, true); break;
            case Opcode.I64ExtendI32U: cg.I64ExtendI32U(); break;
            case Opcode.I64TruncF32S: cg.Truncate(dbl: false, wideInt: true, signed: true, saturating: false); break;
            case Opcode.I64TruncF32U: cg.Truncate(dbl: false, wideInt: true, signed: false, saturating: false); break;
            case Opcode.I64TruncF64S: cg.Truncate(dbl: true, wideInt: true, signed: true, saturating: false); break;
            case Opcode.I64TruncF64U: cg.Truncate(dbl: true, wideInt: true, signed: false, saturating: false); break;
            case Opcode.F32ConvertI32S: cg.ConvertIntToFloat(dbl: false, wideInt: false, signed: true); break;
            case Opcode.F32ConvertI32U: cg.ConvertIntToFloat(dbl: false, wideInt: false, signed: false); break;
            case Opcode.F32ConvertI64S: cg.ConvertIntToFloat(dbl: false, wideInt: true, signed: true); break;
            case Opcode.F32ConvertI64U: cg.ConvertIntToFloat(dbl: false, wideInt: true, signed: false); break;
            case Opcode.F32DemoteF64: cg.PromoteDemote(toDouble: false); break;
            case Opcode.F64ConvertI32S: cg.ConvertIntToFloat(dbl: true, wideInt: false, signed: true); break;
            case Opcode.F64ConvertI32U: cg.ConvertIntToFloat(dbl: true, wideInt: false, signed: false); break;
            case Opcode.F64ConvertI64S: cg.ConvertIntToFloat(dbl: true, wideInt: true, signed: true); break;
            case Opcode.F64ConvertI64U: cg.ConvertIntToFloat(dbl: true, wideInt: true, signed: false); break;
            case Opcode.F64PromoteF32: cg.PromoteDemote(toDouble: true); break;
            case Opcode.I32ReinterpretF32: cg.Reinterpret(ValType.I32); break;
            case Opcode.I64ReinterpretF64: cg.Reinterpret(ValType.I64); break;
            case Opcode.F32ReinterpretI32: cg.Reinterpret(ValType.F32); break;
            case Opcode.F64ReinterpretI64: cg.Reinterpret(ValType.F64); break;
            case Opcode.I32Extend8S: cg.SignExtend(8, false); break;
            case Opcode.I32Extend16S: cg.SignExtend(16, false); break;
            case Opcode.I64Extend8S: cg.SignExtend(8, true); break;
            case Opcode.I64Extend16S: cg.SignExtend(16, true); break;
            case Opcode.I64Extend32S: cg.SignExtend(32, true); break;

            case Opcode.I32TruncSatF32S: cg.Truncate(dbl: false, wideInt: false, signed: true, saturating: true); break;
            case Opcode.I32TruncSatF32U: cg.Truncate(dbl: false, wideInt: false, signed: false, saturating: true); break;
            case Opcode.I32TruncSatF64S: cg.Truncate(dbl: true, wideInt: false, signed: true, saturating: true); break;
            case Opcode.I32TruncSatF64U: cg.Truncate(dbl: true, wideInt: false, signed: false, saturating: true); break;
            case Opcode.I64TruncSatF32S: cg.Truncate(dbl: false, wideInt: true, signed: true, saturating: true); break;
            case Opcode.I64TruncSatF32U: cg.Truncate(dbl: false, wideInt: true, signed: false, saturating: true); break;
            case Opcode.I64TruncSatF64S: cg.Truncate(dbl: true, wideInt: true, signed: true, saturating: true); break;
            case Opcode.I64TruncSatF64U: cg.Truncate(dbl: true, wideInt: true, signed: false, saturating: true); break;

            default:
                if (!cg.SimdPlain(opcode))
                {
                    cg.NotSupported(OperatorInfo.Name(opcode));
                }
                break;
        }
    }
}
