using System.Text;
using Engine.Optimizing.Lir;

namespace Engine.Optimizing.RegAlloc;

/// <summary>
/// Checks a register allocation by running the allocated program symbolically: which virtual register each
/// location (register or frame slot) holds at each point, through the allocator's moves, calls' clobbers and
/// every definition, merged at block entries over all predecessors. Every use must find its virtual register
/// in the location the allocator gave it. Used by the tests and, with verification on, after every allocation.
/// </summary>
internal static class AllocationChecker
{
    private const int Unknown = -1;
    // A location that holds different values on different paths into a block.
    private const int Conflict = -2;

    public static void Check(LirFunction lir, IReadOnlyList<AllocMove> moves)
    {
        // Per instruction, its parallel moves in order (edge moves, then a block-start split's).
        var movesBefore = new Dictionary<int, List<List<AllocMove>>>();
        foreach (AllocMove m in moves.OrderBy(m => m.SortKey))
        {
            if (!movesBefore.TryGetValue(m.Before, out List<List<AllocMove>>? groups))
            {
                movesBefore[m.Before] = groups = new List<List<AllocMove>>();
            }
            if (groups.Count == 0 || groups[^1][0].AfterEdge != m.AfterEdge)
            {
                groups.Add(new List<AllocMove>());
            }
            groups[^1].Add(m);
        }
        int n = lir.BlockCount;
        var entry = new Dictionary<int, int>?[n];
        var errors = new List<string>();
        for (int b = 0; b < n; b++)
        {
            if (lir.Blocks[b].IsEntry)
            {
                entry[b] = new Dictionary<int, int>();
            }
        }
        bool changed = true;
        int rounds = 0;
        while (changed && rounds++ < 100)
        {
            changed = false;
            for (int b = 0; b < n; b++)
            {
                if (entry[b] is null)
                {
                    continue;
                }
                var state = new Dictionary<int, int>(entry[b]!);
                for (int i = lir.Blocks[b].First; i < lir.Blocks[b].End; i++)
                {
                    Step(lir, i, state, movesBefore, errors: null);
                }
                foreach (int s in lir.Successors(b))
                {
                    if (entry[s] is null)
                    {
                        entry[s] = new Dictionary<int, int>(state);
                        changed = true;
                        continue;
                    }
                    // Meet: a location keeps its value only when every path agrees.
                    foreach (int loc in entry[s]!.Keys.ToList())
                    {
                        int value = entry[s]![loc];
                        if (value == Conflict)
                        {
                            continue;
                        }
                        if (!state.TryGetValue(loc, out int other) || other != value)
                        {
                            entry[s]![loc] = Conflict;
                            changed = true;
                        }
                    }
                }
            }
        }
        for (int b = 0; b < n; b++)
        {
            if (entry[b] is null)
            {
                continue;
            }
            var state = new Dictionary<int, int>(entry[b]!);
            for (int i = lir.Blocks[b].First; i < lir.Blocks[b].End; i++)
            {
                Step(lir, i, state, movesBefore, errors);
            }
        }
        if (errors.Count > 0)
        {
            var text = new StringBuilder("register allocation is wrong:\n");
            foreach (string e in errors.Take(20))
            {
                text.Append("  ").AppendLine(e);
            }
            text.Append(LirPrinter.Print(lir, moves));
            throw new InvalidOperationException(text.ToString());
        }
    }

    private static void Step(LirFunction lir, int i, Dictionary<int, int> state, Dictionary<int, List<List<AllocMove>>> movesBefore, List<string>? errors)
    {
        if (movesBefore.TryGetValue(i, out List<List<AllocMove>>? groups))
        {
            foreach (List<AllocMove> moves in groups)
            {
                // A parallel move: read every source first.
                var values = new int[moves.Count];
                for (int k = 0; k < moves.Count; k++)
                {
                    values[k] = state.TryGetValue(moves[k].From, out int v) ? v : Unknown;
                    if (errors != null && values[k] != moves[k].VReg)
                    {
                        errors.Add($"move before {i}: {Name(moves[k].From)} holds {Value(values[k])}, expected v{moves[k].VReg}");
                    }
                }
                for (int k = 0; k < moves.Count; k++)
                {
                    state[moves[k].To] = values[k];
                }
            }
        }
        ref LInst inst = ref lir.Insts[i];
        Span<LOperand> ops = lir.OperandsOf(i);
        foreach (ref LOperand o in ops)
        {
            if (o.Kind is OperandKind.Use && o.Reg < PhysicalRegisters.Count)
            {
                // A fixed register: nothing may have taken it since the value was put there.
                int held = state.TryGetValue(o.Loc, out int v) ? v : Unknown;
                if (errors != null && held != o.Reg)
                {
                    errors.Add($"instruction {i} ({inst.Op}) reads {PhysicalRegisters.Name(o.Reg)}, which holds {Value(held)}");
                }
            }
            else if (o.Kind is OperandKind.Use or OperandKind.UseDef && o.Reg >= PhysicalRegisters.Count)
            {
                int held = state.TryGetValue(o.Loc, out int v) ? v : Unknown;
                if (errors != null && held != o.Reg)
                {
                    errors.Add($"instruction {i} ({inst.Op}) reads v{o.Reg} from {Name(o.Loc)}, which holds {Value(held)}");
                }
            }
        }
        if (LOpInfo.Clobbers(inst.Op))
        {
            foreach (int r in PhysicalRegisters.CallerSaved)
            {
                state.Remove(r);
            }
        }
        foreach (ref LOperand o in ops)
        {
            switch (o.Kind)
            {
                case OperandKind.Temp:
                    state.Remove(o.Loc);
                    break;
                case OperandKind.Def:
                case OperandKind.EarlyDef:
                case OperandKind.UseDef:
                    int defined = o.Reg;
                    if (defined >= PhysicalRegisters.Count)
                    {
                        foreach (int loc in state.Where(p => p.Value == defined).Select(p => p.Key).ToList())
                        {
                            state.Remove(loc);
                        }
                    }
                    state[o.Loc] = o.Reg;
                    break;
            }
        }
    }

    private static string Value(int v) => v switch
    {
        Unknown => "nothing",
        Conflict => "different values on different paths",
        _ => v < PhysicalRegisters.Count ? PhysicalRegisters.Name(v) : $"v{v}",
    };

    public static string Name(int loc) => Location.IsStack(loc) ? $"[rsp+{Location.StackOffset(loc)}]" : loc >= 0 ? PhysicalRegisters.Name(loc) : "none";
}

/// <summary>Prints LIR (with locations and moves once allocated), for tests and debugging.</summary>
internal static class LirPrinter
{
    public static string Print(LirFunction lir, IReadOnlyList<AllocMove>? moves = null)
    {
        var text = new StringBuilder();
        int m = 0;
        for (int b = 0; b < lir.BlockCount; b++)
        {
            ref LBlock block = ref lir.Blocks[b];
            text.Append($"L{b}");
            if (block.IrBlock >= 0)
            {
                text.Append($" (block{block.IrBlock})");
            }
            if (block.LoopDepth > 0)
            {
                text.Append($" depth {block.LoopDepth}");
            }
            text.Append(" <- ").AppendJoin(", ", lir.Predecessors(b).ToArray().Select(p => $"L{p}")).AppendLine(":");
            for (int i = block.First; i < block.End; i++)
            {
                while (moves != null && m < moves.Count && moves[m].Before <= i)
                {
                    AllocMove move = moves[m++];
                    text.AppendLine($"      {AllocationChecker.Name(move.To)} <- {AllocationChecker.Name(move.From)}  (v{move.VReg})");
                }
                ref LInst inst = ref lir.Insts[i];
                text.Append($"  {i,3} {inst.Op}");
                if (inst.Aux != 0)
                {
                    text.Append($" aux={inst.Aux}");
                }
                if (inst.Imm != 0)
                {
                    text.Append($" imm={inst.Imm}");
                }
                if (inst.Op is LOp.Jump or LOp.Branch or LOp.CmpBranch or LOp.CmpImmBranch or LOp.FloatCmpBranch)
                {
                    text.Append($" -> L{inst.T1}");
                    if (inst.Op != LOp.Jump)
                    {
                        text.Append($", L{inst.T2}");
                    }
                }
                foreach (LOperand o in lir.OperandsOf(i))
                {
                    string reg = o.Reg < PhysicalRegisters.Count ? PhysicalRegisters.Name(o.Reg) : $"v{o.Reg}";
                    text.Append($" {o.Kind.ToString().ToLowerInvariant()}:{reg}");
                    if (o.Loc != Location.None)
                    {
                        text.Append($"={AllocationChecker.Name(o.Loc)}");
                    }
                }
                text.AppendLine();
            }
        }
        return text.ToString();
    }
}
