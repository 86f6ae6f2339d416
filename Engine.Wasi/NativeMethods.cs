using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Engine.Wasi;

/// <summary>
/// The libc calls WASI makes: the whole of its contact with the host kernel that .NET has no
/// equivalent for. Paths are only ever resolved relative to a directory descriptor (the
/// <c>*at</c> calls): see <see cref="PathResolver"/> for why no host path string reaches the
/// kernel after a check. Then <c>getdents64</c> to list a directory through its descriptor,
/// <c>poll</c> and <c>eventfd</c> to wait on a descriptor and be woken by an interruption, and
/// <c>getrlimit</c> for the default descriptor cap.
/// </summary>
/// <remarks>
/// <para>
/// Linux only (glibc or musl); the supported host is x86-64, and arm64 differs only in two open
/// flags. Elsewhere the file calls are never reached (no directory can be preopened, see
/// <see cref="IsSupported"/>), and the waiting calls are not made.
/// </para>
/// <para>
/// No unsafe code: strings marshal as UTF-8 (NUL-terminated copies), buffers as pinned blittable
/// arrays. A <see cref="SafeFileHandle"/> marshals as a pointer-sized value where C expects an
/// <c>int</c> descriptor; both Linux ABIs we run on pass it in a register whose low 32 bits are
/// the descriptor, and the marshaller holds a reference on the handle for the duration of the
/// call, so it cannot be closed and its number reused underneath.
/// </para>
/// </remarks>
internal static class NativeMethods
{
    private const string Libc = "libc";

    // Flags of open(2). The first group has the same values on every Linux architecture.
    public const int O_RDONLY = 0x0;
    public const int O_WRONLY = 0x1;
    public const int O_RDWR = 0x2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_TRUNC = 0x200;
    public const int O_NONBLOCK = 0x800;
    public const int O_DSYNC = 0x1000;
    public const int O_SYNC = 0x101000;
    public const int O_CLOEXEC = 0x80000;
    public const int O_PATH = 0x200000;

    // O_DIRECTORY and O_NOFOLLOW differ between x86-64 (and most others) and arm64.
    public static readonly int O_DIRECTORY = IsArm64 ? 0x4000 : 0x10000;
    public static readonly int O_NOFOLLOW = IsArm64 ? 0x8000 : 0x20000;

    // *at(2) flags and statx(2) request mask.
    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;
    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_BASIC_STATS = 0x7FF;

    // Special tv_nsec values of utimensat(2).
    public const long UTIME_NOW = (1L << 30) - 1;
    public const long UTIME_OMIT = (1L << 30) - 2;

    // poll(2) events, eventfd(2) flags, getrlimit(2) resource.
    public const short POLLIN = 0x1;
    public const int EFD_CLOEXEC = 0x80000;
    public const int RLIMIT_NOFILE = 7;

    /// <summary>Size of <c>struct statx</c>: fixed by the kernel ABI on every architecture.</summary>
    public const int StatxSize = 256;

    /// <summary>Whether this host has the calls (Linux); elsewhere WASI's file system is unavailable.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux();

    private static bool IsArm64 => RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    /// <summary>The errno of the last call made through this class.</summary>
    public static int LastErrno => Marshal.GetLastPInvokeError();

    /// <summary>A <c>struct pollfd</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>openat(2) relative to a directory descriptor. <paramref name="mode"/> is the variadic
    /// third argument, passed as an int.</summary>
    [DllImport(Libc, EntryPoint = "openat", SetLastError = true)]
    public static extern int OpenAt(SafeFileHandle dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    /// <summary>openat(2) with AT_FDCWD: only for the embedder's own paths (preopened directories).</summary>
    [DllImport(Libc, EntryPoint = "openat", SetLastError = true)]
    public static extern int OpenAt(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport(Libc, EntryPoint = "mkdirat", SetLastError = true)]
    public static extern int MkdirAt(SafeFileHandle dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, uint mode);

    /// <summary>unlinkat(2): a file or link, or with AT_REMOVEDIR an empty directory.</summary>
    [DllImport(Libc, EntryPoint = "unlinkat", SetLastError = true)]
    public static extern int UnlinkAt(SafeFileHandle dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, int flags);

    /// <summary>renameat(2): atomically replaces the destination, unlike .NET's moves.</summary>
    [DllImport(Libc, EntryPoint = "renameat", SetLastError = true)]
    public static extern int RenameAt(SafeFileHandle oldDirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldName,
        SafeFileHandle newDirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string newName);

    /// <summary>linkat(2) without AT_SYMLINK_FOLLOW: a link in the source is linked itself.</summary>
    [DllImport(Libc, EntryPoint = "linkat", SetLastError = true)]
    public static extern int LinkAt(SafeFileHandle oldDirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldName,
        SafeFileHandle newDirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string newName, int flags);

    /// <summary>symlinkat(2): <paramref name="target"/> is stored verbatim.</summary>
    [DllImport(Libc, EntryPoint = "symlinkat", SetLastError = true)]
    public static extern int SymlinkAt([MarshalAs(UnmanagedType.LPUTF8Str)] string target, SafeFileHandle dirFd,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    /// <summary>readlinkat(2): the raw target bytes, not NUL-terminated; returns their count or -1.</summary>
    /// <remarks>SAFETY: the kernel writes at most <paramref name="size"/> bytes; callers pass the array's length.</remarks>
    [DllImport(Libc, EntryPoint = "readlinkat", SetLastError = true)]
    public static extern nint ReadlinkAt(SafeFileHandle dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, byte[] buffer, nuint size);

    /// <summary>statx(2) of an entry of a directory, or of the descriptor itself (an empty name and AT_EMPTY_PATH).</summary>
    /// <remarks>SAFETY: <paramref name="statxBuffer"/> must hold <see cref="StatxSize"/> bytes, the kernel's struct statx.</remarks>
    [DllImport(Libc, EntryPoint = "statx", SetLastError = true)]
    public static extern int Statx(SafeFileHandle dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, int flags, uint mask, byte[] statxBuffer);

    /// <summary>utimensat(2) of an entry of a directory; <paramref name="times"/> is <c>struct timespec[2]</c> as four longs.</summary>
    /// <remarks>SAFETY: <paramref name="times"/> must hold four longs.</remarks>
    [DllImport(Libc, EntryPoint = "utimensat", SetLastError = true)]
    public static extern int UtimensAt(SafeFileHandle dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, long[] times, int flags);

    /// <summary>futimens(3); <paramref name="times"/> is <c>struct timespec[2]</c> as four longs.</summary>
    /// <remarks>SAFETY: <paramref name="times"/> must hold four longs.</remarks>
    [DllImport(Libc, EntryPoint = "futimens", SetLastError = true)]
    public static extern int Futimens(SafeFileHandle fd, long[] times);

    [DllImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    public static extern int Fsync(SafeFileHandle fd);

    [DllImport(Libc, EntryPoint = "fdatasync", SetLastError = true)]
    public static extern int Fdatasync(SafeFileHandle fd);

    /// <summary>getdents64(2): fills the buffer with <c>struct linux_dirent64</c> records; returns the
    /// bytes used, 0 at the end, -1 on error.</summary>
    /// <remarks>SAFETY: the kernel writes at most <paramref name="size"/> bytes; callers pass the array's length.</remarks>
    [DllImport(Libc, EntryPoint = "getdents64", SetLastError = true)]
    public static extern nint Getdents64(SafeFileHandle fd, byte[] buffer, nuint size);

    /// <summary>poll(2) on the descriptors of <paramref name="fds"/>; returns how many are ready, 0 on timeout, -1 on error.</summary>
    /// <remarks>SAFETY: <paramref name="count"/> must not exceed the array's length.</remarks>
    [DllImport(Libc, EntryPoint = "poll", SetLastError = true)]
    public static extern int Poll([In, Out] PollFd[] fds, nuint count, int timeoutMilliseconds);

    /// <summary>eventfd(2): a counter descriptor, readable while non-zero.</summary>
    [DllImport(Libc, EntryPoint = "eventfd", SetLastError = true)]
    public static extern int EventFd(uint initialValue, int flags);

    /// <summary>write(2) of an 8-byte counter increment to an eventfd.</summary>
    /// <remarks>SAFETY: <paramref name="value"/> holds one long, the 8 bytes written.</remarks>
    [DllImport(Libc, EntryPoint = "write", SetLastError = true)]
    public static extern nint Write(SafeFileHandle fd, long[] value, nuint size);

    /// <summary>getrlimit(2); <paramref name="limit"/> is <c>struct rlimit</c> (soft, hard) as two ulongs.</summary>
    /// <remarks>SAFETY: <paramref name="limit"/> must hold two ulongs.</remarks>
    [DllImport(Libc, EntryPoint = "getrlimit", SetLastError = true)]
    public static extern int Getrlimit(int resource, ulong[] limit);
}
