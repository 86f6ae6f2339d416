using System.Buffers.Binary;

namespace Engine.Wasi;

/// <summary>What <c>statx</c> reports about a file, already in WASI terms (<c>$filestat</c>).</summary>
internal readonly record struct FileStatus(
    ulong Device,
    ulong Inode,
    Filetype Filetype,
    ulong LinkCount,
    ulong Size,
    ulong AccessTime,
    ulong ModifyTime,
    ulong ChangeTime)
{
    /// <summary>Size of <c>$filestat</c> in guest memory.</summary>
    public const uint GuestSize = 64;

    /// <summary>The status reported for stdio streams, which are not files: only the type is known.</summary>
    public static FileStatus ForStream(Filetype filetype) => new(0, 0, filetype, 0, 0, 0, 0, 0);

    public bool IsDirectory => Filetype == Filetype.Directory;

    public bool IsSymlink => Filetype == Filetype.SymbolicLink;

    /// <summary>Decodes a kernel <c>struct statx</c> (fixed layout on every architecture).</summary>
    public static FileStatus FromStatx(ReadOnlySpan<byte> statx)
    {
        uint linkCount = BinaryPrimitives.ReadUInt32LittleEndian(statx[16..]);
        ushort mode = BinaryPrimitives.ReadUInt16LittleEndian(statx[28..]);
        ulong inode = BinaryPrimitives.ReadUInt64LittleEndian(statx[32..]);
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(statx[40..]);
        uint deviceMajor = BinaryPrimitives.ReadUInt32LittleEndian(statx[136..]);
        uint deviceMinor = BinaryPrimitives.ReadUInt32LittleEndian(statx[140..]);
        return new FileStatus(
            MakeDevice(deviceMajor, deviceMinor),
            inode,
            FiletypeFromMode(mode),
            linkCount,
            size,
            AccessTime: Timestamp(statx[64..]),
            ModifyTime: Timestamp(statx[112..]),
            ChangeTime: Timestamp(statx[96..]));
    }

    /// <summary>Writes the 64-byte <c>$filestat</c> record.</summary>
    public void WriteTo(GuestMemory memory, uint pointer)
    {
        Span<byte> record = memory.Slice(pointer, GuestSize);
        record.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(record, Device);
        BinaryPrimitives.WriteUInt64LittleEndian(record[8..], Inode);
        record[16] = (byte)Filetype;
        BinaryPrimitives.WriteUInt64LittleEndian(record[24..], LinkCount);
        BinaryPrimitives.WriteUInt64LittleEndian(record[32..], Size);
        BinaryPrimitives.WriteUInt64LittleEndian(record[40..], AccessTime);
        BinaryPrimitives.WriteUInt64LittleEndian(record[48..], ModifyTime);
        BinaryPrimitives.WriteUInt64LittleEndian(record[56..], ChangeTime);
    }

    private static Filetype FiletypeFromMode(ushort mode) => (mode & 0xF000) switch
    {
        0x1000 => Filetype.Unknown, // FIFO: preview1 has no code for it
        0x2000 => Filetype.CharacterDevice,
        0x4000 => Filetype.Directory,
        0x6000 => Filetype.BlockDevice,
        0x8000 => Filetype.RegularFile,
        0xA000 => Filetype.SymbolicLink,
        0xC000 => Filetype.SocketStream,
        _ => Filetype.Unknown,
    };

    /// <summary>A <c>struct statx_timestamp</c> (i64 seconds, u32 nanoseconds) as WASI nanoseconds;
    /// times before 1970 are clamped to 0 since a WASI timestamp is unsigned.</summary>
    private static ulong Timestamp(ReadOnlySpan<byte> timestamp)
    {
        long seconds = BinaryPrimitives.ReadInt64LittleEndian(timestamp);
        uint nanoseconds = BinaryPrimitives.ReadUInt32LittleEndian(timestamp[8..]);
        return seconds < 0 ? 0 : (ulong)seconds * 1_000_000_000UL + nanoseconds;
    }

    /// <summary>glibc's <c>makedev</c>: the encoding <c>st_dev</c> uses.</summary>
    private static ulong MakeDevice(uint major, uint minor) =>
        ((ulong)(major & 0xFFFFF000) << 32) | ((ulong)(major & 0xFFF) << 8)
        | ((ulong)(minor & 0xFFFFFF00) << 12) | (minor & 0xFF);
}
