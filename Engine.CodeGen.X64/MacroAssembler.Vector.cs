using System.Collections.Concurrent;
using Iced.Intel;

namespace Engine.CodeGen.X64;

/// <summary>
/// 128-bit vector instructions, all VEX-encoded (AVX/AVX2, three operands, unaligned memory operands allowed;
/// VEX.128 clears the upper ymm bits, so there is no SSE/AVX transition cost). Named by mnemonic without the
/// leading "v"; the operand form is chosen by the <see cref="MacroAssembler"/> method used.
/// </summary>
public enum VecOp : byte
{
    Paddb, Paddw, Paddd, Paddq, Psubb, Psubw, Psubd, Psubq,
    Paddsb, Paddsw, Paddusb, Paddusw, Psubsb, Psubsw, Psubusb, Psubusw,
    Pmullw, Pmulld, Pmuludq, Pmuldq, Pmaddwd, Pmaddubsw, Pmulhrsw, Pmulhw, Pmulhuw,
    Pminsb, Pminsw, Pminsd, Pminub, Pminuw, Pminud, Pmaxsb, Pmaxsw, Pmaxsd, Pmaxub, Pmaxuw, Pmaxud,
    Pavgb, Pavgw,
    Pcmpeqb, Pcmpeqw, Pcmpeqd, Pcmpeqq, Pcmpgtb, Pcmpgtw, Pcmpgtd, Pcmpgtq,
    Packsswb, Packuswb, Packssdw, Packusdw,
    Punpcklbw, Punpckhbw, Punpcklwd, Punpckhwd, Punpckldq, Punpckhdq, Punpcklqdq, Punpckhqdq,
    Pand, Pandn, Por, Pxor, Pshufb,
    Psllw, Pslld, Psllq, Psrlw, Psrld, Psrlq, Psraw, Psrad,
    Pabsb, Pabsw, Pabsd,
    Pmovsxbw, Pmovzxbw, Pmovsxwd, Pmovzxwd, Pmovsxdq, Pmovzxdq,
    Pbroadcastb, Pbroadcastw, Pbroadcastd, Pbroadcastq, Broadcastss, Movddup,
    Pshufd, Pshufhw, Pshuflw, Palignr, Pblendw, Shufps, Shufpd, Insertps, Movhlps, Movlhps, Movsd,
    Addps, Addpd, Subps, Subpd, Mulps, Mulpd, Divps, Divpd, Minps, Minpd, Maxps, Maxpd, Sqrtps, Sqrtpd,
    Andps, Andpd, Andnps, Andnpd, Orps, Orpd, Xorps, Xorpd,
    Cmpps, Cmppd, Roundps, Roundpd,
    Cvtdq2ps, Cvtdq2pd, Cvttps2dq, Cvttpd2dq, Cvtps2pd, Cvtpd2ps,
    Ptest,
}

public sealed partial class MacroAssembler
{
    private static readonly ConcurrentDictionary<(VecOp, int), Code> s_vecCodes = new();

    // Operand forms, each a list of Iced name suffixes tried in order.
    private static readonly string[][] s_forms =
    [
        ["_xmm_xmm_xmmm128", "_xmm_xmm_xmm"],                                          // 0: dst, a, b
        ["_xmm_xmm_xmmm128_imm8", "_xmm_xmm_xmmm32_imm8"],                             // 1: dst, a, b, imm
        ["_xmm_xmmm128", "_xmm_xmmm64", "_xmm_xmmm32", "_xmm_xmmm16", "_xmm_xmmm8", "_xmm_xmm", "_xmm_m32"], // 2: dst, src
        ["_xmm_xmmm128_imm8"],                                                         // 3: dst, src, imm
        ["_xmm_xmm_imm8"],                                                             // 4: dst, src, imm (shifts)
    ];

    private static Code VecCode(VecOp op, int form) => s_vecCodes.GetOrAdd((op, form), static key =>
    {
        string stem = "VEX_V" + key.Item1.ToString().ToLowerInvariant();
        foreach (string suffix in s_forms[key.Item2])
        {
            if (Enum.TryParse(stem + suffix, out Code code))
            {
                return code;
            }
        }
        throw new InvalidOperationException($"no form {key.Item2} of v{key.Item1.ToString().ToLowerInvariant()}");
    });

    private static Register XR(Reg r) => Register.XMM0 + r.Number;

    private static MemoryOperand MO(Mem m) => Q(m).ToMemoryOperand(64);

    /// <summary>dst = a op b.</summary>
    public void V(VecOp op, Reg dst, Reg a, Reg b) => _asm.AddInstruction(Instruction.Create(VecCode(op, 0), XR(dst), XR(a), XR(b)));

    /// <summary>dst = a op [b] (16 bytes).</summary>
    public void V(VecOp op, Reg dst, Reg a, Mem b) => _asm.AddInstruction(Instruction.Create(VecCode(op, 0), XR(dst), XR(a), MO(b)));

    /// <summary>dst = op(a, b, imm).</summary>
    public void V(VecOp op, Reg dst, Reg a, Reg b, int imm) => _asm.AddInstruction(Instruction.Create(VecCode(op, 1), XR(dst), XR(a), XR(b), imm));

    /// <summary>dst = op(src) (unary, conversion, extension or broadcast).</summary>
    public void V(VecOp op, Reg dst, Reg src) => _asm.AddInstruction(Instruction.Create(VecCode(op, 2), XR(dst), XR(src)));

    /// <summary>dst = op([src]) with the memory size the form implies.</summary>
    public void V(VecOp op, Reg dst, Mem src) => _asm.AddInstruction(Instruction.Create(VecCode(op, 2), XR(dst), MO(src)));

    /// <summary>dst = op(src, imm) (shuffles, rounding).</summary>
    public void V(VecOp op, Reg dst, Reg src, int imm) => _asm.AddInstruction(Instruction.Create(VecCode(op, 3), XR(dst), XR(src), imm));

    /// <summary>dst = src shifted by an immediate count.</summary>
    public void VShift(VecOp op, Reg dst, Reg src, int count) => _asm.AddInstruction(Instruction.Create(VecCode(op, 4), XR(dst), XR(src), count));

    /// <summary>Sets ZF when a AND b is all zeros (vptest).</summary>
    public void Ptest(Reg a, Reg b) => _asm.AddInstruction(Instruction.Create(VecCode(VecOp.Ptest, 2), XR(a), XR(b)));

    /// <summary>dst = bytes of b where mask's byte has its top bit set, else of a (vpblendvb).</summary>
    public void Pblendvb(Reg dst, Reg a, Reg b, Reg mask) =>
        _asm.AddInstruction(Instruction.Create(Code.VEX_Vpblendvb_xmm_xmm_xmmm128_xmm, XR(dst), XR(a), XR(b), XR(mask)));

    /// <summary>16-byte load (vmovdqu).</summary>
    public void LoadV(Reg dst, Mem src) => _asm.AddInstruction(Instruction.Create(Code.VEX_Vmovdqu_xmm_xmmm128, XR(dst), MO(src)));

    /// <summary>16-byte store (vmovdqu).</summary>
    public void StoreV(Mem dst, Reg src) => _asm.AddInstruction(Instruction.Create(Code.VEX_Vmovdqu_xmmm128_xmm, MO(dst), XR(src)));

    /// <summary>dst = the low 4 or 8 bytes (<paramref name="size"/> S32 or S64) at src, the rest zero (vmovd / vmovq).</summary>
    public void LoadZeroExtended(OperandSize size, Reg dst, Mem src) =>
        _asm.AddInstruction(Instruction.Create(size == OperandSize.S64 ? Code.VEX_Vmovq_xmm_xmmm64 : Code.VEX_Vmovd_xmm_rm32, XR(dst), MO(src)));

    // vpinsr* and vpextr* by lane size; each form takes a gpr or memory as its scalar operand.
    private static Code InsertCode(OperandSize lane) => lane switch
    {
        OperandSize.S8 => Code.VEX_Vpinsrb_xmm_xmm_r32m8_imm8,
        OperandSize.S16 => Code.VEX_Vpinsrw_xmm_xmm_r32m16_imm8,
        OperandSize.S32 => Code.VEX_Vpinsrd_xmm_xmm_rm32_imm8,
        _ => Code.VEX_Vpinsrq_xmm_xmm_rm64_imm8,
    };

    private static Code ExtractCode(OperandSize lane, bool toMemory) => lane switch
    {
        OperandSize.S8 => Code.VEX_Vpextrb_r32m8_xmm_imm8,
        OperandSize.S16 => toMemory ? Code.VEX_Vpextrw_r32m16_xmm_imm8 : Code.VEX_Vpextrw_r32_xmm_imm8,
        OperandSize.S32 => Code.VEX_Vpextrd_rm32_xmm_imm8,
        _ => Code.VEX_Vpextrq_rm64_xmm_imm8,
    };

    // The gpr operand of a lane of this size: 64-bit for 8-byte lanes, else 32-bit.
    private static Register LaneGpr(OperandSize lane, Reg gpr) => lane == OperandSize.S64 ? Register.RAX + gpr.Number : Register.EAX + gpr.Number;

    /// <summary>dst = a with lane <paramref name="lane"/> (of size <paramref name="laneSize"/>) replaced by the gpr's low bits.</summary>
    public void Insert(OperandSize laneSize, Reg dst, Reg a, Reg gpr, int lane) =>
        _asm.AddInstruction(Instruction.Create(InsertCode(laneSize), XR(dst), XR(a), LaneGpr(laneSize, gpr), lane));

    /// <summary>dst = a with lane <paramref name="lane"/> replaced by memory.</summary>
    public void Insert(OperandSize laneSize, Reg dst, Reg a, Mem src, int lane) =>
        _asm.AddInstruction(Instruction.Create(InsertCode(laneSize), XR(dst), XR(a), MO(src), lane));

    /// <summary>gpr = lane <paramref name="lane"/> of src, zero-extended (vpextrb/w/d/q).</summary>
    public void Extract(OperandSize laneSize, Reg gpr, Reg src, int lane) =>
        _asm.AddInstruction(Instruction.Create(ExtractCode(laneSize, toMemory: false), LaneGpr(laneSize, gpr), XR(src), lane));

    /// <summary>[dst] = lane <paramref name="lane"/> of src.</summary>
    public void Extract(OperandSize laneSize, Mem dst, Reg src, int lane) =>
        _asm.AddInstruction(Instruction.Create(ExtractCode(laneSize, toMemory: true), MO(dst), XR(src), lane));

    /// <summary>gpr = the mask of the lanes' top bits (vpmovmskb, vmovmskps, vmovmskpd by lane size S8, S32, S64).</summary>
    public void MoveMask(OperandSize laneSize, Reg gpr, Reg src)
    {
        Code code = laneSize switch
        {
            OperandSize.S8 => Code.VEX_Vpmovmskb_r32_xmm,
            OperandSize.S32 => Code.VEX_Vmovmskps_r32_xmm,
            _ => Code.VEX_Vmovmskpd_r32_xmm,
        };
        _asm.AddInstruction(Instruction.Create(code, Register.EAX + gpr.Number, XR(src)));
    }
}
