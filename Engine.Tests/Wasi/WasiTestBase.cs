using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Wasi;

/// <summary>
/// A fresh temporary directory per test, preopened as <c>/sandbox</c> (descriptor 3), inside a
/// temporary root that also holds an <c>outside</c> directory with a <c>secret</c> file, so escape
/// tests can check that nothing outside was reached. Stdio goes to memory streams.
/// </summary>
public abstract class WasiTestBase
{
    protected const uint Sandbox = 3;
    protected const Rights AllRights = Rights.All;

    private string _root = "";

    protected string SandboxPath { get; private set; } = "";

    protected string OutsidePath { get; private set; } = "";

    protected WasiContext Wasi { get; private set; } = null!;

    internal TestMemory Memory { get; private set; } = null!;

    protected MemoryStream Stdin { get; private set; } = null!;

    protected MemoryStream Stdout { get; private set; } = null!;

    [SetUp]
    public void CreateSandbox()
    {
        _root = Path.Combine(Path.GetTempPath(), "engine-wasi-" + Guid.NewGuid().ToString("N"));
        SandboxPath = Path.Combine(_root, "sandbox");
        OutsidePath = Path.Combine(_root, "outside");
        Directory.CreateDirectory(SandboxPath);
        Directory.CreateDirectory(OutsidePath);
        File.WriteAllText(Path.Combine(OutsidePath, "secret"), "secret");
        Memory = new TestMemory();
        Stdin = new MemoryStream();
        Stdout = new MemoryStream();
        BeforeContext();
        Wasi = new WasiContext(Configure(new WasiConfig()
            .WithPreopenedDirectory(SandboxPath, "/sandbox")
            .WithStdin(Stdin)
            .WithStdout(Stdout)));
    }

    [TearDown]
    public void DeleteSandbox()
    {
        Wasi.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Runs before the context exists (e.g. to fill stdin or create host files).</summary>
    protected virtual void BeforeContext()
    {
    }

    protected virtual WasiConfig Configure(WasiConfig config) => config;

    protected string HostPath(string relative) => Path.Combine(SandboxPath, relative);

    /// <summary>path_open; the inheriting rights default to all.</summary>
    protected Errno PathOpen(string path, out uint fd, OpenFlags openFlags = OpenFlags.None, Rights rights = AllRights,
        LookupFlags lookup = LookupFlags.SymlinkFollow, FdFlags fdFlags = FdFlags.None, uint directory = Sandbox,
        Rights inheriting = AllRights)
    {
        var (pointer, length) = Memory.PutString(path);
        uint result = Memory.Allocate(4);
        Errno errno = Wasi.PathOpen(Memory.Span, directory, lookup, pointer, length, openFlags, rights, inheriting, fdFlags, result);
        fd = errno == Errno.Success ? Memory.U32(result) : uint.MaxValue;
        return errno;
    }

    protected uint Open(string path, OpenFlags openFlags = OpenFlags.None, Rights rights = AllRights, FdFlags fdFlags = FdFlags.None,
        uint directory = Sandbox, Rights inheriting = AllRights)
    {
        Assert.That(PathOpen(path, out uint fd, openFlags, rights, fdFlags: fdFlags, directory: directory, inheriting: inheriting),
            Is.EqualTo(Errno.Success), $"open {path}");
        return fd;
    }

    protected uint Create(string path, string contents = "")
    {
        uint fd = Open(path, OpenFlags.Create | OpenFlags.Truncate);
        if (contents.Length > 0)
        {
            Assert.That(Write(fd, contents, out _), Is.EqualTo(Errno.Success));
        }
        return fd;
    }

    protected Errno Write(uint fd, string text, out uint written) => WriteVectors(fd, [text], out written);

    protected Errno WriteVectors(uint fd, string[] chunks, out uint written)
    {
        var vectors = chunks.Select(Memory.PutString).ToArray();
        uint iovs = Memory.PutIoVectors(vectors);
        uint result = Memory.Allocate(4);
        Errno errno = Wasi.FdWrite(Memory.Span, fd, iovs, (uint)vectors.Length, result);
        written = Memory.U32(result);
        return errno;
    }

    protected Errno Read(uint fd, int count, out string text)
    {
        uint buffer = Memory.Allocate(count);
        uint iovs = Memory.PutIoVectors((buffer, (uint)count));
        uint result = Memory.Allocate(4);
        Errno errno = Wasi.FdRead(Memory.Span, fd, iovs, 1, result);
        text = errno == Errno.Success ? Memory.Utf8(buffer, (int)Memory.U32(result)) : "";
        return errno;
    }

    protected string ReadAll(uint fd)
    {
        Assert.That(Read(fd, 65536, out string text), Is.EqualTo(Errno.Success));
        return text;
    }

    protected Errno Seek(uint fd, long offset, Whence whence, out ulong position)
    {
        uint result = Memory.Allocate(8);
        Errno errno = Wasi.FdSeek(Memory.Span, fd, offset, whence, result);
        position = Memory.U64(result);
        return errno;
    }

    protected Errno CreateDirectory(string path, uint directory = Sandbox)
    {
        var (pointer, length) = Memory.PutString(path);
        return Wasi.PathCreateDirectory(Memory.Span, directory, pointer, length);
    }

    protected Errno RemoveDirectory(string path, uint directory = Sandbox)
    {
        var (pointer, length) = Memory.PutString(path);
        return Wasi.PathRemoveDirectory(Memory.Span, directory, pointer, length);
    }

    protected Errno Unlink(string path, uint directory = Sandbox)
    {
        var (pointer, length) = Memory.PutString(path);
        return Wasi.PathUnlinkFile(Memory.Span, directory, pointer, length);
    }

    protected Errno Rename(string from, string to, uint fromDirectory = Sandbox, uint toDirectory = Sandbox)
    {
        var (fromPointer, fromLength) = Memory.PutString(from);
        var (toPointer, toLength) = Memory.PutString(to);
        return Wasi.PathRename(Memory.Span, fromDirectory, fromPointer, fromLength, toDirectory, toPointer, toLength);
    }

    protected Errno Symlink(string target, string link, uint directory = Sandbox)
    {
        var (targetPointer, targetLength) = Memory.PutString(target);
        var (linkPointer, linkLength) = Memory.PutString(link);
        return Wasi.PathSymlink(Memory.Span, targetPointer, targetLength, directory, linkPointer, linkLength);
    }

    protected Errno Link(string existing, string link, LookupFlags flags = LookupFlags.None)
    {
        var (oldPointer, oldLength) = Memory.PutString(existing);
        var (newPointer, newLength) = Memory.PutString(link);
        return Wasi.PathLink(Memory.Span, Sandbox, flags, oldPointer, oldLength, Sandbox, newPointer, newLength);
    }

    protected Errno Readlink(string path, out string target, int bufferSize = 256)
    {
        var (pointer, length) = Memory.PutString(path);
        uint buffer = Memory.Allocate(bufferSize);
        uint used = Memory.Allocate(4);
        Errno errno = Wasi.PathReadlink(Memory.Span, Sandbox, pointer, length, buffer, (uint)bufferSize, used);
        target = errno == Errno.Success ? Memory.Utf8(buffer, (int)Memory.U32(used)) : "";
        return errno;
    }

    internal Errno PathStat(string path, out Filestat stat, LookupFlags flags = LookupFlags.SymlinkFollow, uint directory = Sandbox)
    {
        var (pointer, length) = Memory.PutString(path);
        uint buffer = Memory.Allocate(64);
        Errno errno = Wasi.PathFilestatGet(Memory.Span, directory, flags, pointer, length, buffer);
        stat = Filestat.Read(Memory, buffer);
        return errno;
    }

    internal Filestat FdStat(uint fd)
    {
        uint buffer = Memory.Allocate(64);
        Assert.That(Wasi.FdFilestatGet(Memory.Span, fd, buffer), Is.EqualTo(Errno.Success));
        return Filestat.Read(Memory, buffer);
    }

    protected (Filetype Type, FdFlags Flags, Rights Base, Rights Inheriting) Fdstat(uint fd)
    {
        uint buffer = Memory.Allocate(24);
        Assert.That(Wasi.FdFdstatGet(Memory.Span, fd, buffer), Is.EqualTo(Errno.Success));
        return ((Filetype)Memory.U8(buffer), (FdFlags)Memory.U16(buffer + 2), (Rights)Memory.U64(buffer + 8), (Rights)Memory.U64(buffer + 16));
    }
}
