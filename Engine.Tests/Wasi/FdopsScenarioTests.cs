using System.Text;
using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Wasi;

/// <summary>
/// Replays Programs/wasi/fdops.c call for call, with raw arguments through
/// <see cref="WasiFunctions.All"/> (the ABI the engine will use), prints what the C program prints,
/// and compares with fdops.expected, the output recorded under wasmtime. This pins the exact
/// errnos, sizes and readdir behaviour before the interpreter can run the real program.
/// </summary>
[TestFixture]
public sealed class FdopsScenarioTests
{
    private const ulong AllRights = 0x1FFFFFFF; // the program's ALL_RIGHTS
    private const ulong Creat = 1, Directory = 2, Excl = 4, Trunc = 8;

    private readonly StringBuilder _output = new();
    private TestMemory _memory = null!;
    private WasiContext _wasi = null!;
    private string _sandbox = "";

    [SetUp]
    public void Start()
    {
        _sandbox = System.IO.Directory.CreateTempSubdirectory("engine-wasi-fdops-").FullName;
        _memory = new TestMemory();
        _wasi = new WasiContext(new WasiConfig().WithArgs("fdops").WithPreopenedDirectory(_sandbox, "/sandbox"));
        _output.Clear();
    }

    [TearDown]
    public void Stop()
    {
        _wasi.Dispose();
        System.IO.Directory.Delete(_sandbox, recursive: true);
    }

    [Test]
    public void PrintsExactlyWhatWasmtimePrinted()
    {
        uint a = Alloc(4), b = Alloc(4);
        Print($"args_sizes_get: errno={Call("args_sizes_get", a, b)} argc={U32(a)} bufsize={U32(b)}");
        Print($"environ_sizes_get: errno={Call("environ_sizes_get", a, b)} count={U32(a)} bufsize={U32(b)}");
        uint pre = FindPreopen("/sandbox");
        Print($"preopen found: {(pre != 0 ? "yes" : "no")}");
        uint fdstat = Alloc(24);
        Print($"fdstat(preopen): errno={Call("fd_fdstat_get", pre, fdstat)} filetype={_memory.U8(fdstat)} (3=directory)");
        Print($"path_create_directory dir1: errno={PathCall("path_create_directory", pre, "dir1")}");
        Print($"path_create_directory dir1 again: errno={PathCall("path_create_directory", pre, "dir1")}");

        uint f = OpenFile(pre, "dir1/f", Creat | Trunc, out int e);
        Print($"path_open create dir1/f: errno={e}");
        Print($"fdstat(file): errno={Call("fd_fdstat_get", f, fdstat)} filetype={_memory.U8(fdstat)} (4=regular)");

        e = WriteAll(f, ["abc", "", "defg"], out uint total);
        Print($"fd_write 3 iovecs (looping on short writes): errno={e} total={total}");
        uint pos = Alloc(8);
        Print($"fd_tell: errno={Call("fd_tell", f, pos)} pos={_memory.U64(pos)}");
        Print($"fd_seek SET 0: errno={Call("fd_seek", f, 0, 0, pos)} pos={_memory.U64(pos)}");

        uint b1 = Alloc(3), b2 = Alloc(10);
        _memory.Bytes.AsSpan((int)b2, 10).Fill((byte)'.');
        e = ReadAll(f, [(b1, 3), (b2, 10)], out total);
        Print($"fd_read 2 iovecs (looping on short reads): errno={e} total={total} first={_memory.Utf8(b1, 3)} second={_memory.Utf8(b2, 5)}");
        uint nr = Alloc(4);
        Print($"fd_read at EOF: errno={Call("fd_read", f, _memory.PutIoVectors((b2, 10)), 1, nr)} nread={U32(nr)}");

        uint st = Alloc(64);
        e = Call("fd_filestat_get", f, st);
        Print($"fd_filestat_get: errno={e} filetype={Stat(st).Filetype:D} size={Stat(st).Size} nlink={Stat(st).LinkCount}");
        e = Call("fd_filestat_set_size", f, 3);
        Call("fd_filestat_get", f, st);
        Print($"fd_filestat_set_size 3: errno={e} size={Stat(st).Size}");
        var (xyz, xyzLength) = _memory.PutString("XYZ");
        uint nw = Alloc(4);
        e = Call("fd_pwrite", f, _memory.PutIoVectors((xyz, xyzLength)), 1, 10, nw);
        Call("fd_filestat_get", f, st);
        Print($"fd_pwrite at 10: errno={e} nwritten={U32(nw)} size={Stat(st).Size}");
        uint pb = Alloc(16);
        _memory.Bytes.AsSpan((int)pb, 16).Fill((byte)'#');
        e = Call("fd_pread", f, _memory.PutIoVectors((pb, 16)), 1, 0, nr);
        string bytes = string.Concat(_memory.Bytes.AsSpan((int)pb, (int)U32(nr)).ToArray().Select(c => c == 0 ? "\\0" : ((char)c).ToString()));
        Print($"fd_pread at 0: errno={e} nread={U32(nr)} bytes={bytes}");
        Print($"fd_sync: errno={Call("fd_sync", f)}");
        Print($"fd_datasync: errno={Call("fd_datasync", f)}");
        e = Call("fd_filestat_set_times", f, 1111111111000000000, 1222222222000000000, 1 | 4);
        Call("fd_filestat_get", f, st);
        Print($"fd_filestat_set_times: errno={e} atim={Stat(st).AccessTime} mtim={Stat(st).ModifyTime}");

        e = PathCall("path_filestat_get", pre, 0, "dir1", st);
        Print($"path_filestat_get dir1: errno={e} filetype={Stat(st).Filetype:D}");
        e = PathCall("path_filestat_get", pre, 0, "dir1/f", st);
        Print($"path_filestat_get dir1/f: errno={e} filetype={Stat(st).Filetype:D} size={Stat(st).Size}");
        Print($"path_filestat_get missing: errno={PathCall("path_filestat_get", pre, 0, "dir1/missing", st)}");

        OpenFile(pre, "dir1/f", Directory, out e);
        Print($"path_open DIRECTORY on file: errno={e}");
        OpenFile(pre, "dir1/f", Creat | Excl, out e);
        Print($"path_open CREAT|EXCL existing: errno={e}");
        uint g = OpenFile(pre, "dir1/g", Creat, out e);
        Print($"path_open create dir1/g: errno={e}");
        Print($"fd_renumber f -> g: errno={Call("fd_renumber", f, g)}");
        e = Call("fd_filestat_get", g, st);
        Print($"fstat(g) after renumber: errno={e} size={Stat(st).Size}");
        Print($"fstat(old f) after renumber: errno={Call("fd_filestat_get", f, st)}");
        Print($"fd_close g: errno={Call("fd_close", g)}");
        Print($"fd_close g again: errno={Call("fd_close", g)}");

        for (int i = 0; i < 12; i++)
        {
            uint t = OpenFile(pre, $"dir1/entry_{i * 7 % 12:D2}_{(i % 2 == 1 ? "odd" : "even")}", Creat, out e);
            if (e == 0)
            {
                Call("fd_close", t);
            }
        }
        var (dir1, dir1Length) = _memory.PutString("dir1");
        uint dPointer = Alloc(4);
        e = Call("path_open", pre, 0, dir1, dir1Length, Directory, (ulong)(Rights.FdReaddir | Rights.FdFilestatGet), 0, 0, dPointer);
        Print($"path_open dir1 DIRECTORY: errno={e}");
        List<string> names = ReadDirectoryLikeFdops(U32(dPointer), out int calls);
        names.Sort(StringComparer.Ordinal);
        Print($"fd_readdir: {names.Count} entries (excluding . and ..), multiple calls: {(calls > 1 ? "yes" : "no")}");
        names.ForEach(name => Print("  " + name));
        Call("fd_close", U32(dPointer));

        Print($"fd_close(1000): errno={Call("fd_close", 1000)}");
        Print($"random_get 0 bytes: errno={Call("random_get", Alloc(1), 0)}");
        foreach (string name in names)
        {
            if (PathCall("path_unlink_file", pre, "dir1/" + name) != 0)
            {
                Print($"unlink dir1/{name} failed");
            }
        }
        Print($"path_remove_directory dir1: errno={PathCall("path_remove_directory", pre, "dir1")}");
        Print("done");

        Assert.That(_output.ToString(), Is.EqualTo(File.ReadAllText(ProgramFiles.Wasi("fdops.expected"))));
    }

    private uint FindPreopen(string wanted)
    {
        uint prestat = Alloc(8);
        for (uint fd = 3; fd < 64; fd++)
        {
            if (Call("fd_prestat_get", fd, prestat) != 0)
            {
                continue;
            }
            uint length = U32(prestat + 4);
            uint name = Alloc((int)length);
            if (Call("fd_prestat_dir_name", fd, name, length) == 0 && _memory.Utf8(name, (int)length) == wanted)
            {
                return fd;
            }
        }
        return 0;
    }

    private uint OpenFile(uint directory, string path, ulong openFlags, out int errno)
    {
        var (pointer, length) = _memory.PutString(path);
        uint result = Alloc(4);
        _memory.WriteU32(result, uint.MaxValue);
        errno = Call("path_open", directory, 0, pointer, length, openFlags, AllRights, AllRights, 0, result);
        return U32(result);
    }

    /// <summary>The program's write_all: continues after short writes.</summary>
    private int WriteAll(uint fd, string[] chunks, out uint total)
    {
        var vectors = chunks.Select(_memory.PutString).ToList();
        total = 0;
        while (vectors.Count > 0)
        {
            uint done = Alloc(4);
            int errno = Call("fd_write", fd, _memory.PutIoVectors(vectors.ToArray()), (ulong)vectors.Count, done);
            if (errno != 0)
            {
                return errno;
            }
            total += U32(done);
            Consume(vectors, U32(done));
        }
        return 0;
    }

    /// <summary>The program's read_all: continues after short reads until EOF.</summary>
    private int ReadAll(uint fd, (uint Pointer, uint Length)[] buffers, out uint total)
    {
        var vectors = buffers.ToList();
        total = 0;
        for (int calls = 0; vectors.Count > 0 && calls < 100; calls++)
        {
            uint done = Alloc(4);
            int errno = Call("fd_read", fd, _memory.PutIoVectors(vectors.ToArray()), (ulong)vectors.Count, done);
            if (errno != 0)
            {
                return errno;
            }
            if (U32(done) == 0)
            {
                break;
            }
            total += U32(done);
            Consume(vectors, U32(done));
        }
        return 0;
    }

    private static void Consume(List<(uint Pointer, uint Length)> vectors, uint done)
    {
        while (vectors.Count > 0 && done >= vectors[0].Length)
        {
            done -= vectors[0].Length;
            vectors.RemoveAt(0);
        }
        if (vectors.Count > 0)
        {
            vectors[0] = (vectors[0].Pointer + done, vectors[0].Length - done);
        }
    }

    private List<string> ReadDirectoryLikeFdops(uint dir, out int calls)
    {
        var names = new List<string>();
        ulong cookie = 0;
        uint buffer = Alloc(96);
        uint usedPointer = Alloc(4);
        calls = 0;
        while (true)
        {
            int errno = Call("fd_readdir", dir, buffer, 96, cookie, usedPointer);
            calls++;
            if (errno != 0 || calls > 200)
            {
                Print($"fd_readdir: errno={errno}");
                break;
            }
            uint used = U32(usedPointer);
            uint offset = 0;
            bool progressed = false;
            while (offset + 24 <= used)
            {
                uint nameLength = U32(buffer + offset + 16);
                if (offset + 24 + nameLength > used)
                {
                    break;
                }
                string name = _memory.Utf8(buffer + offset + 24, (int)nameLength);
                if (name is not "." and not "..")
                {
                    names.Add(name);
                }
                cookie = _memory.U64(buffer + offset);
                offset += 24 + nameLength;
                progressed = true;
            }
            if (used < 96)
            {
                break;
            }
            if (!progressed)
            {
                Print("fd_readdir: buffer too small");
                break;
            }
        }
        return names;
    }

    private int PathCall(string function, uint directory, string path) => PathCall(function, directory, null, path, null);

    private int PathCall(string function, uint directory, ulong? flags, string path, uint? result)
    {
        var (pointer, length) = _memory.PutString(path);
        var args = new List<ulong> { directory };
        if (flags is { } lookup)
        {
            args.Add(lookup);
        }
        args.Add(pointer);
        args.Add(length);
        if (result is { } resultPointer)
        {
            args.Add(resultPointer);
        }
        return Call(function, args.ToArray());
    }

    private int Call(string name, params ulong[] args)
    {
        Assert.That(WasiFunctions.TryGet(name, out WasiFunction? function), Is.True, name);
        Assert.That(args, Has.Length.EqualTo(function!.Params.Length), name);
        return function.Invoke(_wasi, _memory.Span, args);
    }

    private Filestat Stat(uint pointer) => Filestat.Read(_memory, pointer);

    private uint U32(uint pointer) => _memory.U32(pointer);

    private uint Alloc(int size) => _memory.Allocate(size);

    private void Print(string line) => _output.Append(line).Append('\n');
}

/// <summary>Locates the checked-in test programs from the test assembly's directory.</summary>
internal static class ProgramFiles
{
    public static string Wasi(string fileName)
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "Engine.Tests", "Programs", "wasi", fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"Programs/wasi/{fileName} not found above the test directory.");
    }
}
