using Engine.Core;
using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Wasi;

[TestFixture]
public sealed class WasiFunctionsTests
{
    /// <summary>Every function of wasi_snapshot_preview1.witx, lowered to core wasm by hand from the
    /// witx (pointers, sizes, fds, enums and flags up to 32 bits: i32; u64/s64 values: i64).</summary>
    private static readonly string[] s_expectedSignatures =
    [
        "args_get: [i32 i32] -> [i32]",
        "args_sizes_get: [i32 i32] -> [i32]",
        "environ_get: [i32 i32] -> [i32]",
        "environ_sizes_get: [i32 i32] -> [i32]",
        "clock_res_get: [i32 i32] -> [i32]",
        "clock_time_get: [i32 i64 i32] -> [i32]",
        "fd_advise: [i32 i64 i64 i32] -> [i32]",
        "fd_allocate: [i32 i64 i64] -> [i32]",
        "fd_close: [i32] -> [i32]",
        "fd_datasync: [i32] -> [i32]",
        "fd_fdstat_get: [i32 i32] -> [i32]",
        "fd_fdstat_set_flags: [i32 i32] -> [i32]",
        "fd_fdstat_set_rights: [i32 i64 i64] -> [i32]",
        "fd_filestat_get: [i32 i32] -> [i32]",
        "fd_filestat_set_size: [i32 i64] -> [i32]",
        "fd_filestat_set_times: [i32 i64 i64 i32] -> [i32]",
        "fd_pread: [i32 i32 i32 i64 i32] -> [i32]",
        "fd_prestat_get: [i32 i32] -> [i32]",
        "fd_prestat_dir_name: [i32 i32 i32] -> [i32]",
        "fd_pwrite: [i32 i32 i32 i64 i32] -> [i32]",
        "fd_read: [i32 i32 i32 i32] -> [i32]",
        "fd_readdir: [i32 i32 i32 i64 i32] -> [i32]",
        "fd_renumber: [i32 i32] -> [i32]",
        "fd_seek: [i32 i64 i32 i32] -> [i32]",
        "fd_sync: [i32] -> [i32]",
        "fd_tell: [i32 i32] -> [i32]",
        "fd_write: [i32 i32 i32 i32] -> [i32]",
        "path_create_directory: [i32 i32 i32] -> [i32]",
        "path_filestat_get: [i32 i32 i32 i32 i32] -> [i32]",
        "path_filestat_set_times: [i32 i32 i32 i32 i64 i64 i32] -> [i32]",
        "path_link: [i32 i32 i32 i32 i32 i32 i32] -> [i32]",
        "path_open: [i32 i32 i32 i32 i32 i64 i64 i32 i32] -> [i32]",
        "path_readlink: [i32 i32 i32 i32 i32 i32] -> [i32]",
        "path_remove_directory: [i32 i32 i32] -> [i32]",
        "path_rename: [i32 i32 i32 i32 i32 i32] -> [i32]",
        "path_symlink: [i32 i32 i32 i32 i32] -> [i32]",
        "path_unlink_file: [i32 i32 i32] -> [i32]",
        "poll_oneoff: [i32 i32 i32 i32] -> [i32]",
        "proc_exit: [i32] -> []",
        "proc_raise: [i32] -> [i32]",
        "sched_yield: [] -> [i32]",
        "random_get: [i32 i32] -> [i32]",
        "sock_accept: [i32 i32 i32] -> [i32]",
        "sock_recv: [i32 i32 i32 i32 i32 i32] -> [i32]",
        "sock_send: [i32 i32 i32 i32 i32] -> [i32]",
        "sock_shutdown: [i32 i32] -> [i32]",
    ];

    [Test]
    public void TableHasEveryPreview1FunctionWithItsWitxSignature()
    {
        Assert.That(WasiFunctions.All.Select(f => f.ToString()), Is.EqualTo(s_expectedSignatures));
        Assert.That(WasiFunctions.ModuleName, Is.EqualTo("wasi_snapshot_preview1"));
        Assert.That(WasiFunctions.TryGet("fd_write", out WasiFunction? write), Is.True);
        Assert.That(write!.Params, Is.EqualTo(new[] { ValType.I32, ValType.I32, ValType.I32, ValType.I32 }));
        Assert.That(WasiFunctions.TryGet("fd_fly", out _), Is.False);
    }

    [Test]
    public void RawArgumentsUseOnlyTheLowBitsOfI32s()
    {
        var memory = new TestMemory(4096);
        using var wasi = new WasiContext(new WasiConfig().WithArgs("a", "bc"));
        WasiFunctions.TryGet("args_sizes_get", out WasiFunction? sizes);
        uint count = memory.Allocate(4);
        uint size = memory.Allocate(4);
        ulong[] args = [0xDEAD_BEEF_0000_0000 | count, 0xFFFF_FFFF_0000_0000 | size];
        Assert.That(sizes!.Invoke(wasi, memory.Span, args), Is.EqualTo((int)Errno.Success));
        Assert.That((memory.U32(count), memory.U32(size)), Is.EqualTo((2u, 5u)));
    }

    [Test]
    public void ProcExitThroughTheTableThrows()
    {
        using var wasi = new WasiContext(new WasiConfig());
        WasiFunctions.TryGet("proc_exit", out WasiFunction? exit);
        var exception = Assert.Throws<WasiExitException>(() => exit!.Invoke(wasi, new byte[16], [7]));
        Assert.That(exception!.ExitCode, Is.EqualTo(7));
    }

    [Test]
    public void SixtyFourBitArgumentsArriveWhole()
    {
        string directory = Directory.CreateTempSubdirectory("engine-wasi-").FullName;
        try
        {
            var memory = new TestMemory(4096);
            using var wasi = new WasiContext(new WasiConfig().WithPreopenedDirectory(directory, "/d"));
            var (path, length) = memory.PutString("f");
            uint fdPointer = memory.Allocate(4);
            Assert.That(Call(wasi, memory, "path_open", 3, 0, path, length, (ulong)OpenFlags.Create, ulong.MaxValue, ulong.MaxValue, 0, fdPointer),
                Is.EqualTo(Errno.Success));
            uint fd = memory.U32(fdPointer);
            Assert.That(Call(wasi, memory, "fd_filestat_set_size", fd, 0x1_0000_0005), Is.EqualTo(Errno.Success));
            Assert.That(new FileInfo(Path.Combine(directory, "f")).Length, Is.EqualTo(0x1_0000_0005));
            uint position = memory.Allocate(8);
            Assert.That(Call(wasi, memory, "fd_seek", fd, unchecked((ulong)-2L), (ulong)Whence.End, position), Is.EqualTo(Errno.Success));
            Assert.That(memory.U64(position), Is.EqualTo(0x1_0000_0003));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Random arguments and random memory contents for every function: nothing may throw (except
    /// proc_exit's exit), whatever the guest passes. Clocks are fake so no call really sleeps.
    /// </summary>
    [Test]
    public void NoFunctionThrowsWhateverTheArguments()
    {
        string directory = Directory.CreateTempSubdirectory("engine-wasi-").FullName;
        try
        {
            var random = new Random(1234);
            var memory = new byte[4096];
            for (int round = 0; round < 300; round++)
            {
                using var wasi = new WasiContext(new WasiConfig()
                    .WithPreopenedDirectory(directory, "/d")
                    .WithClock(new ManualClock())
                    .WithStdin(new MemoryStream(new byte[100])));
                foreach (WasiFunction function in WasiFunctions.All)
                {
                    random.NextBytes(memory);
                    ulong[] args = function.Params.Select(_ => RandomArgument(random, memory.Length)).ToArray();
                    try
                    {
                        int errno = function.Invoke(wasi, memory, args);
                        Assert.That(errno, Is.InRange(0, 76), function.Name);
                    }
                    catch (WasiExitException) when (function.Name == "proc_exit")
                    {
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static ulong RandomArgument(Random random, int memorySize) => random.Next(6) switch
    {
        0 => 0,
        1 => (ulong)random.Next(4),                       // small: fds, flags, counts
        2 => (ulong)random.Next(memorySize),              // in-bounds pointer
        3 => (ulong)(uint)random.Next(int.MinValue, int.MaxValue),
        4 => ulong.MaxValue,
        _ => (ulong)random.NextInt64(),
    };

    private static Errno Call(WasiContext wasi, TestMemory memory, string name, params ulong[] args)
    {
        Assert.That(WasiFunctions.TryGet(name, out WasiFunction? function), Is.True);
        return (Errno)function!.Invoke(wasi, memory.Span, args);
    }
}
