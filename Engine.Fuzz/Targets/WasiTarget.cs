using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Engine.Wasi;

namespace Engine.Fuzz.Targets;

/// <summary>
/// <c>wasi</c>: random sequences of WASI preview1 calls with random and adversarial arguments (bad descriptors,
/// pointers and lengths past the memory, <c>..</c>, absolute paths, symlinks out of the sandbox, loops,
/// invalid UTF-8, random rights and flags), made directly on the host functions (<see cref="WasiFunctions"/>)
/// against a sandbox directory. Only errnos may come back (or <see cref="WasiExitException"/> from
/// <c>proc_exit</c>); nothing outside the sandbox may change (the sandbox's parent, a sibling "outside"
/// directory and the process's working directory are compared before and after); no byte of a secret file
/// outside the sandbox may reach guest memory; the host's stdout and stderr stay open.
/// </summary>
/// <remarks>
/// An input is a script, one call per line (<c>call NAME ARG...</c>, arguments in hex) after the memory
/// contents it reads (<c>mem OFFSET HEX</c>), so a failing case replays from its file.
/// </remarks>
public sealed class WasiTarget : FuzzTarget
{
    private const int PathArea = 1024, IovecArea = 4096, DataArea = 8192, ResultArea = 32768, SubscriptionArea = 40960;

    /// <summary>What each parameter is, per function (see <see cref="ArgumentsFor"/>).</summary>
    private static readonly Dictionary<string, string> s_roles = new()
    {
        ["args_get"] = "PP", ["args_sizes_get"] = "PP", ["environ_get"] = "PP", ["environ_sizes_get"] = "PP",
        ["clock_res_get"] = "WP", ["clock_time_get"] = "WXP", ["fd_advise"] = "FXXW", ["fd_allocate"] = "FXX", ["fd_close"] = "F",
        ["fd_datasync"] = "F", ["fd_fdstat_get"] = "FP", ["fd_fdstat_set_flags"] = "FG", ["fd_fdstat_set_rights"] = "FRR",
        ["fd_filestat_get"] = "FP", ["fd_filestat_set_size"] = "FX", ["fd_filestat_set_times"] = "FXXG", ["fd_pread"] = "FIXP",
        ["fd_prestat_get"] = "FP", ["fd_prestat_dir_name"] = "FPN", ["fd_pwrite"] = "FIXP", ["fd_read"] = "FIP",
        ["fd_readdir"] = "FPNXP", ["fd_renumber"] = "FF", ["fd_seek"] = "FXWP", ["fd_sync"] = "F", ["fd_tell"] = "FP",
        ["fd_write"] = "FIP", ["path_create_directory"] = "FS", ["path_filestat_get"] = "FGSP", ["path_filestat_set_times"] = "FGSXXG",
        ["path_link"] = "FGSFS", ["path_open"] = "FGSGRRGP", ["path_readlink"] = "FSPNP", ["path_remove_directory"] = "FS",
        ["path_rename"] = "FSFS", ["path_symlink"] = "SFS", ["path_unlink_file"] = "FS", ["poll_oneoff"] = "ZP", ["proc_exit"] = "C",
        ["proc_raise"] = "W", ["sched_yield"] = "", ["random_get"] = "PN", ["sock_accept"] = "FGP", ["sock_recv"] = "FIGPP",
        ["sock_send"] = "FIGP", ["sock_shutdown"] = "FW",
    };

    private static readonly string[] s_paths =
    [
        "a.txt", "dir", "dir/b.txt", "dir/sub", "dir/sub/", "new.txt", "dir/new", "newdir", ".", "..", "../", "../outside",
        "../outside/secret.txt", "dir/../../outside/secret.txt", "dir/sub/../../..", "/", "/etc/passwd", "/tmp", "//a.txt", "",
        "link-in", "link-dir", "link-dir/b.txt", "link-out", "link-escape", "link-escape/secret.txt", "link-abs", "loop", "loop/x",
        "dangling", "a.txt/", "a.txt/x", "./././a.txt", "dir//b.txt", "dir/./sub/../b.txt", "link-dir/../a.txt", "link-dir/../../outside",
        "..\\outside", "dir/sub/../../link-escape", "ro.txt", "fifo", "x\0y", "\u00e9t\u00e9", "new-link", "dir/new-link",
    ];

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"wasm-fuzz-wasi-{Environment.ProcessId}");

    /// <summary>Removes the case folder when the process ends.</summary>
    public WasiTarget()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (Directory.Exists(_root))
            {
                MakeWritable(_root);
                DiffTarget.DeleteQuietly(_root);
            }
        };
    }

    /// <inheritdoc/>
    public override string Name => "wasi";

    /// <inheritdoc/>
    public override string Extension => ".wasi";

    /// <inheritdoc/>
    public override byte[] Generate(Random random)
    {
        var script = new StringBuilder();
        script.Append(CultureInfo.InvariantCulture, $"pages {1 + random.Next(2)}\n");
        script.Append(CultureInfo.InvariantCulture, $"stderr {(random.Next(4) == 0 ? "inherit" : "capture")}\n");
        int calls = 3 + random.Next(40);
        WasiFunction[] functions = WasiFunctions.All.ToArray();
        for (int c = 0; c < calls; c++)
        {
            // Mostly the file system; now and then anything.
            WasiFunction function = random.Next(3) != 0
                ? functions.Where(f => f.Name.StartsWith("path_", StringComparison.Ordinal) || f.Name.StartsWith("fd_", StringComparison.Ordinal))
                    .ElementAt(random.Next(functions.Count(f => f.Name.StartsWith("path_", StringComparison.Ordinal) || f.Name.StartsWith("fd_", StringComparison.Ordinal))))
                : functions[random.Next(functions.Length)];
            if (function.Name == "proc_exit" && random.Next(4) != 0)
            {
                continue;
            }
            var memory = new List<(int Offset, byte[] Bytes)>();
            ulong[] args = ArgumentsFor(function, random, memory);
            foreach ((int offset, byte[] bytes) in memory)
            {
                script.Append(CultureInfo.InvariantCulture, $"mem {offset:x} {Convert.ToHexString(bytes)}\n");
            }
            script.Append("call ").Append(function.Name);
            foreach (ulong a in args)
            {
                script.Append(CultureInfo.InvariantCulture, $" {a:x}");
            }
            script.Append('\n');
        }
        return Encoding.UTF8.GetBytes(script.ToString());
    }

    private static ulong[] ArgumentsFor(WasiFunction function, Random random, List<(int, byte[])> memory)
    {
        string roles = s_roles[function.Name];
        var args = new List<ulong>();
        // Most calls get plausible arguments (so state builds up: files opened, written, renamed); the rest get
        // adversarial ones everywhere.
        bool sane = random.Next(5) < 3;
        int paths = 0;
        foreach (char role in roles)
        {
            switch (role)
            {
                case 'F' when sane:
                    args.Add((ulong)(random.Next(3) == 0 ? 3 + random.Next(2) : random.Next(0, 9)));
                    break;
                case 'F':
                    args.Add(random.Next(10) switch
                    {
                        < 4 => 3,
                        < 7 => (ulong)random.Next(0, 9),
                        7 => (ulong)random.Next(9, 1100),
                        8 => 0xFFFFFFFF,
                        _ => 0x80000000,
                    });
                    break;
                case 'P':
                    args.Add(sane ? (ulong)(ResultArea + random.Next(64) * 8) : Pointer(random, ResultArea + random.Next(64) * 8));
                    break;
                case 'N':
                    args.Add(sane ? (ulong)random.Next(1, 600) : Length(random));
                    break;
                case 'S':
                {
                    byte[] path = sane ? Encoding.UTF8.GetBytes(s_paths[random.Next(s_paths.Length)]) : PathBytes(random);
                    int at = PathArea + paths++ * 512 + random.Next(4);
                    memory.Add((at, path));
                    args.Add(!sane && random.Next(12) == 0 ? Pointer(random, at) : (ulong)at);
                    args.Add(sane ? (ulong)path.Length : random.Next(10) switch
                    {
                        0 => (ulong)Math.Max(0, path.Length - 1),
                        1 => (ulong)path.Length + (ulong)random.Next(1, 8),
                        2 => Length(random),
                        _ => (ulong)path.Length,
                    });
                    break;
                }
                case 'I':
                {
                    int count = !sane && random.Next(8) == 0 ? random.Next(0, 64) : random.Next(1, 4);
                    byte[] iovecs = new byte[Math.Min(count, 16) * 8];
                    for (int i = 0; i < iovecs.Length / 8; i++)
                    {
                        uint buffer = sane ? (uint)(DataArea + random.Next(16) * 1024) : (uint)Pointer(random, DataArea + random.Next(16) * 1024);
                        uint length = !sane && random.Next(6) == 0 ? (uint)Length(random) : (uint)random.Next(0, 300);
                        BitConverter.TryWriteBytes(iovecs.AsSpan(i * 8), buffer);
                        BitConverter.TryWriteBytes(iovecs.AsSpan(i * 8 + 4), length);
                    }
                    // Something to write.
                    byte[] data = new byte[64];
                    random.NextBytes(data);
                    memory.Add((DataArea, data));
                    memory.Add((IovecArea, iovecs));
                    args.Add(!sane && random.Next(12) == 0 ? Pointer(random, IovecArea) : IovecArea);
                    args.Add(!sane && random.Next(12) == 0 ? Length(random) : (ulong)count);
                    break;
                }
                case 'X' when sane:
                    args.Add((ulong)random.Next(0, 5000));
                    break;
                case 'X':
                    args.Add(random.Next(6) switch
                    {
                        0 => 0,
                        1 => (ulong)random.Next(0, 5000),
                        2 => ulong.MaxValue,
                        3 => 0x7FFFFFFFFFFFFFFF,
                        4 => 1UL << 62,
                        _ => (ulong)random.NextInt64(),
                    });
                    break;
                case 'R' when sane:
                    args.Add(random.Next(3) == 0 ? (ulong)random.NextInt64() & 0x1FFFFFFF : 0x1FFFFFFF);
                    break;
                case 'R':
                    args.Add(random.Next(4) switch { 0 => 0, 1 => ulong.MaxValue, 2 => 0x1FFFFFFF, _ => (ulong)random.NextInt64() });
                    break;
                case 'G' when sane:
                    args.Add((ulong)random.Next(0, 16));
                    break;
                case 'G':
                    args.Add(random.Next(4) switch { 0 => 0, 1 => (ulong)random.Next(0, 16), 2 => (ulong)random.Next(0, 0x10000), _ => 0xFFFFFFFF });
                    break;
                case 'W':
                    args.Add(random.Next(5) == 0 ? (ulong)random.Next() : (ulong)random.Next(0, 8));
                    break;
                case 'C':
                    args.Add((ulong)random.Next(0, 300));
                    break;
                case 'Z':
                {
                    int count = random.Next(8) == 0 ? random.Next(0, 100) : random.Next(0, 4);
                    byte[] subscriptions = new byte[Math.Min(count, 8) * 48];
                    for (int i = 0; i < subscriptions.Length / 48; i++)
                    {
                        Span<byte> s = subscriptions.AsSpan(i * 48, 48);
                        BitConverter.TryWriteBytes(s, (ulong)random.Next());
                        s[8] = (byte)(random.Next(6) == 0 ? random.Next(256) : random.Next(3));
                        BitConverter.TryWriteBytes(s[16..], (uint)random.Next(0, 6)); // clock id or fd
                        BitConverter.TryWriteBytes(s[24..], random.Next(3) == 0 ? ulong.MaxValue : (ulong)random.Next(0, 1_000_000));
                        BitConverter.TryWriteBytes(s[32..], (ulong)random.Next(0, 1000));
                        BitConverter.TryWriteBytes(s[40..], (ushort)random.Next(0, 4));
                    }
                    memory.Add((SubscriptionArea, subscriptions));
                    args.Add(random.Next(12) == 0 ? Pointer(random, SubscriptionArea) : SubscriptionArea);
                    args.Add(Pointer(random, SubscriptionArea + 4096));
                    args.Add((ulong)count);
                    break;
                }
            }
        }
        if (args.Count != function.Params.Length)
        {
            throw new InvalidOperationException($"{function.Name}: {args.Count} arguments made for {function.Params.Length} parameters");
        }
        return [.. args];
    }

    private static ulong Pointer(Random random, int usual) => random.Next(10) switch
    {
        0 => 0xFFFFFFFF,
        1 => 0xFFFFFFF0,
        2 => (ulong)(65536 - random.Next(1, 16)),
        3 => 0x80000000,
        4 => (ulong)random.Next(0, 200_000),
        _ => (ulong)usual,
    };

    private static ulong Length(Random random) => random.Next(6) switch
    {
        0 => 0,
        1 => 0xFFFFFFFF,
        2 => 0x80000000,
        3 => (ulong)random.Next(1, 70_000),
        _ => (ulong)random.Next(1, 600),
    };

    private static byte[] PathBytes(Random random)
    {
        switch (random.Next(12))
        {
            case 0:
                return Encoding.UTF8.GetBytes(new string('x', random.Next(200, 5000)));
            case 1:
            {
                byte[] bytes = new byte[random.Next(1, 12)];
                random.NextBytes(bytes);
                return bytes;
            }
            case 2:
                return Encoding.UTF8.GetBytes(string.Join('/', Enumerable.Range(0, random.Next(2, 60)).Select(_ => random.Next(3) == 0 ? ".." : "dir")));
            default:
            {
                string path = s_paths[random.Next(s_paths.Length)];
                if (random.Next(6) == 0)
                {
                    path = path + "/" + s_paths[random.Next(s_paths.Length)];
                }
                return Encoding.UTF8.GetBytes(path);
            }
        }
    }

    /// <inheritdoc/>
    public override Finding? Run(byte[] input)
    {
        string caseRoot = Path.Combine(_root, "case");
        if (Directory.Exists(caseRoot))
        {
            MakeWritable(caseRoot);
            Directory.Delete(caseRoot, recursive: true);
        }
        string sandbox = Path.Combine(caseRoot, "sandbox"), outside = Path.Combine(caseRoot, "outside"), cwd = Path.Combine(caseRoot, "cwd");
        string secret = "SECRET-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        BuildTree(sandbox, outside, cwd, secret);
        string before = Snapshot(caseRoot, sandbox);
        string rootBefore = string.Join('\n', Directory.GetFileSystemEntries(_root).Order(StringComparer.Ordinal));
        string fd1 = DescriptorTarget(1), fd2 = DescriptorTarget(2);
        string previousDirectory = Environment.CurrentDirectory;
        Finding? finding;
        try
        {
            Environment.CurrentDirectory = cwd;
            finding = Execute(Encoding.UTF8.GetString(input), sandbox, secret);
        }
        finally
        {
            Environment.CurrentDirectory = previousDirectory;
        }
        if (finding is not null)
        {
            return finding;
        }
        string after = Snapshot(caseRoot, sandbox);
        if (after != before)
        {
            string changed = FirstDifference(before, after);
            return new Finding("escape: something outside the sandbox changed", $"escape: outside the sandbox, '{changed}' changed");
        }
        string rootAfter = string.Join('\n', Directory.GetFileSystemEntries(_root).Order(StringComparer.Ordinal));
        if (rootAfter != rootBefore)
        {
            return new Finding("escape: the sandbox's grandparent changed", $"escape: entries next to the case folder changed: {Finding.OneLine(FirstDifference(rootBefore, rootAfter))}");
        }
        if (DescriptorTarget(1) != fd1 || DescriptorTarget(2) != fd2)
        {
            return new Finding("host stdio closed or replaced", $"the host's stdout/stderr changed: '{fd1}' '{fd2}' -> '{DescriptorTarget(1)}' '{DescriptorTarget(2)}'");
        }
        return null;
    }

    private Finding? Execute(string script, string sandbox, string secret)
    {
        int pages = 1;
        bool inheritStderr = false;
        var calls = new List<(string Name, ulong[] Args, List<(int, byte[])> Memory)>();
        var pending = new List<(int, byte[])>();
        foreach (string raw in script.Split('\n'))
        {
            string[] parts = raw.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }
            switch (parts[0])
            {
                case "pages":
                    pages = Math.Clamp(int.Parse(parts[1], CultureInfo.InvariantCulture), 1, 16);
                    break;
                case "stderr":
                    inheritStderr = parts[1] == "inherit";
                    break;
                case "mem":
                    pending.Add((int.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture), parts.Length > 2 ? Convert.FromHexString(parts[2]) : []));
                    break;
                case "call":
                    calls.Add((parts[1], parts.Skip(2).Select(p => ulong.Parse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray(), pending));
                    pending = [];
                    break;
            }
        }
        byte[] memory = new byte[pages * 65536];
        using var stdin = new MemoryStream(Encoding.UTF8.GetBytes("input line\nmore\n"));
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var config = new WasiConfig()
            .WithArgs("fuzz.wasm", "--flag", "\u00e9")
            .WithEnvironmentVariable("HOME", "/sandbox")
            .WithPreopenedDirectory(sandbox, "/sandbox")
            .WithPreopenedDirectory(Path.Combine(sandbox, "dir"), ".")
            .WithStdin(stdin)
            .WithStdout(stdout)
            .WithClock(new FakeClock())
            .WithRandom(new Random(7));
        config = inheritStderr ? config.InheritStderr() : config.WithStderr(stderr);
        int index = 0;
        try
        {
            using var context = new WasiContext(config);
            for (index = 0; index < calls.Count; index++)
            {
                (string name, ulong[] args, List<(int, byte[])> writes) = calls[index];
                foreach ((int offset, byte[] bytes) in writes)
                {
                    if (offset >= 0 && offset + bytes.Length <= memory.Length)
                    {
                        bytes.CopyTo(memory, offset);
                    }
                }
                if (!WasiFunctions.TryGet(name, out WasiFunction? function) || args.Length != function!.Params.Length)
                {
                    continue;
                }
                int errno;
                try
                {
                    errno = function.Invoke(context, memory, args);
                }
                catch (WasiExitException)
                {
                    Count("proc_exit");
                    break;
                }
                Count(errno == 0 ? "calls succeeded" : "calls failed with an errno");
                if (!Enum.IsDefined((Errno)errno))
                {
                    return new Finding($"{name}: undefined errno", $"{name} returned {errno}, which is no WASI errno (call {index})");
                }
            }
        }
        catch (Exception e)
        {
            string name = index < calls.Count ? calls[index].Name : "dispose";
            return new Finding($"{name}: {e.GetType().Name} at {Finding.FirstEngineFrame(e)}", $"{name}: {e.GetType().Name} escaped (call {index}): {Finding.OneLine(e.Message)}");
        }
        if (!stdout.CanWrite || !stderr.CanWrite || !stdin.CanRead)
        {
            return new Finding("embedder's stdio stream closed", "the embedder's stdio streams were closed by the guest (the caller keeps owning them)");
        }
        if (memory.AsSpan().IndexOf(Encoding.ASCII.GetBytes(secret)) >= 0)
        {
            return new Finding("escape: a file outside the sandbox was read", "escape: the secret file outside the sandbox was read into guest memory");
        }
        return null;
    }

    private static void BuildTree(string sandbox, string outside, string cwd, string secret)
    {
        Directory.CreateDirectory(Path.Combine(sandbox, "dir", "sub"));
        Directory.CreateDirectory(Path.Combine(outside, "dir"));
        Directory.CreateDirectory(cwd);
        File.WriteAllText(Path.Combine(sandbox, "a.txt"), "hello from the sandbox\n");
        File.WriteAllText(Path.Combine(sandbox, "dir", "b.txt"), "bee\n");
        File.WriteAllText(Path.Combine(sandbox, "ro.txt"), "read only\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(sandbox, "ro.txt"), UnixFileMode.UserRead);
        }
        File.WriteAllText(Path.Combine(outside, "secret.txt"), secret);
        File.WriteAllText(Path.Combine(outside, "dir", "a.txt"), secret);
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(sandbox)!, "a.txt"), secret);
        File.CreateSymbolicLink(Path.Combine(sandbox, "link-in"), "a.txt");
        File.CreateSymbolicLink(Path.Combine(sandbox, "link-dir"), "dir");
        File.CreateSymbolicLink(Path.Combine(sandbox, "link-out"), "../outside/secret.txt");
        File.CreateSymbolicLink(Path.Combine(sandbox, "link-escape"), "../outside");
        File.CreateSymbolicLink(Path.Combine(sandbox, "link-abs"), Path.Combine(outside, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(sandbox, "loop"), "loop");
        File.CreateSymbolicLink(Path.Combine(sandbox, "dangling"), "nothing-here");
        File.CreateSymbolicLink(Path.Combine(sandbox, "dir", "up"), "..");
    }

    /// <summary>Every entry under <paramref name="root"/> but the sandbox: path, kind, size, mode, mtime, link target, content hash.</summary>
    private static string Snapshot(string root, string sandbox)
    {
        var lines = new List<string>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            foreach (string entry in Directory.GetFileSystemEntries(dir))
            {
                if (entry == sandbox)
                {
                    continue;
                }
                var info = new FileInfo(entry);
                string relative = Path.GetRelativePath(root, entry);
                if (info.LinkTarget is { } target)
                {
                    lines.Add($"{relative} -> {target}");
                }
                else if (Directory.Exists(entry))
                {
                    lines.Add($"{relative}/ {info.UnixFileMode} {info.LastWriteTimeUtc.Ticks}");
                    pending.Push(entry);
                }
                else
                {
                    string hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(entry)))[..16];
                    lines.Add($"{relative} {info.Length} {info.UnixFileMode} {info.LastWriteTimeUtc.Ticks} {hash}");
                }
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines);
    }

    private static string FirstDifference(string before, string after)
    {
        string[] a = before.Split('\n'), b = after.Split('\n');
        var only = a.Except(b).Concat(b.Except(a)).FirstOrDefault();
        return only ?? "?";
    }

    private static string DescriptorTarget(int fd)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{fd}").LinkTarget ?? "?";
        }
        catch (IOException)
        {
            return "closed";
        }
    }

    /// <summary>Gives the owner every permission below <paramref name="root"/> (the guest may have removed some), never following links.</summary>
    private static void MakeWritable(string root)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            try
            {
                File.SetUnixFileMode(dir, File.GetUnixFileMode(dir) | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                foreach (string entry in Directory.GetFileSystemEntries(dir))
                {
                    var info = new FileInfo(entry);
                    if (info.LinkTarget is not null)
                    {
                        continue;
                    }
                    if (Directory.Exists(entry))
                    {
                        pending.Push(entry);
                    }
                    else
                    {
                        File.SetUnixFileMode(entry, info.UnixFileMode | UnixFileMode.UserRead | UnixFileMode.UserWrite);
                    }
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>A clock that never sleeps: <c>poll_oneoff</c> deadlines pass at once.</summary>
    private sealed class FakeClock : IWasiClock
    {
        private ulong _now = 1_000_000_000;

        public ulong RealtimeResolution => 1000;

        public ulong MonotonicResolution => 1000;

        public ulong ReadRealtime() => 1_700_000_000_000_000_000 + _now;

        public ulong ReadMonotonic() => _now += 1000;

        public void SleepUntil(ulong monotonicDeadline) => _now = Math.Max(_now, monotonicDeadline);
    }
}
