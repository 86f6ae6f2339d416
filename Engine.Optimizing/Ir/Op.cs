namespace Engine.Optimizing.Ir;

/// <summary>
/// The operations of the SSA IR. Integer, compare, memory and control operations the optimizer reasons
/// about have their own entries; the many operators it only moves around (float rounding, conversions,
/// SIMD) share a few generic entries that carry the wasm <see cref="Engine.Core.Opcode"/> in
/// <see cref="Inst.Aux"/>, so the code generator emits them through the shared wasm-semantic sequences.
/// </summary>
/// <remarks>
/// Operand fields by operation (A, B, C are value ids, -1 when unused):
/// <code>
///  Const         Imm = the bits (f32: low 32), any type but v128
///  V128Const     Imm = index into IrFunction.V128Constants
///  Param         function parameter: Aux = parameter index, Imm = its first slot in the argument area
///  BlockParam    a parameter of its block: Aux = its position
///  OsrValue      a value of the OSR state: Imm = its first slot in the state area
///  Iadd..Irotr   A op B (I32 or I64)
///  Idiv..Irem    A op B; may trap (divide by zero, overflow)
///  Iclz..        op A
///  Icmp          A cond B (Imm = IrCond), result I32; operands I32, I64 or references
///  Sext          sign-extend the low Imm bits (8, 16, 32) of A to the result type
///  Zext32        i64 from an i32 (the i32's register already has zero upper bits)
///  Wrap          i32 from an i64
///  Fadd..        float op (F32/F64 by type)
///  Fcmp          A cond B (Imm = IrCond: Eq Ne Lt Gt Le Ge on floats), result I32
///  Convert       Aux = wasm opcode: a non-trapping conversion (convert, promote, demote, trunc_sat)
///  TruncTrap     Aux = wasm opcode: a trapping float-to-integer truncation
///  Bitcast       reinterpret A's bits as the result type
///  Select        A != 0 ? B : C
///  Simd          Aux = wasm opcode: a SIMD operator on A, B, C (as many as it takes); Imm = lane index,
///                or for i8x16.shuffle the index of its lanes in IrFunction.V128Constants
///  BoundsCheck   trap unless A (i32, zero-extended) + Imm &lt;= memory length; A = -1 checks Imm alone;
///                Aux = <see cref="OpInfo.GuardedCheck"/>: guard pages cover the access it guards (the access faults
///                instead, so instruction selection drops the check when that access still comes right after it);
///                B = a BoundsLimit of the same Imm (or -1): then trap unless A &lt;= B (the same check)
///  BoundsLimit   memory 0's length in bytes - Imm (i64): a loop's bounds checks compare with it (hoisted)
///  Load          Aux = wasm opcode (low 16 bits) | lane &lt;&lt; 16: load at A + Imm (checked before);
///                B = the vector a load_lane inserts into
///  Store         Aux = wasm opcode | lane &lt;&lt; 16: store B at A + Imm (checked before)
///  MemorySize    Imm = memory index: its size in pages (i32; i64 for a 64-bit memory)
///  HeapAddress   the host address of A + Imm (A: an i32, or an i64 for a 64-bit memory; Imm: the u64 offset) in memory
///                Aux &amp; 0xFFFFFF (any memory but a 32-bit memory 0, which uses BoundsCheck), checked for the access size
///                Aux &gt;&gt; 24 there (trap unless the sum neither overflows nor passes the length); result I64. A load or
///                store whose A is a HeapAddress reads that host address (Imm 0). Memories only grow and never move, so an
///                equal HeapAddress that dominates is as good (numbered like a pure operation that may trap)
///  GlobalGet     Imm = global index (for an externref, the value still has to be rooted: RootRef)
///  GlobalSet     Imm = global index, A = value (numeric and funcref globals)
///  TableGet      Imm = table index, A = element index; traps out of bounds (the element, unrooted)
///  TableSet      Imm = table index, A = element index, B = value (funcref tables); traps out of bounds
///  TableSize     Imm = table index
///  RefFunc       Imm = function index
///  RootRef       A = an externref a frame is about to hold: enters the activations table (a call, a safepoint)
///  Call          Imm = function index; arguments Pool[A .. A+B)
///  CallIndirect  Imm = type index, Aux = table index; arguments Pool[A .. A+B), the element index last (Aux -1:
///                call_ref, the function reference last)
///  CallBuiltin   Imm = BuiltinId, C and Aux = its immediate operands; arguments Pool[A .. A+B);
///                result I32 when the builtin returns a value (memory.grow, table.grow), else none (a status)
///  CallResult    result Imm of call A (calls themselves have no value); Imm -1: the status of call A, a call inside a
///                try_table (0: it returned; else an exception or trap is pending and a Branch takes the landing edge);
///                of a CallBuiltin CatchException: the caught value at outgoing slot Imm
///  InterruptCheck fuel and/or epoch check (Aux: 1 = epoch, 2 = fuel); its slow path keeps every register
///  Jump          to BlockCall A
///  Branch        A != 0 ? BlockCall B : BlockCall C
///  BrTable       A = index; targets are BlockCalls Pool[B .. B+C), the last one the default
///  Return        results Pool[A .. A+B)
///  ReturnCall    tail call of function Imm: arguments Pool[A .. A+B) (3.0 return_call)
///  ReturnCallIndirect tail call of type Imm through table Aux: arguments then the index, Pool[A .. A+B) (Aux
///                CallRefTable: return_call_ref, the function reference last)
///  Unwind        leave with status 1: the pending exception (or trap) goes on to the caller (3.0 exceptions)
///  Trap          Imm = TrapCode
/// </code>
/// </remarks>
public enum Op : byte
{
    /// <summary>A removed instruction (never in a block's list).</summary>
    Nop,
    Const,
    V128Const,
    Param,
    BlockParam,
    OsrValue,

    Iadd,
    Isub,
    Imul,
    Iand,
    Ior,
    Ixor,
    Ishl,
    Isshr,
    Iushr,
    Irotl,
    Irotr,
    IdivS,
    IdivU,
    IremS,
    IremU,
    Iclz,
    Ictz,
    Ipopcnt,
    Icmp,
    Sext,
    Zext32,
    Wrap,

    Fadd,
    Fsub,
    Fmul,
    Fdiv,
    Fmin,
    Fmax,
    Fcopysign,
    Fabs,
    Fneg,
    Fsqrt,
    Fceil,
    Ffloor,
    Ftrunc,
    Fnearest,
    Fcmp,
    Convert,
    TruncTrap,
    Bitcast,
    Select,
    Simd,

    BoundsCheck,
    Load,
    Store,
    MemorySize,
    BoundsLimit,
    HeapAddress,
    GlobalGet,
    GlobalSet,
    TableGet,
    TableSet,
    TableSize,
    RefFunc,
    RootRef,

    Call,
    CallIndirect,
    CallBuiltin,
    CallResult,
    InterruptCheck,

    Jump,
    Branch,
    BrTable,
    Return,
    ReturnCall,
    ReturnCallIndirect,
    Unwind,
    Trap,
}

/// <summary>Comparison conditions of <see cref="Op.Icmp"/> and <see cref="Op.Fcmp"/> (floats use Eq, Ne, Lt, Gt, Le, Ge: the signed names).</summary>
public enum IrCond : byte
{
    Eq,
    Ne,
    LtS,
    LtU,
    GtS,
    GtU,
    LeS,
    LeU,
    GeS,
    GeU,
}

/// <summary>Helpers over <see cref="IrCond"/>.</summary>
public static class IrCondExtensions
{
    /// <summary>The condition that holds exactly when this one does not (integers; floats need care with NaN).</summary>
    public static IrCond Invert(this IrCond cond) => cond switch
    {
        IrCond.Eq => IrCond.Ne,
        IrCond.Ne => IrCond.Eq,
        IrCond.LtS => IrCond.GeS,
        IrCond.LtU => IrCond.GeU,
        IrCond.GtS => IrCond.LeS,
        IrCond.GtU => IrCond.LeU,
        IrCond.LeS => IrCond.GtS,
        IrCond.LeU => IrCond.GtU,
        IrCond.GeS => IrCond.LtS,
        _ => IrCond.LtU,
    };

    /// <summary>The condition with the operands swapped (a &lt; b == b &gt; a).</summary>
    public static IrCond Swap(this IrCond cond) => cond switch
    {
        IrCond.LtS => IrCond.GtS,
        IrCond.LtU => IrCond.GtU,
        IrCond.GtS => IrCond.LtS,
        IrCond.GtU => IrCond.LtU,
        IrCond.LeS => IrCond.GeS,
        IrCond.LeU => IrCond.GeU,
        IrCond.GeS => IrCond.LeS,
        IrCond.GeU => IrCond.LeU,
        _ => cond,
    };

    /// <summary>The text name (eq, ne, lt_s, ...; floats print lt, gt, le, ge).</summary>
    public static string Name(this IrCond cond, bool isFloat) => cond switch
    {
        IrCond.Eq => "eq",
        IrCond.Ne => "ne",
        IrCond.LtS => isFloat ? "lt" : "lt_s",
        IrCond.LtU => "lt_u",
        IrCond.GtS => isFloat ? "gt" : "gt_s",
        IrCond.GtU => "gt_u",
        IrCond.LeS => isFloat ? "le" : "le_s",
        IrCond.LeU => "le_u",
        IrCond.GeS => isFloat ? "ge" : "ge_s",
        _ => "ge_u",
    };
}

/// <summary>What an operation does besides computing its result, for the passes.</summary>
[Flags]
public enum OpFlags : ushort
{
    None = 0,
    /// <summary>No effect, no trap: the result depends only on the operands (value numbering, hoisting, removal when unused).</summary>
    Pure = 1,
    /// <summary>May trap (a trap is an effect: never removed, never hoisted; equal ones may merge when one dominates the other).</summary>
    CanTrap = 2,
    /// <summary>Reads state described by its alias class (see <see cref="AliasClasses"/>).</summary>
    Reads = 4,
    /// <summary>Writes state described by its alias class.</summary>
    Writes = 8,
    /// <summary>A call: clobbers the caller-saved registers and is a safepoint; reads and writes everything.</summary>
    IsCall = 16,
    /// <summary>Ends a block.</summary>
    Terminator = 32,
    /// <summary>Its operands are in the pool (A = start, B = count).</summary>
    PoolOperands = 64,
}

/// <summary>Static facts about each <see cref="Op"/>.</summary>
public static class OpInfo
{
    private static readonly OpFlags[] s_flags = BuildFlags();
    private static readonly string[] s_names = BuildNames();

    /// <summary>The flags of <paramref name="op"/>.</summary>
    public static OpFlags Flags(Op op) => s_flags[(int)op];

    /// <summary>True when the operation has no effect and cannot trap.</summary>
    public static bool IsPure(Op op) => (s_flags[(int)op] & OpFlags.Pure) != 0;

    /// <summary>True for block terminators.</summary>
    public static bool IsTerminator(Op op) => (s_flags[(int)op] & OpFlags.Terminator) != 0;

    /// <summary>True for operations that call out (wasm calls, builtins, rooting).</summary>
    public static bool IsCall(Op op) => (s_flags[(int)op] & OpFlags.IsCall) != 0;

    /// <summary>The printed name.</summary>
    public static string Name(Op op) => s_names[(int)op];

    /// <summary>Which of the fields A, B, C hold value operands (bits 1, 2, 4) when they are not -1; pool operands aside.</summary>
    public static int ValueFieldMask(Op op) => s_valueFields[(int)op];

    private static readonly byte[] s_valueFields = BuildValueFields();

    private static byte[] BuildValueFields()
    {
        var masks = new byte[(int)Op.Trap + 1];
        Array.Fill(masks, (byte)7);
        foreach (Op op in new[] { Op.Nop, Op.Const, Op.V128Const, Op.Param, Op.BlockParam, Op.OsrValue, Op.MemorySize, Op.BoundsLimit,
            Op.GlobalGet, Op.TableSize, Op.RefFunc, Op.InterruptCheck, Op.Trap, Op.Jump, Op.Call, Op.CallIndirect,
            Op.CallBuiltin, Op.Return, Op.CallResult, Op.ReturnCall, Op.ReturnCallIndirect, Op.Unwind })
        {
            masks[(int)op] = 0;
        }
        masks[(int)Op.Branch] = 1;
        masks[(int)Op.BrTable] = 1;
        return masks;
    }

    /// <summary>
    /// <see cref="Op.BoundsCheck"/>'s Aux when the function is compiled for guard-page memories and the reservation covers
    /// every address the check may see (<see cref="Engine.Core.CompilerOptions.GuardCovers"/>): the check still orders the access for
    /// every pass (it traps, so nothing moves across it), but costs nothing where its access is emitted right after it.
    /// </summary>
    public const int GuardedCheck = 1;

    private static OpFlags[] BuildFlags()
    {
        var flags = new OpFlags[(int)Op.Trap + 1];
        for (int i = 0; i < flags.Length; i++)
        {
            flags[i] = OpFlags.Pure;
        }
        flags[(int)Op.Nop] = OpFlags.None;
        flags[(int)Op.Param] = OpFlags.None;
        flags[(int)Op.BlockParam] = OpFlags.None;
        flags[(int)Op.OsrValue] = OpFlags.None;
        foreach (Op op in new[] { Op.IdivS, Op.IdivU, Op.IremS, Op.IremU, Op.TruncTrap, Op.BoundsCheck, Op.HeapAddress })
        {
            flags[(int)op] = OpFlags.CanTrap;
        }
        flags[(int)Op.Load] = OpFlags.Reads;
        flags[(int)Op.Store] = OpFlags.Writes;
        flags[(int)Op.MemorySize] = OpFlags.Reads;
        flags[(int)Op.BoundsLimit] = OpFlags.Reads;
        flags[(int)Op.GlobalGet] = OpFlags.Reads;
        flags[(int)Op.GlobalSet] = OpFlags.Writes;
        flags[(int)Op.TableGet] = OpFlags.Reads | OpFlags.CanTrap;
        flags[(int)Op.TableSet] = OpFlags.Writes | OpFlags.CanTrap;
        flags[(int)Op.TableSize] = OpFlags.Reads;
        // Rooting changes no state a wasm operator can read: it may run a collection, which only moves counts.
        flags[(int)Op.RootRef] = OpFlags.IsCall;
        flags[(int)Op.Call] = OpFlags.IsCall | OpFlags.Reads | OpFlags.Writes | OpFlags.CanTrap | OpFlags.PoolOperands;
        flags[(int)Op.CallIndirect] = OpFlags.IsCall | OpFlags.Reads | OpFlags.Writes | OpFlags.CanTrap | OpFlags.PoolOperands;
        flags[(int)Op.CallBuiltin] = OpFlags.IsCall | OpFlags.Reads | OpFlags.Writes | OpFlags.CanTrap | OpFlags.PoolOperands;
        flags[(int)Op.CallResult] = OpFlags.None;
        flags[(int)Op.InterruptCheck] = OpFlags.CanTrap;
        flags[(int)Op.Jump] = OpFlags.Terminator;
        flags[(int)Op.Branch] = OpFlags.Terminator;
        flags[(int)Op.BrTable] = OpFlags.Terminator;
        flags[(int)Op.Return] = OpFlags.Terminator | OpFlags.PoolOperands;
        flags[(int)Op.ReturnCall] = OpFlags.Terminator | OpFlags.PoolOperands | OpFlags.IsCall | OpFlags.Reads | OpFlags.Writes | OpFlags.CanTrap;
        flags[(int)Op.ReturnCallIndirect] = OpFlags.Terminator | OpFlags.PoolOperands | OpFlags.IsCall | OpFlags.Reads | OpFlags.Writes | OpFlags.CanTrap;
        flags[(int)Op.Trap] = OpFlags.Terminator;
        flags[(int)Op.Unwind] = OpFlags.Terminator;
        return flags;
    }

    private static string[] BuildNames()
    {
        var names = new string[(int)Op.Trap + 1];
        for (int i = 0; i < names.Length; i++)
        {
            string name = ((Op)i).ToString();
            var text = new System.Text.StringBuilder();
            for (int k = 0; k < name.Length; k++)
            {
                char c = name[k];
                if (char.IsUpper(c) && k > 0)
                {
                    text.Append('_');
                }
                text.Append(char.ToLowerInvariant(c));
            }
            names[i] = text.ToString();
        }
        return names;
    }
}
