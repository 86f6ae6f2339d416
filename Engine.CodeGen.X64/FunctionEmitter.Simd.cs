using System.Runtime.Intrinsics;
using Engine.Core;

namespace Engine.CodeGen.X64;

/// <summary>Which half of a vector an operation reads.</summary>
public enum VectorHalf : byte
{
    /// <summary>The low 64 bits.</summary>
    Low,
    /// <summary>The high 64 bits.</summary>
    High,
}

/// <summary>
/// The SIMD operators x86 lacks as one instruction, as short VEX (AVX/AVX2) sequences after the ones V8's Liftoff and
/// Cranelift use; every result is wasm's, bit for bit (NaN results are the positive canonical NaN, as the
/// interpreter gives them). Vectors are xmm registers; the result replaces the first operand unless a comment says
/// otherwise. Lane sizes are S8 (i8x16), S16, S32 (i32x4, f32x4) or S64 (i64x2, f64x2). Every sequence may clobber
/// xmm15 (and those loading constants rax); an operand may be xmm15 only where a comment allows it.
/// </summary>
public sealed partial class FunctionEmitter
{
    private static readonly Reg Scratch = Reg.XmmScratch;

    /// <summary>r = all ones.</summary>
    public void VectorAllOnes(Reg r) => Masm.V(VecOp.Pcmpeqd, r, r, r);

    /// <summary>r = ~r.</summary>
    public void VectorNot(Reg r)
    {
        VectorAllOnes(Scratch);
        Masm.V(VecOp.Pxor, r, r, Scratch);
    }

    /// <summary>
    /// Integer lane comparison, all ones where true: <paramref name="relation"/> is Equal, NotEqual, the signed
    /// Less/Greater/LessOrEqual/GreaterOrEqual or the unsigned Below/Above/BelowOrEqual/AboveOrEqual (not for S64).
    /// <paramref name="b"/> may be xmm15.
    /// </summary>
    public void VectorIntegerCompare(OperandSize lane, Cond relation, Reg a, Reg b)
    {
        VecOp eq = lane switch { OperandSize.S8 => VecOp.Pcmpeqb, OperandSize.S16 => VecOp.Pcmpeqw, OperandSize.S32 => VecOp.Pcmpeqd, _ => VecOp.Pcmpeqq };
        VecOp gt = lane switch { OperandSize.S8 => VecOp.Pcmpgtb, OperandSize.S16 => VecOp.Pcmpgtw, OperandSize.S32 => VecOp.Pcmpgtd, _ => VecOp.Pcmpgtq };
        VecOp maxU = lane switch { OperandSize.S8 => VecOp.Pmaxub, OperandSize.S16 => VecOp.Pmaxuw, _ => VecOp.Pmaxud };
        VecOp minU = lane switch { OperandSize.S8 => VecOp.Pminub, OperandSize.S16 => VecOp.Pminuw, _ => VecOp.Pminud };
        switch (relation)
        {
            case Cond.Equal: Masm.V(eq, a, a, b); break;
            case Cond.NotEqual: Masm.V(eq, a, a, b); VectorNot(a); break;
            case Cond.Greater: Masm.V(gt, a, a, b); break;
            case Cond.Less: Masm.V(gt, a, b, a); break;
            case Cond.LessOrEqual: Masm.V(gt, a, a, b); VectorNot(a); break;
            case Cond.GreaterOrEqual: Masm.V(gt, a, b, a); VectorNot(a); break;
            // a >=u b exactly when max_u(a, b) == a; a <=u b when min_u(a, b) == a.
            case Cond.AboveOrEqual: Masm.V(maxU, Scratch, a, b); Masm.V(eq, a, a, Scratch); break;
            case Cond.BelowOrEqual: Masm.V(minU, Scratch, a, b); Masm.V(eq, a, a, Scratch); break;
            case Cond.Below: Masm.V(maxU, Scratch, a, b); Masm.V(eq, a, a, Scratch); VectorNot(a); break;
            case Cond.Above: Masm.V(minU, Scratch, a, b); Masm.V(eq, a, a, Scratch); VectorNot(a); break;
            default: throw new ArgumentOutOfRangeException(nameof(relation), relation, "not a wasm lane comparison");
        }
    }

    /// <summary>
    /// Float lane comparison through vcmpps/vcmppd (ordered predicates; ne is unordered-or-not-equal):
    /// <paramref name="relation"/> is Equal, NotEqual, Less, Greater, LessOrEqual or GreaterOrEqual. <paramref name="b"/> may be xmm15.
    /// </summary>
    public void VectorFloatCompare(OperandSize lane, Cond relation, Reg a, Reg b)
    {
        VecOp cmp = lane == OperandSize.S64 ? VecOp.Cmppd : VecOp.Cmpps;
        switch (relation)
        {
            case Cond.Equal: Masm.V(cmp, a, a, b, 0); break;
            case Cond.NotEqual: Masm.V(cmp, a, a, b, 4); break;
            case Cond.Less: Masm.V(cmp, a, a, b, 1); break;
            case Cond.LessOrEqual: Masm.V(cmp, a, a, b, 2); break;
            case Cond.Greater: Masm.V(cmp, a, b, a, 1); break;
            case Cond.GreaterOrEqual: Masm.V(cmp, a, b, a, 2); break;
            default: throw new ArgumentOutOfRangeException(nameof(relation), relation, "not a wasm lane comparison");
        }
    }

    // ---- float arithmetic with wasm's NaN and signed-zero rules ----

    /// <summary>
    /// f32x4/f64x2 min or max with wasm's rules: NaN in either lane gives the positive canonical NaN, -0 &lt; +0.
    /// <paramref name="temp"/> is an xmm register the sequence may clobber. Clobbers rax.
    /// </summary>
    public void VectorFloatMinMax(OperandSize lane, MinMax kind, Reg a, Reg b, Reg temp)
    {
        bool dbl = lane == OperandSize.S64;
        bool max = kind == MinMax.Max;
        VecOp minMax = (dbl, max) switch
        {
            (false, false) => VecOp.Minps,
            (false, true) => VecOp.Maxps,
            (true, false) => VecOp.Minpd,
            _ => VecOp.Maxpd,
        };
        VecOp or = dbl ? VecOp.Orpd : VecOp.Orps;
        VecOp cmp = dbl ? VecOp.Cmppd : VecOp.Cmpps;
        VecOp andNot = dbl ? VecOp.Andnpd : VecOp.Andnps;
        // x86 returns the second operand when either is NaN or both are zero: do it both ways and merge.
        Masm.V(minMax, Scratch, a, b);
        Masm.V(minMax, a, b, a);
        if (max)
        {
            Masm.V(dbl ? VecOp.Xorpd : VecOp.Xorps, a, a, Scratch);       // the discrepancies
            Masm.V(or, Scratch, Scratch, a);                              // NaNs propagate
            Masm.V(dbl ? VecOp.Subpd : VecOp.Subps, Scratch, Scratch, a); // +0 wins over -0
        }
        else
        {
            Masm.V(or, Scratch, Scratch, a);                              // -0 wins over +0, NaNs propagate
        }
        Masm.V(cmp, a, a, Scratch, 3);                                    // the unordered lanes
        // Those get the positive canonical NaN, exactly as the interpreter gives (its sign is free in wasm,
        // but every tier giving the same bits keeps results independent of when a function tiers up).
        long nan = dbl ? 0x7FF8000000000000 : 0x7FC000007FC00000;
        LoadV128Const(temp, nan, nan);
        Masm.V(dbl ? VecOp.Andpd : VecOp.Andps, temp, temp, a);
        Masm.V(andNot, a, a, Scratch);
        Masm.V(or, a, a, temp);
    }

    /// <summary>f32x4/f64x2 abs: the sign bits cleared.</summary>
    public void VectorFloatAbs(OperandSize lane, Reg a)
    {
        bool dbl = lane == OperandSize.S64;
        VectorAllOnes(Scratch);
        Masm.VShift(dbl ? VecOp.Psrlq : VecOp.Psrld, Scratch, Scratch, 1);
        Masm.V(dbl ? VecOp.Andpd : VecOp.Andps, a, a, Scratch);
    }

    /// <summary>f32x4/f64x2 neg: the sign bits flipped.</summary>
    public void VectorFloatNeg(OperandSize lane, Reg a)
    {
        bool dbl = lane == OperandSize.S64;
        VectorAllOnes(Scratch);
        Masm.VShift(dbl ? VecOp.Psllq : VecOp.Pslld, Scratch, Scratch, dbl ? 63 : 31);
        Masm.V(dbl ? VecOp.Xorpd : VecOp.Xorps, a, a, Scratch);
    }

    /// <summary>f32x4/f64x2 ceil, floor, trunc, nearest.</summary>
    public void VectorFloatRound(OperandSize lane, RoundingMode mode, Reg a) =>
        Masm.V(lane == OperandSize.S64 ? VecOp.Roundpd : VecOp.Roundps, a, a, (int)mode | 8);

    // ---- integer arithmetic x86 lacks ----

    /// <summary>Integer lane negation (0 - a).</summary>
    public void VectorIntegerNeg(OperandSize lane, Reg a)
    {
        VecOp sub = lane switch { OperandSize.S8 => VecOp.Psubb, OperandSize.S16 => VecOp.Psubw, OperandSize.S32 => VecOp.Psubd, _ => VecOp.Psubq };
        Masm.V(VecOp.Pxor, Scratch, Scratch, Scratch);
        Masm.V(sub, a, Scratch, a);
    }

    /// <summary>i64x2.abs.</summary>
    public void I64x2Abs(Reg a)
    {
        Masm.V(VecOp.Pxor, Scratch, Scratch, Scratch);
        Masm.V(VecOp.Pcmpgtq, Scratch, Scratch, a);   // all ones in negative lanes
        Masm.V(VecOp.Pxor, a, a, Scratch);
        Masm.V(VecOp.Psubq, a, a, Scratch);
    }

    /// <summary>i64x2.mul; <paramref name="temp"/> is an xmm register the sequence may clobber.</summary>
    public void I64x2Mul(Reg a, Reg b, Reg temp)
    {
        // (a_hi * b_lo + b_hi * a_lo) << 32 + a_lo * b_lo, lane by lane.
        Masm.VShift(VecOp.Psrlq, Scratch, a, 32);
        Masm.V(VecOp.Pmuludq, Scratch, Scratch, b);
        Masm.VShift(VecOp.Psrlq, temp, b, 32);
        Masm.V(VecOp.Pmuludq, temp, temp, a);
        Masm.V(VecOp.Paddq, Scratch, Scratch, temp);
        Masm.VShift(VecOp.Psllq, Scratch, Scratch, 32);
        Masm.V(VecOp.Pmuludq, a, a, b);
        Masm.V(VecOp.Paddq, a, a, Scratch);
    }

    /// <summary>i16x8.q15mulr_sat_s: a = a * b (b a register or a 16-byte memory operand), rounding and saturating. Clobbers rax.</summary>
    public void I16x8Q15MulrSat(Reg a, in Operand b)
    {
        VectorBinary(VecOp.Pmulhrsw, a, b);
        // pmulhrsw gives 0x8000 for 0x8000 * 0x8000 where wasm saturates to 0x7fff.
        LoadV128Const(Scratch, unchecked((long)0x8000800080008000), unchecked((long)0x8000800080008000));
        Masm.V(VecOp.Pcmpeqw, Scratch, a, Scratch);
        Masm.V(VecOp.Pxor, a, a, Scratch);
    }

    /// <summary>a = a op b, b a register or a 16-byte memory operand.</summary>
    public void VectorBinary(VecOp op, Reg a, in Operand b)
    {
        if (b.IsMemory)
        {
            Masm.V(op, a, a, b.Mem);
        }
        else
        {
            Masm.V(op, a, a, b.Reg);
        }
    }

    /// <summary>i8x16.popcnt; <paramref name="lut"/> and <paramref name="high"/> are xmm registers the sequence may clobber. Clobbers rax.</summary>
    public void I8x16Popcnt(Reg a, Reg lut, Reg high)
    {
        // Each nibble's count from a 16-entry table (pshufb), low and high nibbles added.
        LoadV128Const(Scratch, 0x0F0F0F0F0F0F0F0F, 0x0F0F0F0F0F0F0F0F);
        Masm.VShift(VecOp.Psrlw, high, a, 4);
        Masm.V(VecOp.Pand, high, high, Scratch);
        Masm.V(VecOp.Pand, a, a, Scratch);
        LoadV128Const(lut, 0x0302020102010100, 0x0403030203020201);
        Masm.V(VecOp.Pshufb, a, lut, a);
        Masm.V(VecOp.Pshufb, high, lut, high);
        Masm.V(VecOp.Paddb, a, a, high);
    }

    private static VecOp ExtendOp(OperandSize fromLane, Signedness signedness) => (fromLane, signedness) switch
    {
        (OperandSize.S8, Signedness.Signed) => VecOp.Pmovsxbw,
        (OperandSize.S8, _) => VecOp.Pmovzxbw,
        (OperandSize.S16, Signedness.Signed) => VecOp.Pmovsxwd,
        (OperandSize.S16, _) => VecOp.Pmovzxwd,
        (OperandSize.S32, Signedness.Signed) => VecOp.Pmovsxdq,
        _ => VecOp.Pmovzxdq,
    };

    /// <summary>extend_low / extend_high: the lanes of one half (of size <paramref name="fromLane"/>) widened to twice their size.</summary>
    public void VectorExtendHalf(OperandSize fromLane, Signedness signedness, VectorHalf half, Reg a)
    {
        if (half == VectorHalf.High)
        {
            Masm.V(VecOp.Punpckhqdq, a, a, a);
        }
        Masm.V(ExtendOp(fromLane, signedness), a, a);
    }

    /// <summary>extmul: both halves extended, then multiplied (i64x2 through pmuldq/pmuludq on lanes 0 and 2). Clobbers <paramref name="b"/>.</summary>
    public void VectorExtendedMultiply(OperandSize fromLane, VectorHalf half, Signedness signedness, Reg a, Reg b)
    {
        bool high = half == VectorHalf.High;
        if (fromLane == OperandSize.S32)
        {
            int order = high ? 0xFA : 0x50;
            Masm.V(VecOp.Pshufd, a, a, order);
            Masm.V(VecOp.Pshufd, b, b, order);
            Masm.V(signedness == Signedness.Signed ? VecOp.Pmuldq : VecOp.Pmuludq, a, a, b);
        }
        else
        {
            VecOp extend = ExtendOp(fromLane, signedness);
            if (high)
            {
                Masm.V(VecOp.Punpckhqdq, a, a, a);
                Masm.V(VecOp.Punpckhqdq, b, b, b);
            }
            Masm.V(extend, a, a);
            Masm.V(extend, b, b);
            Masm.V(fromLane == OperandSize.S8 ? VecOp.Pmullw : VecOp.Pmulld, a, a, b);
        }
    }

    /// <summary>extadd_pairwise: adjacent lanes of size <paramref name="fromLane"/> (S8 or S16) added into lanes twice their size. Clobbers rax.</summary>
    public void VectorExtAddPairwise(OperandSize fromLane, Signedness signedness, Reg a)
    {
        bool signed = signedness == Signedness.Signed;
        if (fromLane == OperandSize.S8)
        {
            // pmaddubsw multiplies unsigned bytes of its first operand by signed bytes of its second.
            LoadV128Const(Scratch, 0x0101010101010101, 0x0101010101010101);
            if (signed)
            {
                Masm.V(VecOp.Pmaddubsw, a, Scratch, a);
            }
            else
            {
                Masm.V(VecOp.Pmaddubsw, a, a, Scratch);
            }
        }
        else if (signed)
        {
            LoadV128Const(Scratch, 0x0001000100010001, 0x0001000100010001);
            Masm.V(VecOp.Pmaddwd, a, a, Scratch);
        }
        else
        {
            // Unsigned words: bias them to signed (x - 0x8000), add pairs, then add the 2 * 0x8000 back.
            LoadV128Const(Scratch, unchecked((long)0x8000800080008000), unchecked((long)0x8000800080008000));
            Masm.V(VecOp.Pxor, a, a, Scratch);
            LoadV128Const(Scratch, 0x0001000100010001, 0x0001000100010001);
            Masm.V(VecOp.Pmaddwd, a, a, Scratch);
            LoadV128Const(Scratch, 0x0001000000010000, 0x0001000000010000);
            Masm.V(VecOp.Paddd, a, a, Scratch);
        }
    }

    /// <summary>bitmask: general register <paramref name="dst"/> = the top bit of each lane of <paramref name="a"/> (clobbered for S16).</summary>
    public void VectorBitmask(OperandSize lane, Reg dst, Reg a)
    {
        if (lane == OperandSize.S16)
        {
            Masm.V(VecOp.Packsswb, a, a, a);
            Masm.MoveMask(OperandSize.S8, dst, a);
            Masm.AluImm(AluOp.And, OperandSize.S32, dst, 0xFF);
        }
        else
        {
            Masm.MoveMask(lane, dst, a);
        }
    }

    /// <summary>v128.any_true: sets the flags and returns the condition that holds when some bit of <paramref name="a"/> is set.</summary>
    public Cond VectorAnyTrue(Reg a)
    {
        Masm.Ptest(a, a);
        return Cond.NotEqual;
    }

    /// <summary>all_true: sets the flags and returns the condition that holds when no lane of <paramref name="a"/> is zero.</summary>
    public Cond VectorAllTrue(OperandSize lane, Reg a)
    {
        VecOp eq = lane switch { OperandSize.S8 => VecOp.Pcmpeqb, OperandSize.S16 => VecOp.Pcmpeqw, OperandSize.S32 => VecOp.Pcmpeqd, _ => VecOp.Pcmpeqq };
        Masm.V(VecOp.Pxor, Scratch, Scratch, Scratch);
        Masm.V(eq, Scratch, a, Scratch);   // all ones in the zero lanes
        Masm.Ptest(Scratch, Scratch);
        return Cond.Equal;
    }

    /// <summary>v128.bitselect: a = (a &amp; c) | (b &amp; ~c). Clobbers <paramref name="c"/>.</summary>
    public void VectorBitselect(Reg a, Reg b, Reg c)
    {
        Masm.V(VecOp.Pand, a, a, c);
        Masm.V(VecOp.Pandn, c, c, b);
        Masm.V(VecOp.Por, a, a, c);
    }

    // ---- conversions ----

    /// <summary>f32x4.convert_i32x4_u.</summary>
    public void F32x4ConvertI32x4U(Reg a)
    {
        // Low 16 bits convert exactly; the high part is halved, converted, doubled; then both are added.
        Masm.V(VecOp.Pxor, Scratch, Scratch, Scratch);
        Masm.V(VecOp.Pblendw, Scratch, Scratch, a, 0x55);
        Masm.V(VecOp.Psubd, a, a, Scratch);
        Masm.V(VecOp.Cvtdq2ps, Scratch, Scratch);
        Masm.VShift(VecOp.Psrld, a, a, 1);
        Masm.V(VecOp.Cvtdq2ps, a, a);
        Masm.V(VecOp.Addps, a, a, a);
        Masm.V(VecOp.Addps, a, a, Scratch);
    }

    /// <summary>f64x2.convert_low_i32x4_u. Clobbers rax.</summary>
    public void F64x2ConvertLowI32x4U(Reg a)
    {
        // Each u32 becomes the low bits of the double 2^52 + u, from which 2^52 is subtracted.
        LoadV128Const(Scratch, 0x4330000043300000, 0x4330000043300000);
        Masm.V(VecOp.Punpckldq, a, a, Scratch);
        LoadV128Const(Scratch, 0x4330000000000000, 0x4330000000000000);
        Masm.V(VecOp.Subpd, a, a, Scratch);
    }

    /// <summary>i32x4.trunc_sat_f32x4_s.</summary>
    public void I32x4TruncSatF32x4S(Reg a)
    {
        Masm.V(VecOp.Cmpps, Scratch, a, a, 0);   // not-NaN lanes
        Masm.V(VecOp.Andps, a, a, Scratch);      // NaN -> 0
        Masm.V(VecOp.Pxor, Scratch, Scratch, a); // top bit set where the input is >= 0
        Masm.V(VecOp.Cvttps2dq, a, a);           // overflow gives 0x80000000
        Masm.V(VecOp.Pand, Scratch, Scratch, a);
        Masm.VShift(VecOp.Psrad, Scratch, Scratch, 31);
        Masm.V(VecOp.Pxor, a, a, Scratch);       // positive overflow -> 0x7fffffff
    }

    /// <summary>i32x4.trunc_sat_f32x4_u; <paramref name="temp"/> is an xmm register the sequence may clobber.</summary>
    public void I32x4TruncSatF32x4U(Reg a, Reg temp)
    {
        Reg t = temp;
        Masm.V(VecOp.Pxor, Scratch, Scratch, Scratch);
        Masm.V(VecOp.Maxps, a, a, Scratch);           // NaN and negatives -> 0
        VectorAllOnes(Scratch);
        Masm.VShift(VecOp.Psrld, Scratch, Scratch, 1);
        Masm.V(VecOp.Cvtdq2ps, Scratch, Scratch);     // 2^31
        Masm.V(VecOp.Subps, t, a, Scratch);           // x - 2^31
        Masm.V(VecOp.Cmpps, Scratch, Scratch, t, 2);  // lanes >= 2^32
        Masm.V(VecOp.Cvttps2dq, t, t);
        Masm.V(VecOp.Pxor, t, t, Scratch);            // those -> 0x7fffffff
        Masm.V(VecOp.Pxor, Scratch, Scratch, Scratch);
        Masm.V(VecOp.Pmaxsd, t, t, Scratch);          // lanes below 2^31 add nothing
        Masm.V(VecOp.Cvttps2dq, a, a);                // lanes >= 2^31 -> 0x80000000
        Masm.V(VecOp.Paddd, a, a, t);
    }

    /// <summary>i32x4.trunc_sat_f64x2_s_zero / _u_zero; <paramref name="temp"/> is an xmm register the sequence may clobber. Clobbers rax.</summary>
    public void I32x4TruncSatF64x2Zero(Signedness signedness, Reg a, Reg temp)
    {
        Reg t = temp;
        if (signedness == Signedness.Signed)
        {
            long max = BitConverter.DoubleToInt64Bits(2147483647.0);
            LoadV128Const(t, max, max);
            Masm.V(VecOp.Cmppd, Scratch, a, a, 0);   // not-NaN lanes
            Masm.V(VecOp.Andpd, Scratch, Scratch, t);
            Masm.V(VecOp.Minpd, a, a, Scratch);      // NaN -> 0, clamped above; below, cvtt gives INT_MIN
            Masm.V(VecOp.Cvttpd2dq, a, a);
        }
        else
        {
            long max = BitConverter.DoubleToInt64Bits(4294967295.0);
            Masm.V(VecOp.Pxor, Scratch, Scratch, Scratch);
            Masm.V(VecOp.Maxpd, a, a, Scratch);      // NaN and negatives -> 0
            LoadV128Const(t, max, max);
            Masm.V(VecOp.Minpd, a, a, t);
            Masm.V(VecOp.Roundpd, a, a, 3 | 8);
            LoadV128Const(t, 0x4330000000000000, 0x4330000000000000);
            Masm.V(VecOp.Addpd, a, a, t);            // the integer is now the low 32 bits of each double
            Masm.V(VecOp.Shufps, a, a, Scratch, 0x88);
        }
    }

    // ---- shifts ----

    /// <summary>Masks a shift count in a general register to the lane width, as wasm takes it (before <see cref="VectorShift"/>).</summary>
    public void MaskVectorShiftCount(OperandSize lane, Reg count) => Masm.AluImm(AluOp.And, OperandSize.S32, count, lane.Bits() - 1);

    /// <summary>True when <see cref="VectorShift"/> needs a temporary xmm register: the i8x16 shifts and i64x2.shr_s.</summary>
    public static bool VectorShiftNeedsTemp(OperandSize lane, ShiftOp op) => lane == OperandSize.S8 || (lane == OperandSize.S64 && op == ShiftOp.Sar);

    /// <summary>
    /// Lane shift: <paramref name="op"/> is Shl, Sar (shr_s) or Shr (shr_u); <paramref name="count"/> an immediate
    /// (taken modulo the lane width here) or a general register already masked by <see cref="MaskVectorShiftCount"/>
    /// (clobbered). <paramref name="temp"/> is an xmm register the sequence may clobber where
    /// <see cref="VectorShiftNeedsTemp"/> says so (<see cref="Reg.None"/> otherwise).
    /// </summary>
    public void VectorShift(OperandSize lane, ShiftOp op, Reg a, in Operand count, Reg temp)
    {
        if (VectorShiftNeedsTemp(lane, op) && !temp.IsFloat)
        {
            throw new ArgumentException($"a {lane} {op} lane shift needs a temporary xmm register", nameof(temp));
        }
        bool constant = count.IsImmediate;
        int constantCount = constant ? (int)count.Imm & (lane.Bits() - 1) : 0;
        Reg countReg = constant ? Reg.None : count.Reg;
        if (lane == OperandSize.S8)
        {
            I8x16Shift(op, a, constant, constantCount, countReg, temp);
            return;
        }
        if (lane == OperandSize.S64 && op == ShiftOp.Sar)
        {
            // Arithmetic from logical: ((a >>> n) ^ m) - m with m = the sign bit >>> n.
            Reg m = temp;
            VectorAllOnes(m);
            Masm.VShift(VecOp.Psllq, m, m, 63);
            int n = ShiftCountOperand(constant, constantCount, countReg, 0);
            ShiftLanes(VecOp.Psrlq, m, n);
            ShiftLanes(VecOp.Psrlq, a, n);
            Masm.V(VecOp.Pxor, a, a, m);
            Masm.V(VecOp.Psubq, a, a, m);
            return;
        }
        VecOp shift = (lane, op) switch
        {
            (OperandSize.S16, ShiftOp.Shl) => VecOp.Psllw,
            (OperandSize.S16, ShiftOp.Sar) => VecOp.Psraw,
            (OperandSize.S16, _) => VecOp.Psrlw,
            (OperandSize.S32, ShiftOp.Shl) => VecOp.Pslld,
            (OperandSize.S32, ShiftOp.Sar) => VecOp.Psrad,
            (OperandSize.S32, _) => VecOp.Psrld,
            (_, ShiftOp.Shl) => VecOp.Psllq,
            _ => VecOp.Psrlq,
        };
        ShiftLanes(shift, a, ShiftCountOperand(constant, constantCount, countReg, 0));
    }

    /// <summary>
    /// The count for <see cref="ShiftLanes"/> once the vector operands are in place: the constant plus
    /// <paramref name="add"/>, or -1 after moving the register count plus <paramref name="add"/> into xmm15.
    /// </summary>
    private int ShiftCountOperand(bool constant, int count, Reg countReg, int add)
    {
        if (constant)
        {
            return count + add;
        }
        if (add != 0)
        {
            Masm.AluImm(AluOp.Add, OperandSize.S32, countReg, add);
        }
        Masm.MovToXmm(OperandSize.S32, Scratch, countReg);
        return -1;
    }

    /// <summary>r = r shifted by <paramref name="count"/> (from <see cref="ShiftCountOperand"/>): the immediate form, or by xmm15.</summary>
    private void ShiftLanes(VecOp op, Reg r, int count)
    {
        if (count >= 0)
        {
            Masm.VShift(op, r, r, count);
        }
        else
        {
            Masm.V(op, r, r, Scratch);
        }
    }

    /// <summary>i8x16 shifts through 16-bit lanes: shl and shr_u mask off the bits that crossed bytes, shr_s widens.</summary>
    private void I8x16Shift(ShiftOp op, Reg a, bool constant, int count, Reg countReg, Reg m)
    {
        if (op == ShiftOp.Sar)
        {
            // Each byte into the high half of a word (word = b << 8 | b), arithmetic shift by n + 8, pack back.
            Masm.V(VecOp.Punpckhbw, m, a, a);
            Masm.V(VecOp.Punpcklbw, a, a, a);
            int n = ShiftCountOperand(constant, count, countReg, 8);
            ShiftLanes(VecOp.Psraw, m, n);
            ShiftLanes(VecOp.Psraw, a, n);
            Masm.V(VecOp.Packsswb, a, a, m);
        }
        else
        {
            bool left = op == ShiftOp.Shl;
            VecOp shift = left ? VecOp.Psllw : VecOp.Psrlw;
            // The byte mask: (0xff << n) or (0xff >> n), made in one word and broadcast.
            VectorAllOnes(m);
            int n = ShiftCountOperand(constant, count, countReg, 0);
            ShiftLanes(shift, m, n);
            ShiftLanes(shift, a, n);
            if (!left)
            {
                Masm.VShift(VecOp.Psrlw, m, m, 8);
            }
            Masm.V(VecOp.Pbroadcastb, m, m);
            Masm.V(VecOp.Pand, a, a, m);
        }
    }

    // ---- splat, lanes, shuffles ----

    /// <summary>
    /// splat: <paramref name="dst"/> = the scalar in <paramref name="src"/> in every lane of size <paramref name="lane"/>:
    /// f32x4/f64x2 from an xmm register (which may be <paramref name="dst"/>), the integer ones from a general register.
    /// </summary>
    public void VectorSplat(OperandSize lane, Reg dst, Reg src)
    {
        if (src.IsFloat)
        {
            Masm.V(lane == OperandSize.S64 ? VecOp.Movddup : VecOp.Broadcastss, dst, src);
            return;
        }
        Masm.MovToXmm(lane == OperandSize.S64 ? OperandSize.S64 : OperandSize.S32, dst, src);
        Masm.V(lane switch
        {
            OperandSize.S8 => VecOp.Pbroadcastb,
            OperandSize.S16 => VecOp.Pbroadcastw,
            OperandSize.S32 => VecOp.Pbroadcastd,
            _ => VecOp.Pbroadcastq,
        }, dst, dst);
    }

    /// <summary>f32x4/f64x2 extract_lane: lane <paramref name="index"/> moved to the low lane of <paramref name="v"/> (the scalar float is then v).</summary>
    public void VectorExtractFloatLane(OperandSize lane, Reg v, int index)
    {
        if (index == 0)
        {
            return;
        }
        if (lane == OperandSize.S64)
        {
            Masm.V(VecOp.Movhlps, v, v, v);
        }
        else
        {
            Masm.V(VecOp.Pshufd, v, v, index);
        }
    }

    /// <summary>
    /// Integer extract_lane: general register <paramref name="dst"/> = lane <paramref name="index"/> of <paramref name="v"/>,
    /// sign- or zero-extended to 32 bits (i8x16 and i16x8; i32x4 and i64x2 take the lane as it is).
    /// </summary>
    public void VectorExtractIntLane(OperandSize lane, Signedness signedness, Reg dst, Reg v, int index)
    {
        Masm.Extract(lane, dst, v, index);
        if (signedness == Signedness.Signed && lane is OperandSize.S8 or OperandSize.S16)
        {
            Masm.SignExtend(dst, dst, lane, OperandSize.S32);
        }
    }

    /// <summary>f32x4/f64x2 replace_lane: lane <paramref name="index"/> of <paramref name="v"/> = the scalar float in <paramref name="x"/>.</summary>
    public void VectorReplaceFloatLane(OperandSize lane, Reg v, Reg x, int index)
    {
        if (lane == OperandSize.S32)
        {
            Masm.V(VecOp.Insertps, v, v, x, index << 4);
        }
        else
        {
            Masm.V(index == 0 ? VecOp.Movsd : VecOp.Movlhps, v, v, x);
        }
    }

    /// <summary>Integer replace_lane: lane <paramref name="index"/> of <paramref name="v"/> = <paramref name="value"/> (a general register or an immediate). Clobbers rax.</summary>
    public void VectorReplaceIntLane(OperandSize lane, Reg v, in Operand value, int index)
    {
        if (value.IsImmediate)
        {
            Masm.MovImm(OperandSize.S64, Reg.Rax, value.Imm);
            Masm.Insert(lane, v, v, Reg.Rax, index);
        }
        else
        {
            Masm.Insert(lane, v, v, value.Reg, index);
        }
    }

    /// <summary>i8x16.shuffle: a = the bytes of a and b chosen by <paramref name="lanes"/> (0-15 from a, 16-31 from b). Clobbers <paramref name="b"/>, rax.</summary>
    public void I8x16Shuffle(Reg a, Reg b, Vector128<byte> lanes)
    {
        // pshufb takes a byte where the index has its top bit clear and gives 0 where it is set.
        Span<byte> fromA = stackalloc byte[16];
        Span<byte> fromB = stackalloc byte[16];
        bool anyA = false, anyB = false;
        for (int i = 0; i < 16; i++)
        {
            byte lane = lanes.GetElement(i);
            fromA[i] = lane < 16 ? lane : (byte)0x80;
            fromB[i] = lane >= 16 ? (byte)(lane - 16) : (byte)0x80;
            anyA |= lane < 16;
            anyB |= lane >= 16;
        }
        if (anyA)
        {
            LoadV128Const(Scratch, BitConverter.ToInt64(fromA), BitConverter.ToInt64(fromA[8..]));
            Masm.V(VecOp.Pshufb, a, a, Scratch);
        }
        if (anyB)
        {
            LoadV128Const(Scratch, BitConverter.ToInt64(fromB), BitConverter.ToInt64(fromB[8..]));
            Masm.V(VecOp.Pshufb, b, b, Scratch);
            if (anyA)
            {
                Masm.V(VecOp.Por, a, a, b);
            }
            else
            {
                Masm.MovF(a, b);
            }
        }
    }

    /// <summary>i8x16.swizzle: a = the bytes of a at <paramref name="indices"/> (0 for indices of 16 or more). Clobbers rax.</summary>
    public void I8x16Swizzle(Reg a, Reg indices)
    {
        // Indices >= 16 must give 0: saturating + 0x70 sets their top bit, keeps the low four of the rest.
        LoadV128Const(Scratch, 0x7070707070707070, 0x7070707070707070);
        Masm.V(VecOp.Paddusb, Scratch, indices, Scratch);
        Masm.V(VecOp.Pshufb, a, a, Scratch);
    }

    // ---- memory ----

    /// <summary>The bytes a SIMD load reads (v128.load and its extending, splatting and zeroing forms).</summary>
    public static int VectorLoadSize(Opcode opcode) => opcode switch
    {
        Opcode.V128Load => 16,
        Opcode.V128Load8Splat => 1,
        Opcode.V128Load16Splat => 2,
        Opcode.V128Load32Splat or Opcode.V128Load32Zero => 4,
        _ => 8,
    };

    /// <summary>A SIMD load (v128.load, load8x8_s ..., load8_splat ..., load32_zero, load64_zero): <paramref name="dst"/> = the value at <paramref name="at"/>.</summary>
    public void VectorLoad(Opcode opcode, Reg dst, Mem at)
    {
        switch (opcode)
        {
            case Opcode.V128Load: Masm.LoadV(dst, at); break;
            case Opcode.V128Load8x8S: Masm.V(VecOp.Pmovsxbw, dst, at); break;
            case Opcode.V128Load8x8U: Masm.V(VecOp.Pmovzxbw, dst, at); break;
            case Opcode.V128Load16x4S: Masm.V(VecOp.Pmovsxwd, dst, at); break;
            case Opcode.V128Load16x4U: Masm.V(VecOp.Pmovzxwd, dst, at); break;
            case Opcode.V128Load32x2S: Masm.V(VecOp.Pmovsxdq, dst, at); break;
            case Opcode.V128Load32x2U: Masm.V(VecOp.Pmovzxdq, dst, at); break;
            case Opcode.V128Load8Splat: Masm.V(VecOp.Pbroadcastb, dst, at); break;
            case Opcode.V128Load16Splat: Masm.V(VecOp.Pbroadcastw, dst, at); break;
            case Opcode.V128Load32Splat: Masm.V(VecOp.Pbroadcastd, dst, at); break;
            case Opcode.V128Load64Splat: Masm.V(VecOp.Pbroadcastq, dst, at); break;
            case Opcode.V128Load32Zero: Masm.LoadZeroExtended(OperandSize.S32, dst, at); break;
            case Opcode.V128Load64Zero: Masm.LoadZeroExtended(OperandSize.S64, dst, at); break;
            default: throw new ArgumentOutOfRangeException(nameof(opcode), opcode, "not a SIMD load");
        }
    }

    /// <summary>The lane size of v128.load*_lane and v128.store*_lane.</summary>
    public static OperandSize LaneAccessSize(Opcode opcode) => opcode switch
    {
        Opcode.V128Load8Lane or Opcode.V128Store8Lane => OperandSize.S8,
        Opcode.V128Load16Lane or Opcode.V128Store16Lane => OperandSize.S16,
        Opcode.V128Load32Lane or Opcode.V128Store32Lane => OperandSize.S32,
        _ => OperandSize.S64,
    };
}
