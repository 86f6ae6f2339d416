using Engine.Core;

namespace Engine.Baseline;

/// <summary>The operations the visitor's operator methods are made of.</summary>
internal sealed partial class CodeGen
{
    // ---- locals and globals ----

    public void LocalSet(uint index, bool tee)
    {
        ValType type = _localTypes[index];
        ref StackValue top = ref Peek();
        if (top.Kind == ValueKind.Local && top.Local == index)
        {
            if (!tee)
            {
                Pop();
            }
            return;
        }
        MaterializeReadersOf((int)index);
        if (IsPinned((int)index, out Reg pinned))
        {
            if (Peek().Kind == ValueKind.Const)
            {
                StackValue value = Pop();
                if (pinned.IsFloat)
                {
                    LoadFloatConst(pinned, type == ValType.F64, value.Bits);
                }
                else
                {
                    Masm.MovImm(IsWide(type), pinned, value.Bits);
                }
            }
            else
            {
                Operand v = PopOperand(allowImmediate: false, allowMemory: false);
                if (pinned.IsFloat)
                {
                    Masm.MovF(pinned, v.Reg);
                }
                else
                {
                    Masm.Mov(IsWide(type), pinned, v.Reg);
                }
                Free(v);
            }
            if (tee)
            {
                PushLocal(index);
            }
            return;
        }
        Mem slot = LocalSlot((int)index);
        if (top.Kind == ValueKind.Const && !InXmm(type))
        {
            long bits = IsWide(type) ? top.Bits : (uint)top.Bits;
            if (bits >= int.MinValue && bits <= int.MaxValue)
            {
                Masm.StoreImm(true, slot, (int)bits);
                if (!tee)
                {
                    Pop();
                }
                return;
            }
        }
        Reg r = PopToRegister();
        StoreValue(slot, type, r);
        if (tee)
        {
            PushRegister(type, r);
        }
        else
        {
            Free(r);
        }
    }

    private void GlobalCell(Reg dst, uint index)
    {
        Masm.Load(true, dst, new Mem(Registers.Vmctx, VMOffsets.Globals));
        Masm.Load(true, dst, new Mem(dst, 8 * (int)index));
    }

    public void GlobalGet(uint index)
    {
        ValType type = _module.Globals[(int)index].Type;
        if (type == ValType.ExternRef)
        {
            // Root the reference in the activations table when it is not null (may collect: a safepoint).
            SpillRegisters();
            GlobalCell(Reg.Rax, index);
            Masm.Load(true, Reg.Rax, new Mem(Reg.Rax, 0));
            Masm.Store(true, OutSlot(0), Reg.Rax);
            PushRootedReference();
            return;
        }
        Reg r = Allocate(type);
        GlobalCell(Reg.R11, index);
        LoadValue(r, type, new Mem(Reg.R11, 0));
        PushRegister(type, r);
    }

    /// <summary>The externref in out slot 0 is rooted (when not null) and pushed.</summary>
    private void PushRootedReference()
    {
        MLabel skip = Masm.CreateLabel();
        Masm.Test(true, Reg.Rax, Reg.Rax);
        Masm.JumpIf(Cond.Equal, skip);
        EmitBuiltinCall(BuiltinId.RootExternRef, LiveRefSlots(), 1);
        Masm.Test(false, Reg.Rax, Reg.Rax);
        Masm.JumpIf(Cond.NotEqual, _epilogue);
        Masm.Bind(skip);
        Reg r = Allocate(false);
        Masm.Load(true, r, OutSlot(0));
        PushRegister(ValType.ExternRef, r);
    }

    public void GlobalSet(uint index)
    {
        ValType type = _module.Globals[(int)index].Type;
        if (type == ValType.ExternRef)
        {
            CallBuiltin(BuiltinId.GlobalSetExternRef, 1, true, index);
            return;
        }
        if (type == ValType.V128)
        {
            Reg v = PopToRegister();
            GlobalCell(Reg.R11, index);
            Masm.StoreV(new Mem(Reg.R11, 0), v);
            Free(v);
            return;
        }
        Operand value = PopOperand(allowMemory: false);
        GlobalCell(Reg.R11, index);
        if (value.IsImmediate)
        {
            Masm.StoreImm(IsWide(type), new Mem(Reg.R11, 0), (int)value.Imm);
        }
        else
        {
            StoreValue(new Mem(Reg.R11, 0), type, value.Reg);
        }
        Free(value);
    }

    // ---- integer arithmetic ----

    private void ApplyAlu(AluOp op, bool wide, Reg a, in Operand b)
    {
        if (b.IsRegister)
        {
            Masm.Alu(op, wide, a, b.Reg);
        }
        else if (b.IsImmediate)
        {
            Masm.AluImm(op, wide, a, (int)b.Imm);
        }
        else
        {
            Masm.AluMem(op, wide, a, b.Mem);
        }
    }

    /// <summary>
    /// True when the operator being compiled (a one-byte opcode at <see cref="WasmOffset"/>) is followed by
    /// <c>local.set x</c> or <c>local.tee x</c> of a local pinned in a general register with the result's
    /// type, and the operator may compute straight into that register: its left operand (depth 1) is x
    /// itself, or its right operand (depth 0) does not read x. The result is then pushed as a read of x,
    /// which makes the <c>local.set</c> free.
    /// </summary>
    private bool NextSetsPinnedLocal(ValType resultType, int operands, out int local, out Reg reg)
    {
        local = -1;
        reg = Reg.None;
        byte[] bytes = _module.Bytes;
        int at = _wasmOffset + 1;
        if (at + 1 >= bytes.Length || (bytes[at] != 0x21 && bytes[at] != 0x22))
        {
            return false;
        }
        // The local index: a LEB128 u32.
        uint index = 0;
        int shift = 0;
        for (int i = at + 1; i < bytes.Length && shift < 35; i++, shift += 7)
        {
            index |= (uint)(bytes[i] & 0x7F) << shift;
            if ((bytes[i] & 0x80) == 0)
            {
                break;
            }
        }
        if (index >= (uint)_localCount || _localTypes[index] != resultType || !IsPinned((int)index, out reg) || reg.IsFloat)
        {
            return false;
        }
        local = (int)index;
        if (operands == 2)
        {
            ref StackValue left = ref Peek(1);
            ref StackValue right = ref Peek(0);
            bool leftIsLocal = left.Kind == ValueKind.Local && left.Local == local;
            bool rightIsLocal = right.Kind == ValueKind.Local && right.Local == local;
            return leftIsLocal || !rightIsLocal;
        }
        return true;
    }

    /// <summary>Like <see cref="NextSetsPinnedLocal"/> for a load (opcode, alignment, offset below 128: three bytes).</summary>
    private bool NextSetsPinnedLocalAfterLoad(ValType type, MemArg memArg, out int local, out Reg reg)
    {
        // The opcode (one byte for scalar loads), then the alignment and offset LEBs (possibly padded).
        int at = SkipLeb(SkipLeb(_wasmOffset + 1));
        int saved = _wasmOffset;
        _wasmOffset = at - 1;
        bool result = NextSetsPinnedLocal(type, 0, out local, out reg);
        _wasmOffset = saved;
        return result;
    }

    private int SkipLeb(int at)
    {
        byte[] bytes = _module.Bytes;
        while (at < bytes.Length && (bytes[at] & 0x80) != 0)
        {
            at++;
        }
        return at + 1;
    }

    /// <summary>Pops the left operand into <paramref name="target"/> (a pinned local's register; nothing to do when it is that local).</summary>
    private void PopLeftInto(Reg target, int local)
    {
        int position = _height - 1;
        StackValue a = Pop();
        MaterializeReadersOf(local);
        if (a.Kind == ValueKind.Local && a.Local == local)
        {
            return;
        }
        LoadInto(target, a, position);
        if (a.Kind == ValueKind.Register)
        {
            Free(a.Reg);
        }
    }

    public void IntBinary(AluOp op, bool wide)
    {
        ValType type = wide ? ValType.I64 : ValType.I32;
        if (NextSetsPinnedLocal(type, 2, out int local, out Reg target))
        {
            Operand right = PopOperand();
            PopLeftInto(target, local);
            ApplyAlu(op, wide, target, right);
            Free(right);
            PushLocal((uint)local);
            return;
        }
        Operand b = PopOperand();
        if (op == AluOp.Add && b.IsImm32 && Peek().Kind == ValueKind.Local && IsPinned(Peek().Local, out Reg pinned) && !pinned.IsFloat)
        {
            // x + c as one lea from the pinned register.
            Pop();
            Reg sum = Allocate(false);
            Masm.LeaAdd(wide, sum, pinned, (int)b.Imm);
            PushRegister(type, sum);
            return;
        }
        Reg a = PopToRegister();
        ApplyAlu(op, wide, a, b);
        Free(b);
        PushRegister(type, a);
    }

    public void IntMul(bool wide)
    {
        ValType type = wide ? ValType.I64 : ValType.I32;
        if (NextSetsPinnedLocal(type, 2, out int local, out Reg target))
        {
            Operand right = PopOperand();
            PopLeftInto(target, local);
            ApplyImul(wide, target, right);
            Free(right);
            PushLocal((uint)local);
            return;
        }
        Operand b = PopOperand();
        Reg a = PopToRegister();
        ApplyImul(wide, a, b);
        Free(b);
        PushRegister(wide ? ValType.I64 : ValType.I32, a);
    }

    /// <summary>a = a * b, b in a register, an immediate or memory (as <see cref="ApplyAlu"/> for the other operations).</summary>
    private void ApplyImul(bool wide, Reg a, in Operand b)
    {
        if (b.IsRegister)
        {
            Masm.Imul(wide, a, b.Reg);
        }
        else if (b.IsImmediate)
        {
            Masm.ImulImm(wide, a, a, (int)b.Imm);
        }
        else
        {
            Masm.ImulMem(wide, a, b.Mem);
        }
    }

    public void IntCompare(Cond cond, bool wide)
    {
        Operand b = PopOperand();
        Operand a = PopOperand(allowImmediate: false, allowMemory: false);
        ApplyAlu(AluOp.Cmp, wide, a.Reg, b);
        Free(b);
        Free(a);
        PushFlags(cond);
    }

    public void IntEqz(bool wide)
    {
        Operand a = PopOperand(allowImmediate: false, allowMemory: false);
        Masm.Test(wide, a.Reg, a.Reg);
        Free(a);
        PushFlags(Cond.Equal);
    }

    public void Shift(ShiftOp op, bool wide)
    {
        ValType type = wide ? ValType.I64 : ValType.I32;
        if (Peek().Kind == ValueKind.Const && NextSetsPinnedLocal(type, 2, out int local, out Reg target))
        {
            int shiftCount = (int)Pop().Bits;
            PopLeftInto(target, local);
            Masm.ShiftImm(op, wide, target, shiftCount);
            PushLocal((uint)local);
            return;
        }
        if (Peek().Kind == ValueKind.Const)
        {
            int count = (int)Pop().Bits;
            Reg a = PopToRegister();
            Masm.ShiftImm(op, wide, a, count);
            PushRegister(type, a);
            return;
        }
        Reg c = PopToSpecific(Reg.Rcx);
        Reg value = PopToRegister();
        Masm.ShiftCl(op, wide, value);
        Free(c);
        PushRegister(type, value);
    }

    public void DivRem(bool signed, bool remainder, bool wide)
    {
        ValType type = wide ? ValType.I64 : ValType.I32;
        Claim(Reg.Rdx);
        Reg divisor = PopToRegister();
        Reg dividend = PopToRegister();
        MLabel done = Masm.CreateLabel();
        Masm.Test(wide, divisor, divisor);
        TrapIf(Cond.Equal, TrapCode.IntegerDivideByZero);
        if (signed)
        {
            MLabel normal = Masm.CreateLabel();
            Masm.AluImm(AluOp.Cmp, wide, divisor, -1);
            Masm.JumpIf(Cond.NotEqual, normal);
            if (remainder)
            {
                // x rem -1 is 0 (and idiv would fault on MIN rem -1).
                Masm.MovImm(false, dividend, 0);
                Masm.Jump(done);
            }
            else
            {
                // MIN / -1 overflows: cmp MIN, 1 is the only compare of x with 1 that overflows.
                Masm.AluImm(AluOp.Cmp, wide, dividend, 1);
                TrapIf(Cond.Overflow, TrapCode.IntegerOverflow);
            }
            Masm.Bind(normal);
        }
        Masm.Mov(wide, Reg.Rax, dividend);
        Masm.Divide(signed, wide, divisor);
        Masm.Mov(wide, dividend, remainder ? Reg.Rdx : Reg.Rax);
        Masm.Bind(done);
        Free(divisor);
        Free(Reg.Rdx);
        PushRegister(type, dividend);
    }

    public void Clz(bool wide)
    {
        Reg a = PopToRegister();
        if (System.Runtime.Intrinsics.X86.Lzcnt.IsSupported)
        {
            Masm.Lzcnt(wide, a, a);
        }
        else
        {
            // bsr leaves ZF set for 0: then (2w - 1) ^ (w - 1) = w.
            Masm.MovImm(false, Reg.R11, wide ? 127 : 63);
            Masm.Bsr(wide, a, a);
            Masm.CMov(Cond.Equal, wide, a, Reg.R11);
            Masm.AluImm(AluOp.Xor, wide, a, wide ? 63 : 31);
        }
        PushRegister(wide ? ValType.I64 : ValType.I32, a);
    }

    public void Ctz(bool wide)
    {
        Reg a = PopToRegister();
        if (System.Runtime.Intrinsics.X86.Bmi1.IsSupported)
        {
            Masm.Tzcnt(wide, a, a);
        }
        else
        {
            Masm.MovImm(false, Reg.R11, wide ? 64 : 32);
            Masm.Bsf(wide, a, a);
            Masm.CMov(Cond.Equal, wide, a, Reg.R11);
        }
        PushRegister(wide ? ValType.I64 : ValType.I32, a);
    }

    public void Popcnt(bool wide)
    {
        if (!System.Runtime.Intrinsics.X86.Popcnt.IsSupported)
        {
            NotSupported("popcnt without the POPCNT instruction");
            return;
        }
        Reg a = PopToRegister();
        Masm.Popcnt(wide, a, a);
        PushRegister(wide ? ValType.I64 : ValType.I32, a);
    }

    /// <summary>Sign-extends the low <paramref name="bits"/> of the top (i32 or i64 result).</summary>
    public void SignExtend(int bits, bool wide)
    {
        Reg a = PopToRegister();
        Masm.SignExtend(a, a, bits, wide);
        PushRegister(wide ? ValType.I64 : ValType.I32, a);
    }

    public void I64ExtendI32U()
    {
        Reg a = PopToRegister();
        Masm.ZeroExtend32(a, a);
        PushRegister(ValType.I64, a);
    }

    public void I32WrapI64()
    {
        Reg a = PopToRegister();
        Masm.ZeroExtend32(a, a);
        PushRegister(ValType.I32, a);
    }

    // ---- floating point ----

    public void FloatBinary(SseOp op, bool dbl)
    {
        Operand b = PopOperand(allowImmediate: false);
        Reg a = PopToRegister();
        if (b.IsRegister)
        {
            Masm.Sse(op, dbl, a, b.Reg);
        }
        else
        {
            Masm.SseMem(op, dbl, a, b.Mem);
        }
        Free(b);
        PushRegister(dbl ? ValType.F64 : ValType.F32, a);
    }

    /// <summary>wasm min/max: the canonical NaN if either operand is NaN (as the interpreter gives it), and -0 &lt; +0.</summary>
    public void FloatMinMax(bool max, bool dbl)
    {
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        MLabel nan = Masm.CreateLabel(), normal = Masm.CreateLabel(), done = Masm.CreateLabel();
        Masm.Ucomi(dbl, a, b);
        Masm.JumpIf(Cond.Parity, nan);
        Masm.JumpIf(Cond.NotEqual, normal);
        // Equal: only the signs of zeros can differ; or gives -0 for min, and gives +0 for max.
        Masm.SseBits(max ? SseBitOp.And : SseBitOp.Or, a, b);
        Masm.Jump(done);
        Masm.Bind(nan);
        LoadFloatConst(a, dbl, dbl ? 0x7FF8_0000_0000_0000 : 0x7FC0_0000);
        Masm.Jump(done);
        Masm.Bind(normal);
        Masm.Sse(max ? SseOp.Max : SseOp.Min, dbl, a, b);
        Masm.Bind(done);
        Free(b);
        PushRegister(dbl ? ValType.F64 : ValType.F32, a);
    }

    private void LoadSignMask(Reg xmm, bool dbl, bool invert)
    {
        long mask = dbl ? long.MinValue : 0x8000_0000L;
        if (invert)
        {
            mask = dbl ? long.MaxValue : 0x7FFF_FFFFL;
        }
        Masm.MovImm(dbl, Reg.Rax, mask);
        Masm.MovToXmm(dbl, xmm, Reg.Rax);
    }

    public void FloatAbs(bool dbl)
    {
        Reg a = PopToRegister();
        LoadSignMask(Reg.XmmScratch, dbl, invert: true);
        Masm.SseBits(SseBitOp.And, a, Reg.XmmScratch);
        PushRegister(dbl ? ValType.F64 : ValType.F32, a);
    }

    public void FloatNeg(bool dbl)
    {
        Reg a = PopToRegister();
        LoadSignMask(Reg.XmmScratch, dbl, invert: false);
        Masm.SseBits(SseBitOp.Xor, a, Reg.XmmScratch);
        PushRegister(dbl ? ValType.F64 : ValType.F32, a);
    }

    public void FloatCopysign(bool dbl)
    {
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        LoadSignMask(Reg.XmmScratch, dbl, invert: false);
        Masm.SseBits(SseBitOp.And, b, Reg.XmmScratch);
        Masm.SseBits(SseBitOp.AndNot, Reg.XmmScratch, a);
        Masm.SseBits(SseBitOp.Or, Reg.XmmScratch, b);
        Masm.MovF(a, Reg.XmmScratch);
        Free(b);
        PushRegister(dbl ? ValType.F64 : ValType.F32, a);
    }

    public void FloatUnary(SseOp op, bool dbl)
    {
        Reg a = PopToRegister();
        Masm.Sse(op, dbl, a, a);
        PushRegister(dbl ? ValType.F64 : ValType.F32, a);
    }

    public void FloatRound(int mode, bool dbl)
    {
        if (!System.Runtime.Intrinsics.X86.Sse41.IsSupported)
        {
            NotSupported("rounding without SSE4.1");
            return;
        }
        Reg a = PopToRegister();
        Masm.Round(dbl, a, a, mode);
        PushRegister(dbl ? ValType.F64 : ValType.F32, a);
    }

    /// <summary>
    /// Float compares: lt/gt/le/ge become one unsigned condition on ucomis (unordered sets CF, so it
    /// is false); eq and ne need the parity flag too and produce a register.
    /// </summary>
    public void FloatCompare(Opcode op, bool dbl)
    {
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        // a < b is b > a, and a <= b is b >= a: "above" on the compare with the operands swapped.
        bool swapped = op is Opcode.F32Lt or Opcode.F64Lt or Opcode.F32Le or Opcode.F64Le;
        if (swapped || op is Opcode.F32Gt or Opcode.F64Gt or Opcode.F32Ge or Opcode.F64Ge)
        {
            Masm.Ucomi(dbl, swapped ? b : a, swapped ? a : b);
            Free(a);
            Free(b);
            PushFlags(op is Opcode.F32Lt or Opcode.F64Lt or Opcode.F32Gt or Opcode.F64Gt ? Cond.Above : Cond.AboveOrEqual);
            return;
        }
        bool equal = op is Opcode.F32Eq or Opcode.F64Eq;
        Masm.Ucomi(dbl, a, b);
        Free(a);
        Free(b);
        Reg r = Allocate(false);
        if (equal)
        {
            Masm.SetCc(Cond.NoParity, Reg.R11);
            Masm.SetCc(Cond.Equal, r);
            Masm.Alu(AluOp.And, false, r, Reg.R11);
        }
        else
        {
            Masm.SetCc(Cond.Parity, Reg.R11);
            Masm.SetCc(Cond.NotEqual, r);
            Masm.Alu(AluOp.Or, false, r, Reg.R11);
        }
        PushRegister(ValType.I32, r);
    }

    /// <summary>Reinterprets the bits between an integer and a float register.</summary>
    public void Reinterpret(ValType to)
    {
        bool wide = to is ValType.I64 or ValType.F64;
        StackValue top = Peek();
        if (top.Kind is ValueKind.Const or ValueKind.Local or ValueKind.Home)
        {
            // Only the type changes: the bits stay where they are.
            Peek().Type = to;
            return;
        }
        Reg a = PopToRegister();
        Reg r = Allocate(to);
        if (IsFloat(to))
        {
            Masm.MovToXmm(wide, r, a);
        }
        else
        {
            Masm.MovFromXmm(wide, r, a);
        }
        Free(a);
        PushRegister(to, r);
    }

    public void ConvertIntToFloat(bool dbl, bool wideInt, bool signed)
    {
        Reg a = PopToRegister();
        Reg r = Allocate(true);
        if (signed)
        {
            Masm.CvtIntToFloat(dbl, wideInt, r, a);
        }
        else if (!wideInt)
        {
            // A u32 is zero-extended in its register: a non-negative i64.
            Masm.CvtIntToFloat(dbl, true, r, a);
        }
        else
        {
            MLabel big = Masm.CreateLabel(), done = Masm.CreateLabel();
            Masm.Test(true, a, a);
            Masm.JumpIf(Cond.Sign, big);
            Masm.CvtIntToFloat(dbl, true, r, a);
            Masm.Jump(done);
            Masm.Bind(big);
            // Halve with the lost bit kept (round to odd), convert, double.
            Masm.Mov(true, Reg.Rax, a);
            Masm.ShiftImm(ShiftOp.Shr, true, Reg.Rax, 1);
            Masm.Mov(true, Reg.R11, a);
            Masm.AluImm(AluOp.And, true, Reg.R11, 1);
            Masm.Alu(AluOp.Or, true, Reg.Rax, Reg.R11);
            Masm.CvtIntToFloat(dbl, true, r, Reg.Rax);
            Masm.Sse(SseOp.Add, dbl, r, r);
            Masm.Bind(done);
        }
        Free(a);
        PushRegister(dbl ? ValType.F64 : ValType.F32, r);
    }

    public void PromoteDemote(bool toDouble)
    {
        Reg a = PopToRegister();
        Masm.CvtFloat(toDouble, a, a);
        PushRegister(toDouble ? ValType.F64 : ValType.F32, a);
    }

    private void LoadFloat(Reg xmm, bool dbl, double value)
    {
        long bits = dbl ? BitConverter.DoubleToInt64Bits(value) : BitConverter.SingleToInt32Bits((float)value);
        Masm.MovImm(dbl, Reg.Rax, dbl ? bits : (uint)bits);
        Masm.MovToXmm(dbl, xmm, Reg.Rax);
    }

    /// <summary>Float to integer truncation, trapping (or saturating) as wasm requires.</summary>
    public void Truncate(bool dbl, bool wideInt, bool signed, bool saturating)
    {
        Reg a = PopToRegister();
        Reg r = Allocate(false);
        Reg k = Reg.XmmScratch;
        MLabel done = Masm.CreateLabel();
        if (signed)
        {
            Masm.CvtFloatToInt(dbl, wideInt, r, a);
            // cvtt gives MIN for NaN and out-of-range inputs; cmp MIN, 1 is the only one that overflows.
            Masm.AluImm(AluOp.Cmp, wideInt, r, 1);
            Masm.JumpIf(Cond.NoOverflow, done);
            if (saturating)
            {
                MLabel nan = Masm.CreateLabel();
                Masm.Ucomi(dbl, a, a);
                Masm.JumpIf(Cond.Parity, nan);
                Masm.SseBits(SseBitOp.Xor, k, k);
                Masm.Ucomi(dbl, a, k);
                Masm.JumpIf(Cond.Below, done);
                Masm.MovImm(wideInt, r, wideInt ? long.MaxValue : int.MaxValue);
                Masm.Jump(done);
                Masm.Bind(nan);
                Masm.MovImm(false, r, 0);
            }
            else
            {
                Masm.Ucomi(dbl, a, a);
                TrapIf(Cond.Parity, TrapCode.InvalidConversionToInteger);
                // MIN is right only for inputs just above the range's low end.
                bool strict = dbl && !wideInt;
                LoadFloat(k, dbl, strict ? -2147483649.0 : wideInt ? -9223372036854775808.0 : -2147483648.0);
                Masm.Ucomi(dbl, a, k);
                TrapIf(strict ? Cond.BelowOrEqual : Cond.Below, TrapCode.IntegerOverflow);
                Masm.SseBits(SseBitOp.Xor, k, k);
                Masm.Ucomi(dbl, a, k);
                TrapIf(Cond.AboveOrEqual, TrapCode.IntegerOverflow);
            }
        }
        else if (!wideInt)
        {
            // u32 through a 64-bit conversion of the in-range input.
            if (saturating)
            {
                MLabel zero = Masm.CreateLabel(), max = Masm.CreateLabel();
                Masm.SseBits(SseBitOp.Xor, k, k);
                Masm.Ucomi(dbl, a, k);
                Masm.JumpIf(Cond.BelowOrEqual, zero);
                LoadFloat(k, dbl, 4294967296.0);
                Masm.Ucomi(dbl, a, k);
                Masm.JumpIf(Cond.AboveOrEqual, max);
                Masm.CvtFloatToInt(dbl, true, r, a);
                Masm.Jump(done);
                Masm.Bind(zero);
                Masm.MovImm(false, r, 0);
                Masm.Jump(done);
                Masm.Bind(max);
                Masm.MovImm(false, r, uint.MaxValue);
            }
            else
            {
                Masm.Ucomi(dbl, a, a);
                TrapIf(Cond.Parity, TrapCode.InvalidConversionToInteger);
                LoadFloat(k, dbl, -1.0);
                Masm.Ucomi(dbl, a, k);
                TrapIf(Cond.BelowOrEqual, TrapCode.IntegerOverflow);
                LoadFloat(k, dbl, 4294967296.0);
                Masm.Ucomi(dbl, a, k);
                TrapIf(Cond.AboveOrEqual, TrapCode.IntegerOverflow);
                Masm.CvtFloatToInt(dbl, true, r, a);
                Masm.ZeroExtend32(r, r);
            }
        }
        else
        {
            // u64: below 2^63 directly; above, subtract 2^63 first and set the top bit after.
            MLabel big = Masm.CreateLabel();
            if (saturating)
            {
                MLabel zero = Masm.CreateLabel(), max = Masm.CreateLabel();
                Masm.SseBits(SseBitOp.Xor, k, k);
                Masm.Ucomi(dbl, a, k);
                Masm.JumpIf(Cond.BelowOrEqual, zero);
                LoadFloat(k, dbl, 18446744073709551616.0);
                Masm.Ucomi(dbl, a, k);
                Masm.JumpIf(Cond.AboveOrEqual, max);
                LoadFloat(k, dbl, 9223372036854775808.0);
                Masm.Ucomi(dbl, a, k);
                Masm.JumpIf(Cond.AboveOrEqual, big);
                Masm.CvtFloatToInt(dbl, true, r, a);
                Masm.Jump(done);
                Masm.Bind(zero);
                Masm.MovImm(false, r, 0);
                Masm.Jump(done);
                Masm.Bind(max);
                Masm.MovImm(true, r, -1);
                Masm.Jump(done);
            }
            else
            {
                Masm.Ucomi(dbl, a, a);
                TrapIf(Cond.Parity, TrapCode.InvalidConversionToInteger);
                LoadFloat(k, dbl, -1.0);
                Masm.Ucomi(dbl, a, k);
                TrapIf(Cond.BelowOrEqual, TrapCode.IntegerOverflow);
                LoadFloat(k, dbl, 18446744073709551616.0);
                Masm.Ucomi(dbl, a, k);
                TrapIf(Cond.AboveOrEqual, TrapCode.IntegerOverflow);
                LoadFloat(k, dbl, 9223372036854775808.0);
                Masm.Ucomi(dbl, a, k);
                Masm.JumpIf(Cond.AboveOrEqual, big);
                Masm.CvtFloatToInt(dbl, true, r, a);
                Masm.Jump(done);
            }
            Masm.Bind(big);
            // k still holds 2^63.
            Masm.Sse(SseOp.Sub, dbl, a, k);
            Masm.CvtFloatToInt(dbl, true, r, a);
            Masm.MovImm(true, Reg.Rax, long.MinValue);
            Masm.Alu(AluOp.Xor, true, r, Reg.Rax);
        }
        Masm.Bind(done);
        Free(a);
        PushRegister(wideInt ? ValType.I64 : ValType.I32, r);
    }

    // ---- select ----

    public void Select()
    {
        Cond whenFirst;
        if (Peek().Kind == ValueKind.Flags)
        {
            whenFirst = Pop().Condition;
            KeepFlags = true;
        }
        else
        {
            Reg c = PopToRegister();
            Masm.Test(false, c, c);
            Free(c);
            whenFirst = Cond.NotEqual;
            KeepFlags = true;
        }
        ValType type = Peek().Type;
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        KeepFlags = false;
        if (InXmm(type))
        {
            MLabel keep = Masm.CreateLabel();
            Masm.JumpIf(whenFirst, keep);
            Masm.MovF(a, b);
            Masm.Bind(keep);
        }
        else
        {
            Masm.CMov(whenFirst.Negate(), IsWide(type), a, b);
        }
        Free(b);
        PushRegister(type, a);
    }

    // ---- memory ----

    /// <summary>
    /// Checks that [address + offset, + size) lies inside memory 0 (trapping otherwise) and returns the
    /// operand addressing it. The address operand is consumed (its register is freed by the caller).
    /// </summary>
    private Mem HeapAddress(in Operand address, uint offset, int size)
    {
        ulong end = (ulong)offset + (ulong)size;
        Mem length = new(Registers.Vmctx, VMOffsets.MemoryLength);
        if (address.IsImmediate)
        {
            ulong effectiveEnd = (uint)address.Imm + end;
            if (effectiveEnd <= int.MaxValue)
            {
                Masm.CmpMemImm(true, length, (int)effectiveEnd);
                TrapIf(Cond.Below, TrapCode.MemoryOutOfBounds);
                return new Mem(Registers.MemoryBase, (int)((uint)address.Imm + offset));
            }
            Masm.MovImm(true, Reg.R11, (long)effectiveEnd);
            Masm.AluMem(AluOp.Cmp, true, Reg.R11, length);
            TrapIf(Cond.Above, TrapCode.MemoryOutOfBounds);
            Masm.MovImm(true, Reg.R11, (uint)address.Imm + (long)offset);
            return new Mem(Registers.MemoryBase, Reg.R11, 1, 0);
        }
        Reg a = address.Reg;
        if (end <= int.MaxValue)
        {
            Masm.Lea(Reg.R11, new Mem(a, (int)end));
            Masm.AluMem(AluOp.Cmp, true, Reg.R11, length);
            TrapIf(Cond.Above, TrapCode.MemoryOutOfBounds);
            return new Mem(Registers.MemoryBase, a, 1, (int)offset);
        }
        Masm.MovImm(true, Reg.R11, (long)end);
        Masm.Alu(AluOp.Add, true, Reg.R11, a);
        Masm.AluMem(AluOp.Cmp, true, Reg.R11, length);
        TrapIf(Cond.Above, TrapCode.MemoryOutOfBounds);
        Masm.MovImm(true, Reg.R11, offset);
        Masm.Alu(AluOp.Add, true, Reg.R11, a);
        return new Mem(Registers.MemoryBase, Reg.R11, 1, 0);
    }

    public void Load(Opcode opcode, MemArg memArg)
    {
        (int size, bool signed, ValType type) = opcode switch
        {
            Opcode.I32Load => (4, false, ValType.I32),
            Opcode.I64Load => (8, false, ValType.I64),
            Opcode.F32Load => (4, false, ValType.F32),
            Opcode.F64Load => (8, false, ValType.F64),
            Opcode.I32Load8S => (1, true, ValType.I32),
            Opcode.I32Load8U => (1, false, ValType.I32),
            Opcode.I32Load16S => (2, true, ValType.I32),
            Opcode.I32Load16U => (2, false, ValType.I32),
            Opcode.I64Load8S => (1, true, ValType.I64),
            Opcode.I64Load8U => (1, false, ValType.I64),
            Opcode.I64Load16S => (2, true, ValType.I64),
            Opcode.I64Load16U => (2, false, ValType.I64),
            Opcode.I64Load32S => (4, true, ValType.I64),
            Opcode.I64Load32U => (4, false, ValType.I64),
            _ => (0, false, ValType.V128),
        };
        if (size == 0)
        {
            VectorLoad(opcode, memArg);
            return;
        }
        bool intoLocal = false;
        int local = -1;
        Reg target = Reg.None;
        if (!IsFloat(type) && NextSetsPinnedLocalAfterLoad(type, memArg, out local, out target))
        {
            intoLocal = true;
        }
        Operand address = PopOperand(allowMemory: false);
        Mem at = HeapAddress(address, memArg.Offset, size);
        if (intoLocal)
        {
            MaterializeReadersOf(local);
            if (size == 8)
            {
                Masm.Load(true, target, at);
            }
            else if (size == 4 && !signed)
            {
                Masm.Load(false, target, at);
            }
            else
            {
                Masm.LoadExtend(target, at, size, signed, type == ValType.I64);
            }
            Free(address);
            PushLocal((uint)local);
            return;
        }
        Reg r = IsFloat(type) ? Allocate(true) : address.IsRegister && address.Owned ? address.Reg : Allocate(false);
        if (IsFloat(type) || (address.IsRegister && !address.Owned))
        {
            if (IsFloat(type))
            {
                Masm.LoadF(type == ValType.F64, r, at);
            }
            else if (size == 8)
            {
                Masm.Load(true, r, at);
            }
            else if (size == 4 && !signed)
            {
                Masm.Load(false, r, at);
            }
            else
            {
                Masm.LoadExtend(r, at, size, signed, type == ValType.I64);
            }
            Free(address);
        }
        else if (size == 8)
        {
            Masm.Load(true, r, at);
        }
        else if (size == 4 && !signed)
        {
            Masm.Load(false, r, at);
        }
        else
        {
            Masm.LoadExtend(r, at, size, signed, type == ValType.I64);
        }
        PushRegister(type, r);
    }

    public void Store(Opcode opcode, MemArg memArg)
    {
        int size = opcode switch
        {
            Opcode.I32Store or Opcode.F32Store or Opcode.I64Store32 => 4,
            Opcode.I64Store or Opcode.F64Store => 8,
            Opcode.I32Store8 or Opcode.I64Store8 => 1,
            Opcode.I32Store16 or Opcode.I64Store16 => 2,
            _ => 0,
        };
        if (size == 0)
        {
            VectorStore(memArg);
            return;
        }
        ValType type = Peek().Type;
        Operand value = PopOperand(allowMemory: false);
        Operand address = PopOperand(allowMemory: false);
        Mem at = HeapAddress(address, memArg.Offset, size);
        if (value.IsImmediate && size >= 4)
        {
            Masm.StoreImm(size == 8, at, (int)value.Imm);
        }
        else
        {
            Reg v = value.IsImmediate ? Reg.Rax : value.Reg;
            if (value.IsImmediate)
            {
                Masm.MovImm(true, Reg.Rax, value.Imm);
            }
            if (v.IsFloat)
            {
                Masm.StoreF(type == ValType.F64, at, v);
            }
            else
            {
                switch (size)
                {
                    case 1: Masm.Store8(at, v); break;
                    case 2: Masm.Store16(at, v); break;
                    default: Masm.Store(size == 8, at, v); break;
                }
            }
        }
        Free(value);
        Free(address);
    }

    public void MemorySize()
    {
        Reg r = Allocate(false);
        Masm.Load(true, r, new Mem(Registers.Vmctx, VMOffsets.MemoryLength));
        Masm.ShiftImm(ShiftOp.Shr, true, r, 16);
        PushRegister(ValType.I32, r);
    }

    // ---- builtins ----

    /// <summary>
    /// Calls builtin <paramref name="id"/> with <paramref name="immediates"/> then the top
    /// <paramref name="stackArguments"/> entries as arguments (after the VMContext). A status result
    /// propagates a pending trap; otherwise the i32 result is pushed.
    /// </summary>
    public void CallBuiltin(BuiltinId id, int stackArguments, bool returnsStatus, params uint[] immediates)
    {
        for (int i = 0; i < immediates.Length; i++)
        {
            Masm.StoreImm(true, OutSlot(i), (int)immediates[i]);
        }
        int first = _height - stackArguments;
        for (int i = 0; i < stackArguments; i++)
        {
            StoreEntryTo(first + i, OutSlot(immediates.Length + i));
        }
        for (int i = 0; i < stackArguments; i++)
        {
            Drop();
        }
        SpillRegisters();
        EmitBuiltinCall(id, LiveRefSlots(), immediates.Length + stackArguments);
        if (returnsStatus)
        {
            Masm.Test(false, Reg.Rax, Reg.Rax);
            Masm.JumpIf(Cond.NotEqual, _epilogue);
        }
        else
        {
            Reg r = Allocate(false);
            Masm.Mov(false, r, Reg.Rax);
            PushRegister(ValType.I32, r);
        }
    }

    // ---- tables and references ----

    private void TableAddress(Reg dst, uint tableIndex)
    {
        Masm.Load(true, dst, new Mem(Registers.Vmctx, VMOffsets.Tables));
        Masm.Load(true, dst, new Mem(dst, 8 * (int)tableIndex));
    }

    public void TableGet(uint tableIndex)
    {
        bool extern_ = _module.Tables[(int)tableIndex].ElementType == ValType.ExternRef;
        Reg index = PopToRegister();
        TableAddress(Reg.R11, tableIndex);
        Masm.AluMem(AluOp.Cmp, false, index, new Mem(Reg.R11, VMOffsets.TableLength));
        TrapIf(Cond.AboveOrEqual, TrapCode.TableOutOfBounds);
        Masm.Load(true, Reg.R11, new Mem(Reg.R11, VMOffsets.TableElements));
        if (!extern_)
        {
            Masm.Load(true, index, new Mem(Reg.R11, index, 8, 0));
            PushRegister(ValType.FuncRef, index);
            return;
        }
        Masm.Load(true, Reg.Rax, new Mem(Reg.R11, index, 8, 0));
        Free(index);
        Masm.Store(true, OutSlot(0), Reg.Rax);
        SpillRegisters();
        PushRootedReference();
    }

    public void TableSet(uint tableIndex)
    {
        if (_module.Tables[(int)tableIndex].ElementType == ValType.ExternRef)
        {
            CallBuiltin(BuiltinId.TableSetExternRef, 2, true, tableIndex);
            return;
        }
        Reg value = PopToRegister();
        Reg index = PopToRegister();
        TableAddress(Reg.R11, tableIndex);
        Masm.AluMem(AluOp.Cmp, false, index, new Mem(Reg.R11, VMOffsets.TableLength));
        TrapIf(Cond.AboveOrEqual, TrapCode.TableOutOfBounds);
        Masm.Load(true, Reg.R11, new Mem(Reg.R11, VMOffsets.TableElements));
        Masm.Store(true, new Mem(Reg.R11, index, 8, 0), value);
        Free(value);
        Free(index);
    }

    public void TableSize(uint tableIndex)
    {
        Reg r = Allocate(false);
        TableAddress(r, tableIndex);
        Masm.Load(false, r, new Mem(r, VMOffsets.TableLength));
        PushRegister(ValType.I32, r);
    }

    public void RefIsNull()
    {
        Operand a = PopOperand(allowImmediate: false, allowMemory: false);
        Masm.Test(true, a.Reg, a.Reg);
        Free(a);
        PushFlags(Cond.Equal);
    }

    public void RefFunc(uint functionIndex)
    {
        Reg r = Allocate(false);
        Masm.Load(true, r, new Mem(Registers.Vmctx, VMOffsets.Functions));
        Masm.Load(true, r, new Mem(r, 8 * (int)functionIndex));
        PushRegister(ValType.FuncRef, r);
    }

    // ---- calls ----

    /// <summary>Writes the top <paramref name="count"/> entries to the outgoing area (slots as in section 1 of tiers.md) and pops them.</summary>
    private void PassArguments(int count)
    {
        int first = _height - count;
        int slot = 0;
        for (int i = 0; i < count; i++)
        {
            StoreEntryTo(first + i, OutSlot(slot));
            slot += SlotsOf(_stack[first + i].Type);
        }
        for (int i = 0; i < count; i++)
        {
            Drop();
        }
    }

    /// <summary>
    /// rdx = the callee's funcref: call it, check the status, push the results from the outgoing area. A
    /// function defined by this module runs in this instance, so its vmctx is ours (no load).
    /// </summary>
    private void EmitCallThroughFuncRef(FuncType type, bool sameInstance = false)
    {
        SavePinnedAroundCall();
        if (sameInstance)
        {
            Masm.Mov(true, Reg.Rdi, Registers.Vmctx);
        }
        else
        {
            Masm.Load(true, Reg.Rdi, new Mem(Reg.Rdx, VMOffsets.FuncRefVmctx));
        }
        Masm.Mov(true, Reg.Rsi, Reg.Rsp);
        Masm.CallIndirect(new Mem(Reg.Rdx, VMOffsets.FuncRefNativeCode));
        RecordSafepoint(LiveRefSlots());
        RestorePinnedAfterCall();
        Masm.Test(false, Reg.Rax, Reg.Rax);
        Masm.JumpIf(Cond.NotEqual, _epilogue);
        int slot = 0;
        for (int i = 0; i < type.Results.Length; i++)
        {
            Reg r = Allocate(type.Results[i]);
            LoadValue(r, type.Results[i], OutSlot(slot));
            PushRegister(type.Results[i], r);
            slot += SlotsOf(type.Results[i]);
        }
    }

    public void Call(uint functionIndex)
    {
        FuncType type = _module.FunctionType(functionIndex);
        PassArguments(type.Params.Length);
        SpillRegisters();
        Masm.Load(true, Reg.Rdx, new Mem(Registers.Vmctx, VMOffsets.Functions));
        Masm.Load(true, Reg.Rdx, new Mem(Reg.Rdx, 8 * (int)functionIndex));
        EmitCallThroughFuncRef(type, sameInstance: functionIndex >= _module.ImportedFunctionCount);
    }

    public void CallIndirect(uint typeIndex, uint tableIndex)
    {
        FuncType type = _module.Types[(int)typeIndex];
        Reg index = PopToRegister();
        PassArguments(type.Params.Length);
        SpillRegisters();
        TableAddress(Reg.R11, tableIndex);
        Masm.AluMem(AluOp.Cmp, false, index, new Mem(Reg.R11, VMOffsets.TableLength));
        TrapIf(Cond.AboveOrEqual, TrapCode.UndefinedElement);
        Masm.Load(true, Reg.R11, new Mem(Reg.R11, VMOffsets.TableElements));
        Masm.Load(true, Reg.R11, new Mem(Reg.R11, index, 8, 0));
        Free(index);
        Masm.Test(true, Reg.R11, Reg.R11);
        TrapIf(Cond.Equal, TrapCode.UninitializedElement);
        Masm.Load(true, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.TypeIds));
        Masm.Load(false, Reg.Rax, new Mem(Reg.Rax, 4 * (int)typeIndex));
        Masm.AluMem(AluOp.Cmp, false, Reg.Rax, new Mem(Reg.R11, VMOffsets.FuncRefTypeId));
        TrapIf(Cond.NotEqual, TrapCode.IndirectCallTypeMismatch);
        Masm.Mov(true, Reg.Rdx, Reg.R11);
        EmitCallThroughFuncRef(type);
    }
}
