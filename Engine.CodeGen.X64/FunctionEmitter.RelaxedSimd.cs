namespace Engine.CodeGen.X64;

/// <summary>
/// The relaxed SIMD operators (3.0) that are more than one instruction, with the choices the interpreter's
/// <c>SimdOps</c> makes (tiers.md, "Relaxed SIMD"): madd unfused, the dot products as pmaddubsw with the second
/// operand unsigned. The rest map to one instruction or to a strict operator's sequence in the compilers.
/// </summary>
public sealed partial class FunctionEmitter
{
    /// <summary>
    /// <c>relaxed_madd</c> (a = a * b + c) or <c>relaxed_nmadd</c> (a = c - a * b) with two roundings, for f32 lanes
    /// (<paramref name="lane"/> S32) or f64 lanes. Clobbers only <paramref name="a"/>.
    /// </summary>
    public void VectorRelaxedMadd(OperandSize lane, bool negate, Reg a, Reg b, Reg c)
    {
        bool f32 = lane == OperandSize.S32;
        Masm.V(f32 ? VecOp.Mulps : VecOp.Mulpd, a, a, b);
        if (negate)
        {
            Masm.V(f32 ? VecOp.Subps : VecOp.Subpd, a, c, a);
        }
        else
        {
            Masm.V(f32 ? VecOp.Addps : VecOp.Addpd, a, a, c);
        }
    }

    /// <summary><c>i16x8.relaxed_dot_i8x16_i7x16_s</c>: a = pmaddubsw(b, a) (b's bytes unsigned, a's signed).</summary>
    public void I16x8RelaxedDot(Reg a, Reg b) => Masm.V(VecOp.Pmaddubsw, a, b, a);

    /// <summary><c>i32x4.relaxed_dot_i8x16_i7x16_add_s</c>: pmaddubsw(b, a), pmaddwd by 16-bit ones, plus c. Clobbers xmm15.</summary>
    public void I32x4RelaxedDotAdd(Reg a, Reg b, Reg c)
    {
        Masm.V(VecOp.Pmaddubsw, a, b, a);
        Masm.V(VecOp.Pcmpeqw, Scratch, Scratch, Scratch);
        Masm.VShift(VecOp.Psrlw, Scratch, Scratch, 15);
        Masm.V(VecOp.Pmaddwd, a, a, Scratch);
        Masm.V(VecOp.Paddd, a, a, c);
    }
}
