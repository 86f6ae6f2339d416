using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Engine.Core;

namespace Engine.Gc;

/// <summary>
/// The one stack-map format of every tier. For each safepoint of a function (an interpreter
/// instruction index, or a native return-address offset) it lists the frame slots that hold live
/// references, as slot indices from the frame's base (a slot is 8 bytes: byte offset = 8 * index).
/// </summary>
/// <remarks>
/// Byte layout (little-endian), written only by <see cref="StackMapBuilder"/>, read only here:
/// <code>
///  +0   u32 safepointCount (N)
///  +4   N x { u32 key; u32 setOffset }     sorted by key; setOffset is relative to the set area
///  +4+8N  set area: for each distinct slot set, { u16 count; u16 slots[count] }
/// </code>
/// Identical slot sets are stored once. A safepoint with no live references needs no entry: a key
/// that is not found means "no references live here".
/// </remarks>
public sealed class StackMap
{
    /// <summary>A stack map with no safepoints.</summary>
    public static readonly StackMap Empty = new(new byte[4]);

    private readonly byte[] _data;
    private readonly int _count;

    /// <summary>Wraps the encoded bytes (as produced by <see cref="StackMapBuilder.Build"/>).</summary>
    public StackMap(byte[] data)
    {
        _data = data;
        _count = (int)BinaryPrimitives.ReadUInt32LittleEndian(data);
    }

    /// <summary>The encoded bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _data;

    /// <summary>The number of safepoints with live references.</summary>
    public int SafepointCount => _count;

    /// <summary>Looks up the live reference slots at a safepoint; false when none are live there.</summary>
    public bool TryGetLiveSlots(uint key, out SlotSet slots)
    {
        ReadOnlySpan<Safepoint> safepoints = MemoryMarshal.Cast<byte, Safepoint>(_data.AsSpan(4, _count * 8));
        int i = SortedSearch.IndexOf(safepoints, key);
        if (i < 0)
        {
            slots = default;
            return false;
        }
        int setOffset = 4 + _count * 8 + (int)safepoints[i].SetOffset;
        int count = BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(setOffset));
        slots = new SlotSet(_data, setOffset + 2, count);
        return true;
    }

    /// <summary>An entry of the safepoint table as it lies in the bytes (little-endian u32 key, u32 set offset).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct Safepoint : ISortKey
    {
        private readonly uint _key;
        private readonly uint _setOffset;

        public long SortKey => BitConverter.IsLittleEndian ? _key : BinaryPrimitives.ReverseEndianness(_key);

        public uint SetOffset => BitConverter.IsLittleEndian ? _setOffset : BinaryPrimitives.ReverseEndianness(_setOffset);
    }

    /// <summary>The keys of all safepoints, in order.</summary>
    public IEnumerable<uint> Keys
    {
        get
        {
            for (int i = 0; i < _count; i++)
            {
                yield return BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(4 + i * 8));
            }
        }
    }
}

/// <summary>The slot indices live at one safepoint.</summary>
public readonly struct SlotSet
{
    private readonly byte[]? _data;
    private readonly int _start;

    internal SlotSet(byte[] data, int start, int count)
    {
        _data = data;
        _start = start;
        Count = count;
    }

    /// <summary>The number of slots.</summary>
    public int Count { get; }

    /// <summary>The <paramref name="i"/>th slot index.</summary>
    public int this[int i] => BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(_start + 2 * i));
}

/// <summary>Builds a <see cref="StackMap"/>: the one writer every tier uses.</summary>
public sealed class StackMapBuilder
{
    private readonly SortedDictionary<uint, int[]> _entries = new();

    /// <summary>Records the live reference slots at a safepoint (replacing an earlier record for the same key).</summary>
    public void Add(uint key, ReadOnlySpan<int> liveSlots)
    {
        if (liveSlots.IsEmpty)
        {
            _entries.Remove(key);
            return;
        }
        int[] slots = liveSlots.ToArray();
        Array.Sort(slots);
        foreach (int s in slots)
        {
            if ((uint)s > ushort.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(liveSlots), "stack-map slot index exceeds 65535");
            }
        }
        _entries[key] = slots;
    }

    /// <summary>Discards everything recorded.</summary>
    public void Clear() => _entries.Clear();

    /// <summary>Encodes the map.</summary>
    public StackMap Build()
    {
        if (_entries.Count == 0)
        {
            return StackMap.Empty;
        }
        var setOffsets = new Dictionary<string, int>();
        var sets = new List<byte>();
        var header = new byte[4 + _entries.Count * 8];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)_entries.Count);
        int i = 0;
        foreach (var (key, slots) in _entries)
        {
            string id = string.Join(',', slots);
            if (!setOffsets.TryGetValue(id, out int offset))
            {
                offset = sets.Count;
                setOffsets.Add(id, offset);
                sets.Add((byte)slots.Length);
                sets.Add((byte)(slots.Length >> 8));
                foreach (int s in slots)
                {
                    sets.Add((byte)s);
                    sets.Add((byte)(s >> 8));
                }
            }
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4 + i * 8), key);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8 + i * 8), (uint)offset);
            i++;
        }
        var data = new byte[header.Length + sets.Count];
        header.CopyTo(data, 0);
        sets.CopyTo(data, header.Length);
        return new StackMap(data);
    }
}
