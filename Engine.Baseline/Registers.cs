namespace Engine.Baseline;

/// <summary>A machine register: a general-purpose register (rax..r15) or an SSE register (xmm0..xmm15).</summary>
/// <param name="Number">The hardware number, 0..15.</param>
/// <param name="IsFloat">True for xmm registers.</param>
internal readonly record struct Reg(byte Number, bool IsFloat)
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

    public static Reg Gpr(int number) => new((byte)number, false);

    public static Reg Xmm(int number) => new((byte)number, true);

    private static readonly string[] s_names =
        ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];

    public override string ToString() => IsFloat ? $"xmm{Number}" : s_names[Number];
}

/// <summary>
/// The registers of the baseline tier's convention (tiers.md section 4): what is reserved, what is scratch,
/// what the allocator may hand out.
/// </summary>
internal static class Registers
{
    /// <summary>The function's own VMContext (callee-saved, so valid across calls).</summary>
    public static readonly Reg Vmctx = Reg.R14;

    /// <summary>The base of linear memory 0 (callee-saved; loaded in the prologue, it never moves).</summary>
    public static readonly Reg MemoryBase = Reg.R15;

    /// <summary>Scratch registers used inside one operation's sequence, never allocated: rax (also the status), r11.</summary>
    public static readonly Reg Scratch = Reg.Rax;

    /// <summary>The second scratch register.</summary>
    public static readonly Reg Scratch2 = Reg.R11;

    /// <summary>General-purpose registers the allocator hands out (all caller-saved: everything is spilled at calls).</summary>
    public static readonly Reg[] AllocatableGprs = [Reg.Rcx, Reg.Rdx, Reg.Rsi, Reg.Rdi, Reg.R8, Reg.R9, Reg.R10];

    /// <summary>SSE registers the allocator hands out (xmm15 is scratch).</summary>
    public static readonly Reg[] AllocatableXmms =
        [Reg.Xmm(0), Reg.Xmm(1), Reg.Xmm(2), Reg.Xmm(3), Reg.Xmm(4), Reg.Xmm(5), Reg.Xmm(6), Reg.Xmm(7),
         Reg.Xmm(8), Reg.Xmm(9), Reg.Xmm(10), Reg.Xmm(11), Reg.Xmm(12), Reg.Xmm(13), Reg.Xmm(14)];

    /// <summary>The SysV argument registers, in order (builtins take the VMContext in the first).</summary>
    public static readonly Reg[] Arguments = [Reg.Rdi, Reg.Rsi, Reg.Rdx, Reg.Rcx, Reg.R8, Reg.R9];
}

/// <summary>An x86 condition (the low nibble of Jcc/SETcc/CMOVcc).</summary>
internal enum Cond : byte
{
    Overflow = 0,
    NoOverflow = 1,
    Below = 2,
    AboveOrEqual = 3,
    Equal = 4,
    NotEqual = 5,
    BelowOrEqual = 6,
    Above = 7,
    Sign = 8,
    NoSign = 9,
    Parity = 10,
    NoParity = 11,
    Less = 12,
    GreaterOrEqual = 13,
    LessOrEqual = 14,
    Greater = 15,
}

internal static class CondExtensions
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
internal readonly record struct Mem(Reg Base, Reg Index, int Scale, int Displacement)
{
    /// <summary>No index register.</summary>
    public static readonly Reg NoIndex = new(255, false);

    public Mem(Reg @base, int displacement) : this(@base, NoIndex, 1, displacement) { }

    public bool HasIndex => Index.Number != 255;

    /// <summary>A frame slot: [rsp + offset].</summary>
    public static Mem Frame(int offset) => new(Reg.Rsp, offset);

    public Mem Plus(int bytes) => this with { Displacement = Displacement + bytes };
}
