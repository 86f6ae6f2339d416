using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Engine.CodeGen.X64;

/// <summary>A code position to branch to, created by <see cref="MacroAssembler.CreateLabel"/>.</summary>
/// <param name="Id">Index into the assembler's labels.</param>
public readonly record struct MLabel(int Id);

/// <summary>Two-operand integer instructions of the form <c>op dst, src</c>.</summary>
public enum AluOp : byte
{
    Add,
    Sub,
    And,
    Or,
    Xor,
    Cmp,
}

/// <summary>Shift and rotate instructions.</summary>
public enum ShiftOp : byte
{
    Shl,
    Sar,
    Shr,
    Rol,
    Ror,
}

/// <summary>Scalar SSE arithmetic (ss or sd by the operand size).</summary>
public enum SseOp : byte
{
    Add,
    Sub,
    Mul,
    Div,
    Min,
    Max,
    Sqrt,
}

/// <summary>Packed bitwise SSE instructions (used on scalars for abs, neg, copysign).</summary>
public enum SseBitOp : byte
{
    And,
    AndNot,
    Or,
    Xor,
}

/// <summary>
/// The x86-64 macro assembler over Iced, shared by the compiled tiers: the only class that touches Iced's
/// assembler. Everything above it speaks in registers, memory operands, labels, conditions and
/// <see cref="OperandSize"/>s; this class turns each request into one or a few instructions and finally into
/// bytes. Besides assembling, it keeps what the artifact needs about code positions: instruction marks (for
/// the native-to-wasm offset map and stack maps), label positions, and 32-bit fields patched after assembly
/// (the frame size, jump tables). Integer operations take <see cref="OperandSize.S32"/> or
/// <see cref="OperandSize.S64"/>; scalar float ones S32 (f32, ss) or S64 (f64, sd).
/// </summary>
public sealed partial class MacroAssembler
{
    private readonly Assembler _asm = new(64) { PreferShortBranch = false };
    private readonly List<(MLabel Table, MLabel[] Targets)> _jumpTables = new();
    private readonly List<(MLabel Label, long Low, long High)> _literals = new();

    /// <summary>Forgets everything emitted, to assemble another function with the same buffers.</summary>
    public void Reset()
    {
        ResetStream();
        _jumpTables.Clear();
        _literals.Clear();
    }

    // ---- register conversions (the only place registers become Iced's) ----

    private static AssemblerRegister64 R64(Reg r) => new(Register.RAX + r.Number);
    private static AssemblerRegister32 R32(Reg r) => new(Register.EAX + r.Number);
    private static AssemblerRegister16 R16(Reg r) => new(Register.AX + r.Number);
    private static AssemblerRegister8 R8(Reg r) => r.Number switch
    {
        4 => spl,
        5 => bpl,
        6 => sil,
        7 => dil,
        < 4 => new AssemblerRegister8(Register.AL + r.Number),
        _ => new AssemblerRegister8(Register.R8L + (r.Number - 8)),
    };
    private static AssemblerRegisterXMM X(Reg r) => new(Register.XMM0 + r.Number);

    private static AssemblerMemoryOperand M(Mem m, OperandSize size)
    {
        AssemblerMemoryOperand address = m.HasIndex
            ? R64(m.Base) + R64(m.Index) * m.Scale + m.Displacement
            : R64(m.Base) + m.Displacement;
        return size switch
        {
            OperandSize.S8 => __byte_ptr[address],
            OperandSize.S16 => __word_ptr[address],
            OperandSize.S32 => __dword_ptr[address],
            _ => __qword_ptr[address],
        };
    }

    private static AssemblerMemoryOperand Q(Mem m) => M(m, OperandSize.S64);
    private static AssemblerMemoryOperand D(Mem m) => M(m, OperandSize.S32);

    private static bool Is64(OperandSize size) => size == OperandSize.S64;

    // ---- moves ----

    /// <summary>dst = src (32 bits zero-extend; nothing when they are the same register).</summary>
    public void Mov(OperandSize size, Reg dst, Reg src)
    {
        if (dst == src)
        {
            return;
        }
        if (!_icedOnly)
        {
            EmitRR(Is64(size), 0x89, src.Number, dst.Number); // Mov_rm64_r64 / Mov_rm32_r32
            return;
        }
        if (dst == src)
        {
            return;
        }
        if (Is64(size))
        {
            _asm.mov(R64(dst), R64(src));
        }
        else
        {
            _asm.mov(R32(dst), R32(src));
        }
    }

    /// <summary>dst = imm (a 32-bit immediate zero-extends; a 64-bit one is sign-extended from 32 bits when it fits). Zero uses xor unless <paramref name="keepFlags"/>.</summary>
    public void MovImm(OperandSize size, Reg dst, long value, bool keepFlags = false)
    {
        if (!_icedOnly)
        {
            MovImmByHand(size, dst, value, keepFlags);
            return;
        }
        if (value == 0 && !keepFlags)
        {
            _asm.xor(R32(dst), R32(dst));
        }
        else if (!Is64(size) || (ulong)value <= uint.MaxValue)
        {
            _asm.mov(R32(dst), (uint)value);
        }
        else if (value >= int.MinValue && value <= int.MaxValue)
        {
            _asm.mov(R64(dst), (int)value);
        }
        else
        {
            _asm.mov(R64(dst), value);
        }
    }

    // Xor_rm32_r32, Mov_r32_imm32 or Mov_r64_imm64: the forms Iced's assembler picks for MovImm (its mov r64, imm takes
    // the 10-byte form for every value, a negative int's too).
    private void MovImmByHand(OperandSize size, Reg dst, long value, bool keepFlags)
    {
        int d = dst.Number;
        if (value == 0 && !keepFlags)
        {
            EmitRR(false, 0x31, d, d);
            return;
        }
        byte[] b = Open(out int p, out _);
        bool wide = Is64(size) && (ulong)value > uint.MaxValue;
        Rex(b, ref p, wide, 0, 0, d);
        b[p++] = (byte)(0xB8 + (d & 7));
        Imm32(b, ref p, (int)value);
        if (wide)
        {
            Imm32(b, ref p, (int)(value >> 32));
        }
        Close(p);
    }

    /// <summary>dst = [src] (32 or 64 bits).</summary>
    public void Load(OperandSize size, Reg dst, Mem src)
    {
        if (!_icedOnly && Plain(src))
        {
            EmitRM(Is64(size), 0x8B, dst.Number, src); // Mov_r64_rm64 / Mov_r32_rm32
            return;
        }
        if (Is64(size))
        {
            _asm.mov(R64(dst), Q(src));
        }
        else
        {
            _asm.mov(R32(dst), D(src));
        }
    }

    /// <summary>[dst] = the low 8, 16, 32 or 64 bits of src.</summary>
    public void Store(OperandSize size, Mem dst, Reg src)
    {
        if (!_icedOnly && Plain(dst))
        {
            // Mov_rm8_r8 (a REX for spl..dil), Mov_rm16_r16 (66), Mov_rm32_r32, Mov_rm64_r64.
            EmitRM(Is64(size), size == OperandSize.S8 ? 0x88 : 0x89, src.Number, dst, prefix: size == OperandSize.S16 ? (byte)0x66 : (byte)0, byteReg: size == OperandSize.S8);
            return;
        }
        switch (size)
        {
            case OperandSize.S8:
                _asm.mov(M(dst, OperandSize.S8), R8(src));
                break;
            case OperandSize.S16:
                _asm.mov(M(dst, OperandSize.S16), R16(src));
                break;
            case OperandSize.S32:
                _asm.mov(D(dst), R32(src));
                break;
            default:
                _asm.mov(Q(dst), R64(src));
                break;
        }
    }

    /// <summary>[dst] = imm32 (sign-extended to 64 bits for S64).</summary>
    public void StoreImm(OperandSize size, Mem dst, int value)
    {
        if (!_icedOnly && Plain(dst))
        {
            EmitRM(Is64(size), 0xC7, 0, dst, immBytes: 4, imm: value); // Mov_rm64_imm32 / Mov_rm32_imm32
            return;
        }
        if (Is64(size))
        {
            _asm.mov(Q(dst), value);
        }
        else
        {
            _asm.mov(D(dst), value);
        }
    }

    /// <summary>
    /// Loads <paramref name="from"/> (8, 16, 32 or 64 bits), sign- or zero-extending to <paramref name="to"/> (32 or
    /// 64 bits; a 32-bit register write zero-extends to 64).
    /// </summary>
    public void LoadExtend(Reg dst, Mem src, OperandSize from, Signedness signedness, OperandSize to)
    {
        if (!_icedOnly && Plain(src))
        {
            // Mov_r64_rm64, Movzx_r32_rm8/16, Mov_r32_rm32, Movsx_r32/r64_rm8/16, Movsxd_r64_rm32.
            (bool w, int opcode) = (from, signedness) switch
            {
                (OperandSize.S64, _) => (true, 0x8B),
                (OperandSize.S8, Signedness.Unsigned) => (false, 0x0FB6),
                (OperandSize.S16, Signedness.Unsigned) => (false, 0x0FB7),
                (OperandSize.S32, Signedness.Unsigned) => (false, 0x8B),
                (OperandSize.S32, _) when !Is64(to) => (false, 0x8B),
                (OperandSize.S8, _) => (Is64(to), 0x0FBE),
                (OperandSize.S16, _) => (Is64(to), 0x0FBF),
                _ => (true, 0x63),
            };
            EmitRM(w, opcode, dst.Number, src);
            return;
        }
        switch (from, signedness)
        {
            case (OperandSize.S64, _):
                _asm.mov(R64(dst), Q(src));
                break;
            case (OperandSize.S8, Signedness.Unsigned):
                _asm.movzx(R32(dst), M(src, OperandSize.S8));
                break;
            case (OperandSize.S16, Signedness.Unsigned):
                _asm.movzx(R32(dst), M(src, OperandSize.S16));
                break;
            case (OperandSize.S32, Signedness.Unsigned):
                _asm.mov(R32(dst), D(src));
                break;
            case (OperandSize.S32, _) when !Is64(to):
                _asm.mov(R32(dst), D(src));
                break;
            case (OperandSize.S8, _):
                if (Is64(to))
                {
                    _asm.movsx(R64(dst), M(src, OperandSize.S8));
                }
                else
                {
                    _asm.movsx(R32(dst), M(src, OperandSize.S8));
                }
                break;
            case (OperandSize.S16, _):
                if (Is64(to))
                {
                    _asm.movsx(R64(dst), M(src, OperandSize.S16));
                }
                else
                {
                    _asm.movsx(R32(dst), M(src, OperandSize.S16));
                }
                break;
            default:
                _asm.movsxd(R64(dst), D(src));
                break;
        }
    }

    /// <summary>dst = the address of src.</summary>
    public void Lea(Reg dst, Mem src)
    {
        if (!_icedOnly && Plain(src))
        {
            EmitRM(true, 0x8D, dst.Number, src, lea: true); // Lea_r64_m
            return;
        }
        _asm.lea(R64(dst), Q(src));
    }

    /// <summary>dst = the address <paramref name="src"/> computes, in <paramref name="size"/> bits (32-bit: the sum wraps and zero-extends).</summary>
    public void Lea(OperandSize size, Reg dst, Mem src)
    {
        if (!_icedOnly && Plain(src))
        {
            EmitRM(Is64(size), 0x8D, dst.Number, src, lea: true); // Lea_r64_m / Lea_r32_m
            return;
        }
        if (Is64(size))
        {
            _asm.lea(R64(dst), Q(src));
        }
        else
        {
            _asm.lea(R32(dst), Q(src));
        }
    }

    /// <summary>dst = src + imm in one lea (32-bit: the sum wraps and zero-extends).</summary>
    public void LeaAdd(OperandSize size, Reg dst, Reg src, int imm)
    {
        if (!_icedOnly && src.Number < 16)
        {
            EmitRM(Is64(size), 0x8D, dst.Number, new Mem(src, imm), lea: true); // Lea_r64_m / Lea_r32_m
            return;
        }
        if (Is64(size))
        {
            _asm.lea(R64(dst), __[R64(src) + imm]);
        }
        else
        {
            _asm.lea(R32(dst), __[R64(src) + imm]);
        }
    }

    /// <summary>dst = sign-extension of the low 8, 16 or 32 bits of src (<paramref name="from"/>) to 32 or 64 bits (<paramref name="to"/>).</summary>
    public void SignExtend(Reg dst, Reg src, OperandSize from, OperandSize to)
    {
        if (!_icedOnly)
        {
            // Movsx_r32/r64_rm8 (a REX for spl..dil), Movsx_r32/r64_rm16, Movsxd_r64_rm32.
            int opcode = from switch { OperandSize.S8 => 0x0FBE, OperandSize.S16 => 0x0FBF, _ => 0x63 };
            EmitRR(Is64(to) || opcode == 0x63, opcode, dst.Number, src.Number, byteRegs: from == OperandSize.S8 && src.Number is >= 4 and < 8);
            return;
        }
        switch (from, Is64(to))
        {
            case (OperandSize.S8, false):
                _asm.movsx(R32(dst), R8(src));
                break;
            case (OperandSize.S16, false):
                _asm.movsx(R32(dst), R16(src));
                break;
            case (OperandSize.S8, true):
                _asm.movsx(R64(dst), R8(src));
                break;
            case (OperandSize.S16, true):
                _asm.movsx(R64(dst), R16(src));
                break;
            default:
                _asm.movsxd(R64(dst), R32(src));
                break;
        }
    }

    /// <summary>dst = zero-extension of the low 32 bits of src.</summary>
    public void ZeroExtend32(Reg dst, Reg src)
    {
        if (!_icedOnly)
        {
            EmitRR(false, 0x89, src.Number, dst.Number); // Mov_rm32_r32
            return;
        }
        _asm.mov(R32(dst), R32(src));
    }

    // ---- integer arithmetic ----

    // Iced's instruction codes by operation and width ([op, 0] 32-bit, [op, 1] 64-bit), one table per operand
    // form, so each method below emits one instruction whatever the operation (names: Code's, e.g. Add_rm64_r64).
    private static readonly Code[,] s_aluRegReg = CodeTable<AluOp>("{0}_rm32_r32", "{0}_rm64_r64");
    private static readonly Code[,] s_aluRegMem = CodeTable<AluOp>("{0}_r32_rm32", "{0}_r64_rm64");
    private static readonly Code[,] s_aluImm8 = CodeTable<AluOp>("{0}_rm32_imm8", "{0}_rm64_imm8");
    private static readonly Code[,] s_aluImm32 = CodeTable<AluOp>("{0}_rm32_imm32", "{0}_rm64_imm32");
    private static readonly Code[,] s_shiftCl = CodeTable<ShiftOp>("{0}_rm32_CL", "{0}_rm64_CL");
    private static readonly Code[,] s_shiftImm = CodeTable<ShiftOp>("{0}_rm32_imm8", "{0}_rm64_imm8");

    private static Code[,] CodeTable<TOp>(string narrow, string wide)
        where TOp : struct, Enum
    {
        TOp[] ops = Enum.GetValues<TOp>();
        var table = new Code[ops.Length, 2];
        foreach (TOp op in ops)
        {
            int i = Convert.ToInt32(op, System.Globalization.CultureInfo.InvariantCulture);
            table[i, 0] = Enum.Parse<Code>(string.Format(System.Globalization.CultureInfo.InvariantCulture, narrow, op));
            table[i, 1] = Enum.Parse<Code>(string.Format(System.Globalization.CultureInfo.InvariantCulture, wide, op));
        }
        return table;
    }

    private static int W(OperandSize size) => Is64(size) ? 1 : 0;

    private static Register Gpr(OperandSize size, Reg r) => Is64(size) ? Register.RAX + r.Number : Register.EAX + r.Number;

    /// <summary>op dst, src.</summary>
    public void Alu(AluOp op, OperandSize size, Reg dst, Reg src)
    {
        if (!_icedOnly)
        {
            EmitRR(Is64(size), s_aluOpcodes[(int)op] + 1, src.Number, dst.Number); // op_rm_r
            return;
        }
        _asm.AddInstruction(Instruction.Create(s_aluRegReg[(int)op, W(size)], Gpr(size, dst), Gpr(size, src)));
    }

    // The hand encoder's opcodes: each ALU operation's 8-bit rm,r form (+1: rm,r; +3: r,rm) and its /digit in the 0x81/0x83 group.
    private static readonly int[] s_aluOpcodes = [0x00, 0x28, 0x20, 0x08, 0x30, 0x38];
    private static readonly int[] s_aluDigits = [0, 5, 4, 1, 6, 7];
    private static readonly int[] s_shiftDigits = [4, 7, 5, 0, 1];

    /// <summary>op dst, imm32 (sign-extended for S64).</summary>
    public void AluImm(AluOp op, OperandSize size, Reg dst, int imm)
    {
        if (!_icedOnly)
        {
            bool small = imm is >= sbyte.MinValue and <= sbyte.MaxValue;
            EmitRRImm(Is64(size), small ? 0x83 : 0x81, s_aluDigits[(int)op], dst.Number, imm, small ? 1 : 4); // op_rm_imm8 / op_rm_imm32
            return;
        }
        Code[,] form = imm is >= sbyte.MinValue and <= sbyte.MaxValue ? s_aluImm8 : s_aluImm32;
        _asm.AddInstruction(Instruction.Create(form[(int)op, W(size)], Gpr(size, dst), imm));
    }

    /// <summary>op dst, [src].</summary>
    public void AluMem(AluOp op, OperandSize size, Reg dst, Mem src)
    {
        if (!_icedOnly && Plain(src))
        {
            EmitRM(Is64(size), s_aluOpcodes[(int)op] + 3, dst.Number, src); // op_r_rm
            return;
        }
        _asm.AddInstruction(Instruction.Create(s_aluRegMem[(int)op, W(size)], Gpr(size, dst), MO(src)));
    }

    /// <summary>op dst, src with src in a register, an immediate (32-bit) or memory.</summary>
    public void Alu(AluOp op, OperandSize size, Reg dst, in Operand src)
    {
        if (src.IsRegister)
        {
            Alu(op, size, dst, src.Reg);
        }
        else if (src.IsImmediate)
        {
            AluImm(op, size, dst, (int)src.Imm);
        }
        else
        {
            AluMem(op, size, dst, src.Mem);
        }
    }

    /// <summary>op [mem], imm32 (sign-extended for S64): a read-modify-write of memory.</summary>
    public void AluMemImm(AluOp op, OperandSize size, Mem dst, int imm)
    {
        if (!_icedOnly && Plain(dst))
        {
            bool small = imm is >= sbyte.MinValue and <= sbyte.MaxValue;
            EmitRM(Is64(size), small ? 0x83 : 0x81, s_aluDigits[(int)op], dst, immBytes: small ? 1 : 4, imm: imm); // op_rm_imm8 / op_rm_imm32
            return;
        }
        Code[,] form = imm is >= sbyte.MinValue and <= sbyte.MaxValue ? s_aluImm8 : s_aluImm32;
        _asm.AddInstruction(Instruction.Create(form[(int)op, W(size)], MO(dst), imm));
    }

    /// <summary>cmp [mem], imm32.</summary>
    public void CmpMemImm(OperandSize size, Mem mem, int imm)
    {
        if (!_icedOnly && Plain(mem))
        {
            AluMemImm(AluOp.Cmp, size, mem, imm); // Cmp_rm_imm8 / Cmp_rm_imm32, as Iced's assembler picks
            return;
        }
        if (Is64(size))
        {
            _asm.cmp(Q(mem), imm);
        }
        else
        {
            _asm.cmp(D(mem), imm);
        }
    }

    /// <summary>test a, b.</summary>
    public void Test(OperandSize size, Reg a, Reg b)
    {
        if (!_icedOnly)
        {
            EmitRR(Is64(size), 0x85, b.Number, a.Number); // Test_rm_r
            return;
        }
        if (Is64(size))
        {
            _asm.test(R64(a), R64(b));
        }
        else
        {
            _asm.test(R32(a), R32(b));
        }
    }

    /// <summary>dst = dst * src.</summary>
    public void Imul(OperandSize size, Reg dst, Reg src)
    {
        if (!_icedOnly)
        {
            EmitRR(Is64(size), 0x0FAF, dst.Number, src.Number); // Imul_r_rm
            return;
        }
        if (Is64(size))
        {
            _asm.imul(R64(dst), R64(src));
        }
        else
        {
            _asm.imul(R32(dst), R32(src));
        }
    }

    /// <summary>dst = dst * [src].</summary>
    public void ImulMem(OperandSize size, Reg dst, Mem src)
    {
        if (!_icedOnly && Plain(src))
        {
            EmitRM(Is64(size), 0x0FAF, dst.Number, src); // Imul_r_rm
            return;
        }
        if (Is64(size))
        {
            _asm.imul(R64(dst), Q(src));
        }
        else
        {
            _asm.imul(R32(dst), D(src));
        }
    }

    /// <summary>dst = src * imm.</summary>
    public void ImulImm(OperandSize size, Reg dst, Reg src, int imm)
    {
        if (!_icedOnly)
        {
            bool small = imm is >= sbyte.MinValue and <= sbyte.MaxValue;
            EmitRRImm(Is64(size), small ? 0x6B : 0x69, dst.Number, src.Number, imm, small ? 1 : 4); // Imul_r_rm_imm8 / imm32, as Iced's assembler picks
            return;
        }
        if (Is64(size))
        {
            _asm.imul(R64(dst), R64(src), imm);
        }
        else
        {
            _asm.imul(R32(dst), R32(src), imm);
        }
    }

    /// <summary>dst = dst * src with src in a register, an immediate (32-bit) or memory.</summary>
    public void Imul(OperandSize size, Reg dst, in Operand src)
    {
        if (src.IsRegister)
        {
            Imul(size, dst, src.Reg);
        }
        else if (src.IsImmediate)
        {
            ImulImm(size, dst, dst, (int)src.Imm);
        }
        else
        {
            ImulMem(size, dst, src.Mem);
        }
    }

    /// <summary>Shift or rotate dst by cl.</summary>
    public void ShiftCl(ShiftOp op, OperandSize size, Reg dst)
    {
        if (!_icedOnly)
        {
            EmitRR(Is64(size), 0xD3, s_shiftDigits[(int)op], dst.Number); // op_rm_CL
            return;
        }
        _asm.AddInstruction(Instruction.Create(s_shiftCl[(int)op, W(size)], Gpr(size, dst), Register.CL));
    }

    /// <summary>Shift or rotate dst by a constant (taken modulo the width, as x86 and wasm do).</summary>
    public void ShiftImm(ShiftOp op, OperandSize size, Reg dst, int count)
    {
        if (!_icedOnly)
        {
            EmitRRImm(Is64(size), 0xC1, s_shiftDigits[(int)op], dst.Number, count & (Is64(size) ? 63 : 31), 1); // op_rm_imm8
            return;
        }
        _asm.AddInstruction(Instruction.Create(s_shiftImm[(int)op, W(size)], Gpr(size, dst), count & (Is64(size) ? 63 : 31)));
    }

    /// <summary>dst = -dst.</summary>
    public void Neg(OperandSize size, Reg dst)
    {
        if (!_icedOnly)
        {
            EmitRR(Is64(size), 0xF7, 3, dst.Number); // Neg_rm
            return;
        }
        if (Is64(size))
        {
            _asm.neg(R64(dst));
        }
        else
        {
            _asm.neg(R32(dst));
        }
    }

    /// <summary>rax = rax / divisor, rdx = remainder (rdx is overwritten first: sign- or zero-extension of rax).</summary>
    public void Divide(Signedness signedness, OperandSize size, Reg divisor)
    {
        if (!_icedOnly)
        {
            byte[] b = Open(out int p, out _);
            if (signedness == Signedness.Signed)
            {
                Rex(b, ref p, Is64(size), 0, 0, 0); // Cqo / Cdq
                b[p++] = 0x99;
                Close(p);
                EmitRR(Is64(size), 0xF7, 7, divisor.Number); // Idiv_rm
            }
            else
            {
                b[p++] = 0x31; // Xor_rm32_r32 edx, edx
                b[p++] = 0xD2;
                Close(p);
                EmitRR(Is64(size), 0xF7, 6, divisor.Number); // Div_rm
            }
            return;
        }
        if (signedness == Signedness.Signed)
        {
            if (Is64(size))
            {
                _asm.cqo();
                _asm.idiv(R64(divisor));
            }
            else
            {
                _asm.cdq();
                _asm.idiv(R32(divisor));
            }
        }
        else
        {
            _asm.xor(edx, edx);
            if (Is64(size))
            {
                _asm.div(R64(divisor));
            }
            else
            {
                _asm.div(R32(divisor));
            }
        }
    }

    /// <summary>dst = the leading zero bits of src (LZCNT).</summary>
    public void Lzcnt(OperandSize size, Reg dst, Reg src)
    {
        if (Is64(size))
        {
            _asm.lzcnt(R64(dst), R64(src));
        }
        else
        {
            _asm.lzcnt(R32(dst), R32(src));
        }
    }

    /// <summary>dst = the trailing zero bits of src (TZCNT, BMI1).</summary>
    public void Tzcnt(OperandSize size, Reg dst, Reg src)
    {
        if (Is64(size))
        {
            _asm.tzcnt(R64(dst), R64(src));
        }
        else
        {
            _asm.tzcnt(R32(dst), R32(src));
        }
    }

    /// <summary>dst = the one bits of src (POPCNT).</summary>
    public void Popcnt(OperandSize size, Reg dst, Reg src)
    {
        if (Is64(size))
        {
            _asm.popcnt(R64(dst), R64(src));
        }
        else
        {
            _asm.popcnt(R32(dst), R32(src));
        }
    }

    /// <summary>dst = the index of src's highest one bit; ZF set (and dst undefined) when src is 0.</summary>
    public void Bsr(OperandSize size, Reg dst, Reg src)
    {
        if (Is64(size))
        {
            _asm.bsr(R64(dst), R64(src));
        }
        else
        {
            _asm.bsr(R32(dst), R32(src));
        }
    }

    /// <summary>dst = the index of src's lowest one bit; ZF set (and dst undefined) when src is 0.</summary>
    public void Bsf(OperandSize size, Reg dst, Reg src)
    {
        if (Is64(size))
        {
            _asm.bsf(R64(dst), R64(src));
        }
        else
        {
            _asm.bsf(R32(dst), R32(src));
        }
    }

    // Iced's mnemonic suffix of each Cond, in Cond order (the low nibble of Jcc/SETcc/CMOVcc).
    private static readonly string[] s_conditionSuffixes = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];
    private static readonly Code[] s_setcc = ConditionTable("Set{0}_rm8");
    private static readonly Code[] s_cmov32 = ConditionTable("Cmov{0}_r32_rm32");
    private static readonly Code[] s_cmov64 = ConditionTable("Cmov{0}_r64_rm64");

    private static Code[] ConditionTable(string format) =>
        s_conditionSuffixes.Select(c => Enum.Parse<Code>(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, c), ignoreCase: true)).ToArray();

    private static Register Byte(Reg r) => r.Number switch
    {
        4 => Register.SPL,
        5 => Register.BPL,
        6 => Register.SIL,
        7 => Register.DIL,
        < 4 => Register.AL + r.Number,
        _ => Register.R8L + (r.Number - 8),
    };

    /// <summary>dst = cond ? 1 : 0 (32 bits: setcc, then movzx).</summary>
    public void SetCc(Cond cond, Reg dst)
    {
        if (!_icedOnly)
        {
            EmitRR(false, 0x0F90 + (int)cond, 0, dst.Number, byteRegs: true); // Setcc_rm8
            EmitRR(false, 0x0FB6, dst.Number, dst.Number, byteRegs: true); // Movzx_r32_rm8
            return;
        }
        _asm.AddInstruction(Instruction.Create(s_setcc[(int)cond], Byte(dst)));
        _asm.movzx(R32(dst), R8(dst));
    }

    /// <summary>if cond then dst = src.</summary>
    public void CMov(Cond cond, OperandSize size, Reg dst, Reg src)
    {
        if (!_icedOnly)
        {
            EmitRR(Is64(size), 0x0F40 + (int)cond, dst.Number, src.Number); // Cmovcc_r_rm
            return;
        }
        _asm.AddInstruction(Instruction.Create((Is64(size) ? s_cmov64 : s_cmov32)[(int)cond], Gpr(size, dst), Gpr(size, src)));
    }

    // ---- control ----

    private static readonly Code[] s_jcc = ConditionTable("J{0}_rel32_64");

    /// <summary>jmp target (rel32; Jmp_rel32_64).</summary>
    public void Jump(MLabel target)
    {
        if (_icedOnly)
        {
            EncodeIcedToLabel(Instruction.CreateBranch(Code.Jmp_rel32_64, 0), target);
            return;
        }
        EmitRel32(0xE9, target);
    }

    /// <summary>jcc target (rel32; Jcc_rel32_64).</summary>
    public void JumpIf(Cond cond, MLabel target)
    {
        if (_icedOnly)
        {
            EncodeIcedToLabel(Instruction.CreateBranch(s_jcc[(int)cond], 0), target);
            return;
        }
        EmitRel32(0x0F80 + (int)cond, target);
    }

    /// <summary>jmp reg (Jmp_rm64).</summary>
    public void JumpTo(Reg target)
    {
        if (_icedOnly)
        {
            _asm.jmp(R64(target));
            return;
        }
        EmitRR(false, 0xFF, 4, target.Number);
    }

    /// <summary>call qword [mem] (Call_rm64).</summary>
    public void CallMem(Mem target)
    {
        if (_icedOnly || !Plain(target))
        {
            _asm.call(Q(target));
            return;
        }
        EmitRM(false, 0xFF, 2, target);
    }

    /// <summary>jmp qword [mem] (a tail call; Jmp_rm64).</summary>
    public void JumpMem(Mem target)
    {
        if (_icedOnly || !Plain(target))
        {
            _asm.jmp(Q(target));
            return;
        }
        EmitRM(false, 0xFF, 4, target);
    }

    /// <summary>call label (rel32; Call_rel32_64).</summary>
    public void CallLabel(MLabel target)
    {
        if (_icedOnly)
        {
            EncodeIcedToLabel(Instruction.CreateBranch(Code.Call_rel32_64, 0), target);
            return;
        }
        EmitRel32(0xE8, target);
    }

    /// <summary>ret (Retnq).</summary>
    public void Ret()
    {
        if (_icedOnly)
        {
            _asm.ret();
            return;
        }
        byte[] b = Open(out int p, out _);
        b[p++] = 0xC3;
        Close(p);
    }

    /// <summary><c>lock add [mem], imm</c> (64 bits): an atomic add, a full barrier.</summary>
    public void LockedAdd(Mem mem, int imm) => _asm.@lock.add(Q(mem), imm);

    /// <summary><c>syscall</c> (rax = number, arguments in rdi, rsi, rdx, r10, r8, r9; clobbers rcx and r11).</summary>
    public void Syscall() => _asm.syscall();

    /// <summary>push reg (64 bits; Push_r64).</summary>
    public void Push(Reg r) => PushPop(r, 0x50);

    /// <summary>pop reg (64 bits; Pop_r64).</summary>
    public void Pop(Reg r) => PushPop(r, 0x58);

    private void PushPop(Reg r, int opcode)
    {
        if (_icedOnly)
        {
            if (opcode == 0x50)
            {
                _asm.push(R64(r));
            }
            else
            {
                _asm.pop(R64(r));
            }
            return;
        }
        byte[] b = Open(out int p, out _);
        Rex(b, ref p, false, 0, 0, r.Number);
        b[p++] = (byte)(opcode + (r.Number & 7));
        Close(p);
    }

    /// <summary>Multi-byte nops filling <paramref name="bytes"/> bytes.</summary>
    public void Nops(int bytes) => _asm.nop(bytes);

    /// <summary>int3.</summary>
    public void Breakpoint() => _asm.int3();

    /// <summary>cpuid (leaf in eax, subleaf in ecx; writes eax, ebx, ecx, edx).</summary>
    public void Cpuid() => _asm.cpuid();

    /// <summary>xgetbv (register ecx into edx:eax).</summary>
    public void Xgetbv() => _asm.xgetbv();

    /// <summary>dst = address of <paramref name="label"/> (rip-relative; Lea_r64_m).</summary>
    public void LeaLabel(Reg dst, MLabel label)
    {
        if (_icedOnly)
        {
            EncodeIcedToLabel(Instruction.Create(Code.Lea_r64_m, R64(dst), new MemoryOperand(Register.RIP, 0L)), label);
            return;
        }
        byte[] b = Open(out int p, out _);
        Rex(b, ref p, true, dst.Number, 0, 0);
        b[p++] = 0x8D;
        b[p++] = (byte)(0x05 | (dst.Number & 7) << 3);
        _fixups.Add((p, p + 4, label.Id));
        Imm32(b, ref p, 0);
        Close(p);
    }

    /// <summary>sub rsp, imm32 with the immediate filled in later by <see cref="PatchImm32"/> (marked by the returned instruction index).</summary>
    public int SubRspPatchable() => PatchableThroughIced(static asm => asm.sub(rsp, 0x7FFF_FFF0));

    /// <summary>mov dst, rsp; sub dst, imm32 with the immediate filled in later.</summary>
    public int RspMinusPatchable(Reg dst)
    {
        _asm.mov(R64(dst), rsp);
        return PatchableThroughIced(asm => asm.sub(R64(dst), 0x7FFF_FFF0));
    }

    /// <summary>Sets the 32-bit immediate of the instruction at <paramref name="instruction"/> (made by one of the patchable emitters).</summary>
    public void PatchImm32(int instruction, int value)
    {
        foreach (var (at, field) in _patchable)
        {
            if (at == instruction)
            {
                _writer.Patch(field, value);
                return;
            }
        }
        throw new InvalidOperationException($"instruction {instruction} has no patchable immediate");
    }

    /// <summary>
    /// Emits the jump table <paramref name="table"/> at the current position: one 32-bit entry per target, the
    /// target's distance from the table's start (filled in after assembly).
    /// </summary>
    public void EmitJumpTable(MLabel table, MLabel[] targets)
    {
        Bind(table);
        foreach (MLabel _ in targets)
        {
            _asm.dd(0);
        }
        _jumpTables.Add((table, targets));
    }

    /// <summary>
    /// dst = the 16-byte constant (low, high), loaded from the function's literal pool (<see cref="EmitLiterals"/>): one
    /// instruction, no register or flag touched besides dst.
    /// </summary>
    public void LoadVLiteral(Reg dst, long low, long high)
    {
        MLabel label = default;
        bool found = false;
        foreach (var (l, lo, hi) in _literals)
        {
            if (lo == low && hi == high)
            {
                label = l;
                found = true;
                break;
            }
        }
        if (!found)
        {
            label = CreateLabel();
            _literals.Add((label, low, high));
        }
        EncodeIcedToLabel(Instruction.Create(Code.VEX_Vmovdqu_xmm_xmmm128, Register.XMM0 + dst.Number, new MemoryOperand(Register.RIP, 0L)), label);
    }

    /// <summary>Emits the literal pool <see cref="LoadVLiteral"/> refers to, here (after the function's last instruction); returns its label, or null when empty.</summary>
    public MLabel? EmitLiterals()
    {
        if (_literals.Count == 0)
        {
            return null;
        }
        foreach (var (label, low, high) in _literals)
        {
            Bind(label);
            _asm.dq((ulong)low, (ulong)high);
        }
        return _literals[0].Label;
    }

    /// <summary>scratch = table; dst = sign-extended dword [table + index * 4] + table; jmp dst.</summary>
    public void JumpThroughTable(MLabel table, Reg index, Reg scratch, Reg dst)
    {
        LeaLabel(scratch, table);
        LoadExtend(dst, new Mem(scratch, index, 4, 0), OperandSize.S32, Signedness.Signed, OperandSize.S64);
        Alu(AluOp.Add, OperandSize.S64, dst, scratch);
        JumpTo(dst);
    }

    // ---- floating point ----

    /// <summary>xmm dst = xmm src (movaps; nothing when they are the same register).</summary>
    public void MovF(Reg dst, Reg src)
    {
        if (dst == src)
        {
            return;
        }
        if (!_icedOnly)
        {
            EmitRR(false, 0x0F28, dst.Number, src.Number); // Movaps_xmm_xmmm128
            return;
        }
        _asm.movaps(X(dst), X(src));
    }

    /// <summary>dst = the f32 or f64 at src (movss / movsd).</summary>
    public void LoadF(OperandSize size, Reg dst, Mem src)
    {
        if (!_icedOnly && Plain(src))
        {
            EmitRM(false, 0x0F10, dst.Number, src, prefix: Is64(size) ? (byte)0xF2 : (byte)0xF3); // Movsd_xmm_xmmm64 / Movss_xmm_xmmm32
            return;
        }
        if (Is64(size))
        {
            _asm.movsd(X(dst), Q(src));
        }
        else
        {
            _asm.movss(X(dst), D(src));
        }
    }

    /// <summary>[dst] = the f32 or f64 in src.</summary>
    public void StoreF(OperandSize size, Mem dst, Reg src)
    {
        if (!_icedOnly && Plain(dst))
        {
            EmitRM(false, 0x0F11, src.Number, dst, prefix: Is64(size) ? (byte)0xF2 : (byte)0xF3); // Movsd_xmmm64_xmm / Movss_xmmm32_xmm
            return;
        }
        if (Is64(size))
        {
            _asm.movsd(Q(dst), X(src));
        }
        else
        {
            _asm.movss(D(dst), X(src));
        }
    }

    /// <summary>xmm = gpr bits (movd / movq).</summary>
    public void MovToXmm(OperandSize size, Reg dst, Reg src)
    {
        if (!_icedOnly)
        {
            EmitRR(Is64(size), 0x0F6E, dst.Number, src.Number, prefix: 0x66); // Movq_xmm_rm64 / Movd_xmm_rm32
            return;
        }
        if (Is64(size))
        {
            _asm.movq(X(dst), R64(src));
        }
        else
        {
            _asm.movd(X(dst), R32(src));
        }
    }

    /// <summary>gpr = xmm bits.</summary>
    public void MovFromXmm(OperandSize size, Reg dst, Reg src)
    {
        if (!_icedOnly)
        {
            EmitRR(Is64(size), 0x0F7E, src.Number, dst.Number, prefix: 0x66); // Movq_rm64_xmm / Movd_rm32_xmm
            return;
        }
        if (Is64(size))
        {
            _asm.movq(R64(dst), X(src));
        }
        else
        {
            _asm.movd(R32(dst), X(src));
        }
    }

    // The hand encoder's scalar SSE opcodes (0F xx, after F3 for ss or F2 for sd), in SseOp order.
    private static readonly int[] s_sseOpcodes = [0x0F58, 0x0F5C, 0x0F59, 0x0F5E, 0x0F5D, 0x0F5F, 0x0F51];

    /// <summary>dst = dst op src (ss for S32, sd for S64; sqrt: dst = sqrt(src)).</summary>
    public void Sse(SseOp op, OperandSize size, Reg dst, Reg src)
    {
        if (!_icedOnly)
        {
            EmitRR(false, s_sseOpcodes[(int)op], dst.Number, src.Number, prefix: Is64(size) ? (byte)0xF2 : (byte)0xF3); // op_xmm_xmmm32/64 (sd F2, ss F3)
            return;
        }
        AssemblerRegisterXMM d = X(dst), s = X(src);
        switch (op, Is64(size))
        {
            case (SseOp.Add, false): _asm.addss(d, s); break;
            case (SseOp.Add, true): _asm.addsd(d, s); break;
            case (SseOp.Sub, false): _asm.subss(d, s); break;
            case (SseOp.Sub, true): _asm.subsd(d, s); break;
            case (SseOp.Mul, false): _asm.mulss(d, s); break;
            case (SseOp.Mul, true): _asm.mulsd(d, s); break;
            case (SseOp.Div, false): _asm.divss(d, s); break;
            case (SseOp.Div, true): _asm.divsd(d, s); break;
            case (SseOp.Min, false): _asm.minss(d, s); break;
            case (SseOp.Min, true): _asm.minsd(d, s); break;
            case (SseOp.Max, false): _asm.maxss(d, s); break;
            case (SseOp.Max, true): _asm.maxsd(d, s); break;
            case (SseOp.Sqrt, false): _asm.sqrtss(d, s); break;
            default: _asm.sqrtsd(d, s); break;
        }
    }

    /// <summary>dst = dst op [src] (add, sub, mul, div).</summary>
    public void SseMem(SseOp op, OperandSize size, Reg dst, Mem src)
    {
        if (!_icedOnly && Plain(src) && op is SseOp.Add or SseOp.Sub or SseOp.Mul or SseOp.Div)
        {
            EmitRM(false, s_sseOpcodes[(int)op], dst.Number, src, prefix: Is64(size) ? (byte)0xF2 : (byte)0xF3);
            return;
        }
        AssemblerRegisterXMM d = X(dst);
        AssemblerMemoryOperand s = Is64(size) ? Q(src) : D(src);
        switch (op, Is64(size))
        {
            case (SseOp.Add, false): _asm.addss(d, s); break;
            case (SseOp.Add, true): _asm.addsd(d, s); break;
            case (SseOp.Sub, false): _asm.subss(d, s); break;
            case (SseOp.Sub, true): _asm.subsd(d, s); break;
            case (SseOp.Mul, false): _asm.mulss(d, s); break;
            case (SseOp.Mul, true): _asm.mulsd(d, s); break;
            case (SseOp.Div, false): _asm.divss(d, s); break;
            case (SseOp.Div, true): _asm.divsd(d, s); break;
            default: throw new ArgumentOutOfRangeException(nameof(op));
        }
    }

    /// <summary>dst = dst op src on all 128 bits (andps, andnps, orps, xorps).</summary>
    public void SseBits(SseBitOp op, Reg dst, Reg src)
    {
        if (!_icedOnly)
        {
            EmitRR(false, 0x0F54 + (int)op, dst.Number, src.Number); // Andps, Andnps, Orps, Xorps_xmm_xmmm128
            return;
        }
        AssemblerRegisterXMM d = X(dst), s = X(src);
        switch (op)
        {
            case SseBitOp.And: _asm.andps(d, s); break;
            case SseBitOp.AndNot: _asm.andnps(d, s); break;
            case SseBitOp.Or: _asm.orps(d, s); break;
            default: _asm.xorps(d, s); break;
        }
    }

    /// <summary>Rounds to an integral float with SSE4.1 (roundss / roundsd; precision exceptions suppressed).</summary>
    public void Round(OperandSize size, Reg dst, Reg src, RoundingMode mode)
    {
        if (Is64(size))
        {
            _asm.roundsd(X(dst), X(src), (byte)((int)mode | 8));
        }
        else
        {
            _asm.roundss(X(dst), X(src), (byte)((int)mode | 8));
        }
    }

    /// <summary>ucomiss / ucomisd a, b (ZF, PF, CF as an unsigned compare; PF set when unordered).</summary>
    public void Ucomi(OperandSize size, Reg a, Reg b)
    {
        if (!_icedOnly)
        {
            EmitRR(false, 0x0F2E, a.Number, b.Number, prefix: Is64(size) ? (byte)0x66 : (byte)0); // Ucomisd / Ucomiss_xmm_xmmm
            return;
        }
        if (Is64(size))
        {
            _asm.ucomisd(X(a), X(b));
        }
        else
        {
            _asm.ucomiss(X(a), X(b));
        }
    }

    /// <summary>Converts a signed 32/64-bit integer to f32/f64 (the destination is cleared first to break the dependency).</summary>
    public void CvtIntToFloat(OperandSize floatSize, OperandSize intSize, Reg dst, Reg src)
    {
        _asm.xorps(X(dst), X(dst));
        switch (Is64(floatSize), Is64(intSize))
        {
            case (false, false): _asm.cvtsi2ss(X(dst), R32(src)); break;
            case (false, true): _asm.cvtsi2ss(X(dst), R64(src)); break;
            case (true, false): _asm.cvtsi2sd(X(dst), R32(src)); break;
            default: _asm.cvtsi2sd(X(dst), R64(src)); break;
        }
    }

    /// <summary>Truncates f32/f64 to a signed 32/64-bit integer (0x80..0 when out of range or NaN).</summary>
    public void CvtFloatToInt(OperandSize floatSize, OperandSize intSize, Reg dst, Reg src)
    {
        switch (Is64(floatSize), Is64(intSize))
        {
            case (false, false): _asm.cvttss2si(R32(dst), X(src)); break;
            case (false, true): _asm.cvttss2si(R64(dst), X(src)); break;
            case (true, false): _asm.cvttsd2si(R32(dst), X(src)); break;
            default: _asm.cvttsd2si(R64(dst), X(src)); break;
        }
    }

    /// <summary>f32 to f64 (promote, <paramref name="to"/> S64) or f64 to f32 (demote, S32).</summary>
    public void CvtFloat(OperandSize to, Reg dst, Reg src)
    {
        if (Is64(to))
        {
            _asm.cvtss2sd(X(dst), X(src));
        }
        else
        {
            _asm.cvtsd2ss(X(dst), X(src));
        }
    }

    // ---- assembling ----

    /// <summary>The result of <see cref="Assemble"/>: the bytes and the offset of every instruction index and label.</summary>
    public sealed class Output
    {
        /// <summary>The machine code, to be placed at any address.</summary>
        public required byte[] Code { get; init; }

        /// <summary>The code offset of each instruction, by instruction index (<see cref="Position"/>): the first
        /// <see cref="InstructionCount"/> entries, valid until the assembler is reset (its buffer is reused).</summary>
        public required uint[] InstructionOffsets { get; init; }

        /// <summary>The number of instructions (of valid entries in <see cref="InstructionOffsets"/>).</summary>
        public required int InstructionCount { get; init; }

        /// <summary>The code offset of a bound label.</summary>
        public required Func<MLabel, int> LabelOffset { get; init; }

        /// <summary>The code offset of the instruction at index <paramref name="position"/> (the end of code if past the last).</summary>
        public int OffsetOf(int position) => position < InstructionCount ? (int)InstructionOffsets[position] : Code.Length;
    }

    /// <summary>
    /// Completes the code (every instruction is encoded when emitted, at address 0: the code is position-independent):
    /// patches the label fields (rel32 branches, rip-relative addresses) and the jump tables.
    /// </summary>
    public Output Assemble()
    {
        Drain();
        if (_lastBind == _count)
        {
            // A label at the very end needs an instruction to stand on.
            Breakpoint();
            Drain();
        }
        uint[] offsets = _offsets;
        int[] labelAt = _labelAt;
        foreach (var (field, end, label) in _fixups)
        {
            _writer.Patch(field, (int)offsets[labelAt[label]] - end);
        }
        byte[] code = _writer.ToArray();
        int LabelOffset(MLabel label) => (int)offsets[labelAt[label.Id]];
        foreach (var (table, targets) in _jumpTables)
        {
            int start = LabelOffset(table);
            for (int i = 0; i < targets.Length; i++)
            {
                BitConverter.TryWriteBytes(code.AsSpan(start + 4 * i), LabelOffset(targets[i]) - start);
            }
        }
        return new Output { Code = code, InstructionOffsets = offsets, InstructionCount = _count, LabelOffset = LabelOffset };
    }
}
