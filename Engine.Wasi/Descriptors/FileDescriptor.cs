using Microsoft.Win32.SafeHandles;

namespace Engine.Wasi;

/// <summary>
/// An open non-directory file. Like wasmtime, the descriptor keeps its own offset and reads and
/// writes at explicit positions (<c>pread</c>/<c>pwrite</c> through <see cref="RandomAccess"/>),
/// so <c>fd_tell</c> needs no system call and append mode is a property of the descriptor.
/// </summary>
internal sealed class FileDescriptor : Descriptor
{
    private FdFlags _flags;

    public FileDescriptor(SafeFileHandle handle, Filetype filetype, FdFlags flags, Rights baseRights, Rights inheritingRights)
        : base(baseRights, inheritingRights)
    {
        Handle = handle;
        Filetype = filetype;
        _flags = flags;
    }

    public SafeFileHandle Handle { get; }

    public override Filetype Filetype { get; }

    public override FdFlags Flags => _flags;

    /// <summary>The offset of the next <c>fd_read</c>/<c>fd_write</c>.</summary>
    public ulong Position { get; set; }

    public bool IsAppend => (_flags & FdFlags.Append) != 0;

    /// <summary><c>fd_fdstat_set_flags</c>: only append and non-blocking can change (as in wasmtime).</summary>
    public void SetFlags(FdFlags flags)
    {
        if ((flags & (FdFlags.Dsync | FdFlags.Rsync | FdFlags.Sync)) != 0)
        {
            ErrnoException.Throw(Errno.Invalid);
        }
        _flags = (_flags & ~(FdFlags.Append | FdFlags.Nonblock)) | flags;
    }

    public override void Dispose() => Handle.Dispose();
}
