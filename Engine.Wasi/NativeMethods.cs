using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Engine.Wasi;

/// <summary>
/// The few libc calls WASI needs that .NET has no equivalent for. .NET's file APIs do not expose
/// POSIX semantics exactly: <c>Directory.CreateDirectory</c> succeeds on existing directories,
/// <c>File.Delete</c> ignores missing files, moves refuse to replace, opens cannot say
/// <c>O_NOFOLLOW</c>, there is no hard link, no <c>lstat</c> with inode/ctime/nlink, and no
/// nanosecond <c>utimensat</c>; and errors arrive as exceptions that lose the errno. So these
/// path operations go straight to libc and report the precise errno.
/// </summary>
/// <remarks>
/// Everything here is Linux (glibc or musl). No unsafe code: strings marshal as UTF-8, buffers as
/// blittable arrays. A <see cref="SafeFileHandle"/> marshals as a pointer-sized value where C
/// expects an <c>int</c> descriptor; both Linux ABIs we run on (x86-64, arm64) pass it in a
/// register whose low 32 bits are the descriptor.
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

    // O_DIRECTORY and O_NOFOLLOW differ between x86-64 (and most others) and arm64.
    public static readonly int O_DIRECTORY = IsArm64 ? 0x4000 : 0x10000;
    public static readonly int O_NOFOLLOW = IsArm64 ? 0x8000 : 0x20000;

    // *at(2) flags and statx(2) request mask.
    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_BASIC_STATS = 0x7FF;

    // Special tv_nsec values of utimensat(2).
    public const long UTIME_NOW = (1L << 30) - 1;
    public const long UTIME_OMIT = (1L << 30) - 2;

    /// <summary>Size of <c>struct statx</c>: fixed by the kernel ABI on every architecture.</summary>
    public const int StatxSize = 256;

    private static bool IsArm64 => RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    /// <summary>The errno of the last call made through this class.</summary>
    public static int LastErrno => Marshal.GetLastPInvokeError();

    /// <summary>open(2). <paramref name="mode"/> is the variadic third argument, passed as an int.</summary>
    [DllImport(Libc, EntryPoint = "open", SetLastError = true)]
    public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport(Libc, EntryPoint = "mkdir", SetLastError = true)]
    public static extern int Mkdir([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    [DllImport(Libc, EntryPoint = "rmdir", SetLastError = true)]
    public static extern int Rmdir([MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    [DllImport(Libc, EntryPoint = "unlink", SetLastError = true)]
    public static extern int Unlink([MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    /// <summary>rename(2): atomically replaces the destination, unlike .NET's moves.</summary>
    [DllImport(Libc, EntryPoint = "rename", SetLastError = true)]
    public static extern int Rename([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    /// <summary>link(2): a hard link; does not follow a symlink at <paramref name="oldPath"/> on Linux.</summary>
    [DllImport(Libc, EntryPoint = "link", SetLastError = true)]
    public static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    /// <summary>symlink(2): <paramref name="target"/> is stored verbatim.</summary>
    [DllImport(Libc, EntryPoint = "symlink", SetLastError = true)]
    public static extern int Symlink([MarshalAs(UnmanagedType.LPUTF8Str)] string target, [MarshalAs(UnmanagedType.LPUTF8Str)] string linkPath);

    /// <summary>readlink(2): the raw target bytes, not NUL-terminated; returns their count or -1.</summary>
    [DllImport(Libc, EntryPoint = "readlink", SetLastError = true)]
    public static extern nint Readlink([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer, nuint size);

    /// <summary>statx(2) on a path (relative paths are not used: <paramref name="dirFd"/> is AT_FDCWD).</summary>
    [DllImport(Libc, EntryPoint = "statx", SetLastError = true)]
    public static extern int Statx(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] statxBuffer);

    /// <summary>statx(2) on an open descriptor (with an empty path and AT_EMPTY_PATH).</summary>
    [DllImport(Libc, EntryPoint = "statx", SetLastError = true)]
    public static extern int Statx(SafeFileHandle fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] statxBuffer);

    /// <summary>utimensat(2); <paramref name="times"/> is <c>struct timespec[2]</c> as four longs.</summary>
    [DllImport(Libc, EntryPoint = "utimensat", SetLastError = true)]
    public static extern int Utimensat(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, long[] times, int flags);

    /// <summary>futimens(3); <paramref name="times"/> is <c>struct timespec[2]</c> as four longs.</summary>
    [DllImport(Libc, EntryPoint = "futimens", SetLastError = true)]
    public static extern int Futimens(SafeFileHandle fd, long[] times);

    [DllImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    public static extern int Fsync(SafeFileHandle fd);

    [DllImport(Libc, EntryPoint = "fdatasync", SetLastError = true)]
    public static extern int Fdatasync(SafeFileHandle fd);
}
