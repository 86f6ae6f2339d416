using Microsoft.Win32.SafeHandles;

namespace Engine.Wasi;

/// <summary>
/// The host file operations WASI uses. Every one that names something takes a directory
/// descriptor and one name in it (the <c>*at</c> calls): the directory is one that
/// <see cref="PathResolver"/> opened beneath a guest's directory descriptor, so the kernel never
/// walks a path that could have changed since it was checked. None of them follow a symbolic
/// link in that name. Failures throw <see cref="ErrnoException"/> with the WASI translation of
/// the libc errno. Only reached on Linux: elsewhere no directory can be preopened (see
/// <see cref="WasiContext(WasiConfig)"/>), so no guest can name a file.
/// </summary>
internal static class HostFileSystem
{
    private const int LinuxEnoent = 2;
    private const int LinuxEinval = 22;
    private const uint DirectoryMode = 0x1FF; // 0777, less the umask

    /// <summary>The flags every descriptor WASI opens on a guest's behalf carries.</summary>
    private static int NoFollow => NativeMethods.O_NOFOLLOW | NativeMethods.O_CLOEXEC;

    /// <summary>Opens a host directory the embedder named (a preopen): the one place a host path
    /// is handed to the kernel, and it comes from the embedder, not the guest.</summary>
    public static SafeFileHandle OpenDirectory(string hostPath)
    {
        return Handle(NativeMethods.OpenAt(NativeMethods.AT_FDCWD, hostPath,
            NativeMethods.O_RDONLY | NativeMethods.O_DIRECTORY | NativeMethods.O_CLOEXEC, 0));
    }

    /// <summary>
    /// openat(2) of <paramref name="name"/> in <paramref name="directory"/>, with O_NOFOLLOW and
    /// O_CLOEXEC added: a link there fails (ELOOP, or ENOTDIR with O_DIRECTORY) rather than being followed.
    /// </summary>
    public static SafeFileHandle OpenAt(SafeFileHandle directory, string name, int flags, int mode = 0)
    {
        return Handle(NativeMethods.OpenAt(directory, name, flags | NoFollow, mode));
    }

    /// <summary>Like <see cref="OpenAt"/>, but null instead of an error (the raw Linux errno in
    /// <paramref name="linuxErrno"/>), for the resolver, which treats some errors as "look closer".</summary>
    public static SafeFileHandle? TryOpenAt(SafeFileHandle directory, string name, int flags, out int linuxErrno)
    {
        int fd = NativeMethods.OpenAt(directory, name, flags | NoFollow, 0);
        linuxErrno = fd < 0 ? NativeMethods.LastErrno : 0;
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>The status of <paramref name="name"/> in <paramref name="directory"/> (not following a
    /// link), or null if there is no such entry.</summary>
    public static FileStatus? TryGetStatus(SafeFileHandle directory, string name)
    {
        var buffer = new byte[NativeMethods.StatxSize];
        if (NativeMethods.Statx(directory, name, NativeMethods.AT_SYMLINK_NOFOLLOW, NativeMethods.STATX_BASIC_STATS, buffer) == 0)
        {
            return FileStatus.FromStatx(buffer);
        }
        int errno = NativeMethods.LastErrno;
        return errno == LinuxEnoent ? null : throw new ErrnoException(ErrnoMapping.FromLinux(errno));
    }

    /// <summary>fstat of an open descriptor (file or directory, O_PATH or not).</summary>
    public static FileStatus GetStatus(SafeFileHandle handle)
    {
        var buffer = new byte[NativeMethods.StatxSize];
        Check(NativeMethods.Statx(handle, "", NativeMethods.AT_EMPTY_PATH, NativeMethods.STATX_BASIC_STATS, buffer));
        return FileStatus.FromStatx(buffer);
    }

    public static void CreateDirectory(SafeFileHandle directory, string name) =>
        Check(NativeMethods.MkdirAt(directory, name, DirectoryMode));

    public static void RemoveDirectory(SafeFileHandle directory, string name) =>
        Check(NativeMethods.UnlinkAt(directory, name, NativeMethods.AT_REMOVEDIR));

    public static void Unlink(SafeFileHandle directory, string name) =>
        Check(NativeMethods.UnlinkAt(directory, name, 0));

    public static void Rename(SafeFileHandle oldDirectory, string oldName, SafeFileHandle newDirectory, string newName) =>
        Check(NativeMethods.RenameAt(oldDirectory, oldName, newDirectory, newName));

    public static void Link(SafeFileHandle oldDirectory, string oldName, SafeFileHandle newDirectory, string newName) =>
        Check(NativeMethods.LinkAt(oldDirectory, oldName, newDirectory, newName, 0));

    public static void Symlink(string target, SafeFileHandle directory, string name) =>
        Check(NativeMethods.SymlinkAt(target, directory, name));

    /// <summary>The raw bytes of a symbolic link's target; <see cref="Errno.Invalid"/> if not a link.</summary>
    public static byte[] ReadLink(SafeFileHandle directory, string name) =>
        TryReadLink(directory, name, out int errno) ?? throw new ErrnoException(ErrnoMapping.FromLinux(errno));

    /// <summary>Like <see cref="ReadLink"/>, but null when the entry is not a link (EINVAL) or fails
    /// otherwise, with the raw Linux errno in <paramref name="linuxErrno"/>.</summary>
    public static byte[]? TryReadLink(SafeFileHandle directory, string name, out int linuxErrno)
    {
        for (int size = 256; ; size *= 2)
        {
            var buffer = new byte[size];
            nint length = NativeMethods.ReadlinkAt(directory, name, buffer, (nuint)size);
            if (length < 0)
            {
                linuxErrno = NativeMethods.LastErrno;
                return null;
            }
            if (length < size)
            {
                linuxErrno = 0;
                return buffer.AsSpan(0, (int)length).ToArray();
            }
        }
    }

    /// <summary>getdents64: fills <paramref name="buffer"/> with the next directory entries of
    /// <paramref name="directory"/> (<c>struct linux_dirent64</c> records); 0 at the end.</summary>
    public static int ReadDirectoryEntries(SafeFileHandle directory, byte[] buffer)
    {
        nint used = NativeMethods.Getdents64(directory, buffer, (nuint)buffer.Length);
        return used >= 0 ? (int)used : throw new ErrnoException(ErrnoMapping.FromLinux(NativeMethods.LastErrno));
    }

    /// <summary>Whether a failed <see cref="TryReadLink"/> meant "not a link".</summary>
    public static bool IsNotALink(int linuxErrno) => linuxErrno == LinuxEinval;

    /// <summary>utimensat of an entry without following a link there.</summary>
    public static void SetTimes(SafeFileHandle directory, string name, long[] timespecs) =>
        Check(NativeMethods.UtimensAt(directory, name, timespecs, NativeMethods.AT_SYMLINK_NOFOLLOW));

    /// <summary>futimens of an open file or directory.</summary>
    public static void SetTimes(SafeFileHandle handle, long[] timespecs) =>
        Check(NativeMethods.Futimens(handle, timespecs));

    public static void Sync(SafeFileHandle handle, bool dataOnly) =>
        Check(dataOnly ? NativeMethods.Fdatasync(handle) : NativeMethods.Fsync(handle));

    private static void Check(int result)
    {
        if (result != 0)
        {
            throw new ErrnoException(ErrnoMapping.FromLinux(NativeMethods.LastErrno));
        }
    }

    private static SafeFileHandle Handle(int fd) =>
        fd < 0 ? throw new ErrnoException(ErrnoMapping.FromLinux(NativeMethods.LastErrno)) : new SafeFileHandle(fd, ownsHandle: true);
}
