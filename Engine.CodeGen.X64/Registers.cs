using Iced.Intel;

namespace Engine.CodeGen.X64;

/// <summary>A machine register: a general-purpose register (rax..r15) or an SSE register (xmm0..xmm15).</summary>
/// <param name="Number">The hardware number, 0..15.</param>
/// <param name="IsFloat">True for xmm registers.</param>
public readonly record struct Reg(byte Number, bool IsFloat)
{
    public static readonly Reg Rax = new(0, false);
    public static readonly Reg Rcx = new(1, false);
    public static readonly Reg Rdx = new(2, false);
    public static readonly Reg Rbx = new(3, false);
    public static readonly Reg Rsp = new(4, false);
    public static readonly Reg Rbp = new(5, false);
    public static readonly Reg Rsi = new(6, false);
    public static readonly Reg Rdi = new(7, false);
    public static readonly Reg R8 = new(8, false);
    public static readonly Reg R9 = new(9, false);
    public static readonly Reg R10 = new(10, false);
    public static readonly Reg R11 = new(11, false);
    public static readonly Reg R12 = new(12, false);
    public static readonly Reg R13 = new(13, false);
    public static readonly Reg R14 = new(14, false);
    public static readonly Reg R15 = new(15, false);

    /// <summary>No register.</summary>
    public static readonly Reg None = new(255, false);

    /// <summary>The scratch SSE register: never allocated, free for any one operation's sequence.</summary>
    public static readonly Reg XmmScratch = Xmm(15);

    /// <summary>General-purpose register <paramref name="number"/> (0 = rax ... 15 = r15).</summary>
    public static Reg Gpr(int number) => new((byte)number, false);

    /// <summary>SSE register xmm<paramref name="number"/>.</summary>
    public static Reg Xmm(int number) => new((byte)number, true);

    /// <summary>The register of an Iced register of any width (eax, rax and al are all rax; xmm3 and ymm3 are xmm3).</summary>
    public static Reg FromIced(Register register)
    {
        Register full = register.GetFullRegister();
        if (full >= Register.RAX && full <= Register.R15)
        {
            return Gpr(full - Register.RAX);
        }
        if (full >= Register.ZMM0 && full <= Register.ZMM15)
        {
            return Xmm(full - Register.ZMM0);
        }
        throw new ArgumentOutOfRangeException(nameof(register), register, "not a general-purpose or xmm0-15 register");
    }

    private static readonly string[] s_names =
        ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];

    /// <inheritdoc/>
    public override string ToString() => IsFloat ? $"xmm{Number}" : Number < 16 ? s_names[Number] : "none";
}

/// <summary>
/// The registers of the native convention every compiled tier follows (tiers.md section 4): the pinned ones,
/// the scratch ones sequences may clobber, and the SysV argument order. Which of the rest a tier allocates,
/// and how, is the tier's business.
/// </summary>
public static class Registers
{
    /// <summary>The function's own VMContext (callee-saved, so valid across calls).</summary>
    public static readonly Reg Vmctx = Reg.R14;

    /// <summary>The base of linear memory 0 (callee-saved; loaded in the prologue, it never moves).</summary>
    public static readonly Reg MemoryBase = Reg.R15;

    /// <summary>Scratch register of the shared sequences, never allocated: rax (also the status register after calls).</summary>
    public static readonly Reg Scratch = Reg.Rax;

    /// <summary>The second scratch register of the shared sequences, never allocated: r11.</summary>
    public static readonly Reg Scratch2 = Reg.R11;

    /// <summary>The scratch SSE register of the shared sequences, never allocated: xmm15.</summary>
    public static readonly Reg XmmScratch = Reg.XmmScratch;

    /// <summary>The SysV argument registers, in order (builtins take the VMContext in the first).</summary>
    public static readonly Reg[] Arguments = [Reg.Rdi, Reg.Rsi, Reg.Rdx, Reg.Rcx, Reg.R8, Reg.R9];

    /// <summary>The callee-saved general registers a tier may use for its own values (the prologue saves those it uses).</summary>
    public static readonly Reg[] CalleeSaved = [Reg.Rbx, Reg.R12, Reg.R13];

    /// <summary>True for rbx, r12 and r13: registers a function must restore before it returns (rbp, r14, r15 are the convention's).</summary>
    public static bool IsCalleeSaved(Reg reg) => !reg.IsFloat && (reg == Reg.Rbx || reg == Reg.R12 || reg == Reg.R13);
}

/// <summary>An x86 condition (the low nibble of Jcc/SETcc/CMOVcc).</summary>
public enum Cond : byte
{
    Overflow = 0,
    NoOverflow = 1,
    /// <summary>Unsigned less than (CF).</summary>
    Below = 2,
    /// <summary>Unsigned greater than or equal (not CF).</summary>
    AboveOrEqual = 3,
    Equal = 4,
    NotEqual = 5,
    /// <summary>Unsigned less than or equal.</summary>
    BelowOrEqual = 6,
    /// <summary>Unsigned greater than.</summary>
    Above = 7,
    Sign = 8,
    NoSign = 9,
    Parity = 10,
    NoParity = 11,
    /// <summary>Signed less than.</summary>
    Less = 12,
    GreaterOrEqual = 13,
    LessOrEqual = 14,
    Greater = 15,
}

/// <summary>Operations on <see cref="Cond"/>.</summary>
public static class CondExtensions
{
    /// <summary>The opposite condition.</summary>
    public static Cond Negate(this Cond cond) => (Cond)((byte)cond ^ 1);

    /// <summary>The condition with its operands swapped (a &lt; b == b &gt; a).</summary>
    public static Cond Swap(this Cond cond) => cond switch
    {
        Cond.Below => Cond.Above,
        Cond.Above => Cond.Below,
        Cond.BelowOrEqual => Cond.AboveOrEqual,
        Cond.AboveOrEqual => Cond.BelowOrEqual,
        Cond.Less => Cond.Greater,
        Cond.Greater => Cond.Less,
        Cond.LessOrEqual => Cond.GreaterOrEqual,
        Cond.GreaterOrEqual => Cond.LessOrEqual,
        _ => cond,
    };
}

/// <summary>A memory operand: [base + index * scale + displacement].</summary>
public readonly record struct Mem(Reg Base, Reg Index, int Scale, int Displacement)
{
    /// <summary>No index register.</summary>
    public static readonly Reg NoIndex = new(255, false);

    /// <summary>[base + displacement].</summary>
    public Mem(Reg @base, int displacement) : this(@base, NoIndex, 1, displacement) { }

    /// <summary>True when the operand has an index register.</summary>
    public bool HasIndex => Index.Number != 255;

    /// <summary>A frame slot: [rsp + offset].</summary>
    public static Mem Frame(int offset) => new(Reg.Rsp, offset);

    /// <summary>The operand <paramref name="bytes"/> further.</summary>
    public Mem Plus(int bytes) => this with { Displacement = Displacement + bytes };
}

/// <summary>The kinds of <see cref="Operand"/>.</summary>
public enum OperandKind : byte
{
    /// <summary>A register.</summary>
    Register,
    /// <summary>A memory location.</summary>
    Memory,
    /// <summary>An immediate.</summary>
    Immediate,
}

/// <summary>An instruction's source operand where several forms are allowed: a register, a memory location, or an immediate.</summary>
public readonly struct Operand
{
    /// <summary>Which form the operand has.</summary>
    public readonly OperandKind Kind;

    /// <summary>The register (<see cref="OperandKind.Register"/>).</summary>
    public readonly Reg Reg;

    /// <summary>The memory location (<see cref="OperandKind.Memory"/>).</summary>
    public readonly Mem Mem;

    /// <summary>The value (<see cref="OperandKind.Immediate"/>).</summary>
    public readonly long Imm;

    private Operand(OperandKind kind, Reg reg, Mem mem, long imm)
    {
        Kind = kind;
        Reg = reg;
        Mem = mem;
        Imm = imm;
    }

    /// <summary>A register operand.</summary>
    public static Operand InRegister(Reg reg) => new(OperandKind.Register, reg, default, 0);

    /// <summary>A memory operand.</summary>
    public static Operand InMemory(Mem mem) => new(OperandKind.Memory, default, mem, 0);

    /// <summary>An immediate operand.</summary>
    public static Operand Immediate(long value) => new(OperandKind.Immediate, default, default, value);

    /// <summary>True for a register.</summary>
    public bool IsRegister => Kind == OperandKind.Register;

    /// <summary>True for a memory location.</summary>
    public bool IsMemory => Kind == OperandKind.Memory;

    /// <summary>True for an immediate.</summary>
    public bool IsImmediate => Kind == OperandKind.Immediate;

    /// <summary>An immediate that fits a sign-extended 32-bit field.</summary>
    public bool IsImm32 => Kind == OperandKind.Immediate && Imm >= int.MinValue && Imm <= int.MaxValue;

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        OperandKind.Register => Reg.ToString(),
        OperandKind.Memory => $"[{Mem.Base}{(Mem.HasIndex ? $"+{Mem.Index}*{Mem.Scale}" : "")}{Mem.Displacement:+0;-0}]",
        _ => Imm.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>The width of an operation or operand (Winch's <c>OperandSize</c>): S32 is i32 or f32, S64 is i64 or f64.</summary>
public enum OperandSize : byte
{
    /// <summary>8 bits.</summary>
    S8,
    /// <summary>16 bits.</summary>
    S16,
    /// <summary>32 bits: i32, f32.</summary>
    S32,
    /// <summary>64 bits: i64, f64, references.</summary>
    S64,
    /// <summary>128 bits: v128.</summary>
    S128,
}

/// <summary>Operations on <see cref="OperandSize"/>.</summary>
public static class OperandSizeExtensions
{
    /// <summary>The size in bytes.</summary>
    public static int Bytes(this OperandSize size) => 1 << (int)size;

    /// <summary>The size in bits.</summary>
    public static int Bits(this OperandSize size) => 8 << (int)size;

    /// <summary>The size of <paramref name="bytes"/> (1, 2, 4, 8 or 16).</summary>
    public static OperandSize FromBytes(int bytes) => bytes switch
    {
        1 => OperandSize.S8,
        2 => OperandSize.S16,
        4 => OperandSize.S32,
        8 => OperandSize.S64,
        16 => OperandSize.S128,
        _ => throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "not 1, 2, 4, 8 or 16"),
    };
}

/// <summary>Signed or unsigned interpretation of an integer (a division, a conversion, an extension, a lane order).</summary>
public enum Signedness : byte
{
    /// <summary>Unsigned (zero extension).</summary>
    Unsigned,
    /// <summary>Two's complement (sign extension).</summary>
    Signed,
}

/// <summary>How a float is rounded to an integral float (the SSE4.1 rounding-mode immediate).</summary>
public enum RoundingMode : byte
{
    /// <summary>To nearest, ties to even (<c>nearest</c>).</summary>
    Nearest = 0,
    /// <summary>Toward negative infinity (<c>floor</c>).</summary>
    Down = 1,
    /// <summary>Toward positive infinity (<c>ceil</c>).</summary>
    Up = 2,
    /// <summary>Toward zero (<c>trunc</c>).</summary>
    Zero = 3,
}

/// <summary>What a float-to-integer truncation does with NaN and out-of-range inputs.</summary>
public enum TruncKind : byte
{
    /// <summary>Traps (<c>i32.trunc_f32_s</c> and the like): NaN is InvalidConversionToInteger, out of range IntegerOverflow.</summary>
    Checked,
    /// <summary>Saturates (<c>i32.trunc_sat_f32_s</c> and the like): NaN gives 0, out of range the nearest bound.</summary>
    Saturating,
}

/// <summary>The minimum or the maximum.</summary>
public enum MinMax : byte
{
    /// <summary>The smaller operand.</summary>
    Min,
    /// <summary>The larger operand.</summary>
    Max,
}

/// <summary>The quotient or the remainder of a division.</summary>
public enum DivRem : byte
{
    /// <summary>The quotient.</summary>
    Quotient,
    /// <summary>The remainder.</summary>
    Remainder,
}
