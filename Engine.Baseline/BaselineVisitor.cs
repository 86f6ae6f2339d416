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

    // ---- exception handling (3.0) ----

    public readonly void VisitThrow(uint tagIndex)
    {
        if (!Skip())
        {
            _cg.Throw(tagIndex);
        }
    }

    public readonly void VisitThrowRef()
    {
        if (!Skip())
        {
            _cg.ThrowRef();
        }
    }

    public readonly void VisitTryTable(BlockType blockType, TryTableCatch[] catches)
    {
        int offset = _cg.WasmOffset;
        Skip();
        _cg.TryTable(blockType, catches, offset);
    }

    // The legacy exception instructions: BaselineCompiler refuses their functions before it reads a body
    // (CompilerLimits.Refused), so these never run.
    public readonly void VisitTry(BlockType blockType) => throw LegacyExceptions();
    public readonly void VisitCatch(uint tagIndex) => throw LegacyExceptions();
    public readonly void VisitCatchAll() => throw LegacyExceptions();
    public readonly void VisitDelegate(uint relativeDepth) => throw LegacyExceptions();
    public readonly void VisitRethrow(uint relativeDepth) => throw LegacyExceptions();

    private static InvalidOperationException LegacyExceptions() =>
        new("the legacy exception instructions reached the baseline compiler, which refuses their functions");

    public readonly void VisitReturnCall(uint functionIndex)
    {
        if (!Skip())
        {
            _cg.ReturnCall(functionIndex);
        }
    }

    public readonly void VisitReturnCallIndirect(uint typeIndex, uint tableIndex)
    {
        if (!Skip())
        {
            _cg.ReturnCallIndirect(typeIndex, tableIndex);
        }
    }

    // The typed function references (3.0).

    public readonly void VisitCallRef(uint typeIndex)
    {
        if (!Skip())
        {
            _cg.CallRef(typeIndex);
        }
    }

    public readonly void VisitReturnCallRef(uint typeIndex)
    {
        if (!Skip())
        {
            _cg.ReturnCallRef(typeIndex);
        }
    }

    public readonly void VisitRefAsNonNull()
    {
        if (!Skip())
        {
            _cg.RefAsNonNull();
        }
    }

    public readonly void VisitBrOnNull(uint relativeDepth)
    {
        if (!Skip())
        {
            _cg.BrOnNull(relativeDepth);
        }
    }

    public readonly void VisitBrOnNonNull(uint relativeDepth)
    {
        if (!Skip())
        {
            _cg.BrOnNonNull(relativeDepth);
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

    public readonly void VisitMemorySize(uint memoryIndex)
    {
        if (!Skip())
        {
            if (_cg.IsMemoryZero32(memoryIndex))
            {
                _cg.MemorySize();
            }
            else
            {
                _cg.MemorySize(memoryIndex);
            }
        }
    }

    public readonly void VisitMemoryGrow(uint memoryIndex)
    {
        if (!Skip())
        {
            if (_cg.IsMemoryZero32(memoryIndex))
            {
                _cg.CallBuiltin(BuiltinId.MemoryGrow, 1, returnsStatus: false);
            }
            else
            {
                _cg.CallBuiltin(BuiltinId.MemoryGrowAny, 1, _cg.MemoryAddressType(memoryIndex), memoryIndex);
            }
        }
    }

    public readonly void VisitMemoryInit(uint dataIndex, uint memoryIndex)
    {
        if (!Skip())
        {
            if (_cg.IsMemoryZero32(memoryIndex))
            {
                _cg.CallBuiltin(BuiltinId.MemoryInit, 3, returnsStatus: true, dataIndex);
            }
            else
            {
                _cg.CallBuiltin(BuiltinId.MemoryInitAny, 3, returnsStatus: true, dataIndex, memoryIndex);
            }
        }
    }

    public readonly void VisitDataDrop(uint dataIndex)
    {
        if (!Skip())
        {
            _cg.CallBuiltin(BuiltinId.DataDrop, 0, returnsStatus: true, dataIndex);
        }
    }

    public readonly void VisitMemoryCopy(uint destinationMemory, uint sourceMemory)
    {
        if (!Skip())
        {
            if (_cg.IsMemoryZero32(destinationMemory) && _cg.IsMemoryZero32(sourceMemory))
            {
                _cg.CallBuiltin(BuiltinId.MemoryCopy, 3, returnsStatus: true);
            }
            else
            {
                _cg.CallBuiltin(BuiltinId.MemoryCopyAny, 3, returnsStatus: true, destinationMemory, sourceMemory);
            }
        }
    }

    public readonly void VisitMemoryFill(uint memoryIndex)
    {
        if (!Skip())
        {
            if (_cg.IsMemoryZero32(memoryIndex))
            {
                _cg.CallBuiltin(BuiltinId.MemoryFill, 3, returnsStatus: true);
            }
            else
            {
                _cg.CallBuiltin(BuiltinId.MemoryFillAny, 3, returnsStatus: true, memoryIndex);
            }
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
            // The builtin's result is the old size or -1, sign-extended to 64 bits: a 64-bit table's i64.
            _cg.CallBuiltin(BuiltinId.TableGrow, 2, _cg.TableAddressType(tableIndex), tableIndex);
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

    // ---- operators with a fixed signature (BaselinePlainOperators.cs) ----

    public readonly void VisitPlain(Opcode opcode)
    {
        if (Skip())
        {
            return;
        }
        var operators = new BaselinePlainOperators(_cg);
        PlainOperators.Dispatch(ref operators, opcode);
    }
}
