using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Engine.Core;

namespace Engine.Optimizing.Ir;

/// <summary>
/// The operator visitor of the SSA builder: one line per operator. Operators in unreachable code are skipped;
/// the block structure is still followed (and loops counted, to match the assignment scan).
/// </summary>
internal readonly struct IrBuilderVisitor : IOperatorVisitor
{
    private readonly IrBuilder _b;

    public IrBuilderVisitor(IrBuilder builder) => _b = builder;

    private bool Live
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _b.IsReachable;
    }

    public void VisitUnreachable()
    {
        if (Live)
        {
            _b.Unreachable();
        }
    }

    public void VisitNop()
    {
    }

    public void VisitBlock(BlockType blockType) => _b.Block(blockType);

    public void VisitLoop(BlockType blockType) => _b.Loop(blockType);

    public void VisitIf(BlockType blockType) => _b.If(blockType);

    public void VisitElse() => _b.Else();

    public void VisitEnd() => _b.End();

    public void VisitBr(uint relativeDepth)
    {
        if (Live)
        {
            _b.Br(relativeDepth);
        }
    }

    public void VisitBrIf(uint relativeDepth)
    {
        if (Live)
        {
            _b.BrIf(relativeDepth);
        }
    }

    public void VisitBrTable(BrTable table)
    {
        if (Live)
        {
            _b.BrTable(table);
        }
    }

    public void VisitReturn()
    {
        if (Live)
        {
            _b.Return();
        }
    }

    public void VisitCall(uint functionIndex)
    {
        if (Live)
        {
            _b.Call(functionIndex);
        }
    }

    public void VisitCallIndirect(uint typeIndex, uint tableIndex)
    {
        if (Live)
        {
            _b.CallIndirect(typeIndex, tableIndex);
        }
    }

    public void VisitThrow(uint tagIndex)
    {
        if (Live)
        {
            _b.Throw(tagIndex);
        }
    }

    public void VisitThrowRef()
    {
        if (Live)
        {
            _b.ThrowRef();
        }
    }

    public void VisitTryTable(BlockType blockType, TryTableCatch[] catches) => _b.TryTable(blockType, catches);

    // The legacy exception instructions: OptimizingCompiler refuses their functions before it reads a body
    // (CompilerLimits.Refused), so these never run.
    public void VisitTry(BlockType blockType) => throw LegacyExceptions();
    public void VisitCatch(uint tagIndex) => throw LegacyExceptions();
    public void VisitCatchAll() => throw LegacyExceptions();
    public void VisitDelegate(uint relativeDepth) => throw LegacyExceptions();
    public void VisitRethrow(uint relativeDepth) => throw LegacyExceptions();

    private static InvalidOperationException LegacyExceptions() =>
        new("the legacy exception instructions reached the optimizing compiler, which refuses their functions");

    public void VisitReturnCall(uint functionIndex)
    {
        if (Live)
        {
            _b.ReturnCall(functionIndex);
        }
    }

    public void VisitReturnCallIndirect(uint typeIndex, uint tableIndex)
    {
        if (Live)
        {
            _b.ReturnCallIndirect(typeIndex, tableIndex);
        }
    }

    public void VisitReturnCallRef(uint typeIndex)
    {
        if (Live)
        {
            _b.ReturnCallRef(typeIndex);
        }
    }

    public void VisitCallRef(uint typeIndex)
    {
        if (Live)
        {
            _b.CallRef(typeIndex);
        }
    }

    public void VisitRefAsNonNull()
    {
        if (Live)
        {
            _b.RefAsNonNull();
        }
    }

    public void VisitBrOnNull(uint relativeDepth)
    {
        if (Live)
        {
            _b.BrOnNull(relativeDepth);
        }
    }

    public void VisitBrOnNonNull(uint relativeDepth)
    {
        if (Live)
        {
            _b.BrOnNonNull(relativeDepth);
        }
    }

    public void VisitDrop()
    {
        if (Live)
        {
            _b.Drop();
        }
    }

    public void VisitSelect()
    {
        if (Live)
        {
            _b.Select();
        }
    }

    public void VisitSelectTyped(ValType type, uint typeCount)
    {
        if (Live)
        {
            _b.Select();
        }
    }

    public void VisitLocalGet(uint localIndex)
    {
        if (Live)
        {
            _b.LocalGet(localIndex);
        }
    }

    public void VisitLocalSet(uint localIndex)
    {
        if (Live)
        {
            _b.LocalSet(localIndex);
        }
    }

    public void VisitLocalTee(uint localIndex)
    {
        if (Live)
        {
            _b.LocalTee(localIndex);
        }
    }

    public void VisitGlobalGet(uint globalIndex)
    {
        if (Live)
        {
            _b.GlobalGet(globalIndex);
        }
    }

    public void VisitGlobalSet(uint globalIndex)
    {
        if (Live)
        {
            _b.GlobalSet(globalIndex);
        }
    }

    public void VisitTableGet(uint tableIndex)
    {
        if (Live)
        {
            _b.TableGet(tableIndex);
        }
    }

    public void VisitTableSet(uint tableIndex)
    {
        if (Live)
        {
            _b.TableSet(tableIndex);
        }
    }

    public void VisitLoad(Opcode opcode, MemArg memArg)
    {
        if (Live)
        {
            _b.Load(opcode, memArg);
        }
    }

    public void VisitStore(Opcode opcode, MemArg memArg)
    {
        if (Live)
        {
            _b.Store(opcode, memArg);
        }
    }

    public void VisitMemorySize(uint memoryIndex)
    {
        if (Live)
        {
            _b.MemorySize(memoryIndex);
        }
    }

    public void VisitMemoryGrow(uint memoryIndex)
    {
        if (Live)
        {
            _b.MemoryGrow(memoryIndex);
        }
    }

    public void VisitI32Const(int value)
    {
        if (Live)
        {
            _b.Const(ValType.I32, (uint)value);
        }
    }

    public void VisitI64Const(long value)
    {
        if (Live)
        {
            _b.Const(ValType.I64, value);
        }
    }

    public void VisitF32Const(uint bits)
    {
        if (Live)
        {
            _b.Const(ValType.F32, bits);
        }
    }

    public void VisitF64Const(ulong bits)
    {
        if (Live)
        {
            _b.Const(ValType.F64, (long)bits);
        }
    }

    public void VisitPlain(Opcode opcode)
    {
        if (Live)
        {
            _b.Plain(opcode);
        }
    }

    public void VisitRefNull(ValType type)
    {
        if (Live)
        {
            _b.RefNull(type);
        }
    }

    public void VisitRefIsNull()
    {
        if (Live)
        {
            _b.RefIsNull();
        }
    }

    public void VisitRefFunc(uint functionIndex)
    {
        if (Live)
        {
            _b.RefFunc(functionIndex);
        }
    }

    public void VisitMemoryInit(uint dataIndex, uint memoryIndex)
    {
        if (Live)
        {
            _b.MemoryInit(dataIndex, memoryIndex);
        }
    }

    public void VisitDataDrop(uint dataIndex)
    {
        if (Live)
        {
            _b.DataDrop(dataIndex);
        }
    }

    public void VisitMemoryCopy(uint destinationMemory, uint sourceMemory)
    {
        if (Live)
        {
            _b.MemoryCopy(destinationMemory, sourceMemory);
        }
    }

    public void VisitMemoryFill(uint memoryIndex)
    {
        if (Live)
        {
            _b.MemoryFill(memoryIndex);
        }
    }

    public void VisitTableInit(uint elemIndex, uint tableIndex)
    {
        if (Live)
        {
            _b.TableInit(elemIndex, tableIndex);
        }
    }

    public void VisitElemDrop(uint elemIndex)
    {
        if (Live)
        {
            _b.ElemDrop(elemIndex);
        }
    }

    public void VisitTableCopy(uint destinationTable, uint sourceTable)
    {
        if (Live)
        {
            _b.TableCopy(destinationTable, sourceTable);
        }
    }

    public void VisitTableGrow(uint tableIndex)
    {
        if (Live)
        {
            _b.TableGrow(tableIndex);
        }
    }

    public void VisitTableSize(uint tableIndex)
    {
        if (Live)
        {
            _b.TableSize(tableIndex);
        }
    }

    public void VisitTableFill(uint tableIndex)
    {
        if (Live)
        {
            _b.TableFill(tableIndex);
        }
    }

    public void VisitV128Const(Vector128<byte> value)
    {
        if (Live)
        {
            _b.V128Const(value);
        }
    }

    public void VisitI8x16Shuffle(Vector128<byte> lanes)
    {
        if (Live)
        {
            _b.Shuffle(lanes);
        }
    }

    public void VisitExtractLane(Opcode opcode, byte lane)
    {
        if (Live)
        {
            _b.ExtractLane(opcode, lane);
        }
    }

    public void VisitReplaceLane(Opcode opcode, byte lane)
    {
        if (Live)
        {
            _b.ReplaceLane(opcode, lane);
        }
    }

    public void VisitLoadLane(Opcode opcode, MemArg memArg, byte lane)
    {
        if (Live)
        {
            _b.LoadLane(opcode, memArg, lane);
        }
    }

    public void VisitStoreLane(Opcode opcode, MemArg memArg, byte lane)
    {
        if (Live)
        {
            _b.StoreLane(opcode, memArg, lane);
        }
    }
}
