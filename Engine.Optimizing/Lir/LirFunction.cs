using Engine.Core;

namespace Engine.Optimizing.Lir;

/// <summary>
/// How an instruction uses one of its register operands. Positions: instruction i reads its uses at 2i and
/// writes its definitions at 2i+1, so a definition may take the register of a use that dies there.
/// </summary>
public enum OperandKind : byte
{
    /// <summary>Read at 2i.</summary>
    Use,
    /// <summary>Written at 2i+1.</summary>
    Def,
    /// <summary>Read at 2i and written at 2i+1 in the same register (x86's two-operand destination).</summary>
    UseDef,
    /// <summary>A scratch register for the instruction's sequence: distinct from every use and definition.</summary>
    Temp,
    /// <summary>Written before all uses are read (early clobber): distinct from the uses.</summary>
    EarlyDef,
}

/// <summary>One register operand of an LIR instruction: a virtual register or (ids below 32) a physical one.</summary>
public struct LOperand
{
    /// <summary>The register: 0..15 general-purpose, 16..31 xmm (physical), 32 and up virtual.</summary>
    public int Reg;
    /// <summary>How it is used.</summary>
    public OperandKind Kind;
    /// <summary>A use that may be read from the stack slot of a spilled value (x86 memory operand), or a definition that may be written to its slot (parallel moves).</summary>
    public bool AllowStack;
    /// <summary>After allocation: the location (<see cref="Location"/>).</summary>
    public int Loc;
}

/// <summary>Where a value is after register allocation: a physical register (0..31) or a frame slot.</summary>
public static class Location
{
    /// <summary>No location.</summary>
    public const int None = -1;
    /// <summary>Frame slots are encoded from here: loc = StackBase + byte offset from rsp.</summary>
    public const int StackBase = 1 << 20;

    public static bool IsRegister(int loc) => loc >= 0 && loc < 32;

    public static bool IsStack(int loc) => loc >= StackBase;

    public static int Stack(int byteOffset) => StackBase + byteOffset;

    public static int StackOffset(int loc) => loc - StackBase;
}

/// <summary>The physical registers as numbers 0..31 and the classes the allocator hands out.</summary>
public static class PhysicalRegisters
{
    public const int Count = 32;
    public const int FirstXmm = 16;
    public const int Rax = 0, Rcx = 1, Rdx = 2, Rbx = 3, Rsp = 4, Rbp = 5, Rsi = 6, Rdi = 7;
    public const int R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15;

    /// <summary>General-purpose registers the allocator may use: the caller-saved ones first, then rbx, r12, r13 (rax and r11 are the scratch registers of every sequence; r14, r15 are pinned).</summary>
    public static readonly int[] AllocatableGprs = [Rcx, Rdx, Rsi, Rdi, R8, R9, R10, Rbx, R12, R13];

    /// <summary>xmm0..xmm14 (xmm15 is the sequences' scratch register).</summary>
    public static readonly int[] AllocatableXmms = [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30];

    /// <summary>The caller-saved registers the allocator uses: a call clobbers them.</summary>
    public static readonly int[] CallerSaved = [Rcx, Rdx, Rsi, Rdi, R8, R9, R10, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30];

    public static bool IsCalleeSaved(int reg) => reg is Rbx or R12 or R13;

    public static bool IsXmm(int reg) => reg >= FirstXmm && reg < Count;

    private static readonly string[] s_names =
        ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];

    public static string Name(int reg) => reg < 16 ? s_names[reg] : $"xmm{reg - 16}";
}

/// <summary>
/// A virtual register: its type decides its class (xmm for floats and vectors), its spill slot size, and whether stack
/// maps list it (externrefs only: a funcref is a VMFuncRef address, which the collector must never count).
/// </summary>
public struct VReg
{
    public ValType Type;
    /// <summary>The IR value it holds, or -1 for a temporary.</summary>
    public int Value;

    public readonly bool IsXmm => Type is ValType.F32 or ValType.F64 or ValType.V128;
    public readonly bool IsExternRef => Type == ValType.ExternRef;
}

/// <summary>One machine instruction of the LIR: an operation (emitted by <c>LirEmitter</c>), its register operands, immediates.</summary>
public struct LInst
{
    public LOp Op;
    /// <summary>Operation-specific: an operand size, a condition, a wasm opcode, a builtin, a trap code.</summary>
    public int Aux;
    public long Imm;
    /// <summary>A second immediate (a table index, a flag, a data index).</summary>
    public int Imm2;
    /// <summary>Branch target (LIR block), the taken one for conditional branches.</summary>
    public int T1;
    /// <summary>The not-taken target of a conditional branch.</summary>
    public int T2;
    public int OperandStart;
    public int OperandCount;
    public int WasmOffset;
}

/// <summary>A block of the LIR: a contiguous run of instructions in the linear order.</summary>
public struct LBlock
{
    public int First;
    /// <summary>One past the last instruction.</summary>
    public int End;
    public int IrBlock;
    public int LoopDepth;
    /// <summary>The LIR block of the innermost loop header containing it, or -1.</summary>
    public int LoopHeader;
    public bool IsLoopHeader;
    public bool IsEntry;
    public int SuccStart;
    public int SuccCount;
    public int PredStart;
    public int PredCount;
}

/// <summary>
/// The function after instruction selection: blocks in linear order, each a contiguous run of machine
/// instructions over virtual registers, with the constraints the register allocator needs (fixed physical
/// registers, two-operand destinations, temporaries, which uses may read memory). The allocator adds
/// locations to the operands and moves between instructions; it never reorders or rewrites instructions.
/// </summary>
public sealed class LirFunction
{
    public LInst[] Insts = new LInst[256];
    public int InstCount;
    public LOperand[] Operands = new LOperand[512];
    public int OperandCount;
    public LBlock[] Blocks = new LBlock[32];
    public int BlockCount;
    public VReg[] VRegs = new VReg[256];
    /// <summary>Virtual register ids start at 32 (below are the physical registers); this counts all ids in use.</summary>
    public int VRegCount = PhysicalRegisters.Count;
    /// <summary>Successor and predecessor lists of the blocks.</summary>
    public int[] Edges = new int[64];
    public int EdgeCount;
    /// <summary>Per IR block, its LIR block (or -1).</summary>
    public int[] BlockOfIr = new int[32];
    /// <summary>Immediates too large for an instruction's fields (br_table targets, v128 constants' indices).</summary>
    public int[] Data = new int[64];
    public int DataCount;
    /// <summary>True when the function has a register entry (<see cref="RegisterConvention"/>): its parameters come in registers.</summary>
    public bool RegisterEntry;

    public void Reset(int irBlocks)
    {
        InstCount = 0;
        OperandCount = 0;
        BlockCount = 0;
        VRegCount = PhysicalRegisters.Count;
        EdgeCount = 0;
        DataCount = 0;
        if (BlockOfIr.Length < irBlocks)
        {
            BlockOfIr = new int[Math.Max(irBlocks, BlockOfIr.Length * 2)];
        }
        Array.Fill(BlockOfIr, -1, 0, irBlocks);
    }

    public int NewVReg(ValType type, int value = -1)
    {
        if (VRegCount == VRegs.Length)
        {
            Array.Resize(ref VRegs, VRegs.Length * 2);
        }
        VRegs[VRegCount] = new VReg { Type = type, Value = value };
        return VRegCount++;
    }

    public int AddData(int value)
    {
        if (DataCount == Data.Length)
        {
            Array.Resize(ref Data, Data.Length * 2);
        }
        Data[DataCount] = value;
        return DataCount++;
    }

    /// <summary>Appends an instruction and returns its index; add its operands right after with <see cref="AddOperand"/>.</summary>
    public int Add(LOp op, int aux = 0, long imm = 0, int imm2 = 0, int wasmOffset = -1)
    {
        if (InstCount == Insts.Length)
        {
            Array.Resize(ref Insts, Insts.Length * 2);
        }
        Insts[InstCount] = new LInst { Op = op, Aux = aux, Imm = imm, Imm2 = imm2, OperandStart = OperandCount, WasmOffset = wasmOffset };
        return InstCount++;
    }

    /// <summary>Adds an operand to the last instruction.</summary>
    public void AddOperand(int reg, OperandKind kind, bool allowStack = false)
    {
        if (OperandCount == Operands.Length)
        {
            Array.Resize(ref Operands, Operands.Length * 2);
        }
        Operands[OperandCount++] = new LOperand { Reg = reg, Kind = kind, AllowStack = allowStack, Loc = Location.None };
        Insts[InstCount - 1].OperandCount++;
    }

    public Span<LOperand> OperandsOf(int inst) => Operands.AsSpan(Insts[inst].OperandStart, Insts[inst].OperandCount);

    public ref LOperand Operand(int inst, int index) => ref Operands[Insts[inst].OperandStart + index];

    public ReadOnlySpan<int> Successors(int block) => Edges.AsSpan(Blocks[block].SuccStart, Blocks[block].SuccCount);

    public ReadOnlySpan<int> Predecessors(int block) => Edges.AsSpan(Blocks[block].PredStart, Blocks[block].PredCount);

    public bool IsXmm(int reg) => reg < PhysicalRegisters.Count ? PhysicalRegisters.IsXmm(reg) : VRegs[reg].IsXmm;
}
