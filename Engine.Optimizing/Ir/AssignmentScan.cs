using Engine.Core;

namespace Engine.Optimizing.Ir;

/// <summary>
/// What the SSA builder needs to know before it reads a body: which locals the function ever assigns
/// (only those can differ between the paths into a block, so only those are merged), and for each loop,
/// in order of appearance, which locals its body assigns (those become the loop header's parameters, so
/// a loop needs no parameter it would later find trivial). One quick pass over the operators.
/// </summary>
internal sealed class AssignmentScan
{
    /// <summary>Locals assigned anywhere, in first-assignment order.</summary>
    public int[] Assigned = new int[16];
    /// <summary>The number of entries of <see cref="Assigned"/>.</summary>
    public int AssignedCount;
    /// <summary>Per loop (by ordinal): the start of its locals in <see cref="LoopLocals"/>.</summary>
    public int[] LoopStart = new int[8];
    /// <summary>Per loop: the number of its locals.</summary>
    public int[] LoopCount = new int[8];
    /// <summary>The loops' assigned locals, one run per loop.</summary>
    public int[] LoopLocals = new int[32];
    /// <summary>The number of loops.</summary>
    public int Loops;

    private int _loopLocalCount;
    // Per open loop (innermost last): its ordinal and the start of its raw (duplicated) assignments in _raw.
    private int[] _openOrdinal = new int[8];
    private int[] _openRawStart = new int[8];
    private int _open;
    private int[] _raw = new int[32];
    private int _rawCount;
    // Per local: the ordinal + 1 of the last loop whose deduplicated set it entered, and whether it was assigned at all.
    private int[] _stamp = new int[16];
    private bool[] _assignedFlag = new bool[16];

    /// <summary>
    /// Scans the body. With <paramref name="parameters"/> &gt; 0 the first that many locals (the parameters) count as
    /// assigned from the start (an OSR entry gives them new values).
    /// </summary>
    public void Run(ModuleInfo module, uint functionIndex, int localCount, int parameters = 0)
    {
        AssignedCount = 0;
        Loops = 0;
        _loopLocalCount = 0;
        _open = 0;
        _rawCount = 0;
        if (_stamp.Length < localCount)
        {
            _stamp = new int[localCount];
            _assignedFlag = new bool[localCount];
        }
        else
        {
            Array.Clear(_stamp, 0, localCount);
            Array.Clear(_assignedFlag, 0, localCount);
        }
        for (int i = 0; i < parameters; i++)
        {
            Assign((uint)i);
        }
        FunctionBody body = module.Body(functionIndex);
        var reader = new WasmReader(module.Bytes, body.CodeStart, body.End);
        var visitor = new LocalAccessVisitor<Visitor>(new Visitor(this));
        while (!visitor.Done)
        {
            reader.ReadOperator(ref visitor);
        }
    }

    /// <summary>The locals loop <paramref name="ordinal"/> assigns.</summary>
    public ReadOnlySpan<int> LocalsOfLoop(int ordinal) => LoopLocals.AsSpan(LoopStart[ordinal], LoopCount[ordinal]);

    private void OpenLoop()
    {
        int ordinal = Loops++;
        if (ordinal == LoopStart.Length)
        {
            Array.Resize(ref LoopStart, ordinal * 2);
            Array.Resize(ref LoopCount, ordinal * 2);
        }
        LoopStart[ordinal] = 0;
        LoopCount[ordinal] = 0;
        if (_open == _openOrdinal.Length)
        {
            Array.Resize(ref _openOrdinal, _open * 2);
            Array.Resize(ref _openRawStart, _open * 2);
        }
        _openOrdinal[_open] = ordinal;
        _openRawStart[_open] = _rawCount;
        _open++;
    }

    /// <summary>Deduplicates the innermost loop's raw assignments into its set; they also count for the enclosing loop.</summary>
    private void CloseLoop()
    {
        _open--;
        int ordinal = _openOrdinal[_open];
        int rawStart = _openRawStart[_open];
        int start = _loopLocalCount;
        for (int i = rawStart; i < _rawCount; i++)
        {
            int local = _raw[i];
            if (_stamp[local] != ordinal + 1)
            {
                _stamp[local] = ordinal + 1;
                if (_loopLocalCount == LoopLocals.Length)
                {
                    Array.Resize(ref LoopLocals, LoopLocals.Length * 2);
                }
                LoopLocals[_loopLocalCount++] = local;
            }
        }
        LoopStart[ordinal] = start;
        LoopCount[ordinal] = _loopLocalCount - start;
        // The enclosing loop sees the deduplicated set instead of the raw list.
        _rawCount = rawStart;
        if (_open > 0)
        {
            for (int i = start; i < _loopLocalCount; i++)
            {
                AddRaw(LoopLocals[i]);
            }
        }
    }

    private void AddRaw(int local)
    {
        if (_rawCount == _raw.Length)
        {
            Array.Resize(ref _raw, _raw.Length * 2);
        }
        _raw[_rawCount++] = local;
    }

    private void Assign(uint index)
    {
        int local = (int)index;
        if (!_assignedFlag[local])
        {
            _assignedFlag[local] = true;
            if (AssignedCount == Assigned.Length)
            {
                Array.Resize(ref Assigned, Assigned.Length * 2);
            }
            Assigned[AssignedCount++] = local;
        }
        if (_open > 0)
        {
            AddRaw(local);
        }
    }

    // Per open block (any kind): whether it is a loop.
    private bool[] _isLoop = new bool[16];

    // The scan's view of the body, read through LocalAccessVisitor.
    private readonly struct Visitor(AssignmentScan scan) : ILocalAccessScan
    {
        public void Open(int depth, bool loop)
        {
            if (depth == scan._isLoop.Length)
            {
                Array.Resize(ref scan._isLoop, depth * 2);
            }
            scan._isLoop[depth] = loop;
            if (loop)
            {
                scan.OpenLoop();
            }
        }

        public void Close(int depth)
        {
            if (depth > 0 && scan._isLoop[depth])
            {
                scan.CloseLoop();
            }
        }

        public void Read(uint localIndex) { }
        public void Write(uint localIndex) => scan.Assign(localIndex);
    }
}
