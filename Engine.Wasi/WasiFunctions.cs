using Engine.Core;

namespace Engine.Wasi;

/// <summary>
/// Every <c>wasi_snapshot_preview1</c> function with its core wasm signature: the one place that
/// knows how the witx ABI lowers each function. A linker binds each entry as an import of module
/// <see cref="ModuleName"/>, passing the instance's memory and the raw arguments.
/// </summary>
public static class WasiFunctions
{
    /// <summary>The import module name of WASI preview1.</summary>
    public const string ModuleName = "wasi_snapshot_preview1";

    private const ValType I32 = ValType.I32;
    private const ValType I64 = ValType.I64;

    /// <summary>All 46 functions, in the order of <c>wasi_snapshot_preview1.witx</c>.</summary>
    public static IReadOnlyList<WasiFunction> All { get; } =
    [
        Define("args_get", [I32, I32], (c, m, a) => c.ArgsGet(m, U32(a[0]), U32(a[1]))),
        Define("args_sizes_get", [I32, I32], (c, m, a) => c.ArgsSizesGet(m, U32(a[0]), U32(a[1]))),
        Define("environ_get", [I32, I32], (c, m, a) => c.EnvironGet(m, U32(a[0]), U32(a[1]))),
        Define("environ_sizes_get", [I32, I32], (c, m, a) => c.EnvironSizesGet(m, U32(a[0]), U32(a[1]))),
        Define("clock_res_get", [I32, I32], (c, m, a) => c.ClockResGet(m, (ClockId)U32(a[0]), U32(a[1]))),
        Define("clock_time_get", [I32, I64, I32], (c, m, a) => c.ClockTimeGet(m, (ClockId)U32(a[0]), a[1], U32(a[2]))),
        Define("fd_advise", [I32, I64, I64, I32], (c, m, a) => c.FdAdvise(U32(a[0]), a[1], a[2], (Advice)a[3])),
        Define("fd_allocate", [I32, I64, I64], (c, m, a) => c.FdAllocate(U32(a[0]), a[1], a[2])),
        Define("fd_close", [I32], (c, m, a) => c.FdClose(U32(a[0]))),
        Define("fd_datasync", [I32], (c, m, a) => c.FdDatasync(U32(a[0]))),
        Define("fd_fdstat_get", [I32, I32], (c, m, a) => c.FdFdstatGet(m, U32(a[0]), U32(a[1]))),
        Define("fd_fdstat_set_flags", [I32, I32], (c, m, a) => c.FdFdstatSetFlags(U32(a[0]), (FdFlags)a[1])),
        Define("fd_fdstat_set_rights", [I32, I64, I64], (c, m, a) => c.FdFdstatSetRights(U32(a[0]), (Rights)a[1], (Rights)a[2])),
        Define("fd_filestat_get", [I32, I32], (c, m, a) => c.FdFilestatGet(m, U32(a[0]), U32(a[1]))),
        Define("fd_filestat_set_size", [I32, I64], (c, m, a) => c.FdFilestatSetSize(U32(a[0]), a[1])),
        Define("fd_filestat_set_times", [I32, I64, I64, I32], (c, m, a) => c.FdFilestatSetTimes(U32(a[0]), a[1], a[2], (FstFlags)a[3])),
        Define("fd_pread", [I32, I32, I32, I64, I32], (c, m, a) => c.FdPread(m, U32(a[0]), U32(a[1]), U32(a[2]), a[3], U32(a[4]))),
        Define("fd_prestat_get", [I32, I32], (c, m, a) => c.FdPrestatGet(m, U32(a[0]), U32(a[1]))),
        Define("fd_prestat_dir_name", [I32, I32, I32], (c, m, a) => c.FdPrestatDirName(m, U32(a[0]), U32(a[1]), U32(a[2]))),
        Define("fd_pwrite", [I32, I32, I32, I64, I32], (c, m, a) => c.FdPwrite(m, U32(a[0]), U32(a[1]), U32(a[2]), a[3], U32(a[4]))),
        Blocking("fd_read", [I32, I32, I32, I32], (c, m, a) => c.FdRead(m, U32(a[0]), U32(a[1]), U32(a[2]), U32(a[3]))),
        Define("fd_readdir", [I32, I32, I32, I64, I32], (c, m, a) => c.FdReaddir(m, U32(a[0]), U32(a[1]), U32(a[2]), a[3], U32(a[4]))),
        Define("fd_renumber", [I32, I32], (c, m, a) => c.FdRenumber(U32(a[0]), U32(a[1]))),
        Define("fd_seek", [I32, I64, I32, I32], (c, m, a) => c.FdSeek(m, U32(a[0]), (long)a[1], (Whence)a[2], U32(a[3]))),
        Define("fd_sync", [I32], (c, m, a) => c.FdSync(U32(a[0]))),
        Define("fd_tell", [I32, I32], (c, m, a) => c.FdTell(m, U32(a[0]), U32(a[1]))),
        Define("fd_write", [I32, I32, I32, I32], (c, m, a) => c.FdWrite(m, U32(a[0]), U32(a[1]), U32(a[2]), U32(a[3]))),
        Define("path_create_directory", [I32, I32, I32], (c, m, a) => c.PathCreateDirectory(m, U32(a[0]), U32(a[1]), U32(a[2]))),
        Define("path_filestat_get", [I32, I32, I32, I32, I32],
            (c, m, a) => c.PathFilestatGet(m, U32(a[0]), (LookupFlags)U32(a[1]), U32(a[2]), U32(a[3]), U32(a[4]))),
        Define("path_filestat_set_times", [I32, I32, I32, I32, I64, I64, I32],
            (c, m, a) => c.PathFilestatSetTimes(m, U32(a[0]), (LookupFlags)U32(a[1]), U32(a[2]), U32(a[3]), a[4], a[5], (FstFlags)a[6])),
        Define("path_link", [I32, I32, I32, I32, I32, I32, I32],
            (c, m, a) => c.PathLink(m, U32(a[0]), (LookupFlags)U32(a[1]), U32(a[2]), U32(a[3]), U32(a[4]), U32(a[5]), U32(a[6]))),
        Define("path_open", [I32, I32, I32, I32, I32, I64, I64, I32, I32],
            (c, m, a) => c.PathOpen(m, U32(a[0]), (LookupFlags)U32(a[1]), U32(a[2]), U32(a[3]), (OpenFlags)a[4],
                (Rights)a[5], (Rights)a[6], (FdFlags)a[7], U32(a[8]))),
        Define("path_readlink", [I32, I32, I32, I32, I32, I32],
            (c, m, a) => c.PathReadlink(m, U32(a[0]), U32(a[1]), U32(a[2]), U32(a[3]), U32(a[4]), U32(a[5]))),
        Define("path_remove_directory", [I32, I32, I32], (c, m, a) => c.PathRemoveDirectory(m, U32(a[0]), U32(a[1]), U32(a[2]))),
        Define("path_rename", [I32, I32, I32, I32, I32, I32],
            (c, m, a) => c.PathRename(m, U32(a[0]), U32(a[1]), U32(a[2]), U32(a[3]), U32(a[4]), U32(a[5]))),
        Define("path_symlink", [I32, I32, I32, I32, I32],
            (c, m, a) => c.PathSymlink(m, U32(a[0]), U32(a[1]), U32(a[2]), U32(a[3]), U32(a[4]))),
        Define("path_unlink_file", [I32, I32, I32], (c, m, a) => c.PathUnlinkFile(m, U32(a[0]), U32(a[1]), U32(a[2]))),
        Blocking("poll_oneoff", [I32, I32, I32, I32], (c, m, a) => c.PollOneoff(m, U32(a[0]), U32(a[1]), U32(a[2]), U32(a[3]))),
        new WasiFunction("proc_exit", [I32], [], static (c, m, a) => { c.ProcExit(U32(a[0])); return 0; }),
        Define("proc_raise", [I32], (c, m, a) => c.ProcRaise((byte)a[0])),
        Define("sched_yield", [], (c, m, a) => c.SchedYield()),
        Define("random_get", [I32, I32], (c, m, a) => c.RandomGet(m, U32(a[0]), U32(a[1]))),
        Blocking("sock_accept", [I32, I32, I32], (c, m, a) => c.SockAccept(m, U32(a[0]), (FdFlags)a[1], U32(a[2]))),
        Blocking("sock_recv", [I32, I32, I32, I32, I32, I32],
            (c, m, a) => c.SockRecv(m, U32(a[0]), U32(a[1]), U32(a[2]), (RiFlags)a[3], U32(a[4]), U32(a[5]))),
        Define("sock_send", [I32, I32, I32, I32, I32],
            (c, m, a) => c.SockSend(m, U32(a[0]), U32(a[1]), U32(a[2]), (ushort)a[3], U32(a[4]))),
        Define("sock_shutdown", [I32, I32], (c, m, a) => c.SockShutdown(U32(a[0]), (SdFlags)a[1])),
    ];

    private static readonly Dictionary<string, WasiFunction> s_byName = All.ToDictionary(f => f.Name);

    /// <summary>Looks a function up by import name.</summary>
    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WasiFunction? function) =>
        s_byName.TryGetValue(name, out function);

    /// <summary>The low 32 bits of a raw argument: how an i32 argument arrives.</summary>
    private static uint U32(ulong raw) => (uint)raw;

    /// <summary>A function returning its errno as the single i32 result.</summary>
    private static WasiFunction Define(string name, ValType[] parameters, Func<WasiContext, Span<byte>, ReadOnlySpan<ulong>, Errno> call) =>
        new(name, parameters, [I32], (context, memory, args) => (int)call(context, memory, args));

    /// <summary>Like <see cref="Define"/>, for a function that may wait (for input, a connection, time):
    /// it heeds <see cref="WasiContext.Interruption"/>.</summary>
    private static WasiFunction Blocking(string name, ValType[] parameters, Func<WasiContext, Span<byte>, ReadOnlySpan<ulong>, Errno> call) =>
        new(name, parameters, [I32], (context, memory, args) => (int)call(context, memory, args)) { MayBlock = true };
}
