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
