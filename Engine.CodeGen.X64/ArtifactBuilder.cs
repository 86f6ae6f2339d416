using Engine.Core;
using Engine.Gc;

namespace Engine.CodeGen.X64;

/// <summary>
/// Collects, while a function is emitted, what its <see cref="CompiledFunction"/> carries besides the code, keyed
/// by instruction position (<see cref="MacroAssembler.Position"/>), and turns it into native offsets once the code is
/// assembled: the offset map (which wasm instruction each stretch of code belongs to), the stack maps (the frame
/// slots holding live references at each call's return address), the trap sites and the on-stack-replacement entries.
/// </summary>
public sealed class ArtifactBuilder
{
    private readonly List<(int Position, int WasmOffset)> _offsetMarks = new();
    private readonly List<(int Position, int[] Slots)> _safepoints = new();
    private readonly List<(int Position, TrapCode Code, int WasmOffset)> _trapSites = new();
    private readonly List<(int Position, TrapCode Code)> _faultSites = new();
    private readonly List<int> _adapterReturns = new();
    private MLabel? _faultEntry;
    private readonly List<(int LoopOffset, MLabel Entry, OsrState State, int[]? FrameSlots)> _osrEntries = new();
    private IReadOnlyList<(int WasmOffset, int InlinedFrame)>? _inlinedPositions;
    private InlinedFrame[] _inlinedFrames = [];

    /// <summary>Forgets everything, for the next function.</summary>
    public void Reset()
    {
        _offsetMarks.Clear();
        _safepoints.Clear();
        _trapSites.Clear();
        _faultSites.Clear();
        _adapterReturns.Clear();
        _faultEntry = null;
        _osrEntries.Clear();
        _inlinedPositions = null;
        _inlinedFrames = [];
    }

    /// <summary>
    /// Code of inlined calls: a wasm offset <c>p</c> &lt;= -2 given to <see cref="MarkOffset"/> or <see cref="AddTrapSite"/>
    /// stands for <paramref name="positions"/>[-2 - p], an offset in the inlined function of
    /// <paramref name="frames"/>[InlinedFrame] (which become <see cref="CompiledFunction.InlinedFrames"/>).
    /// </summary>
    public void SetInlinedPositions(IReadOnlyList<(int WasmOffset, int InlinedFrame)> positions, InlinedFrame[] frames)
    {
        _inlinedPositions = positions;
        _inlinedFrames = frames;
    }

    /// <summary>A marked wasm offset decoded: the offset, and its inlined frame (-1: the function's own code).</summary>
    private (int WasmOffset, int InlinedFrame) Decode(int position) =>
        position <= -2 && _inlinedPositions is { } positions ? positions[-2 - position] : (position, -1);

    /// <summary>The number of trap sites recorded so far (stubs and faulting accesses).</summary>
    public int TrapSiteCount => _trapSites.Count + _faultSites.Count;

    /// <summary>Records that the code from instruction <paramref name="position"/> on belongs to the wasm instruction at <paramref name="wasmOffset"/>.</summary>
    public void MarkOffset(int position, int wasmOffset)
    {
        if (_offsetMarks.Count > 0 && _offsetMarks[^1].Position == position)
        {
            _offsetMarks[^1] = (position, wasmOffset);
        }
        else
        {
            _offsetMarks.Add((position, wasmOffset));
        }
    }

    /// <summary>
    /// Records the frame slots (8-byte units from the frame's lowest address) that hold live references at the return
    /// address <paramref name="position"/> (the instruction after a call); nothing when there are none.
    /// </summary>
    public void AddSafepoint(int position, int[] liveSlots)
    {
        if (liveSlots.Length > 0)
        {
            _safepoints.Add((position, liveSlots));
        }
    }

    /// <summary>Records a trap site: <paramref name="position"/> is the instruction after the trap stub's call (its return address).</summary>
    public void AddTrapSite(int position, TrapCode code, int wasmOffset) => _trapSites.Add((position, code, wasmOffset));

    /// <summary>
    /// Records a trap site where the instruction at <paramref name="position"/> faults (a heap access checked by guard
    /// pages); its wasm offset is that of the code it lies in (<see cref="MarkOffset"/>).
    /// </summary>
    public void AddFaultSite(int position, TrapCode code) => _faultSites.Add((position, code));

    /// <summary>Records the return address (the instruction at <paramref name="position"/>) of a native adapter's call (<see cref="CompiledFunction.AdapterReturnOffsets"/>).</summary>
    public void AddAdapterReturn(int position) => _adapterReturns.Add(position);

    /// <summary>Records where the fault handler sends a thread that faulted at a fault site (<see cref="CompiledFunction.FaultEntryOffset"/>).</summary>
    public void SetFaultEntry(MLabel entry) => _faultEntry = entry;

    /// <summary>
    /// Records an on-stack-replacement entry at <paramref name="entry"/> for the loop at <paramref name="loopOffset"/>, and
    /// where the function's frame holds that state at the loop's tier-up check (<see cref="OsrEntry.FrameSlots"/>), if it does.
    /// </summary>
    public void AddOsrEntry(int loopOffset, MLabel entry, OsrState state, int[]? frameSlots = null) =>
        _osrEntries.Add((loopOffset, entry, state, frameSlots));

    /// <summary>
    /// The artifact of the assembled code, compiled for <paramref name="features"/> and <paramref name="boundsChecks"/>;
    /// its literal pool starts at <paramref name="literalsOffset"/> (-1: none).
    /// </summary>
    public CompiledFunction Build(MacroAssembler.Output output, uint functionIndex, int frameSize, int wasmBodySize, CpuFeatures features,
        BoundsCheckStrategy boundsChecks, int literalsOffset = -1, MLabel? registerEntry = null)
    {
        var stackMaps = new StackMapBuilder();
        foreach (var (position, slots) in _safepoints)
        {
            stackMaps.Add((uint)output.OffsetOf(position), slots);
        }
        var offsetMap = new List<OffsetMapping>(_offsetMarks.Count);
        foreach (var (position, marked) in _offsetMarks)
        {
            int native = output.OffsetOf(position);
            (int wasmOffset, int inlined) = Decode(marked);
            if (offsetMap.Count > 0 && offsetMap[^1].NativeOffset == native)
            {
                offsetMap[^1] = new OffsetMapping(native, wasmOffset, inlined);
            }
            else
            {
                offsetMap.Add(new OffsetMapping(native, wasmOffset, inlined));
            }
        }
        var trapSites = new TrapSite[_trapSites.Count + _faultSites.Count];
        for (int i = 0; i < _trapSites.Count; i++)
        {
            trapSites[i] = new TrapSite(output.OffsetOf(_trapSites[i].Position), _trapSites[i].Code, Decode(_trapSites[i].WasmOffset).WasmOffset);
        }
        for (int i = 0, mark = 0; i < _faultSites.Count; i++)
        {
            // Fault sites come in code order, and so do the offset map's entries: one pass finds each one's instruction.
            int native = output.OffsetOf(_faultSites[i].Position);
            while (mark + 1 < offsetMap.Count && offsetMap[mark + 1].NativeOffset <= native)
            {
                mark++;
            }
            int wasmOffset = offsetMap.Count > 0 && offsetMap[mark].NativeOffset <= native ? offsetMap[mark].WasmOffset : -1;
            trapSites[_trapSites.Count + i] = new TrapSite(native, _faultSites[i].Code, wasmOffset, TrapSiteKind.Fault);
        }
        if (_faultSites.Count > 0)
        {
            Array.Sort(trapSites, (a, b) => a.NativeOffset.CompareTo(b.NativeOffset));
        }
        var osr = new OsrEntry[_osrEntries.Count];
        for (int i = 0; i < osr.Length; i++)
        {
            osr[i] = new OsrEntry(_osrEntries[i].LoopOffset, output.LabelOffset(_osrEntries[i].Entry), _osrEntries[i].State, _osrEntries[i].FrameSlots);
        }
        return new CompiledFunction(functionIndex, output.Code, [], stackMaps.Build().Bytes.ToArray(), trapSites,
            offsetMap.ToArray(), frameSize, osr, wasmBodySize, features)
        {
            BoundsChecks = boundsChecks,
            FaultEntryOffset = _faultSites.Count > 0 && _faultEntry is { } entry ? output.LabelOffset(entry) : -1,
            LiteralsOffset = literalsOffset,
            RegisterEntryOffset = registerEntry is { } label ? output.LabelOffset(label) : -1,
            AdapterReturnOffsets = _adapterReturns.Select(output.OffsetOf).ToArray(),
            InlinedFrames = _inlinedFrames,
        };
    }
}
