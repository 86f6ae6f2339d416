using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Engine.Baseline;

/// <summary>A code position to branch to, created by <see cref="MacroAssembler.CreateLabel"/>.</summary>
/// <param name="Id">Index into the assembler's labels.</param>
internal readonly record struct MLabel(int Id);

/// <summary>Two-operand integer instructions of the form <c>op dst, src</c>.</summary>
internal enum AluOp : byte
{
    Add,
    Sub,
    And,
    Or,
    Xor,
    Cmp,
}

/// <summary>Shift and rotate instructions.</summary>
internal enum ShiftOp : byte
{
    Shl,
    Sar,
    Shr,
    Rol,
    Ror,
}

/// <summary>Scalar SSE arithmetic (ss or sd by the width).</summary>
internal enum SseOp : byte
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
internal enum SseBitOp : byte
{
    And,
    AndNot,
    Or,
    Xor,
}

/// <summary>
/// The wasm-shaped x86-64 macro assembler: the only class of the baseline tier that touches Iced.
/// Everything above it speaks in registers, frame slots, labels and conditions; this class turns each
/// request into one or a few instructions and finally into bytes. Besides assembling, it keeps what the
/// artifact needs about code positions: instruction marks (for the native-to-wasm offset map and stack
/// maps), label positions, and 32-bit fields patched after assembly (the frame size, jump tables).
/// </summary>
internal sealed partial class MacroAssembler
{
    private readonly Assembler _asm = new(64) { PreferShortBranch = false };
    private readonly List<Label> _labels = new();
    // Labels bound where another label already waits for the next instruction share that label's id.
    private readonly Dictionary<ulong, ulong> _aliases = new();
    private int _pendingLabelInstruction = -1;
    private MLabel _pendingLabel;
    private readonly List<(int Instruction, int Value)> _imm32Patches = new();
    private readonly List<(MLabel Table, MLabel[] Targets)> _jumpTables = new();

    /// <summary>Forgets everything emitted, to assemble another function with the same buffers.</summary>
    public void Reset()
    {
        _asm.Reset();
        _labels.Clear();
        _aliases.Clear();
        _pendingLabelInstruction = -1;
        _imm32Patches.Clear();
        _jumpTables.Clear();
    }

    /// <summary>The number of instructions emitted so far (a mark of the current position).</summary>
    public int Position => _asm.Instructions.Count;

    // ---- labels ----

    public MLabel CreateLabel()
    {
        _labels.Add(_asm.CreateLabel());
        return new MLabel(_labels.Count - 1);
    }

    /// <summary>Binds <paramref name="label"/> to the next instruction emitted.</summary>
    public void Bind(MLabel label)
    {
        Label l = _labels[label.Id];
        if (_pendingLabelInstruction == Position)
        {
            // Branches already emitted to this label are redirected at assembly; later ones use the other label.
            Label canonical = _labels[_pendingLabel.Id];
            _aliases[l.Id] = canonical.Id;
            _labels[label.Id] = canonical;
            return;
        }
        _asm.Label(ref l);
        _labels[label.Id] = l;
        _pendingLabelInstruction = Position;
        _pendingLabel = label;
    }

    private Label L(MLabel label) => _labels[label.Id];

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

    private enum Size : byte
    {
        Byte,
        Word,
        Dword,
        Qword,
    }

    private static AssemblerMemoryOperand M(Mem m, Size size)
    {
        AssemblerMemoryOperand address = m.HasIndex
            ? R64(m.Base) + R64(m.Index) * m.Scale + m.Displacement
            : R64(m.Base) + m.Displacement;
        return size switch
        {
            Size.Byte => __byte_ptr[address],
            Size.Word => __word_ptr[address],
            Size.Dword => __dword_ptr[address],
            _ => __qword_ptr[address],
        };
    }

    private static AssemblerMemoryOperand Q(Mem m) => M(m, Size.Qword);
    private static AssemblerMemoryOperand D(Mem m) => M(m, Size.Dword);

    // ---- moves ----

    public void Mov(bool wide, Reg dst, Reg src)
    {
        if (dst == src)
        {
            return;
        }
        if (wide)
        {
            _asm.mov(R64(dst), R64(src));
        }
        else
        {
            _asm.mov(R32(dst), R32(src));
        }
    }

    /// <summary>dst = imm (a 32-bit immediate zero-extends; a 64-bit one is sign-extended from 32 bits when it fits). Zero uses xor unless <paramref name="keepFlags"/>.</summary>
    public void MovImm(bool wide, Reg dst, long value, bool keepFlags = false)
    {
        if (value == 0 && !keepFlags)
        {
            _asm.xor(R32(dst), R32(dst));
        }
        else if (!wide || (ulong)value <= uint.MaxValue)
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

    public void Load(bool wide, Reg dst, Mem src)
    {
        if (wide)
        {
            _asm.mov(R64(dst), Q(src));
        }
        else
        {
            _asm.mov(R32(dst), D(src));
        }
    }

    public void Store(bool wide, Mem dst, Reg src)
    {
        if (wide)
        {
            _asm.mov(Q(dst), R64(src));
        }
        else
        {
            _asm.mov(D(dst), R32(src));
        }
    }

    /// <summary>[dst] = imm32 (sign-extended to 64 bits when wide).</summary>
    public void StoreImm(bool wide, Mem dst, int value)
    {
        if (wide)
        {
            _asm.mov(Q(dst), value);
        }
        else
        {
            _asm.mov(D(dst), value);
        }
    }

    public void Store8(Mem dst, Reg src) => _asm.mov(M(dst, Size.Byte), R8(src));

    public void Store16(Mem dst, Reg src) => _asm.mov(M(dst, Size.Word), R16(src));

    /// <summary>Loads 1, 2 or 4 bytes, sign- or zero-extending to 32 or 64 bits.</summary>
    public void LoadExtend(Reg dst, Mem src, int bytes, bool signed, bool wide)
    {
        switch (bytes, signed)
        {
            case (1, false):
                _asm.movzx(R32(dst), M(src, Size.Byte));
                break;
            case (2, false):
                _asm.movzx(R32(dst), M(src, Size.Word));
                break;
            case (4, false):
                _asm.mov(R32(dst), D(src));
                break;
            case (1, true):
                if (wide)
                {
                    _asm.movsx(R64(dst), M(src, Size.Byte));
                }
                else
                {
                    _asm.movsx(R32(dst), M(src, Size.Byte));
                }
                break;
            case (2, true):
                if (wide)
                {
                    _asm.movsx(R64(dst), M(src, Size.Word));
                }
                else
                {
                    _asm.movsx(R32(dst), M(src, Size.Word));
                }
                break;
            default:
                _asm.movsxd(R64(dst), D(src));
                break;
        }
    }

    public void Lea(Reg dst, Mem src) => _asm.lea(R64(dst), Q(src));

    /// <summary>dst = src + imm in one lea (32-bit: the sum wraps and zero-extends).</summary>
    public void LeaAdd(bool wide, Reg dst, Reg src, int imm)
    {
        if (wide)
        {
            _asm.lea(R64(dst), __[R64(src) + imm]);
        }
        else
        {
            _asm.lea(R32(dst), __[R64(src) + imm]);
        }
    }

    /// <summary>dst = sign-extension of the low 8/16/32 bits of src (to 32 or 64 bits).</summary>
    public void SignExtend(Reg dst, Reg src, int bits, bool wide)
    {
        switch (bits, wide)
        {
            case (8, false):
                _asm.movsx(R32(dst), R8(src));
                break;
            case (16, false):
                _asm.movsx(R32(dst), R16(src));
                break;
            case (8, true):
                _asm.movsx(R64(dst), R8(src));
                break;
            case (16, true):
                _asm.movsx(R64(dst), R16(src));
                break;
            default:
                _asm.movsxd(R64(dst), R32(src));
                break;
        }
    }

    /// <summary>dst = zero-extension of the low 32 bits of src.</summary>
    public void ZeroExtend32(Reg dst, Reg src) => _asm.mov(R32(dst), R32(src));

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

    private static Register Gpr(bool wide, Reg r) => wide ? Register.RAX + r.Number : Register.EAX + r.Number;

    public void Alu(AluOp op, bool wide, Reg dst, Reg src) =>
        _asm.AddInstruction(Instruction.Create(s_aluRegReg[(int)op, wide ? 1 : 0], Gpr(wide, dst), Gpr(wide, src)));

    /// <summary>op dst, imm32 (sign-extended when wide).</summary>
    public void AluImm(AluOp op, bool wide, Reg dst, int imm)
    {
        Code[,] form = imm is >= sbyte.MinValue and <= sbyte.MaxValue ? s_aluImm8 : s_aluImm32;
        _asm.AddInstruction(Instruction.Create(form[(int)op, wide ? 1 : 0], Gpr(wide, dst), imm));
    }

    public void AluMem(AluOp op, bool wide, Reg dst, Mem src) =>
        _asm.AddInstruction(Instruction.Create(s_aluRegMem[(int)op, wide ? 1 : 0], Gpr(wide, dst), MO(src)));

    /// <summary>cmp [mem], imm32.</summary>
    public void CmpMemImm(bool wide, Mem mem, int imm)
    {
        if (wide)
        {
            _asm.cmp(Q(mem), imm);
        }
        else
        {
            _asm.cmp(D(mem), imm);
        }
    }

    public void Test(bool wide, Reg a, Reg b)
    {
        if (wide)
        {
            _asm.test(R64(a), R64(b));
        }
        else
        {
            _asm.test(R32(a), R32(b));
        }
    }

    public void Imul(bool wide, Reg dst, Reg src)
    {
        if (wide)
        {
            _asm.imul(R64(dst), R64(src));
        }
        else
        {
            _asm.imul(R32(dst), R32(src));
        }
    }

    public void ImulMem(bool wide, Reg dst, Mem src)
    {
        if (wide)
        {
            _asm.imul(R64(dst), Q(src));
        }
        else
        {
            _asm.imul(R32(dst), D(src));
        }
    }

    public void ImulImm(bool wide, Reg dst, Reg src, int imm)
    {
        if (wide)
        {
            _asm.imul(R64(dst), R64(src), imm);
        }
        else
        {
            _asm.imul(R32(dst), R32(src), imm);
        }
    }

    /// <summary>Shift or rotate dst by cl.</summary>
    public void ShiftCl(ShiftOp op, bool wide, Reg dst) =>
        _asm.AddInstruction(Instruction.Create(s_shiftCl[(int)op, wide ? 1 : 0], Gpr(wide, dst), Register.CL));

    public void ShiftImm(ShiftOp op, bool wide, Reg dst, int count) =>
        _asm.AddInstruction(Instruction.Create(s_shiftImm[(int)op, wide ? 1 : 0], Gpr(wide, dst), count & (wide ? 63 : 31)));

    public void Neg(bool wide, Reg dst)
    {
        if (wide)
        {
            _asm.neg(R64(dst));
        }
        else
        {
            _asm.neg(R32(dst));
        }
    }

    /// <summary>rax = rax / divisor, rdx = remainder (rdx is overwritten first: sign- or zero-extension of rax).</summary>
    public void Divide(bool signed, bool wide, Reg divisor)
    {
        if (signed)
        {
            if (wide)
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
            if (wide)
            {
                _asm.div(R64(divisor));
            }
            else
            {
                _asm.div(R32(divisor));
            }
        }
    }

    public void Lzcnt(bool wide, Reg dst, Reg src)
    {
        if (wide)
        {
            _asm.lzcnt(R64(dst), R64(src));
        }
        else
        {
            _asm.lzcnt(R32(dst), R32(src));
        }
    }

    public void Tzcnt(bool wide, Reg dst, Reg src)
    {
        if (wide)
        {
            _asm.tzcnt(R64(dst), R64(src));
        }
        else
        {
            _asm.tzcnt(R32(dst), R32(src));
        }
    }

    public void Popcnt(bool wide, Reg dst, Reg src)
    {
        if (wide)
        {
            _asm.popcnt(R64(dst), R64(src));
        }
        else
        {
            _asm.popcnt(R32(dst), R32(src));
        }
    }

    public void Bsr(bool wide, Reg dst, Reg src)
    {
        if (wide)
        {
            _asm.bsr(R64(dst), R64(src));
        }
        else
        {
            _asm.bsr(R32(dst), R32(src));
        }
    }

    public void Bsf(bool wide, Reg dst, Reg src)
    {
        if (wide)
        {
            _asm.bsf(R64(dst), R64(src));
        }
        else
        {
            _asm.bsf(R32(dst), R32(src));
        }
    }

    /// <summary>dst = cond ? 1 : 0 (32 bits).</summary>
    public void SetCc(Cond cond, Reg dst)
    {
        AssemblerRegister8 d = R8(dst);
        switch (cond)
        {
            case Cond.Overflow: _asm.seto(d); break;
            case Cond.NoOverflow: _asm.setno(d); break;
            case Cond.Below: _asm.setb(d); break;
            case Cond.AboveOrEqual: _asm.setae(d); break;
            case Cond.Equal: _asm.sete(d); break;
            case Cond.NotEqual: _asm.setne(d); break;
            case Cond.BelowOrEqual: _asm.setbe(d); break;
            case Cond.Above: _asm.seta(d); break;
            case Cond.Sign: _asm.sets(d); break;
            case Cond.NoSign: _asm.setns(d); break;
            case Cond.Parity: _asm.setp(d); break;
            case Cond.NoParity: _asm.setnp(d); break;
            case Cond.Less: _asm.setl(d); break;
            case Cond.GreaterOrEqual: _asm.setge(d); break;
            case Cond.LessOrEqual: _asm.setle(d); break;
            default: _asm.setg(d); break;
        }
        _asm.movzx(R32(dst), d);
    }

    /// <summary>if cond then dst = src.</summary>
    public void CMov(Cond cond, bool wide, Reg dst, Reg src)
    {
        if (wide)
        {
            AssemblerRegister64 d = R64(dst), s = R64(src);
            switch (cond)
            {
                case Cond.Overflow: _asm.cmovo(d, s); break;
                case Cond.NoOverflow: _asm.cmovno(d, s); break;
                case Cond.Below: _asm.cmovb(d, s); break;
                case Cond.AboveOrEqual: _asm.cmovae(d, s); break;
                case Cond.Equal: _asm.cmove(d, s); break;
                case Cond.NotEqual: _asm.cmovne(d, s); break;
                case Cond.BelowOrEqual: _asm.cmovbe(d, s); break;
                case Cond.Above: _asm.cmova(d, s); break;
                case Cond.Sign: _asm.cmovs(d, s); break;
                case Cond.NoSign: _asm.cmovns(d, s); break;
                case Cond.Parity: _asm.cmovp(d, s); break;
                case Cond.NoParity: _asm.cmovnp(d, s); break;
                case Cond.Less: _asm.cmovl(d, s); break;
                case Cond.GreaterOrEqual: _asm.cmovge(d, s); break;
                case Cond.LessOrEqual: _asm.cmovle(d, s); break;
                default: _asm.cmovg(d, s); break;
            }
        }
        else
        {
            AssemblerRegister32 d = R32(dst), s = R32(src);
            switch (cond)
            {
                case Cond.Overflow: _asm.cmovo(d, s); break;
                case Cond.NoOverflow: _asm.cmovno(d, s); break;
                case Cond.Below: _asm.cmovb(d, s); break;
                case Cond.AboveOrEqual: _asm.cmovae(d, s); break;
                case Cond.Equal: _asm.cmove(d, s); break;
                case Cond.NotEqual: _asm.cmovne(d, s); break;
                case Cond.BelowOrEqual: _asm.cmovbe(d, s); break;
                case Cond.Above: _asm.cmova(d, s); break;
                case Cond.Sign: _asm.cmovs(d, s); break;
                case Cond.NoSign: _asm.cmovns(d, s); break;
                case Cond.Parity: _asm.cmovp(d, s); break;
                case Cond.NoParity: _asm.cmovnp(d, s); break;
                case Cond.Less: _asm.cmovl(d, s); break;
                case Cond.GreaterOrEqual: _asm.cmovge(d, s); break;
                case Cond.LessOrEqual: _asm.cmovle(d, s); break;
                default: _asm.cmovg(d, s); break;
            }
        }
    }

    // ---- control ----

    public void Jump(MLabel target) => _asm.jmp(L(target));

    public void JumpIf(Cond cond, MLabel target)
    {
        Label t = L(target);
        switch (cond)
        {
            case Cond.Overflow: _asm.jo(t); break;
            case Cond.NoOverflow: _asm.jno(t); break;
            case Cond.Below: _asm.jb(t); break;
            case Cond.AboveOrEqual: _asm.jae(t); break;
            case Cond.Equal: _asm.je(t); break;
            case Cond.NotEqual: _asm.jne(t); break;
            case Cond.BelowOrEqual: _asm.jbe(t); break;
            case Cond.Above: _asm.ja(t); break;
            case Cond.Sign: _asm.js(t); break;
            case Cond.NoSign: _asm.jns(t); break;
            case Cond.Parity: _asm.jp(t); break;
            case Cond.NoParity: _asm.jnp(t); break;
            case Cond.Less: _asm.jl(t); break;
            case Cond.GreaterOrEqual: _asm.jge(t); break;
            case Cond.LessOrEqual: _asm.jle(t); break;
            default: _asm.jg(t); break;
        }
    }

    public void JumpTo(Reg target) => _asm.jmp(R64(target));

    /// <summary>call qword [mem].</summary>
    public void CallIndirect(Mem target) => _asm.call(Q(target));

    public void CallLabel(MLabel target) => _asm.call(L(target));

    public void Ret() => _asm.ret();

    public void Push(Reg r) => _asm.push(R64(r));

    public void Pop(Reg r) => _asm.pop(R64(r));

    public void Breakpoint() => _asm.int3();

    /// <summary>dst = address of <paramref name="label"/> (rip-relative).</summary>
    public void LeaLabel(Reg dst, MLabel label) => _asm.lea(R64(dst), __[L(label)]);

    /// <summary>sub rsp, imm32 with the immediate filled in later by <see cref="PatchImm32"/> (marked by the returned instruction index).</summary>
    public int SubRspPatchable()
    {
        int at = Position;
        _asm.sub(rsp, 0x7FFF_FFF0);
        return at;
    }

    /// <summary>mov dst, rsp; sub dst, imm32 with the immediate filled in later.</summary>
    public int RspMinusPatchable(Reg dst)
    {
        _asm.mov(R64(dst), rsp);
        int at = Position;
        _asm.sub(R64(dst), 0x7FFF_FFF0);
        return at;
    }

    /// <summary>Sets the 32-bit immediate of the instruction at <paramref name="instruction"/> (made by one of the patchable emitters).</summary>
    public void PatchImm32(int instruction, int value) => _imm32Patches.Add((instruction, value));

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

    /// <summary>scratch = table; dst = sign-extended dword [table + index * 4] + table; jmp dst.</summary>
    public void JumpThroughTable(MLabel table, Reg index, Reg scratch, Reg dst)
    {
        _asm.lea(R64(scratch), __[L(table)]);
        _asm.movsxd(R64(dst), __dword_ptr[R64(scratch) + R64(index) * 4]);
        _asm.add(R64(dst), R64(scratch));
        _asm.jmp(R64(dst));
    }

    // ---- floating point ----

    public void MovF(Reg dst, Reg src)
    {
        if (dst != src)
        {
            _asm.movaps(X(dst), X(src));
        }
    }

    public void LoadF(bool dbl, Reg dst, Mem src)
    {
        if (dbl)
        {
            _asm.movsd(X(dst), Q(src));
        }
        else
        {
            _asm.movss(X(dst), D(src));
        }
    }

    public void StoreF(bool dbl, Mem dst, Reg src)
    {
        if (dbl)
        {
            _asm.movsd(Q(dst), X(src));
        }
        else
        {
            _asm.movss(D(dst), X(src));
        }
    }

    /// <summary>xmm = gpr bits (movd / movq).</summary>
    public void MovToXmm(bool wide, Reg dst, Reg src)
    {
        if (wide)
        {
            _asm.movq(X(dst), R64(src));
        }
        else
        {
            _asm.movd(X(dst), R32(src));
        }
    }

    /// <summary>gpr = xmm bits.</summary>
    public void MovFromXmm(bool wide, Reg dst, Reg src)
    {
        if (wide)
        {
            _asm.movq(R64(dst), X(src));
        }
        else
        {
            _asm.movd(R32(dst), X(src));
        }
    }

    public void Sse(SseOp op, bool dbl, Reg dst, Reg src)
    {
        AssemblerRegisterXMM d = X(dst), s = X(src);
        switch (op, dbl)
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

    public void SseMem(SseOp op, bool dbl, Reg dst, Mem src)
    {
        AssemblerRegisterXMM d = X(dst);
        AssemblerMemoryOperand s = dbl ? Q(src) : D(src);
        switch (op, dbl)
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

    public void SseBits(SseBitOp op, Reg dst, Reg src)
    {
        AssemblerRegisterXMM d = X(dst), s = X(src);
        switch (op)
        {
            case SseBitOp.And: _asm.andps(d, s); break;
            case SseBitOp.AndNot: _asm.andnps(d, s); break;
            case SseBitOp.Or: _asm.orps(d, s); break;
            default: _asm.xorps(d, s); break;
        }
    }

    /// <summary>Rounds with SSE4.1 (mode 0 nearest-even, 1 floor, 2 ceil, 3 truncate).</summary>
    public void Round(bool dbl, Reg dst, Reg src, int mode)
    {
        if (dbl)
        {
            _asm.roundsd(X(dst), X(src), (byte)(mode | 8));
        }
        else
        {
            _asm.roundss(X(dst), X(src), (byte)(mode | 8));
        }
    }

    /// <summary>ucomiss / ucomisd a, b (ZF, PF, CF as an unsigned compare; PF set when unordered).</summary>
    public void Ucomi(bool dbl, Reg a, Reg b)
    {
        if (dbl)
        {
            _asm.ucomisd(X(a), X(b));
        }
        else
        {
            _asm.ucomiss(X(a), X(b));
        }
    }

    /// <summary>Converts a signed 32/64-bit integer to f32/f64 (the destination is cleared first to break the dependency).</summary>
    public void CvtIntToFloat(bool dbl, bool wideInt, Reg dst, Reg src)
    {
        _asm.xorps(X(dst), X(dst));
        switch (dbl, wideInt)
        {
            case (false, false): _asm.cvtsi2ss(X(dst), R32(src)); break;
            case (false, true): _asm.cvtsi2ss(X(dst), R64(src)); break;
            case (true, false): _asm.cvtsi2sd(X(dst), R32(src)); break;
            default: _asm.cvtsi2sd(X(dst), R64(src)); break;
        }
    }

    /// <summary>Truncates f32/f64 to a signed 32/64-bit integer (0x80..0 when out of range or NaN).</summary>
    public void CvtFloatToInt(bool dbl, bool wideInt, Reg dst, Reg src)
    {
        switch (dbl, wideInt)
        {
            case (false, false): _asm.cvttss2si(R32(dst), X(src)); break;
            case (false, true): _asm.cvttss2si(R64(dst), X(src)); break;
            case (true, false): _asm.cvttsd2si(R32(dst), X(src)); break;
            default: _asm.cvttsd2si(R64(dst), X(src)); break;
        }
    }

    /// <summary>f32 to f64 (promote) or f64 to f32 (demote).</summary>
    public void CvtFloat(bool toDouble, Reg dst, Reg src)
    {
        if (toDouble)
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
        public required byte[] Code { get; init; }
        public required uint[] InstructionOffsets { get; init; }
        public required Func<MLabel, int> LabelOffset { get; init; }

        /// <summary>The code offset of the instruction at index <paramref name="position"/> (the end of code if past the last).</summary>
        public int OffsetOf(int position) => position < InstructionOffsets.Length ? (int)InstructionOffsets[position] : Code.Length;
    }

    /// <summary>
    /// Encodes everything at address 0 (the code is position-independent) in one pass with Iced's encoder:
    /// every branch is near (rel32) and label operands (branches, rip-relative addresses) are patched once
    /// all offsets are known, which avoids the block encoder's per-instruction objects and repeated passes.
    /// Then applies the patches (frame size, jump tables).
    /// </summary>
    public Output Assemble()
    {
        if (_pendingLabelInstruction == Position)
        {
            // A label at the very end needs an instruction to stand on.
            _asm.int3();
        }
        IReadOnlyList<Instruction> instructions = _asm.Instructions;
        int count = instructions.Count;
        var labelIndex = new Dictionary<ulong, int>(_labels.Count);
        foreach (Label label in _labels)
        {
            if (label.InstructionIndex >= 0)
            {
                labelIndex[label.Id] = label.InstructionIndex;
            }
        }
        foreach (var (alias, canonical) in _aliases)
        {
            if (labelIndex.TryGetValue(canonical, out int index))
            {
                labelIndex[alias] = index;
            }
        }
        var writer = new CodeWriterImpl(count * 5);
        Encoder encoder = Encoder.Create(64, writer);
        var offsets = new uint[count];
        var fixups = new List<(int Field, int End, ulong Label)>();
        // Few patches (the frame size, per entry): sorted, checked in order.
        _imm32Patches.Sort((a, b) => a.Instruction.CompareTo(b.Instruction));
        int nextPatch = 0;
        for (int i = 0; i < count; i++)
        {
            int position = writer.Length;
            offsets[i] = (uint)position;
            Instruction instruction = instructions[i];
            if (instruction.Code == Code.DeclareDword)
            {
                writer.WriteInt32(0);
                continue;
            }
            if (instruction.Op0Kind == OpKind.NearBranch64)
            {
                ulong target = instruction.NearBranch64;
                instruction.NearBranch64 = (ulong)position;
                int length = (int)encoder.Encode(instruction, (ulong)position);
                fixups.Add((position + length - 4, position + length, target));
                continue;
            }
            if (instruction.IsIPRelativeMemoryOperand)
            {
                ulong target = instruction.IPRelativeMemoryAddress;
                instruction.MemoryDisplacement64 = (ulong)position;
                int length = (int)encoder.Encode(instruction, (ulong)position);
                fixups.Add((position + encoder.GetConstantOffsets().DisplacementOffset, position + length, target));
                continue;
            }
            encoder.Encode(instruction, (ulong)position);
            if (nextPatch < _imm32Patches.Count && _imm32Patches[nextPatch].Instruction == i)
            {
                ConstantOffsets c = encoder.GetConstantOffsets();
                if (c.ImmediateSize != 4)
                {
                    throw new InvalidOperationException("baseline: patchable immediate not 32 bits");
                }
                writer.Patch(position + c.ImmediateOffset, _imm32Patches[nextPatch++].Value);
            }
        }
        foreach (var (field, end, label) in fixups)
        {
            writer.Patch(field, (int)offsets[labelIndex[label]] - end);
        }
        byte[] code = writer.ToArray();
        int LabelOffset(MLabel label) => (int)offsets[_labels[label.Id].InstructionIndex];
        foreach (var (table, targets) in _jumpTables)
        {
            int start = LabelOffset(table);
            for (int i = 0; i < targets.Length; i++)
            {
                BitConverter.TryWriteBytes(code.AsSpan(start + 4 * i), LabelOffset(targets[i]) - start);
            }
        }
        return new Output { Code = code, InstructionOffsets = offsets, LabelOffset = LabelOffset };
    }

    private sealed class CodeWriterImpl(int capacity) : CodeWriter
    {
        private byte[] _bytes = new byte[Math.Max(capacity, 64)];

        public int Length { get; private set; }

        public override void WriteByte(byte value)
        {
            if (Length == _bytes.Length)
            {
                Array.Resize(ref _bytes, _bytes.Length * 2);
            }
            _bytes[Length++] = value;
        }

        public void WriteInt32(int value)
        {
            for (int i = 0; i < 4; i++)
            {
                WriteByte((byte)(value >> (8 * i)));
            }
        }

        public void Patch(int at, int value) => BitConverter.TryWriteBytes(_bytes.AsSpan(at), value);

        public byte[] ToArray() => _bytes.AsSpan(0, Length).ToArray();
    }
}
