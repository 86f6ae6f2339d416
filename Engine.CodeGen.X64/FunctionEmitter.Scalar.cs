using Engine.Core;

namespace Engine.CodeGen.X64;

/// <summary>
/// The scalar wasm operators whose x86 form is more than one instruction: the wasm semantics (traps, NaN and
/// signed-zero rules, unsigned conversions) written once for every tier, so a result never depends on which tier
/// computed it. Integer sizes are S32 (i32) or S64 (i64), float sizes S32 (f32) or S64 (f64).
/// </summary>
public sealed partial class FunctionEmitter
{
    // ---- constants ----

    /// <summary>
    /// xmm <paramref name="r"/> = the f32 or f64 with <paramref name="bits"/>, the rest of the register zero: xorps for 0,
    /// else one load from the literal pool; neither touches the flags (<paramref name="keepFlags"/> is kept for callers).
    /// </summary>
    public void LoadFloatConst(Reg r, OperandSize size, long bits, bool keepFlags = false)
    {
        if (bits == 0)
        {
            Masm.SseBits(SseBitOp.Xor, r, r);
            return;
        }
        Masm.LoadVLiteral(r, size == OperandSize.S64 ? bits : (uint)bits, 0);
    }

    /// <summary>xmm <paramref name="r"/> = the v128 constant (low, high 64 bits), without touching the flags: zero and all-ones built in the register, others one load from the literal pool.</summary>
    public void LoadV128Const(Reg r, long low, long high)
    {
        if (low == 0 && high == 0)
        {
            Masm.V(VecOp.Pxor, r, r, r);
            return;
        }
        if (low == -1 && high == -1)
        {
            Masm.V(VecOp.Pcmpeqd, r, r, r);
            return;
        }
        Masm.LoadVLiteral(r, low, high);
    }

    private void LoadFloat(Reg xmm, OperandSize size, double value)
    {
        bool dbl = size == OperandSize.S64;
        long bits = dbl ? BitConverter.DoubleToInt64Bits(value) : BitConverter.SingleToInt32Bits((float)value);
        Masm.MovImm(size, Reg.Rax, dbl ? bits : (uint)bits);
        Masm.MovToXmm(size, xmm, Reg.Rax);
    }

    // ---- integers ----

    /// <summary>
    /// <paramref name="dividend"/> = dividend / divisor or dividend rem divisor, trapping on division by zero and on
    /// the signed quotient that overflows (MIN / -1; MIN rem -1 is 0). Clobbers rax and rdx; neither operand may be
    /// one of them, and <paramref name="divisor"/> keeps its value.
    /// </summary>
    public void IntDivRem(OperandSize size, Signedness signedness, DivRem kind, Reg dividend, Reg divisor)
    {
        MLabel done = Masm.CreateLabel();
        Masm.Test(size, divisor, divisor);
        TrapIf(Cond.Equal, TrapCode.IntegerDivideByZero);
        if (signedness == Signedness.Signed)
        {
            MLabel normal = Masm.CreateLabel();
            Masm.AluImm(AluOp.Cmp, size, divisor, -1);
            Masm.JumpIf(Cond.NotEqual, normal);
            if (kind == DivRem.Remainder)
            {
                // x rem -1 is 0 (and idiv would fault on MIN rem -1).
                Masm.MovImm(OperandSize.S32, dividend, 0);
                Masm.Jump(done);
            }
            else
            {
                // MIN / -1 overflows: cmp MIN, 1 is the only compare of x with 1 that overflows.
                Masm.AluImm(AluOp.Cmp, size, dividend, 1);
                TrapIf(Cond.Overflow, TrapCode.IntegerOverflow);
            }
            Masm.Bind(normal);
        }
        Masm.Mov(size, Reg.Rax, dividend);
        Masm.Divide(signedness, size, divisor);
        Masm.Mov(size, dividend, kind == DivRem.Remainder ? Reg.Rdx : Reg.Rax);
        Masm.Bind(done);
    }

    /// <summary><paramref name="r"/> = its count of leading zero bits (lzcnt, or without <see cref="CpuFeatures.Lzcnt"/> bsr: clobbers r11).</summary>
    public void CountLeadingZeros(OperandSize size, Reg r)
    {
        bool wide = size == OperandSize.S64;
        if (Has(CpuFeatures.Lzcnt))
        {
            Masm.Lzcnt(size, r, r);
        }
        else
        {
            // bsr leaves ZF set for 0: then (2w - 1) ^ (w - 1) = w.
            Masm.MovImm(OperandSize.S32, Reg.R11, wide ? 127 : 63);
            Masm.Bsr(size, r, r);
            Masm.CMov(Cond.Equal, size, r, Reg.R11);
            Masm.AluImm(AluOp.Xor, size, r, wide ? 63 : 31);
        }
    }

    /// <summary><paramref name="r"/> = its count of trailing zero bits (tzcnt, or without <see cref="CpuFeatures.Bmi1"/> bsf: clobbers r11).</summary>
    public void CountTrailingZeros(OperandSize size, Reg r)
    {
        if (Has(CpuFeatures.Bmi1))
        {
            Masm.Tzcnt(size, r, r);
        }
        else
        {
            Masm.MovImm(OperandSize.S32, Reg.R11, size == OperandSize.S64 ? 64 : 32);
            Masm.Bsf(size, r, r);
            Masm.CMov(Cond.Equal, size, r, Reg.R11);
        }
    }

    // ---- floats ----

    /// <summary>
    /// <paramref name="a"/> = wasm's min or max of a and b: the positive canonical NaN if either is NaN (as the
    /// interpreter gives it), and -0 &lt; +0. Clobbers rax.
    /// </summary>
    public void FloatMinMax(MinMax kind, OperandSize size, Reg a, Reg b)
    {
        bool dbl = size == OperandSize.S64;
        MLabel nan = Masm.CreateLabel(), normal = Masm.CreateLabel(), done = Masm.CreateLabel();
        Masm.Ucomi(size, a, b);
        Masm.JumpIf(Cond.Parity, nan);
        Masm.JumpIf(Cond.NotEqual, normal);
        // Equal: only the signs of zeros can differ; or gives -0 for min, and gives +0 for max.
        Masm.SseBits(kind == MinMax.Max ? SseBitOp.And : SseBitOp.Or, a, b);
        Masm.Jump(done);
        Masm.Bind(nan);
        LoadFloatConst(a, size, dbl ? 0x7FF8_0000_0000_0000 : 0x7FC0_0000);
        Masm.Jump(done);
        Masm.Bind(normal);
        Masm.Sse(kind == MinMax.Max ? SseOp.Max : SseOp.Min, size, a, b);
        Masm.Bind(done);
    }

    private void LoadSignMask(Reg xmm, OperandSize size, bool invert)
    {
        bool dbl = size == OperandSize.S64;
        long mask = dbl ? long.MinValue : 0x8000_0000L;
        if (invert)
        {
            mask = dbl ? long.MaxValue : 0x7FFF_FFFFL;
        }
        Masm.MovImm(size, Reg.Rax, mask);
        Masm.MovToXmm(size, xmm, Reg.Rax);
    }

    /// <summary><paramref name="a"/> = |a| (the sign bit cleared, NaNs included). Clobbers rax, xmm15.</summary>
    public void FloatAbs(OperandSize size, Reg a)
    {
        LoadSignMask(Reg.XmmScratch, size, invert: true);
        Masm.SseBits(SseBitOp.And, a, Reg.XmmScratch);
    }

    /// <summary><paramref name="a"/> = -a (the sign bit flipped, NaNs included). Clobbers rax, xmm15.</summary>
    public void FloatNeg(OperandSize size, Reg a)
    {
        LoadSignMask(Reg.XmmScratch, size, invert: false);
        Masm.SseBits(SseBitOp.Xor, a, Reg.XmmScratch);
    }

    /// <summary><paramref name="a"/> = a with the sign of b. Clobbers <paramref name="b"/>, rax, xmm15.</summary>
    public void FloatCopysign(OperandSize size, Reg a, Reg b)
    {
        LoadSignMask(Reg.XmmScratch, size, invert: false);
        Masm.SseBits(SseBitOp.And, b, Reg.XmmScratch);
        Masm.SseBits(SseBitOp.AndNot, Reg.XmmScratch, a);
        Masm.SseBits(SseBitOp.Or, Reg.XmmScratch, b);
        Masm.MovF(a, Reg.XmmScratch);
    }

    /// <summary>
    /// Compares two floats for an ordered relation (<paramref name="relation"/>: Less, Greater, LessOrEqual,
    /// GreaterOrEqual) and returns the condition that holds exactly when it is true: one ucomis, with the operands
    /// swapped for lt and le, so that an unordered result (which sets CF) is false.
    /// </summary>
    public Cond FloatOrderCompare(Cond relation, OperandSize size, Reg a, Reg b)
    {
        // a < b is b > a, and a <= b is b >= a: "above" on the compare with the operands swapped.
        bool swapped = relation is Cond.Less or Cond.LessOrEqual;
        if (!swapped && relation is not (Cond.Greater or Cond.GreaterOrEqual))
        {
            throw new ArgumentOutOfRangeException(nameof(relation), relation, "not an ordered float relation");
        }
        Masm.Ucomi(size, swapped ? b : a, swapped ? a : b);
        return relation is Cond.Less or Cond.Greater ? Cond.Above : Cond.AboveOrEqual;
    }

    /// <summary>
    /// After <c>ucomis a, b</c>: <paramref name="dst"/> = (a == b) for <see cref="Cond.Equal"/> or (a != b) for
    /// <see cref="Cond.NotEqual"/>, as 0 or 1, NaN compared unequal. Clobbers r11.
    /// </summary>
    public void FloatEqualityFromFlags(Cond relation, Reg dst)
    {
        if (relation == Cond.Equal)
        {
            Masm.SetCc(Cond.NoParity, Reg.R11);
            Masm.SetCc(Cond.Equal, dst);
            Masm.Alu(AluOp.And, OperandSize.S32, dst, Reg.R11);
        }
        else
        {
            Masm.SetCc(Cond.Parity, Reg.R11);
            Masm.SetCc(Cond.NotEqual, dst);
            Masm.Alu(AluOp.Or, OperandSize.S32, dst, Reg.R11);
        }
    }

    /// <summary>
    /// xmm <paramref name="dst"/> = the integer in <paramref name="src"/> converted to a float, rounded to nearest (an
    /// unsigned i32 is zero-extended in its register). Unsigned i64 above 2^63 is halved with the lost bit kept, then
    /// doubled: clobbers rax and r11.
    /// </summary>
    public void ConvertIntToFloat(OperandSize floatSize, OperandSize intSize, Signedness signedness, Reg dst, Reg src)
    {
        if (signedness == Signedness.Signed)
        {
            Masm.CvtIntToFloat(floatSize, intSize, dst, src);
        }
        else if (intSize != OperandSize.S64)
        {
            // A u32 is zero-extended in its register: a non-negative i64.
            Masm.CvtIntToFloat(floatSize, OperandSize.S64, dst, src);
        }
        else
        {
            MLabel big = Masm.CreateLabel(), done = Masm.CreateLabel();
            Masm.Test(OperandSize.S64, src, src);
            Masm.JumpIf(Cond.Sign, big);
            Masm.CvtIntToFloat(floatSize, OperandSize.S64, dst, src);
            Masm.Jump(done);
            Masm.Bind(big);
            // Halve with the lost bit kept (round to odd), convert, double.
            Masm.Mov(OperandSize.S64, Reg.Rax, src);
            Masm.ShiftImm(ShiftOp.Shr, OperandSize.S64, Reg.Rax, 1);
            Masm.Mov(OperandSize.S64, Reg.R11, src);
            Masm.AluImm(AluOp.And, OperandSize.S64, Reg.R11, 1);
            Masm.Alu(AluOp.Or, OperandSize.S64, Reg.Rax, Reg.R11);
            Masm.CvtIntToFloat(floatSize, OperandSize.S64, dst, Reg.Rax);
            Masm.Sse(SseOp.Add, floatSize, dst, dst);
            Masm.Bind(done);
        }
    }

    /// <summary>
    /// <paramref name="dst"/> (a general register) = the float in <paramref name="src"/> truncated toward zero: for
    /// <see cref="TruncKind.Checked"/> trapping on NaN (InvalidConversionToInteger) and out-of-range inputs
    /// (IntegerOverflow), for <see cref="TruncKind.Saturating"/> giving 0 for NaN and the nearest bound out of range.
    /// <paramref name="src"/> keeps its value (except an unsigned i64 input of 2^63 or more). Clobbers rax, xmm15.
    /// </summary>
    public void Truncate(OperandSize floatSize, OperandSize intSize, Signedness signedness, TruncKind kind, Reg dst, Reg src)
    {
        bool dbl = floatSize == OperandSize.S64;
        bool wideInt = intSize == OperandSize.S64;
        bool saturating = kind == TruncKind.Saturating;
        Reg a = src, r = dst, k = Reg.XmmScratch;
        MLabel done = Masm.CreateLabel();
        if (signedness == Signedness.Signed)
        {
            Masm.CvtFloatToInt(floatSize, intSize, r, a);
            // cvtt gives MIN for NaN and out-of-range inputs; cmp MIN, 1 is the only one that overflows.
            Masm.AluImm(AluOp.Cmp, intSize, r, 1);
            Masm.JumpIf(Cond.NoOverflow, done);
            if (saturating)
            {
                MLabel nan = Masm.CreateLabel();
                Masm.Ucomi(floatSize, a, a);
                Masm.JumpIf(Cond.Parity, nan);
                Masm.SseBits(SseBitOp.Xor, k, k);
                Masm.Ucomi(floatSize, a, k);
                Masm.JumpIf(Cond.Below, done);
                Masm.MovImm(intSize, r, wideInt ? long.MaxValue : int.MaxValue);
                Masm.Jump(done);
                Masm.Bind(nan);
                Masm.MovImm(OperandSize.S32, r, 0);
            }
            else
            {
                Masm.Ucomi(floatSize, a, a);
                TrapIf(Cond.Parity, TrapCode.InvalidConversionToInteger);
                // MIN is right only for inputs just above the range's low end.
                bool strict = dbl && !wideInt;
                LoadFloat(k, floatSize, strict ? -2147483649.0 : wideInt ? -9223372036854775808.0 : -2147483648.0);
                Masm.Ucomi(floatSize, a, k);
                TrapIf(strict ? Cond.BelowOrEqual : Cond.Below, TrapCode.IntegerOverflow);
                Masm.SseBits(SseBitOp.Xor, k, k);
                Masm.Ucomi(floatSize, a, k);
                TrapIf(Cond.AboveOrEqual, TrapCode.IntegerOverflow);
            }
        }
        else
        {
            // Unsigned, one range check for both widths: in range is (-1, 2^32) or (-1, 2^64), or (0, ...) when
            // saturating, where 0 and below (and NaN) give 0. u32 goes through a 64-bit conversion of the in-range
            // input; u64 converts below 2^63 directly and above it subtracts 2^63 first and sets the top bit after.
            double upper = wideInt ? 18446744073709551616.0 : 4294967296.0;
            MLabel big = wideInt ? Masm.CreateLabel() : default;
            MLabel zero = default, max = default;
            if (saturating)
            {
                zero = Masm.CreateLabel();
                max = Masm.CreateLabel();
                Masm.SseBits(SseBitOp.Xor, k, k);
                Masm.Ucomi(floatSize, a, k);
                Masm.JumpIf(Cond.BelowOrEqual, zero);
                LoadFloat(k, floatSize, upper);
                Masm.Ucomi(floatSize, a, k);
                Masm.JumpIf(Cond.AboveOrEqual, max);
            }
            else
            {
                Masm.Ucomi(floatSize, a, a);
                TrapIf(Cond.Parity, TrapCode.InvalidConversionToInteger);
                LoadFloat(k, floatSize, -1.0);
                Masm.Ucomi(floatSize, a, k);
                TrapIf(Cond.BelowOrEqual, TrapCode.IntegerOverflow);
                LoadFloat(k, floatSize, upper);
                Masm.Ucomi(floatSize, a, k);
                TrapIf(Cond.AboveOrEqual, TrapCode.IntegerOverflow);
            }
            if (wideInt)
            {
                LoadFloat(k, floatSize, 9223372036854775808.0);
                Masm.Ucomi(floatSize, a, k);
                Masm.JumpIf(Cond.AboveOrEqual, big);
            }
            Masm.CvtFloatToInt(floatSize, OperandSize.S64, r, a);
            if (saturating || wideInt)
            {
                Masm.Jump(done);
            }
            else
            {
                Masm.ZeroExtend32(r, r);
            }
            if (saturating)
            {
                Masm.Bind(zero);
                Masm.MovImm(OperandSize.S32, r, 0);
                Masm.Jump(done);
                Masm.Bind(max);
                if (wideInt)
                {
                    Masm.MovImm(OperandSize.S64, r, -1);
                    Masm.Jump(done);
                }
                else
                {
                    Masm.MovImm(OperandSize.S32, r, uint.MaxValue);
                }
            }
            if (wideInt)
            {
                Masm.Bind(big);
                // k still holds 2^63.
                Masm.Sse(SseOp.Sub, floatSize, a, k);
                Masm.CvtFloatToInt(floatSize, OperandSize.S64, r, a);
                Masm.MovImm(OperandSize.S64, Reg.Rax, long.MinValue);
                Masm.Alu(AluOp.Xor, OperandSize.S64, r, Reg.Rax);
            }
        }
        Masm.Bind(done);
    }
}
