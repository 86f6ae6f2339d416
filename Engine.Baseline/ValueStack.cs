using Engine.Core;

namespace Engine.Baseline;

/// <summary>Where a value of the lazy value stack is.</summary>
internal enum ValueKind : byte
{
    /// <summary>A constant not yet in any register or slot (<see cref="StackValue.Bits"/>).</summary>
    Const,
    /// <summary>The current value of a local (a <c>local.get</c> not yet copied anywhere).</summary>
    Local,
    /// <summary>In a register the value owns.</summary>
    Register,
    /// <summary>In its home slot: the frame slot of its operand-stack position.</summary>
    Home,
    /// <summary>An i32 0/1 still only in the flags of the last compare (<see cref="StackValue.Condition"/> true means 1).</summary>
    Flags,
}

/// <summary>One entry of the lazy value stack.</summary>
internal struct StackValue
{
    public ValueKind Kind;
    public ValType Type;
    public Reg Reg;
    public Cond Condition;
    public int Local;
    public long Bits;
    /// <summary>The high 64 bits of a v128 constant.</summary>
    public long Bits2;

    public override readonly string ToString() => Kind switch
    {
        ValueKind.Const => $"{Type.ToWatName()}.const {Bits}",
        ValueKind.Local => $"local {Local}",
        ValueKind.Register => $"{Type.ToWatName()} in {Reg}",
        ValueKind.Flags => $"flags {Condition}",
        _ => $"{Type.ToWatName()} at home",
    };
}

/// <summary>An operand ready to be used by one instruction: a register, a memory slot or an immediate.</summary>
internal readonly struct Operand
{
    public readonly byte Kind; // 0 register, 1 memory, 2 immediate
    public readonly Reg Reg;
    public readonly Mem Mem;
    public readonly long Imm;
    /// <summary>True when the register belongs to the operand (the consumer frees it).</summary>
    public readonly bool Owned;

    private Operand(byte kind, Reg reg, Mem mem, long imm, bool owned)
    {
        Kind = kind;
        Reg = reg;
        Mem = mem;
        Imm = imm;
        Owned = owned;
    }

    public static Operand InRegister(Reg reg, bool owned) => new(0, reg, default, 0, owned);
    public static Operand InMemory(Mem mem) => new(1, default, mem, 0, false);
    public static Operand Immediate(long value) => new(2, default, default, value, false);

    public bool IsRegister => Kind == 0;
    public bool IsMemory => Kind == 1;
    public bool IsImmediate => Kind == 2;

    /// <summary>An immediate that fits a sign-extended 32-bit field.</summary>
    public bool IsImm32 => Kind == 2 && Imm >= int.MinValue && Imm <= int.MaxValue;
}
