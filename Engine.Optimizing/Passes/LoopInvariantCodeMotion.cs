using Engine.Optimizing.Analysis;
using Engine.Optimizing.Ir;

namespace Engine.Optimizing.Passes;

/// <summary>
/// Loop-invariant code motion: moves to the loop's preheader every instruction of the loop whose operands
/// all come from outside it, when running it there is safe and means the same: pure instructions (they cannot
/// trap, so running one the loop would have skipped costs only time), and reads of state the loop never
/// writes (<c>memory.size</c> and the bounds checks' memory length when the loop makes no call and no
/// <c>memory.grow</c>, globals the loop does not set, table sizes). Inner loops first, so an invariant
/// moves out as far as it can. Linear-memory loads stay: they depend on their bounds check.
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

    private static bool CanHoist(IrFunction f, int id, ulong loopWrites)
    {
        Op op = f[id].Op;
        if (OpInfo.IsPure(op))
        {
            return true;
        }
        return op is Op.MemorySize or Op.GlobalGet or Op.TableSize && (AliasClasses.Reads(f, id) & loopWrites) == 0;
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
