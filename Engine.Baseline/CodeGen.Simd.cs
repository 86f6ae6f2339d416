using System.Runtime.Intrinsics;
using Engine.Core;

namespace Engine.Baseline;

/// <summary>
/// The SIMD operators: v128 values live in xmm registers (allocated like floats) and in 16-byte frame slots;
/// each operator is one or a few VEX instructions. xmm15 is the scratch register of a sequence. The
/// sequences for the operators x86 lacks (float min/max, unsigned conversions, i64x2 multiply and so on)
/// follow the ones V8's Liftoff and Cranelift use.
/// </summary>
internal sealed partial class CodeGen
{
    private static readonly Reg Scratch = Reg.XmmScratch;

    private const ValType V128 = ValType.V128;

    public void V128Const(Vector128<byte> value)
    {
        Vector128<long> bits = value.AsInt64();
        PushV128Const(bits.GetElement(0), bits.GetElement(1));
    }

    /// <summary>Pops the top as a v128 operand: a register or a 16-byte frame slot.</summary>
    private Operand PopVector() => PopOperand(allowImmediate: false);

    /// <summary>The operand in a register: its own, or (a slot) loaded into the scratch register.</summary>
    private Reg InRegister(in Operand operand)
    {
        if (operand.IsRegister)
        {
            return operand.Reg;
        }
        Masm.LoadV(Scratch, operand.Mem);
        return Scratch;
    }

    /// <summary>a = a op b.</summary>
    private void VectorBinary(VecOp op)
    {
        Operand b = PopVector();
        Reg a = PopToRegister();
        if (b.IsMemory)
        {
            Masm.V(op, a, a, b.Mem);
        }
        else
        {
            Masm.V(op, a, a, b.Reg);
        }
        Free(b);
        PushRegister(V128, a);
    }

    /// <summary>a = b op a (for the operators whose x86 form takes the operands the other way round).</summary>
    private void VectorBinarySwapped(VecOp op)
    {
        Operand b = PopVector();
        Reg a = PopToRegister();
        Masm.V(op, a, InRegister(b), a);
        Free(b);
        PushRegister(V128, a);
    }

    private void VectorUnary(VecOp op)
    {
        Reg a = PopToRegister();
        Masm.V(op, a, a);
        PushRegister(V128, a);
    }

    private void AllOnes(Reg r) => Masm.V(VecOp.Pcmpeqd, r, r, r);

    private void Not(Reg r)
    {
        AllOnes(Scratch);
        Masm.V(VecOp.Pxor, r, r, Scratch);
    }

    // ---- comparisons ----

    /// <summary>Integer lane comparison (the scalar conditions: Less is lt_s, Below is lt_u): eq, ne, and the signed and unsigned orders through pcmpgt and pmin/pmax.</summary>
    private void IntegerCompare(int laneBytes, Cond relation)
    {
        VecOp eq = laneBytes switch { 1 => VecOp.Pcmpeqb, 2 => VecOp.Pcmpeqw, 4 => VecOp.Pcmpeqd, _ => VecOp.Pcmpeqq };
        VecOp gt = laneBytes switch { 1 => VecOp.Pcmpgtb, 2 => VecOp.Pcmpgtw, 4 => VecOp.Pcmpgtd, _ => VecOp.Pcmpgtq };
        VecOp maxU = laneBytes switch { 1 => VecOp.Pmaxub, 2 => VecOp.Pmaxuw, _ => VecOp.Pmaxud };
        VecOp minU = laneBytes switch { 1 => VecOp.Pminub, 2 => VecOp.Pminuw, _ => VecOp.Pminud };
        Operand bOperand = PopVector();
        Reg a = PopToRegister();
        Reg b = InRegister(bOperand);
        switch (relation)
        {
            case Cond.Equal: Masm.V(eq, a, a, b); break;
            case Cond.NotEqual: Masm.V(eq, a, a, b); Not(a); break;
            case Cond.Greater: Masm.V(gt, a, a, b); break;
            case Cond.Less: Masm.V(gt, a, b, a); break;
            case Cond.LessOrEqual: Masm.V(gt, a, a, b); Not(a); break;
            case Cond.GreaterOrEqual: Masm.V(gt, a, b, a); Not(a); break;
            // a >=u b exactly when max_u(a, b) == a; a <=u b when min_u(a, b) == a.
            case Cond.AboveOrEqual: Masm.V(maxU, Scratch, a, b); Masm.V(eq, a, a, Scratch); break;
            case Cond.BelowOrEqual: Masm.V(minU, Scratch, a, b); Masm.V(eq, a, a, Scratch); break;
            case Cond.Below: Masm.V(maxU, Scratch, a, b); Masm.V(eq, a, a, Scratch); Not(a); break;
            case Cond.Above: Masm.V(minU, Scratch, a, b); Masm.V(eq, a, a, Scratch); Not(a); break;
            default: throw new ArgumentOutOfRangeException(nameof(relation), relation, "not a wasm lane comparison");
        }
        Free(bOperand);
        PushRegister(V128, a);
    }

    /// <summary>Float lane comparison through vcmpps/vcmppd (ordered predicates; ne is unordered-or-not-equal).</summary>
    private void FloatCompare(bool dbl, Cond relation)
    {
        VecOp cmp = dbl ? VecOp.Cmppd : VecOp.Cmpps;
        Operand bOperand = PopVector();
        Reg a = PopToRegister();
        Reg b = InRegister(bOperand);
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
        Free(bOperand);
        PushRegister(V128, a);
    }

    // ---- float arithmetic with wasm's NaN and signed-zero rules ----

    private void VectorFloatMinMax(bool dbl, bool max)
    {
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
        Reg b = PopToRegister();
        Reg a = PopToRegister();
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
        Reg canonical = Allocate(true);
        long nan = dbl ? 0x7FF8000000000000 : 0x7FC000007FC00000;
        LoadV128Const(canonical, nan, nan);
        Masm.V(dbl ? VecOp.Andpd : VecOp.Andps, canonical, canonical, a);
        Masm.V(andNot, a, a, Scratch);
        Masm.V(or, a, a, canonical);
        Free(canonical);
        Free(b);
        PushRegister(V128, a);
    }

    /// <summary>abs (clear the sign bits) or neg (flip them).</summary>
    private void FloatSign(bool dbl, bool neg)
    {
        Reg a = PopToRegister();
        AllOnes(Scratch);
        if (neg)
        {
            Masm.VShift(dbl ? VecOp.Psllq : VecOp.Pslld, Scratch, Scratch, dbl ? 63 : 31);
            Masm.V(dbl ? VecOp.Xorpd : VecOp.Xorps, a, a, Scratch);
        }
        else
        {
            Masm.VShift(dbl ? VecOp.Psrlq : VecOp.Psrld, Scratch, Scratch, 1);
            Masm.V(dbl ? VecOp.Andpd : VecOp.Andps, a, a, Scratch);
        }
        PushRegister(V128, a);
    }

    private void FloatRound(bool dbl, int mode)
    {
        Reg a = PopToRegister();
        Masm.V(dbl ? VecOp.Roundpd : VecOp.Roundps, a, a, mode | 8);
        PushRegister(V128, a);
    }

    // ---- integer arithmetic x86 lacks ----

    private void IntegerNeg(VecOp sub)
    {
        Reg a = PopToRegister();
        Masm.V(VecOp.Pxor, Scratch, Scratch, Scratch);
        Masm.V(sub, a, Scratch, a);
        PushRegister(V128, a);
    }

    private void I64x2Abs()
    {
        Reg a = PopToRegister();
        Masm.V(VecOp.Pxor, Scratch, Scratch, Scratch);
        Masm.V(VecOp.Pcmpgtq, Scratch, Scratch, a);   // all ones in negative lanes
        Masm.V(VecOp.Pxor, a, a, Scratch);
        Masm.V(VecOp.Psubq, a, a, Scratch);
        PushRegister(V128, a);
    }

    private void I64x2Mul()
    {
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        Reg t = Allocate(true);
        // (a_hi * b_lo + b_hi * a_lo) << 32 + a_lo * b_lo, lane by lane.
        Masm.VShift(VecOp.Psrlq, Scratch, a, 32);
        Masm.V(VecOp.Pmuludq, Scratch, Scratch, b);
        Masm.VShift(VecOp.Psrlq, t, b, 32);
        Masm.V(VecOp.Pmuludq, t, t, a);
        Masm.V(VecOp.Paddq, Scratch, Scratch, t);
        Masm.VShift(VecOp.Psllq, Scratch, Scratch, 32);
        Masm.V(VecOp.Pmuludq, a, a, b);
        Masm.V(VecOp.Paddq, a, a, Scratch);
        Free(t);
        Free(b);
        PushRegister(V128, a);
    }

    private void Q15MulrSat()
    {
        VectorBinary(VecOp.Pmulhrsw);
        Reg a = PopToRegister(); // already in a register: no code
        // pmulhrsw gives 0x8000 for 0x8000 * 0x8000 where wasm saturates to 0x7fff.
        LoadV128Const(Scratch, unchecked((long)0x8000800080008000), unchecked((long)0x8000800080008000));
        Masm.V(VecOp.Pcmpeqw, Scratch, a, Scratch);
        Masm.V(VecOp.Pxor, a, a, Scratch);
        PushRegister(V128, a);
    }

    private void I8x16Popcnt()
    {
        Reg a = PopToRegister();
        Reg lut = Allocate(true);
        Reg high = Allocate(true);
        // Each nibble's count from a 16-entry table (pshufb), low and high nibbles added.
        LoadV128Const(Scratch, 0x0F0F0F0F0F0F0F0F, 0x0F0F0F0F0F0F0F0F);
        Masm.VShift(VecOp.Psrlw, high, a, 4);
        Masm.V(VecOp.Pand, high, high, Scratch);
        Masm.V(VecOp.Pand, a, a, Scratch);
        LoadV128Const(lut, 0x0302020102010100, 0x0403030203020201);
        Masm.V(VecOp.Pshufb, a, lut, a);
        Masm.V(VecOp.Pshufb, high, lut, high);
        Masm.V(VecOp.Paddb, a, a, high);
        Free(lut);
        Free(high);
        PushRegister(V128, a);
    }

    private void ExtendHalf(VecOp extend, bool high)
    {
        Reg a = PopToRegister();
        if (high)
        {
            Masm.V(VecOp.Punpckhqdq, a, a, a);
        }
        Masm.V(extend, a, a);
        PushRegister(V128, a);
    }

    /// <summary>extmul: both halves extended, then multiplied (i64x2 through pmuldq/pmuludq on lanes 0 and 2).</summary>
    private void ExtendedMultiply(int laneBytes, bool high, bool signed)
    {
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        if (laneBytes == 4)
        {
            int order = high ? 0xFA : 0x50;
            Masm.V(VecOp.Pshufd, a, a, order);
            Masm.V(VecOp.Pshufd, b, b, order);
            Masm.V(signed ? VecOp.Pmuldq : VecOp.Pmuludq, a, a, b);
        }
        else
        {
            VecOp extend = (laneBytes, signed) switch
            {
                (1, true) => VecOp.Pmovsxbw,
                (1, false) => VecOp.Pmovzxbw,
                (2, true) => VecOp.Pmovsxwd,
                _ => VecOp.Pmovzxwd,
            };
            if (high)
            {
                Masm.V(VecOp.Punpckhqdq, a, a, a);
                Masm.V(VecOp.Punpckhqdq, b, b, b);
            }
            Masm.V(extend, a, a);
            Masm.V(extend, b, b);
            Masm.V(laneBytes == 1 ? VecOp.Pmullw : VecOp.Pmulld, a, a, b);
        }
        Free(b);
        PushRegister(V128, a);
    }

    private void ExtAddPairwise(int laneBytes, bool signed)
    {
        Reg a = PopToRegister();
        if (laneBytes == 1)
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
        PushRegister(V128, a);
    }

    private void Bitmask(int laneBytes)
    {
        Reg a = PopToRegister();
        Reg r = Allocate(false);
        if (laneBytes == 2)
        {
            Masm.V(VecOp.Packsswb, a, a, a);
            Masm.MoveMask(1, r, a);
            Masm.AluImm(AluOp.And, false, r, 0xFF);
        }
        else
        {
            Masm.MoveMask(laneBytes, r, a);
        }
        Free(a);
        PushRegister(ValType.I32, r);
    }

    private void AnyTrue()
    {
        Reg a = PopToRegister();
        Masm.Ptest(a, a);
        Free(a);
        PushFlags(Cond.NotEqual);
    }

    private void AllTrue(VecOp eq)
    {
        Reg a = PopToRegister();
        Masm.V(VecOp.Pxor, Scratch, Scratch, Scratch);
        Masm.V(eq, Scratch, a, Scratch);   // all ones in the zero lanes
        Masm.Ptest(Scratch, Scratch);
        Free(a);
        PushFlags(Cond.Equal);
    }

    private void Bitselect()
    {
        Reg c = PopToRegister();
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        Masm.V(VecOp.Pand, a, a, c);
        Masm.V(VecOp.Pandn, c, c, b);
        Masm.V(VecOp.Por, a, a, c);
        Free(c);
        Free(b);
        PushRegister(V128, a);
    }

    // ---- conversions ----

    private void F32x4ConvertU()
    {
        Reg a = PopToRegister();
        // Low 16 bits convert exactly; the high part is halved, converted, doubled; then both are added.
        Masm.V(VecOp.Pxor, Scratch, Scratch, Scratch);
        Masm.V(VecOp.Pblendw, Scratch, Scratch, a, 0x55);
        Masm.V(VecOp.Psubd, a, a, Scratch);
        Masm.V(VecOp.Cvtdq2ps, Scratch, Scratch);
        Masm.VShift(VecOp.Psrld, a, a, 1);
        Masm.V(VecOp.Cvtdq2ps, a, a);
        Masm.V(VecOp.Addps, a, a, a);
        Masm.V(VecOp.Addps, a, a, Scratch);
        PushRegister(V128, a);
    }

    private void F64x2ConvertLowU()
    {
        Reg a = PopToRegister();
        // Each u32 becomes the low bits of the double 2^52 + u, from which 2^52 is subtracted.
        LoadV128Const(Scratch, 0x4330000043300000, 0x4330000043300000);
        Masm.V(VecOp.Punpckldq, a, a, Scratch);
        LoadV128Const(Scratch, 0x4330000000000000, 0x4330000000000000);
        Masm.V(VecOp.Subpd, a, a, Scratch);
        PushRegister(V128, a);
    }

    private void I32x4TruncSatF32x4S()
    {
        Reg a = PopToRegister();
        Masm.V(VecOp.Cmpps, Scratch, a, a, 0);   // not-NaN lanes
        Masm.V(VecOp.Andps, a, a, Scratch);      // NaN -> 0
        Masm.V(VecOp.Pxor, Scratch, Scratch, a); // top bit set where the input is >= 0
        Masm.V(VecOp.Cvttps2dq, a, a);           // overflow gives 0x80000000
        Masm.V(VecOp.Pand, Scratch, Scratch, a);
        Masm.VShift(VecOp.Psrad, Scratch, Scratch, 31);
        Masm.V(VecOp.Pxor, a, a, Scratch);       // positive overflow -> 0x7fffffff
        PushRegister(V128, a);
    }

    private void I32x4TruncSatF32x4U()
    {
        Reg a = PopToRegister();
        Reg t = Allocate(true);
        Masm.V(VecOp.Pxor, Scratch, Scratch, Scratch);
        Masm.V(VecOp.Maxps, a, a, Scratch);           // NaN and negatives -> 0
        AllOnes(Scratch);
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
        Free(t);
        PushRegister(V128, a);
    }

    private void I32x4TruncSatF64x2Zero(bool signed)
    {
        Reg a = PopToRegister();
        Reg t = Allocate(true);
        if (signed)
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
        Free(t);
        PushRegister(V128, a);
    }

    // ---- shifts ----

    /// <summary>
    /// Pops the shift count (wasm takes it modulo the lane width): true with it in <paramref name="count"/> when it
    /// is a constant, else false with it masked in <paramref name="countReg"/>, for <see cref="ShiftOperand"/> to move
    /// into the scratch register once the vector operand is in place.
    /// </summary>
    private bool PopShiftCount(int laneBits, out int count, out Reg countReg)
    {
        countReg = Reg.None;
        if (Peek().Kind == ValueKind.Const)
        {
            count = (int)Pop().Bits & (laneBits - 1);
            return true;
        }
        count = 0;
        countReg = PopToRegister();
        Masm.AluImm(AluOp.And, false, countReg, laneBits - 1);
        return false;
    }

    /// <summary>
    /// The count for <see cref="ShiftLanes"/> once the vector operands are in place: the constant plus
    /// <paramref name="add"/>, or -1 after moving the register count plus <paramref name="add"/> into the scratch register.
    /// </summary>
    private int ShiftOperand(bool constant, int count, Reg countReg, int add)
    {
        if (constant)
        {
            return count + add;
        }
        if (add != 0)
        {
            Masm.AluImm(AluOp.Add, false, countReg, add);
        }
        Masm.MovToXmm(false, Scratch, countReg);
        Free(countReg);
        return -1;
    }

    /// <summary>r = r shifted by <paramref name="count"/> (from <see cref="ShiftOperand"/>): the immediate form, or by the scratch register.</summary>
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

    private void Shift(VecOp op, int laneBits)
    {
        bool constant = PopShiftCount(laneBits, out int count, out Reg countReg);
        Reg a = PopToRegister();
        ShiftLanes(op, a, ShiftOperand(constant, count, countReg, 0));
        PushRegister(V128, a);
    }

    private void I64x2ShrS()
    {
        bool constant = PopShiftCount(64, out int count, out Reg countReg);
        Reg a = PopToRegister();
        Reg m = Allocate(true);
        // Arithmetic from logical: ((a >>> n) ^ m) - m with m = the sign bit >>> n.
        AllOnes(m);
        Masm.VShift(VecOp.Psllq, m, m, 63);
        int n = ShiftOperand(constant, count, countReg, 0);
        ShiftLanes(VecOp.Psrlq, m, n);
        ShiftLanes(VecOp.Psrlq, a, n);
        Masm.V(VecOp.Pxor, a, a, m);
        Masm.V(VecOp.Psubq, a, a, m);
        Free(m);
        PushRegister(V128, a);
    }

    /// <summary>i8x16 shifts through 16-bit lanes: shl and shr_u mask off the bits that crossed bytes, shr_s widens.</summary>
    private void I8x16Shift(string kind)
    {
        bool constant = PopShiftCount(8, out int count, out Reg countReg);
        Reg a = PopToRegister();
        Reg m = Allocate(true);
        if (kind == "shr_s")
        {
            // Each byte into the high half of a word (word = b << 8 | b), arithmetic shift by n + 8, pack back.
            Masm.V(VecOp.Punpckhbw, m, a, a);
            Masm.V(VecOp.Punpcklbw, a, a, a);
            int n = ShiftOperand(constant, count, countReg, 8);
            ShiftLanes(VecOp.Psraw, m, n);
            ShiftLanes(VecOp.Psraw, a, n);
            Masm.V(VecOp.Packsswb, a, a, m);
        }
        else
        {
            bool left = kind == "shl";
            VecOp shift = left ? VecOp.Psllw : VecOp.Psrlw;
            // The byte mask: (0xff << n) or (0xff >> n), made in one word and broadcast.
            AllOnes(m);
            int n = ShiftOperand(constant, count, countReg, 0);
            ShiftLanes(shift, m, n);
            ShiftLanes(shift, a, n);
            if (!left)
            {
                Masm.VShift(VecOp.Psrlw, m, m, 8);
            }
            Masm.V(VecOp.Pbroadcastb, m, m);
            Masm.V(VecOp.Pand, a, a, m);
        }
        Free(m);
        PushRegister(V128, a);
    }

    // ---- splat, lanes, shuffles ----

    public void Splat(Opcode opcode)
    {
        if (Peek().Kind == ValueKind.Const)
        {
            long bits = Pop().Bits;
            long pattern = opcode switch
            {
                Opcode.I8x16Splat => (long)(0x0101010101010101UL * (byte)bits),
                Opcode.I16x8Splat => (long)(0x0001000100010001UL * (ushort)bits),
                Opcode.I32x4Splat or Opcode.F32x4Splat => (long)(0x0000000100000001UL * (uint)bits),
                _ => bits,
            };
            PushV128Const(pattern, pattern);
            return;
        }
        Reg value = PopToRegister();
        Reg r = value.IsFloat ? value : Allocate(true);
        switch (opcode)
        {
            case Opcode.F32x4Splat:
                Masm.V(VecOp.Broadcastss, r, value);
                break;
            case Opcode.F64x2Splat:
                Masm.V(VecOp.Movddup, r, value);
                break;
            default:
                Masm.MovToXmm(opcode == Opcode.I64x2Splat, r, value);
                Masm.V(opcode switch
                {
                    Opcode.I8x16Splat => VecOp.Pbroadcastb,
                    Opcode.I16x8Splat => VecOp.Pbroadcastw,
                    Opcode.I32x4Splat => VecOp.Pbroadcastd,
                    _ => VecOp.Pbroadcastq,
                }, r, r);
                Free(value);
                break;
        }
        PushRegister(V128, r);
    }

    public void ExtractLane(Opcode opcode, byte lane)
    {
        Reg v = PopToRegister();
        switch (opcode)
        {
            case Opcode.F32x4ExtractLane:
                if (lane != 0)
                {
                    Masm.V(VecOp.Pshufd, v, v, lane);
                }
                PushRegister(ValType.F32, v);
                return;
            case Opcode.F64x2ExtractLane:
                if (lane != 0)
                {
                    Masm.V(VecOp.Movhlps, v, v, v);
                }
                PushRegister(ValType.F64, v);
                return;
        }
        Reg r = Allocate(false);
        switch (opcode)
        {
            case Opcode.I8x16ExtractLaneS:
                Masm.Extract(1, r, v, lane);
                Masm.SignExtend(r, r, 8, false);
                break;
            case Opcode.I8x16ExtractLaneU:
                Masm.Extract(1, r, v, lane);
                break;
            case Opcode.I16x8ExtractLaneS:
                Masm.Extract(2, r, v, lane);
                Masm.SignExtend(r, r, 16, false);
                break;
            case Opcode.I16x8ExtractLaneU:
                Masm.Extract(2, r, v, lane);
                break;
            case Opcode.I32x4ExtractLane:
                Masm.Extract(4, r, v, lane);
                break;
            default:
                Masm.Extract(8, r, v, lane);
                break;
        }
        Free(v);
        PushRegister(opcode == Opcode.I64x2ExtractLane ? ValType.I64 : ValType.I32, r);
    }

    public void ReplaceLane(Opcode opcode, byte lane)
    {
        if (opcode is Opcode.F32x4ReplaceLane or Opcode.F64x2ReplaceLane)
        {
            Reg x = PopToRegister();
            Reg v = PopToRegister();
            if (opcode == Opcode.F32x4ReplaceLane)
            {
                Masm.V(VecOp.Insertps, v, v, x, lane << 4);
            }
            else
            {
                Masm.V(lane == 0 ? VecOp.Movsd : VecOp.Movlhps, v, v, x);
            }
            Free(x);
            PushRegister(V128, v);
            return;
        }
        int bytes = opcode switch
        {
            Opcode.I8x16ReplaceLane => 1,
            Opcode.I16x8ReplaceLane => 2,
            Opcode.I32x4ReplaceLane => 4,
            _ => 8,
        };
        Operand value = PopOperand(allowMemory: false);
        Reg vector = PopToRegister();
        if (value.IsImmediate)
        {
            Masm.MovImm(true, Reg.Rax, value.Imm);
            Masm.Insert(bytes, vector, vector, Reg.Rax, lane);
        }
        else
        {
            Masm.Insert(bytes, vector, vector, value.Reg, lane);
        }
        Free(value);
        PushRegister(V128, vector);
    }

    public void Shuffle(Vector128<byte> lanes)
    {
        Reg b = PopToRegister();
        Reg a = PopToRegister();
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
        Free(b);
        PushRegister(V128, a);
    }

    private void Swizzle()
    {
        Reg indices = PopToRegister();
        Reg a = PopToRegister();
        // Indices >= 16 must give 0: saturating + 0x70 sets their top bit, keeps the low four of the rest.
        LoadV128Const(Scratch, 0x7070707070707070, 0x7070707070707070);
        Masm.V(VecOp.Paddusb, Scratch, indices, Scratch);
        Masm.V(VecOp.Pshufb, a, a, Scratch);
        Free(indices);
        PushRegister(V128, a);
    }

    // ---- memory ----

    public void VectorLoad(Opcode opcode, MemArg memArg)
    {
        int size = opcode switch
        {
            Opcode.V128Load => 16,
            Opcode.V128Load8Splat => 1,
            Opcode.V128Load16Splat => 2,
            Opcode.V128Load32Splat or Opcode.V128Load32Zero => 4,
            _ => 8,
        };
        Operand address = PopOperand(allowMemory: false);
        Mem at = HeapAddress(address, memArg.Offset, size);
        Reg r = Allocate(true);
        switch (opcode)
        {
            case Opcode.V128Load: Masm.LoadV(r, at); break;
            case Opcode.V128Load8x8S: Masm.V(VecOp.Pmovsxbw, r, at); break;
            case Opcode.V128Load8x8U: Masm.V(VecOp.Pmovzxbw, r, at); break;
            case Opcode.V128Load16x4S: Masm.V(VecOp.Pmovsxwd, r, at); break;
            case Opcode.V128Load16x4U: Masm.V(VecOp.Pmovzxwd, r, at); break;
            case Opcode.V128Load32x2S: Masm.V(VecOp.Pmovsxdq, r, at); break;
            case Opcode.V128Load32x2U: Masm.V(VecOp.Pmovzxdq, r, at); break;
            case Opcode.V128Load8Splat: Masm.V(VecOp.Pbroadcastb, r, at); break;
            case Opcode.V128Load16Splat: Masm.V(VecOp.Pbroadcastw, r, at); break;
            case Opcode.V128Load32Splat: Masm.V(VecOp.Pbroadcastd, r, at); break;
            case Opcode.V128Load64Splat: Masm.V(VecOp.Pbroadcastq, r, at); break;
            case Opcode.V128Load32Zero: Masm.LoadZeroExtended(4, r, at); break;
            default: Masm.LoadZeroExtended(8, r, at); break;
        }
        Free(address);
        PushRegister(V128, r);
    }

    public void VectorStore(MemArg memArg)
    {
        Reg v = PopToRegister();
        Operand address = PopOperand(allowMemory: false);
        Masm.StoreV(HeapAddress(address, memArg.Offset, 16), v);
        Free(address);
        Free(v);
    }

    private static int LaneBytes(Opcode opcode) => opcode switch
    {
        Opcode.V128Load8Lane or Opcode.V128Store8Lane => 1,
        Opcode.V128Load16Lane or Opcode.V128Store16Lane => 2,
        Opcode.V128Load32Lane or Opcode.V128Store32Lane => 4,
        _ => 8,
    };

    public void LoadLane(Opcode opcode, MemArg memArg, byte lane)
    {
        int bytes = LaneBytes(opcode);
        Reg v = PopToRegister();
        Operand address = PopOperand(allowMemory: false);
        Masm.Insert(bytes, v, v, HeapAddress(address, memArg.Offset, bytes), lane);
        Free(address);
        PushRegister(V128, v);
    }

    public void StoreLane(Opcode opcode, MemArg memArg, byte lane)
    {
        int bytes = LaneBytes(opcode);
        Reg v = PopToRegister();
        Operand address = PopOperand(allowMemory: false);
        Masm.Extract(bytes, HeapAddress(address, memArg.Offset, bytes), v, lane);
        Free(address);
        Free(v);
    }

    // ---- the operators with a fixed signature ----

    /// <summary>Compiles a SIMD operator of <c>VisitPlain</c>; false when it is not one.</summary>
    public bool SimdPlain(Opcode opcode)
    {
        switch (opcode)
        {
            case Opcode.I8x16Swizzle: Swizzle(); break;
            case Opcode.I8x16Splat or Opcode.I16x8Splat or Opcode.I32x4Splat or Opcode.I64x2Splat or Opcode.F32x4Splat or Opcode.F64x2Splat:
                Splat(opcode);
                break;

            case Opcode.I8x16Eq: IntegerCompare(1, Cond.Equal); break;
            case Opcode.I8x16Ne: IntegerCompare(1, Cond.NotEqual); break;
            case Opcode.I8x16LtS: IntegerCompare(1, Cond.Less); break;
            case Opcode.I8x16LtU: IntegerCompare(1, Cond.Below); break;
            case Opcode.I8x16GtS: IntegerCompare(1, Cond.Greater); break;
            case Opcode.I8x16GtU: IntegerCompare(1, Cond.Above); break;
            case Opcode.I8x16LeS: IntegerCompare(1, Cond.LessOrEqual); break;
            case Opcode.I8x16LeU: IntegerCompare(1, Cond.BelowOrEqual); break;
            case Opcode.I8x16GeS: IntegerCompare(1, Cond.GreaterOrEqual); break;
            case Opcode.I8x16GeU: IntegerCompare(1, Cond.AboveOrEqual); break;
            case Opcode.I16x8Eq: IntegerCompare(2, Cond.Equal); break;
            case Opcode.I16x8Ne: IntegerCompare(2, Cond.NotEqual); break;
            case Opcode.I16x8LtS: IntegerCompare(2, Cond.Less); break;
            case Opcode.I16x8LtU: IntegerCompare(2, Cond.Below); break;
            case Opcode.I16x8GtS: IntegerCompare(2, Cond.Greater); break;
            case Opcode.I16x8GtU: IntegerCompare(2, Cond.Above); break;
            case Opcode.I16x8LeS: IntegerCompare(2, Cond.LessOrEqual); break;
            case Opcode.I16x8LeU: IntegerCompare(2, Cond.BelowOrEqual); break;
            case Opcode.I16x8GeS: IntegerCompare(2, Cond.GreaterOrEqual); break;
            case Opcode.I16x8GeU: IntegerCompare(2, Cond.AboveOrEqual); break;
            case Opcode.I32x4Eq: IntegerCompare(4, Cond.Equal); break;
            case Opcode.I32x4Ne: IntegerCompare(4, Cond.NotEqual); break;
            case Opcode.I32x4LtS: IntegerCompare(4, Cond.Less); break;
            case Opcode.I32x4LtU: IntegerCompare(4, Cond.Below); break;
            case Opcode.I32x4GtS: IntegerCompare(4, Cond.Greater); break;
            case Opcode.I32x4GtU: IntegerCompare(4, Cond.Above); break;
            case Opcode.I32x4LeS: IntegerCompare(4, Cond.LessOrEqual); break;
            case Opcode.I32x4LeU: IntegerCompare(4, Cond.BelowOrEqual); break;
            case Opcode.I32x4GeS: IntegerCompare(4, Cond.GreaterOrEqual); break;
            case Opcode.I32x4GeU: IntegerCompare(4, Cond.AboveOrEqual); break;
            case Opcode.I64x2Eq: IntegerCompare(8, Cond.Equal); break;
            case Opcode.I64x2Ne: IntegerCompare(8, Cond.NotEqual); break;
            case Opcode.I64x2LtS: IntegerCompare(8, Cond.Less); break;
            case Opcode.I64x2GtS: IntegerCompare(8, Cond.Greater); break;
            case Opcode.I64x2LeS: IntegerCompare(8, Cond.LessOrEqual); break;
            case Opcode.I64x2GeS: IntegerCompare(8, Cond.GreaterOrEqual); break;
            case Opcode.F32x4Eq: FloatCompare(false, Cond.Equal); break;
            case Opcode.F32x4Ne: FloatCompare(false, Cond.NotEqual); break;
            case Opcode.F32x4Lt: FloatCompare(false, Cond.Less); break;
            case Opcode.F32x4Gt: FloatCompare(false, Cond.Greater); break;
            case Opcode.F32x4Le: FloatCompare(false, Cond.LessOrEqual); break;
            case Opcode.F32x4Ge: FloatCompare(false, Cond.GreaterOrEqual); break;
            case Opcode.F64x2Eq: FloatCompare(true, Cond.Equal); break;
            case Opcode.F64x2Ne: FloatCompare(true, Cond.NotEqual); break;
            case Opcode.F64x2Lt: FloatCompare(true, Cond.Less); break;
            case Opcode.F64x2Gt: FloatCompare(true, Cond.Greater); break;
            case Opcode.F64x2Le: FloatCompare(true, Cond.LessOrEqual); break;
            case Opcode.F64x2Ge: FloatCompare(true, Cond.GreaterOrEqual); break;

            case Opcode.V128Not:
            {
                Reg a = PopToRegister();
                Not(a);
                PushRegister(V128, a);
                break;
            }
            case Opcode.V128And: VectorBinary(VecOp.Pand); break;
            case Opcode.V128Andnot: VectorBinarySwapped(VecOp.Pandn); break;
            case Opcode.V128Or: VectorBinary(VecOp.Por); break;
            case Opcode.V128Xor: VectorBinary(VecOp.Pxor); break;
            case Opcode.V128Bitselect: Bitselect(); break;
            case Opcode.V128AnyTrue: AnyTrue(); break;

            case Opcode.F32x4DemoteF64x2Zero: VectorUnary(VecOp.Cvtpd2ps); break;
            case Opcode.F64x2PromoteLowF32x4: VectorUnary(VecOp.Cvtps2pd); break;

            case Opcode.I8x16Abs: VectorUnary(VecOp.Pabsb); break;
            case Opcode.I8x16Neg: IntegerNeg(VecOp.Psubb); break;
            case Opcode.I8x16Popcnt: I8x16Popcnt(); break;
            case Opcode.I8x16AllTrue: AllTrue(VecOp.Pcmpeqb); break;
            case Opcode.I8x16Bitmask: Bitmask(1); break;
            case Opcode.I8x16NarrowI16x8S: VectorBinary(VecOp.Packsswb); break;
            case Opcode.I8x16NarrowI16x8U: VectorBinary(VecOp.Packuswb); break;
            case Opcode.I8x16Shl: I8x16Shift("shl"); break;
            case Opcode.I8x16ShrS: I8x16Shift("shr_s"); break;
            case Opcode.I8x16ShrU: I8x16Shift("shr_u"); break;
            case Opcode.I8x16Add: VectorBinary(VecOp.Paddb); break;
            case Opcode.I8x16AddSatS: VectorBinary(VecOp.Paddsb); break;
            case Opcode.I8x16AddSatU: VectorBinary(VecOp.Paddusb); break;
            case Opcode.I8x16Sub: VectorBinary(VecOp.Psubb); break;
            case Opcode.I8x16SubSatS: VectorBinary(VecOp.Psubsb); break;
            case Opcode.I8x16SubSatU: VectorBinary(VecOp.Psubusb); break;
            case Opcode.I8x16MinS: VectorBinary(VecOp.Pminsb); break;
            case Opcode.I8x16MinU: VectorBinary(VecOp.Pminub); break;
            case Opcode.I8x16MaxS: VectorBinary(VecOp.Pmaxsb); break;
            case Opcode.I8x16MaxU: VectorBinary(VecOp.Pmaxub); break;
            case Opcode.I8x16AvgrU: VectorBinary(VecOp.Pavgb); break;

            case Opcode.I16x8ExtaddPairwiseI8x16S: ExtAddPairwise(1, true); break;
            case Opcode.I16x8ExtaddPairwiseI8x16U: ExtAddPairwise(1, false); break;
            case Opcode.I32x4ExtaddPairwiseI16x8S: ExtAddPairwise(2, true); break;
            case Opcode.I32x4ExtaddPairwiseI16x8U: ExtAddPairwise(2, false); break;
            case Opcode.I16x8Abs: VectorUnary(VecOp.Pabsw); break;
            case Opcode.I16x8Neg: IntegerNeg(VecOp.Psubw); break;
            case Opcode.I16x8Q15mulrSatS: Q15MulrSat(); break;
            case Opcode.I16x8AllTrue: AllTrue(VecOp.Pcmpeqw); break;
            case Opcode.I16x8Bitmask: Bitmask(2); break;
            case Opcode.I16x8NarrowI32x4S: VectorBinary(VecOp.Packssdw); break;
            case Opcode.I16x8NarrowI32x4U: VectorBinary(VecOp.Packusdw); break;
            case Opcode.I16x8ExtendLowI8x16S: ExtendHalf(VecOp.Pmovsxbw, false); break;
            case Opcode.I16x8ExtendHighI8x16S: ExtendHalf(VecOp.Pmovsxbw, true); break;
            case Opcode.I16x8ExtendLowI8x16U: ExtendHalf(VecOp.Pmovzxbw, false); break;
            case Opcode.I16x8ExtendHighI8x16U: ExtendHalf(VecOp.Pmovzxbw, true); break;
            case Opcode.I16x8Shl: Shift(VecOp.Psllw, 16); break;
            case Opcode.I16x8ShrS: Shift(VecOp.Psraw, 16); break;
            case Opcode.I16x8ShrU: Shift(VecOp.Psrlw, 16); break;
            case Opcode.I16x8Add: VectorBinary(VecOp.Paddw); break;
            case Opcode.I16x8AddSatS: VectorBinary(VecOp.Paddsw); break;
            case Opcode.I16x8AddSatU: VectorBinary(VecOp.Paddusw); break;
            case Opcode.I16x8Sub: VectorBinary(VecOp.Psubw); break;
            case Opcode.I16x8SubSatS: VectorBinary(VecOp.Psubsw); break;
            case Opcode.I16x8SubSatU: VectorBinary(VecOp.Psubusw); break;
            case Opcode.I16x8Mul: VectorBinary(VecOp.Pmullw); break;
            case Opcode.I16x8MinS: VectorBinary(VecOp.Pminsw); break;
            case Opcode.I16x8MinU: VectorBinary(VecOp.Pminuw); break;
            case Opcode.I16x8MaxS: VectorBinary(VecOp.Pmaxsw); break;
            case Opcode.I16x8MaxU: VectorBinary(VecOp.Pmaxuw); break;
            case Opcode.I16x8AvgrU: VectorBinary(VecOp.Pavgw); break;
            case Opcode.I16x8ExtmulLowI8x16S: ExtendedMultiply(1, false, true); break;
            case Opcode.I16x8ExtmulHighI8x16S: ExtendedMultiply(1, true, true); break;
            case Opcode.I16x8ExtmulLowI8x16U: ExtendedMultiply(1, false, false); break;
            case Opcode.I16x8ExtmulHighI8x16U: ExtendedMultiply(1, true, false); break;

            case Opcode.I32x4Abs: VectorUnary(VecOp.Pabsd); break;
            case Opcode.I32x4Neg: IntegerNeg(VecOp.Psubd); break;
            case Opcode.I32x4AllTrue: AllTrue(VecOp.Pcmpeqd); break;
            case Opcode.I32x4Bitmask: Bitmask(4); break;
            case Opcode.I32x4ExtendLowI16x8S: ExtendHalf(VecOp.Pmovsxwd, false); break;
            case Opcode.I32x4ExtendHighI16x8S: ExtendHalf(VecOp.Pmovsxwd, true); break;
            case Opcode.I32x4ExtendLowI16x8U: ExtendHalf(VecOp.Pmovzxwd, false); break;
            case Opcode.I32x4ExtendHighI16x8U: ExtendHalf(VecOp.Pmovzxwd, true); break;
            case Opcode.I32x4Shl: Shift(VecOp.Pslld, 32); break;
            case Opcode.I32x4ShrS: Shift(VecOp.Psrad, 32); break;
            case Opcode.I32x4ShrU: Shift(VecOp.Psrld, 32); break;
            case Opcode.I32x4Add: VectorBinary(VecOp.Paddd); break;
            case Opcode.I32x4Sub: VectorBinary(VecOp.Psubd); break;
            case Opcode.I32x4Mul: VectorBinary(VecOp.Pmulld); break;
            case Opcode.I32x4MinS: VectorBinary(VecOp.Pminsd); break;
            case Opcode.I32x4MinU: VectorBinary(VecOp.Pminud); break;
            case Opcode.I32x4MaxS: VectorBinary(VecOp.Pmaxsd); break;
            case Opcode.I32x4MaxU: VectorBinary(VecOp.Pmaxud); break;
            case Opcode.I32x4DotI16x8S: VectorBinary(VecOp.Pmaddwd); break;
            case Opcode.I32x4ExtmulLowI16x8S: ExtendedMultiply(2, false, true); break;
            case Opcode.I32x4ExtmulHighI16x8S: ExtendedMultiply(2, true, true); break;
            case Opcode.I32x4ExtmulLowI16x8U: ExtendedMultiply(2, false, false); break;
            case Opcode.I32x4ExtmulHighI16x8U: ExtendedMultiply(2, true, false); break;

            case Opcode.I64x2Abs: I64x2Abs(); break;
            case Opcode.I64x2Neg: IntegerNeg(VecOp.Psubq); break;
            case Opcode.I64x2AllTrue: AllTrue(VecOp.Pcmpeqq); break;
            case Opcode.I64x2Bitmask: Bitmask(8); break;
            case Opcode.I64x2ExtendLowI32x4S: ExtendHalf(VecOp.Pmovsxdq, false); break;
            case Opcode.I64x2ExtendHighI32x4S: ExtendHalf(VecOp.Pmovsxdq, true); break;
            case Opcode.I64x2ExtendLowI32x4U: ExtendHalf(VecOp.Pmovzxdq, false); break;
            case Opcode.I64x2ExtendHighI32x4U: ExtendHalf(VecOp.Pmovzxdq, true); break;
            case Opcode.I64x2Shl: Shift(VecOp.Psllq, 64); break;
            case Opcode.I64x2ShrS: I64x2ShrS(); break;
            case Opcode.I64x2ShrU: Shift(VecOp.Psrlq, 64); break;
            case Opcode.I64x2Add: VectorBinary(VecOp.Paddq); break;
            case Opcode.I64x2Sub: VectorBinary(VecOp.Psubq); break;
            case Opcode.I64x2Mul: I64x2Mul(); break;
            case Opcode.I64x2ExtmulLowI32x4S: ExtendedMultiply(4, false, true); break;
            case Opcode.I64x2ExtmulHighI32x4S: ExtendedMultiply(4, true, true); break;
            case Opcode.I64x2ExtmulLowI32x4U: ExtendedMultiply(4, false, false); break;
            case Opcode.I64x2ExtmulHighI32x4U: ExtendedMultiply(4, true, false); break;

            case Opcode.F32x4Ceil: FloatRound(false, 2); break;
            case Opcode.F32x4Floor: FloatRound(false, 1); break;
            case Opcode.F32x4Trunc: FloatRound(false, 3); break;
            case Opcode.F32x4Nearest: FloatRound(false, 0); break;
            case Opcode.F64x2Ceil: FloatRound(true, 2); break;
            case Opcode.F64x2Floor: FloatRound(true, 1); break;
            case Opcode.F64x2Trunc: FloatRound(true, 3); break;
            case Opcode.F64x2Nearest: FloatRound(true, 0); break;
            case Opcode.F32x4Abs: FloatSign(false, neg: false); break;
            case Opcode.F32x4Neg: FloatSign(false, neg: true); break;
            case Opcode.F32x4Sqrt: VectorUnary(VecOp.Sqrtps); break;
            case Opcode.F32x4Add: VectorBinary(VecOp.Addps); break;
            case Opcode.F32x4Sub: VectorBinary(VecOp.Subps); break;
            case Opcode.F32x4Mul: VectorBinary(VecOp.Mulps); break;
            case Opcode.F32x4Div: VectorBinary(VecOp.Divps); break;
            case Opcode.F32x4Min: VectorFloatMinMax(false, max: false); break;
            case Opcode.F32x4Max: VectorFloatMinMax(false, max: true); break;
            // pmin(a, b) = b < a ? b : a, exactly minps(b, a); pmax likewise.
            case Opcode.F32x4Pmin: VectorBinarySwapped(VecOp.Minps); break;
            case Opcode.F32x4Pmax: VectorBinarySwapped(VecOp.Maxps); break;
            case Opcode.F64x2Abs: FloatSign(true, neg: false); break;
            case Opcode.F64x2Neg: FloatSign(true, neg: true); break;
            case Opcode.F64x2Sqrt: VectorUnary(VecOp.Sqrtpd); break;
            case Opcode.F64x2Add: VectorBinary(VecOp.Addpd); break;
            case Opcode.F64x2Sub: VectorBinary(VecOp.Subpd); break;
            case Opcode.F64x2Mul: VectorBinary(VecOp.Mulpd); break;
            case Opcode.F64x2Div: VectorBinary(VecOp.Divpd); break;
            case Opcode.F64x2Min: VectorFloatMinMax(true, max: false); break;
            case Opcode.F64x2Max: VectorFloatMinMax(true, max: true); break;
            case Opcode.F64x2Pmin: VectorBinarySwapped(VecOp.Minpd); break;
            case Opcode.F64x2Pmax: VectorBinarySwapped(VecOp.Maxpd); break;

            case Opcode.I32x4TruncSatF32x4S: I32x4TruncSatF32x4S(); break;
            case Opcode.I32x4TruncSatF32x4U: I32x4TruncSatF32x4U(); break;
            case Opcode.F32x4ConvertI32x4S: VectorUnary(VecOp.Cvtdq2ps); break;
            case Opcode.F32x4ConvertI32x4U: F32x4ConvertU(); break;
            case Opcode.I32x4TruncSatF64x2SZero: I32x4TruncSatF64x2Zero(signed: true); break;
            case Opcode.I32x4TruncSatF64x2UZero: I32x4TruncSatF64x2Zero(signed: false); break;
            case Opcode.F64x2ConvertLowI32x4S: VectorUnary(VecOp.Cvtdq2pd); break;
            case Opcode.F64x2ConvertLowI32x4U: F64x2ConvertLowU(); break;
            default:
                return false;
        }
        return true;
    }
}
