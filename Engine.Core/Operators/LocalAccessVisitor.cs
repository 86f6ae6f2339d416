using System.Runtime.Intrinsics;

namespace Engine.Core;

/// <summary>
/// What a quick pass over a body before compiling it looks at: blocks opening and closing and local accesses.
/// <see cref="LocalAccessVisitor{TScan}"/> reads every operator and tells the scan only these.
/// </summary>
public interface ILocalAccessScan
{
    /// <summary>A <c>block</c>, <c>loop</c> (<paramref name="loop"/>) or <c>if</c> opens at nesting <paramref name="depth"/>
    /// (the function's body is depth 0, so the first block is 1).</summary>
    void Open(int depth, bool loop);

    /// <summary>An <c>end</c> closes the block at <paramref name="depth"/> (0: the function's final end).</summary>
    void Close(int depth);

    /// <summary><c>local.get</c>.</summary>
    void Read(uint localIndex);

    /// <summary><c>local.set</c> or <c>local.tee</c>.</summary>
    void Write(uint localIndex);
}

/// <summary>
/// The operator visitor of an <see cref="ILocalAccessScan"/>: block nesting and local accesses go to
/// <see cref="Scan"/>, every other operator is read and ignored. One list of ignored operators for every such
/// pre-pass (the baseline's local weights, the optimizing tier's assignment scan).
/// </summary>
public struct LocalAccessVisitor<TScan> : IOperatorVisitor
    where TScan : struct, ILocalAccessScan
{
    /// <summary>The scan, updated in place.</summary>
    public TScan Scan;

    private int _depth;

    /// <summary>A visitor at the start of a body (depth 1, inside the function's implicit block).</summary>
    public LocalAccessVisitor(TScan scan)
    {
        Scan = scan;
        _depth = 1;
    }

    /// <summary>True once the function's final <c>end</c> was read.</summary>
    public readonly bool Done => _depth == 0;

    public void VisitBlock(BlockType blockType) => Scan.Open(_depth++, loop: false);
    public void VisitLoop(BlockType blockType) => Scan.Open(_depth++, loop: true);
    public void VisitIf(BlockType blockType) => Scan.Open(_depth++, loop: false);
    public void VisitTryTable(BlockType blockType, TryTableCatch[] catches) => Scan.Open(_depth++, loop: false);
    public readonly void VisitThrow(uint tagIndex) { }
    public readonly void VisitThrowRef() { }
    public void VisitTry(BlockType blockType) => Scan.Open(_depth++, loop: false);
    public readonly void VisitCatch(uint tagIndex) { }
    public readonly void VisitCatchAll() { }
    public void VisitDelegate(uint relativeDepth) => Scan.Close(--_depth);
    public readonly void VisitRethrow(uint relativeDepth) { }
    public void VisitEnd() => Scan.Close(--_depth);
    public void VisitLocalGet(uint localIndex) => Scan.Read(localIndex);
    public void VisitLocalSet(uint localIndex) => Scan.Write(localIndex);
    public void VisitLocalTee(uint localIndex) => Scan.Write(localIndex);

    public readonly void VisitCall(uint functionIndex) { }
    public readonly void VisitCallIndirect(uint typeIndex, uint tableIndex) { }
    public readonly void VisitReturnCall(uint functionIndex) { }
    public readonly void VisitReturnCallIndirect(uint typeIndex, uint tableIndex) { }
    public readonly void VisitReturnCallRef(uint typeIndex) { }
    /// <inheritdoc/>
    public readonly void VisitCallRef(uint typeIndex) { }
    /// <inheritdoc/>
    public readonly void VisitRefAsNonNull() { }
    /// <inheritdoc/>
    public readonly void VisitBrOnNull(uint relativeDepth) { }
    /// <inheritdoc/>
    public readonly void VisitBrOnNonNull(uint relativeDepth) { }
    public readonly void VisitUnreachable() { }
    public readonly void VisitNop() { }
    public readonly void VisitElse() { }
    public readonly void VisitBr(uint relativeDepth) { }
    public readonly void VisitBrIf(uint relativeDepth) { }
    public readonly void VisitBrTable(BrTable table) { }
    public readonly void VisitReturn() { }
    public readonly void VisitDrop() { }
    public readonly void VisitSelect() { }
    public readonly void VisitSelectTyped(ValType type, uint typeCount) { }
    public readonly void VisitGlobalGet(uint globalIndex) { }
    public readonly void VisitGlobalSet(uint globalIndex) { }
    public readonly void VisitTableGet(uint tableIndex) { }
    public readonly void VisitTableSet(uint tableIndex) { }
    public readonly void VisitLoad(Opcode opcode, MemArg memArg) { }
    public readonly void VisitStore(Opcode opcode, MemArg memArg) { }
    public readonly void VisitMemorySize(uint memoryIndex) { }
    public readonly void VisitMemoryGrow(uint memoryIndex) { }
    public readonly void VisitI32Const(int value) { }
    public readonly void VisitI64Const(long value) { }
    public readonly void VisitF32Const(uint bits) { }
    public readonly void VisitF64Const(ulong bits) { }
    public readonly void VisitPlain(Opcode opcode) { }
    public readonly void VisitRefNull(ValType type) { }
    public readonly void VisitRefIsNull() { }
    public readonly void VisitRefFunc(uint functionIndex) { }
    public readonly void VisitMemoryInit(uint dataIndex, uint memoryIndex) { }
    public readonly void VisitDataDrop(uint dataIndex) { }
    public readonly void VisitMemoryCopy(uint destinationMemory, uint sourceMemory) { }
    public readonly void VisitMemoryFill(uint memoryIndex) { }
    public readonly void VisitTableInit(uint elemIndex, uint tableIndex) { }
    public readonly void VisitElemDrop(uint elemIndex) { }
    public readonly void VisitTableCopy(uint destinationTable, uint sourceTable) { }
    public readonly void VisitTableGrow(uint tableIndex) { }
    public readonly void VisitTableSize(uint tableIndex) { }
    public readonly void VisitTableFill(uint tableIndex) { }
    public readonly void VisitV128Const(Vector128<byte> value) { }
    public readonly void VisitI8x16Shuffle(Vector128<byte> lanes) { }
    public readonly void VisitExtractLane(Opcode opcode, byte lane) { }
    public readonly void VisitReplaceLane(Opcode opcode, byte lane) { }
    public readonly void VisitLoadLane(Opcode opcode, MemArg memArg, byte lane) { }
    public readonly void VisitStoreLane(Opcode opcode, MemArg memArg, byte lane) { }
}
