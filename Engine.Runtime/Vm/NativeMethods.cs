using System.Runtime.InteropServices;

namespace Engine.Runtime.Vm;

/// <summary>The few libc calls the VM needs: reserving address space for linear memories and committing it page by page, mapping compiled code, finding the thread's stack, and lowering the compiler thread's priority.</summary>
internal static unsafe partial class NativeMethods
{
    public const int ProtNone = 0;
    public const int ProtRead = 1;
    public const int ProtWrite = 2;
    public const int ProtExec = 4;
    public const int MapPrivate = 0x02;
    public const int MapAnonymous = 0x20;
    public const int MapNoReserve = 0x4000;
    public static readonly nint MapFailed = -1;

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    public static partial int Mprotect(nint address, nuint length, int protection);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "gettid")]
    public static partial int GetTid();

    /// <summary>getpriority(2): <paramref name="which"/> 0 (PRIO_PROCESS) with a thread id gives that thread's nice value on Linux (-1 is also the error value: check errno).</summary>
    [LibraryImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    public static partial int GetPriority(int which, int who);

    /// <summary>setpriority(2): <paramref name="which"/> 0 (PRIO_PROCESS) with a thread id sets that thread's nice value on Linux.</summary>
    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    public static partial int SetPriority(int which, int who, int nice);

    [LibraryImport("libc", EntryPoint = "pthread_self")]
    public static partial nint PthreadSelf();

    [LibraryImport("libc", EntryPoint = "pthread_getattr_np")]
    public static partial int PthreadGetattrNp(nint thread, void* attributes);

    [LibraryImport("libc", EntryPoint = "pthread_attr_getstack")]
    public static partial int PthreadAttrGetstack(void* attributes, nint* address, nuint* size);

    [LibraryImport("libc", EntryPoint = "pthread_attr_destroy")]
    public static partial int PthreadAttrDestroy(void* attributes);
}
