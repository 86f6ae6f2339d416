using System.Buffers.Binary;
using System.Text;

namespace Engine.Tests.Wasi;

/// <summary>A byte array standing in for a guest's linear memory, with a bump allocator and
/// little-endian accessors, so tests can lay out WASI arguments the way a guest would.</summary>
internal sealed class TestMemory
{
    /// <summary>First address the allocator hands out; below it is left zero (address 0 stays unused).</summary>
    private const uint Base = 64;

    private uint _top = Base;

    public TestMemory(int size = 1 << 20)
    {
        Bytes = new byte[size];
    }

    public byte[] Bytes { get; }

    public Span<byte> Span => Bytes;

    /// <summary>An address just past the end, for EFAULT tests.</summary>
    public uint OutOfBounds => (uint)Bytes.Length;

    public uint Allocate(int size, int alignment = 8)
    {
        _top = (uint)((_top + alignment - 1) / alignment * alignment);
        uint pointer = _top;
        _top += (uint)Math.Max(size, 1);
        if (_top > Bytes.Length)
        {
            throw new InvalidOperationException("Test memory exhausted.");
        }
        return pointer;
    }

    public (uint Pointer, uint Length) PutString(string text) => PutBytes(Encoding.UTF8.GetBytes(text));

    public (uint Pointer, uint Length) PutBytes(ReadOnlySpan<byte> bytes)
    {
        uint pointer = Allocate(bytes.Length, 1);
        bytes.CopyTo(Bytes.AsSpan((int)pointer));
        return (pointer, (uint)bytes.Length);
    }

    /// <summary>Writes an iovec array (pointer, length pairs) and returns its address.</summary>
    public uint PutIoVectors(params (uint Pointer, uint Length)[] vectors)
    {
        uint array = Allocate(vectors.Length * 8, 4);
        for (int i = 0; i < vectors.Length; i++)
        {
            WriteU32(array + (uint)i * 8, vectors[i].Pointer);
            WriteU32(array + (uint)i * 8 + 4, vectors[i].Length);
        }
        return array;
    }

    public byte U8(uint pointer) => Bytes[pointer];

    public ushort U16(uint pointer) => BinaryPrimitives.ReadUInt16LittleEndian(Bytes.AsSpan((int)pointer));

    public uint U32(uint pointer) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan((int)pointer));

    public ulong U64(uint pointer) => BinaryPrimitives.ReadUInt64LittleEndian(Bytes.AsSpan((int)pointer));

    public void WriteU32(uint pointer, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Bytes.AsSpan((int)pointer), value);

    public void WriteU64(uint pointer, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Bytes.AsSpan((int)pointer), value);

    public string Utf8(uint pointer, int length) => Encoding.UTF8.GetString(Bytes, (int)pointer, length);

    /// <summary>A NUL-terminated UTF-8 string.</summary>
    public string CString(uint pointer)
    {
        int end = Array.IndexOf(Bytes, (byte)0, (int)pointer);
        return Encoding.UTF8.GetString(Bytes, (int)pointer, end - (int)pointer);
    }
}

/// <summary>A decoded <c>$filestat</c>.</summary>
internal readonly record struct Filestat(ulong Device, ulong Inode, Engine.Wasi.Filetype Filetype, ulong LinkCount,
    ulong Size, ulong AccessTime, ulong ModifyTime, ulong ChangeTime)
{
    public static Filestat Read(TestMemory memory, uint pointer) => new(
        memory.U64(pointer), memory.U64(pointer + 8), (Engine.Wasi.Filetype)memory.U8(pointer + 16),
        memory.U64(pointer + 24), memory.U64(pointer + 32), memory.U64(pointer + 40),
        memory.U64(pointer + 48), memory.U64(pointer + 56));
}

/// <summary>A clock that only moves when the code under test sleeps (or the test advances it).</summary>
internal sealed class ManualClock : Engine.Wasi.IWasiClock
{
    public ulong Realtime { get; set; } = 1_700_000_000_000_000_000;

    public ulong Monotonic { get; set; } = 5_000_000_000;

    public int Sleeps { get; private set; }

    public ulong RealtimeResolution => 1_000;

    public ulong MonotonicResolution => 1;

    public ulong ReadRealtime() => Realtime;

    public ulong ReadMonotonic() => Monotonic;

    public void SleepUntil(ulong monotonicDeadline)
    {
        Sleeps++;
        if (monotonicDeadline > Monotonic)
        {
            Realtime += monotonicDeadline - Monotonic;
            Monotonic = monotonicDeadline;
        }
    }
}
