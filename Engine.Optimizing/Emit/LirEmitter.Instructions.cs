using System.Runtime.Intrinsics;
using Engine.CodeGen.X64;
using Engine.Core;
using Engine.Optimizing.Ir;
using Engine.Optimizing.Lir;

namespace Engine.Optimizing.Emit;

internal sealed partial class LirEmitter
{
    private static OperandSize SizeOf(int size) => (OperandSize)size;

    private static Cond ToCond(IrCond cond) => cond switch
    {
        IrCond.Eq => Cond.Equal,
        IrCond.Ne => Cond.NotEqual,
        IrCond.LtS => Cond.Less,
        IrCond.LtU => Cond.Below,
        IrCond.GtS => Cond.Greater,
        IrCond.GtU => Cond.Above,
        IrCond.LeS => Cond.LessOrEqual,
        IrCond.LeU => Cond.BelowOrEqual,
        IrCond.GeS => Cond.GreaterOrEqual,
        _ => Cond.AboveOrEqual,
    };

    private ref LOperand Op(int inst, int index) => ref _lir.Operand(inst, index);

    private Reg R(int inst, int index) => RegOf(_lir.Operand(inst, index).Loc);

    private Operand Any(int inst, int index) => OperandOf(_lir.Operand(inst, index).Loc);

    /// <summary>The operand in a register: its own, or (a frame slot) loaded into <paramref name="scratch"/>.</summary>
    private Reg InRegister(int inst, int index, Reg scratch)
    {
        int loc = _lir.Operand(inst, index).Loc;
        if (Location.IsRegister(loc))
        {
            return RegOf(loc);
        }
        ParallelMoves.CopyValue(Masm, loc, scratch.IsFloat ? PhysicalRegisters.FirstXmm + scratch.Number : scratch.Number,
            _lir.VRegs[_lir.Operand(inst, index).Reg].Type);
        return scratch;
    }

    private void EmitInst(int i)
    {
        ref LInst inst = ref _lir.Insts[i];
        // Offsets below -1 are positions in inlined code (IrFunction.InlinedPositions), decoded by the artifact builder.
        if (inst.WasmOffset != -1 && inst.WasmOffset != _lastOffset)
        {
            _e.MarkOffset(inst.WasmOffset);
            _e.WasmOffset = inst.WasmOffset;
            _lastOffset = inst.WasmOffset;
        }
        if (inst.T2 != 0 && inst.Op is LOp.Call or LOp.CallIndirect)
        {
            // A call inside a try_table: a failed call continues here too, and its status goes to its slot, where the
            // branch to the landing path reads it (eax is 0 after a call that returned).
            MLabel after = Masm.CreateLabel();
            int statusSlot = inst.T2 - 1;
            _e.CallFailureTarget = after;
            EmitOperation(i);
            _e.CallFailureTarget = null;
            Masm.Bind(after);
            Masm.Store(OperandSize.S32, FunctionEmitter.OutgoingSlot(statusSlot), Reg.Rax);
            return;
        }
        EmitOperation(i);
    }

    private void EmitOperation(int i)
    {
        ref LInst inst = ref _lir.Insts[i];
        switch (inst.Op)
        {
            case LOp.Nop:
            case LOp.Arguments:
                return;
            case LOp.Move:
                ParallelMoves.CopyValue(Masm, Op(i, 1).Loc, Op(i, 0).Loc, MoveType(Op(i, 0).Reg, Op(i, 1).Reg));
                return;
            case LOp.ParallelMove:
                _moves.Clear();
                for (int k = 0; k + 1 < inst.OperandCount; k += 2)
                {
                    _moves.Add(Op(i, k + 1).Loc, Op(i, k).Loc, _lir.VRegs[Op(i, k).Reg].Type);
                }
                _moves.Emit(Masm);
                return;
            case LOp.Const:
                Constant(i);
                return;
            case LOp.LoadArg:
                // The argument (or OSR state) area's address was saved at [rbp - 24] by the prologue; consecutive
                // parameters share one load of it (rax is touched by nothing in between).
                if (!(i > 0 && _lir.Insts[i - 1].Op == LOp.LoadArg && !_movesBefore))
                {
                    Masm.Load(OperandSize.S64, Reg.Rax, new Mem(Reg.Rbp, FunctionEmitter.ArgsPointerOffsetFromRbp));
                }
                LoadValue(R(i, 0), (ValType)inst.Aux, new Mem(Reg.Rax, 8 * (int)inst.Imm));
                return;
            case LOp.Return:
                Return(i);
                return;
            case LOp.Alu:
                Masm.Alu((AluOp)(inst.Aux & 0xFF), SizeOf(inst.Aux >> 8), R(i, 0), Any(i, 1));
                return;
            case LOp.AluImm:
                Masm.AluImm((AluOp)(inst.Aux & 0xFF), SizeOf(inst.Aux >> 8), R(i, 0), (int)inst.Imm);
                return;
            case LOp.Imul:
                Masm.Imul(SizeOf(inst.Aux), R(i, 0), Any(i, 1));
                return;
            case LOp.ImulImm:
                Masm.ImulImm(SizeOf(inst.Aux), R(i, 0), R(i, 1), (int)inst.Imm);
                return;
            case LOp.Shift:
                Masm.ShiftCl((ShiftOp)(inst.Aux & 0xFF), SizeOf(inst.Aux >> 8), R(i, 0));
                return;
            case LOp.ShiftImm:
                Masm.ShiftImm((ShiftOp)(inst.Aux & 0xFF), SizeOf(inst.Aux >> 8), R(i, 0), (int)inst.Imm);
                return;
            case LOp.Lea:
                if ((inst.Aux & (1 << 16)) == 0)
                {
                    Masm.LeaAdd(SizeOf(inst.Aux & 0xFF), R(i, 0), R(i, 1), (int)inst.Imm);
                }
                else
                {
                    Masm.Lea(SizeOf(inst.Aux & 0xFF), R(i, 0), new Mem(R(i, 1), R(i, 2), (inst.Aux >> 8) & 0xFF, (int)inst.Imm));
                }
                return;
            case LOp.Neg:
                Masm.Neg(SizeOf(inst.Aux), R(i, 0));
                return;
            case LOp.DivRem:
                _e.IntDivRem(SizeOf(inst.Aux & 0xFF), (inst.Aux & (1 << 8)) != 0 ? Signedness.Signed : Signedness.Unsigned,
                    (inst.Aux & (1 << 9)) != 0 ? DivRem.Remainder : DivRem.Quotient, R(i, 0), R(i, 1));
                return;
            case LOp.BitCount:
                BitCount(i);
                return;
            case LOp.Extend:
                Extend(i);
                return;
            case LOp.SetCc:
                Masm.Alu(AluOp.Cmp, SizeOf(inst.Aux >> 8), R(i, 1), Any(i, 2));
                Masm.SetCc(ToCond((IrCond)(inst.Aux & 0xFF)), R(i, 0));
                return;
            case LOp.SetCcImm:
                CompareImmediate(i, 1, SizeOf(inst.Aux >> 8), (int)inst.Imm);
                Masm.SetCc(ToCond((IrCond)(inst.Aux & 0xFF)), R(i, 0));
                return;
            case LOp.FloatSetCc:
                FloatSetCc(i);
                return;
            case LOp.Select:
                Select(i);
                return;
            case LOp.FloatBinary:
                {
                    var op = (SseOp)(inst.Aux & 0xFF);
                    OperandSize size = SizeOf(inst.Aux >> 8);
                    int b = Op(i, 1).Loc;
                    if (Location.IsStack(b))
                    {
                        Masm.SseMem(op, size, R(i, 0), SlotOf(b));
                    }
                    else
                    {
                        Masm.Sse(op, size, R(i, 0), RegOf(b));
                    }
                    return;
                }
            case LOp.Load:
                MemoryLoad(i);
                return;
            case LOp.OpWithLoad:
                {
                    Mem at = HeapOperand(i, 1);
                    if ((inst.Imm2 & 2) != 0)
                    {
                        Masm.SseMem((SseOp)(inst.Aux & 0xFF), SizeOf(inst.Aux >> 8), R(i, 0), at);
                    }
                    else if ((inst.Imm2 & 4) != 0)
                    {
                        Masm.Imul(SizeOf(inst.Aux), R(i, 0), Operand.InMemory(at));
                    }
                    else
                    {
                        Masm.Alu((AluOp)(inst.Aux & 0xFF), SizeOf(inst.Aux >> 8), R(i, 0), Operand.InMemory(at));
                    }
                    return;
                }
            case LOp.Store:
                MemoryStore(i);
                return;
            case LOp.BoundsCheck:
                _e.HeapBoundsCheck(inst.OperandCount == 0 ? Operand.Immediate(0) : Operand.InRegister(R(i, 0)), (ulong)inst.Imm);
                return;
            case LOp.MemorySize:
                _e.MemorySizeAny(R(i, 0), (uint)inst.Imm);
                return;
            case LOp.HeapAddress:
                {
                    uint memory = (uint)(inst.Aux & 0xFFFFFF);
                    int size = inst.Aux >> 24;
                    bool is64 = _e.Module.Memories[(int)memory].Limits.Is64;
                    Mem at = _e.HeapAddressAny(Operand.InRegister(R(i, 1)), memory, is64, (ulong)inst.Imm, size);
                    Masm.Lea(R(i, 0), at);
                    return;
                }
            case LOp.BoundsLimit:
                Masm.Load(OperandSize.S64, R(i, 0), new Mem(Registers.Vmctx, VMOffsets.MemoryLength));
                Masm.AluImm(AluOp.Sub, OperandSize.S64, R(i, 0), (int)inst.Imm);
                return;
            case LOp.BoundsCheckLimit:
                // The address is an i32 zero-extended: address + end <= length, as address <= length - end (signed).
                Masm.Alu(AluOp.Cmp, OperandSize.S64, R(i, 0), Any(i, 1));
                _e.TrapIf(Cond.Greater, TrapCode.MemoryOutOfBounds);
                return;
            case LOp.GlobalGet:
                _e.GlobalCell(Reg.R11, (uint)inst.Imm);
                LoadValue(R(i, 0), (ValType)inst.Aux, new Mem(Reg.R11, 0));
                return;
            case LOp.GlobalSet:
                _e.GlobalCell(Reg.R11, (uint)inst.Imm);
                StoreValue(new Mem(Reg.R11, 0), (ValType)inst.Aux, R(i, 0));
                return;
            case LOp.TableGet:
                Masm.Load(OperandSize.S64, R(i, 0), _e.TableElement(R(i, 1), (uint)inst.Imm));
                return;
            case LOp.TableSet:
                Masm.Store(OperandSize.S64, _e.TableElement(R(i, 0), (uint)inst.Imm), R(i, 1));
                return;
            case LOp.TableSize:
                _e.TableSize(R(i, 0), (uint)inst.Imm);
                return;
            case LOp.RefFunc:
                _e.LoadFuncRef(R(i, 0), (uint)inst.Imm);
                return;
            case LOp.StoreOut:
                {
                    int loc = Op(i, 0).Loc;
                    ParallelMoves.CopyValue(Masm, loc, Location.Stack(8 * (int)inst.Imm), (ValType)inst.Aux);
                    return;
                }
            case LOp.StoreOutImm:
                Masm.StoreImm(OperandSize.S64, FunctionEmitter.OutgoingSlot((int)inst.Imm), inst.Imm2);
                return;
            case LOp.LoadOut:
                LoadValue(R(i, 0), (ValType)inst.Aux, FunctionEmitter.OutgoingSlot((int)inst.Imm));
                return;
            case LOp.Call when inst.Imm2 != 0:
                RegisterCall(i);
                return;
            case LOp.Call:
                _e.LoadFuncRef(Reg.Rdx, (uint)inst.Imm);
                _e.EmitCallFuncRef(sameInstance: inst.Aux != 0, LiveReferenceSlots(i));
                return;
            case LOp.CallIndirect when inst.Aux != 0:
                RegisterCall(i);
                return;
            case LOp.CallIndirect:
                {
                    // The index may be in rdx or a frame slot: rdx holds nothing else here (a call clobbers it).
                    Reg index = InRegister(i, 0, Reg.Rdx);
                    if (inst.Imm2 == Ir.IrBuilder.CallRefTable)
                    {
                        // call_ref: the operand is the function reference.
                        Masm.Test(OperandSize.S64, index, index);
                        _e.TrapIf(Cond.Equal, TrapCode.NullFunctionReference);
                        Masm.Mov(OperandSize.S64, Reg.Rdx, index);
                        _e.EmitCallFuncRef(sameInstance: false, LiveReferenceSlots(i));
                        return;
                    }
                    int[] liveSlots = LiveReferenceSlots(i);
                    _e.LoadIndirectCallee(index, (uint)inst.Imm, (uint)inst.Imm2, liveSlots);
                    _e.EmitCallFuncRef(sameInstance: false, liveSlots);
                    return;
                }
            case LOp.ReturnCall or LOp.ReturnCallIndirect when inst.Imm2 == InstructionSelector.RegisterTailCall:
                RegisterTailCall(i);
                return;
            case LOp.ReturnCall:
                _e.LoadFuncRef(Reg.Rdx, (uint)inst.Imm);
                _e.EmitTailCall((int)inst.Imm2, sameInstance: inst.Aux != 0, TailCallArgumentRegisters(_f.Module.FunctionType((uint)inst.Imm)));
                return;
            case LOp.ReturnCallIndirect:
                {
                    Reg index = InRegister(i, 0, Reg.Rdx);
                    if (inst.Aux == Ir.IrBuilder.CallRefTable)
                    {
                        // return_call_ref: the operand is the function reference.
                        Masm.Test(OperandSize.S64, index, index);
                        _e.TrapIf(Cond.Equal, TrapCode.NullFunctionReference);
                        Masm.Mov(OperandSize.S64, Reg.Rdx, index);
                    }
                    else
                    {
                        _e.LoadIndirectCallee(index, (uint)inst.Imm, (uint)inst.Aux, LiveReferenceSlots(i));
                    }
                    _e.EmitTailCall((int)inst.Imm2, sameInstance: false, TailCallArgumentRegisters(_f.Module.Types[(int)inst.Imm]));
                    return;
                }
            case LOp.CallBuiltin:
                _e.EmitBuiltinCall((BuiltinId)inst.Imm, LiveReferenceSlots(i), inst.Aux);
                if (inst.Imm2 == 1)
                {
                    _e.EmitStatusCheck();
                }
                else if (inst.Imm2 == 3)
                {
                    // A throw: status 1 in eax; the block's terminator goes on (to a landing path, or Unwind).
                }
                else
                {
                    // Imm2 2: an i64 result (memory.grow and table.grow of 64-bit ones), all of rax.
                    Masm.Store(inst.Imm2 == 2 ? OperandSize.S64 : OperandSize.S32, FunctionEmitter.OutgoingSlot(0), Reg.Rax);
                }
                return;
            case LOp.RootRef:
                RootRef(i);
                return;
            case LOp.InterruptCheck:
                _e.EmitInterruptChecks(LiveReferenceSlots(i), this);
                return;
            case LOp.Jump:
                JumpTo(inst.T1);
                return;
            case LOp.Branch:
                Masm.Test(OperandSize.S32, R(i, 0), R(i, 0));
                Branch(Cond.NotEqual, inst.T1, inst.T2);
                return;
            case LOp.CmpBranch:
                Masm.Alu(AluOp.Cmp, SizeOf(inst.Aux >> 8), R(i, 0), Any(i, 1));
                Branch(ToCond((IrCond)(inst.Aux & 0xFF)), inst.T1, inst.T2);
                return;
            case LOp.CmpImmBranch:
                CompareImmediate(i, 0, SizeOf(inst.Aux >> 8), (int)inst.Imm);
                Branch(ToCond((IrCond)(inst.Aux & 0xFF)), inst.T1, inst.T2);
                return;
            case LOp.FloatCmpBranch:
                FloatBranch(i);
                return;
            case LOp.BrTable:
                BrTable(i);
                return;
            case LOp.Trap:
                _e.Trap((TrapCode)inst.Aux);
                return;
            case LOp.Unwind:
                Masm.MovImm(OperandSize.S32, Reg.Rax, 1);
                Masm.Jump(_e.Epilogue);
                return;
            case LOp.Wasm:
                Wasm(i);
                return;
            default:
                throw new InvalidOperationException($"optimizing: no emission for {inst.Op}");
        }
    }

    // ---- values ----

    /// <summary>The width a move copies: a vector's when either side is one (a float lane taken out of a vector in place).</summary>
    private ValType MoveType(int dst, int src)
    {
        ValType d = dst >= PhysicalRegisters.Count ? _lir.VRegs[dst].Type : ValType.Bottom;
        ValType s = src >= PhysicalRegisters.Count ? _lir.VRegs[src].Type : ValType.Bottom;
        if (d == ValType.V128 || s == ValType.V128)
        {
            return ValType.V128;
        }
        return d != ValType.Bottom ? d : s;
    }

    /// <summary>dst = a value of <paramref name="type"/> from memory (integers and references by their width).</summary>
    private void LoadValue(Reg dst, ValType type, Mem src) => MoveValue(type, dst, src, load: true);

    /// <summary>A value of <paramref name="type"/> to memory (integers and references by their width).</summary>
    private void StoreValue(Mem dst, ValType type, Reg src) => MoveValue(type, src, dst, load: false);

    /// <summary>
    /// Loads <paramref name="reg"/> from <paramref name="mem"/> or stores it there, by the type's kind and width: one
    /// switch for both directions, so a value is always read back with the width it was written with.
    /// </summary>
    private void MoveValue(ValType type, Reg reg, Mem mem, bool load)
    {
        switch (type)
        {
            case ValType.F32 or ValType.F64:
                OperandSize floatSize = type == ValType.F32 ? OperandSize.S32 : OperandSize.S64;
                if (load)
                {
                    Masm.LoadF(floatSize, reg, mem);
                }
                else
                {
                    Masm.StoreF(floatSize, mem, reg);
                }
                break;
            case ValType.V128:
                if (load)
                {
                    Masm.LoadV(reg, mem);
                }
                else
                {
                    Masm.StoreV(mem, reg);
                }
                break;
            default:
                OperandSize size = type == ValType.I32 ? OperandSize.S32 : OperandSize.S64;
                if (load)
                {
                    Masm.Load(size, reg, mem);
                }
                else
                {
                    Masm.Store(size, mem, reg);
                }
                break;
        }
    }

    private void Constant(int i)
    {
        ref LInst inst = ref _lir.Insts[i];
        var type = (ValType)inst.Aux;
        Reg dst = R(i, 0);
        switch (type)
        {
            case ValType.F32:
                _e.LoadFloatConst(dst, OperandSize.S32, inst.Imm);
                break;
            case ValType.F64:
                _e.LoadFloatConst(dst, OperandSize.S64, inst.Imm);
                break;
            case ValType.V128:
                {
                    Vector128<long> bits = _f.V128Constants[(int)inst.Imm].AsInt64();
                    _e.LoadV128Const(dst, bits.GetElement(0), bits.GetElement(1));
                    break;
                }
            case ValType.I32:
                Masm.MovImm(OperandSize.S32, dst, (uint)inst.Imm);
                break;
            default:
                Masm.MovImm(OperandSize.S64, dst, inst.Imm);
                break;
        }
    }

    /// <summary>
    /// A register call (<see cref="RegisterConvention"/>): through the callee's register entry, or, while it has none,
    /// its native entry with the argument registers stored to the outgoing area and the result loaded back.
    /// </summary>
    private void RegisterCall(int i)
    {
        ref LInst inst = ref _lir.Insts[i];
        bool indirect = inst.Op == LOp.CallIndirect;
        FuncType type = indirect ? _f.Module.Types[(int)inst.Imm] : _f.Module.FunctionType((uint)inst.Imm);
        int first = indirect ? 1 : 0;
        var args = new Reg[type.Params.Length];
        for (int k = 0; k < args.Length; k++)
        {
            args[k] = RegOf(Op(i, first + k).Loc);
        }
        ValType[] paramTypes = type.Params;
        ValType[] results = type.Results;
        Action storeArguments = () =>
        {
            for (int k = 0; k < args.Length; k++)
            {
                StoreValue(FunctionEmitter.OutgoingSlot(k), paramTypes[k], args[k]);
            }
        };
        Action loadResults = () =>
        {
            if (results.Length == 1)
            {
                LoadValue(RegOf(RegisterConvention.ResultRegister(results[0])), results[0], FunctionEmitter.OutgoingSlot(0));
            }
        };
        if (indirect)
        {
            // rax is free until the callee is loaded: the index goes there when the allocator left it in a frame slot.
            Reg index = InRegister(i, 0, Reg.Rax);
            _e.EmitRegisterCallIndirect(index, (uint)inst.Imm, (uint)inst.Imm2, LiveReferenceSlots(i), storeArguments, loadResults);
            return;
        }
        _e.EmitRegisterCall((uint)inst.Imm, LiveReferenceSlots(i), storeArguments, loadResults);
    }

    /// <summary>
    /// A tail call from a register frame with its arguments in the register convention's registers (operands from 0, after
    /// the index of a <c>return_call_indirect</c>): a jump to the callee's register entry, or while it has none the call
    /// left to the caller with the arguments stored to the outgoing area.
    /// </summary>
    private void RegisterTailCall(int i)
    {
        ref LInst inst = ref _lir.Insts[i];
        bool indirect = inst.Op == LOp.ReturnCallIndirect;
        FuncType type = indirect ? _f.Module.Types[(int)inst.Imm] : _f.Module.FunctionType((uint)inst.Imm);
        int first = indirect ? 1 : 0;
        var args = new Reg[type.Params.Length];
        for (int k = 0; k < args.Length; k++)
        {
            args[k] = RegOf(Op(i, first + k).Loc);
        }
        ValType[] paramTypes = type.Params;
        Action storeArguments = () =>
        {
            for (int k = 0; k < args.Length; k++)
            {
                StoreValue(FunctionEmitter.OutgoingSlot(k), paramTypes[k], args[k]);
            }
        };
        if (indirect)
        {
            // rax is free until the callee is loaded: the index goes there when the allocator left it in a frame slot.
            Reg index = InRegister(i, 0, Reg.Rax);
            _e.LoadIndirectCallee(index, (uint)inst.Imm, (uint)inst.Aux, LiveReferenceSlots(i), Reg.R11);
            _e.EmitRegisterTailCall(Reg.R11, sameInstance: false, args.Length, storeArguments);
            return;
        }
        _e.LoadFuncRef(Reg.Rax, (uint)inst.Imm);
        _e.EmitRegisterTailCall(Reg.Rax, sameInstance: true, args.Length, storeArguments);
    }

    /// <summary>
    /// For a tail call from a register frame to a callee of type <paramref name="callee"/> that fits the register convention:
    /// the loads of its arguments from the outgoing area into the convention's registers (for a jump to its register entry);
    /// else null (a native frame, or a callee type outside the convention: <see cref="FunctionEmitter.EmitTailCall"/>).
    /// </summary>
    private Action? TailCallArgumentRegisters(FuncType callee)
    {
        if (!_lir.RegisterEntry || !RegisterConvention.Fits(callee))
        {
            return null;
        }
        ValType[] paramTypes = callee.Params;
        var regs = new int[paramTypes.Length];
        RegisterConvention.ArgumentRegisters(callee, regs);
        return () =>
        {
            for (int k = 0; k < regs.Length; k++)
            {
                LoadValue(RegOf(regs[k]), paramTypes[k], FunctionEmitter.OutgoingSlot(k));
            }
        };
    }

    /// <summary>The native adapters of a register frame, after a normal return: the result from its register to the area at r11.</summary>
    private void StoreResultRegister()
    {
        ValType[] results = _f.Type.Results;
        if (results.Length == 1)
        {
            StoreValue(new Mem(Reg.R11, 0), results[0], RegOf(RegisterConvention.ResultRegister(results[0])));
        }
    }

    /// <summary>The native entry of a function with a register entry: loads the arguments from the argument area (rsi) into their registers.</summary>
    private void LoadArgumentRegisters()
    {
        FuncType type = _f.Type;
        Span<int> regs = stackalloc int[type.Params.Length];
        RegisterConvention.ArgumentRegisters(type, regs);
        int last = -1;
        for (int k = 0; k < regs.Length; k++)
        {
            if (regs[k] == PhysicalRegisters.Rsi)
            {
                last = k;
                continue;
            }
            LoadValue(RegOf(regs[k]), type.Params[k], new Mem(Reg.Rsi, 8 * k));
        }
        if (last >= 0)
        {
            // rsi is the area's address: its own argument last.
            LoadValue(Reg.Rsi, type.Params[last], new Mem(Reg.Rsi, 8 * last));
        }
    }

    private void Return(int i)
    {
        ref LInst inst = ref _lir.Insts[i];
        if (inst.Imm2 != 0)
        {
            // A register frame: the result stays in its register (the native adapters store it to the area).
            Masm.MovImm(OperandSize.S32, Reg.Rax, 0);
            _e.EmitReturn();
            return;
        }
        if (inst.OperandCount > 0)
        {
            // r11 = the argument area; results from slot 0.
            Masm.Load(OperandSize.S64, Reg.R11, new Mem(Reg.Rbp, FunctionEmitter.ArgsPointerOffsetFromRbp));
            int slot = 0;
            for (int k = 0; k < inst.OperandCount; k++)
            {
                ref LOperand o = ref Op(i, k);
                ValType type = _lir.VRegs[o.Reg].Type;
                Mem at = new(Reg.R11, 8 * slot);
                if (Location.IsRegister(o.Loc))
                {
                    StoreValue(at, type, RegOf(o.Loc));
                }
                else
                {
                    for (int offset = 0; offset < (type == ValType.V128 ? 16 : 8); offset += 8)
                    {
                        Masm.Load(OperandSize.S64, Reg.Rax, SlotOf(o.Loc).Plus(offset));
                        Masm.Store(OperandSize.S64, at.Plus(offset), Reg.Rax);
                    }
                }
                slot += type == ValType.V128 ? 2 : 1;
            }
        }
        Masm.MovImm(OperandSize.S32, Reg.Rax, 0);
        _e.EmitReturn();
    }

    private void BitCount(int i)
    {
        ref LInst inst = ref _lir.Insts[i];
        OperandSize size = SizeOf(inst.Aux);
        Reg r = R(i, 0);
        switch (inst.Imm)
        {
            case 0:
                _e.CountLeadingZeros(size, r);
                break;
            case 1:
                _e.CountTrailingZeros(size, r);
                break;
            default:
                Masm.Popcnt(size, r, r);
                break;
        }
    }

    private void Extend(int i)
    {
        ref LInst inst = ref _lir.Insts[i];
        OperandSize to = SizeOf(inst.Aux);
        Reg dst = R(i, 0);
        int src = Op(i, 1).Loc;
        if (inst.Imm == 0)
        {
            // Zero-extension of the low 32 bits (i64.extend_i32_u, i32.wrap_i64).
            if (Location.IsStack(src))
            {
                Masm.Load(OperandSize.S32, dst, SlotOf(src));
            }
            else
            {
                Masm.ZeroExtend32(dst, RegOf(src));
            }
            return;
        }
        OperandSize from = inst.Imm switch { 8 => OperandSize.S8, 16 => OperandSize.S16, _ => OperandSize.S32 };
        if (Location.IsStack(src))
        {
            Masm.LoadExtend(dst, SlotOf(src), from, Signedness.Signed, to);
        }
        else
        {
            Masm.SignExtend(dst, RegOf(src), from, to);
        }
    }

    private void CompareImmediate(int i, int operand, OperandSize size, int imm)
    {
        int loc = Op(i, operand).Loc;
        if (Location.IsStack(loc))
        {
            Masm.CmpMemImm(size, SlotOf(loc), imm);
        }
        else
        {
            Masm.AluImm(AluOp.Cmp, size, RegOf(loc), imm);
        }
    }

    /// <summary>
    /// A float comparison: sets the flags and returns the condition true exactly when the relation holds, or for eq
    /// and ne (which need the parity flag too) returns Equal / NotEqual with <paramref name="parityMatters"/> set.
    /// </summary>
    private Cond FloatCompare(IrCond relation, OperandSize size, Reg a, Reg b, out bool parityMatters)
    {
        parityMatters = false;
        switch (relation)
        {
            case IrCond.Eq:
            case IrCond.Ne:
                Masm.Ucomi(size, a, b);
                parityMatters = true;
                return relation == IrCond.Eq ? Cond.Equal : Cond.NotEqual;
            default:
                return _e.FloatOrderCompare(ToCond(relation), size, a, b);
        }
    }

    private void FloatSetCc(int i)
    {
        ref LInst inst = ref _lir.Insts[i];
        var relation = (IrCond)(inst.Aux & 0xFF);
        Cond cond = FloatCompare(relation, SizeOf(inst.Aux >> 8), R(i, 1), R(i, 2), out bool parity);
        if (parity)
        {
            _e.FloatEqualityFromFlags(cond, R(i, 0));
        }
        else
        {
            Masm.SetCc(cond, R(i, 0));
        }
    }

    private void FloatBranch(int i)
    {
        ref LInst inst = ref _lir.Insts[i];
        var relation = (IrCond)(inst.Aux & 0xFF);
        Cond cond = FloatCompare(relation, SizeOf(inst.Aux >> 8), R(i, 0), R(i, 1), out bool parity);
        if (!parity)
        {
            Branch(cond, inst.T1, inst.T2);
            return;
        }
        // Unordered (parity) makes eq false and ne true.
        int whenUnordered = cond == Cond.Equal ? inst.T2 : inst.T1;
        Masm.JumpIf(Cond.Parity, LabelOf(whenUnordered));
        Branch(cond, inst.T1, inst.T2);
    }

    /// <summary>
    /// dst holds the value for a true condition; it becomes the other value when the condition is false. The
    /// condition (Imm2): 0 a != 0; 1 a cond b; 2 a cond Imm; 3 floats a cond b.
    /// </summary>
    private void Select(int i)
    {
        ref LInst inst = ref _lir.Insts[i];
        var relation = (IrCond)(inst.Aux & 0xFF);
        OperandSize compareSize = SizeOf((inst.Aux >> 8) & 0xF);
        OperandSize valueSize = SizeOf((inst.Aux >> 12) & 0xF);
        bool xmm = (inst.Aux & (1 << 16)) != 0;
        Reg dst = R(i, 0);
        Reg other = R(i, 1);
        Cond whenTrue;
        switch (inst.Imm2)
        {
            case 0:
                Masm.Test(OperandSize.S32, R(i, 2), R(i, 2));
                whenTrue = Cond.NotEqual;
                break;
            case 1:
                Masm.Alu(AluOp.Cmp, compareSize, R(i, 2), Any(i, 3));
                whenTrue = ToCond(relation);
                break;
            case 2:
                CompareImmediate(i, 2, compareSize, (int)inst.Imm);
                whenTrue = ToCond(relation);
                break;
            default:
                {
                    Cond cond = FloatCompare(relation, compareSize, R(i, 2), R(i, 3), out bool parity);
                    if (parity)
                    {
                        // eq/ne as 0/1 in rax, then tested.
                        _e.FloatEqualityFromFlags(cond, Reg.Rax);
                        Masm.Test(OperandSize.S32, Reg.Rax, Reg.Rax);
                        whenTrue = Cond.NotEqual;
                    }
                    else
                    {
                        whenTrue = cond;
                    }
                    break;
                }
        }
        if (xmm)
        {
            MLabel keep = Masm.CreateLabel();
            Masm.JumpIf(whenTrue, keep);
            Masm.MovF(dst, other);
            Masm.Bind(keep);
        }
        else
        {
            Masm.CMov(whenTrue.Negate(), valueSize, dst, other);
        }
    }

    private void BrTable(int i)
    {
        ref LInst inst = ref _lir.Insts[i];
        Reg index = R(i, 0);
        int count = inst.Aux - 1;
        int defaultTarget = _lir.Data[inst.Imm2 + count];
        if (count == 0)
        {
            JumpTo(defaultTarget);
            return;
        }
        var targets = new MLabel[count];
        for (int k = 0; k < count; k++)
        {
            targets[k] = LabelOf(_lir.Data[inst.Imm2 + k]);
        }
        Masm.AluImm(AluOp.Cmp, OperandSize.S32, index, count);
        Masm.JumpIf(Cond.AboveOrEqual, LabelOf(defaultTarget));
        MLabel table = Masm.CreateLabel();
        Masm.JumpThroughTable(table, index, Reg.R11, Reg.Rax);
        Masm.EmitJumpTable(table, targets);
    }

    private void RootRef(int i)
    {
        // The reference goes to outgoing slot 0 (the builtin's argument, and where the result is read from).
        ParallelMoves.CopyValue(Masm, Op(i, 0).Loc, PhysicalRegisters.Rax, ValType.ExternRef);
        Masm.Store(OperandSize.S64, FunctionEmitter.OutgoingSlot(0), Reg.Rax);
        MLabel skip = Masm.CreateLabel();
        Masm.Test(OperandSize.S64, Reg.Rax, Reg.Rax);
        Masm.JumpIf(Cond.Equal, skip);
        _e.EmitBuiltinCall(BuiltinId.RootExternRef, LiveReferenceSlots(i), 1);
        _e.EmitStatusCheck();
        Masm.Bind(skip);
    }

    // ---- memory ----

    /// <summary>The address operand of a load or store: [r15 + address + offset] (or the constant address's).</summary>
    private Mem HeapOperand(int i, int addressOperand)
    {
        ref LInst inst = ref _lir.Insts[i];
        if ((inst.Imm2 & 8) != 0)
        {
            // Any memory but a 32-bit memory 0: the operand is the checked host address (LOp.HeapAddress).
            return new Mem(R(i, addressOperand), 0);
        }
        if ((inst.Imm2 & 1) != 0)
        {
            // A constant address: Imm is the address plus the offset (checked before; up to 2^33).
            return inst.Imm <= int.MaxValue ? new Mem(Registers.MemoryBase, (int)inst.Imm) : LargeConstantAddress(inst.Imm);
        }
        return _e.HeapOperand(Operand.InRegister(R(i, addressOperand)), (uint)inst.Imm);
    }

    /// <summary>A constant address above 4 GiB (a constant address plus an offset; the bounds check traps before use).</summary>
    private Mem LargeConstantAddress(long at)
    {
        Masm.MovImm(OperandSize.S64, Reg.R11, at);
        return new Mem(Registers.MemoryBase, Reg.R11, 1, 0);
    }

    private void MemoryLoad(int i)
    {
        ref LInst inst = ref _lir.Insts[i];
        var opcode = (Opcode)(inst.Aux & 0xFFFF);
        int lane = inst.Aux >> 16;
        Reg dst = R(i, 0);
        Mem at = HeapOperand(i, 1);
        switch (opcode)
        {
            case Opcode.I32Load: Masm.Load(OperandSize.S32, dst, at); return;
            case Opcode.I64Load: Masm.Load(OperandSize.S64, dst, at); return;
            case Opcode.F32Load: Masm.LoadF(OperandSize.S32, dst, at); return;
            case Opcode.F64Load: Masm.LoadF(OperandSize.S64, dst, at); return;
            case Opcode.I32Load8S: Masm.LoadExtend(dst, at, OperandSize.S8, Signedness.Signed, OperandSize.S32); return;
            case Opcode.I32Load8U: Masm.LoadExtend(dst, at, OperandSize.S8, Signedness.Unsigned, OperandSize.S32); return;
            case Opcode.I32Load16S: Masm.LoadExtend(dst, at, OperandSize.S16, Signedness.Signed, OperandSize.S32); return;
            case Opcode.I32Load16U: Masm.LoadExtend(dst, at, OperandSize.S16, Signedness.Unsigned, OperandSize.S32); return;
            case Opcode.I64Load8S: Masm.LoadExtend(dst, at, OperandSize.S8, Signedness.Signed, OperandSize.S64); return;
            case Opcode.I64Load8U: Masm.LoadExtend(dst, at, OperandSize.S8, Signedness.Unsigned, OperandSize.S64); return;
            case Opcode.I64Load16S: Masm.LoadExtend(dst, at, OperandSize.S16, Signedness.Signed, OperandSize.S64); return;
            case Opcode.I64Load16U: Masm.LoadExtend(dst, at, OperandSize.S16, Signedness.Unsigned, OperandSize.S64); return;
            case Opcode.I64Load32S: Masm.LoadExtend(dst, at, OperandSize.S32, Signedness.Signed, OperandSize.S64); return;
            case Opcode.I64Load32U: Masm.LoadExtend(dst, at, OperandSize.S32, Signedness.Unsigned, OperandSize.S64); return;
            case Opcode.V128Load8Lane or Opcode.V128Load16Lane or Opcode.V128Load32Lane or Opcode.V128Load64Lane:
                Masm.Insert(FunctionEmitter.LaneAccessSize(opcode), dst, dst, at, lane);
                return;
            default:
                _e.VectorLoad(opcode, dst, at);
                return;
        }
    }

    private void MemoryStore(int i)
    {
        ref LInst inst = ref _lir.Insts[i];
        var opcode = (Opcode)(inst.Aux & 0xFFFF);
        int lane = inst.Aux >> 16;
        bool constant = (inst.Imm2 & 1) != 0;
        int valueOperand = constant ? 0 : 1;
        Reg value = R(i, valueOperand);
        Mem at = HeapOperand(i, 0);
        switch (opcode)
        {
            case Opcode.I32Store or Opcode.I64Store32: Masm.Store(OperandSize.S32, at, value); return;
            case Opcode.I64Store: Masm.Store(OperandSize.S64, at, value); return;
            case Opcode.F32Store: Masm.StoreF(OperandSize.S32, at, value); return;
            case Opcode.F64Store: Masm.StoreF(OperandSize.S64, at, value); return;
            case Opcode.I32Store8 or Opcode.I64Store8: Masm.Store(OperandSize.S8, at, value); return;
            case Opcode.I32Store16 or Opcode.I64Store16: Masm.Store(OperandSize.S16, at, value); return;
            case Opcode.V128Store: Masm.StoreV(at, value); return;
            default:
                Masm.Extract(FunctionEmitter.LaneAccessSize(opcode), at, value, lane);
                return;
        }
    }
}
