using Microsoft.Win32.SafeHandles;

namespace Engine.Wasi;

/// <summary>
/// The host file operations WASI uses, on host paths that the <see cref="PathResolver"/> has
/// already confined: <c>/proc/self/fd/N</c> of an open directory, then components verified to be
/// real directories, then a final name. Failures throw <see cref="ErrnoException"/> with the WASI
/// translation of the libc errno. None of these follow a symbolic link in the last component:
/// the resolver follows links itself, so a link that appears there afterwards is not trusted.
/// </summary>
internal static class HostFileSystem
{
    private const int LinuxEnoent = 2;

    /// <summary>lstat: the entry itself, or null if it does not exist.</summary>
    public static FileStatus? TryGetStatus(string path)
    {
        var buffer = new byte[NativeMethods.StatxSize];
        if (NativeMethods.Statx(NativeMethods.AT_FDCWD, path, NativeMethods.AT_SYMLINK_NOFOLLOW, NativeMethods.STATX_BASIC_STATS, buffer) == 0)
        {
            return FileStatus.FromStatx(buffer);
        }
        int errno = NativeMethods.LastErrno;
        if (errno == LinuxEnoent)
        {
            return null;
        }
        throw new ErrnoException(ErrnoMapping.FromLinux(errno));
    }

    /// <summary>lstat that requires the entry to exist.</summary>
    public static FileStatus GetStatus(string path) =>
        TryGetStatus(path) ?? throw new ErrnoException(Errno.NoEntry);

    /// <summary>fstat of an open file.</summary>
    public static FileStatus GetStatus(SafeFileHandle handle)
    {
        var buffer = new byte[NativeMethods.StatxSize];
        Check(NativeMethods.Statx(handle, "", NativeMethods.AT_EMPTY_PATH, NativeMethods.STATX_BASIC_STATS, buffer));
        return FileStatus.FromStatx(buffer);
    }

    /// <summary>open(2) with O_NOFOLLOW and O_CLOEXEC added.</summary>
    public static SafeFileHandle Open(string path, int flags, int mode)
    {
        int fd = NativeMethods.Open(path, flags | NativeMethods.O_NOFOLLOW | NativeMethods.O_CLOEXEC, mode);
        if (fd < 0)
        {
            throw new ErrnoException(ErrnoMapping.FromLinux(NativeMethods.LastErrno));
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    public static void CreateDirectory(string path) => Check(NativeMethods.Mkdir(path, 0x1FF /* 0777, less umask */));

    public static void RemoveDirectory(string path) => Check(NativeMethods.Rmdir(path));

    public static void Unlink(string path) => Check(NativeMethods.Unlink(path));

    public static void Rename(string oldPath, string newPath) => Check(NativeMethods.Rename(oldPath, newPath));

    public static void Link(string oldPath, string newPath) => Check(NativeMethods.Link(oldPath, newPath));

    public static void Symlink(string target, string linkPath) => Check(NativeMethods.Symlink(target, linkPath));

    /// <summary>The raw bytes of a symbolic link's target; <see cref="Errno.Invalid"/> if not a link.</summary>
    public static byte[] ReadLink(string path)
    {
        for (int size = 256; ; size *= 2)
        {
            var buffer = new byte[size];
            nint length = NativeMethods.Readlink(path, buffer, (nuint)size);
            if (length < 0)
            {
                throw new ErrnoException(ErrnoMapping.FromLinux(NativeMethods.LastErrno));
            }
            if (length < size)
            {
                return buffer.AsSpan(0, (int)length).ToArray();
            }
        }
    }

    /// <summary>utimensat without following a final symbolic link.</summary>
    public static void SetTimes(string path, long[] timespecs) =>
        Check(NativeMethods.Utimensat(NativeMethods.AT_FDCWD, path, timespecs, NativeMethods.AT_SYMLINK_NOFOLLOW));

    public static void SetTimes(SafeFileHandle handle, long[] timespecs) => Check(NativeMethods.Futimens(handle, timespecs));

    public static void Sync(SafeFileHandle handle, bool dataOnly) =>
        Check(dataOnly ? NativeMethods.Fdatasync(handle) : NativeMethods.Fsync(handle));

    private static void Check(int result)
    {
        if (result != 0)
        {
            throw new ErrnoException(ErrnoMapping.FromLinux(NativeMethods.LastErrno));
        }
    }
}
