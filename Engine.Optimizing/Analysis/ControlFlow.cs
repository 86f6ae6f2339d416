using Engine.Optimizing.Ir;

namespace Engine.Optimizing.Analysis;

/// <summary>
/// The control-flow facts of an <see cref="IrFunction"/>: successors and predecessors (compact, by block id),
/// a reverse postorder of the reachable blocks, the dominator tree (every entry block hangs from a virtual
/// root, so no entry dominates another's code), and the natural loops (header, depth, innermost loop of
/// each block). Recomputed after a pass changes the graph; the arrays stay allocated between functions.
/// </summary>
internal sealed class ControlFlow
{
    public int BlockCount;
    public int[] SuccStart = new int[33];
    public int[] Succs = new int[64];
    public int[] PredStart = new int[33];
    public int[] Preds = new int[64];
    /// <summary>Reachable blocks in reverse postorder (entries first).</summary>
    public int[] Rpo = new int[32];
    public int RpoCount;
    /// <summary>Position of each block in <see cref="Rpo"/>, -1 when unreachable.</summary>
    public int[] RpoIndex = new int[32];
    /// <summary>Immediate dominator; -1 for entries (the virtual root) and unreachable blocks.</summary>
    public int[] Idom = new int[32];
    /// <summary>Dominator tree children (compact, by block id).</summary>
    public int[] ChildStart = new int[33];
    public int[] Children = new int[32];
    /// <summary>Preorder and postorder numbers in the dominator tree (a dominates b iff pre[a] &lt;= pre[b] and post[b] &lt;= post[a]).</summary>
    public int[] DomPre = new int[32];
    public int[] DomPost = new int[32];
    /// <summary>The blocks in dominator-tree preorder (from the virtual root's children).</summary>
    public int[] DomOrder = new int[32];
    /// <summary>The innermost loop header containing the block (itself for a header), -1 outside loops.</summary>
    public int[] LoopHeader = new int[32];
    /// <summary>Loop nesting depth (0 outside loops).</summary>
    public int[] LoopDepth = new int[32];
    /// <summary>For a loop header: the header of the enclosing loop, or -1.</summary>
    public int[] ParentLoop = new int[32];
    /// <summary>The loop headers, outer loops before the loops they contain.</summary>
    public readonly List<int> Headers = new();

    private int[] _work = new int[64];
    private int[] _counts = new int[33];

    public void Compute(IrFunction f)
    {
        int n = f.BlockCount;
        BlockCount = n;
        Ensure(n);
        ComputeEdges(f);
        ComputeRpo(f);
        ComputeDominators(f);
        ComputeLoops();
    }

    private void Ensure(int n)
    {
        if (RpoIndex.Length < n)
        {
            int size = Math.Max(n, RpoIndex.Length * 2);
            SuccStart = new int[size + 1];
            PredStart = new int[size + 1];
            Rpo = new int[size];
            RpoIndex = new int[size];
            Idom = new int[size];
            ChildStart = new int[size + 1];
            Children = new int[size];
            DomPre = new int[size];
            DomPost = new int[size];
            DomOrder = new int[size];
            LoopHeader = new int[size];
            LoopDepth = new int[size];
            ParentLoop = new int[size];
            _work = new int[2 * size];
            _counts = new int[size + 1];
        }
    }

    public ReadOnlySpan<int> SuccessorsOf(int block) => Succs.AsSpan(SuccStart[block], SuccStart[block + 1] - SuccStart[block]);

    public ReadOnlySpan<int> PredecessorsOf(int block) => Preds.AsSpan(PredStart[block], PredStart[block + 1] - PredStart[block]);

    public ReadOnlySpan<int> ChildrenOf(int block) => Children.AsSpan(ChildStart[block], ChildStart[block + 1] - ChildStart[block]);

    public bool IsReachable(int block) => RpoIndex[block] >= 0;

    /// <summary>True when <paramref name="a"/> dominates <paramref name="b"/> (both reachable).</summary>
    public bool Dominates(int a, int b) => DomPre[a] <= DomPre[b] && DomPost[b] <= DomPost[a];

    private void ComputeEdges(IrFunction f)
    {
        int n = f.BlockCount;
        int total = 0;
        for (int b = 0; b < n; b++)
        {
            SuccStart[b] = total;
            if (f.Blocks[b].Removed)
            {
                continue;
            }
            int t = f.Terminator(b);
            if (t >= 0)
            {
                total += f.SuccessorCount(t);
            }
        }
        SuccStart[n] = total;
        if (Succs.Length < total)
        {
            Succs = new int[Math.Max(total, Succs.Length * 2)];
            Preds = new int[Succs.Length];
        }
        Array.Clear(_counts, 0, n + 1);
        for (int b = 0; b < n; b++)
        {
            int k = SuccStart[b];
            if (SuccStart[b + 1] == k)
            {
                continue;
            }
            int t = f.Terminator(b);
            int count = f.SuccessorCount(t);
            for (int i = 0; i < count; i++)
            {
                int s = f.Calls[f.SuccessorCall(t, i)].Block;
                Succs[k + i] = s;
                _counts[s]++;
            }
        }
        int start = 0;
        for (int b = 0; b < n; b++)
        {
            PredStart[b] = start;
            start += _counts[b];
            _counts[b] = PredStart[b];
        }
        PredStart[n] = start;
        for (int b = 0; b < n; b++)
        {
            for (int k = SuccStart[b]; k < SuccStart[b + 1]; k++)
            {
                Preds[_counts[Succs[k]]++] = b;
            }
        }
    }

    /// <summary>Reverse postorder by an iterative depth-first search from every entry (block 0 first).</summary>
    private void ComputeRpo(IrFunction f)
    {
        int n = f.BlockCount;
        Array.Fill(RpoIndex, -1, 0, n);
        // RpoIndex doubles as the visited mark (-2 = on the stack or done) until the order is known.
        int post = 0;
        Span<int> order = _counts.AsSpan(0, n);
        int[] stack = _work;
        void Visit(int root, Span<int> order)
        {
            if (RpoIndex[root] != -1)
            {
                return;
            }
            int sp = 0;
            stack[sp++] = root;
            stack[sp++] = SuccStart[root];
            RpoIndex[root] = -2;
            while (sp > 0)
            {
                int block = stack[sp - 2];
                int next = stack[sp - 1];
                if (next < SuccStart[block + 1])
                {
                    stack[sp - 1] = next + 1;
                    int s = Succs[next];
                    if (RpoIndex[s] == -1)
                    {
                        RpoIndex[s] = -2;
                        stack[sp++] = s;
                        stack[sp++] = SuccStart[s];
                    }
                }
                else
                {
                    order[post++] = block;
                    sp -= 2;
                }
            }
        }
        // Later entries first, so that block 0 ends up first in reverse postorder.
        for (int b = n - 1; b > 0; b--)
        {
            if (!f.Blocks[b].Removed && f.Blocks[b].IsEntry)
            {
                Visit(b, order);
            }
        }
        Visit(0, order);
        RpoCount = post;
        for (int i = 0; i < post; i++)
        {
            int block = order[post - 1 - i];
            Rpo[i] = block;
        }
        Array.Fill(RpoIndex, -1, 0, n);
        for (int i = 0; i < post; i++)
        {
            RpoIndex[Rpo[i]] = i;
        }
    }

    /// <summary>Cooper, Harvey and Kennedy's iterative algorithm ("A Simple, Fast Dominance Algorithm") over the reverse postorder.</summary>
    private void ComputeDominators(IrFunction f)
    {
        int n = f.BlockCount;
        Array.Fill(Idom, -1, 0, n);
        const int Root = -2;
        // Entries are dominated by the virtual root only.
        for (int i = 0; i < RpoCount; i++)
        {
            int b = Rpo[i];
            if (f.Blocks[b].IsEntry)
            {
                Idom[b] = Root;
            }
        }
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int i = 0; i < RpoCount; i++)
            {
                int b = Rpo[i];
                if (f.Blocks[b].IsEntry)
                {
                    continue;
                }
                int newIdom = -1;
                foreach (int p in PredecessorsOf(b))
                {
                    if (RpoIndex[p] < 0 || Idom[p] == -1)
                    {
                        continue;
                    }
                    newIdom = newIdom == -1 ? p : Intersect(p, newIdom);
                }
                if (Idom[b] != newIdom)
                {
                    Idom[b] = newIdom;
                    changed = true;
                }
            }
        }
        for (int i = 0; i < RpoCount; i++)
        {
            if (Idom[Rpo[i]] == Root)
            {
                Idom[Rpo[i]] = -1;
            }
        }
        BuildDominatorTree(n);
    }

    private int Intersect(int a, int b)
    {
        while (a != b)
        {
            if (a == -2 || b == -2)
            {
                return -2;
            }
            while (RpoIndex[a] > RpoIndex[b])
            {
                a = Idom[a];
                if (a == -2)
                {
                    return -2;
                }
            }
            while (RpoIndex[b] > RpoIndex[a])
            {
                b = Idom[b];
                if (b == -2)
                {
                    return -2;
                }
            }
        }
        return a;
    }

    private void BuildDominatorTree(int n)
    {
        Array.Clear(_counts, 0, n + 1);
        for (int i = 0; i < RpoCount; i++)
        {
            int d = Idom[Rpo[i]];
            if (d >= 0)
            {
                _counts[d]++;
            }
        }
        int start = 0;
        for (int b = 0; b < n; b++)
        {
            ChildStart[b] = start;
            start += _counts[b];
            _counts[b] = ChildStart[b];
        }
        ChildStart[n] = start;
        // Children in reverse postorder.
        for (int i = 0; i < RpoCount; i++)
        {
            int b = Rpo[i];
            int d = Idom[b];
            if (d >= 0)
            {
                Children[_counts[d]++] = b;
            }
        }
        // Pre/post numbering by an iterative walk from each entry (roots in reverse postorder).
        int pre = 0, post = 0, order = 0;
        int[] stack = _work;
        for (int i = 0; i < RpoCount; i++)
        {
            int root = Rpo[i];
            if (Idom[root] != -1)
            {
                continue;
            }
            int sp = 0;
            stack[sp++] = root;
            stack[sp++] = ChildStart[root];
            DomPre[root] = pre++;
            DomOrder[order++] = root;
            while (sp > 0)
            {
                int block = stack[sp - 2];
                int next = stack[sp - 1];
                if (next < ChildStart[block + 1])
                {
                    stack[sp - 1] = next + 1;
                    int c = Children[next];
                    DomPre[c] = pre++;
                    DomOrder[order++] = c;
                    stack[sp++] = c;
                    stack[sp++] = ChildStart[c];
                }
                else
                {
                    DomPost[block] = post++;
                    sp -= 2;
                }
            }
        }
    }

    /// <summary>Natural loops: a back edge goes to a block that dominates its source; the body is found walking predecessors back to the header.</summary>
    private void ComputeLoops()
    {
        Headers.Clear();
        for (int i = 0; i < RpoCount; i++)
        {
            int b = Rpo[i];
            LoopHeader[b] = -1;
            LoopDepth[b] = 0;
            ParentLoop[b] = -1;
        }
        // Headers in reverse postorder: an enclosing loop's header comes before the headers it contains.
        for (int i = 0; i < RpoCount; i++)
        {
            int h = Rpo[i];
            bool isHeader = false;
            foreach (int p in PredecessorsOf(h))
            {
                if (RpoIndex[p] >= 0 && Dominates(h, p))
                {
                    isHeader = true;
                    break;
                }
            }
            if (!isHeader)
            {
                continue;
            }
            Headers.Add(h);
            ParentLoop[h] = LoopHeader[h];
            int depth = LoopHeader[h] >= 0 ? LoopDepth[LoopHeader[h]] + 1 : 1;
            // Walk back from the latches; every block reached (dominated by h) is in the loop.
            int sp = 0;
            int[] stack = _work;
            int mark = h;
            LoopHeader[h] = h;
            LoopDepth[h] = depth;
            foreach (int p in PredecessorsOf(h))
            {
                if (RpoIndex[p] >= 0 && p != h && Dominates(h, p) && LoopHeader[p] != mark)
                {
                    LoopHeader[p] = mark;
                    LoopDepth[p] = depth;
                    stack[sp++] = p;
                }
            }
            while (sp > 0)
            {
                int b = stack[--sp];
                foreach (int p in PredecessorsOf(b))
                {
                    if (RpoIndex[p] >= 0 && p != h && LoopHeader[p] != mark && Dominates(h, p))
                    {
                        LoopHeader[p] = mark;
                        LoopDepth[p] = depth;
                        stack[sp++] = p;
                    }
                }
            }
        }
    }

    /// <summary>True when <paramref name="block"/> is inside the loop headed by <paramref name="header"/> (at any depth).</summary>
    public bool InLoop(int block, int header)
    {
        for (int h = LoopHeader[block]; h >= 0; h = ParentLoop[h])
        {
            if (h == header)
            {
                return true;
            }
        }
        return false;
    }
}
