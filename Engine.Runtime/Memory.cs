using System.Runtime.CompilerServices;
using Engine.Core;
using Engine.Runtime.Vm;

namespace Engine.Runtime;

/// <summary>A linear memory of a store: bytes addressed from 0, in 64 KiB pages.</summary>
public sealed unsafe class Memory : Extern
{
    internal Memory(Store store, LinearMemory state) : base(store)
    {
        State = state;
    }

    /// <summary>Creates a memory in <paramref name="store"/> (for example to give to a <see cref="Linker"/>).</summary>
    public Memory(Store store, MemoryType type) : this(store, store.CreateMemory(type))
    {
    }

    internal LinearMemory State { get; }

    /// <summary>
    /// How compiled code checks this memory's accesses: <see cref="BoundsCheckStrategy.GuardPages"/> when it is a
    /// reservation of 4 GiB plus a guard region (see <see cref="EngineConfig.BoundsChecks"/>), else explicit compares.
    /// </summary>
    public BoundsCheckStrategy BoundsChecks => State.BoundsChecks;

    /// <inheritdoc/>
    public override ExternType Type => new MemoryExternType(State.CurrentType);

    /// <summary>The current size in pages.</summary>
    public uint Pages => State.Pages;

    /// <summary>The current size in bytes.</summary>
    public long Length => (long)State.Length;

    /// <summary>Grows by <paramref name="deltaPages"/> pages; returns the old size, or -1 when the maximum or the store's limit forbids it.</summary>
    public int Grow(uint deltaPages) => State.Is64 ? (int)Math.Min(State.Grow((ulong)deltaPages), int.MaxValue) : State.Grow(deltaPages);

    /// <summary>
    /// Grows by <paramref name="deltaPages"/> pages (any memory, 64-bit ones included); returns the old size, or -1 when
    /// the maximum or the store's limit forbids it.
    /// </summary>
    public long Grow(ulong deltaPages) => State.Grow(deltaPages);

    /// <summary>True for a 64-bit memory (memory64: i64 addresses).</summary>
    public bool Is64 => State.Is64;

    /// <summary>The bytes [offset, offset + length). Valid until the memory grows or the store is disposed.</summary>
    public Span<byte> GetSpan(long offset, int length)
    {
        CheckRange(offset, length);
        return State.Slice((ulong)offset, length);
    }

    /// <summary>The whole memory as a span (only for memories below 2 GiB).</summary>
    public Span<byte> Span => Length <= int.MaxValue
        ? State.Slice(0, (int)Length)
        : throw new InvalidOperationException("the memory is larger than a span can hold; use GetSpan(offset, length)");

    /// <summary>Reads a value stored little-endian at <paramref name="address"/>.</summary>
    public T Read<T>(long address) where T : unmanaged
    {
        CheckRange(address, sizeof(T));
        return Unsafe.ReadUnaligned<T>(State.Base + address);
    }

    /// <summary>Writes a value little-endian at <paramref name="address"/>.</summary>
    public void Write<T>(long address, T value) where T : unmanaged
    {
        CheckRange(address, sizeof(T));
        Unsafe.WriteUnaligned(State.Base + address, value);
    }

    /// <summary>Reads an i32.</summary>
    public int ReadInt32(long address) => Read<int>(address);

    /// <summary>Writes an i32.</summary>
    public void WriteInt32(long address, int value) => Write(address, value);

    /// <summary>Reads a UTF-8 string of <paramref name="length"/> bytes.</summary>
    public string ReadString(long address, int length) => System.Text.Encoding.UTF8.GetString(GetSpan(address, length));

    private void CheckRange(long offset, long length)
    {
        if (offset < 0 || length < 0 || (ulong)offset + (ulong)length > State.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, {offset + length}) lies outside the memory of {State.Length} bytes");
        }
    }
}
