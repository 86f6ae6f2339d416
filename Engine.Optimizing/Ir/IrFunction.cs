using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Engine.Core;

namespace Engine.Optimizing.Ir;

/// <summary>
/// One instruction of the IR, and the value it defines (value id = instruction id). Stored by value in
/// <see cref="IrFunction.Insts"/>; a block's instructions form a doubly linked list through
/// <see cref="Prev"/> and <see cref="Next"/>, so passes insert, move and remove without copying.
/// </summary>
public struct Inst
{
    /// <summary>The operation.</summary>
    public Op Op;
    /// <summary>The result type; <see cref="ValType.Bottom"/> when the instruction defines no value.</summary>
    public ValType Type;
    /// <summary>Set on instructions that were unlinked (their id is never reused within a function).</summary>
    public bool Removed;
    /// <summary>First operand (a value id, a pool start or a block-call id; see <see cref="Ir.Op"/>), -1 if unused.</summary>
    public int A;
    /// <summary>Second operand, -1 if unused.</summary>
    public int B;
    /// <summary>Third operand, -1 if unused.</summary>
    public int C;
    /// <summary>Immediate (constant bits, offset, index, condition).</summary>
    public long Imm;
    /// <summary>Second immediate (a wasm opcode, a parameter position, a table index).</summary>
    public int Aux;
    /// <summary>The block the instruction is in.</summary>
    public int Block;
    /// <summary>The previous instruction of the block, -1 at the first.</summary>
    public int Prev;
    /// <summary>The next instruction of the block, -1 at the last.</summary>
    public int Next;
    /// <summary>
    /// Byte offset in the module of the wasm operator it came from (traps and backtraces point there); -1 unknown; in
    /// inlined code, p &lt;= -2 stands for an offset in the inlined function (<see cref="IrFunction.InlinedPositions"/>[-2 - p]).
    /// </summary>
    public int WasmOffset;
}

/// <summary>A basic block: its instruction list (parameters first, terminator last) and facts passes compute.</summary>
public struct Block
{
    /// <summary>First instruction, -1 when empty.</summary>
    public int First;
    /// <summary>Last instruction (the terminator once the block is complete), -1 when empty.</summary>
    public int Last;
    /// <summary>The number of <see cref="Op.BlockParam"/> instructions at the head of the list.</summary>
    public int ParamCount;
    /// <summary>Removed from the function (unreachable).</summary>
    public bool Removed;
    /// <summary>An entry: the function's own entry (block 0) or an on-stack-replacement entry.</summary>
    public bool IsEntry;
    /// <summary>The header of a wasm loop.</summary>
    public bool IsLoopHeader;
    /// <summary>For a loop header or an OSR entry: the module offset of the <c>loop</c> instruction; else -1.</summary>
    public int LoopOffset;
    /// <summary>The next block in layout order, -1 at the end (the order code is emitted in).</summary>
    public int LayoutNext;
    /// <summary>The previous block in layout order, -1 at the start.</summary>
    public int LayoutPrev;
}

/// <summary>An edge of the control-flow graph with its arguments: a jump to <see cref="Block"/> passing Pool[ArgStart .. ArgStart+ArgCount) as its parameters.</summary>
public struct BlockCall
{
    /// <summary>The target block.</summary>
    public int Block;
    /// <summary>Start of the arguments in the pool.</summary>
    public int ArgStart;
    /// <summary>The number of arguments (the target's parameter count).</summary>
    public int ArgCount;
}

/// <summary>An on-stack-replacement entry block and the state layout it reads.</summary>
/// <param name="Block">The entry block.</param>
/// <param name="LoopOffset">The module offset of the loop.</param>
/// <param name="State">The state's layout (every local, then every operand-stack value).</param>
public readonly record struct OsrEntryBlock(int Block, int LoopOffset, OsrState State);

/// <summary>
/// A function in SSA form over a control-flow graph with block parameters (no phi objects). Everything is
/// stored in struct arrays (instructions, blocks, edges and one int pool for variable-length operand lists)
/// that one compiler thread reuses from function to function: building a function allocates nothing per
/// value or instruction.
/// </summary>
/// <remarks>
/// <para>Values are instruction ids. A block's parameters are its first <see cref="Block.ParamCount"/>
/// instructions (<see cref="Op.BlockParam"/>); every edge into it passes one argument per parameter
/// (<see cref="BlockCall"/>). Blocks have a layout order (<see cref="Block.LayoutNext"/>), the order the
/// code generator emits them in: the builder's structural order, which keeps loop bodies contiguous.</para>
/// <para>Block 0 is the function's entry; on-stack-replacement entries are further entry blocks (no
/// predecessors). The dominator tree hangs every entry from a virtual root, so no value flows from the
/// normal entry into code an OSR entry reaches except through block parameters.</para>
/// </remarks>
public sealed class IrFunction
{
    /// <summary>The instructions (ids 0 .. <see cref="InstCount"/>-1; removed ones stay, marked).</summary>
    public Inst[] Insts = new Inst[256];
    /// <summary>The number of instruction ids in use.</summary>
    public int InstCount;
    /// <summary>The blocks (ids 0 .. <see cref="BlockCount"/>-1).</summary>
    public Block[] Blocks = new Block[32];
    /// <summary>The number of block ids in use.</summary>
    public int BlockCount;
    /// <summary>The edges referenced by terminators.</summary>
    public BlockCall[] Calls = new BlockCall[64];
    /// <summary>The number of edges in use.</summary>
    public int CallCount;
    /// <summary>Variable-length operand lists (call arguments, return values, edge arguments, br_table targets).</summary>
    public int[] Pool = new int[256];
    /// <summary>The number of pool entries in use.</summary>
    public int PoolCount;
    /// <summary>Constants of v128 values and shuffle lane vectors.</summary>
    public readonly List<Vector128<byte>> V128Constants = new();
    /// <summary>The OSR entries.</summary>
    public readonly List<OsrEntryBlock> OsrEntries = new();
    /// <summary>
    /// The calls inlined into the function (<see cref="Passes.Inliner"/>), parents first. An instruction of inlined code
    /// has a <see cref="Inst.WasmOffset"/> p &lt;= -2 standing for <see cref="InlinedPositions"/>[-2 - p].
    /// </summary>
    public readonly List<InlinedFrame> InlinedFrames = new();
    /// <summary>The positions in inlined code: a wasm offset in the inlined function and the index of its <see cref="InlinedFrames"/> entry.</summary>
    public readonly List<(int WasmOffset, int InlinedFrame)> InlinedPositions = new();
    /// <summary>The first block in layout order.</summary>
    public int LayoutFirst = -1;
    /// <summary>The last block in layout order.</summary>
    public int LayoutLast = -1;

    /// <summary>The module the function belongs to.</summary>
    public ModuleInfo Module { get; private set; } = null!;
    /// <summary>The function's index in its module.</summary>
    public uint FunctionIndex { get; private set; }
    /// <summary>The function's type.</summary>
    public FuncType Type { get; private set; } = null!;

    /// <summary>Empties the function for building another (the arrays stay allocated).</summary>
    public void Reset(ModuleInfo module, uint functionIndex)
    {
        Module = module;
        FunctionIndex = functionIndex;
        Type = module.FunctionType(functionIndex);
        InstCount = 0;
        BlockCount = 0;
        CallCount = 0;
        PoolCount = 0;
        V128Constants.Clear();
        OsrEntries.Clear();
        InlinedFrames.Clear();
        InlinedPositions.Clear();
        LayoutFirst = -1;
        LayoutLast = -1;
    }

    /// <summary>Drops the references to the module, so a reused function keeps no module alive.</summary>
    public void Forget()
    {
        Module = null!;
        Type = null!;
        OsrEntries.Clear();
    }

    /// <summary>The instruction (or value) <paramref name="id"/>.</summary>
    public ref Inst this[int id]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref Insts[id];
    }

    /// <summary>The type of value <paramref name="id"/>.</summary>
    public ValType TypeOf(int id) => Insts[id].Type;

    // ---- blocks ----

    /// <summary>Creates an empty block, not yet in the layout.</summary>
    public int NewBlock()
    {
        if (BlockCount == Blocks.Length)
        {
            Array.Resize(ref Blocks, Blocks.Length * 2);
        }
        int id = BlockCount++;
        Blocks[id] = new Block { First = -1, Last = -1, LoopOffset = -1, LayoutNext = -1, LayoutPrev = -1 };
        return id;
    }

    /// <summary>Appends <paramref name="block"/> at the end of the layout.</summary>
    public void AppendToLayout(int block)
    {
        ref Block b = ref Blocks[block];
        b.LayoutPrev = LayoutLast;
        b.LayoutNext = -1;
        if (LayoutLast >= 0)
        {
            Blocks[LayoutLast].LayoutNext = block;
        }
        else
        {
            LayoutFirst = block;
        }
        LayoutLast = block;
    }

    /// <summary>Puts <paramref name="block"/> (not in the layout) right after <paramref name="after"/>.</summary>
    public void InsertInLayoutAfter(int block, int after)
    {
        int next = Blocks[after].LayoutNext;
        Blocks[block].LayoutPrev = after;
        Blocks[block].LayoutNext = next;
        Blocks[after].LayoutNext = block;
        if (next >= 0)
        {
            Blocks[next].LayoutPrev = block;
        }
        else
        {
            LayoutLast = block;
        }
    }

    /// <summary>Puts <paramref name="block"/> (not in the layout) right before <paramref name="before"/>.</summary>
    public void InsertInLayoutBefore(int block, int before)
    {
        int prev = Blocks[before].LayoutPrev;
        if (prev >= 0)
        {
            InsertInLayoutAfter(block, prev);
            return;
        }
        Blocks[block].LayoutPrev = -1;
        Blocks[block].LayoutNext = before;
        Blocks[before].LayoutPrev = block;
        LayoutFirst = block;
    }

    /// <summary>Takes <paramref name="block"/> out of the layout and marks it removed (its instructions too).</summary>
    public void RemoveBlock(int block)
    {
        ref Block b = ref Blocks[block];
        if (b.Removed)
        {
            return;
        }
        for (int i = b.First; i >= 0; i = Insts[i].Next)
        {
            Insts[i].Removed = true;
        }
        b.Removed = true;
        if (b.LayoutPrev >= 0)
        {
            Blocks[b.LayoutPrev].LayoutNext = b.LayoutNext;
        }
        else if (LayoutFirst == block)
        {
            LayoutFirst = b.LayoutNext;
        }
        if (b.LayoutNext >= 0)
        {
            Blocks[b.LayoutNext].LayoutPrev = b.LayoutPrev;
        }
        else if (LayoutLast == block)
        {
            LayoutLast = b.LayoutPrev;
        }
        b.LayoutNext = b.LayoutPrev = -1;
    }

    /// <summary>The terminator of <paramref name="block"/>, or -1 when it has none yet.</summary>
    public int Terminator(int block)
    {
        int last = Blocks[block].Last;
        return last >= 0 && OpInfo.IsTerminator(Insts[last].Op) ? last : -1;
    }

    /// <summary>The value of parameter <paramref name="index"/> of <paramref name="block"/>.</summary>
    public int BlockParam(int block, int index)
    {
        int id = Blocks[block].First;
        for (int i = 0; i < index; i++)
        {
            id = Insts[id].Next;
        }
        return id;
    }

    // ---- instructions ----

    /// <summary>Makes room for <paramref name="extra"/> more instructions, so a pass holding refs into <see cref="Insts"/> can create that many.</summary>
    public void ReserveInsts(int extra)
    {
        if (InstCount + extra > Insts.Length)
        {
            Array.Resize(ref Insts, Math.Max(Insts.Length * 2, InstCount + extra));
        }
    }

    /// <summary>Creates an instruction (not in any block) and returns its id.</summary>
    public int NewInst(Op op, ValType type, int a = -1, int b = -1, int c = -1, long imm = 0, int aux = 0, int wasmOffset = -1)
    {
        // Typed references (3.0) are values of the top of their hierarchy here: a VMFuncRef address or a counted box.
        type = type.Erased();
        if (InstCount == Insts.Length)
        {
            Array.Resize(ref Insts, Insts.Length * 2);
        }
        int id = InstCount++;
        Insts[id] = new Inst
        {
            Op = op, Type = type, A = a, B = b, C = c, Imm = imm, Aux = aux,
            Block = -1, Prev = -1, Next = -1, WasmOffset = wasmOffset,
        };
        return id;
    }

    /// <summary>Appends instruction <paramref name="id"/> (in no block) at the end of <paramref name="block"/>.</summary>
    public void Append(int block, int id)
    {
        ref Block b = ref Blocks[block];
        ref Inst inst = ref Insts[id];
        inst.Block = block;
        inst.Prev = b.Last;
        inst.Next = -1;
        if (b.Last >= 0)
        {
            Insts[b.Last].Next = id;
        }
        else
        {
            b.First = id;
        }
        b.Last = id;
    }

    /// <summary>Inserts instruction <paramref name="id"/> (in no block) right before <paramref name="before"/>.</summary>
    public void InsertBefore(int id, int before)
    {
        ref Inst at = ref Insts[before];
        int block = at.Block;
        ref Inst inst = ref Insts[id];
        inst.Block = block;
        inst.Next = before;
        inst.Prev = at.Prev;
        if (at.Prev >= 0)
        {
            Insts[at.Prev].Next = id;
        }
        else
        {
            Blocks[block].First = id;
        }
        at.Prev = id;
    }

    /// <summary>Inserts instruction <paramref name="id"/> (in no block) right after <paramref name="after"/>.</summary>
    public void InsertAfter(int id, int after)
    {
        ref Inst at = ref Insts[after];
        int block = at.Block;
        ref Inst inst = ref Insts[id];
        inst.Block = block;
        inst.Prev = after;
        inst.Next = at.Next;
        if (at.Next >= 0)
        {
            Insts[at.Next].Prev = id;
        }
        else
        {
            Blocks[block].Last = id;
        }
        at.Next = id;
    }

    /// <summary>Unlinks instruction <paramref name="id"/> from its block (it keeps its id and fields).</summary>
    public void Unlink(int id)
    {
        ref Inst inst = ref Insts[id];
        int block = inst.Block;
        if (inst.Prev >= 0)
        {
            Insts[inst.Prev].Next = inst.Next;
        }
        else
        {
            Blocks[block].First = inst.Next;
        }
        if (inst.Next >= 0)
        {
            Insts[inst.Next].Prev = inst.Prev;
        }
        else
        {
            Blocks[block].Last = inst.Prev;
        }
        inst.Prev = inst.Next = -1;
        inst.Block = -1;
    }

    /// <summary>Unlinks and marks removed instruction <paramref name="id"/>.</summary>
    public void Remove(int id)
    {
        Unlink(id);
        Insts[id].Removed = true;
        Insts[id].Op = Op.Nop;
    }

    /// <summary>Moves instruction <paramref name="id"/> to just before the terminator of <paramref name="block"/>.</summary>
    public void MoveToEnd(int id, int block)
    {
        Unlink(id);
        int terminator = Terminator(block);
        if (terminator >= 0)
        {
            InsertBefore(id, terminator);
        }
        else
        {
            Append(block, id);
        }
    }

    /// <summary>Adds a parameter of <paramref name="type"/> at the end of <paramref name="block"/>'s parameters.</summary>
    public int AddBlockParam(int block, ValType type)
    {
        ref Block b = ref Blocks[block];
        int id = NewInst(Op.BlockParam, type, aux: b.ParamCount);
        if (b.ParamCount == 0)
        {
            if (b.First >= 0)
            {
                InsertBefore(id, b.First);
            }
            else
            {
                Append(block, id);
            }
        }
        else
        {
            InsertAfter(id, BlockParam(block, b.ParamCount - 1));
        }
        Blocks[block].ParamCount++;
        return id;
    }

    // ---- the pool and edges ----

    /// <summary>Reserves <paramref name="count"/> pool entries and returns the first.</summary>
    public int AllocPool(int count)
    {
        if (PoolCount + count > Pool.Length)
        {
            Array.Resize(ref Pool, Math.Max(Pool.Length * 2, PoolCount + count));
        }
        int start = PoolCount;
        PoolCount += count;
        return start;
    }

    /// <summary>Copies <paramref name="values"/> into the pool and returns the start.</summary>
    public int AddToPool(ReadOnlySpan<int> values)
    {
        int start = AllocPool(values.Length);
        values.CopyTo(Pool.AsSpan(start));
        return start;
    }

    /// <summary>A pool slice.</summary>
    public Span<int> PoolSlice(int start, int count) => Pool.AsSpan(start, count);

    /// <summary>Creates an edge to <paramref name="block"/> with <paramref name="args"/>.</summary>
    public int NewCall(int block, ReadOnlySpan<int> args)
    {
        if (CallCount == Calls.Length)
        {
            Array.Resize(ref Calls, Calls.Length * 2);
        }
        int id = CallCount++;
        Calls[id] = new BlockCall { Block = block, ArgStart = args.Length == 0 ? 0 : AddToPool(args), ArgCount = args.Length };
        return id;
    }

    /// <summary>The arguments of edge <paramref name="call"/>.</summary>
    public Span<int> CallArgs(int call) => Pool.AsSpan(Calls[call].ArgStart, Calls[call].ArgCount);

    /// <summary>The operands of a pool-operand instruction (calls, returns).</summary>
    public Span<int> PoolOperands(int inst) => Pool.AsSpan(Insts[inst].A, Insts[inst].B);

    /// <summary>The number of successor edges of terminator <paramref name="terminator"/>.</summary>
    public int SuccessorCount(int terminator)
    {
        ref Inst t = ref Insts[terminator];
        return t.Op switch
        {
            Op.Jump => 1,
            Op.Branch => 2,
            Op.BrTable => t.C,
            _ => 0,
        };
    }

    /// <summary>The edge <paramref name="index"/> of terminator <paramref name="terminator"/>.</summary>
    public int SuccessorCall(int terminator, int index)
    {
        ref Inst t = ref Insts[terminator];
        return t.Op switch
        {
            Op.Jump => t.A,
            Op.Branch => index == 0 ? t.B : t.C,
            _ => Pool[t.B + index],
        };
    }
}
