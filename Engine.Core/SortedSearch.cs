namespace Engine.Core;

/// <summary>An entry of a table kept in ascending order of <see cref="SortKey"/> (code offsets, addresses, safepoints).</summary>
public interface ISortKey
{
    /// <summary>The key the table is sorted by.</summary>
    long SortKey { get; }
}

/// <summary>
/// The one binary search over the engine's sorted tables: the native-offset -> wasm-offset map of compiled
/// code, the safepoints of a stack map, the code map's regions and a region's functions.
/// </summary>
public static class SortedSearch
{
    /// <summary>
    /// The index of the last entry of <paramref name="sorted"/> (ascending by key) whose key is at most
    /// <paramref name="key"/>, or -1 when every key is above it: the entry that covers <paramref name="key"/>
    /// when each entry covers the keys from its own up to the next entry's.
    /// </summary>
    public static int LastAtOrBelow<T>(ReadOnlySpan<T> sorted, long key) where T : ISortKey
    {
        int lo = 0, hi = sorted.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid].SortKey <= key)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }

    /// <summary>The index of the entry whose key is <paramref name="key"/>, or -1 (keys are distinct).</summary>
    public static int IndexOf<T>(ReadOnlySpan<T> sorted, long key) where T : ISortKey
    {
        int i = LastAtOrBelow(sorted, key);
        return i >= 0 && sorted[i].SortKey == key ? i : -1;
    }
}
