using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Engine.Gc;

/// <summary>A wasm frame as the collector sees it, whatever tier made it.</summary>
/// <param name="Map">The function's stack map.</param>
/// <param name="Safepoint">The safepoint the frame is stopped at (instruction index or return-address offset).</param>
/// <param name="FrameBase">Address of slot 0 of the frame; slot i is at FrameBase + 8 * i.</param>
public readonly record struct GcFrame(StackMap Map, uint Safepoint, nint FrameBase);

/// <summary>Enumerates the wasm frames on the stack of the store's thread, innermost first, across host/wasm nesting.</summary>
public interface IStackWalker
{
    /// <summary>Adds every live wasm frame to <paramref name="frames"/>; false if the walk could not be completed.</summary>
    bool TryWalk(List<GcFrame> frames);
}

/// <summary>What one collection did (see <see cref="ActivationsTable.Observer"/>).</summary>
/// <param name="Duration">Time the collection took.</param>
/// <param name="Complete">False when the stack walk could not be completed (nothing was freed).</param>
/// <param name="TableEntries">Entries of the activations table before the collection.</param>
/// <param name="LiveOnStack">References found live in wasm frames.</param>
/// <param name="BoxesFreed">Boxes freed by the collection.</param>
/// <param name="BoxesAlive">Boxes alive after it.</param>
public readonly record struct CollectionInfo(TimeSpan Duration, bool Complete, int TableEntries, int LiveOnStack, long BoxesFreed, long BoxesAlive);

/// <summary>
/// The deferred reference-counting collector's activations table: an over-approximation of the
/// externrefs that live wasm frames may hold, each entry owning one count.
/// </summary>
/// <remarks>
/// <para>Wasm frames never touch reference counts. A reference enters a frame only by being passed in
/// from the host, or read from a table or global; each of these inserts it here (taking a count), so
/// every reference any frame holds is in the table. The fast path of an insert is a bump pointer into
/// a native chunk (<see cref="NextAddress"/>, <see cref="EndAddress"/>), which compiled code can inline.</para>
/// <para>A collection (when the chunk is full, or when the host asks) walks the stack, reads the exact
/// live set through the stack maps, takes a count on each live reference, drops the counts of every
/// old entry, and makes the live set the table's new content. If the walk cannot be completed nothing
/// is freed; the chunk grows instead. The chunk's capacity after a collection is twice the live set,
/// at least <see cref="MinimumCapacity"/>, so collections stay rare.</para>
/// </remarks>
public sealed unsafe class ActivationsTable : IDisposable
{
    /// <summary>The smallest chunk.</summary>
    public const int MinimumCapacity = 512;

    private readonly ExternRefHeap _heap;
    private readonly List<GcFrame> _frames = new();
    private readonly HashSet<nint> _live = new();
    private nint* _chunk;
    private int _capacity;

    // SAFETY: a native two-pointer cell {next, end} so compiled code can bump without calling us.
    private readonly nint* _cursor;

    /// <summary>Creates an empty table over a heap.</summary>
    public ActivationsTable(ExternRefHeap heap, int capacity = MinimumCapacity)
    {
        _heap = heap;
        _capacity = Math.Max(capacity, 16);
        _chunk = (nint*)NativeMemory.Alloc((nuint)_capacity, (nuint)sizeof(nint));
        _cursor = (nint*)NativeMemory.Alloc(2, (nuint)sizeof(nint));
        _cursor[0] = (nint)_chunk;
        _cursor[1] = (nint)(_chunk + _capacity);
    }

    /// <summary>The stack walker used by collections (set by the store).</summary>
    public IStackWalker? Walker { get; set; }

    /// <summary>Told after every collection (the runtime turns it into engine events); null for nobody.</summary>
    public Action<CollectionInfo>? Observer { get; set; }

    /// <summary>Address of the bump pointer (nint*: next free entry).</summary>
    public nint NextAddress => (nint)_cursor;

    /// <summary>Address of the end pointer (nint*: one past the chunk).</summary>
    public nint EndAddress => (nint)(_cursor + 1);

    /// <summary>The number of entries.</summary>
    public int Count => (int)(((nint*)_cursor[0]) - _chunk);

    /// <summary>The chunk's capacity.</summary>
    public int Capacity => _capacity;

    /// <summary>
    /// Makes room for <paramref name="count"/> inserts that must not collect in between (several values
    /// entering wasm at once, none yet visible in a frame): collects first if they would not fit.
    /// </summary>
    public void Reserve(int count)
    {
        if (Capacity - Count >= count)
        {
            return;
        }
        Collect();
        if (Capacity - Count < count)
        {
            Grow(Math.Max(_capacity * 2, Count + count));
        }
    }

    /// <summary>Inserts without ever collecting; the caller made room with <see cref="Reserve"/>.</summary>
    public void InsertReserved(nint reference)
    {
        if (reference == 0)
        {
            return;
        }
        nint* next = (nint*)_cursor[0];
        Debug.Assert(next < (nint*)_cursor[1], "InsertReserved without Reserve");
        ExternRefHeap.Increment(reference);
        *next = reference;
        _cursor[0] = (nint)(next + 1);
    }

    /// <summary>Inserts a reference a frame is about to hold, taking a count on it; may collect first.</summary>
    public void Insert(nint reference)
    {
        if (reference == 0)
        {
            return;
        }
        nint* next = (nint*)_cursor[0];
        if (next == (nint*)_cursor[1])
        {
            Collect();
            next = (nint*)_cursor[0];
            if (next == (nint*)_cursor[1])
            {
                Grow(_capacity * 2);
                next = (nint*)_cursor[0];
            }
        }
        ExternRefHeap.Increment(reference);
        *next = reference;
        _cursor[0] = (nint)(next + 1);
    }

    /// <summary>
    /// Runs a collection at a safepoint: keeps exactly the references live in wasm frames, drops the
    /// rest. Returns false (and frees nothing) when the stack walk could not be completed.
    /// </summary>
    public bool Collect()
    {
        long start = Stopwatch.GetTimestamp();
        GcStatistics stats = _heap.Statistics;
        int entries = Count;
        long freedBefore = stats.BoxesFreed;
        _frames.Clear();
        _live.Clear();
        bool complete = Walker == null || Walker.TryWalk(_frames);
        if (!complete)
        {
            stats.IncompleteWalks++;
            Grow(_capacity * 2);
            Observer?.Invoke(new CollectionInfo(Stopwatch.GetElapsedTime(start), false, entries, 0, 0, stats.BoxesAlive));
            return false;
        }
        foreach (GcFrame frame in _frames)
        {
            if (!frame.Map.TryGetLiveSlots(frame.Safepoint, out SlotSet slots))
            {
                continue;
            }
            for (int i = 0; i < slots.Count; i++)
            {
                // SAFETY: the walker gives frames that are live on this thread's stack; their slots
                // listed by the stack map at this safepoint hold externrefs (0 or a live box).
                nint reference = ((nint*)frame.FrameBase)[slots[i]];
                if (reference != 0)
                {
                    _live.Add(reference);
                }
            }
        }
        // Count the new table's entries before releasing the old ones, so a live box never hits zero.
        foreach (nint reference in _live)
        {
            ExternRefHeap.Increment(reference);
        }
        nint* end = (nint*)_cursor[0];
        for (nint* p = _chunk; p < end; p++)
        {
            _heap.Decrement(*p);
        }
        int wanted = Math.Max(MinimumCapacity, _live.Count * 2);
        if (wanted > _capacity)
        {
            Grow(wanted);
        }
        nint* next = _chunk;
        foreach (nint reference in _live)
        {
            *next++ = reference;
        }
        _cursor[0] = (nint)next;
        stats.Collections++;
        stats.LastLiveOnStack = _live.Count;
        TimeSpan duration = Stopwatch.GetElapsedTime(start);
        stats.CollectionTime += duration;
        Observer?.Invoke(new CollectionInfo(duration, true, entries, _live.Count, stats.BoxesFreed - freedBefore, stats.BoxesAlive));
        return true;
    }

    /// <summary>Drops every entry (no wasm frame is live: the store is idle).</summary>
    public void Clear()
    {
        nint* end = (nint*)_cursor[0];
        for (nint* p = _chunk; p < end; p++)
        {
            _heap.Decrement(*p);
        }
        _cursor[0] = (nint)_chunk;
    }

    private void Grow(int capacity)
    {
        int count = Count;
        // SAFETY: realloc keeps the first count entries; the cursor is rebased onto the new chunk.
        _chunk = (nint*)NativeMemory.Realloc(_chunk, (nuint)capacity * (nuint)sizeof(nint));
        _capacity = capacity;
        _cursor[0] = (nint)(_chunk + count);
        _cursor[1] = (nint)(_chunk + capacity);
    }

    /// <summary>Releases the entries' counts and the native chunk.</summary>
    public void Dispose()
    {
        if (_chunk != null)
        {
            Clear();
            NativeMemory.Free(_chunk);
            NativeMemory.Free(_cursor);
            _chunk = null;
        }
    }
}
