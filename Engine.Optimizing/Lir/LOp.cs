namespace Engine.Optimizing.Lir;

/// <summary>
/// The machine operations of the LIR. Operands are listed in order ([Def dst, Use a] means operand 0 is the
/// definition); "any" marks uses that may be a stack slot (x86 memory operands). Sizes are
/// <c>Engine.CodeGen.X64.OperandSize</c> values; conditions are <see cref="Ir.IrCond"/>s unless said.
/// </summary>
public enum LOp : byte
{
    /// <summary>Nothing (a removed instruction).</summary>
    Nop,
    /// <summary>[Def dst, Use src any]: a copy (the whole register: 64 bits, or the whole xmm register).</summary>
    Move,
    /// <summary>[Def d0, Use s0 any, Def d1, Use s1 any, ...]: simultaneous copies (block parameters).</summary>
    ParallelMove,
    /// <summary>[Def dst]: dst = constant; Aux = its ValType, Imm = its bits (v128: Imm = index of the constant).</summary>
    Const,
    /// <summary>[Def dst]: a function parameter from the argument area, or an OSR state value; Imm = slot, Aux = ValType.</summary>
    LoadArg,
    /// <summary>
    /// [Use any...]: stores the results to the argument area and leaves with status 0. Imm2 = 1 in a function with a
    /// register entry: [Use the result's register], stored to the argument area only when the frame has one.
    /// </summary>
    Return,
    /// <summary>[Def physical...]: the parameters in the registers of the register convention (emits nothing: the entries put them there).</summary>
    Arguments,

    /// <summary>[UseDef dst, Use src any]: dst op= src; Aux = AluOp | size &lt;&lt; 8.</summary>
    Alu,
    /// <summary>[UseDef dst]: dst op= Imm (32-bit); Aux = AluOp | size &lt;&lt; 8.</summary>
    AluImm,
    /// <summary>[UseDef dst, Use src any]: dst *= src; Aux = size.</summary>
    Imul,
    /// <summary>[Def dst, Use src any]: dst = src * Imm; Aux = size.</summary>
    ImulImm,
    /// <summary>[UseDef dst, Use rcx]: shift or rotate by cl; Aux = ShiftOp | size &lt;&lt; 8.</summary>
    Shift,
    /// <summary>[UseDef dst]: by Imm; Aux = ShiftOp | size &lt;&lt; 8.</summary>
    ShiftImm,
    /// <summary>[Def dst, Use base, (Use index)]: dst = base + index * scale + Imm; Aux = size | scale &lt;&lt; 8 | hasIndex &lt;&lt; 16.</summary>
    Lea,
    /// <summary>[UseDef dst]: dst = -dst; Aux = size.</summary>
    Neg,
    /// <summary>[UseDef dividend (the result), Use divisor, Temp rdx]: wasm division or remainder (traps); Aux = size | signed &lt;&lt; 8 | remainder &lt;&lt; 9.</summary>
    DivRem,
    /// <summary>[UseDef dst]: clz (Imm = 0), ctz (1) or popcnt (2); Aux = size.</summary>
    BitCount,
    /// <summary>[Def dst, Use src any]: sign-extend the low Imm bits (8, 16, 32) to size Aux; Imm = 0 zero-extends 32 bits.</summary>
    Extend,
    /// <summary>[Def dst, Use a, Use b any]: dst = (a cond b) ? 1 : 0 (integers); Aux = cond | size &lt;&lt; 8.</summary>
    SetCc,
    /// <summary>[Def dst, Use a any]: dst = (a cond Imm) ? 1 : 0; Aux = cond | size &lt;&lt; 8.</summary>
    SetCcImm,
    /// <summary>[Def dst, Use a, Use b]: float compare to 0/1; Aux = cond | size &lt;&lt; 8.</summary>
    FloatSetCc,
    /// <summary>
    /// [UseDef dst (holds the value if true), Use other any, Use a, (Use b any)]: dst = cond ? dst : other. The
    /// condition: Imm2 = 0: a != 0 (test); 1: a cond b (integers); 2: a cond Imm; 3: a cond b (floats). Aux = cond | size
    /// of the compare &lt;&lt; 8 | size of the value &lt;&lt; 12 | value in xmm &lt;&lt; 16.
    /// </summary>
    Select,

    /// <summary>[UseDef dst, Use src any]: scalar float op (SseOp: add sub mul div); Aux = op | size &lt;&lt; 8.</summary>
    FloatBinary,

    /// <summary>
    /// An operation whose second operand is a load from linear memory (checked before), folded: [UseDef dst, (Use address)];
    /// the operation as in <see cref="Alu"/> (Imm2 bit 1 clear) or <see cref="FloatBinary"/> (Imm2 bit 1 set) or <see cref="Imul"/>
    /// (Imm2 bit 2 set), Aux as theirs; Imm = the offset (with the address for a constant address: Imm2 bit 0, no address operand).
    /// </summary>
    OpWithLoad,

    /// <summary>[Def dst, (Use address)]: a memory load at [r15 + address + Imm] (no address: Imm alone; Imm2 bit 3: at the host address a HeapAddress made); Aux = wasm opcode | lane &lt;&lt; 16; a load_lane also [.., UseDef vector] as dst.</summary>
    Load,
    /// <summary>[(Use address), Use value]: a memory store; Aux = wasm opcode | lane &lt;&lt; 16; Imm = offset; Imm2 = 1 when there is no address operand.</summary>
    Store,
    /// <summary>[(Use address)]: trap unless address + Imm &lt;= memory length (no operand: Imm alone).</summary>
    BoundsCheck,
    /// <summary>[Def dst]: memory.size of memory Imm.</summary>
    MemorySize,
    /// <summary>
    /// [Def dst, Use address]: dst = the host address of address + Imm (u64) in memory Aux &amp; 0xFFFFFF, checked for an
    /// access of Aux &gt;&gt; 24 bytes (trap on overflow or past the length); a load or store with Imm2 bit 3 reads it.
    /// </summary>
    HeapAddress,
    /// <summary>[Def dst]: dst = memory length - Imm (64 bits).</summary>
    BoundsLimit,
    /// <summary>[Use address, Use limit any]: trap unless address &lt;= limit (64 bits, signed: a limit below zero fails every address).</summary>
    BoundsCheckLimit,
    /// <summary>[Def dst]: global Imm's value; Aux = ValType.</summary>
    GlobalGet,
    /// <summary>[Use value]: global Imm = value; Aux = ValType.</summary>
    GlobalSet,
    /// <summary>[Def dst, Use index]: element of table Imm (traps out of bounds).</summary>
    TableGet,
    /// <summary>[Use index, Use value]: table Imm's element = value (traps out of bounds).</summary>
    TableSet,
    /// <summary>[Def dst]: table Imm's length.</summary>
    TableSize,
    /// <summary>[Def dst]: the funcref of function Imm.</summary>
    RefFunc,

    /// <summary>[Use src any]: outgoing slot Imm = src; Aux = ValType.</summary>
    StoreOut,
    /// <summary>[]: outgoing slot Imm = Imm2 (a 32-bit immediate, sign-extended to 64 bits).</summary>
    StoreOutImm,
    /// <summary>[Def dst]: dst = outgoing slot Imm; Aux = ValType.</summary>
    LoadOut,
    /// <summary>
    /// []: calls function Imm (arguments in the outgoing area); Aux = 1 when it is defined by this module. Clobbers the
    /// caller-saved registers; a safepoint. Imm2 = 1: a register call ([Use argument registers..., (Def result register)],
    /// <see cref="RegisterConvention"/>).
    /// </summary>
    Call,
    /// <summary>
    /// [Use index]: call_indirect of type Imm through table Imm2. Clobbers; a safepoint. Aux = 1: in the register
    /// convention ([Use index, Use argument registers..., (Def result register)]; a callee of this instance with a
    /// register entry is called there, any other through its native entry).
    /// </summary>
    CallIndirect,
    /// <summary>[]: builtin Imm with Aux arguments from the outgoing area; Imm2 = 1 when it returns a status (else its result goes to outgoing slot 0: an i32, or with Imm2 = 2 an i64). Clobbers; a safepoint.</summary>
    CallBuiltin,
    /// <summary>[Use src]: roots externref src unless null (outgoing slot 0 holds it after). Clobbers; a safepoint.</summary>
    RootRef,
    /// <summary>[]: fuel and epoch checks (Aux: 1 epoch, 2 fuel); the slow path keeps every register. A safepoint.</summary>
    InterruptCheck,

    /// <summary>[]: jump to block T1.</summary>
    Jump,
    /// <summary>[Use cond]: to T1 when cond != 0, else T2.</summary>
    Branch,
    /// <summary>[Use a, Use b any]: to T1 when a cond b, else T2; Aux = cond | size &lt;&lt; 8.</summary>
    CmpBranch,
    /// <summary>[Use a any]: to T1 when a cond Imm, else T2; Aux = cond | size &lt;&lt; 8.</summary>
    CmpImmBranch,
    /// <summary>[Use a, Use b]: float compare; to T1 when a cond b, else T2; Aux = cond | size &lt;&lt; 8.</summary>
    FloatCmpBranch,
    /// <summary>[Use index]: to block Data[Imm2 + index], or the default Data[Imm2 + Aux - 1] when index &gt;= Aux - 1.</summary>
    BrTable,
    /// <summary>[]: trap Aux.</summary>
    Trap,
    /// <summary>[]: leave with status 1 (a pending exception no try_table of the function takes goes on to the caller).</summary>
    Unwind,
    /// <summary>[]: tail call of function Imm (arguments in the outgoing area, Imm2 = their slots); Aux = 1 when defined by this module. Ends the function.</summary>
    ReturnCall,
    /// <summary>[Use index]: tail call of type Imm through table Aux (arguments in the outgoing area, Imm2 = their slots). Ends the function.</summary>
    ReturnCallIndirect,

    /// <summary>
    /// A wasm operator emitted by its shared sequence (conversions, float rounding and min/max, SIMD); Aux = wasm opcode,
    /// Imm = lane or shuffle constant index. Operands by the operator's shape (see the instruction selector).
    /// </summary>
    Wasm,
}

/// <summary>Facts about <see cref="LOp"/>s the allocator needs.</summary>
public static class LOpInfo
{
    /// <summary>True when the instruction clobbers every caller-saved register.</summary>
    public static bool Clobbers(LOp op) => op is LOp.Call or LOp.CallIndirect or LOp.CallBuiltin or LOp.RootRef;

    /// <summary>True when the collector may run during the instruction (its return address keys a stack map).</summary>
    public static bool IsSafepoint(LOp op) => Clobbers(op) || op == LOp.InterruptCheck;

    /// <summary>True for instructions that end a block.</summary>
    public static bool IsTerminator(LOp op) =>
        op is LOp.Jump or LOp.Branch or LOp.CmpBranch or LOp.CmpImmBranch or LOp.FloatCmpBranch or LOp.BrTable or LOp.Trap or LOp.Unwind or LOp.Return
            or LOp.ReturnCall or LOp.ReturnCallIndirect;
}
