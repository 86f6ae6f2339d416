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
                    _emitter.LoadFloatConst(pinned, SizeOf(type), value.Bits);
                }
                else
                {
                    Masm.MovImm(SizeOf(type), pinned, value.Bits);
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
                    Masm.Mov(SizeOf(type), pinned, v.Reg);
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
                Masm.StoreImm(S64, slot, (int)bits);
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

    public void GlobalGet(uint index)
    {
        ValType type = _module.Globals[(int)index].Type.Erased();
        if (type == ValType.ExternRef)
        {
            // Root the reference in the activations table when it is not null (may collect: a safepoint).
            SpillRegisters();
            _emitter.GlobalCell(Reg.Rax, index);
            Masm.Load(S64, Reg.Rax, new Mem(Reg.Rax, 0));
            Masm.Store(S64, OutSlot(0), Reg.Rax);
            PushRootedReference();
            return;
        }
        Reg r = Allocate(type);
        _emitter.GlobalCell(Reg.R11, index);
        LoadValue(r, type, new Mem(Reg.R11, 0));
        PushRegister(type, r);
    }

    /// <summary>The externref in out slot 0 is rooted (when not null) and pushed.</summary>
    private void PushRootedReference()
    {
        MLabel skip = Masm.CreateLabel();
        Masm.Test(S64, Reg.Rax, Reg.Rax);
        Masm.JumpIf(Cond.Equal, skip);
        _emitter.EmitBuiltinCall(BuiltinId.RootExternRef, LiveRefSlots(), 1);
        _emitter.EmitStatusCheck();
        Masm.Bind(skip);
        Reg r = Allocate(false);
        Masm.Load(S64, r, OutSlot(0));
        PushRegister(ValType.ExternRef, r);
    }

    public void GlobalSet(uint index)
    {
        ValType type = _module.Globals[(int)index].Type.Erased();
        if (type == ValType.ExternRef)
        {
            CallBuiltin(BuiltinId.GlobalSetExternRef, 1, true, index);
            return;
        }
        if (type == ValType.V128)
        {
            Reg v = PopToRegister();
            _emitter.GlobalCell(Reg.R11, index);
            Masm.StoreV(new Mem(Reg.R11, 0), v);
            Free(v);
            return;
        }
        Operand value = PopOperand(allowMemory: false);
        _emitter.GlobalCell(Reg.R11, index);
        if (value.IsImmediate)
        {
            Masm.StoreImm(SizeOf(type), new Mem(Reg.R11, 0), (int)value.Imm);
        }
        else
        {
            StoreValue(new Mem(Reg.R11, 0), type, value.Reg);
        }
        Free(value);
    }

    // ---- integer arithmetic ----

    private static ValType IntType(OperandSize size) => size == S64 ? ValType.I64 : ValType.I32;

    private static ValType FloatType(OperandSize size) => size == S64 ? ValType.F64 : ValType.F32;

    /// <summary>
    /// True when the operator being compiled (a one-byte opcode at <see cref="WasmOffset"/>) is followed by
    /// <c>local.set x</c> or <c>local.tee x</c> of a local pinned in a general register with the result's
    /// type, and the operator may compute straight into that register: its left operand (depth 1) is x
    /// itself, or its right operand (depth 0) does not read x. The result is then pushed as a read of x,
    /// which makes the <c>local.set</c> free.
    /// </summary>
    private bool NextSetsPinnedLocal(ValType resultType, int operands, out int local, out Reg reg) =>
        NextSetsPinnedLocalAt(WasmOffset + 1, resultType, operands, out local, out reg);

    /// <summary><see cref="NextSetsPinnedLocal"/> for the operator whose immediates end at <paramref name="at"/>.</summary>
    private bool NextSetsPinnedLocalAt(int at, ValType resultType, int operands, out int local, out Reg reg)
    {
        local = -1;
        reg = Reg.None;
        byte[] bytes = _module.Bytes;
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

    /// <summary>Like <see cref="NextSetsPinnedLocal"/> for a load (the opcode, then the alignment and offset LEBs, possibly padded).</summary>
    private bool NextSetsPinnedLocalAfterLoad(ValType type, out int local, out Reg reg) =>
        NextSetsPinnedLocalAt(SkipLeb(SkipLeb(WasmOffset + 1)), type, 0, out local, out reg);

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

    public void IntBinary(AluOp op, OperandSize size)
    {
        ValType type = IntType(size);
        if (NextSetsPinnedLocal(type, 2, out int local, out Reg target))
        {
            Operand right = PopOperand();
            PopLeftInto(target, local);
            Masm.Alu(op, size, target, right);
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
            Masm.LeaAdd(size, sum, pinned, (int)b.Imm);
            PushRegister(type, sum);
            return;
        }
        Reg a = PopToRegister();
        Masm.Alu(op, size, a, b);
        Free(b);
        PushRegister(type, a);
    }

    public void IntMul(OperandSize size)
    {
        ValType type = IntType(size);
        if (NextSetsPinnedLocal(type, 2, out int local, out Reg target))
        {
            Operand right = PopOperand();
            PopLeftInto(target, local);
            Masm.Imul(size, target, right);
            Free(right);
            PushLocal((uint)local);
            return;
        }
        Operand b = PopOperand();
        Reg a = PopToRegister();
        Masm.Imul(size, a, b);
        Free(b);
        PushRegister(type, a);
    }

    public void IntCompare(Cond cond, OperandSize size)
    {
        Operand b = PopOperand();
        Operand a = PopOperand(allowImmediate: false, allowMemory: false);
        Masm.Alu(AluOp.Cmp, size, a.Reg, b);
        Free(b);
        Free(a);
        PushFlags(cond);
    }

    public void IntEqz(OperandSize size)
    {
        Operand a = PopOperand(allowImmediate: false, allowMemory: false);
        Masm.Test(size, a.Reg, a.Reg);
        Free(a);
        PushFlags(Cond.Equal);
    }

    public void Shift(ShiftOp op, OperandSize size)
    {
        ValType type = IntType(size);
        if (Peek().Kind == ValueKind.Const && NextSetsPinnedLocal(type, 2, out int local, out Reg target))
        {
            int shiftCount = (int)Pop().Bits;
            PopLeftInto(target, local);
            Masm.ShiftImm(op, size, target, shiftCount);
            PushLocal((uint)local);
            return;
        }
        if (Peek().Kind == ValueKind.Const)
        {
            int count = (int)Pop().Bits;
            Reg a = PopToRegister();
            Masm.ShiftImm(op, size, a, count);
            PushRegister(type, a);
            return;
        }
        Reg c = PopToSpecific(Reg.Rcx);
        Reg value = PopToRegister();
        Masm.ShiftCl(op, size, value);
        Free(c);
        PushRegister(type, value);
    }

    public void DivRem(Signedness signedness, DivRem kind, OperandSize size)
    {
        Claim(Reg.Rdx);
        Reg divisor = PopToRegister();
        Reg dividend = PopToRegister();
        _emitter.IntDivRem(size, signedness, kind, dividend, divisor);
        Free(divisor);
        Free(Reg.Rdx);
        PushRegister(IntType(size), dividend);
    }

    public void Clz(OperandSize size)
    {
        Reg a = PopToRegister();
        _emitter.CountLeadingZeros(size, a);
        PushRegister(IntType(size), a);
    }

    public void Ctz(OperandSize size)
    {
        Reg a = PopToRegister();
        _emitter.CountTrailingZeros(size, a);
        PushRegister(IntType(size), a);
    }

    public void Popcnt(OperandSize size)
    {
        if (!_emitter.Has(CpuFeatures.Popcnt))
        {
            Fail(CompileFailureReason.MissingCpuFeature, "popcnt needs POPCNT");
            return;
        }
        Reg a = PopToRegister();
        Masm.Popcnt(size, a, a);
        PushRegister(IntType(size), a);
    }

    /// <summary>Sign-extends the low <paramref name="from"/> bits of the top (i32 or i64 result, <paramref name="to"/>).</summary>
    public void SignExtend(OperandSize from, OperandSize to)
    {
        Reg a = PopToRegister();
        Masm.SignExtend(a, a, from, to);
        PushRegister(IntType(to), a);
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

    public void FloatBinary(SseOp op, OperandSize size)
    {
        Operand b = PopOperand(allowImmediate: false);
        Reg a = PopToRegister();
        if (b.IsRegister)
        {
            Masm.Sse(op, size, a, b.Reg);
        }
        else
        {
            Masm.SseMem(op, size, a, b.Mem);
        }
        Free(b);
        PushRegister(FloatType(size), a);
    }

    public void FloatMinMax(MinMax kind, OperandSize size)
    {
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        _emitter.FloatMinMax(kind, size, a, b);
        Free(b);
        PushRegister(FloatType(size), a);
    }

    public void FloatAbs(OperandSize size)
    {
        Reg a = PopToRegister();
        _emitter.FloatAbs(size, a);
        PushRegister(FloatType(size), a);
    }

    public void FloatNeg(OperandSize size)
    {
        Reg a = PopToRegister();
        _emitter.FloatNeg(size, a);
        PushRegister(FloatType(size), a);
    }

    public void FloatCopysign(OperandSize size)
    {
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        _emitter.FloatCopysign(size, a, b);
        Free(b);
        PushRegister(FloatType(size), a);
    }

    public void FloatUnary(SseOp op, OperandSize size)
    {
        Reg a = PopToRegister();
        Masm.Sse(op, size, a, a);
        PushRegister(FloatType(size), a);
    }

    public void FloatRound(RoundingMode mode, OperandSize size)
    {
        if (!_emitter.Has(CpuFeatures.Sse41))
        {
            Fail(CompileFailureReason.MissingCpuFeature, "rounding needs SSE4.1");
            return;
        }
        Reg a = PopToRegister();
        Masm.Round(size, a, a, mode);
        PushRegister(FloatType(size), a);
    }

    /// <summary>
    /// Float compares (<paramref name="relation"/>: Equal, NotEqual, Less, Greater, LessOrEqual, GreaterOrEqual):
    /// the ordered ones leave their result in the flags; eq and ne need the parity flag too and produce a register.
    /// </summary>
    public void FloatCompare(Cond relation, OperandSize size)
    {
        Reg b = PopToRegister();
        Reg a = PopToRegister();
        if (relation is not (Cond.Equal or Cond.NotEqual))
        {
            Cond cond = _emitter.FloatOrderCompare(relation, size, a, b);
            Free(a);
            Free(b);
            PushFlags(cond);
            return;
        }
        Masm.Ucomi(size, a, b);
        Free(a);
        Free(b);
        Reg r = Allocate(false);
        _emitter.FloatEqualityFromFlags(relation, r);
        PushRegister(ValType.I32, r);
    }

    /// <summary>Reinterprets the bits between an integer and a float register.</summary>
    public void Reinterpret(ValType to)
    {
        OperandSize size = SizeOf(to);
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
            Masm.MovToXmm(size, r, a);
        }
        else
        {
            Masm.MovFromXmm(size, r, a);
        }
        Free(a);
        PushRegister(to, r);
    }

    public void ConvertIntToFloat(OperandSize floatSize, OperandSize intSize, Signedness signedness)
    {
        Reg a = PopToRegister();
        Reg r = Allocate(true);
        _emitter.ConvertIntToFloat(floatSize, intSize, signedness, r, a);
        Free(a);
        PushRegister(FloatType(floatSize), r);
    }

    public void PromoteDemote(OperandSize to)
    {
        Reg a = PopToRegister();
        Masm.CvtFloat(to, a, a);
        PushRegister(FloatType(to), a);
    }

    /// <summary>Float to integer truncation, trapping (or saturating) as wasm requires.</summary>
    public void Truncate(OperandSize floatSize, OperandSize intSize, Signedness signedness, TruncKind kind)
    {
        Reg a = PopToRegister();
        Reg r = Allocate(false);
        _emitter.Truncate(floatSize, intSize, signedness, kind, r, a);
        Free(a);
        PushRegister(IntType(intSize), r);
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
            Masm.Test(S32, c, c);
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
            Masm.CMov(whenFirst.Negate(), SizeOf(type), a, b);
        }
        Free(b);
        PushRegister(type, a);
    }

    // ---- memory ----

    public void Load(Opcode opcode, MemArg memArg)
    {
        (int size, Signedness signedness, ValType type) = opcode switch
        {
            Opcode.I32Load => (4, Signedness.Unsigned, ValType.I32),
            Opcode.I64Load => (8, Signedness.Unsigned, ValType.I64),
            Opcode.F32Load => (4, Signedness.Unsigned, ValType.F32),
            Opcode.F64Load => (8, Signedness.Unsigned, ValType.F64),
            Opcode.I32Load8S => (1, Signedness.Signed, ValType.I32),
            Opcode.I32Load8U => (1, Signedness.Unsigned, ValType.I32),
            Opcode.I32Load16S => (2, Signedness.Signed, ValType.I32),
            Opcode.I32Load16U => (2, Signedness.Unsigned, ValType.I32),
            Opcode.I64Load8S => (1, Signedness.Signed, ValType.I64),
            Opcode.I64Load8U => (1, Signedness.Unsigned, ValType.I64),
            Opcode.I64Load16S => (2, Signedness.Signed, ValType.I64),
            Opcode.I64Load16U => (2, Signedness.Unsigned, ValType.I64),
            Opcode.I64Load32S => (4, Signedness.Signed, ValType.I64),
            Opcode.I64Load32U => (4, Signedness.Unsigned, ValType.I64),
            _ => (0, Signedness.Unsigned, ValType.V128),
        };
        if (size == 0)
        {
            VectorLoad(opcode, memArg);
            return;
        }
        OperandSize access = OperandSizeExtensions.FromBytes(size);
        bool intoLocal = false;
        int local = -1;
        Reg target = Reg.None;
        if (!IsFloat(type) && NextSetsPinnedLocalAfterLoad(type, out local, out target))
        {
            intoLocal = true;
        }
        Operand address = PopOperand(allowMemory: false);
        Mem at = HeapAccess(address, memArg, size);
        if (intoLocal)
        {
            MaterializeReadersOf(local);
            Masm.LoadExtend(target, at, access, signedness, SizeOf(type));
            Free(address);
            PushLocal((uint)local);
            return;
        }
        // An integer load reuses the address register when it owns it.
        bool reuse = !IsFloat(type) && IsOwned(address);
        Reg r = IsFloat(type) ? Allocate(true) : reuse ? address.Reg : Allocate(false);
        if (IsFloat(type))
        {
            Masm.LoadF(SizeOf(type), r, at);
        }
        else
        {
            Masm.LoadExtend(r, at, access, signedness, SizeOf(type));
        }
        if (!reuse)
        {
            Free(address);
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
        Mem at = HeapAccess(address, memArg, size);
        OperandSize access = OperandSizeExtensions.FromBytes(size);
        if (value.IsImmediate && size >= 4)
        {
            Masm.StoreImm(access, at, (int)value.Imm);
        }
        else
        {
            Reg v = value.IsImmediate ? Reg.Rax : value.Reg;
            if (value.IsImmediate)
            {
                Masm.MovImm(S64, Reg.Rax, value.Imm);
            }
            if (v.IsFloat)
            {
                Masm.StoreF(SizeOf(type), at, v);
            }
            else
            {
                Masm.Store(access, at, v);
            }
        }
        Free(value);
        Free(address);
    }

    public void MemorySize()
    {
        Reg r = Allocate(false);
        _emitter.MemorySize(r);
        PushRegister(ValType.I32, r);
    }

    /// <summary>
    /// The operand of a memory access at <paramref name="address"/> by <paramref name="memArg"/>: memory 0 (32-bit) through
    /// its pinned base, with guard pages or an explicit check; any other memory (3.0) with an explicit 64-bit check.
    /// </summary>
    private Mem HeapAccess(in Operand address, MemArg memArg, int size) =>
        _emitter.IsMemoryZero32(memArg.MemoryIndex)
            ? _emitter.HeapAddress(address, (uint)memArg.Offset, size)
            : _emitter.HeapAddressAny(address, memArg.MemoryIndex, _module.Memories[(int)memArg.MemoryIndex].Limits.Is64, memArg.Offset, size);

    /// <summary>True for memory 0 when it is 32-bit (the fast paths).</summary>
    public bool IsMemoryZero32(uint memoryIndex) => _emitter.IsMemoryZero32(memoryIndex);

    /// <summary>The address type of memory <paramref name="memoryIndex"/>.</summary>
    public ValType MemoryAddressType(uint memoryIndex) => _module.Memories[(int)memoryIndex].Limits.AddressType;

    /// <summary>The address type of table <paramref name="tableIndex"/>.</summary>
    public ValType TableAddressType(uint tableIndex) => _module.Tables[(int)tableIndex].Limits.AddressType;

    /// <summary><c>memory.size</c> of any memory: an i64 for a 64-bit one.</summary>
    public void MemorySize(uint memoryIndex)
    {
        Reg r = Allocate(false);
        _emitter.MemorySizeAny(r, memoryIndex);
        PushRegister(_module.Memories[(int)memoryIndex].Limits.AddressType, r);
    }

    // ---- builtins ----

    /// <summary>
    /// Calls builtin <paramref name="id"/> with <paramref name="immediates"/> then the top
    /// <paramref name="stackArguments"/> entries as arguments (after the VMContext). A status result
    /// propagates a pending trap; otherwise the i32 result is pushed.
    /// </summary>
    public void CallBuiltin(BuiltinId id, int stackArguments, bool returnsStatus, params uint[] immediates) =>
        CallBuiltin(id, stackArguments, returnsStatus ? ValType.Bottom : ValType.I32, immediates);

    /// <summary>
    /// <see cref="CallBuiltin(BuiltinId, int, bool, uint[])"/> with the result's type: <see cref="ValType.Bottom"/> for a
    /// status, else the type of the value in rax to push (an i64 takes all of rax).
    /// </summary>
    public void CallBuiltin(BuiltinId id, int stackArguments, ValType result, params uint[] immediates)
    {
        bool returnsStatus = result == ValType.Bottom;
        for (int i = 0; i < immediates.Length; i++)
        {
            Masm.StoreImm(S64, OutSlot(i), (int)immediates[i]);
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
        _emitter.EmitBuiltinCall(id, LiveRefSlots(), immediates.Length + stackArguments);
        if (returnsStatus)
        {
            _emitter.EmitStatusCheck();
        }
        else
        {
            Reg r = Allocate(false);
            Masm.Mov(result == ValType.I64 ? S64 : S32, r, Reg.Rax);
            PushRegister(result, r);
        }
    }

    // ---- tables and references ----

    public void TableGet(uint tableIndex)
    {
        bool extern_ = _module.Tables[(int)tableIndex].ElementType.Erased() == ValType.ExternRef;
        Reg index = PopToRegister();
        Mem element = _emitter.TableElement(index, tableIndex);
        if (!extern_)
        {
            Masm.Load(S64, index, element);
            PushRegister(ValType.FuncRef, index);
            return;
        }
        Masm.Load(S64, Reg.Rax, element);
        Free(index);
        Masm.Store(S64, OutSlot(0), Reg.Rax);
        SpillRegisters();
        PushRootedReference();
    }

    public void TableSet(uint tableIndex)
    {
        if (_module.Tables[(int)tableIndex].ElementType.Erased() == ValType.ExternRef)
        {
            CallBuiltin(BuiltinId.TableSetExternRef, 2, true, tableIndex);
            return;
        }
        Reg value = PopToRegister();
        Reg index = PopToRegister();
        Masm.Store(S64, _emitter.TableElement(index, tableIndex), value);
        Free(value);
        Free(index);
    }

    public void TableSize(uint tableIndex)
    {
        Reg r = Allocate(false);
        _emitter.TableSize(r, tableIndex);
        // A 64-bit table's size is an i64: the 32-bit load cleared the upper half.
        PushRegister(_module.Tables[(int)tableIndex].Limits.AddressType, r);
    }

    public void RefIsNull()
    {
        Operand a = PopOperand(allowImmediate: false, allowMemory: false);
        Masm.Test(S64, a.Reg, a.Reg);
        Free(a);
        PushFlags(Cond.Equal);
    }

    public void RefFunc(uint functionIndex)
    {
        Reg r = Allocate(false);
        _emitter.LoadFuncRef(r, functionIndex);
        PushRegister(ValType.FuncRef, r);
    }

    // ---- calls ----

    /// <summary>
    /// Writes the top <paramref name="count"/> entries to the outgoing area from slot <paramref name="firstSlot"/> (slots as in
    /// section 1 of tiers.md) and pops them.
    /// </summary>
    private void PassArguments(int count, int firstSlot = 0)
    {
        int first = _height - count;
        int slot = firstSlot;
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
        _emitter.EmitCallFuncRef(sameInstance, LiveRefSlots());
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
        _emitter.LoadFuncRef(Reg.Rdx, functionIndex);
        EmitCallThroughFuncRef(type, sameInstance: functionIndex >= _module.ImportedFunctionCount);
    }

    public void CallIndirect(uint typeIndex, uint tableIndex)
    {
        FuncType type = _module.Types[(int)typeIndex];
        Reg index = PopToRegister();
        PassArguments(type.Params.Length);
        SpillRegisters();
        // A non-final type also matches a callee of a declared subtype: the emitter's slow path asks the runtime.
        _emitter.LoadIndirectCallee(index, typeIndex, tableIndex, LiveRefSlots());
        Free(index);
        EmitCallThroughFuncRef(type);
    }

    /// <summary><c>return_call</c>: the arguments to the outgoing area, then the frame is replaced (<see cref="FunctionEmitter.EmitTailCall"/>).</summary>
    public void ReturnCall(uint functionIndex)
    {
        FuncType type = _module.FunctionType(functionIndex);
        PassArguments(type.Params.Length);
        _emitter.LoadFuncRef(Reg.Rdx, functionIndex);
        _emitter.EmitTailCall(FunctionInstance.SlotsOf(type.Params), sameInstance: functionIndex >= _module.ImportedFunctionCount);
        SetUnreachable();
    }

    /// <summary><c>return_call_indirect</c>: the callee checked as for <c>call_indirect</c>, then as <see cref="ReturnCall"/>.</summary>
    public void ReturnCallIndirect(uint typeIndex, uint tableIndex)
    {
        FuncType type = _module.Types[(int)typeIndex];
        Reg index = PopToRegister();
        PassArguments(type.Params.Length);
        _emitter.LoadIndirectCallee(index, typeIndex, tableIndex, LiveRefSlots());
        Free(index);
        _emitter.EmitTailCall(FunctionInstance.SlotsOf(type.Params), sameInstance: false);
        SetUnreachable();
    }

    // ---- typed function references (3.0) ----

    public void CallRef(uint typeIndex)
    {
        FuncType type = _module.Types[(int)typeIndex];
        Reg reference = PopToRegister();
        PassArguments(type.Params.Length);
        SpillRegisters();
        Masm.Test(S64, reference, reference);
        _emitter.TrapIf(Cond.Equal, TrapCode.NullFunctionReference);
        Masm.Mov(S64, Reg.Rdx, reference);
        Free(reference);
        EmitCallThroughFuncRef(type);
    }

    /// <summary><c>return_call_ref</c>: the reference null-checked as for <see cref="CallRef"/>, then the frame is replaced as in <see cref="ReturnCall"/>.</summary>
    public void ReturnCallRef(uint typeIndex)
    {
        FuncType type = _module.Types[(int)typeIndex];
        Reg reference = PopToRegister();
        PassArguments(type.Params.Length);
        Masm.Test(S64, reference, reference);
        _emitter.TrapIf(Cond.Equal, TrapCode.NullFunctionReference);
        Masm.Mov(S64, Reg.Rdx, reference);
        Free(reference);
        _emitter.EmitTailCall(FunctionInstance.SlotsOf(type.Params), sameInstance: false);
        SetUnreachable();
    }

    public void RefAsNonNull()
    {
        ValType type = Peek().Type;
        Reg reference = PopToRegister();
        Masm.Test(S64, reference, reference);
        _emitter.TrapIf(Cond.Equal, TrapCode.NullReference);
        PushRegister(type, reference);
    }
}
