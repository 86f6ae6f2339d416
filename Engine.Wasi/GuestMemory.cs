using System.Buffers.Binary;
using System.Text;

namespace Engine.Wasi;

/// <summary>
/// Bounds-checked, little-endian access to the guest's linear memory for the duration of one WASI
/// call. Every pointer the guest passes goes through here: a range that does not fit in memory
/// fails with <see cref="Errno.Fault"/> (as an <see cref="ErrnoException"/>), never an
/// <see cref="IndexOutOfRangeException"/>. Alignment is not checked.
/// </summary>
internal readonly ref struct GuestMemory
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Span<byte> _bytes;

    public GuestMemory(Span<byte> bytes)
    {
        _bytes = bytes;
    }

    /// <summary>The guest bytes [pointer, pointer + length), or <see cref="Errno.Fault"/>.</summary>
    public Span<byte> Slice(uint pointer, uint length)
    {
        // 64-bit arithmetic: pointer + length cannot wrap around.
        if ((ulong)pointer + length > (ulong)_bytes.Length)
        {
            ErrnoException.Throw(Errno.Fault);
        }
        return _bytes.Slice((int)pointer, (int)length);
    }

    /// <summary><paramref name="pointer"/> + <paramref name="offset"/> as a guest address;
    /// beyond the 32-bit address space is <see cref="Errno.Fault"/> (no wrapping around).</summary>
    public static uint Offset(uint pointer, ulong offset)
    {
        ulong address = pointer + offset;
        if (address > uint.MaxValue)
        {
            ErrnoException.Throw(Errno.Fault);
        }
        return (uint)address;
    }

    /// <summary>Fails with <see cref="Errno.Fault"/> unless the range is inside memory; used to
    /// check result pointers before a call has side effects.</summary>
    public void EnsureValid(uint pointer, uint length) => Slice(pointer, length);

    /// <summary>Like <see cref="EnsureValid"/> for <paramref name="count"/> elements of
    /// <paramref name="elementSize"/> bytes; a size beyond the address space is a fault too.</summary>
    public void EnsureValidArray(uint pointer, uint count, uint elementSize)
    {
        ulong totalSize = (ulong)count * elementSize;
        if (totalSize > uint.MaxValue)
        {
            ErrnoException.Throw(Errno.Fault);
        }
        EnsureValid(pointer, (uint)totalSize);
    }

    public byte ReadByte(uint pointer) => Slice(pointer, 1)[0];

    public ushort ReadUInt16(uint pointer) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(pointer, 2));

    public uint ReadUInt32(uint pointer) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(pointer, 4));

    public ulong ReadUInt64(uint pointer) => BinaryPrimitives.ReadUInt64LittleEndian(Slice(pointer, 8));

    public void WriteByte(uint pointer, byte value) => Slice(pointer, 1)[0] = value;

    public void WriteUInt16(uint pointer, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Slice(pointer, 2), value);

    public void WriteUInt32(uint pointer, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Slice(pointer, 4), value);

    public void WriteUInt64(uint pointer, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Slice(pointer, 8), value);

    /// <summary>Copies <paramref name="bytes"/> to <paramref name="pointer"/>.</summary>
    public void Write(uint pointer, ReadOnlySpan<byte> bytes) => bytes.CopyTo(Slice(pointer, (uint)bytes.Length));

    /// <summary>Decodes a UTF-8 string; invalid UTF-8 is <see cref="Errno.IllegalSequence"/>.</summary>
    public string ReadString(uint pointer, uint length)
    {
        ReadOnlySpan<byte> bytes = Slice(pointer, length);
        try
        {
            return s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new ErrnoException(Errno.IllegalSequence);
        }
    }

    /// <summary>
    /// Reads an <c>iovec</c>/<c>ciovec</c> array (each element: u32 buffer pointer, u32 length) and
    /// checks every buffer, so a bad buffer faults before any data moves.
    /// </summary>
    public IoVector[] ReadIoVectors(uint arrayPointer, uint count)
    {
        const uint ElementSize = 8;
        EnsureValidArray(arrayPointer, count, ElementSize);
        var vectors = new IoVector[count];
        for (uint i = 0; i < count; i++)
        {
            uint element = arrayPointer + i * ElementSize;
            var vector = new IoVector(ReadUInt32(element), ReadUInt32(element + 4));
            EnsureValid(vector.Pointer, vector.Length);
            vectors[i] = vector;
        }
        return vectors;
    }
}

/// <summary>One guest buffer of a scatter/gather list.</summary>
internal readonly record struct IoVector(uint Pointer, uint Length);
