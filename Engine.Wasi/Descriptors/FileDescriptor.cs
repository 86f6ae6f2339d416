using Microsoft.Win32.SafeHandles;

namespace Engine.Wasi;

/// <summary>
/// An open non-directory file. Like wasmtime, the descriptor keeps its own offset and reads and
/// writes at explicit positions (<c>pread</c>/<c>pwrite</c> through <see cref="RandomAccess"/>),
/// so <c>fd_tell</c> needs no system call and append mode is a property of the descriptor.
/// Files that cannot seek (pipes, character devices) are read and written sequentially instead.
/// </summary>
internal sealed class FileDescriptor : Descriptor
{
    private readonly FileStream? _sequential;
    private FdFlags _flags;

    public FileDescriptor(SafeFileHandle handle, Filetype filetype, FdFlags flags, Rights baseRights, Rights inheritingRights)
        : base(baseRights, inheritingRights)
    {
        Handle = handle;
        Filetype = filetype;
        _flags = flags;
        if (!IsSeekableType(filetype))
        {
            // RandomAccess refuses unseekable handles; an unbuffered FileStream just reads and writes.
            _sequential = new FileStream(handle, SequentialAccess(baseRights), bufferSize: 0);
        }
    }

    public SafeFileHandle Handle { get; }

    public override Filetype Filetype { get; }

    public override FdFlags Flags => _flags;

    /// <summary>False for pipes and character devices: offsets mean nothing there.</summary>
    public bool IsSeekable => _sequential is null;

    /// <summary>The offset of the next <c>fd_read</c>/<c>fd_write</c>.</summary>
    public ulong Position { get; set; }

    public bool IsAppend => (_flags & FdFlags.Append) != 0;

    /// <summary>Reads at <paramref name="offset"/> (ignored when the file cannot seek).</summary>
    public int Read(Span<byte> buffer, long offset) =>
        _sequential?.Read(buffer) ?? RandomAccess.Read(Handle, buffer, offset);

    /// <summary>Writes all of <paramref name="buffer"/> at <paramref name="offset"/> (ignored when the file cannot seek).</summary>
    public void Write(ReadOnlySpan<byte> buffer, long offset)
    {
        if (_sequential is null)
        {
            RandomAccess.Write(Handle, buffer, offset);
        }
        else
        {
            _sequential.Write(buffer);
        }
    }

    /// <summary>The end of the file, where append-mode writes go (0 for an unseekable file).</summary>
    public long Length => IsSeekable ? RandomAccess.GetLength(Handle) : 0;

    /// <summary><c>fd_fdstat_set_flags</c>: only append and non-blocking can change (as in wasmtime).</summary>
    public void SetFlags(FdFlags flags)
    {
        if ((flags & (FdFlags.Dsync | FdFlags.Rsync | FdFlags.Sync)) != 0)
        {
            ErrnoException.Throw(Errno.Invalid);
        }
        _flags = (_flags & ~(FdFlags.Append | FdFlags.Nonblock)) | flags;
    }

    public override void Dispose()
    {
        _sequential?.Dispose();
        Handle.Dispose();
    }

    private static bool IsSeekableType(Filetype filetype) => filetype is Filetype.RegularFile or Filetype.BlockDevice;

    private static FileAccess SequentialAccess(Rights rights) => (rights & (Rights.FdRead | Rights.FdWrite)) switch
    {
        Rights.FdWrite => FileAccess.Write,
        Rights.FdRead | Rights.FdWrite => FileAccess.ReadWrite,
        _ => FileAccess.Read,
    };
}
