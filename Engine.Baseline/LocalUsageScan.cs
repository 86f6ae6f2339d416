using System.Runtime.Intrinsics;
using Engine.Core;

namespace Engine.Baseline;

/// <summary>
/// A quick pass over a body before compiling it: how much each local is used, weighted by loop depth
/// (an access inside a loop counts 8 times one outside it, per level, up to 4 levels), and whether the
/// function makes calls. The code generator pins the heaviest numeric locals in registers for the whole
/// function.
/// </summary>
internal struct LocalUsageScan : IOperatorVisitor
{
    private readonly long[] _weights;
    private int _depth;
    private ulong _loopMask;
    private int _loopDepth;

    public LocalUsageScan(long[] weights)
    {
        _weights = weights;
        _depth = 1;
    }

    /// <summary>True once the function's final end was read.</summary>
    public readonly bool Done => _depth == 0;

    /// <summary>Calls (direct, indirect) seen.</summary>
    public int Calls { get; private set; }

    private readonly long Weight => 1L << (3 * Math.Min(_loopDepth, 4));

    private void Open(bool loop)
    {
        if (_depth < 64 && loop)
        {
            _loopMask |= 1UL << _depth;
            _loopDepth++;
        }
        _depth++;
    }

    public void VisitBlock(BlockType blockType) => Open(false);
    public void VisitLoop(BlockType blockType) => Open(true);
    public void VisitIf(BlockType blockType) => Open(false);

    public void VisitEnd()
    {
        _depth--;
        if (_depth < 64 && (_loopMask & (1UL << _depth)) != 0)
        {
            _loopMask &= ~(1UL << _depth);
            _loopDepth--;
        }
    }

    public readonly void VisitLocalGet(uint localIndex) => _weights[localIndex] += Weight;
    public readonly void VisitLocalSet(uint localIndex) => _weights[localIndex] += Weight;
    public readonly void VisitLocalTee(uint localIndex) => _weights[localIndex] += Weight;
    public void VisitCall(uint functionIndex) => Calls++;
    public void VisitCallIndirect(uint typeIndex, uint tableIndex) => Calls++;

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
    public readonly void VisitMemorySize() { }
    public readonly void VisitMemoryGrow() { }
    public readonly void VisitI32Const(int value) { }
    public readonly void VisitI64Const(long value) { }
    public readonly void VisitF32Const(uint bits) { }
    public readonly void VisitF64Const(ulong bits) { }
    public readonly void VisitPlain(Opcode opcode) { }
    public readonly void VisitRefNull(ValType type) { }
    public readonly void VisitRefIsNull() { }
    public readonly void VisitRefFunc(uint functionIndex) { }
    public readonly void VisitMemoryInit(uint dataIndex) { }
    public readonly void VisitDataDrop(uint dataIndex) { }
    public readonly void VisitMemoryCopy() { }
    public readonly void VisitMemoryFill() { }
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
