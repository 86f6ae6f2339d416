using System.Text;
using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Wasi;

[TestFixture]
public sealed class DirectoryTests : WasiTestBase
{
    [Test]
    public void CreateDirectoryTwiceIsExist()
    {
        Assert.That(CreateDirectory("d"), Is.EqualTo(Errno.Success));
        Assert.That(Directory.Exists(HostPath("d")), Is.True);
        Assert.That(CreateDirectory("d"), Is.EqualTo(Errno.Exist));
        Assert.That(CreateDirectory("d/"), Is.EqualTo(Errno.Exist));
        Assert.That(CreateDirectory("."), Is.EqualTo(Errno.Exist));
        Assert.That(CreateDirectory("e/"), Is.EqualTo(Errno.Success), "a trailing slash is allowed");
        Assert.That(CreateDirectory("missing/x"), Is.EqualTo(Errno.NoEntry));
        Wasi.FdClose(Create("file"));
        Assert.That(CreateDirectory("file/x"), Is.EqualTo(Errno.NotDirectory));
        Assert.That(CreateDirectory(""), Is.EqualTo(Errno.NoEntry));
    }

    [Test]
    public void RemoveDirectoryChecksEmptinessAndType()
    {
        CreateDirectory("d");
        CreateDirectory("d/sub");
        Wasi.FdClose(Create("d/file"));
        Assert.That(RemoveDirectory("d"), Is.EqualTo(Errno.NotEmpty));
        Assert.That(RemoveDirectory("d/file"), Is.EqualTo(Errno.NotDirectory));
        Assert.That(RemoveDirectory("d/nope"), Is.EqualTo(Errno.NoEntry));
        Assert.That(RemoveDirectory("d/sub"), Is.EqualTo(Errno.Success));
        Assert.That(RemoveDirectory("."), Is.EqualTo(Errno.Invalid));
        Assert.That(Directory.Exists(SandboxPath), Is.True);
    }

    [Test]
    public void UnlinkRemovesFilesAndLinksButNotDirectories()
    {
        CreateDirectory("d");
        Wasi.FdClose(Create("f"));
        Symlink("d", "link-to-dir");
        Assert.That(Unlink("d"), Is.EqualTo(Errno.IsDirectory));
        Assert.That(Unlink("nope"), Is.EqualTo(Errno.NoEntry));
        Assert.That(Unlink("f/"), Is.EqualTo(Errno.NotDirectory));
        Assert.That(Unlink("f"), Is.EqualTo(Errno.Success));
        Assert.That(Unlink("link-to-dir"), Is.EqualTo(Errno.Success), "removes the link, not its target");
        Assert.That(Directory.Exists(HostPath("d")), Is.True);
        Assert.That(File.Exists(HostPath("f")), Is.False);
    }

    [Test]
    public void RenameMovesAndReplaces()
    {
        Wasi.FdClose(Create("a.txt", "A"));
        Wasi.FdClose(Create("b.txt", "B"));
        CreateDirectory("d");
        Assert.That(Rename("a.txt", "d/a2.txt"), Is.EqualTo(Errno.Success));
        Assert.That(File.ReadAllText(HostPath("d/a2.txt")), Is.EqualTo("A"));
        Assert.That(Rename("d/a2.txt", "b.txt"), Is.EqualTo(Errno.Success), "replaces an existing file");
        Assert.That(File.ReadAllText(HostPath("b.txt")), Is.EqualTo("A"));
        Assert.That(Rename("missing", "x"), Is.EqualTo(Errno.NoEntry));
        Assert.That(Rename("b.txt", "."), Is.EqualTo(Errno.Invalid));
        Assert.That(Rename("d", "d/inside"), Is.EqualTo(Errno.Invalid), "a directory into itself");
        Wasi.FdClose(Create("d/x"));
        CreateDirectory("e");
        Assert.That(Rename("e", "d"), Is.EqualTo(Errno.NotEmpty));
        Assert.That(Rename("b.txt", "e"), Is.EqualTo(Errno.IsDirectory));
    }

    [Test]
    public void RenameBetweenTwoDirectoryDescriptors()
    {
        CreateDirectory("from");
        CreateDirectory("to");
        Wasi.FdClose(Create("from/f", "x"));
        uint from = Open("from", OpenFlags.Directory, Rights.Directory);
        uint to = Open("to", OpenFlags.Directory, Rights.Directory);
        Assert.That(Rename("f", "g", from, to), Is.EqualTo(Errno.Success));
        Assert.That(File.Exists(HostPath("to/g")), Is.True);
        uint limited = Open("to", OpenFlags.Directory, Rights.FdReaddir);
        Assert.That(Rename("g", "h", to, limited), Is.EqualTo(Errno.NotCapable), "needs path_rename_target");
    }

    [Test]
    public void SymlinkReadlinkAndFollowing()
    {
        Wasi.FdClose(Create("b.txt", "hel++--"));
        Assert.That(Symlink("b.txt", "link"), Is.EqualTo(Errno.Success));
        Assert.That(Readlink("link", out string target), Is.EqualTo(Errno.Success));
        Assert.That(target, Is.EqualTo("b.txt"));
        Assert.That(Readlink("link", out target, bufferSize: 3), Is.EqualTo(Errno.Success));
        Assert.That(target, Is.EqualTo("b.t"), "truncated to the buffer");
        Assert.That(Readlink("b.txt", out _), Is.EqualTo(Errno.Invalid));
        Assert.That(Readlink("missing", out _), Is.EqualTo(Errno.NoEntry));

        Assert.That(PathStat("link", out Filestat stat, LookupFlags.None), Is.EqualTo(Errno.Success));
        Assert.That(stat.Filetype, Is.EqualTo(Filetype.SymbolicLink));
        Assert.That(stat.Size, Is.EqualTo(5), "a link's size is its target's length");
        Assert.That(PathStat("link", out stat), Is.EqualTo(Errno.Success));
        Assert.That(stat.Filetype, Is.EqualTo(Filetype.RegularFile));
        Assert.That(stat.Size, Is.EqualTo(7));

        uint fd = Open("link", rights: Rights.FdRead);
        Assert.That(ReadAll(fd), Is.EqualTo("hel++--"));
        Assert.That(PathOpen("link", out _, rights: Rights.FdRead, lookup: LookupFlags.None), Is.EqualTo(Errno.Loop), "O_NOFOLLOW");
        Assert.That(Symlink("b.txt", "link"), Is.EqualTo(Errno.Exist));
    }

    [Test]
    public void DanglingLinksAndCreationThroughThem()
    {
        Assert.That(Symlink("nowhere", "dangling"), Is.EqualTo(Errno.Success));
        Assert.That(PathOpen("dangling", out _, rights: Rights.FdRead), Is.EqualTo(Errno.NoEntry));
        Assert.That(PathStat("dangling", out _), Is.EqualTo(Errno.NoEntry));
        Assert.That(PathStat("dangling", out _, LookupFlags.None), Is.EqualTo(Errno.Success));
        Assert.That(PathOpen("dangling", out _, OpenFlags.Create | OpenFlags.Exclusive), Is.EqualTo(Errno.Exist),
            "O_CREAT|O_EXCL does not follow the link");
        Assert.That(PathOpen("dangling", out uint fd, OpenFlags.Create), Is.EqualTo(Errno.Success), "O_CREAT creates the link's target");
        Wasi.FdClose(fd);
        Assert.That(File.Exists(HostPath("nowhere")), Is.True);
    }

    [Test]
    public void LinksThroughDirectoriesAndChains()
    {
        CreateDirectory("real");
        Wasi.FdClose(Create("real/file", "data"));
        Symlink("real", "dirlink");
        Symlink("dirlink/file", "chain1");
        Symlink("chain1", "chain2");
        Assert.That(ReadAll(Open("dirlink/file", rights: Rights.FdRead)), Is.EqualTo("data"));
        Assert.That(ReadAll(Open("chain2", rights: Rights.FdRead)), Is.EqualTo("data"));
        Assert.That(PathStat("dirlink/../real/file", out _), Is.EqualTo(Errno.Success), ".. after a link is the target's parent");
        CreateDirectory("real/deeper");
        Symlink("real/deeper", "deeplink");
        Assert.That(PathStat("deeplink/../file", out Filestat stat), Is.EqualTo(Errno.Success));
        Assert.That(stat.Size, Is.EqualTo(4));
        Symlink("real/", "slashlink");
        Assert.That(PathStat("slashlink", out stat), Is.EqualTo(Errno.Success));
        Assert.That(stat.Filetype, Is.EqualTo(Filetype.Directory));
    }

    [Test]
    public void SymlinkLoopsAreLoopErrors()
    {
        Symlink("loop-b", "loop-a");
        Symlink("loop-a", "loop-b");
        Symlink("self", "self");
        Assert.That(PathOpen("loop-a", out _, rights: Rights.FdRead), Is.EqualTo(Errno.Loop));
        Assert.That(PathOpen("self/x", out _, rights: Rights.FdRead), Is.EqualTo(Errno.Loop));
        Assert.That(PathStat("self", out _), Is.EqualTo(Errno.Loop));
        Assert.That(PathStat("self", out _, LookupFlags.None), Is.EqualTo(Errno.Success), "not followed");
    }

    [Test]
    public void SymlinkChainLengthIsLimitedToForty()
    {
        Wasi.FdClose(Create("end", "ok"));
        Symlink("end", "hop0");
        for (int i = 1; i <= 40; i++)
        {
            Symlink($"hop{i - 1}", $"hop{i}");
        }
        Assert.That(PathStat("hop39", out _), Is.EqualTo(Errno.Success), "40 expansions");
        Assert.That(PathStat("hop40", out _), Is.EqualTo(Errno.Loop), "41 expansions");
    }

    [Test]
    public void HardLinksShareTheFile()
    {
        Wasi.FdClose(Create("orig", "data"));
        Assert.That(Link("orig", "copy"), Is.EqualTo(Errno.Success));
        Assert.That(PathStat("copy", out Filestat stat), Is.EqualTo(Errno.Success));
        Assert.That(stat.LinkCount, Is.EqualTo(2));
        Assert.That(PathStat("orig", out Filestat original), Is.EqualTo(Errno.Success));
        Assert.That(stat.Inode, Is.EqualTo(original.Inode));
        Assert.That(Link("orig", "copy"), Is.EqualTo(Errno.Exist));
        Assert.That(Link("missing", "x"), Is.EqualTo(Errno.NoEntry));
        Symlink("orig", "sym");
        Assert.That(Link("sym", "via-follow", LookupFlags.SymlinkFollow), Is.EqualTo(Errno.Invalid), "following is refused, as wasmtime");
        Assert.That(PathStat("via-follow", out _, LookupFlags.None), Is.EqualTo(Errno.NoEntry));
        Assert.That(Link("sym", "no-follow"), Is.EqualTo(Errno.Success));
        Assert.That(PathStat("no-follow", out stat, LookupFlags.None), Is.EqualTo(Errno.Success));
        Assert.That(stat.Filetype, Is.EqualTo(Filetype.SymbolicLink), "linked the link itself");
    }

    [Test]
    public void PathFilestatAndSetTimes()
    {
        CreateDirectory("dir1");
        Wasi.FdClose(Create("dir1/f", "1234567890123"));
        Assert.That(PathStat("dir1", out Filestat stat), Is.EqualTo(Errno.Success));
        Assert.That(stat.Filetype, Is.EqualTo(Filetype.Directory));
        Assert.That(PathStat("dir1/f", out stat), Is.EqualTo(Errno.Success));
        Assert.That((stat.Filetype, stat.Size), Is.EqualTo((Filetype.RegularFile, 13UL)));
        Assert.That(PathStat("dir1/missing", out _), Is.EqualTo(Errno.NoEntry));
        Assert.That(PathStat("dir1/f/x", out _), Is.EqualTo(Errno.NotDirectory));
        Assert.That(PathStat("dir1/f", out _, (LookupFlags)2), Is.EqualTo(Errno.Invalid));

        var (pointer, length) = Memory.PutString("dir1/f");
        Assert.That(Wasi.PathFilestatSetTimes(Memory.Span, Sandbox, LookupFlags.SymlinkFollow, pointer, length,
            1_000_000_000_000_000_000, 1_234_567_890_000_000_000, FstFlags.AccessTime | FstFlags.ModifyTime), Is.EqualTo(Errno.Success));
        Assert.That(PathStat("dir1/f", out stat), Is.EqualTo(Errno.Success));
        Assert.That((stat.AccessTime, stat.ModifyTime), Is.EqualTo((1_000_000_000_000_000_000UL, 1_234_567_890_000_000_000UL)));
        var (missing, missingLength) = Memory.PutString("nope");
        Assert.That(Wasi.PathFilestatSetTimes(Memory.Span, Sandbox, LookupFlags.None, missing, missingLength, 0, 0, FstFlags.AccessTimeNow),
            Is.EqualTo(Errno.NoEntry));
    }

    [Test]
    public void SetTimesOnALinkWithoutFollowChangesTheLinkOnly()
    {
        Wasi.FdClose(Create("target"));
        Symlink("target", "link");
        var (pointer, length) = Memory.PutString("link");
        Assert.That(Wasi.PathFilestatSetTimes(Memory.Span, Sandbox, LookupFlags.None, pointer, length, 0, 42_000_000_000, FstFlags.ModifyTime),
            Is.EqualTo(Errno.Success));
        PathStat("link", out Filestat link, LookupFlags.None);
        PathStat("target", out Filestat target);
        Assert.That(link.ModifyTime, Is.EqualTo(42_000_000_000));
        Assert.That(target.ModifyTime, Is.Not.EqualTo(42_000_000_000));
    }

    [Test]
    public void PathOpenErrorsMatchWasmtime()
    {
        CreateDirectory("d");
        Wasi.FdClose(Create("f", "x"));
        Assert.That(PathOpen("f", out _, OpenFlags.Directory), Is.EqualTo(Errno.NotDirectory));
        Assert.That(PathOpen("f", out _, OpenFlags.Create | OpenFlags.Exclusive), Is.EqualTo(Errno.Exist));
        Assert.That(PathOpen("missing", out _, rights: Rights.FdRead), Is.EqualTo(Errno.NoEntry));
        Assert.That(PathOpen("f/x", out _, rights: Rights.FdRead), Is.EqualTo(Errno.NotDirectory));
        Assert.That(PathOpen("f/", out _, rights: Rights.FdRead), Is.EqualTo(Errno.NotDirectory));
        Assert.That(PathOpen("d", out _, rights: Rights.FdRead | Rights.FdWrite), Is.EqualTo(Errno.IsDirectory));
        Assert.That(PathOpen("d", out _, OpenFlags.Truncate, Rights.FdRead), Is.EqualTo(Errno.IsDirectory));
        Assert.That(PathOpen("d", out _, OpenFlags.Create, Rights.FdRead), Is.EqualTo(Errno.IsDirectory));
        Assert.That(PathOpen("new", out _, OpenFlags.Directory | OpenFlags.Create), Is.EqualTo(Errno.Invalid));
        Assert.That(PathOpen("new/", out _, OpenFlags.Create), Is.EqualTo(Errno.IsDirectory));
        Assert.That(PathOpen("f", out _, (OpenFlags)0x10), Is.EqualTo(Errno.Invalid));
        Assert.That(PathOpen("f", out _, lookup: (LookupFlags)4), Is.EqualTo(Errno.Invalid));
        Assert.That(PathOpen("f", out _, directory: 1), Is.EqualTo(Errno.BadDescriptor));
        uint file = Open("f", rights: Rights.FdRead);
        Assert.That(PathOpen("x", out _, directory: file), Is.EqualTo(Errno.NotDirectory));
        Assert.That(PathOpen("d", out uint dir, OpenFlags.Directory, Rights.FdReaddir), Is.EqualTo(Errno.Success));
        Assert.That(Fdstat(dir).Type, Is.EqualTo(Filetype.Directory));
        Assert.That(PathOpen("d", out _, rights: Rights.FdRead), Is.EqualTo(Errno.Success), "a directory opens without O_DIRECTORY too");
    }

    [Test]
    public void TruncateOnOpenEmptiesTheFile()
    {
        Wasi.FdClose(Create("t", "some text"));
        Open("t", OpenFlags.Truncate, Rights.FdWrite | Rights.FdRead);
        Assert.That(new FileInfo(HostPath("t")).Length, Is.Zero);
    }

    [Test]
    public void OpenedDirectoryRightsAreLimitedByRequestAndParent()
    {
        CreateDirectory("d");
        Wasi.FdClose(Create("d/f"));
        uint limited = Open("d", OpenFlags.Directory, Rights.FdReaddir | Rights.FdFilestatGet);
        Assert.That(Fdstat(limited).Base, Is.EqualTo(Rights.FdReaddir | Rights.FdFilestatGet));
        Assert.That(PathOpen("f", out _, rights: Rights.FdRead, directory: limited), Is.EqualTo(Errno.NotCapable));
        Assert.That(CreateDirectory("x", limited), Is.EqualTo(Errno.NotCapable));

        uint restricted = Open("d", OpenFlags.Directory, Rights.Directory);
        Assert.That(Wasi.FdFdstatSetRights(restricted, Rights.Directory, Rights.FdRead), Is.EqualTo(Errno.Success));
        uint child = Open("f", rights: AllRights, directory: restricted);
        Assert.That(Fdstat(child).Base, Is.EqualTo(Rights.FdRead), "inheriting rights bound the child");
        Assert.That(Write(child, "x", out _), Is.EqualTo(Errno.BadDescriptor));
    }

    [Test]
    public void CreateFileNeedsTheCreateRight()
    {
        Assert.That(Wasi.FdFdstatSetRights(Sandbox, Rights.Directory & ~Rights.PathCreateFile, Rights.All), Is.EqualTo(Errno.NotCapable),
            "inheriting cannot grow past what it was");
        Assert.That(Wasi.FdFdstatSetRights(Sandbox, Rights.Directory & ~Rights.PathCreateFile, Rights.Directory | Rights.RegularFile),
            Is.EqualTo(Errno.Success));
        Assert.That(PathOpen("new", out _, OpenFlags.Create), Is.EqualTo(Errno.NotCapable));
        Assert.That(File.Exists(HostPath("new")), Is.False);
    }

    [Test]
    public void NestedDirectoryDescriptorResolvesRelativeToItself()
    {
        CreateDirectory("a");
        CreateDirectory("a/b");
        Wasi.FdClose(Create("a/b/f", "nested"));
        uint a = Open("a", OpenFlags.Directory, Rights.Directory);
        uint f = Open("b/f", rights: Rights.FdRead, directory: a);
        Assert.That(ReadAll(f), Is.EqualTo("nested"));
        Assert.That(PathStat("b/../b/f", out _, directory: a), Is.EqualTo(Errno.Success));
    }

    [Test]
    public void ReaddirListsDotEntriesThenEveryEntryWithTypes()
    {
        CreateDirectory("d");
        CreateDirectory("d/sub");
        Wasi.FdClose(Create("d/file", "x"));
        Symlink("file", "d/link");
        uint dir = Open("d", OpenFlags.Directory, Rights.FdReaddir);
        List<(string Name, Filetype Type, ulong Next)> entries = ReadDirectory(dir, bufferSize: 4096);
        Assert.That(entries.Take(2).Select(e => e.Name), Is.EqualTo(new[] { ".", ".." }));
        Assert.That(entries.Skip(2).Select(e => (e.Name, e.Type)).OrderBy(e => e.Name, StringComparer.Ordinal),
            Is.EqualTo(new[] { ("file", Filetype.RegularFile), ("link", Filetype.SymbolicLink), ("sub", Filetype.Directory) }));
        Assert.That(entries.Select(e => e.Next), Is.EqualTo(new ulong[] { 1, 2, 3, 4, 5 }), "d_next is the next entry's cookie");
    }

    [Test]
    public void ReaddirDirentLayoutIsExact()
    {
        CreateDirectory("d");
        Wasi.FdClose(Create("d/abc"));
        uint dir = Open("d", OpenFlags.Directory, Rights.FdReaddir);
        uint buffer = Memory.Allocate(256);
        uint used = Memory.Allocate(4);
        Assert.That(Wasi.FdReaddir(Memory.Span, dir, buffer, 256, 2, used), Is.EqualTo(Errno.Success));
        Assert.That(Memory.U32(used), Is.EqualTo(24 + 3));
        Assert.That(Memory.U64(buffer), Is.EqualTo(3), "d_next");
        PathStat("d/abc", out Filestat stat);
        Assert.That(Memory.U64(buffer + 8), Is.EqualTo(stat.Inode), "d_ino");
        Assert.That(Memory.U32(buffer + 16), Is.EqualTo(3), "d_namlen");
        Assert.That(Memory.U8(buffer + 20), Is.EqualTo((byte)Filetype.RegularFile), "d_type");
        Assert.That(Memory.Bytes.AsSpan((int)buffer + 21, 3).ToArray(), Is.EqualTo(new byte[3]), "padding");
        Assert.That(Memory.Utf8(buffer + 24, 3), Is.EqualTo("abc"));
    }

    [Test]
    public void ReaddirPagesThroughASmallBufferWithCookies()
    {
        CreateDirectory("dir1");
        var expected = new List<string> { "f", "g" };
        for (int i = 0; i < 12; i++)
        {
            string name = $"entry_{i * 7 % 12:D2}_{(i % 2 == 1 ? "odd" : "even")}";
            expected.Add(name);
            Wasi.FdClose(Create("dir1/" + name));
        }
        Wasi.FdClose(Create("dir1/f"));
        Wasi.FdClose(Create("dir1/g"));
        uint dir = Open("dir1", OpenFlags.Directory, Rights.FdReaddir | Rights.FdFilestatGet);

        var (names, calls) = PageLikeFdops(dir, bufferSize: 96);

        Assert.That(names.Where(n => n is not "." and not "..").Order(StringComparer.Ordinal), Is.EqualTo(expected.Order(StringComparer.Ordinal)));
        Assert.That(calls, Is.GreaterThan(1));
    }

    [Test]
    public void ReaddirFillsTheWholeBufferEvenWhenAnEntryDoesNotFit()
    {
        CreateDirectory("d");
        Wasi.FdClose(Create("d/a-rather-long-file-name"));
        uint dir = Open("d", OpenFlags.Directory, Rights.FdReaddir);
        uint buffer = Memory.Allocate(64);
        uint used = Memory.Allocate(4);
        foreach (uint size in new uint[] { 0, 10, 24, 30 })
        {
            Assert.That(Wasi.FdReaddir(Memory.Span, dir, buffer, size, 2, used), Is.EqualTo(Errno.Success));
            Assert.That(Memory.U32(used), Is.EqualTo(size), $"buffer of {size}");
        }
        Assert.That(Wasi.FdReaddir(Memory.Span, dir, buffer, 64, 3, used), Is.EqualTo(Errno.Success));
        Assert.That(Memory.U32(used), Is.Zero, "cookie at the end");
        Assert.That(Wasi.FdReaddir(Memory.Span, dir, buffer, 64, ulong.MaxValue, used), Is.EqualTo(Errno.Success));
        Assert.That(Memory.U32(used), Is.Zero, "cookie past the end");
    }

    [Test]
    public void ReaddirCookiesStayStableWhileEntriesAreRemoved()
    {
        CreateDirectory("d");
        for (int i = 0; i < 20; i++)
        {
            Wasi.FdClose(Create($"d/file{i:D2}"));
        }
        uint dir = Open("d", OpenFlags.Directory, Rights.FdReaddir);

        // rm -r style: every entry is deleted as soon as it is listed.
        var (names, _) = PageLikeFdops(dir, bufferSize: 64, onEntry: name =>
        {
            if (name.StartsWith("file", StringComparison.Ordinal))
            {
                Assert.That(Unlink("d/" + name), Is.EqualTo(Errno.Success));
            }
        });

        Assert.That(names.Count(n => n.StartsWith("file", StringComparison.Ordinal)), Is.EqualTo(20));
        Assert.That(Directory.EnumerateFileSystemEntries(HostPath("d")), Is.Empty);
    }

    [Test]
    public void ReaddirNeedsADirectoryWithTheRight()
    {
        Wasi.FdClose(Create("f"));
        uint file = Open("f", rights: Rights.FdRead);
        uint buffer = Memory.Allocate(64);
        uint used = Memory.Allocate(4);
        Assert.That(Wasi.FdReaddir(Memory.Span, file, buffer, 64, 0, used), Is.EqualTo(Errno.BadDescriptor));
        uint noRight = Open(".", OpenFlags.Directory, Rights.PathOpen);
        Assert.That(Wasi.FdReaddir(Memory.Span, noRight, buffer, 64, 0, used), Is.EqualTo(Errno.NotCapable));
        Assert.That(Wasi.FdReaddir(Memory.Span, Sandbox, Memory.OutOfBounds - 8, 64, 0, used), Is.EqualTo(Errno.Fault));
    }

    [Test]
    public void NonAsciiNamesRoundTrip()
    {
        const string Name = "héllo-üñí";
        Wasi.FdClose(Create(Name, "x"));
        Assert.That(File.Exists(HostPath(Name)), Is.True);
        uint dir = Open(".", OpenFlags.Directory, Rights.FdReaddir);
        Assert.That(ReadDirectory(dir, 4096).Select(e => e.Name), Does.Contain(Name));
        var (pointer, _) = Memory.PutBytes([0x66, 0xFF, 0x66]);
        uint result = Memory.Allocate(4);
        Assert.That(Wasi.PathOpen(Memory.Span, Sandbox, LookupFlags.None, pointer, 3, OpenFlags.Create, AllRights, AllRights, FdFlags.None, result),
            Is.EqualTo(Errno.IllegalSequence));
    }

    /// <summary>Reads a directory in one call with a big buffer.</summary>
    private List<(string Name, Filetype Type, ulong Next)> ReadDirectory(uint dir, int bufferSize)
    {
        uint buffer = Memory.Allocate(bufferSize);
        uint used = Memory.Allocate(4);
        Assert.That(Wasi.FdReaddir(Memory.Span, dir, buffer, (uint)bufferSize, 0, used), Is.EqualTo(Errno.Success));
        var entries = new List<(string, Filetype, ulong)>();
        uint end = buffer + Memory.U32(used);
        for (uint at = buffer; at + 24 <= end;)
        {
            uint nameLength = Memory.U32(at + 16);
            entries.Add((Memory.Utf8(at + 24, (int)nameLength), (Filetype)Memory.U8(at + 20), Memory.U64(at)));
            at += 24 + nameLength;
        }
        return entries;
    }

    /// <summary>The paging loop of Programs/wasi/fdops.c, verbatim in spirit.</summary>
    private (List<string> Names, int Calls) PageLikeFdops(uint dir, int bufferSize, Action<string>? onEntry = null)
    {
        var names = new List<string>();
        int calls = 0;
        ulong cookie = 0;
        uint buffer = Memory.Allocate(bufferSize);
        uint usedPointer = Memory.Allocate(4);
        while (true)
        {
            Assert.That(Wasi.FdReaddir(Memory.Span, dir, buffer, (uint)bufferSize, cookie, usedPointer), Is.EqualTo(Errno.Success));
            calls++;
            Assert.That(calls, Is.LessThan(200));
            uint used = Memory.U32(usedPointer);
            uint offset = 0;
            bool progressed = false;
            while (offset + 24 <= used)
            {
                uint nameLength = Memory.U32(buffer + offset + 16);
                if (offset + 24 + nameLength > used)
                {
                    break;
                }
                string name = Encoding.UTF8.GetString(Memory.Bytes, (int)(buffer + offset + 24), (int)nameLength);
                names.Add(name);
                onEntry?.Invoke(name);
                cookie = Memory.U64(buffer + offset);
                offset += 24 + nameLength;
                progressed = true;
            }
            if (used < bufferSize)
            {
                break;
            }
            Assert.That(progressed, Is.True, "buffer too small");
        }
        return (names, calls);
    }
}
