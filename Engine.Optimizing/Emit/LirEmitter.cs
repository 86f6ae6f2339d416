using Engine.CodeGen.X64;
using Engine.Core;
using Engine.Optimizing.Ir;
using Engine.Optimizing.Lir;
using Engine.Optimizing.RegAlloc;

namespace Engine.Optimizing.Emit;

/// <summary>
/// Turns allocated LIR into machine code through the shared x86-64 layer (<see cref="FunctionEmitter"/>): the native
/// frame, prologue, stack-limit, fuel and epoch checks, traps, calls, builtins, the artifact and every wasm-semantic
/// sequence come from there, so the optimizing tier computes exactly what the baseline computes. This class only
/// maps LIR instructions with their allocated locations onto those calls and the macro assembler, inserts the
/// allocator's moves, and records the stack maps of each call from the allocator's locations.
/// </summary>
/// <remarks>
/// <para><b>Frame</b> (below the saved area the shared layer lays out, from rsp): the outgoing area (arguments and
/// results of calls and builtins), the spill slots, and, in functions with fuel or epoch checks, the area where the
/// checks' slow path saves the caller-saved registers the function uses (<see cref="ICallerSavedValues"/>), so a
/// check costs no register at the fast path.</para>
/// <para><b>Blocks</b> are emitted in layout order; a block made only of a jump (an edge block that got no moves)
/// is skipped and branches to it go straight to its target; a jump to the next block is left out.</para>
/// </remarks>
internal sealed partial class LirEmitter : ICallerSavedValues
{
    private readonly FunctionEmitter _e = new();
    private readonly ParallelMoves _moves = new();
    private readonly List<int> _refLocations = new();
    private readonly List<int> _savedRegisters = new();
    private IrFunction _f = null!;
    private LirFunction _lir = null!;
    private LinearScan _alloc = null!;
    private MLabel[] _labels = new MLabel[32];
    private int[] _target = new int[32];
    private int _saveArea;
    private int _lastOffset;
    private int _nextBlock;
    // Whether moves (or a block start) come right before the instruction being emitted (they may use rax).
    private bool _movesBefore;

    private MacroAssembler Masm => _e.Masm;

    public static Reg RegOf(int loc) => loc < PhysicalRegisters.FirstXmm ? Reg.Gpr(loc) : Reg.Xmm(loc - PhysicalRegisters.FirstXmm);

    public static Mem SlotOf(int loc) => Mem.Frame(Location.StackOffset(loc));

    private static Operand OperandOf(int loc) =>
        Location.IsStack(loc) ? Operand.InMemory(SlotOf(loc)) : Operand.InRegister(RegOf(loc));

    public CompiledFunction Emit(IrFunction f, LirFunction lir, LinearScan alloc, int outgoingBytes, CompilerOptions options, OptimizingPhaseTimes? times = null)
    {
        long lap = times is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
        _f = f;
        _lir = lir;
        _alloc = alloc;
        _e.Begin(f.Module, f.FunctionIndex, options, callerSaved: null);
        if (f.InlinedFrames.Count > 0)
        {
            _e.SetInlinedPositions(f.InlinedPositions.ToArray(), f.InlinedFrames.ToArray());
        }
        _e.SetCalleeSaved(alloc.UsedCalleeSaved.Select(Reg.Gpr));
        _saveArea = outgoingBytes + alloc.SpillBytes;
        _savedRegisters.Clear();
        if (HasInterruptChecks())
        {
            CollectSavedRegisters();
        }
        int bodyBytes = _saveArea + SaveAreaBytes();
        _e.DeclareFrame(bodyBytes, IsLeaf());
        PrepareLabels();
        _lastOffset = -1;
        int move = 0;
        for (int b = 0; b < lir.BlockCount; b++)
        {
            if (_target[b] != b)
            {
                // An empty edge block: branches go straight through it.
                while (move < alloc.Moves.Count && alloc.Moves[move].Before < lir.Blocks[b].End)
                {
                    move++;
                }
                continue;
            }
            _nextBlock = NextEmitted(b);
            ref LBlock block = ref lir.Blocks[b];
            if (block.IsEntry)
            {
                EmitEntry(b);
            }
            else
            {
                Masm.Bind(_labels[b]);
            }
            for (int i = block.First; i < block.End; i++)
            {
                _movesBefore = move < alloc.Moves.Count && alloc.Moves[move].Before == i;
                if (i == block.First)
                {
                    // A block's first instruction never shares a load with the previous block's.
                    _movesBefore = true;
                }
                // One parallel move per group: the moves at the instruction's uses (edge moves too), then those at its definitions (AllocMove.AfterEdge).
                while (move < alloc.Moves.Count && alloc.Moves[move].Before == i)
                {
                    _moves.Clear();
                    long group = alloc.Moves[move].SortKey;
                    while (move < alloc.Moves.Count && alloc.Moves[move].SortKey == group)
                    {
                        AllocMove m = alloc.Moves[move++];
                        _moves.Add(m.From, m.To, lir.VRegs[m.VReg].Type);
                    }
                    _moves.Emit(Masm);
                }
                EmitInst(i);
            }
        }
        times?.Lap(OptimizingPhase.Emission, ref lap);
        CompiledFunction result = _e.Finish(bodyBytes);
        times?.Lap(OptimizingPhase.Encoding, ref lap);
        _e.Forget();
        _f = null!;
        _lir = null!;
        _alloc = null!;
        return result;
    }

    // ---- blocks ----

    private void PrepareLabels()
    {
        int n = _lir.BlockCount;
        if (_labels.Length < n)
        {
            _labels = new MLabel[Math.Max(n, _labels.Length * 2)];
            _target = new int[_labels.Length];
        }
        for (int b = 0; b < n; b++)
        {
            _labels[b] = Masm.CreateLabel();
            _target[b] = b;
        }
        // A block holding only a jump, with no allocator move before it, forwards to the jump's target.
        int move = 0;
        for (int b = 0; b < n; b++)
        {
            ref LBlock block = ref _lir.Blocks[b];
            bool moves = false;
            while (move < _alloc.Moves.Count && _alloc.Moves[move].Before < block.End)
            {
                moves = true;
                move++;
            }
            int last = block.End - 1;
            if (!moves && !block.IsEntry && _lir.Insts[last].Op == LOp.Jump && _lir.Insts[last].T1 != b && OnlyNoOpsBefore(block.First, last))
            {
                _target[b] = _lir.Insts[last].T1;
            }
        }
        // Follow each chain to a block that is emitted; a chain that loops (an empty infinite loop) keeps its blocks.
        for (int b = 0; b < n; b++)
        {
            int t = b;
            int hops = 0;
            while (_target[t] != t && hops++ <= n)
            {
                t = _target[t];
            }
            if (_target[t] != t)
            {
                for (int c = b, k = 0; k <= n && _target[c] != c; k++)
                {
                    int next = _target[c];
                    _target[c] = c;
                    c = next;
                }
                continue;
            }
            _target[b] = t;
        }
    }

    /// <summary>True when instructions [<paramref name="from"/>, <paramref name="to"/>) emit nothing: parallel moves whose every copy stays in place.</summary>
    private bool OnlyNoOpsBefore(int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            ref LInst inst = ref _lir.Insts[i];
            if (inst.Op == LOp.Nop)
            {
                continue;
            }
            if (inst.Op != LOp.ParallelMove)
            {
                return false;
            }
            for (int k = 0; k + 1 < inst.OperandCount; k += 2)
            {
                if (_lir.Operand(i, k).Loc != _lir.Operand(i, k + 1).Loc)
                {
                    return false;
                }
            }
        }
        return true;
    }

    private int NextEmitted(int b)
    {
        for (int next = b + 1; next < _lir.BlockCount; next++)
        {
            if (_target[next] == next)
            {
                return next;
            }
        }
        return -1;
    }

    private MLabel LabelOf(int block) => _labels[_target[block]];

    /// <summary>Jumps to <paramref name="block"/> unless it is the next block emitted.</summary>
    private void JumpTo(int block)
    {
        if (_target[block] != _nextBlock)
        {
            Masm.Jump(LabelOf(block));
        }
    }

    /// <summary>Branches to <paramref name="taken"/> when <paramref name="cond"/> holds, else to <paramref name="other"/>, falling through where it can.</summary>
    private void Branch(Cond cond, int taken, int other)
    {
        if (_target[taken] == _nextBlock)
        {
            Masm.JumpIf(cond.Negate(), LabelOf(other));
            return;
        }
        Masm.JumpIf(cond, LabelOf(taken));
        JumpTo(other);
    }

    private void EmitEntry(int b)
    {
        ref LBlock block = ref _lir.Blocks[b];
        FunctionBody body = _f.Module.Body(_f.FunctionIndex);
        if (block.IrBlock == 0)
        {
            if (!_lir.RegisterEntry)
            {
                _e.EmitEntry(body.CodeStart);
                Masm.Bind(_labels[b]);
                return;
            }
            // A register frame (RegisterConvention). The native entry (offset 0) jumps to its out-of-line adapter, a
            // frame that loads the argument area into the registers and calls the register entry, the direct calls'
            // target, which starts 16 bytes in (aligned, as the function).
            _e.UseRegisterFrame();
            MLabel adapter = Masm.CreateLabel();
            MLabel registerEntry = Masm.CreateLabel();
            _e.MarkOffset(body.CodeStart);
            Masm.Jump(adapter);
            Masm.Nops(16 - 5);
            _e.EmitRegisterEntry(registerEntry, body.CodeStart);
            Masm.Bind(_labels[b]);
            _e.AddOutOfLine(() => _e.EmitNativeAdapter(adapter, body.CodeStart, registerEntry, LoadArgumentRegisters, StoreResultRegister));
            return;
        }
        foreach (OsrEntryBlock osr in _f.OsrEntries)
        {
            if (osr.Block != block.IrBlock)
            {
                continue;
            }
            if (!_lir.RegisterEntry)
            {
                _e.EmitOsrEntryPrologue(_labels[b], osr.LoopOffset);
                _e.AddOsrEntry(osr.LoopOffset, _labels[b], osr.State);
                return;
            }
            // In a register frame the OSR entry is an adapter too: it calls this entry of the register frame with rsi
            // still pointing to the state, which the prologue keeps in the argument pointer slot for the block's reads.
            MLabel native = Masm.CreateLabel();
            MLabel inner = _labels[b];
            int loopOffset = osr.LoopOffset;
            _e.EmitRegisterEntry(inner, loopOffset, osr: true);
            _e.AddOutOfLine(() => _e.EmitNativeAdapter(native, loopOffset, inner, static () => { }, StoreResultRegister));
            _e.AddOsrEntry(loopOffset, native, osr.State);
            return;
        }
        throw new InvalidOperationException($"optimizing: entry block{block.IrBlock} is neither the function's entry nor an OSR entry");
    }

    /// <summary>True when the function calls nothing: no call, tail call, builtin or interruption check (a trap is no call).</summary>
    private bool IsLeaf()
    {
        for (int i = 0; i < _lir.InstCount; i++)
        {
            LOp op = _lir.Insts[i].Op;
            if (LOpInfo.IsSafepoint(op) || op is LOp.ReturnCall or LOp.ReturnCallIndirect)
            {
                return false;
            }
        }
        return true;
    }

    // ---- the interruption checks' register save area ----

    private bool HasInterruptChecks()
    {
        for (int i = 0; i < _lir.InstCount; i++)
        {
            if (_lir.Insts[i].Op == LOp.InterruptCheck)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The caller-saved registers the function uses anywhere: the checks' slow path saves exactly those.</summary>
    private void CollectSavedRegisters()
    {
        ulong used = 0;
        for (int k = 0; k < _lir.OperandCount; k++)
        {
            int loc = _lir.Operands[k].Loc;
            if (Location.IsRegister(loc))
            {
                used |= 1UL << loc;
            }
        }
        foreach (AllocMove m in _alloc.Moves)
        {
            if (Location.IsRegister(m.To))
            {
                used |= 1UL << m.To;
            }
        }
        foreach (int r in PhysicalRegisters.CallerSaved)
        {
            if ((used & (1UL << r)) != 0)
            {
                _savedRegisters.Add(r);
            }
        }
    }

    private int SaveAreaBytes()
    {
        int bytes = 0;
        foreach (int r in _savedRegisters)
        {
            bytes += PhysicalRegisters.IsXmm(r) ? 16 : 8;
        }
        return bytes;
    }

    /// <summary>The byte offset (from rsp) where the checks' slow path saves register <paramref name="reg"/>.</summary>
    private int SaveSlotOf(int reg)
    {
        int offset = _saveArea;
        foreach (int r in _savedRegisters)
        {
            if (r == reg)
            {
                return offset;
            }
            offset += PhysicalRegisters.IsXmm(r) ? 16 : 8;
        }
        throw new InvalidOperationException($"optimizing: {PhysicalRegisters.Name(reg)} has no save slot");
    }

    /// <summary>Before the interruption builtin: every caller-saved register the function uses to its save slot (movs only).</summary>
    void ICallerSavedValues.SaveBeforeCall()
    {
        foreach (int r in _savedRegisters)
        {
            Mem slot = Mem.Frame(SaveSlotOf(r));
            if (PhysicalRegisters.IsXmm(r))
            {
                Masm.StoreV(slot, RegOf(r));
            }
            else
            {
                Masm.Store(OperandSize.S64, slot, RegOf(r));
            }
        }
    }

    /// <summary>After it: all reloaded (movs only: eax and the flags stay).</summary>
    void ICallerSavedValues.RestoreAfterCall()
    {
        foreach (int r in _savedRegisters)
        {
            Mem slot = Mem.Frame(SaveSlotOf(r));
            if (PhysicalRegisters.IsXmm(r))
            {
                Masm.LoadV(RegOf(r), slot);
            }
            else
            {
                Masm.Load(OperandSize.S64, RegOf(r), slot);
            }
        }
    }

    // ---- stack maps ----

    /// <summary>The frame slots (8-byte units from rsp) of the references live across instruction <paramref name="inst"/>.</summary>
    private int[] LiveReferenceSlots(int inst)
    {
        _alloc.LiveReferencesAt(inst, _refLocations);
        if (_refLocations.Count == 0)
        {
            return [];
        }
        var slots = new int[_refLocations.Count];
        for (int k = 0; k < slots.Length; k++)
        {
            int loc = _refLocations[k];
            int offset = Location.IsStack(loc) ? Location.StackOffset(loc) : SaveSlotOf(loc);
            slots[k] = offset / 8;
        }
        return slots;
    }
}
