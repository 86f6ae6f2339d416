using Engine.Core;
using Engine.Gc;

namespace Engine.Runtime.Native;

/// <summary>A compiled function placed in executable memory: its artifact, where its code is, and what a frame walk needs.</summary>
internal sealed class NativeFunction : IAddressRange
{
    public NativeFunction(ModuleInfo module, CompiledFunction artifact, CodeRegion region, int offset, string tier, TimeSpan compileTime,
        TierMode tierMode = TierMode.Baseline)
    {
        TierMode = tierMode;
        Module = module;
        Artifact = artifact;
        Region = region;
        Entry = region.Address + offset;
        StackMap = artifact.StackMap.Length > 4 ? new StackMap(artifact.StackMap) : StackMap.Empty;
        Tier = tier;
        CompileTime = compileTime;
    }

    public ModuleInfo Module { get; }

    public CompiledFunction Artifact { get; }

    /// <summary>The memory holding the code (kept alive by this object).</summary>
    public CodeRegion Region { get; }

    /// <summary>The address of the first instruction (the function's native entry).</summary>
    public nint Entry { get; }

    public nint End => Entry + Artifact.Code.Length;

    nint IAddressRange.Start => Entry;

    long ISortKey.SortKey => Entry;

    public StackMap StackMap { get; }

    public string Tier { get; }

    /// <summary>Which machine-code tier compiled it: <see cref="TierMode.Baseline"/> (the first) or <see cref="TierMode.Optimizing"/> (the second).</summary>
    public TierMode TierMode { get; }

    public TimeSpan CompileTime { get; }

    public uint FunctionIndex => Artifact.FunctionIndex;

    /// <summary>The native entry for on-stack replacement at the loop at module offset <paramref name="loopOffset"/>, or 0.</summary>
    public nint OsrEntry(int loopOffset, out OsrState? state)
    {
        foreach (OsrEntry entry in Artifact.OsrEntries)
        {
            if (entry.LoopOffset == loopOffset)
            {
                state = entry.State;
                return Entry + entry.NativeOffset;
            }
        }
        state = null;
        return 0;
    }

    /// <summary>
    /// Appends the backtrace frames at a pc inside this function (a return address or a trap's pc), innermost first: one
    /// per inlined call the pc lies in (<see cref="CompiledFunction.InlinedFrames"/>), each at its own offset, then the
    /// function's own at the outermost call.
    /// </summary>
    public void AddFrames(WasmBacktraceRecorder backtrace, nint pc)
    {
        (int offset, int inlined) = Artifact.PositionAt((int)(pc - Entry));
        while (inlined >= 0)
        {
            InlinedFrame frame = Artifact.InlinedFrames[inlined];
            backtrace.Add(new WasmFrame(frame.FunctionIndex, Module.FunctionName(frame.FunctionIndex), offset));
            offset = frame.CallerWasmOffset;
            inlined = frame.Parent;
        }
        backtrace.Add(new WasmFrame(FunctionIndex, Module.FunctionName(FunctionIndex), offset));
    }
}

/// <summary>
/// The process-wide map from code addresses to compiled functions, for walking native frames (the
/// collector's stack walk and backtraces): one entry per code region, removed when the region is unmapped.
/// Reads are lock-free over an immutable sorted snapshot; entries hold their regions weakly, so the map never
/// keeps code alive.
/// </summary>
internal static class CodeMap
{
    private readonly record struct Entry(nint Start, nint End, WeakReference<CodeRegion> Region) : IAddressRange
    {
        long ISortKey.SortKey => Start;
    }

    private static readonly object s_lock = new();
    private static Entry[] s_entries = [];

    /// <summary>Adds a region whose <see cref="CodeRegion.Functions"/> are placed.</summary>
    public static void Register(CodeRegion region)
    {
        lock (s_lock)
        {
            var list = new List<Entry>(s_entries.Length + 1);
            foreach (Entry e in s_entries)
            {
                // Drop entries of regions that are gone (unreachable, not yet finalized) and any overlapping the new one.
                if (e.Region.TryGetTarget(out _) && (e.End <= region.Address || e.Start >= region.End))
                {
                    list.Add(e);
                }
            }
            int at = list.FindIndex(e => e.Start > region.Address);
            list.Insert(at < 0 ? list.Count : at, new Entry(region.Address, region.End, new WeakReference<CodeRegion>(region)));
            Volatile.Write(ref s_entries, list.ToArray());
        }
    }

    /// <summary>Removes the region starting at <paramref name="address"/> (it is being unmapped).</summary>
    public static void Unregister(nint address)
    {
        lock (s_lock)
        {
            if (Array.FindIndex(s_entries, e => e.Start == address) is int index and >= 0)
            {
                Volatile.Write(ref s_entries, [.. s_entries[..index], .. s_entries[(index + 1)..]]);
            }
        }
    }

    /// <summary>The compiled function whose code contains <paramref name="pc"/>, or null.</summary>
    public static NativeFunction? Find(nint pc)
    {
        Entry[] entries = Volatile.Read(ref s_entries);
        return AddressRange.Find(entries, pc) is int i and >= 0 && entries[i].Region.TryGetTarget(out CodeRegion? region)
            ? region.FunctionAt(pc)
            : null;
    }
}

/// <summary>Something that covers the addresses [<see cref="Start"/>, <see cref="End"/>), sorted by <see cref="ISortKey.SortKey"/> = <see cref="Start"/>.</summary>
internal interface IAddressRange : ISortKey
{
    nint Start { get; }

    nint End { get; }
}

internal static class AddressRange
{
    /// <summary>The index of the range of <paramref name="sorted"/> (in address order, disjoint) that contains <paramref name="pc"/>, or -1.</summary>
    public static int Find<T>(T[] sorted, nint pc) where T : IAddressRange =>
        SortedSearch.LastAtOrBelow<T>(sorted, pc) is int i and >= 0 && pc < sorted[i].End ? i : -1;
}
