using Engine.Core;

namespace Engine.Baseline;

/// <summary>An open block of the function: the shared <see cref="ControlFrame"/> and the compiler's labels.</summary>
/// <remarks><see cref="ControlFrame.Height"/>: the stack height below the block's parameters; the label's values live in the homes from there.</remarks>
internal sealed class Control : ControlFrame
{
    /// <summary>The block's end (block, if, function) or header (loop).</summary>
    public MLabel Label;
    /// <summary>An if's branch to its else (or end) while no else was seen.</summary>
    public MLabel ElseLabel;
    public bool HasElse;
    /// <summary>Some branch targets the end label.</summary>
    public bool Branched;
    /// <summary>A <c>try_table</c>: its calls' failures go to its landing pad; at its end they go back to <see cref="OuterFailureTarget"/>.</summary>
    public bool IsTryTable;
    /// <summary>Where failed calls went before the try_table (the enclosing try_table's pad, or null: the epilogue).</summary>
    public MLabel? OuterFailureTarget;
}

internal sealed partial class CodeGen
{
    private Control PushControl(ControlKind kind, ValType[] parameters, ValType[] results)
    {
        Control control = _controls.Push(kind, parameters, results, _height - parameters.Length);
        control.HasElse = false;
        control.Branched = false;
        control.IsTryTable = false;
        return control;
    }

    private Control ControlAt(uint depth) => _controls[depth];

    public int ControlDepth => _controls.Depth;

    private void PushDeadControl() => PushControl(ControlKind.Block, [], []).Dead = true;

    public void Block(BlockType blockType)
    {
        if (_unreachable)
        {
            PushDeadControl();
            return;
        }
        var (parameters, results) = BlockTypes.Resolve(_module, blockType);
        SpillAll();
        Control control = PushControl(ControlKind.Block, parameters, results);
        control.Label = Masm.CreateLabel();
    }

    public void Loop(BlockType blockType, int loopOffset)
    {
        if (_unreachable)
        {
            PushDeadControl();
            return;
        }
        var (parameters, results) = BlockTypes.Resolve(_module, blockType);
        SpillAll();
        Control control = PushControl(ControlKind.Loop, parameters, results);
        control.Label = Masm.CreateLabel();
        Masm.Bind(control.Label);
        if (_options.OsrAllLoops || _options.OsrLoops.Contains(loopOffset))
        {
            AddOsrEntry(loopOffset, control.Label);
        }
        _emitter.EmitTierUpCheck(loopOffset, LiveRefSlots(), StoreCalleeSavedPinned);
        EmitInterruptChecks();
    }

    public void If(BlockType blockType)
    {
        if (_unreachable)
        {
            PushDeadControl();
            return;
        }
        var (parameters, results) = BlockTypes.Resolve(_module, blockType);
        MLabel elseLabel = Masm.CreateLabel();
        if (Peek().Kind == ValueKind.Flags)
        {
            Cond cond = Pop().Condition;
            SpillAll();
            Masm.JumpIf(cond.Negate(), elseLabel);
        }
        else
        {
            Operand c = PopOperand(allowImmediate: false, allowMemory: false);
            Free(c);
            SpillAll();
            Masm.Test(S32, c.Reg, c.Reg);
            Masm.JumpIf(Cond.Equal, elseLabel);
        }
        Control control = PushControl(ControlKind.If, parameters, results);
        control.Label = Masm.CreateLabel();
        control.ElseLabel = elseLabel;
        // The then-branch works on copies of the parameters, so the else-branch still finds the originals.
        int first = _height - parameters.Length;
        for (int i = 0; i < parameters.Length; i++)
        {
            StoreEntryTo(first + i, HomeSlot(_height));
            PushHome(parameters[i]);
        }
    }

    public void Else()
    {
        Control control = ControlAt(0);
        if (control.Dead)
        {
            return;
        }
        if (!_unreachable)
        {
            MoveTopTo(control.Results.Length, control.Height);
            Masm.Jump(control.Label);
            control.Branched = true;
        }
        DiscardTo(control.Height);
        Masm.Bind(control.ElseLabel);
        control.HasElse = true;
        control.Kind = ControlKind.Else;
        foreach (ValType type in control.Params)
        {
            PushHome(type);
        }
        _unreachable = false;
    }

    /// <summary>Handles <c>end</c>; returns true when it closed the function.</summary>
    public bool End()
    {
        Control control = ControlAt(0);
        if (control.Dead)
        {
            _controls.Pop();
            return false;
        }
        if (control.IsTryTable)
        {
            _emitter.CallFailureTarget = control.OuterFailureTarget;
        }
        if (control.Kind == ControlKind.Function)
        {
            if (!_unreachable)
            {
                EmitReturn(fallsIntoEpilogue: false);
            }
            _controls.Pop();
            _unreachable = true;
            return true;
        }
        bool reachable = !_unreachable;
        if (reachable)
        {
            MoveTopTo(control.Results.Length, control.Height);
        }
        DiscardTo(control.Height);
        if (control.Kind == ControlKind.If && !control.HasElse)
        {
            // An if without else: the false path passes its parameters through, already in place.
            Masm.Bind(control.ElseLabel);
            reachable = true;
        }
        if (control.Kind != ControlKind.Loop && control.Branched)
        {
            Masm.Bind(control.Label);
            reachable = true;
        }
        _controls.Pop();
        foreach (ValType type in control.Results)
        {
            PushHome(type);
        }
        _unreachable = !reachable;
        return false;
    }

    /// <summary>Pops entries down to <paramref name="height"/>, freeing their registers.</summary>
    private void DiscardTo(int height)
    {
        while (_height > height)
        {
            Drop();
        }
        if (_height < height)
        {
            // Unreachable code may have popped below the block's base (the stack is polymorphic there).
            while (_height < height)
            {
                PushHome(ValType.I64);
            }
        }
    }

    /// <summary>Marks the rest of the current block unreachable: its stack is forgotten down to the block's base.</summary>
    public void SetUnreachable()
    {
        DiscardTo(ControlAt(0).Height);
        _unreachable = true;
    }

    /// <summary>Moves the label's values into place and jumps (or returns, for the function's label).</summary>
    private void BranchTo(Control target)
    {
        if (target.Kind == ControlKind.Function)
        {
            EmitReturn(fallsIntoEpilogue: false);
            return;
        }
        MoveTopTo(target.LabelTypes.Length, target.Height);
        Masm.Jump(target.Label);
        if (target.Kind != ControlKind.Loop)
        {
            target.Branched = true;
        }
    }

    public void Br(uint depth)
    {
        if (_unreachable)
        {
            return;
        }
        BranchTo(ControlAt(depth));
        SetUnreachable();
    }

    public void BrIf(uint depth)
    {
        if (_unreachable)
        {
            return;
        }
        Control target = ControlAt(depth);
        Cond taken;
        if (Peek().Kind == ValueKind.Flags)
        {
            taken = Pop().Condition;
        }
        else
        {
            Operand c = PopOperand(allowImmediate: false, allowMemory: false);
            Free(c);
            Masm.Test(S32, c.Reg, c.Reg);
            taken = Cond.NotEqual;
        }
        BranchIf(taken, target);
    }

    /// <summary>Branches to <paramref name="target"/> with the top values when the flags say <paramref name="taken"/>.</summary>
    private void BranchIf(Cond taken, Control target)
    {
        if (target.Kind != ControlKind.Function && TopIsAt(target.LabelTypes.Length, target.Height))
        {
            Masm.JumpIf(taken, target.Label);
            if (target.Kind != ControlKind.Loop)
            {
                target.Branched = true;
            }
            return;
        }
        // Values must move (or the branch returns): skip the moves and the jump when the condition is false.
        MLabel skip = Masm.CreateLabel();
        Masm.JumpIf(taken.Negate(), skip);
        BranchTo(target);
        Masm.Bind(skip);
    }

    /// <summary><c>br_on_null</c>: branches (with the values below the reference) when it is null, else keeps it.</summary>
    public void BrOnNull(uint depth)
    {
        if (_unreachable)
        {
            return;
        }
        // The reference leaves the stack (the label takes the values below it) but keeps its register during the
        // branch's moves, and comes back as the fall-through's top.
        ValType type = Peek().Type;
        Reg reference = PopToRegister();
        Masm.Test(S64, reference, reference);
        BranchIf(Cond.Equal, ControlAt(depth));
        PushRegister(type, reference);
    }

    /// <summary><c>br_on_non_null</c>: branches with the values and the reference when it is not null, else drops it.</summary>
    public void BrOnNonNull(uint depth)
    {
        if (_unreachable)
        {
            return;
        }
        // The reference stays on the stack as the label's last value; a register copy of it is tested.
        ValType type = Peek().Type;
        Reg reference = PopToRegister();
        PushRegister(type, reference);
        Masm.Test(S64, reference, reference);
        BranchIf(Cond.NotEqual, ControlAt(depth));
        Drop();
    }

    public void BrTable(BrTable table)
    {
        if (_unreachable)
        {
            return;
        }
        Reg index = PopToRegister();
        Free(index);
        int count = (int)table.Count;
        Span<uint> depths = count + 1 <= 256 ? stackalloc uint[count + 1] : new uint[count + 1];
        int k = 0;
        foreach (uint depth in table)
        {
            depths[k++] = depth;
        }
        depths[count] = table.Default;
        // Targets whose values are in place are jumped to directly; the others through a stub (one per depth) that moves them.
        var stubs = new Dictionary<uint, MLabel>();
        var pending = new List<(MLabel Stub, uint Depth)>();
        MLabel TargetOf(uint depth)
        {
            Control target = ControlAt(depth);
            if (target.Kind != ControlKind.Function && TopIsAt(target.LabelTypes.Length, target.Height))
            {
                if (target.Kind != ControlKind.Loop)
                {
                    target.Branched = true;
                }
                return target.Label;
            }
            if (!stubs.TryGetValue(depth, out MLabel stub))
            {
                stub = Masm.CreateLabel();
                stubs[depth] = stub;
                pending.Add((stub, depth));
            }
            return stub;
        }
        MLabel defaultTarget = TargetOf(table.Default);
        if (count > 0)
        {
            var targets = new MLabel[count];
            for (int i = 0; i < count; i++)
            {
                targets[i] = TargetOf(depths[i]);
            }
            Masm.AluImm(AluOp.Cmp, S32, index, count);
            Masm.JumpIf(Cond.AboveOrEqual, defaultTarget);
            MLabel tableLabel = Masm.CreateLabel();
            Masm.JumpThroughTable(tableLabel, index, Reg.R11, Reg.Rax);
            Masm.EmitJumpTable(tableLabel, targets);
        }
        else
        {
            Masm.Jump(defaultTarget);
        }
        foreach (var (stub, depth) in pending)
        {
            Masm.Bind(stub);
            BranchTo(ControlAt(depth));
        }
        SetUnreachable();
    }

    public void Return()
    {
        if (_unreachable)
        {
            return;
        }
        EmitReturn(fallsIntoEpilogue: false);
        SetUnreachable();
    }

    /// <summary>Writes the results to the argument area (slots from 0), sets status 0 and leaves through the epilogue.</summary>
    private void EmitReturn(bool fallsIntoEpilogue)
    {
        int count = _type.Results.Length;
        int first = _height - count;
        if (count > 0)
        {
            // r11 = the argument area; results go there from slot 0 (StoreEntryTo uses only rax).
            Masm.Load(S64, Reg.R11, new Mem(Reg.Rbp, FunctionEmitter.ArgsPointerOffsetFromRbp));
            int slot = 0;
            for (int k = 0; k < count; k++)
            {
                StoreEntryTo(first + k, new Mem(Reg.R11, 8 * slot));
                slot += SlotsOf(_stack[first + k].Type);
            }
        }
        Masm.MovImm(S32, Reg.Rax, 0);
        if (!fallsIntoEpilogue)
        {
            Masm.Jump(_emitter.Epilogue);
        }
    }

    // ---- exception handling (3.0; tiers.md, *Exceptions*) ----

    /// <summary>
    /// <c>try_table</c>: a block whose calls (and throws) go, when they fail, to its landing pad instead of the epilogue. The
    /// pad (out of line) asks <see cref="BuiltinId.CatchException"/> which clause takes the pending exception, then moves
    /// the delivered values from the outgoing area to the homes of the clause's label and jumps there as a branch does (or
    /// returns, for the function's label); when no clause takes it, it goes on to the enclosing try_table's pad or to the
    /// epilogue with status 1. Everything the pad needs is known here: the clauses' labels enclose the try_table, and
    /// every entry below the block is at home from here on.
    /// </summary>
    public void TryTable(BlockType blockType, TryTableCatch[] catches, int tryTableOffset)
    {
        if (_unreachable)
        {
            PushDeadControl();
            return;
        }
        var (parameters, results) = BlockTypes.Resolve(_module, blockType);
        SpillAll();
        int height = _height - parameters.Length;
        int[] liveSlots = LiveRefSlots(height);
        var clauses = new PadClause[catches.Length];
        for (int i = 0; i < catches.Length; i++)
        {
            Control target = ControlAt(catches[i].Label);
            if (target.Kind is not ControlKind.Loop and not ControlKind.Function)
            {
                target.Branched = true;
            }
            clauses[i] = new PadClause(target.Kind == ControlKind.Function, target.Label, target.Height, target.LabelTypes);
        }
        MLabel pad = Masm.CreateLabel();
        MLabel? outer = _emitter.CallFailureTarget;
        Control control = PushControl(ControlKind.Block, parameters, results);
        control.Label = Masm.CreateLabel();
        control.IsTryTable = true;
        control.OuterFailureTarget = outer;
        _emitter.CallFailureTarget = pad;
        _emitter.AddOutOfLine(() => EmitLandingPad(pad, tryTableOffset, liveSlots, clauses, outer));
    }

    /// <summary>Where a catch clause's values go: the function's result area, or the homes of a label from <see cref="Height"/>.</summary>
    private readonly record struct PadClause(bool Returns, MLabel Label, int Height, ValType[] Types);

    private void EmitLandingPad(MLabel pad, int tryTableOffset, int[] liveSlots, PadClause[] clauses, MLabel? outer)
    {
        Masm.Bind(pad);
        _emitter.MarkOffset(tryTableOffset);
        _emitter.WasmOffset = tryTableOffset;
        Masm.StoreImm(S64, OutSlot(0), tryTableOffset);
        // The caller-saved pinned locals are in their registers (reloaded after the failed call): the call saves them.
        _emitter.EmitBuiltinCall(BuiltinId.CatchException, liveSlots, 1);
        var labels = new MLabel[clauses.Length];
        for (int i = 0; i < clauses.Length; i++)
        {
            labels[i] = Masm.CreateLabel();
            Masm.AluImm(AluOp.Cmp, S32, Reg.Rax, i);
            Masm.JumpIf(Cond.Equal, labels[i]);
        }
        if (outer is { } next)
        {
            Masm.Jump(next);
        }
        else
        {
            Masm.MovImm(S32, Reg.Rax, 1);
            Masm.Jump(_emitter.Epilogue);
        }
        for (int i = 0; i < clauses.Length; i++)
        {
            PadClause clause = clauses[i];
            Masm.Bind(labels[i]);
            if (clause.Returns)
            {
                Masm.Load(S64, Reg.R11, new Mem(Reg.Rbp, FunctionEmitter.ArgsPointerOffsetFromRbp));
            }
            int slot = 0;
            for (int k = 0; k < clause.Types.Length; k++)
            {
                ValType type = clause.Types[k];
                Mem source = OutSlot(1 + slot);
                CopyValue(clause.Returns ? new Mem(Reg.R11, 8 * slot) : HomeSlot(clause.Height + k), source, type);
                slot += SlotsOf(type);
            }
            if (clause.Returns)
            {
                Masm.MovImm(S32, Reg.Rax, 0);
                Masm.Jump(_emitter.Epilogue);
            }
            else
            {
                Masm.Jump(clause.Label);
            }
        }
    }

    /// <summary><c>throw</c>: the tag's values to the outgoing area (from slot 1), the exception made pending, then as a failed call.</summary>
    public void Throw(uint tagIndex)
    {
        PassArguments(_module.TagType(tagIndex).Params.Length, firstSlot: 1);
        SpillRegisters();
        Masm.StoreImm(S64, OutSlot(0), (int)tagIndex);
        _emitter.EmitBuiltinCall(BuiltinId.Throw, LiveRefSlots(), 1);
        Masm.Jump(_emitter.CallFailureTarget ?? _emitter.Epilogue);
        SetUnreachable();
    }

    /// <summary><c>throw_ref</c>: the exception of the exnref made pending again (a null one traps), then as a failed call.</summary>
    public void ThrowRef()
    {
        StoreEntryTo(_height - 1, OutSlot(0));
        Drop();
        SpillRegisters();
        _emitter.EmitBuiltinCall(BuiltinId.ThrowRef, LiveRefSlots(), 1);
        Masm.Jump(_emitter.CallFailureTarget ?? _emitter.Epilogue);
        SetUnreachable();
    }

    // ---- on-stack replacement ----

    /// <summary>
    /// Where the frame holds the wasm state at a loop header during its tier-up check (<see cref="OsrEntry.FrameSlots"/>):
    /// every local in its slot (the check stores the pinned ones there), every operand at home.
    /// </summary>
    private int[] StateFrameSlots(ValType[] operandTypes)
    {
        var slots = new List<int>(_localSlots + operandTypes.Length);
        for (int i = 0; i < _localCount; i++)
        {
            for (int k = 0; k < SlotsOf(_localTypes[i]); k++)
            {
                slots.Add(_localOffsets[i] / 8 + k);
            }
        }
        for (int i = 0; i < operandTypes.Length; i++)
        {
            for (int k = 0; k < SlotsOf(operandTypes[i]); k++)
            {
                slots.Add((HomesOffset + _homeStride * i) / 8 + k);
            }
        }
        return slots.ToArray();
    }

    /// <summary>
    /// An extra entry for on-stack replacement at the loop whose header is <paramref name="header"/>: a prologue
    /// like the function's (the shared layer's), then the locals and operand-stack values from the state area (rsi), then a jump
    /// to the header. Every stack entry is at home here (block entry spilled them).
    /// </summary>
    private void AddOsrEntry(int loopOffset, MLabel header)
    {
        var operandTypes = new ValType[_height];
        for (int i = 0; i < _height; i++)
        {
            operandTypes[i] = _stack[i].Type;
        }
        var state = new OsrState((ValType[])_localTypes.Clone(), operandTypes);
        MLabel entry = Masm.CreateLabel();
        _emitter.AddOsrEntry(loopOffset, entry, state, _options.TierUpCounters ? StateFrameSlots(operandTypes) : null);
        int localCount = _localCount;
        _emitter.AddOutOfLine(() =>
        {
            _emitter.EmitOsrEntryPrologue(entry, loopOffset);
            int slot = 0;
            for (int i = 0; i < localCount; i++)
            {
                if (IsPinned(i, out Reg reg))
                {
                    LoadValue(reg, _localTypes[i], new Mem(Reg.Rsi, 8 * slot));
                }
                else
                {
                    CopyValue(LocalSlot(i), new Mem(Reg.Rsi, 8 * slot), _localTypes[i]);
                }
                slot += SlotsOf(_localTypes[i]);
            }
            for (int i = 0; i < operandTypes.Length; i++)
            {
                CopyValue(HomeSlot(i), new Mem(Reg.Rsi, 8 * slot), operandTypes[i]);
                slot += SlotsOf(operandTypes[i]);
            }
            Masm.Jump(header);
        });
    }
}
