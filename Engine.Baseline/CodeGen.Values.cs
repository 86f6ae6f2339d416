using System.Numerics;
using Engine.Core;

namespace Engine.Baseline;

internal sealed partial class CodeGen
{
    public static bool IsFloat(ValType type) => type is ValType.F32 or ValType.F64;

    /// <summary>True for the types kept in xmm registers: f32, f64 and v128.</summary>
    public static bool InXmm(ValType type) => type is ValType.F32 or ValType.F64 or ValType.V128;

    public static bool IsWide(ValType type) => type is ValType.I64 or ValType.F64 || RefTypes.IsRef(type);

    /// <summary>The operand size of a scalar of <paramref name="type"/>: S64 for i64, f64 and references, S32 for i32 and f32.</summary>
    public static OperandSize SizeOf(ValType type) => IsWide(type) ? S64 : S32;

    public int Height => _height;

    /// <summary>While set, loading values emits nothing that changes the flags (a fused compare waits for its consumer).</summary>
    public bool KeepFlags { get; set; }

    public ValType TypeAt(int depth) => _stack[_height - 1 - depth].Type;

    public ref StackValue Peek(int depth = 0) => ref _stack[_height - 1 - depth];

    // ---- registers ----

    /// <summary>A free register of the right class, spilling the lowest register entry of the stack if none is free.</summary>
    public Reg Allocate(bool isFloat)
    {
        ref uint free = ref isFloat ? ref _freeXmms : ref _freeGprs;
        if (free == 0)
        {
            SpillOneRegister(isFloat);
        }
        int number = BitOperations.TrailingZeroCount(free);
        free &= ~(1u << number);
        return new Reg((byte)number, isFloat);
    }

    public Reg Allocate(ValType type) => Allocate(InXmm(type));

    /// <summary>Takes a specific register (spilling or moving its current owner).</summary>
    public void Claim(Reg reg)
    {
        ref uint free = ref reg.IsFloat ? ref _freeXmms : ref _freeGprs;
        if ((free & (1u << reg.Number)) == 0)
        {
            // Some stack entry owns it: move that entry to another register.
            for (int i = 0; i < _height; i++)
            {
                if (_stack[i].Kind == ValueKind.Register && _stack[i].Reg == reg)
                {
                    Reg other = Allocate(reg.IsFloat);
                    if (reg.IsFloat)
                    {
                        Masm.MovF(other, reg);
                    }
                    else
                    {
                        Masm.Mov(S64, other, reg);
                    }
                    _stack[i].Reg = other;
                    free &= ~(1u << reg.Number);
                    return;
                }
            }
            throw new InvalidOperationException($"baseline: {reg} is taken by an operand in use");
        }
        free &= ~(1u << reg.Number);
    }

    public void Free(Reg reg)
    {
        if (reg.IsFloat)
        {
            _freeXmms |= 1u << reg.Number;
        }
        else if (reg.Number != Reg.Rax.Number && reg.Number != Reg.R11.Number)
        {
            _freeGprs |= 1u << reg.Number;
        }
    }

    /// <summary>Frees the operand's register unless it belongs to a pinned local.</summary>
    public void Free(in Operand operand)
    {
        if (IsOwned(operand))
        {
            Free(operand.Reg);
        }
    }

    /// <summary>True when the operand is a register the consumer owns (it may overwrite it; not a pinned local's).</summary>
    public bool IsOwned(in Operand operand) => operand.IsRegister && !IsPinnedRegister(operand.Reg);

    public bool IsFree(Reg reg) => ((reg.IsFloat ? _freeXmms : _freeGprs) & (1u << reg.Number)) != 0;

    private void SpillOneRegister(bool isFloat)
    {
        for (int i = 0; i < _height; i++)
        {
            if (_stack[i].Kind == ValueKind.Register && _stack[i].Reg.IsFloat == isFloat)
            {
                Spill(i);
                return;
            }
        }
        throw new InvalidOperationException("baseline: out of registers with nothing to spill");
    }

    // ---- pushing ----

    private ref StackValue PushEntry(ValueKind kind, ValType type)
    {
        if (_height == _stack.Length)
        {
            Array.Resize(ref _stack, _stack.Length * 2);
        }
        // Typed references (3.0) are values of the top of their hierarchy here: a VMFuncRef address or a counted box.
        type = type.Erased();
        ref StackValue v = ref _stack[_height++];
        if (_height > _maxHeight)
        {
            _maxHeight = _height;
        }
        v.Kind = kind;
        v.Type = type;
        return ref v;
    }

    public void PushRegister(ValType type, Reg reg) => PushEntry(ValueKind.Register, type).Reg = reg;

    public void PushConst(ValType type, long bits) => PushEntry(ValueKind.Const, type).Bits = bits;

    /// <summary>Pushes a v128 constant (its low and high 64 bits).</summary>
    public void PushV128Const(long low, long high)
    {
        ref StackValue v = ref PushEntry(ValueKind.Const, ValType.V128);
        v.Bits = low;
        v.Bits2 = high;
    }

    public void PushLocal(uint index) => PushEntry(ValueKind.Local, _localTypes[index]).Local = (int)index;

    public void PushHome(ValType type) => PushEntry(ValueKind.Home, type);

    /// <summary>Pushes an i32 that is (cond ? 1 : 0) of the flags just set.</summary>
    public void PushFlags(Cond cond)
    {
        MaterializeFlags();
        PushEntry(ValueKind.Flags, ValType.I32).Condition = cond;
        _flagsAt = _height - 1;
    }

    /// <summary>Turns a pending flags entry into a register (before anything that could change the flags).</summary>
    public void MaterializeFlags()
    {
        if (_flagsAt < 0)
        {
            return;
        }
        int at = _flagsAt;
        _flagsAt = -1;
        if (at >= _height || _stack[at].Kind != ValueKind.Flags)
        {
            return;
        }
        // Allocating may spill with movs only, which keep the flags.
        Reg r = Allocate(false);
        Masm.SetCc(_stack[at].Condition, r);
        _stack[at].Kind = ValueKind.Register;
        _stack[at].Reg = r;
    }

    // ---- popping ----

    public StackValue Pop()
    {
        StackValue v = _stack[--_height];
        if (_flagsAt == _height)
        {
            _flagsAt = -1;
        }
        return v;
    }

    public void Drop()
    {
        StackValue v = Pop();
        if (v.Kind == ValueKind.Register)
        {
            Free(v.Reg);
        }
    }

    /// <summary>Pops the top into a register the caller owns (and may overwrite).</summary>
    public Reg PopToRegister()
    {
        int position = _height - 1;
        StackValue v = Pop();
        if (v.Kind == ValueKind.Register)
        {
            return v.Reg;
        }
        Reg r = Allocate(v.Type);
        LoadInto(r, v, position);
        return r;
    }

    /// <summary>Pops the top into a specific register the caller then owns.</summary>
    public Reg PopToSpecific(Reg target)
    {
        int position = _height - 1;
        StackValue v = Pop();
        if (v.Kind == ValueKind.Register && v.Reg == target)
        {
            return target;
        }
        Claim(target);
        LoadInto(target, v, position);
        if (v.Kind == ValueKind.Register)
        {
            Free(v.Reg);
        }
        return target;
    }

    /// <summary>Pops the top as an operand: a register, a frame slot, or (when allowed) an immediate.</summary>
    public Operand PopOperand(bool allowImmediate = true, bool allowMemory = true)
    {
        int position = _height - 1;
        StackValue v = Pop();
        switch (v.Kind)
        {
            case ValueKind.Register:
                return Operand.InRegister(v.Reg);
            case ValueKind.Const when allowImmediate && (!IsWide(v.Type) || (v.Bits >= int.MinValue && v.Bits <= int.MaxValue)) && !InXmm(v.Type):
                return Operand.Immediate(IsWide(v.Type) ? v.Bits : (int)v.Bits);
            case ValueKind.Local when IsPinned(v.Local, out Reg pinned) && pinned.IsFloat == IsFloat(v.Type):
                // Read-only: the consumer must not write a register it does not own (IsOwned is false).
                return Operand.InRegister(pinned);
            case ValueKind.Local when allowMemory && !IsPinned(v.Local, out _):
                return Operand.InMemory(LocalSlot(v.Local));
            case ValueKind.Home when allowMemory:
                return Operand.InMemory(HomeSlot(position));
            default:
                Reg r = Allocate(v.Type);
                LoadInto(r, v, position);
                return Operand.InRegister(r);
        }
    }

    /// <summary>Writes a popped entry's value into register <paramref name="r"/> (the entry was at <paramref name="position"/>).</summary>
    private void LoadInto(Reg r, in StackValue v, int position)
    {
        OperandSize size = SizeOf(v.Type);
        switch (v.Kind)
        {
            case ValueKind.Const:
                if (v.Type == ValType.V128)
                {
                    _emitter.LoadV128Const(r, v.Bits, v.Bits2);
                }
                else if (r.IsFloat)
                {
                    _emitter.LoadFloatConst(r, size, v.Bits, KeepFlags);
                }
                else
                {
                    Masm.MovImm(size, r, v.Bits, KeepFlags);
                }
                break;
            case ValueKind.Local:
                LoadLocal(r, v.Type, v.Local);
                break;
            case ValueKind.Home:
                LoadValue(r, v.Type, HomeSlot(position));
                break;
            case ValueKind.Register:
                if (r.IsFloat)
                {
                    Masm.MovF(r, v.Reg);
                }
                else
                {
                    Masm.Mov(size, r, v.Reg);
                }
                break;
            case ValueKind.Flags:
                Masm.SetCc(v.Condition, r);
                break;
        }
    }

    /// <summary>r = local <paramref name="local"/> read as <paramref name="type"/> (which differs from the local's after a reinterpretation).</summary>
    private void LoadLocal(Reg r, ValType type, int local)
    {
        if (!IsPinned(local, out Reg pinned))
        {
            LoadValue(r, type, LocalSlot(local));
        }
        else if (r.IsFloat && pinned.IsFloat)
        {
            Masm.MovF(r, pinned);
        }
        else if (!r.IsFloat && !pinned.IsFloat)
        {
            Masm.Mov(SizeOf(type), r, pinned);
        }
        else if (r.IsFloat)
        {
            Masm.MovToXmm(SizeOf(type), r, pinned);
        }
        else
        {
            Masm.MovFromXmm(SizeOf(type), r, pinned);
        }
    }

    private void LoadValue(Reg r, ValType type, Mem slot)
    {
        if (type == ValType.V128)
        {
            Masm.LoadV(r, slot);
        }
        else if (r.IsFloat)
        {
            Masm.LoadF(SizeOf(type), r, slot);
        }
        else
        {
            Masm.Load(SizeOf(type), r, slot);
        }
    }

    // ---- spilling and materializing ----

    /// <summary>Moves the register entry at <paramref name="position"/> to its home slot.</summary>
    private void Spill(int position)
    {
        ref StackValue v = ref _stack[position];
        StoreValue(HomeSlot(position), v.Type, v.Reg);
        Free(v.Reg);
        v.Kind = ValueKind.Home;
    }

    private void StoreValue(Mem slot, ValType type, Reg r)
    {
        if (type == ValType.V128)
        {
            Masm.StoreV(slot, r);
        }
        else if (r.IsFloat)
        {
            Masm.StoreF(SizeOf(type), slot, r);
        }
        else
        {
            Masm.Store(SizeOf(type), slot, r);
        }
    }

    /// <summary>Writes the entry at <paramref name="position"/> into <paramref name="slot"/> (8 bytes; only movs, so flags survive).</summary>
    private void StoreEntryTo(int position, Mem slot)
    {
        ref StackValue v = ref _stack[position];
        switch (v.Kind)
        {
            case ValueKind.Register when v.Type == ValType.V128:
                Masm.StoreV(slot, v.Reg);
                break;
            case ValueKind.Const when v.Type == ValType.V128:
                StoreBits(slot, v.Bits);
                StoreBits(slot.Plus(8), v.Bits2);
                break;
            case ValueKind.Register:
                // Always all 8 bytes, so slots read as i64 (results, arguments) are defined.
                if (v.Reg.IsFloat)
                {
                    Masm.StoreF(SizeOf(v.Type), slot, v.Reg);
                }
                else
                {
                    Masm.Store(S64, slot, v.Reg);
                }
                break;
            case ValueKind.Const:
                StoreBits(slot, IsWide(v.Type) ? v.Bits : (uint)v.Bits);
                break;
            case ValueKind.Local when IsPinned(v.Local, out Reg pinned):
                if (pinned.IsFloat)
                {
                    Masm.StoreF(SizeOf(_localTypes[v.Local]), slot, pinned);
                }
                else
                {
                    Masm.Store(S64, slot, pinned);
                }
                break;
            case ValueKind.Local:
                CopyValue(slot, LocalSlot(v.Local), v.Type);
                break;
            case ValueKind.Home:
                if (slot != HomeSlot(position))
                {
                    CopyValue(slot, HomeSlot(position), v.Type);
                }
                break;
            case ValueKind.Flags:
                Masm.SetCc(v.Condition, Reg.Rax);
                Masm.Store(S64, slot, Reg.Rax);
                break;
        }
    }

    /// <summary>Stores 8 bytes of constant bits (only movs, so the flags survive).</summary>
    private void StoreBits(Mem slot, long bits)
    {
        if (bits >= int.MinValue && bits <= int.MaxValue)
        {
            Masm.StoreImm(S64, slot, (int)bits);
        }
        else
        {
            Masm.MovImm(S64, Reg.Rax, bits, keepFlags: true);
            Masm.Store(S64, slot, Reg.Rax);
        }
    }

    /// <summary>Puts every entry in its home slot (block boundaries).</summary>
    public void SpillAll()
    {
        for (int i = 0; i < _height; i++)
        {
            ref StackValue v = ref _stack[i];
            if (v.Kind == ValueKind.Home)
            {
                continue;
            }
            StoreEntryTo(i, HomeSlot(i));
            if (v.Kind == ValueKind.Register)
            {
                Free(v.Reg);
            }
            v.Kind = ValueKind.Home;
        }
        _flagsAt = -1;
    }

    /// <summary>Puts every register entry in its home slot (before calls: all registers are caller-saved).</summary>
    public void SpillRegisters()
    {
        MaterializeFlags();
        for (int i = 0; i < _height; i++)
        {
            if (_stack[i].Kind == ValueKind.Register)
            {
                Spill(i);
            }
        }
    }

    /// <summary>Copies every lazy read of local <paramref name="index"/> somewhere else before the local changes.</summary>
    public void MaterializeReadersOf(int index)
    {
        for (int i = 0; i < _height; i++)
        {
            ref StackValue v = ref _stack[i];
            if (v.Kind == ValueKind.Local && v.Local == index)
            {
                bool isFloat = InXmm(v.Type);
                if ((isFloat ? _freeXmms : _freeGprs) != 0)
                {
                    Reg r = Allocate(isFloat);
                    LoadLocal(r, v.Type, index);
                    v.Kind = ValueKind.Register;
                    v.Reg = r;
                }
                else
                {
                    StoreEntryTo(i, HomeSlot(i));
                    v.Kind = ValueKind.Home;
                }
            }
        }
    }

    /// <summary>True when the top <paramref name="count"/> entries already sit in the homes from position <paramref name="basePosition"/>.</summary>
    private bool TopIsAt(int count, int basePosition)
    {
        if (_height - count != basePosition)
        {
            return false;
        }
        for (int i = basePosition; i < _height; i++)
        {
            if (_stack[i].Kind != ValueKind.Home)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Copies the top <paramref name="count"/> entries (without popping) to the homes from <paramref name="basePosition"/>.
    /// Destinations never lie above their sources, so ascending order never overwrites a value still to be read.
    /// Uses only movs and the scratch registers: the model is unchanged and the flags survive.
    /// </summary>
    private void MoveTopTo(int count, int basePosition)
    {
        int first = _height - count;
        for (int k = 0; k < count; k++)
        {
            StoreEntryTo(first + k, HomeSlot(basePosition + k));
        }
    }
}
