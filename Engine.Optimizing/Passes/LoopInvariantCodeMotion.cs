using Engine.Core;
using Engine.Optimizing.Analysis;
using Engine.Optimizing.Ir;

namespace Engine.Optimizing.Passes;

/// <summary>
/// Loop-invariant code motion: moves to the loop's preheader every instruction of the loop whose operands
/// all come from outside it, when running it there is safe and means the same: pure instructions (they cannot
/// trap, so running one the loop would have skipped costs only time), and reads of state the loop never
/// writes (<c>memory.size</c> and the bounds checks' memory length when the loop makes no call and no
/// <c>memory.grow</c>, globals the loop does not set, table sizes). Inner loops first, so an invariant
/// moves out as far as it can. Linear-memory loads stay: they depend on their bounds check. In a loop that
/// cannot change the memory's length, each bounds check of a variable address gets a <c>bounds_limit</c> made in the
/// preheader (the length minus the check's end, one per end), so the check is one compare with a register.
/// </summary>
internal sealed class LoopInvariantCodeMotion
{
    private readonly List<int> _body = new();

    /// <summary>Hoists; returns the number of instructions moved.</summary>
    public int Run(IrFunction f, ControlFlow cfg)
    {
        int moved = 0;
        for (int i = cfg.Headers.Count - 1; i >= 0; i--)
        {
            moved += HoistFrom(f, cfg, cfg.Headers[i]);
        }
        return moved;
    }

    private int HoistFrom(IrFunction f, ControlFlow cfg, int header)
    {
        int preheader = -1;
        foreach (int p in cfg.PredecessorsOf(header))
        {
            if (cfg.InLoop(p, header))
            {
                continue;
            }
            if (preheader >= 0)
            {
                return 0;
            }
            preheader = p;
        }
        if (preheader < 0 || f[f.Terminator(preheader)].Op != Op.Jump)
        {
            return 0;
        }
        _body.Clear();
        ulong writes = 0;
        for (int i = cfg.RpoIndex[header]; i < cfg.RpoCount; i++)
        {
            int b = cfg.Rpo[i];
            if (cfg.InLoop(b, header))
            {
                _body.Add(b);
                for (int id = f.Blocks[b].First; id >= 0; id = f[id].Next)
                {
                    writes |= AliasClasses.Writes(f, id);
                }
            }
        }
        int moved = 0;
        // Not with on-stack-replacement entries: an entry reaches an inner loop's header without passing the outer
        // loops' preheaders, so a limit hoisted there would not be made on its path.
        if ((writes & AliasClasses.MemoryLength) == 0 && f.OsrEntries.Count == 0)
        {
            moved += AddBoundsLimits(f, preheader);
        }
        foreach (int b in _body)
        {
            int id = f.Blocks[b].First;
            while (id >= 0)
            {
                int next = f[id].Next;
                if (CanHoist(f, id, writes) && OperandsOutside(f, cfg, id, header))
                {
                    f.MoveToEnd(id, preheader);
                    moved++;
                }
                id = next;
            }
        }
        return moved;
    }

    private readonly List<(long End, int Limit)> _limits = new();

    /// <summary>Gives the loop's bounds checks of variable addresses their limits, made in the preheader; returns how many were made.</summary>
    private int AddBoundsLimits(IrFunction f, int preheader)
    {
        _limits.Clear();
        // An inner loop's limits (in its preheader, inside this loop) serve this loop too: they are hoisted with the rest.
        foreach (int b in _body)
        {
            for (int id = f.Blocks[b].First; id >= 0; id = f[id].Next)
            {
                if (f[id].Op == Op.BoundsLimit && LimitFor(f[id].Imm) < 0)
                {
                    _limits.Add((f[id].Imm, id));
                }
            }
        }
        int made = 0;
        foreach (int b in _body)
        {
            for (int id = f.Blocks[b].First; id >= 0; id = f[id].Next)
            {
                ref Inst check = ref f[id];
                // A check guard pages cover becomes its access's fault site: it needs no limit.
                if (check.Op != Op.BoundsCheck || check.A < 0 || check.B >= 0 || check.Imm > int.MaxValue
                    || check.Aux == OpInfo.GuardedCheck || f[check.A].Op == Op.Const)
                {
                    continue;
                }
                long end = check.Imm;
                int limit = LimitFor(end);
                if (limit < 0)
                {
                    limit = f.NewInst(Op.BoundsLimit, ValType.I64, imm: end, wasmOffset: f[id].WasmOffset);
                    f.InsertBefore(limit, f.Terminator(preheader));
                    _limits.Add((end, limit));
                    made++;
                }
                f[id].B = limit;
            }
        }
        return made;
    }

    private int LimitFor(long end)
    {
        foreach (var (e, limit) in _limits)
        {
            if (e == end)
            {
                return limit;
            }
        }
        return -1;
    }

    private static bool CanHoist(IrFunction f, int id, ulong loopWrites)
    {
        Op op = f[id].Op;
        if (OpInfo.IsPure(op))
        {
            return true;
        }
        return op is Op.MemorySize or Op.BoundsLimit or Op.GlobalGet or Op.TableSize && (AliasClasses.Reads(f, id) & loopWrites) == 0;
    }

    private static bool OperandsOutside(IrFunction f, ControlFlow cfg, int id, int header)
    {
        ref Inst inst = ref f[id];
        int mask = OpInfo.ValueFieldMask(inst.Op);
        return ((mask & 1) == 0 || inst.A < 0 || !cfg.InLoop(f[inst.A].Block, header))
            && ((mask & 2) == 0 || inst.B < 0 || !cfg.InLoop(f[inst.B].Block, header))
            && ((mask & 4) == 0 || inst.C < 0 || !cfg.InLoop(f[inst.C].Block, header));
    }
}
