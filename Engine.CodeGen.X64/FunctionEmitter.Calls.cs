using Engine.Core;

namespace Engine.CodeGen.X64;

public sealed partial class FunctionEmitter
{
    // ---- builtins and the exit frame ----

    /// <summary>
    /// Calls builtin <paramref name="id"/> (C#, through the table at <c>[vmctx + Builtins]</c>): saves the compiler's
    /// caller-saved values, records the exit frame (rbp and the return address, so the builtin can walk the compiled
    /// frames), passes the VMContext in rdi and the first <paramref name="outgoingArguments"/> slots of the outgoing
    /// area in rsi, rdx, rcx, r8, r9 (with 0, the caller has put the arguments in those registers), calls, records a
    /// safepoint at the return address listing <paramref name="liveSlots"/>, and restores the caller-saved values.
    /// The result (or status) is in eax. Clobbers every caller-saved register.
    /// </summary>
    public void EmitBuiltinCall(BuiltinId id, int[] liveSlots, int outgoingArguments = 0) =>
        EmitBuiltinCall(id, liveSlots, outgoingArguments, _callerSaved);

    /// <summary>
    /// <see cref="EmitBuiltinCall(BuiltinId, int[], int)"/> saving and restoring <paramref name="keep"/> around the call
    /// instead of the compiler's caller-saved values.
    /// </summary>
    public void EmitBuiltinCall(BuiltinId id, int[] liveSlots, int outgoingArguments, ICallerSavedValues? keep)
    {
        _callerSaved = keep;
        try
        {
            EmitBuiltinCallSaving(id, liveSlots, outgoingArguments);
        }
        finally
        {
            _callerSaved = _compilerCallerSaved;
        }
    }

    private void EmitBuiltinCallSaving(BuiltinId id, int[] liveSlots, int outgoingArguments)
    {
        _callerSaved?.SaveBeforeCall();
        EmitRecordExitFrame(out MLabel returnAddress);
        Masm.Mov(OperandSize.S64, Reg.Rdi, Registers.Vmctx);
        for (int i = 0; i < outgoingArguments; i++)
        {
            Masm.Load(OperandSize.S64, Registers.Arguments[i + 1], OutgoingSlot(i));
        }
        if (Builtins.TakesOutgoingArea(id))
        {
            Masm.Mov(OperandSize.S64, Registers.Arguments[outgoingArguments + 1], Reg.Rsp);
        }
        Masm.Load(OperandSize.S64, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.Builtins));
        Masm.CallMem(new Mem(Reg.Rax, 8 * (int)id));
        Masm.Bind(returnAddress);
        RecordSafepoint(liveSlots);
        // Reloading with movs keeps eax (the result or status) and the flags. (Without any, the label binds
        // to what the caller emits next: it always emits something.)
        _callerSaved?.RestoreAfterCall();
    }

    /// <summary>Stores rbp and the return address of the next call in the store context (the exit frame). Clobbers rax, r11.</summary>
    private void EmitRecordExitFrame(out MLabel returnAddress)
    {
        returnAddress = Masm.CreateLabel();
        Masm.Load(OperandSize.S64, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.StoreContext));
        Masm.Store(OperandSize.S64, new Mem(Reg.Rax, VMOffsets.StoreExitFp), Reg.Rbp);
        Masm.LeaLabel(Reg.R11, returnAddress);
        Masm.Store(OperandSize.S64, new Mem(Reg.Rax, VMOffsets.StoreExitPc), Reg.R11);
    }

    // ---- calls through VMFuncRef ----

    /// <summary>dst = the VMFuncRef of function <paramref name="functionIndex"/> of this instance.</summary>
    public void LoadFuncRef(Reg dst, uint functionIndex)
    {
        Masm.Load(OperandSize.S64, dst, new Mem(Registers.Vmctx, VMOffsets.Functions));
        Masm.Load(OperandSize.S64, dst, new Mem(dst, 8 * (int)functionIndex));
    }

    /// <summary>
    /// The callee of <c>call_indirect</c>: element <paramref name="index"/> (i32) of table <paramref name="tableIndex"/>,
    /// trapping when it is out of bounds, null, or of another type than <paramref name="typeIndex"/>; the funcref ends
    /// in <paramref name="destination"/> (rdx by default, ready for <see cref="EmitCallFuncRef"/>, or r11). Clobbers rax, r11 and
    /// the destination; <paramref name="index"/> may be any other register, or rax.
    /// When the type is not final (3.0 subtyping) a callee of a declared subtype matches too: a failed exact compare
    /// goes to an out-of-line call of <see cref="BuiltinId.IndirectCallSubtype"/> (a safepoint listing
    /// <paramref name="liveSlots"/>, saving the compiler's caller-saved values), which clobbers every caller-saved
    /// register: for such a type nothing but the index may be live in one (the call that follows clobbers them anyway).
    /// </summary>
    public void LoadIndirectCallee(Reg index, uint typeIndex, uint tableIndex, int[] liveSlots, Reg? destination = null)
    {
        Reg dst = destination ?? Reg.Rdx;
        CheckTableIndex64(index, tableIndex, TrapCode.UndefinedElement);
        TableAddress(Reg.R11, tableIndex);
        Masm.AluMem(AluOp.Cmp, OperandSize.S32, index, new Mem(Reg.R11, VMOffsets.TableLength));
        TrapIf(Cond.AboveOrEqual, TrapCode.UndefinedElement);
        Masm.Load(OperandSize.S64, Reg.R11, new Mem(Reg.R11, VMOffsets.TableElements));
        Masm.Load(OperandSize.S64, Reg.R11, new Mem(Reg.R11, index, 8, 0));
        Masm.Test(OperandSize.S64, Reg.R11, Reg.R11);
        TrapIf(Cond.Equal, TrapCode.UninitializedElement);
        Masm.Load(OperandSize.S64, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.TypeIds));
        Masm.Load(OperandSize.S32, Reg.Rax, new Mem(Reg.Rax, 4 * (int)typeIndex));
        Masm.AluMem(AluOp.Cmp, OperandSize.S32, Reg.Rax, new Mem(Reg.R11, VMOffsets.FuncRefTypeId));
        if (_module.Types[(int)typeIndex].IsFinal)
        {
            TrapIf(Cond.NotEqual, TrapCode.IndirectCallTypeMismatch);
        }
        else
        {
            MLabel slow = Masm.CreateLabel();
            MLabel back = Masm.CreateLabel();
            Masm.JumpIf(Cond.NotEqual, slow);
            Masm.Bind(back);
            int wasmOffset = WasmOffset;
            ICallerSavedValues? keep = _compilerCallerSaved;
            _outOfLine.Add(() =>
            {
                Masm.Bind(slow);
                MarkOffset(wasmOffset);
                WasmOffset = wasmOffset;
                // The arguments go in rsi and edx after the compiler's values are saved (it may keep some there) and
                // before the exit frame is recorded (which clobbers rax and r11, the callee).
                EmitBuiltinCall(BuiltinId.IndirectCallSubtype, liveSlots, 0, new ThenLoad(keep, Masm, typeIndex));
                Masm.Test(OperandSize.S64, Reg.Rax, Reg.Rax);
                TrapIf(Cond.Equal, TrapCode.IndirectCallTypeMismatch);
                Masm.Mov(OperandSize.S64, Reg.R11, Reg.Rax);
                Masm.Jump(back);
            });
        }
        if (dst != Reg.R11)
        {
            Masm.Mov(OperandSize.S64, dst, Reg.R11);
        }
    }

    /// <summary>
    /// Saves <see cref="_keep"/>'s values, then loads the arguments of <see cref="BuiltinId.IndirectCallSubtype"/>: rsi = the
    /// callee (r11), edx = the type index.
    /// </summary>
    private sealed class ThenLoad(ICallerSavedValues? keep, MacroAssembler masm, uint typeIndex) : ICallerSavedValues
    {
        private readonly ICallerSavedValues? _keep = keep;

        public void SaveBeforeCall()
        {
            _keep?.SaveBeforeCall();
            masm.Mov(OperandSize.S64, Reg.Rsi, Reg.R11);
            masm.MovImm(OperandSize.S32, Reg.Rdx, (int)typeIndex);
        }

        public void RestoreAfterCall() => _keep?.RestoreAfterCall();
    }

    /// <summary>
    /// Calls the function whose VMFuncRef is in rdx, with the native signature of tiers.md section 4: rdi = its vmctx
    /// (ours when <paramref name="sameInstance"/>: a function defined by this module), rsi = the outgoing area, which
    /// holds the arguments (slots from 0) and receives the results. Saves and restores the compiler's caller-saved
    /// values, records a safepoint listing <paramref name="liveSlots"/>, and propagates a non-zero status to the
    /// epilogue. Clobbers every caller-saved register.
    /// </summary>
    public void EmitCallFuncRef(bool sameInstance, int[] liveSlots)
    {
        _callerSaved?.SaveBeforeCall();
        if (sameInstance)
        {
            Masm.Mov(OperandSize.S64, Reg.Rdi, Registers.Vmctx);
        }
        else
        {
            Masm.Load(OperandSize.S64, Reg.Rdi, new Mem(Reg.Rdx, VMOffsets.FuncRefVmctx));
        }
        Masm.Mov(OperandSize.S64, Reg.Rsi, Reg.Rsp);
        Masm.CallMem(new Mem(Reg.Rdx, VMOffsets.FuncRefNativeCode));
        RecordSafepoint(liveSlots);
        _callerSaved?.RestoreAfterCall();
        EmitCallStatusCheck(liveSlots);
    }

    /// <summary>
    /// The status check after a call of a wasm function: a non-zero status goes to the epilogue, except
    /// <see cref="Builtins.TailCallPending"/> (the callee ended in a tail call it left to us), on which an out-of-line path
    /// runs that call through <see cref="BuiltinId.RunTailCall"/>, with the results into the outgoing area, then
    /// <paramref name="loadResults"/> (a register call: the results from the outgoing area to their registers; moves
    /// only), and comes back.
    /// </summary>
    private void EmitCallStatusCheck(int[] liveSlots, Action? loadResults = null)
    {
        MLabel slow = Masm.CreateLabel();
        MLabel back = Masm.CreateLabel();
        MLabel failed = CallFailureTarget ?? Epilogue;
        Masm.Test(OperandSize.S32, Reg.Rax, Reg.Rax);
        Masm.JumpIf(Cond.NotEqual, slow);
        Masm.Bind(back);
        int wasmOffset = WasmOffset;
        ICallerSavedValues? keep = _callerSaved;
        _outOfLine.Add(() =>
        {
            Masm.Bind(slow);
            MarkOffset(wasmOffset);
            Masm.AluImm(AluOp.Cmp, OperandSize.S32, Reg.Rax, Builtins.TailCallPending);
            Masm.JumpIf(Cond.NotEqual, failed);
            Masm.Mov(OperandSize.S64, Reg.Rsi, Reg.Rsp);
            EmitBuiltinCall(BuiltinId.RunTailCall, liveSlots, 0, keep);
            Masm.Test(OperandSize.S32, Reg.Rax, Reg.Rax);
            Masm.JumpIf(Cond.NotEqual, failed);
            loadResults?.Invoke();
            Masm.Jump(back);
        });
    }

    /// <summary>
    /// Where a call of a wasm function (and a <c>throw</c>) continues when its status says an exception or trap is pending,
    /// with the status in eax: null, the default, is the epilogue (the status propagates to the caller). A compiler sets it
    /// around the calls inside a <c>try_table</c>: the baseline to the try_table's landing pad, the optimizing tier to a
    /// label right after the call, where it keeps the status for its own branch (tiers.md, *Exceptions*).
    /// </summary>
    public MLabel? CallFailureTarget { get; set; }

    /// <summary>
    /// A tail call (<c>return_call</c>, <c>return_call_indirect</c>, <c>return_call_ref</c>) of the function whose VMFuncRef
    /// is in rdx, its <paramref name="argumentSlots"/> argument slots in the outgoing area (slots from 0): this frame is
    /// replaced. When the callee is compiled code (its NativeCode is not the exit stub) and its arguments fit this
    /// function's own argument area (max(params, results) of its type: the caller provided that much), the arguments move
    /// there, the frame is torn down and the code jumps to the callee, which returns to our caller: constant native stack.
    /// A <b>register frame</b> (<see cref="UseRegisterFrame"/>) has no argument area and its caller takes the results in
    /// registers: it jumps to the callee's register entry instead, when the callee has one, belongs to this instance
    /// (always when <paramref name="sameInstance"/>) and <paramref name="loadArgumentRegisters"/> is given (the callee's
    /// type fits the register convention; it loads the arguments from the outgoing area into the convention's registers
    /// and may clobber rax and rdx, not r11). Otherwise the call is left to the caller: the VMFuncRef and the arguments go
    /// to the store context and its tail-call area, and the function returns <see cref="Builtins.TailCallPending"/>
    /// (whoever called it runs the callee: a compiled caller's status check, <c>NativeContext.Call</c>), so a chain of
    /// tail calls between tiers nests nothing either. rdi = the callee's vmctx (ours when <paramref name="sameInstance"/>).
    /// Clobbers rax, r11, rdi, rsi (and the argument registers).
    /// </summary>
    public void EmitTailCall(int argumentSlots, bool sameInstance, Action? loadArgumentRegisters = null)
    {
        MLabel leave = Masm.CreateLabel();
        if (_registerFrame)
        {
            if (loadArgumentRegisters is not null)
            {
                if (!sameInstance)
                {
                    Masm.AluMem(AluOp.Cmp, OperandSize.S64, Registers.Vmctx, new Mem(Reg.Rdx, VMOffsets.FuncRefVmctx));
                    Masm.JumpIf(Cond.NotEqual, leave);
                }
                Masm.Load(OperandSize.S64, Reg.R11, new Mem(Reg.Rdx, VMOffsets.FuncRefRegisterCode));
                Masm.Test(OperandSize.S64, Reg.R11, Reg.R11);
                Masm.JumpIf(Cond.Equal, leave);
                loadArgumentRegisters();
                // r14 and r15 are the callee's too; it returns its result in a register to our caller.
                EmitFrameTeardown();
                Masm.JumpTo(Reg.R11);
            }
            EmitPendingTailCall(leave, argumentSlots);
            return;
        }
        FuncType own = _module.FunctionType(_functionIndex);
        int ownArea = Math.Max(FunctionInstance.SlotsOf(own.Params), FunctionInstance.SlotsOf(own.Results));
        if (argumentSlots <= ownArea)
        {
            Masm.Load(OperandSize.S64, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.StoreContext));
            Masm.Load(OperandSize.S64, Reg.Rax, new Mem(Reg.Rax, VMOffsets.StoreExitStub));
            Masm.AluMem(AluOp.Cmp, OperandSize.S64, Reg.Rax, new Mem(Reg.Rdx, VMOffsets.FuncRefNativeCode));
            Masm.JumpIf(Cond.Equal, leave);
            Masm.Load(OperandSize.S64, Reg.R11, new Mem(Reg.Rbp, ArgsPointerOffsetFromRbp));
            for (int i = 0; i < argumentSlots; i++)
            {
                Masm.Load(OperandSize.S64, Reg.Rax, OutgoingSlot(i));
                Masm.Store(OperandSize.S64, new Mem(Reg.R11, 8 * i), Reg.Rax);
            }
            if (sameInstance)
            {
                Masm.Mov(OperandSize.S64, Reg.Rdi, Registers.Vmctx);
            }
            else
            {
                Masm.Load(OperandSize.S64, Reg.Rdi, new Mem(Reg.Rdx, VMOffsets.FuncRefVmctx));
            }
            Masm.Mov(OperandSize.S64, Reg.Rsi, Reg.R11);
            EmitFrameTeardown();
            Masm.JumpMem(new Mem(Reg.Rdx, VMOffsets.FuncRefNativeCode));
        }
        EmitPendingTailCall(leave, argumentSlots);
    }

    /// <summary>
    /// A tail call from a register frame whose arguments are in the register convention's registers already, of the
    /// function whose VMFuncRef is in <paramref name="funcRef"/> (rax or r11; <paramref name="sameInstance"/> when it is
    /// this instance's for sure): when the callee has a register entry and belongs to this instance, the frame is torn
    /// down and the code jumps there (the arguments stay in their registers). Otherwise, out of line,
    /// <paramref name="storeArguments"/> stores the <paramref name="argumentSlots"/> argument slots to the outgoing area
    /// and the call is left to the caller (<see cref="EmitTailCall"/>). Clobbers rax, r11, rdx, rsi, rdi.
    /// </summary>
    public void EmitRegisterTailCall(Reg funcRef, bool sameInstance, int argumentSlots, Action storeArguments)
    {
        if (!_registerFrame || (funcRef != Reg.Rax && funcRef != Reg.R11))
        {
            throw new InvalidOperationException("a register tail call leaves a register frame with its callee in rax or r11");
        }
        Reg target = funcRef == Reg.Rax ? Reg.R11 : Reg.Rax;
        MLabel slow = Masm.CreateLabel();
        if (!sameInstance)
        {
            Masm.AluMem(AluOp.Cmp, OperandSize.S64, Registers.Vmctx, new Mem(funcRef, VMOffsets.FuncRefVmctx));
            Masm.JumpIf(Cond.NotEqual, slow);
        }
        Masm.Load(OperandSize.S64, target, new Mem(funcRef, VMOffsets.FuncRefRegisterCode));
        Masm.Test(OperandSize.S64, target, target);
        Masm.JumpIf(Cond.Equal, slow);
        // r14 and r15 are the callee's too; it returns its result in a register to our caller.
        EmitFrameTeardown();
        Masm.JumpTo(target);
        int wasmOffset = WasmOffset;
        _outOfLine.Add(() =>
        {
            Masm.Bind(slow);
            MarkOffset(wasmOffset);
            storeArguments();
            // After the stores: rdx may hold an argument.
            Masm.Mov(OperandSize.S64, Reg.Rdx, funcRef);
            EmitPendingTailCall(Masm.CreateLabel(), argumentSlots);
        });
    }

    /// <summary>
    /// At <paramref name="leave"/>: leaves the tail call of the VMFuncRef in rdx to the caller (its arguments from the
    /// outgoing area to the tail-call area) and returns <see cref="Builtins.TailCallPending"/>.
    /// </summary>
    private void EmitPendingTailCall(MLabel leave, int argumentSlots)
    {
        Masm.Bind(leave);
        Masm.Load(OperandSize.S64, Reg.R11, new Mem(Registers.Vmctx, VMOffsets.StoreContext));
        Masm.Store(OperandSize.S64, new Mem(Reg.R11, VMOffsets.StorePendingTailCall), Reg.Rdx);
        Masm.Load(OperandSize.S64, Reg.R11, new Mem(Reg.R11, VMOffsets.StoreTailCallArgs));
        for (int i = 0; i < argumentSlots; i++)
        {
            Masm.Load(OperandSize.S64, Reg.Rax, OutgoingSlot(i));
            Masm.Store(OperandSize.S64, new Mem(Reg.R11, 8 * i), Reg.Rax);
        }
        Masm.MovImm(OperandSize.S32, Reg.Rax, Builtins.TailCallPending);
        Masm.Jump(Epilogue);
    }

    /// <summary>
    /// A direct call of function <paramref name="functionIndex"/>, defined by this module, through its register entry
    /// (<c>VMFuncRef.RegisterCode</c>) when its current code has one: the compiler has put the arguments in the registers of
    /// its convention and finds the results in registers after the call. When the callee has no register entry (not yet
    /// optimized), an out-of-line path calls its native entry: <paramref name="storeArguments"/> stores the argument
    /// registers to the outgoing area first, <paramref name="loadResults"/> loads the results into their registers after
    /// (moves only: eax holds the status). Both calls record a safepoint listing <paramref name="liveSlots"/>; a non-zero
    /// status goes to the epilogue, except a tail call the callee left to us (status 2, from either entry), which runs out
    /// of line through <see cref="BuiltinId.RunTailCall"/> before <paramref name="loadResults"/>. Clobbers every
    /// caller-saved register.
    /// </summary>
    public void EmitRegisterCall(uint functionIndex, int[] liveSlots, Action storeArguments, Action loadResults)
    {
        if (functionIndex == _functionIndex && _registerEntry is { } self)
        {
            // The function calls itself (recursion, or the call left in its inlined copy): this code is the callee's, so
            // the call goes straight to the register entry, `call rel32`, with no funcref to load and test.
            Masm.CallLabel(self);
            RecordSafepoint(liveSlots);
            EmitCallStatusCheck(liveSlots, loadResults);
            return;
        }
        MLabel slow = Masm.CreateLabel();
        // call [mem] rather than a load and call reg: measured faster on fib (the loaded target is one more link in
        // the chain of loads the call waits for).
        LoadFuncRef(Reg.Rax, functionIndex);
        Masm.CmpMemImm(OperandSize.S64, new Mem(Reg.Rax, VMOffsets.FuncRefRegisterCode), 0);
        Masm.JumpIf(Cond.Equal, slow);
        EmitRegisterCallTail(Reg.Rax, slow, sameInstance: true, liveSlots, storeArguments, loadResults);
    }

    /// <summary>
    /// <c>call_indirect</c> of a type that fits the register convention: the callee is element <paramref name="index"/> of
    /// table <paramref name="tableIndex"/>, checked as <see cref="LoadIndirectCallee"/> does; when it is a function of this
    /// instance (its VMFuncRef's vmctx is ours) whose code has a register entry, it is called there with the arguments in
    /// the convention's registers, else through its native entry as <see cref="EmitRegisterCall"/>'s out-of-line path
    /// (another instance's function, a host function, code of another tier). <paramref name="index"/> must not be an
    /// argument register (rax is fine). Clobbers every caller-saved register.
    /// </summary>
    public void EmitRegisterCallIndirect(Reg index, uint typeIndex, uint tableIndex, int[] liveSlots, Action storeArguments,
        Action loadResults)
    {
        if (!_module.Types[(int)typeIndex].IsFinal)
        {
            // The arguments are in their registers already: the subtype check's builtin call would clobber them.
            throw new InvalidOperationException("call_indirect of a non-final type never takes the register convention");
        }
        MLabel slow = Masm.CreateLabel();
        LoadIndirectCallee(index, typeIndex, tableIndex, liveSlots, Reg.R11);
        Masm.AluMem(AluOp.Cmp, OperandSize.S64, Registers.Vmctx, new Mem(Reg.R11, VMOffsets.FuncRefVmctx));
        Masm.JumpIf(Cond.NotEqual, slow);
        Masm.CmpMemImm(OperandSize.S64, new Mem(Reg.R11, VMOffsets.FuncRefRegisterCode), 0);
        Masm.JumpIf(Cond.Equal, slow);
        EmitRegisterCallTail(Reg.R11, slow, sameInstance: false, liveSlots, storeArguments, loadResults);
    }

    /// <summary>
    /// The call through the register entry of the VMFuncRef in <paramref name="funcRef"/> (rax or r11), the status check,
    /// and at <paramref name="slow"/> (out of line) the call of its native entry with the arguments stored to and the
    /// results loaded from the outgoing area.
    /// </summary>
    private void EmitRegisterCallTail(Reg funcRef, MLabel slow, bool sameInstance, int[] liveSlots, Action storeArguments,
        Action loadResults)
    {
        MLabel join = Masm.CreateLabel();
        Masm.CallMem(new Mem(funcRef, VMOffsets.FuncRefRegisterCode));
        RecordSafepoint(liveSlots);
        Masm.Bind(join);
        // Either entry may return a tail call left to us (a register frame's or a native callee's, status 2).
        EmitCallStatusCheck(liveSlots, loadResults);
        int wasmOffset = WasmOffset;
        _outOfLine.Add(() =>
        {
            Masm.Bind(slow);
            MarkOffset(wasmOffset);
            // The funcref's register is no argument register: the stores leave it alone.
            storeArguments();
            Masm.Mov(OperandSize.S64, Reg.Rdx, funcRef);
            if (sameInstance)
            {
                Masm.Mov(OperandSize.S64, Reg.Rdi, Registers.Vmctx);
            }
            else
            {
                Masm.Load(OperandSize.S64, Reg.Rdi, new Mem(Reg.Rdx, VMOffsets.FuncRefVmctx));
            }
            Masm.Mov(OperandSize.S64, Reg.Rsi, Reg.Rsp);
            Masm.CallMem(new Mem(Reg.Rdx, VMOffsets.FuncRefNativeCode));
            RecordSafepoint(liveSlots);
            loadResults();
            Masm.Jump(join);
        });
    }

    // ---- the VM: globals, tables, memory ----

    /// <summary>dst = the address of global <paramref name="index"/>'s 16-byte cell.</summary>
    public void GlobalCell(Reg dst, uint index)
    {
        Masm.Load(OperandSize.S64, dst, new Mem(Registers.Vmctx, VMOffsets.Globals));
        Masm.Load(OperandSize.S64, dst, new Mem(dst, 8 * (int)index));
    }

    /// <summary>dst = the address of table <paramref name="tableIndex"/>'s VMTable {Elements, Length, Maximum}.</summary>
    public void TableAddress(Reg dst, uint tableIndex)
    {
        Masm.Load(OperandSize.S64, dst, new Mem(Registers.Vmctx, VMOffsets.Tables));
        Masm.Load(OperandSize.S64, dst, new Mem(dst, 8 * (int)tableIndex));
    }

    /// <summary>
    /// The element <paramref name="index"/> (i32 in a register) of table <paramref name="tableIndex"/>, trapping with
    /// TableOutOfBounds past its length: returns <c>[r11 + index * 8]</c>. Clobbers r11.
    /// </summary>
    public Mem TableElement(Reg index, uint tableIndex)
    {
        CheckTableIndex64(index, tableIndex, TrapCode.TableOutOfBounds);
        TableAddress(Reg.R11, tableIndex);
        Masm.AluMem(AluOp.Cmp, OperandSize.S32, index, new Mem(Reg.R11, VMOffsets.TableLength));
        TrapIf(Cond.AboveOrEqual, TrapCode.TableOutOfBounds);
        Masm.Load(OperandSize.S64, Reg.R11, new Mem(Reg.R11, VMOffsets.TableElements));
        return new Mem(Reg.R11, index, 8, 0);
    }

    /// <summary>dst = table <paramref name="tableIndex"/>'s current length (i32).</summary>
    public void TableSize(Reg dst, uint tableIndex)
    {
        TableAddress(dst, tableIndex);
        Masm.Load(OperandSize.S32, dst, new Mem(dst, VMOffsets.TableLength));
    }

    /// <summary>
    /// For a 64-bit table: traps with <paramref name="code"/> when the i64 <paramref name="index"/> has any of its upper 32
    /// bits set (no table is that long), so the 32-bit compare with the length that follows decides. Clobbers r11.
    /// </summary>
    private void CheckTableIndex64(Reg index, uint tableIndex, TrapCode code)
    {
        if (!_module.Tables[(int)tableIndex].Limits.Is64)
        {
            return;
        }
        Masm.Mov(OperandSize.S64, Reg.R11, index);
        Masm.ShiftImm(ShiftOp.Shr, OperandSize.S64, Reg.R11, 32);
        TrapIf(Cond.NotEqual, code);
    }

    /// <summary>True when memory <paramref name="memoryIndex"/> is memory 0 and 32-bit: the one <see cref="HeapAddress"/> serves.</summary>
    public bool IsMemoryZero32(uint memoryIndex) => memoryIndex == 0 && !_module.Memories[0].Limits.Is64;

    /// <summary>dst = memory <paramref name="memoryIndex"/>'s size in pages (<c>memory.size</c> of any memory).</summary>
    public void MemorySizeAny(Reg dst, uint memoryIndex)
    {
        if (memoryIndex == 0)
        {
            MemorySize(dst);
            return;
        }
        Masm.Load(OperandSize.S64, dst, new Mem(Registers.Vmctx, VMOffsets.Memories));
        Masm.Load(OperandSize.S64, dst, new Mem(dst, 8 * (int)memoryIndex));
        Masm.Load(OperandSize.S64, dst, new Mem(dst, VMOffsets.MemoryDefinitionLength));
        Masm.ShiftImm(ShiftOp.Shr, OperandSize.S64, dst, 16);
    }

    /// <summary>
    /// The operand addressing [address + offset, + size) of any memory (3.0: memories other than 0, 64-bit ones), after an
    /// explicit check that traps with MemoryOutOfBounds when address + offset + size overflows 64 bits or passes the
    /// memory's current length (no guard pages: a 64-bit address reaches past any). Memory 0 uses its pinned base (r15)
    /// and the length at [r14+8]; another memory's base and length come from its <see cref="VMMemory"/> cell. The
    /// returned operand is based on r11 alone (never r15: these accesses are no fault sites). <paramref name="address"/>
    /// is an i32 zero-extended or an i64 in a register, or an immediate (<paramref name="is64"/> says which). Clobbers
    /// rax and r11.
    /// </summary>
    public Mem HeapAddressAny(in Operand address, uint memoryIndex, bool is64, ulong offset, int size)
    {
        Mem length;
        if (memoryIndex == 0)
        {
            length = new Mem(Registers.Vmctx, VMOffsets.MemoryLength);
        }
        else
        {
            Masm.Load(OperandSize.S64, Reg.R11, new Mem(Registers.Vmctx, VMOffsets.Memories));
            Masm.Load(OperandSize.S64, Reg.R11, new Mem(Reg.R11, 8 * (int)memoryIndex));
            length = new Mem(Reg.R11, VMOffsets.MemoryDefinitionLength);
        }
        // rax = address + offset + size, or all ones when that overflows (no memory is that long).
        ulong end = offset + (ulong)size;
        if (address.IsImmediate)
        {
            ulong at = is64 ? (ulong)address.Imm : (uint)address.Imm;
            ulong effectiveEnd = end < offset || at + end < at ? ulong.MaxValue : at + end;
            Masm.MovImm(OperandSize.S64, Reg.Rax, (long)effectiveEnd);
        }
        else if (end < offset)
        {
            Masm.MovImm(OperandSize.S64, Reg.Rax, -1);
        }
        else
        {
            Masm.MovImm(OperandSize.S64, Reg.Rax, (long)end);
            Masm.Alu(AluOp.Add, OperandSize.S64, Reg.Rax, address.Reg);
            if (is64)
            {
                TrapIf(Cond.Below, TrapCode.MemoryOutOfBounds);
            }
        }
        Masm.AluMem(AluOp.Cmp, OperandSize.S64, Reg.Rax, length);
        TrapIf(Cond.Above, TrapCode.MemoryOutOfBounds);
        if (memoryIndex == 0)
        {
            // Not a lea off r15: every r15-based operand is taken for a guarded heap access (a fault site).
            Masm.Mov(OperandSize.S64, Reg.R11, Registers.MemoryBase);
            Masm.Alu(AluOp.Add, OperandSize.S64, Reg.R11, Reg.Rax);
        }
        else
        {
            Masm.Load(OperandSize.S64, Reg.R11, new Mem(Reg.R11, VMOffsets.MemoryDefinitionBase));
            Masm.Alu(AluOp.Add, OperandSize.S64, Reg.R11, Reg.Rax);
        }
        return new Mem(Reg.R11, -size);
    }

    /// <summary>dst = memory 0's size in pages (<c>memory.size</c>).</summary>
    public void MemorySize(Reg dst)
    {
        Masm.Load(OperandSize.S64, dst, new Mem(Registers.Vmctx, VMOffsets.MemoryLength));
        Masm.ShiftImm(ShiftOp.Shr, OperandSize.S64, dst, 16);
    }

    /// <summary>
    /// Traps with MemoryOutOfBounds unless [address, address + <paramref name="end"/>) lies inside memory 0: the check
    /// of <see cref="HeapAddress"/> on its own (end = offset + size), for a compiler that removes the checks an earlier
    /// one already made. <paramref name="address"/> is an i32 zero-extended in a register, or an immediate. Clobbers r11.
    /// </summary>
    public void HeapBoundsCheck(in Operand address, ulong end)
    {
        Mem length = new(Registers.Vmctx, VMOffsets.MemoryLength);
        if (address.IsImmediate)
        {
            ulong effectiveEnd = (uint)address.Imm + end;
            if (effectiveEnd <= int.MaxValue)
            {
                Masm.CmpMemImm(OperandSize.S64, length, (int)effectiveEnd);
                TrapIf(Cond.Below, TrapCode.MemoryOutOfBounds);
                return;
            }
            Masm.MovImm(OperandSize.S64, Reg.R11, (long)effectiveEnd);
        }
        else if (end <= int.MaxValue)
        {
            Masm.Lea(Reg.R11, new Mem(address.Reg, (int)end));
        }
        else
        {
            Masm.MovImm(OperandSize.S64, Reg.R11, (long)end);
            Masm.Alu(AluOp.Add, OperandSize.S64, Reg.R11, address.Reg);
        }
        Masm.AluMem(AluOp.Cmp, OperandSize.S64, Reg.R11, length);
        TrapIf(Cond.Above, TrapCode.MemoryOutOfBounds);
    }

    /// <summary>
    /// The operand addressing memory 0 at <paramref name="address"/> + <paramref name="offset"/> (based on r15), without a
    /// bounds check (<see cref="HeapBoundsCheck"/> made it). Clobbers r11 (which the returned operand may use) when the
    /// offset does not fit a displacement.
    /// </summary>
    public Mem HeapOperand(in Operand address, uint offset)
    {
        if (address.IsImmediate)
        {
            ulong at = (uint)address.Imm + (ulong)offset;
            if (at <= int.MaxValue)
            {
                return new Mem(Registers.MemoryBase, (int)at);
            }
            Masm.MovImm(OperandSize.S64, Reg.R11, (long)at);
            return new Mem(Registers.MemoryBase, Reg.R11, 1, 0);
        }
        if (offset <= int.MaxValue)
        {
            return new Mem(Registers.MemoryBase, address.Reg, 1, (int)offset);
        }
        Masm.MovImm(OperandSize.S64, Reg.R11, offset);
        Masm.Alu(AluOp.Add, OperandSize.S64, Reg.R11, address.Reg);
        return new Mem(Registers.MemoryBase, Reg.R11, 1, 0);
    }

    /// <summary>
    /// The operand addressing [address + offset, + size) of memory 0 (based on r15), trapping with MemoryOutOfBounds
    /// when any byte of it lies outside the memory: with explicit checks (<see cref="CompilerOptions.BoundsChecks"/>) a
    /// compare with the memory's length first; with guard pages nothing when the reservation covers the access
    /// (<see cref="CompilerOptions.GuardCovers"/>: the access faults instead, and <see cref="Finish"/> records it as a
    /// trap site), and the explicit check only for a static offset past the guard region. Every instruction that uses the
    /// returned operand is a heap access (<see cref="MacroAssembler.CollectHeapAccesses"/>). <paramref name="address"/> is
    /// an i32 zero-extended in a register (the convention: an i32 in a register has its upper 32 bits clear), or an
    /// immediate. Clobbers r11 (which the returned operand may use).
    /// </summary>
    public Mem HeapAddress(in Operand address, uint offset, int size)
    {
        ulong end = (ulong)offset + (ulong)size;
        ulong maxAddress = address.IsImmediate ? (uint)address.Imm : uint.MaxValue;
        if (!Options.GuardCovers(maxAddress, end))
        {
            HeapBoundsCheck(address, end);
        }
        return HeapOperand(address, offset);
    }
}
