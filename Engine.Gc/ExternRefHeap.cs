using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Engine.Gc;

/// <summary>Layout of an externref box in native memory; compiled code uses these offsets.</summary>
/// <remarks>
/// <code>
///  +0  long RefCount   references held by tables, globals and the activations table
///  +8  nint Handle     GCHandle (normal, strong) to the .NET object; the object may be null
/// </code>
/// An externref value is the box's address; 0 is the null reference.
/// </remarks>
public static class ExternRefLayout
{
    /// <summary>Offset of the reference count.</summary>
    public const int RefCount = 0;
    /// <summary>Offset of the GCHandle.</summary>
    public const int Handle = 8;
    /// <summary>Size of a box.</summary>
    public const int Size = 16;
}

/// <summary>Counters describing a store's externref heap and collector.</summary>
public sealed class GcStatistics
{
    /// <summary>Collections run.</summary>
    public long Collections { get; internal set; }
    /// <summary>Total time spent collecting.</summary>
    public TimeSpan CollectionTime { get; internal set; }
    /// <summary>References found live on the stack by the last collection.</summary>
    public int LastLiveOnStack { get; internal set; }
    /// <summary>Boxes currently allocated.</summary>
    public long BoxesAlive { get; internal set; }
    /// <summary>Boxes ever allocated.</summary>
    public long BoxesAllocated { get; internal set; }
    /// <summary>Boxes freed.</summary>
    public long BoxesFreed { get; internal set; }
    /// <summary>Collections that could not walk the stack completely and so freed nothing.</summary>
    public long IncompleteWalks { get; internal set; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"collections {Collections} ({CollectionTime.TotalMilliseconds:F2} ms), live on stack at last {LastLiveOnStack}, " +
        $"boxes alive {BoxesAlive} (allocated {BoxesAllocated}, freed {BoxesFreed})";
}

/// <summary>
/// The externref boxes of one store: allocation, reference counting and freeing. Not thread-safe:
/// a store is used by one thread at a time.
/// </summary>
public sealed unsafe class ExternRefHeap : IDisposable
{
    private readonly HashSet<nint> _boxes = new();

    /// <summary>Counters.</summary>
    public GcStatistics Statistics { get; } = new();

    /// <summary>Allocates a box for <paramref name="value"/> with a count of zero; null gives the null reference 0.</summary>
    public nint Allocate(object? value)
    {
        if (value is null)
        {
            return 0;
        }
        // SAFETY: a fresh 16-byte block we own until its count drops to zero; both fields initialised here.
        long* box = (long*)NativeMemory.Alloc(ExternRefLayout.Size);
        box[0] = 0;
        ((nint*)box)[1] = GCHandle.ToIntPtr(GCHandle.Alloc(value));
        _boxes.Add((nint)box);
        Statistics.BoxesAllocated++;
        Statistics.BoxesAlive++;
        return (nint)box;
    }

    /// <summary>The object a reference stands for (null for the null reference).</summary>
    public static object? GetObject(nint reference)
    {
        if (reference == 0)
        {
            return null;
        }
        // SAFETY: a non-null externref is the address of a live box (an owner holds a count on it).
        nint handle = ((nint*)reference)[1];
        return GCHandle.FromIntPtr(handle).Target;
    }

    /// <summary>Adds one owner to a reference (no-op for null).</summary>
    public static void Increment(nint reference)
    {
        if (reference != 0)
        {
            // SAFETY: the caller holds the reference, so the box is live.
            ((long*)reference)[0]++;
        }
    }

    /// <summary>Removes one owner; frees the box at zero (no-op for null).</summary>
    public void Decrement(nint reference)
    {
        if (reference == 0)
        {
            return;
        }
        // SAFETY: the caller gives up a count it held, so the box is live until the count reaches zero.
        long* box = (long*)reference;
        Debug.Assert(box[0] > 0, "externref count underflow");
        if (--box[0] == 0)
        {
            Free(reference);
        }
    }

    /// <summary>The current count of a box (for tests and diagnostics).</summary>
    public static long CountOf(nint reference) => reference == 0 ? 0 : ((long*)reference)[0];

    /// <summary>True if <paramref name="reference"/> is a box of this heap that has not been freed.</summary>
    public bool IsAlive(nint reference) => _boxes.Contains(reference);

    /// <summary>Frees boxes allocated but never given an owner (count still zero), e.g. after a failed call.</summary>
    public void FreeUnowned(nint reference)
    {
        if (reference != 0 && CountOf(reference) == 0 && _boxes.Contains(reference))
        {
            Free(reference);
        }
    }

    private void Free(nint reference)
    {
        // SAFETY: called once per box, when its last owner let go; nothing reads it afterwards.
        GCHandle.FromIntPtr(((nint*)reference)[1]).Free();
        NativeMemory.Free((void*)reference);
        _boxes.Remove(reference);
        Statistics.BoxesFreed++;
        Statistics.BoxesAlive--;
    }

    /// <summary>Frees every box (the store is going away).</summary>
    public void Dispose()
    {
        foreach (nint reference in _boxes.ToArray())
        {
            Free(reference);
        }
    }
}
