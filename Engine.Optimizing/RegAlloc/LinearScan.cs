using System.Numerics;
using System.Runtime.InteropServices;
using Engine.Optimizing.Lir;

namespace Engine.Optimizing.RegAlloc;

/// <summary>A copy the allocator needs between two instructions (or on an edge): from one location to another.</summary>
/// <param name="Before">The instruction it goes before.</param>
/// <param name="From">Source location (<see cref="Location"/>).</param>
/// <param name="To">Destination location.</param>
/// <param name="VReg">The virtual register moved (its type gives the width).</param>
/// <param name="AfterEdge">
/// A split between an instruction's uses and its definitions (an odd position): a second parallel move, after the
/// moves before the same instruction at its uses (a block's incoming edge moves, the reload of a value that is used
/// there and then evicted by a definition), since it reads what they write.
/// </param>
public readonly record struct AllocMove(int Before, int From, int To, int VReg, bool AfterEdge = false)
{
    /// <summary>The order moves are emitted in: by instruction, the moves at its uses before those at its definitions.</summary>
    public long SortKey => 2L * Before + (AfterEdge ? 1 : 0);
}

/// <summary>
/// Register allocation by linear scan over live intervals with splitting, after Wimmer and Mössenböck
/// ("Optimized Interval Splitting in a Linear Scan Register Allocator", VEE 2005), the design of HotSpot's
/// client compiler.
/// </summary>
/// <remarks>
/// <para><b>Positions</b>: instruction i reads its uses at 2i and writes its definitions at 2i+1; a block
/// covers [2·first, 2·end). A live interval is a list of ranges and of use positions; physical registers
/// have fixed intervals (their uses as fixed operands, and the calls that clobber them).</para>
/// <para><b>Scan</b>: intervals in order of start. A free register is taken for as long as it is free (the
/// hinted one first: the other side of a move, so copies coalesce); if it is free for only part of the
/// interval, the interval is split there. When none is free, the register whose next use is furthest away
/// is taken from its holder (split and spilled up to its next use), or the current interval itself is
/// spilled up to its first use that needs a register. Split positions are moved to the block boundary of
/// least loop depth available, so spills and reloads land outside loops (the spill weight by loop depth).
/// Values live across a call end up in callee-saved registers (rbx, r12, r13) or in their spill slot;
/// externrefs never take callee-saved registers, so an externref live across a call is always in its
/// frame slot there, where the stack map lists it.</para>
/// <para><b>Resolution</b>: moves where an interval was split inside a block, and on control-flow edges
/// where a value's location differs between the end of the predecessor and the start of the successor
/// (critical edges are split before allocation). Moves at one point form a parallel move the emitter
/// sequentializes.</para>
/// </remarks>
internal sealed class LinearScan
{
    private const int MaxPos = int.MaxValue;

    private struct Range
    {
        public int From;
        public int To;
    }

    private struct Use
    {
        public int Pos;
        public bool MustReg;
    }

    private struct Interval
    {
        public int Reg;
        public int Assigned;
        public bool OnStack;
        public int RangeStart;
        public int RangeCount;
        public int UseStart;
        public int UseCount;
        public int Next;
        public int Cursor;
    }

    private LirFunction _lir = null!;
    private int _regCount;
    private int _words;

    // Liveness (bit sets over virtual registers, per block).
    private ulong[] _gen = new ulong[64];
    private ulong[] _kill = new ulong[64];
    private ulong[] _liveIn = new ulong[64];
    private ulong[] _scratchSet = new ulong[16];

    // Interval construction (descending per register while building, then grouped ascending).
    private int[] _buildReg = new int[256];
    private Range[] _buildRange = new Range[256];
    private int _buildCount;
    private int[] _lastRange = new int[64];
    private int[] _buildUseReg = new int[256];
    private Use[] _buildUse = new Use[256];
    private int _buildUseCount;
    private int[] _counts = new int[64];

    private Range[] _ranges = new Range[256];
    private int _rangeCount;
    private Use[] _uses = new Use[256];
    private int _useCount;
    private Interval[] _iv = new Interval[64];
    // For an interval in the active list, the end of the range it is in (it stays active while the scan is before it);
    // in the inactive list, the start of its next range (it stays inactive before that, and no other interval can
    // intersect it earlier). Indexed like _iv; valid only for the intervals in the two lists.
    private int[] _change = new int[64];
    private int _ivCount;
    private int[] _hint = new int[64];

    // Scan state.
    // The unhandled intervals: the intervals of the virtual registers sorted by their keys (taken in order from _nextSorted),
    // and a heap of the split children queued during the scan; the scan takes the smaller key of the two.
    private long[] _sorted = new long[64];
    private int _sortedCount;
    private int _nextSorted;
    private long[] _heap = new long[64];
    private int _heapCount;
    private readonly List<int> _active = new();
    private readonly List<int> _inactive = new();
    private readonly List<int> _toInactive = new();
    private readonly int[] _freeUntil = new int[PhysicalRegisters.Count];
    private readonly int[] _nextUse = new int[PhysicalRegisters.Count];
    private readonly int[] _blockPos = new int[PhysicalRegisters.Count];

    // Blocks by position, for split-position choices.
    private int[] _blockOfInst = new int[256];

    // Results.
    private int[] _spillSlot = new int[64];
    private int _spillBytes;
    private ulong _usedCalleeSaved;

    /// <summary>Moves to insert, sorted by the instruction they go before (edge moves at a block's start or before its terminator).</summary>
    public readonly List<AllocMove> Moves = new();

    /// <summary>Bytes of spill slots used (offsets from the spill base given to <see cref="Run"/>).</summary>
    public int SpillBytes => _spillBytes;

    /// <summary>The callee-saved registers (rbx, r12, r13) some value was given (the prologue saves them).</summary>
    public IEnumerable<int> UsedCalleeSaved
    {
        get
        {
            foreach (int r in new[] { PhysicalRegisters.Rbx, PhysicalRegisters.R12, PhysicalRegisters.R13 })
            {
                if ((_usedCalleeSaved & (1UL << r)) != 0)
                {
                    yield return r;
                }
            }
        }
    }

    private int _spillBase;

    /// <summary>Where the allocator's phases add their time, or null.</summary>
    public OptimizingPhaseTimes? Times { get; set; }

    /// <summary>Check that no interval is queued behind the scan position (with the allocation checker; slow).</summary>
    public bool CheckScanOrder { get; set; }

    /// <summary>Allocates registers for <paramref name="lir"/>: sets every operand's location and fills <see cref="Moves"/>. Spill slots start at byte <paramref name="spillBase"/> from rsp.</summary>
    public void Run(LirFunction lir, int spillBase)
    {
        _lir = lir;
        _regCount = lir.VRegCount;
        _spillBase = spillBase;
        _spillBytes = 0;
        _usedCalleeSaved = 0;
        Moves.Clear();
        long lap = Times is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
        Prepare();
        ComputeLiveness();
        Times?.Lap(OptimizingPhase.Liveness, ref lap);
        BuildIntervals();
        Times?.Lap(OptimizingPhase.Intervals, ref lap);
        Scan();
        Times?.Lap(OptimizingPhase.LinearScan, ref lap);
        AssignLocations();
        Resolve();
        Times?.Lap(OptimizingPhase.Resolution, ref lap);
        _lir = null!;
    }

    private readonly List<int> _references = new();

    private void Prepare()
    {
        _references.Clear();
        for (int v = PhysicalRegisters.Count; v < _regCount; v++)
        {
            if (_lir.VRegs[v].IsExternRef)
            {
                _references.Add(v);
            }
        }
        int n = _regCount;
        if (_lastRange.Length < n || _counts.Length < n + 1)
        {
            int size = Math.Max(n, _lastRange.Length * 2);
            _lastRange = new int[size];
            _counts = new int[size + 1];
            _hint = new int[size];
            _hintDepth = new int[size];
            _spillSlot = new int[size];
        }
        Array.Fill(_lastRange, -1, 0, n);
        Array.Fill(_hint, -1, 0, n);
        Array.Fill(_spillSlot, -1, 0, n);
        _buildCount = 0;
        _buildUseCount = 0;
        if (_blockOfInst.Length < _lir.InstCount)
        {
            _blockOfInst = new int[Math.Max(_lir.InstCount, _blockOfInst.Length * 2)];
        }
        for (int b = 0; b < _lir.BlockCount; b++)
        {
            for (int i = _lir.Blocks[b].First; i < _lir.Blocks[b].End; i++)
            {
                _blockOfInst[i] = b;
            }
        }
    }

    // ---- liveness ----

    private void ComputeLiveness()
    {
        LirFunction lir = _lir;
        int blocks = lir.BlockCount;
        _words = Math.Max(1, (_regCount - PhysicalRegisters.Count + 63) >> 6);
        int size = blocks * _words;
        if (_gen.Length < size)
        {
            int alloc = Math.Max(size, _gen.Length * 2);
            _gen = new ulong[alloc];
            _kill = new ulong[alloc];
            _liveIn = new ulong[alloc];
        }
        Array.Clear(_gen, 0, size);
        Array.Clear(_kill, 0, size);
        Array.Clear(_liveIn, 0, size);
        if (_scratchSet.Length < _words)
        {
            _scratchSet = new ulong[_words * 2];
        }
        for (int b = 0; b < blocks; b++)
        {
            Span<ulong> gen = _gen.AsSpan(b * _words, _words);
            Span<ulong> kill = _kill.AsSpan(b * _words, _words);
            for (int i = lir.Blocks[b].First; i < lir.Blocks[b].End; i++)
            {
                Span<LOperand> ops = lir.OperandsOf(i);
                foreach (ref LOperand op in ops)
                {
                    if (op.Reg >= PhysicalRegisters.Count && op.Kind is OperandKind.Use or OperandKind.UseDef)
                    {
                        int v = op.Reg - PhysicalRegisters.Count;
                        if ((kill[v >> 6] & (1UL << v)) == 0)
                        {
                            gen[v >> 6] |= 1UL << v;
                        }
                    }
                }
                foreach (ref LOperand op in ops)
                {
                    if (op.Reg >= PhysicalRegisters.Count && op.Kind is OperandKind.Def or OperandKind.UseDef or OperandKind.EarlyDef or OperandKind.Temp)
                    {
                        int v = op.Reg - PhysicalRegisters.Count;
                        kill[v >> 6] |= 1UL << v;
                    }
                }
            }
        }
        // Blocks are in code order: when every edge goes forward, one backward pass is the fixed point; with an edge back
        // (a loop's) the passes repeat until nothing changes.
        bool loops = false;
        for (int b = 0; b < blocks && !loops; b++)
        {
            foreach (int s in lir.Successors(b))
            {
                loops |= s <= b;
            }
        }
        bool changed = true;
        Span<ulong> outSet = _scratchSet.AsSpan(0, _words);
        while (changed)
        {
            changed = false;
            for (int b = blocks - 1; b >= 0; b--)
            {
                outSet.Clear();
                foreach (int s in lir.Successors(b))
                {
                    Span<ulong> sIn = _liveIn.AsSpan(s * _words, _words);
                    for (int w = 0; w < _words; w++)
                    {
                        outSet[w] |= sIn[w];
                    }
                }
                Span<ulong> gen = _gen.AsSpan(b * _words, _words);
                Span<ulong> kill = _kill.AsSpan(b * _words, _words);
                Span<ulong> liveIn = _liveIn.AsSpan(b * _words, _words);
                for (int w = 0; w < _words; w++)
                {
                    ulong value = gen[w] | (outSet[w] & ~kill[w]);
                    if (value != liveIn[w])
                    {
                        liveIn[w] = value;
                        changed = loops;
                    }
                }
            }
        }
    }

    private bool LiveIn(int block, int reg)
    {
        int v = reg - PhysicalRegisters.Count;
        return (_liveIn[block * _words + (v >> 6)] & (1UL << v)) != 0;
    }

    // ---- intervals ----

    private void AddRange(int reg, int from, int to)
    {
        int last = _lastRange[reg];
        if (last >= 0 && _buildRange[last].From <= to)
        {
            // Ranges arrive right to left: merge with the leftmost one so far when they touch.
            if (from < _buildRange[last].From)
            {
                _buildRange[last].From = from;
            }
            if (to > _buildRange[last].To)
            {
                _buildRange[last].To = to;
            }
            return;
        }
        if (_buildCount == _buildRange.Length)
        {
            Array.Resize(ref _buildRange, _buildCount * 2);
            Array.Resize(ref _buildReg, _buildCount * 2);
        }
        _buildReg[_buildCount] = reg;
        _buildRange[_buildCount] = new Range { From = from, To = to };
        _lastRange[reg] = _buildCount++;
    }

    /// <summary>A definition at <paramref name="pos"/>: the leftmost range starts there (or a dead definition gets a minimal range).</summary>
    private void SetFrom(int reg, int pos)
    {
        int last = _lastRange[reg];
        if (last >= 0 && _buildRange[last].From <= pos && pos < _buildRange[last].To)
        {
            _buildRange[last].From = pos;
            return;
        }
        AddRange(reg, pos, pos + 1);
    }

    private int[] _calls = new int[64];
    private int _callCount;

    private void AddCall(int pos)
    {
        if (_callCount == _calls.Length)
        {
            Array.Resize(ref _calls, _callCount * 2);
        }
        _calls[_callCount++] = pos;
    }

    /// <summary>The first call position <paramref name="iv"/> is live across (covers), or MaxPos.</summary>
    private int FirstCallIn(int iv)
    {
        if (_callCount == 0)
        {
            return MaxPos;
        }
        ref Interval it = ref _iv[iv];
        if (it.RangeCount == 0)
        {
            return MaxPos;
        }
        // The first call at or after the interval's start (calls are sorted ascending), then forward through the ranges.
        int from = _ranges[it.RangeStart].From;
        int lo = 0, hi = _callCount;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_calls[mid] < from)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        for (int k = 0; k < it.RangeCount && lo < _callCount; k++)
        {
            Range r = _ranges[it.RangeStart + k];
            while (lo < _callCount && _calls[lo] < r.From)
            {
                lo++;
            }
            if (lo < _callCount && _calls[lo] < r.To)
            {
                return _calls[lo];
            }
        }
        return MaxPos;
    }

    private void AddUse(int reg, int pos, bool mustReg)
    {
        if (_buildUseCount == _buildUse.Length)
        {
            Array.Resize(ref _buildUse, _buildUseCount * 2);
            Array.Resize(ref _buildUseReg, _buildUseCount * 2);
        }
        _buildUseReg[_buildUseCount] = reg;
        _buildUse[_buildUseCount++] = new Use { Pos = pos, MustReg = mustReg };
    }

    /// <summary>
    /// Hints that <paramref name="a"/> and <paramref name="b"/> (the two sides of a move at loop depth <paramref name="depth"/>)
    /// would best share a register; the move in the deepest loop wins (a loop counter's back edge over its exit).
    /// </summary>
    private void Hint(int a, int b, int depth)
    {
        if (a >= PhysicalRegisters.Count && (_hint[a] < 0 || depth > _hintDepth[a]))
        {
            _hint[a] = b;
            _hintDepth[a] = depth;
        }
        if (b >= PhysicalRegisters.Count && (_hint[b] < 0 || depth > _hintDepth[b]))
        {
            _hint[b] = a;
            _hintDepth[b] = depth;
        }
    }

    private int[] _hintDepth = new int[64];

    private void BuildIntervals()
    {
        LirFunction lir = _lir;
        _callCount = 0;
        for (int b = lir.BlockCount - 1; b >= 0; b--)
        {
            ref LBlock block = ref lir.Blocks[b];
            int blockFrom = 2 * block.First;
            int blockTo = 2 * block.End;
            // Live at the end: live at the start of a successor.
            Span<ulong> outSet = _scratchSet.AsSpan(0, _words);
            outSet.Clear();
            foreach (int s in lir.Successors(b))
            {
                Span<ulong> sIn = _liveIn.AsSpan(s * _words, _words);
                for (int w = 0; w < _words; w++)
                {
                    outSet[w] |= sIn[w];
                }
            }
            for (int w = 0; w < _words; w++)
            {
                ulong bits = outSet[w];
                while (bits != 0)
                {
                    int bit = BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    AddRange(PhysicalRegisters.Count + (w << 6) + bit, blockFrom, blockTo);
                }
            }
            for (int i = block.End - 1; i >= block.First; i--)
            {
                int pos = 2 * i;
                LOp op = lir.Insts[i].Op;
                if (LOpInfo.Clobbers(op))
                {
                    // One position for all the caller-saved registers (instead of a range in each of their fixed intervals).
                    AddCall(pos + 1);
                }
                Span<LOperand> ops = lir.OperandsOf(i);
                foreach (ref LOperand o in ops)
                {
                    switch (o.Kind)
                    {
                        case OperandKind.Def:
                            SetFrom(o.Reg, pos + 1);
                            AddUse(o.Reg, pos + 1, !o.AllowStack);
                            break;
                        case OperandKind.EarlyDef:
                            SetFrom(o.Reg, pos);
                            AddUse(o.Reg, pos, true);
                            break;
                        case OperandKind.UseDef:
                            SetFrom(o.Reg, pos + 1);
                            break;
                        case OperandKind.Temp:
                            AddRange(o.Reg, pos, pos + 2);
                            AddUse(o.Reg, pos, true);
                            break;
                    }
                }
                foreach (ref LOperand o in ops)
                {
                    if (o.Kind is OperandKind.Use or OperandKind.UseDef)
                    {
                        AddRange(o.Reg, blockFrom, o.Kind == OperandKind.UseDef ? pos + 2 : pos + 1);
                        AddUse(o.Reg, pos, o.Kind == OperandKind.UseDef || !o.AllowStack);
                    }
                }
                if (op == LOp.Move)
                {
                    Hint(ops[0].Reg, ops[1].Reg, block.LoopDepth);
                }
                else if (op == LOp.ParallelMove)
                {
                    for (int k = 0; k + 1 < ops.Length; k += 2)
                    {
                        Hint(ops[k].Reg, ops[k + 1].Reg, block.LoopDepth);
                    }
                }
            }
        }
        // Calls were found right to left.
        Array.Reverse(_calls, 0, _callCount);
        GroupIntervals();
        AddLoopEndUses();
    }

    /// <summary>
    /// For each loop (a back edge from block b to header h; the loop's code is h .. b in the linear order), a value
    /// live around the back edge and used inside the loop gets a use at the loop's end (as HotSpot's client compiler
    /// does): its uses early in the body otherwise look like its last ones, and it would be the first evicted in the
    /// loop, reloaded every iteration.
    /// </summary>
    private void AddLoopEndUses()
    {
        LirFunction lir = _lir;
        _extraUses.Clear();
        for (int b = 0; b < lir.BlockCount; b++)
        {
            foreach (int h in lir.Successors(b))
            {
                if (h > b || !lir.Blocks[h].IsLoopHeader)
                {
                    continue;
                }
                int loopStart = 2 * lir.Blocks[h].First;
                int loopEnd = 2 * (lir.Blocks[b].End - 1);
                for (int w = 0; w < _words; w++)
                {
                    ulong bits = _liveIn[h * _words + w];
                    while (bits != 0)
                    {
                        int bit = BitOperations.TrailingZeroCount(bits);
                        bits &= bits - 1;
                        int v = PhysicalRegisters.Count + (w << 6) + bit;
                        if (HasUseIn(v, loopStart, loopEnd))
                        {
                            _extraUses.Add((v, loopEnd));
                        }
                    }
                }
            }
        }
        if (_extraUses.Count == 0)
        {
            return;
        }
        // Rebuild the use lists with the new positions merged in (each register's run stays sorted).
        _extraUses.Sort();
        if (_uses.Length < (_useCount + _extraUses.Count) * 2)
        {
            Array.Resize(ref _uses, (_useCount + _extraUses.Count) * 2);
        }
        Use[] merged = _mergeBuffer.Length >= _useCount + _extraUses.Count ? _mergeBuffer : (_mergeBuffer = new Use[(_useCount + _extraUses.Count) * 2]);
        int at = 0, extra = 0;
        for (int r = 0; r < _regCount; r++)
        {
            ref Interval it = ref _iv[r];
            int start = at;
            int k = it.UseStart, end = it.UseStart + it.UseCount;
            while (k < end || (extra < _extraUses.Count && _extraUses[extra].Reg == r))
            {
                bool takeExtra = extra < _extraUses.Count && _extraUses[extra].Reg == r
                    && (k >= end || _extraUses[extra].Pos < _uses[k].Pos);
                merged[at++] = takeExtra ? new Use { Pos = _extraUses[extra++].Pos, MustReg = false } : _uses[k++];
            }
            it.UseStart = start;
            it.UseCount = at - start;
        }
        Array.Copy(merged, _uses, at);
        _useCount = at;
    }

    private readonly List<(int Reg, int Pos)> _extraUses = new();
    private Use[] _mergeBuffer = new Use[256];

    /// <summary>True when <paramref name="reg"/> has a use in [<paramref name="from"/>, <paramref name="to"/>].</summary>
    private bool HasUseIn(int reg, int from, int to)
    {
        ref Interval it = ref _iv[reg];
        int lo = 0, hi = it.UseCount;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_uses[it.UseStart + mid].Pos < from)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo < it.UseCount && _uses[it.UseStart + lo].Pos <= to;
    }

    /// <summary>Groups the ranges and uses by register, ascending, and makes one interval per register.</summary>
    private void GroupIntervals()
    {
        int n = _regCount;
        if (_iv.Length < n * 2)
        {
            _iv = new Interval[Math.Max(n * 2, _iv.Length * 2)];
            _change = new int[_iv.Length];
        }
        _ivCount = n;
        // Ranges: counting sort by register; within a register they were built right to left.
        Array.Clear(_counts, 0, n + 1);
        for (int k = 0; k < _buildCount; k++)
        {
            _counts[_buildReg[k]]++;
        }
        if (_ranges.Length < _buildCount * 2)
        {
            _ranges = new Range[Math.Max(_buildCount * 2, _ranges.Length * 2)];
        }
        int start = 0;
        for (int r = 0; r < n; r++)
        {
            _iv[r] = new Interval { Reg = r, Assigned = r < PhysicalRegisters.Count ? r : -1, RangeStart = start, RangeCount = _counts[r], Next = -1, UseStart = 0, UseCount = 0 };
            start += _counts[r];
            _counts[r] = _iv[r].RangeStart + _iv[r].RangeCount;
        }
        for (int k = 0; k < _buildCount; k++)
        {
            int r = _buildReg[k];
            _ranges[--_counts[r]] = _buildRange[k];
        }
        _rangeCount = _buildCount;
        // Uses likewise (built in decreasing position order).
        Array.Clear(_counts, 0, n + 1);
        for (int k = 0; k < _buildUseCount; k++)
        {
            _counts[_buildUseReg[k]]++;
        }
        if (_uses.Length < _buildUseCount * 2)
        {
            _uses = new Use[Math.Max(_buildUseCount * 2, _uses.Length * 2)];
        }
        start = 0;
        for (int r = 0; r < n; r++)
        {
            _iv[r].UseStart = start;
            _iv[r].UseCount = _counts[r];
            start += _counts[r];
            _counts[r] = _iv[r].UseStart + _iv[r].UseCount;
        }
        for (int k = 0; k < _buildUseCount; k++)
        {
            int r = _buildUseReg[k];
            _uses[--_counts[r]] = _buildUse[k];
        }
        _useCount = _buildUseCount;
    }

    private int Start(int iv) => _ranges[_iv[iv].RangeStart].From;

    private int End(int iv) => _ranges[_iv[iv].RangeStart + _iv[iv].RangeCount - 1].To;

    private bool IsXmmReg(int reg) => _lir.IsXmm(reg);

    /// <summary>True when <paramref name="iv"/> covers <paramref name="pos"/> (moving its cursor forward; positions must not decrease between calls in the scan).</summary>
    private bool CoversAdvancing(int iv, int pos)
    {
        ref Interval it = ref _iv[iv];
        while (it.Cursor < it.RangeCount && _ranges[it.RangeStart + it.Cursor].To <= pos)
        {
            it.Cursor++;
        }
        return it.Cursor < it.RangeCount && _ranges[it.RangeStart + it.Cursor].From <= pos;
    }

    /// <summary>The range <paramref name="iv"/>'s cursor is at.</summary>
    private Range CursorRange(int iv) => _ranges[_iv[iv].RangeStart + _iv[iv].Cursor];

    private bool Covers(int iv, int pos)
    {
        ref Interval it = ref _iv[iv];
        int lo = 0, hi = it.RangeCount - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            Range r = _ranges[it.RangeStart + mid];
            if (pos < r.From)
            {
                hi = mid - 1;
            }
            else if (pos >= r.To)
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The first position at or after <paramref name="iv"/>'s cursor where it and <paramref name="other"/> overlap, or MaxPos.</summary>
    private int NextIntersection(int iv, int other)
    {
        ref Interval a = ref _iv[iv];
        ref Interval b = ref _iv[other];
        int i = a.Cursor, j = 0;
        while (i < a.RangeCount && j < b.RangeCount)
        {
            Range ra = _ranges[a.RangeStart + i];
            Range rb = _ranges[b.RangeStart + j];
            if (ra.To <= rb.From)
            {
                i++;
            }
            else if (rb.To <= ra.From)
            {
                j++;
            }
            else
            {
                return Math.Max(ra.From, rb.From);
            }
        }
        return MaxPos;
    }

    /// <summary>The first use of <paramref name="iv"/> at or after <paramref name="pos"/> (needing a register when <paramref name="mustReg"/>), or MaxPos.</summary>
    private int NextUse(int iv, int pos, bool mustReg)
    {
        ref Interval it = ref _iv[iv];
        for (int k = FirstUseAtOrAfter(iv, pos); k < it.UseCount; k++)
        {
            Use u = _uses[it.UseStart + k];
            if (u.Pos >= pos && (!mustReg || u.MustReg))
            {
                return u.Pos;
            }
        }
        return MaxPos;
    }

    /// <summary>The last use of <paramref name="iv"/> before <paramref name="pos"/>, or -1.</summary>
    private int LastUseBefore(int iv, int pos)
    {
        int k = FirstUseAtOrAfter(iv, pos);
        return k == 0 ? -1 : _uses[_iv[iv].UseStart + k - 1].Pos;
    }

    /// <summary>The index (within <paramref name="iv"/>'s uses, which are sorted by position) of its first use at or after <paramref name="pos"/>.</summary>
    private int FirstUseAtOrAfter(int iv, int pos)
    {
        ref Interval it = ref _iv[iv];
        int lo = 0, hi = it.UseCount;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_uses[it.UseStart + mid].Pos < pos)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    // ---- splitting ----

    /// <summary>
    /// Splits <paramref name="iv"/> at <paramref name="pos"/> (even, inside it): the new child takes the ranges and uses
    /// from <paramref name="pos"/> on. Returns the child, or -1 when nothing of the interval lies at or after pos.
    /// </summary>
    private int Split(int iv, int pos)
    {
        ref Interval it = ref _iv[iv];
        // The first range ending after pos.
        int k = 0;
        while (k < it.RangeCount && _ranges[it.RangeStart + k].To <= pos)
        {
            k++;
        }
        if (k == it.RangeCount)
        {
            return -1;
        }
        if (_ivCount == _iv.Length)
        {
            Array.Resize(ref _iv, _iv.Length * 2);
            Array.Resize(ref _change, _iv.Length);
            it = ref _iv[iv];
        }
        int child = _ivCount++;
        // The child's ranges: copies of the parent's from k on (the first one cut at pos).
        int count = it.RangeCount - k;
        EnsureRanges(count);
        int newStart = _rangeCount;
        for (int r = 0; r < count; r++)
        {
            _ranges[_rangeCount++] = _ranges[it.RangeStart + k + r];
        }
        bool cut = _ranges[newStart].From < pos;
        if (cut)
        {
            _ranges[newStart].From = pos;
            _ranges[it.RangeStart + k].To = pos;
            it.RangeCount = k + 1;
        }
        else
        {
            it.RangeCount = k;
        }
        // Uses at or after pos go to the child.
        int u = 0;
        while (u < it.UseCount && _uses[it.UseStart + u].Pos < pos)
        {
            u++;
        }
        _iv[child] = new Interval
        {
            Reg = it.Reg,
            Assigned = -1,
            RangeStart = newStart,
            RangeCount = count,
            UseStart = it.UseStart + u,
            UseCount = it.UseCount - u,
            Next = it.Next,
            Cursor = 0,
        };
        it.UseCount = u;
        it.Next = child;
        if (it.Cursor >= it.RangeCount)
        {
            it.Cursor = Math.Max(0, it.RangeCount - 1);
        }
        return child;
    }

    private void EnsureRanges(int extra)
    {
        if (_rangeCount + extra > _ranges.Length)
        {
            Array.Resize(ref _ranges, Math.Max(_ranges.Length * 2, _rangeCount + extra));
        }
    }

    /// <summary>
    /// The best even split position in (<paramref name="min"/>, <paramref name="max"/>]: max itself when both lie in one
    /// block; otherwise the start of the block of least loop depth between them (the latest such), so moves leave loops.
    /// </summary>
    private int OptimalSplitPos(int min, int max)
    {
        max &= ~1;
        if (max <= min)
        {
            return max;
        }
        int minBlock = _blockOfInst[Math.Min(min >> 1, _lir.InstCount - 1)];
        int maxBlock = _blockOfInst[Math.Min(max >> 1, _lir.InstCount - 1)];
        if (minBlock == maxBlock)
        {
            return max;
        }
        int best = maxBlock;
        int bestDepth = _lir.Blocks[maxBlock].LoopDepth;
        for (int b = maxBlock - 1; b > minBlock; b--)
        {
            int depth = _lir.Blocks[b].LoopDepth;
            if (depth < bestDepth)
            {
                best = b;
                bestDepth = depth;
            }
        }
        if (best == maxBlock && 2 * _lir.Blocks[maxBlock].First <= min)
        {
            return max;
        }
        int pos = 2 * _lir.Blocks[best].First;
        return pos > min ? pos : max;
    }

    // ---- the scan ----

    // The unhandled intervals: a binary min-heap of keys (start << 32 | interval), so a comparison reads no interval and
    // ties go to the lower interval as they always did. An interval's start does not change while it waits.
    private static long HeapKey(int start, int iv) => ((long)start << 32) | (uint)iv;

    private void HeapPush(int iv)
    {
        if (CheckScanOrder && _iv[iv].RangeCount > 0 && Start(iv) < _scanPos)
        {
            throw new InvalidOperationException($"register allocation: v{_iv[iv].Reg} queued at {Start(iv)}, behind the scan at {_scanPos}\n{Environment.StackTrace}");
        }
        if (_heapCount == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }
        long key = HeapKey(Start(iv), iv);
        long[] heap = _heap;
        int i = _heapCount++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            long p = heap[parent];
            if (p < key)
            {
                break;
            }
            heap[i] = p;
            i = parent;
        }
        heap[i] = key;
    }

    private int PopUnhandled()
    {
        if (_nextSorted < _sortedCount && (_heapCount == 0 || _sorted[_nextSorted] < _heap[0]))
        {
            return (int)(uint)_sorted[_nextSorted++];
        }
        return HeapPop();
    }

    private int HeapPop()
    {
        long[] heap = _heap;
        int top = (int)(uint)heap[0];
        long last = heap[--_heapCount];
        int count = _heapCount;
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= count)
            {
                break;
            }
            if (child + 1 < count && heap[child + 1] < heap[child])
            {
                child++;
            }
            if (last < heap[child])
            {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        if (count > 0)
        {
            heap[i] = last;
        }
        return top;
    }

    // The start of the interval being allocated (the scan's position).
    private int _scanPos;

    private void Scan()
    {
        _scanPos = 0;
        _heapCount = 0;
        _active.Clear();
        _inactive.Clear();
        _activeMin = MaxPos;
        _inactiveMin = MaxPos;
        for (int r = 0; r < PhysicalRegisters.Count; r++)
        {
            if (_iv[r].RangeCount > 0)
            {
                _inactive.Add(r);
                _change[r] = CursorRange(r).From;
                _inactiveMin = Math.Min(_inactiveMin, _change[r]);
            }
        }
        if (_sorted.Length < _regCount)
        {
            _sorted = new long[Math.Max(_regCount, _sorted.Length * 2)];
        }
        _sortedCount = 0;
        _nextSorted = 0;
        for (int v = PhysicalRegisters.Count; v < _regCount; v++)
        {
            if (_iv[v].RangeCount > 0)
            {
                _sorted[_sortedCount++] = HeapKey(Start(v), v);
            }
        }
        Array.Sort(_sorted, 0, _sortedCount);
        while (_heapCount > 0 || _nextSorted < _sortedCount)
        {
            int cur = PopUnhandled();
            int pos = Start(cur);
            _scanPos = pos;
            // Ended intervals leave, the others move between active and inactive. The lists are compacted in one pass each
            // (removing one by one moved the rest every time); movers are appended last to first, the order of the
            // allocator's results since the start.
            // An interval whose change position is still ahead of pos stays where it is without looking at its ranges, and
            // a list whose least change position is ahead of pos is not looked at.
            _toInactive.Clear();
            int[] change = _change;
            if (pos >= _activeMin)
            {
                UpdateActive(pos, change);
            }
            int toActive = _active.Count;
            if (pos >= _inactiveMin)
            {
                UpdateInactive(pos, change);
            }
            _active.Reverse(toActive, _active.Count - toActive);
            for (int k = _toInactive.Count - 1; k >= 0; k--)
            {
                int it = _toInactive[k];
                _inactive.Add(it);
                _inactiveMin = Math.Min(_inactiveMin, change[it]);
            }
            if (!TryAllocateFreeReg(cur))
            {
                AllocateBlockedReg(cur);
            }
            if (_iv[cur].Assigned >= 0)
            {
                _active.Add(cur);
                CoversAdvancing(cur, pos);
                _change[cur] = CursorRange(cur).To;
                _activeMin = Math.Min(_activeMin, _change[cur]);
                int reg = _iv[cur].Assigned;
                if (PhysicalRegisters.IsCalleeSaved(reg))
                {
                    _usedCalleeSaved |= 1UL << reg;
                }
            }
        }
    }

    // Lower bounds of the change positions in the two lists (removals leave them valid; an evicted interval that stays
    // inactive keeps the start of its next range).
    private int _activeMin, _inactiveMin;

    /// <summary>The scan's step for the active list at <paramref name="pos"/>: ended intervals leave, those in a hole go to _toInactive.</summary>
    private void UpdateActive(int pos, int[] change)
    {
        Span<int> active = CollectionsMarshal.AsSpan(_active);
        int kept = 0;
        int min = MaxPos;
        for (int k = 0; k < active.Length; k++)
        {
            int it = active[k];
            if (pos < change[it])
            {
                min = Math.Min(min, change[it]);
                active[kept++] = it;
                continue;
            }
            if (End(it) <= pos)
            {
                continue;
            }
            if (!CoversAdvancing(it, pos))
            {
                _toInactive.Add(it);
                change[it] = CursorRange(it).From;
                continue;
            }
            change[it] = CursorRange(it).To;
            min = Math.Min(min, change[it]);
            active[kept++] = it;
        }
        _active.RemoveRange(kept, active.Length - kept);
        _activeMin = min;
    }

    /// <summary>The scan's step for the inactive list at <paramref name="pos"/>: ended intervals leave, those covering pos join the active list.</summary>
    private void UpdateInactive(int pos, int[] change)
    {
        Span<int> inactive = CollectionsMarshal.AsSpan(_inactive);
        int kept = 0;
        int min = MaxPos;
        for (int k = 0; k < inactive.Length; k++)
        {
            int it = inactive[k];
            if (pos < change[it])
            {
                min = Math.Min(min, change[it]);
                inactive[kept++] = it;
                continue;
            }
            if (End(it) <= pos)
            {
                continue;
            }
            if (CoversAdvancing(it, pos))
            {
                _active.Add(it);
                change[it] = CursorRange(it).To;
                _activeMin = Math.Min(_activeMin, change[it]);
                continue;
            }
            change[it] = CursorRange(it).From;
            min = Math.Min(min, change[it]);
            inactive[kept++] = it;
        }
        _inactive.RemoveRange(kept, inactive.Length - kept);
        _inactiveMin = min;
    }

    private static readonly ulong AllocatableGprMask = MaskOf(PhysicalRegisters.AllocatableGprs);
    private static readonly ulong AllocatableXmmMask = MaskOf(PhysicalRegisters.AllocatableXmms);

    private static ulong MaskOf(int[] registers)
    {
        ulong mask = 0;
        foreach (int r in registers)
        {
            mask |= 1UL << r;
        }
        return mask;
    }

    /// <summary>The register the hint of <paramref name="cur"/> suggests (a physical register, or where the hinted value is at cur's start), or -1.</summary>
    private int HintedRegister(int cur)
    {
        int hint = _hint[_iv[cur].Reg];
        if (hint < 0)
        {
            return -1;
        }
        if (hint < PhysicalRegisters.Count)
        {
            return hint;
        }
        int pos = Start(cur);
        for (int c = hint; c >= 0; c = _iv[c].Next)
        {
            if (_iv[c].Assigned >= 0 && _iv[c].RangeCount > 0 && Start(c) <= pos && End(c) >= pos - 1)
            {
                return _iv[c].Assigned;
            }
        }
        // The hinted value may start later (a move's source before its destination): take its first register.
        return _iv[hint].Assigned;
    }

    private bool Allowed(int cur, int reg) =>
        !(PhysicalRegisters.IsCalleeSaved(reg) && _lir.VRegs[_iv[cur].Reg].IsExternRef);

    private bool TryAllocateFreeReg(int cur)
    {
        bool xmm = IsXmmReg(_iv[cur].Reg);
        ReadOnlySpan<int> candidates = xmm ? PhysicalRegisters.AllocatableXmms : PhysicalRegisters.AllocatableGprs;
        // An externref never takes a callee-saved register (Allowed), decided once for all candidates.
        bool reference = _lir.VRegs[_iv[cur].Reg].IsExternRef;
        int[] freeUntil = _freeUntil;
        foreach (int r in candidates)
        {
            freeUntil[r] = reference && PhysicalRegisters.IsCalleeSaved(r) ? 0 : MaxPos;
        }
        foreach (int it in CollectionsMarshal.AsSpan(_active))
        {
            int reg = _iv[it].Assigned;
            if (reg >= 0 && PhysicalRegisters.IsXmm(reg) == xmm)
            {
                freeUntil[reg] = 0;
            }
        }
        int end = End(cur);
        int[] change = _change;
        // No inactive interval has a range starting before cur's end: none can limit a register (the common case).
        ReadOnlySpan<int> inactive = _inactiveMin < end ? CollectionsMarshal.AsSpan(_inactive) : default;
        foreach (int it in inactive)
        {
            // No intersection before the interval's next range: nothing to learn when that is past cur's end or the
            // register's limit so far.
            int next = change[it];
            if (next >= end)
            {
                continue;
            }
            int reg = _iv[it].Assigned;
            if (reg >= 0 && PhysicalRegisters.IsXmm(reg) == xmm && next < freeUntil[reg])
            {
                int at = NextIntersection(it, cur);
                if (at < freeUntil[reg])
                {
                    freeUntil[reg] = at;
                }
            }
        }
        int call = FirstCallIn(cur);
        if (call != MaxPos)
        {
            foreach (int r in candidates)
            {
                if (!PhysicalRegisters.IsCalleeSaved(r) && call < _freeUntil[r])
                {
                    _freeUntil[r] = call;
                }
            }
        }
        int best = -1;
        int hinted = HintedRegister(cur);
        if (hinted >= 0 && ((xmm ? AllocatableXmmMask : AllocatableGprMask) & (1UL << hinted)) != 0 && _freeUntil[hinted] >= end)
        {
            best = hinted;
        }
        else
        {
            // The first register free for the whole interval (caller-saved come first; an interval crossing a call
            // finds only callee-saved ones free), else the one free the longest.
            foreach (int r in candidates)
            {
                if (best < 0 || _freeUntil[r] > _freeUntil[best] && _freeUntil[best] < end)
                {
                    best = r;
                }
            }
        }
        if (best < 0 || _freeUntil[best] <= Start(cur))
        {
            return false;
        }
        _iv[cur].Assigned = best;
        if (_freeUntil[best] < end)
        {
            // Free for part of the interval only: split before the register is needed elsewhere.
            int splitPos = OptimalSplitPos(Start(cur), _freeUntil[best]);
            if (splitPos <= Start(cur))
            {
                _iv[cur].Assigned = -1;
                return false;
            }
            int child = Split(cur, splitPos);
            if (child >= 0)
            {
                HeapPush(child);
            }
        }
        return true;
    }

    private void AllocateBlockedReg(int cur)
    {
        bool xmm = IsXmmReg(_iv[cur].Reg);
        ReadOnlySpan<int> candidates = xmm ? PhysicalRegisters.AllocatableXmms : PhysicalRegisters.AllocatableGprs;
        int pos = Start(cur);
        foreach (int r in candidates)
        {
            bool allowed = Allowed(cur, r);
            _nextUse[r] = allowed ? MaxPos : 0;
            _blockPos[r] = allowed ? MaxPos : 0;
        }
        foreach (int it in CollectionsMarshal.AsSpan(_active))
        {
            int reg = _iv[it].Assigned;
            if (reg < 0 || PhysicalRegisters.IsXmm(reg) != xmm)
            {
                continue;
            }
            if (it < PhysicalRegisters.Count)
            {
                _nextUse[reg] = 0;
                _blockPos[reg] = 0;
            }
            else
            {
                // Every use counts here (a memory operand works, but a register is better): the register whose holder is
                // needed furthest away is taken.
                _nextUse[reg] = Math.Min(_nextUse[reg], NextUse(it, pos, mustReg: false));
            }
        }
        int curEnd = End(cur);
        foreach (int it in CollectionsMarshal.AsSpan(_inactive))
        {
            if (_change[it] >= curEnd)
            {
                // Its next range starts after cur ends: no intersection.
                continue;
            }
            int reg = _iv[it].Assigned;
            if (reg < 0 || PhysicalRegisters.IsXmm(reg) != xmm)
            {
                continue;
            }
            int at = NextIntersection(it, cur);
            if (at == MaxPos)
            {
                continue;
            }
            if (it < PhysicalRegisters.Count)
            {
                _blockPos[reg] = Math.Min(_blockPos[reg], at);
                _nextUse[reg] = Math.Min(_nextUse[reg], at);
            }
            else
            {
                _nextUse[reg] = Math.Min(_nextUse[reg], NextUse(it, pos, mustReg: false));
            }
        }
        int call = FirstCallIn(cur);
        if (call != MaxPos)
        {
            foreach (int r in candidates)
            {
                if (!PhysicalRegisters.IsCalleeSaved(r))
                {
                    _blockPos[r] = Math.Min(_blockPos[r], call);
                    _nextUse[r] = Math.Min(_nextUse[r], call);
                }
            }
        }
        int best = -1;
        foreach (int r in candidates)
        {
            if (best < 0 || _nextUse[r] > _nextUse[best])
            {
                best = r;
            }
        }
        int firstUse = NextUse(cur, pos, mustReg: true);
        if (best < 0 || _nextUse[best] <= firstUse)
        {
            // Every register is needed sooner than cur needs one: cur goes to its slot until its first register use.
            if (firstUse <= pos)
            {
                throw new InvalidOperationException($"register allocation: no register for v{_iv[cur].Reg} at {pos}");
            }
            AssignSpillSlot(_iv[cur].Reg);
            _iv[cur].OnStack = true;
            if (firstUse != MaxPos)
            {
                int splitPos = OptimalSplitPos(pos, firstUse);
                if (splitPos <= pos)
                {
                    splitPos = firstUse & ~1;
                }
                int child = Split(cur, splitPos);
                if (child >= 0)
                {
                    HeapPush(child);
                }
            }
            return;
        }
        _iv[cur].Assigned = best;
        if (_blockPos[best] < End(cur))
        {
            int splitPos = OptimalSplitPos(pos, _blockPos[best]);
            if (splitPos <= pos)
            {
                throw new InvalidOperationException($"register allocation: v{_iv[cur].Reg} needs {PhysicalRegisters.Name(best)} at {pos}, blocked at {_blockPos[best]}");
            }
            int child = Split(cur, splitPos);
            if (child >= 0)
            {
                HeapPush(child);
            }
        }
        // Evict the holders of the register where they overlap cur (last to first, as they always were; the lists are
        // compacted afterwards: SplitAndSpill does not touch them, so the spans stay valid).
        bool evicted = false;
        Span<int> active = CollectionsMarshal.AsSpan(_active);
        for (int k = active.Length - 1; k >= 0; k--)
        {
            int it = active[k];
            if (it >= PhysicalRegisters.Count && _iv[it].Assigned == best)
            {
                active[k] = -1;
                evicted = true;
                SplitAndSpill(it, pos);
            }
        }
        if (evicted)
        {
            _active.RemoveAll(static it => it < 0);
        }
        evicted = false;
        Span<int> inactive = CollectionsMarshal.AsSpan(_inactive);
        for (int k = inactive.Length - 1; k >= 0; k--)
        {
            int it = inactive[k];
            if (it >= PhysicalRegisters.Count && _iv[it].Assigned == best)
            {
                int at = NextIntersection(it, cur);
                if (at != MaxPos)
                {
                    SplitAndSpill(it, at);
                    // The part before the intersection keeps the register and may still have ranges ahead of the scan
                    // (after a hole): it stays inactive, or a later interval would take the register over those ranges.
                    if (_iv[it].Assigned < 0 || End(it) <= pos)
                    {
                        inactive[k] = -1;
                        evicted = true;
                    }
                }
            }
        }
        if (evicted)
        {
            _inactive.RemoveAll(static it => it < 0);
        }
    }

    /// <summary>
    /// Takes <paramref name="iv"/> out of its register from <paramref name="pos"/>: to its slot until its next register
    /// use, then back to the unhandled queue. pos may be odd (the definition of the interval taking the register): the
    /// store to the slot then goes before that instruction, while the register still holds the value for its uses.
    /// </summary>
    private void SplitAndSpill(int iv, int pos)
    {
        int scanPos = _scanPos;
        // As early as the interval's last use before pos allows, at the boundary of least loop depth: a value evicted in
        // a loop that it is not used in is stored once before the loop, not at every iteration.
        int lastUse = LastUseBefore(iv, pos);
        int earliest = Math.Max(lastUse + 1, Start(iv) + 1);
        if (earliest < pos)
        {
            int better = OptimalSplitPos(earliest - 1, pos);
            if (better >= earliest && better < pos)
            {
                pos = better;
            }
        }
        int child = pos <= Start(iv) ? iv : Split(iv, pos);
        if (child < 0)
        {
            return;
        }
        if (child == iv)
        {
            // The whole interval: it loses the register.
            _iv[iv].Assigned = -1;
        }
        AssignSpillSlot(_iv[child].Reg);
        int nextUse = NextUse(child, Start(child), mustReg: true);
        if (nextUse == MaxPos)
        {
            _iv[child].OnStack = true;
            return;
        }
        // The part back in a register must not start before the scan position: the split may have moved before it (to
        // leave a loop), and the intervals that ended in between are no longer active, so their registers would look
        // free (two values in one register).
        int reloadMin = Math.Max(Start(child), scanPos);
        int reloadPos = OptimalSplitPos(reloadMin, nextUse);
        if (reloadPos <= reloadMin)
        {
            if (Start(child) < scanPos)
            {
                // On the stack up to the scan position, then competing again from there.
                int again = Split(child, scanPos);
                _iv[child].OnStack = true;
                if (again >= 0)
                {
                    HeapPush(again);
                }
                return;
            }
            // Needs a register right away: let it compete again.
            HeapPush(child);
            return;
        }
        int rest = Split(child, reloadPos);
        _iv[child].OnStack = true;
        if (rest >= 0)
        {
            HeapPush(rest);
        }
    }

    private void AssignSpillSlot(int reg)
    {
        if (_spillSlot[reg] >= 0)
        {
            return;
        }
        bool wide = _lir.VRegs[reg].Type == Engine.Core.ValType.V128;
        if (wide && (_spillBytes & 15) != 0)
        {
            _spillBytes += 8;
        }
        _spillSlot[reg] = _spillBase + _spillBytes;
        _spillBytes += wide ? 16 : 8;
    }

    // ---- locations and moves ----

    private int LocationOf(int iv) => _iv[iv].OnStack || _iv[iv].Assigned < 0
        ? Location.Stack(_spillSlot[_iv[iv].Reg])
        : _iv[iv].Assigned;

    /// <summary>The child of <paramref name="reg"/>'s interval covering <paramref name="pos"/>, or -1.</summary>
    private int ChildAt(int reg, int pos) => ChildFrom(reg, pos);

    /// <summary>
    /// The child covering <paramref name="pos"/>, searched from <paramref name="first"/> (the interval itself or one of its
    /// children starting at or before pos). The children follow one another along Next in position order (a split
    /// child takes the ranges after the split and goes right after its parent), so the search stops at the first one
    /// starting after pos.
    /// </summary>
    private int ChildFrom(int first, int pos)
    {
        for (int c = first; c >= 0; c = _iv[c].Next)
        {
            if (_iv[c].RangeCount == 0)
            {
                continue;
            }
            if (Start(c) > pos)
            {
                return -1;
            }
            if (pos < End(c) && Covers(c, pos))
            {
                return c;
            }
        }
        return -1;
    }

    /// <summary>The location of <paramref name="reg"/> at <paramref name="pos"/>.</summary>
    public int LocationAt(int reg, int pos)
    {
        if (reg < PhysicalRegisters.Count)
        {
            return reg;
        }
        int c = ChildAt(reg, pos);
        return c < 0 ? Location.None : LocationOf(c);
    }

    // Per register: the child AssignLocations found last (-1: none yet).
    private int[] _childCursor = new int[64];

    private void AssignLocations()
    {
        LirFunction lir = _lir;
        if (_childCursor.Length < _regCount)
        {
            _childCursor = new int[Math.Max(_regCount, _childCursor.Length * 2)];
        }
        Array.Fill(_childCursor, -1, 0, _regCount);
        for (int i = 0; i < lir.InstCount; i++)
        {
            Span<LOperand> ops = lir.OperandsOf(i);
            for (int k = 0; k < ops.Length; k++)
            {
                ref LOperand o = ref ops[k];
                if (o.Reg < PhysicalRegisters.Count)
                {
                    o.Loc = o.Reg;
                    continue;
                }
                int pos = o.Kind is OperandKind.Def ? 2 * i + 1 : 2 * i;
                ref Interval whole = ref _iv[o.Reg];
                if (whole.Next < 0)
                {
                    // Never split (most values): its one location, where the interval spans the position.
                    o.Loc = whole.RangeCount > 0 && Start(o.Reg) <= pos && pos < End(o.Reg) ? LocationOf(o.Reg) : Location.None;
                }
                else
                {
                    // Operands come in position order (but for uses after definitions within one instruction): the search
                    // starts at the child found last when that one starts at or before pos.
                    int from = _childCursor[o.Reg];
                    if (from < 0 || Start(from) > pos)
                    {
                        from = o.Reg;
                    }
                    int c = ChildFrom(from, pos);
                    if (c >= 0)
                    {
                        _childCursor[o.Reg] = c;
                    }
                    o.Loc = c < 0 ? Location.None : LocationOf(c);
                }
                if (o.Loc == Location.None)
                {
                    throw new InvalidOperationException($"register allocation: v{o.Reg} has no location at instruction {i}");
                }
                if (Location.IsStack(o.Loc) && !(o.Kind is OperandKind.Use or OperandKind.Def && o.AllowStack))
                {
                    throw new InvalidOperationException($"register allocation: v{o.Reg} is in a slot where instruction {i} ({lir.Insts[i].Op}) needs a register");
                }
            }
        }
    }

    private void Resolve()
    {
        LirFunction lir = _lir;
        // Splits inside blocks.
        for (int v = PhysicalRegisters.Count; v < _regCount; v++)
        {
            int prev = v;
            for (int c = _iv[v].Next; c >= 0; prev = c, c = _iv[c].Next)
            {
                if (_iv[c].RangeCount == 0 || _iv[prev].RangeCount == 0)
                {
                    continue;
                }
                int pos = Start(c);
                int inst = pos >> 1;
                if (inst >= lir.InstCount || lir.Blocks[_blockOfInst[inst]].First == inst && (pos & 1) == 0)
                {
                    continue;
                }
                if (End(prev) != pos)
                {
                    continue;
                }
                int from = LocationOf(prev);
                int to = LocationOf(c);
                if (from != to)
                {
                    // A split between the instruction's uses and its definitions (odd position) reads `from` after the
                    // moves at its uses have filled it (a block's incoming edge moves; a reload of the same value at 2i):
                    // a second parallel move.
                    Moves.Add(new AllocMove(inst, from, to, v, AfterEdge: (pos & 1) != 0));
                }
            }
        }
        // Edges.
        for (int b = 0; b < lir.BlockCount; b++)
        {
            ref LBlock block = ref lir.Blocks[b];
            ReadOnlySpan<int> succs = lir.Successors(b);
            // A single-jump block entered from a branch would get the branch edge's moves and its own edge's moves before
            // the same instruction, as one parallel move (wrong when the second reads what the first writes): it gets one
            // move from the branch's locations straight to its successor's.
            int fromBlock = IsPassThrough(b) ? lir.Predecessors(b)[0] : b;
            foreach (int s in succs)
            {
                if (IsPassThrough(s))
                {
                    continue;
                }
                ref LBlock target = ref lir.Blocks[s];
                int endPos = 2 * lir.Blocks[fromBlock].End - 1;
                int startPos = 2 * target.First;
                int before = succs.Length == 1 ? block.End - 1 : target.First;
                for (int w = 0; w < _words; w++)
                {
                    ulong bits = _liveIn[s * _words + w];
                    while (bits != 0)
                    {
                        int bit = BitOperations.TrailingZeroCount(bits);
                        bits &= bits - 1;
                        int v = PhysicalRegisters.Count + (w << 6) + bit;
                        if (_iv[v].Next < 0)
                        {
                            // Never split: one location everywhere.
                            continue;
                        }
                        int from = LocationAt(v, endPos);
                        int to = LocationAt(v, startPos);
                        if (from != to && from != Location.None && to != Location.None)
                        {
                            Moves.Add(new AllocMove(before, from, to, v));
                        }
                    }
                }
            }
        }
        Moves.Sort((a, b) => a.SortKey.CompareTo(b.SortKey));
    }

    /// <summary>
    /// A block of one instruction (its jump) with one successor, entered only from a block with several successors: the
    /// moves of both its edges go before that jump, so they are resolved as one edge from the branch to the successor.
    /// </summary>
    private bool IsPassThrough(int b)
    {
        ref LBlock block = ref _lir.Blocks[b];
        if (block.End - block.First != 1 || _lir.Successors(b).Length != 1)
        {
            return false;
        }
        ReadOnlySpan<int> preds = _lir.Predecessors(b);
        return preds.Length == 1 && _lir.Successors(preds[0]).Length > 1;
    }

    /// <summary>
    /// The externrefs live across instruction <paramref name="inst"/> (a safepoint) and where each is then: frame slots
    /// as byte offsets from rsp, or registers (for safepoints that keep registers).
    /// </summary>
    public void LiveReferencesAt(int inst, List<int> locations)
    {
        locations.Clear();
        int pos = 2 * inst + 1;
        foreach (int v in _references)
        {
            int c = ChildAt(v, pos);
            if (c >= 0 && ChildAt(v, 2 * inst + 2) >= 0)
            {
                locations.Add(LocationOf(c));
            }
        }
    }
}
