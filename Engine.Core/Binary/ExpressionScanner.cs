using System.Runtime.Intrinsics;

namespace Engine.Core;

/// <summary>
/// Finds the end of an expression without interpreting it: counts block nesting and stops at the
/// <c>end</c> that closes the expression. Used by the decoder for constant expressions, whose
/// operators the validator checks later, and by the module validator to find malformed function
/// bodies (which the spec reports before any invalid one).
/// </summary>
internal struct ExpressionScanner : IOperatorVisitor
{
    private int _depth;

    /// <summary>True once the expression's final <c>end</c> was read.</summary>
    public bool Done { get; private set; }

    /// <summary>The <c>loop</c> instructions read so far.</summary>
    public int Loops { get; private set; }

    /// <summary>The <c>call</c> and <c>call_indirect</c> instructions read so far.</summary>
    public int Calls { get; private set; }

    public void VisitBlock(BlockType blockType) => _depth++;

    public void VisitLoop(BlockType blockType)
    {
        _depth++;
        Loops++;
    }

    public void VisitIf(BlockType blockType) => _depth++;

    public void VisitTryTable(BlockType blockType, TryTableCatch[] catches) => _depth++;
    public void VisitThrow(uint tagIndex) { }
    public void VisitThrowRef() { }
    public void VisitTry(BlockType blockType) => _depth++;
    public void VisitCatch(uint tagIndex) { }
    public void VisitCatchAll() { }
    // delegate ends its try as end does (at depth 0 it is invalid, which the validator reports).
    public void VisitDelegate(uint relativeDepth) => _depth = Math.Max(_depth - 1, 0);
    public void VisitRethrow(uint relativeDepth) { }

    public void VisitEnd()
    {
        if (_depth == 0)
        {
            Done = true;
        }
        else
        {
            _depth--;
        }
    }

    public void VisitUnreachable() { }
    public void VisitNop() { }
    public void VisitElse() { }
    public void VisitBr(uint relativeDepth) { }
    public void VisitBrIf(uint relativeDepth) { }
    public void VisitBrTable(BrTable table) { }
    public void VisitReturn() { }
    public void VisitCall(uint functionIndex) => Calls++;
    public void VisitCallIndirect(uint typeIndex, uint tableIndex) => Calls++;
    public void VisitReturnCall(uint functionIndex) => Calls++;
    public void VisitReturnCallIndirect(uint typeIndex, uint tableIndex) => Calls++;
    public void VisitReturnCallRef(uint typeIndex) => Calls++;
    /// <inheritdoc/>
    public void VisitCallRef(uint typeIndex) => Calls++;
    /// <inheritdoc/>
    public void VisitRefAsNonNull() { }
    /// <inheritdoc/>
    public void VisitBrOnNull(uint relativeDepth) { }
    /// <inheritdoc/>
    public void VisitBrOnNonNull(uint relativeDepth) { }
    public void VisitDrop() { }
    public void VisitSelect() { }
    public void VisitSelectTyped(ValType type, uint typeCount) { }
    public void VisitLocalGet(uint localIndex) { }
    public void VisitLocalSet(uint localIndex) { }
    public void VisitLocalTee(uint localIndex) { }
    public void VisitGlobalGet(uint globalIndex) { }
    public void VisitGlobalSet(uint globalIndex) { }
    public void VisitTableGet(uint tableIndex) { }
    public void VisitTableSet(uint tableIndex) { }
    public void VisitLoad(Opcode opcode, MemArg memArg) { }
    public void VisitStore(Opcode opcode, MemArg memArg) { }
    public void VisitMemorySize(uint memoryIndex) { }
    public void VisitMemoryGrow(uint memoryIndex) { }
    public void VisitI32Const(int value) { }
    public void VisitI64Const(long value) { }
    public void VisitF32Const(uint bits) { }
    public void VisitF64Const(ulong bits) { }
    public void VisitPlain(Opcode opcode) { }
    public void VisitRefNull(ValType type) { }
    public void VisitRefIsNull() { }
    public void VisitRefFunc(uint functionIndex) { }
    public void VisitMemoryInit(uint dataIndex, uint memoryIndex) { }
    public void VisitDataDrop(uint dataIndex) { }
    public void VisitMemoryCopy(uint destinationMemory, uint sourceMemory) { }
    public void VisitMemoryFill(uint memoryIndex) { }
    public void VisitTableInit(uint elemIndex, uint tableIndex) { }
    public void VisitElemDrop(uint elemIndex) { }
    public void VisitTableCopy(uint destinationTable, uint sourceTable) { }
    public void VisitTableGrow(uint tableIndex) { }
    public void VisitTableSize(uint tableIndex) { }
    public void VisitTableFill(uint tableIndex) { }
    public void VisitV128Const(Vector128<byte> value) { }
    public void VisitI8x16Shuffle(Vector128<byte> lanes) { }
    public void VisitExtractLane(Opcode opcode, byte lane) { }
    public void VisitReplaceLane(Opcode opcode, byte lane) { }
    public void VisitLoadLane(Opcode opcode, MemArg memArg, byte lane) { }
    public void VisitStoreLane(Opcode opcode, MemArg memArg, byte lane) { }
}

/// <summary>What a function body holds, found without validating or translating it (for tier-up policy).</summary>
public static class FunctionBodyScan
{
    /// <summary>The <c>loop</c> and <c>call</c>/<c>call_indirect</c> instructions of a defined function's body.</summary>
    public static (int Loops, int Calls) LoopsAndCalls(ModuleInfo module, uint functionIndex)
    {
        FunctionBody body = module.Body(functionIndex);
        var reader = new WasmReader(module.Bytes, body.CodeStart, body.End);
        var scanner = new ExpressionScanner();
        while (!scanner.Done && !reader.AtEnd)
        {
            reader.ReadOperator(ref scanner);
        }
        return (scanner.Loops, scanner.Calls);
    }
}
