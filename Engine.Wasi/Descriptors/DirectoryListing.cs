using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Engine.Wasi;

/// <summary>
/// A snapshot of a directory's entries for <c>fd_readdir</c>, in the order the host returns them,
/// after "." and "..". An entry's cookie is its index here and its <c>d_next</c> is the index of
/// the entry after it, as in wasmtime: cookie 0 starts at ".", cookie 2 at the first real entry.
/// </summary>
internal sealed class DirectoryListing
{
    /// <summary>Size of <c>$dirent</c>: d_next u64, d_ino u64, d_namlen u32, d_type u8, 3 bytes padding.</summary>
    public const int DirentSize = 24;

    /// <summary>Bytes per getdents64 call.</summary>
    private const int ReadBufferSize = 32 * 1024;

    private readonly List<Entry> _entries;

    private DirectoryListing(List<Entry> entries)
    {
        _entries = entries;
    }

    public int Count => _entries.Count;

    /// <summary>Reads the directory now, through its descriptor (a second one, opened on it, so the
    /// listing does not move the directory descriptor's own position).</summary>
    public static DirectoryListing Read(DirectoryDescriptor directory)
    {
        ulong selfInode = directory.GetStatus().Inode;
        // Like wasmtime, ".." reports the directory's own inode: its parent may be outside the sandbox.
        var entries = new List<Entry>
        {
            new("."u8.ToArray(), selfInode, Filetype.Directory),
            new(".."u8.ToArray(), selfInode, Filetype.Directory),
        };
        using SafeFileHandle reader = HostFileSystem.OpenAt(directory.Handle, ".", NativeMethods.O_RDONLY | NativeMethods.O_DIRECTORY);
        var buffer = new byte[ReadBufferSize];
        for (int used; (used = HostFileSystem.ReadDirectoryEntries(reader, buffer)) > 0;)
        {
            for (int offset = 0; offset < used;)
            {
                // struct linux_dirent64: d_ino u64, d_off s64, d_reclen u16, d_type u8, d_name (NUL-terminated).
                int recordLength = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(offset + 16));
                ReadOnlySpan<byte> name = buffer.AsSpan(offset + 19, recordLength - 19);
                name = name[..name.IndexOf((byte)0)];
                offset += recordLength;
                if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
                {
                    continue;
                }
                // The status as path_filestat_get reports it; an entry removed since the listing read it is left out.
                string entryName = Encoding.UTF8.GetString(name);
                if (HostFileSystem.TryGetStatus(directory.Handle, entryName) is { } status)
                {
                    entries.Add(new Entry(name.ToArray(), status.Inode, status.Filetype));
                }
            }
        }
        return new DirectoryListing(entries);
    }

    /// <summary>
    /// Fills <paramref name="buffer"/> with entries from <paramref name="cookie"/> on. The buffer is
    /// filled completely when there is more than fits, truncating the last entry (header or name);
    /// fewer bytes than the buffer's size means the end of the directory was reached.
    /// </summary>
    /// <returns>The number of bytes used.</returns>
    public int Write(Span<byte> buffer, ulong cookie)
    {
        int used = 0;
        Span<byte> record = stackalloc byte[DirentSize];
        for (ulong index = cookie; index < (ulong)_entries.Count; index++)
        {
            Entry entry = _entries[(int)index];
            EncodeDirent(record, entry, next: index + 1);
            used += CopyTruncated(record, buffer[used..]);
            used += CopyTruncated(entry.Name, buffer[used..]);
            if (used == buffer.Length)
            {
                break;
            }
        }
        return used;
    }

    private static void EncodeDirent(Span<byte> record, Entry entry, ulong next)
    {
        record.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(record, next);
        BinaryPrimitives.WriteUInt64LittleEndian(record[8..], entry.Inode);
        BinaryPrimitives.WriteUInt32LittleEndian(record[16..], (uint)entry.Name.Length);
        record[20] = (byte)entry.Type;
    }

    private static int CopyTruncated(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int count = Math.Min(source.Length, destination.Length);
        source[..count].CopyTo(destination);
        return count;
    }

    private readonly record struct Entry(byte[] Name, ulong Inode, Filetype Type);
}
