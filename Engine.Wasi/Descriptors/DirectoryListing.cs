using System.Buffers.Binary;
using System.Text;

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

    private static readonly EnumerationOptions s_everyEntry = new()
    {
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    private readonly List<Entry> _entries;

    private DirectoryListing(List<Entry> entries)
    {
        _entries = entries;
    }

    public int Count => _entries.Count;

    /// <summary>Reads the directory now.</summary>
    public static DirectoryListing Read(DirectoryDescriptor directory)
    {
        ulong selfInode = directory.GetStatus().Inode;
        // Like wasmtime, ".." reports the directory's own inode: its parent may be outside the sandbox.
        var entries = new List<Entry>
        {
            new("."u8.ToArray(), selfInode, Filetype.Directory),
            new(".."u8.ToArray(), selfInode, Filetype.Directory),
        };
        foreach (string entryPath in Directory.EnumerateFileSystemEntries(directory.HostPath, "*", s_everyEntry))
        {
            // An entry removed since the enumeration read it is simply left out.
            if (HostFileSystem.TryGetStatus(entryPath) is { } status)
            {
                byte[] name = Encoding.UTF8.GetBytes(Path.GetFileName(entryPath));
                entries.Add(new Entry(name, status.Inode, status.Filetype));
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
