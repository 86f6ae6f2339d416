using Engine.Optimizing.Analysis;
using Engine.Optimizing.Ir;

namespace Engine.Optimizing.Passes;

/// <summary>
/// Dead-code elimination by marking: instructions with an effect (stores, calls, traps and possible traps,
/// terminators) are live, and so is everything a live instruction uses; a block parameter is live only
/// when something live uses it, and then so are the arguments every edge passes for it. Everything else
/// is removed, parameters with the arguments passed for them. Also removes unreachable blocks and merges a
/// block into its only predecessor when that predecessor just jumps to it.
/// </summary>
internal sealed class DeadCode
{
    private bool[] _live = new bool[256];
    private int[] _work = new int[256];
    private int _workCount;
    private int[] _callStamp = new int[64];
    private int _stamp;
    private int[] _replace = new int[256];

    /// <summary>Removes the blocks no entry reaches (the graph must be current in <paramref name="cfg"/>); true if any was removed.</summary>
    public static bool RemoveUnreachable(IrFunction f, ControlFlow cfg)
    {
        bool removed = false;
        for (int b = 0; b < f.BlockCount; b++)
        {
            if (!f.Blocks[b].Removed && !cfg.IsReachable(b))
            {
                f.RemoveBlock(b);
                removed = true;
            }
        }
        for (int i = f.OsrEntries.Count - 1; i >= 0; i--)
        {
            if (f.Blocks[f.OsrEntries[i].Block].Removed)
            {
                f.OsrEntries.RemoveAt(i);
            }
        }
        return removed;
    }

    /// <summary>Marks and sweeps (the graph must be current in <paramref name="cfg"/>).</summary>
    public void Run(IrFunction f, ControlFlow cfg)
    {
        int n = f.InstCount;
        if (_live.Length < n)
        {
            _live = new bool[Math.Max(n, _live.Length * 2)];
            _work = new int[_live.Length];
        }
        Array.Clear(_live, 0, n);
        _workCount = 0;
        for (int b = f.LayoutFirst; b >= 0; b = f.Blocks[b].LayoutNext)
        {
            for (int id = f.Blocks[b].First; id >= 0; id = f[id].Next)
            {
                if (HasEffect(f[id].Op))
                {
                    MarkLive(id);
                }
            }
        }
        while (_workCount > 0)
        {
            int id = _work[--_workCount];
            MarkOperands(f, cfg, id);
        }
        Sweep(f, cfg);
    }

    private static bool HasEffect(Op op) =>
        (OpInfo.Flags(op) & (OpFlags.CanTrap | OpFlags.Writes | OpFlags.Terminator)) != 0
        || op is Op.Call or Op.CallIndirect or Op.CallBuiltin or Op.ReturnCall or Op.ReturnCallIndirect;

    private void MarkLive(int id)
    {
        if (!_live[id])
        {
            _live[id] = true;
            _work[_workCount++] = id;
        }
    }

    private void MarkOperands(IrFunction f, ControlFlow cfg, int id)
    {
        ref Inst inst = ref f[id];
        int mask = OpInfo.ValueFieldMask(inst.Op);
        if ((mask & 1) != 0 && inst.A >= 0)
        {
            MarkLive(inst.A);
        }
        if ((mask & 2) != 0 && inst.B >= 0)
        {
            MarkLive(inst.B);
        }
        if ((mask & 4) != 0 && inst.C >= 0)
        {
            MarkLive(inst.C);
        }
        if ((OpInfo.Flags(inst.Op) & OpFlags.PoolOperands) != 0)
        {
            foreach (int v in f.PoolOperands(id))
            {
                MarkLive(v);
            }
        }
        if (inst.Op == Op.CallResult)
        {
            MarkLive(inst.A);
        }
        else if (inst.Op == Op.BlockParam)
        {
            int block = inst.Block;
            int position = inst.Aux;
            foreach (int pred in cfg.PredecessorsOf(block))
            {
                int t = f.Terminator(pred);
                int count = f.SuccessorCount(t);
                for (int s = 0; s < count; s++)
                {
                    int call = f.SuccessorCall(t, s);
                    if (f.Calls[call].Block == block)
                    {
                        MarkLive(f.Pool[f.Calls[call].ArgStart + position]);
                    }
                }
            }
        }
    }

    private void Sweep(IrFunction f, ControlFlow cfg)
    {
        for (int b = f.LayoutFirst; b >= 0; b = f.Blocks[b].LayoutNext)
        {
            int id = f.Blocks[b].First;
            bool paramsChanged = false;
            while (id >= 0)
            {
                int next = f[id].Next;
                if (!_live[id])
                {
                    if (f[id].Op == Op.BlockParam)
                    {
                        paramsChanged = true;
                    }
                    else
                    {
                        f.Remove(id);
                    }
                }
                id = next;
            }
            if (paramsChanged)
            {
                RemoveDeadParams(f, cfg, b);
            }
        }
    }

    /// <summary>Removes the dead parameters of <paramref name="block"/> and the arguments every edge passes for them.</summary>
    private void RemoveDeadParams(IrFunction f, ControlFlow cfg, int block)
    {
        int paramCount = f.Blocks[block].ParamCount;
        Span<bool> keep = paramCount <= 256 ? stackalloc bool[paramCount] : new bool[paramCount];
        int p = f.Blocks[block].First;
        for (int i = 0; i < paramCount; i++)
        {
            keep[i] = _live[p];
            p = f[p].Next;
        }
        if (_callStamp.Length < f.CallCount)
        {
            _callStamp = new int[Math.Max(f.CallCount, _callStamp.Length * 2)];
            _stamp = 0;
        }
        int stamp = ++_stamp;
        foreach (int pred in cfg.PredecessorsOf(block))
        {
            int t = f.Terminator(pred);
            int count = f.SuccessorCount(t);
            for (int s = 0; s < count; s++)
            {
                int call = f.SuccessorCall(t, s);
                if (f.Calls[call].Block != block || _callStamp[call] == stamp)
                {
                    continue;
                }
                _callStamp[call] = stamp;
                ref BlockCall c = ref f.Calls[call];
                int kept = 0;
                for (int i = 0; i < c.ArgCount; i++)
                {
                    if (keep[i])
                    {
                        f.Pool[c.ArgStart + kept++] = f.Pool[c.ArgStart + i];
                    }
                }
                c.ArgCount = kept;
            }
        }
        p = f.Blocks[block].First;
        int position = 0;
        for (int i = 0; i < paramCount; i++)
        {
            int next = f[p].Next;
            if (keep[i])
            {
                f[p].Aux = position++;
            }
            else
            {
                f.Remove(p);
            }
            p = next;
        }
        f.Blocks[block].ParamCount = position;
    }

    /// <summary>
    /// Merges each block into its predecessor when that predecessor ends in a jump to it and it has no other
    /// predecessor (nor is an entry or a loop header): its parameters become the jump's arguments. True if any merged.
    /// </summary>
    public bool MergeBlocks(IrFunction f, ControlFlow cfg)
    {
        if (_replace.Length < f.InstCount)
        {
            _replace = new int[Math.Max(f.InstCount, _replace.Length * 2)];
        }
        Array.Fill(_replace, -1, 0, f.InstCount);
        bool merged = false;
        for (int b = f.LayoutFirst; b >= 0; b = f.Blocks[b].LayoutNext)
        {
            // Follow the chain from b as long as it jumps to a block only it reaches.
            while (true)
            {
                int t = f.Terminator(b);
                if (t < 0 || f[t].Op != Op.Jump)
                {
                    break;
                }
                int call = f[t].A;
                int target = f.Calls[call].Block;
                ref Block tb = ref f.Blocks[target];
                if (target == b || tb.IsEntry || tb.IsLoopHeader || cfg.PredecessorsOf(target).Length != 1)
                {
                    break;
                }
                // Parameters become the arguments.
                int p = tb.First;
                for (int i = 0; i < tb.ParamCount; i++)
                {
                    int next = f[p].Next;
                    _replace[p] = f.Pool[f.Calls[call].ArgStart + i];
                    f.Remove(p);
                    p = next;
                }
                f.Blocks[target].ParamCount = 0;
                f.Remove(t);
                // Move the target's instructions to the end of b.
                int id = f.Blocks[target].First;
                while (id >= 0)
                {
                    int next = f[id].Next;
                    f.Unlink(id);
                    f.Append(b, id);
                    id = next;
                }
                f.RemoveBlock(target);
                merged = true;
                // The graph changed for b: its successors are now the target's. Keep merging along b's new jump,
                // which needs the target's predecessor count: those were counted from the old graph, still true
                // for blocks other than b's old successor.
            }
        }
        if (merged)
        {
            RewriteUses(f, _replace);
        }
        return merged;
    }

    /// <summary>Replaces every use of a value v with <paramref name="replace"/>[v] (followed transitively) where that is not -1.</summary>
    public static void RewriteUses(IrFunction f, int[] replace)
    {
        for (int b = f.LayoutFirst; b >= 0; b = f.Blocks[b].LayoutNext)
        {
            for (int id = f.Blocks[b].First; id >= 0; id = f[id].Next)
            {
                RewriteOperands(f, id, replace);
            }
        }
    }

    /// <summary>
    /// Replaces each value operand v of instruction <paramref name="id"/> (its fields, pool operands and branch
    /// arguments) with <paramref name="replace"/>[v], followed transitively, where that is not -1: the one rewrite
    /// of dead-code elimination and value numbering.
    /// </summary>
    public static void RewriteOperands(IrFunction f, int id, int[] replace)
    {
        ref Inst inst = ref f[id];
        int mask = OpInfo.ValueFieldMask(inst.Op);
        if ((mask & 1) != 0 && inst.A >= 0)
        {
            inst.A = Resolve(replace, inst.A);
        }
        if ((mask & 2) != 0 && inst.B >= 0)
        {
            inst.B = Resolve(replace, inst.B);
        }
        if ((mask & 4) != 0 && inst.C >= 0)
        {
            inst.C = Resolve(replace, inst.C);
        }
        if ((OpInfo.Flags(inst.Op) & OpFlags.PoolOperands) != 0)
        {
            Span<int> operands = f.PoolOperands(id);
            for (int i = 0; i < operands.Length; i++)
            {
                operands[i] = Resolve(replace, operands[i]);
            }
        }
        if (OpInfo.IsTerminator(inst.Op))
        {
            int count = f.SuccessorCount(id);
            for (int s = 0; s < count; s++)
            {
                Span<int> args = f.CallArgs(f.SuccessorCall(id, s));
                for (int i = 0; i < args.Length; i++)
                {
                    args[i] = Resolve(replace, args[i]);
                }
            }
        }
    }

    /// <summary>
    /// The end of <paramref name="value"/>'s chain in <paramref name="replace"/> (-1 ends it); the chain is
    /// compressed on the way, so later lookups take one step.
    /// </summary>
    public static int Resolve(int[] replace, int value)
    {
        int v = value;
        while (replace[v] >= 0)
        {
            v = replace[v];
        }
        while (replace[value] >= 0 && replace[value] != v)
        {
            int next = replace[value];
            replace[value] = v;
            value = next;
        }
        return v;
    }
}
