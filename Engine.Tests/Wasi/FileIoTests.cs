using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Wasi;

[TestFixture]
public sealed class FileIoTests : WasiTestBase
{
    [Test]
    public void WrittenDataReadsBackAfterSeekingToStart()
    {
        uint fd = Create("a.txt");
        Assert.That(Write(fd, "hello world\n", out uint written), Is.EqualTo(Errno.Success));
        Assert.That(written, Is.EqualTo(12));
        Assert.That(Seek(fd, 0, Whence.Set, out ulong position), Is.EqualTo(Errno.Success));
        Assert.That(position, Is.Zero);
        Assert.That(ReadAll(fd), Is.EqualTo("hello world\n"));
        Assert.That(ReadAll(fd), Is.Empty, "read at end of file");
        Assert.That(File.ReadAllText(HostPath("a.txt")), Is.EqualTo("hello world\n"));
    }

    [Test]
    public void GatheredWriteAndScatteredReadUseEveryBufferInOrder()
    {
        uint fd = Create("v.txt");
        Assert.That(WriteVectors(fd, ["abc", "", "defg"], out uint written), Is.EqualTo(Errno.Success));
        Assert.That(written, Is.EqualTo(7));
        Seek(fd, 0, Whence.Set, out _);
        uint first = Memory.Allocate(3);
        uint second = Memory.Allocate(10);
        Memory.Bytes.AsSpan((int)second, 10).Fill((byte)'.');
        uint iovs = Memory.PutIoVectors((first, 3), (second, 10));
        uint nread = Memory.Allocate(4);

        Assert.That(Wasi.FdRead(Memory.Span, fd, iovs, 2, nread), Is.EqualTo(Errno.Success));

        Assert.That(Memory.U32(nread), Is.EqualTo(7));
        Assert.That(Memory.Utf8(first, 3), Is.EqualTo("abc"));
        Assert.That(Memory.Utf8(second, 5), Is.EqualTo("defg."));
    }

    [Test]
    public void SeekAndTellFollowPosixRules()
    {
        uint fd = Create("s.txt", "hello world\n");
        Assert.That(Seek(fd, -6, Whence.End, out ulong position), Is.EqualTo(Errno.Success));
        Assert.That(position, Is.EqualTo(6));
        uint tell = Memory.Allocate(8);
        Assert.That(Wasi.FdTell(Memory.Span, fd, tell), Is.EqualTo(Errno.Success));
        Assert.That(Memory.U64(tell), Is.EqualTo(6));
        Assert.That(Read(fd, 5, out string text), Is.EqualTo(Errno.Success));
        Assert.That(text, Is.EqualTo("world"));
        Assert.That(Seek(fd, -3, Whence.Current, out position), Is.EqualTo(Errno.Success));
        Assert.That(position, Is.EqualTo(8));
        Assert.That(Seek(fd, -1, Whence.Set, out _), Is.EqualTo(Errno.Invalid));
        Assert.That(Seek(fd, -100, Whence.Current, out _), Is.EqualTo(Errno.Invalid));
        Assert.That(Seek(fd, 0, (Whence)3, out _), Is.EqualTo(Errno.Invalid));
        Assert.That(Seek(fd, 100, Whence.Set, out position), Is.EqualTo(Errno.Success), "beyond the end is allowed");
        Assert.That(position, Is.EqualTo(100));
        Assert.That(Wasi.FdTell(Memory.Span, fd, tell), Is.EqualTo(Errno.Success));
        Assert.That(Memory.U64(tell), Is.EqualTo(100));
    }

    [Test]
    public void PreadAndPwriteLeaveTheOffsetAlone()
    {
        uint fd = Create("p.txt", "hello world\n");
        Seek(fd, 3, Whence.Set, out _);
        var (data, length) = Memory.PutString("WORLD");
        uint written = Memory.Allocate(4);
        Assert.That(Wasi.FdPwrite(Memory.Span, fd, Memory.PutIoVectors((data, length)), 1, 6, written), Is.EqualTo(Errno.Success));
        Assert.That(Memory.U32(written), Is.EqualTo(5));

        uint buffer = Memory.Allocate(64);
        uint nread = Memory.Allocate(4);
        Assert.That(Wasi.FdPread(Memory.Span, fd, Memory.PutIoVectors((buffer, 64)), 1, 0, nread), Is.EqualTo(Errno.Success));
        Assert.That(Memory.Utf8(buffer, (int)Memory.U32(nread)), Is.EqualTo("hello WORLD\n"));
        Assert.That(Seek(fd, 0, Whence.Current, out ulong position), Is.EqualTo(Errno.Success));
        Assert.That(position, Is.EqualTo(3));
    }

    [Test]
    public void WritingPastTheEndLeavesAZeroFilledHole()
    {
        uint fd = Create("hole.bin", "abc");
        Assert.That(Wasi.FdFilestatSetSize(fd, 3), Is.EqualTo(Errno.Success));
        var (data, length) = Memory.PutString("XYZ");
        uint written = Memory.Allocate(4);
        Assert.That(Wasi.FdPwrite(Memory.Span, fd, Memory.PutIoVectors((data, length)), 1, 10, written), Is.EqualTo(Errno.Success));
        Assert.That(FdStat(fd).Size, Is.EqualTo(13));
        Assert.That(File.ReadAllBytes(HostPath("hole.bin")), Is.EqualTo("abc\0\0\0\0\0\0\0XYZ"u8.ToArray()));
    }

    [Test]
    public void AppendModeWritesAtTheEndWhateverTheOffset()
    {
        Create("log.txt", "hel");
        uint fd = Open("log.txt", rights: Rights.FdWrite | Rights.FdSeek | Rights.FdTell, fdFlags: FdFlags.Append);
        Write(fd, "++", out _);
        Seek(fd, 0, Whence.Set, out _);
        Write(fd, "--", out _);
        Assert.That(File.ReadAllText(HostPath("log.txt")), Is.EqualTo("hel++--"));
        Assert.That(Seek(fd, 0, Whence.Current, out ulong position), Is.EqualTo(Errno.Success));
        Assert.That(position, Is.EqualTo(7), "the offset follows the appended data");
        Assert.That(Fdstat(fd).Flags, Is.EqualTo(FdFlags.Append));
    }

    [Test]
    public void AppendFlagCanBeToggled()
    {
        uint fd = Create("t.txt", "abc");
        Assert.That(Wasi.FdFdstatSetFlags(fd, FdFlags.Append), Is.EqualTo(Errno.Success));
        Seek(fd, 0, Whence.Set, out _);
        Write(fd, "d", out _);
        Assert.That(Wasi.FdFdstatSetFlags(fd, FdFlags.None), Is.EqualTo(Errno.Success));
        Seek(fd, 0, Whence.Set, out _);
        Write(fd, "X", out _);
        Assert.That(File.ReadAllText(HostPath("t.txt")), Is.EqualTo("Xbcd"));
        Assert.That(Wasi.FdFdstatSetFlags(fd, FdFlags.Sync), Is.EqualTo(Errno.Invalid));
        Assert.That(Wasi.FdFdstatSetFlags(fd, (FdFlags)0x100), Is.EqualTo(Errno.Invalid));
        Assert.That(Wasi.FdFdstatSetFlags(Sandbox, FdFlags.Append), Is.EqualTo(Errno.BadDescriptor));
    }

    [Test]
    public void SetSizeTruncatesAndExtends()
    {
        uint fd = Create("size.txt", "hello world");
        Assert.That(Wasi.FdFilestatSetSize(fd, 5), Is.EqualTo(Errno.Success));
        Assert.That(File.ReadAllText(HostPath("size.txt")), Is.EqualTo("hello"));
        Assert.That(Wasi.FdFilestatSetSize(fd, 8), Is.EqualTo(Errno.Success));
        Assert.That(File.ReadAllBytes(HostPath("size.txt")), Is.EqualTo("hello\0\0\0"u8.ToArray()));
        Assert.That(Wasi.FdFilestatSetSize(Sandbox, 0), Is.EqualTo(Errno.BadDescriptor));
    }

    [Test]
    public void AllocateOnlyEverGrowsTheFile()
    {
        uint fd = Create("alloc.bin", "0123456789");
        Assert.That(Wasi.FdAllocate(fd, 0, 4), Is.EqualTo(Errno.Success));
        Assert.That(FdStat(fd).Size, Is.EqualTo(10));
        Assert.That(Wasi.FdAllocate(fd, 8, 8), Is.EqualTo(Errno.Success));
        Assert.That(FdStat(fd).Size, Is.EqualTo(16));
        Assert.That(Wasi.FdAllocate(fd, ulong.MaxValue, 2), Is.EqualTo(Errno.FileTooBig));
    }

    [Test]
    public void WriteOnReadOnlyDescriptorAndReadOnWriteOnlyAreBadDescriptors()
    {
        Create("ro.txt", "data");
        uint reader = Open("ro.txt", rights: Rights.FdRead | Rights.FdSeek);
        Assert.That(Write(reader, "x", out _), Is.EqualTo(Errno.BadDescriptor));
        uint writer = Open("ro.txt", rights: Rights.FdWrite);
        Assert.That(Read(writer, 4, out _), Is.EqualTo(Errno.BadDescriptor));
        Assert.That(File.ReadAllText(HostPath("ro.txt")), Is.EqualTo("data"));
    }

    [Test]
    public void FilestatReportsTypeSizeAndLinks()
    {
        uint fd = Create("f.txt", "1234567");
        Filestat stat = FdStat(fd);
        Assert.That(stat.Filetype, Is.EqualTo(Filetype.RegularFile));
        Assert.That(stat.Size, Is.EqualTo(7));
        Assert.That(stat.LinkCount, Is.EqualTo(1));
        Assert.That(stat.Inode, Is.Not.Zero);
        Assert.That(FdStat(Sandbox).Filetype, Is.EqualTo(Filetype.Directory));
    }

    [Test]
    public void SetTimesStoresNanosecondsExactly()
    {
        uint fd = Create("times.txt");
        Assert.That(Wasi.FdFilestatSetTimes(fd, 1111111111000000001, 1222222222000000002, FstFlags.AccessTime | FstFlags.ModifyTime),
            Is.EqualTo(Errno.Success));
        Filestat stat = FdStat(fd);
        Assert.That(stat.AccessTime, Is.EqualTo(1111111111000000001));
        Assert.That(stat.ModifyTime, Is.EqualTo(1222222222000000002));

        Assert.That(Wasi.FdFilestatSetTimes(fd, 0, 5, FstFlags.ModifyTime), Is.EqualTo(Errno.Success));
        stat = FdStat(fd);
        Assert.That(stat.AccessTime, Is.EqualTo(1111111111000000001), "untouched without its flag");
        Assert.That(stat.ModifyTime, Is.EqualTo(5));

        Assert.That(Wasi.FdFilestatSetTimes(fd, 0, 0, FstFlags.ModifyTimeNow), Is.EqualTo(Errno.Success));
        ulong now = (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        Assert.That(FdStat(fd).ModifyTime, Is.InRange(now - 60_000_000_000, now + 60_000_000_000));
    }

    [Test]
    public void SetTimesRejectsContradictoryFlags()
    {
        uint fd = Create("bad-times.txt");
        Assert.That(Wasi.FdFilestatSetTimes(fd, 1, 1, FstFlags.AccessTime | FstFlags.AccessTimeNow), Is.EqualTo(Errno.Invalid));
        Assert.That(Wasi.FdFilestatSetTimes(fd, 1, 1, FstFlags.ModifyTime | FstFlags.ModifyTimeNow), Is.EqualTo(Errno.Invalid));
        Assert.That(Wasi.FdFilestatSetTimes(fd, 1, 1, (FstFlags)0x10), Is.EqualTo(Errno.Invalid));
    }

    [Test]
    public void DirectoryTimesCanBeSetThroughItsDescriptor()
    {
        Assert.That(Wasi.FdFilestatSetTimes(Sandbox, 7_000_000_000, 9_000_000_000, FstFlags.AccessTime | FstFlags.ModifyTime), Is.EqualTo(Errno.Success));
        Assert.That(FdStat(Sandbox).ModifyTime, Is.EqualTo(9_000_000_000));
    }

    [Test]
    public void FdstatReportsTypeAndGrantedRights()
    {
        uint fd = Create("r.txt");
        var (type, flags, baseRights, _) = Fdstat(fd);
        Assert.That(type, Is.EqualTo(Filetype.RegularFile));
        Assert.That(flags, Is.EqualTo(FdFlags.None));
        Assert.That(baseRights, Is.EqualTo(Rights.RegularFile), "requested all; granted what applies to a file");

        var (dirType, _, dirBase, dirInheriting) = Fdstat(Sandbox);
        Assert.That(dirType, Is.EqualTo(Filetype.Directory));
        Assert.That(dirBase & Rights.PathOpen, Is.EqualTo(Rights.PathOpen));
        Assert.That(dirInheriting & (Rights.FdRead | Rights.FdWrite), Is.EqualTo(Rights.FdRead | Rights.FdWrite));
    }

    [Test]
    public void RightsCanBeDroppedButNotRegained()
    {
        uint fd = Create("rights.txt", "abc");
        Assert.That(Wasi.FdFdstatSetRights(fd, Rights.FdRead | Rights.FdTell, Rights.None), Is.EqualTo(Errno.Success));
        Assert.That(Fdstat(fd).Base, Is.EqualTo(Rights.FdRead | Rights.FdTell));
        Assert.That(Write(fd, "x", out _), Is.EqualTo(Errno.BadDescriptor));
        Assert.That(Seek(fd, 1, Whence.Set, out _), Is.EqualTo(Errno.NotCapable));
        Assert.That(Seek(fd, 0, Whence.Current, out ulong position), Is.EqualTo(Errno.Success), "telling only needs fd_tell");
        Assert.That(position, Is.EqualTo(3));
        Assert.That(Wasi.FdFdstatSetRights(fd, Rights.FdRead | Rights.FdWrite, Rights.None), Is.EqualTo(Errno.NotCapable));
        Assert.That(Wasi.FdFilestatSetSize(fd, 0), Is.EqualTo(Errno.NotCapable));
        Assert.That(Wasi.FdFdstatSetRights(99, Rights.None, Rights.None), Is.EqualTo(Errno.BadDescriptor));
    }

    [Test]
    public void RenumberReplacesTheTargetAndFreesTheSource()
    {
        uint f = Create("f", "ffff");
        uint g = Create("g", "g");
        Assert.That(Wasi.FdRenumber(f, g), Is.EqualTo(Errno.Success));
        Assert.That(FdStat(g).Size, Is.EqualTo(4));
        uint buffer = Memory.Allocate(64);
        Assert.That(Wasi.FdFilestatGet(Memory.Span, f, buffer), Is.EqualTo(Errno.BadDescriptor));
        Assert.That(Wasi.FdRenumber(g, g), Is.EqualTo(Errno.Success));
        Assert.That(Wasi.FdRenumber(77, g), Is.EqualTo(Errno.BadDescriptor), "the source must be open");
        Assert.That(Wasi.FdRenumber(g, 77), Is.EqualTo(Errno.Success), "a free target is taken, as dup2");
        Assert.That(FdStat(77).Size, Is.EqualTo(4));
        Assert.That(Wasi.FdClose(g), Is.EqualTo(Errno.BadDescriptor));
        Assert.That(Wasi.FdRenumber(77, 1024), Is.EqualTo(Errno.BadDescriptor), "beyond the limit");
        Assert.That(Create("h"), Is.EqualTo(f), "the numbers below a renumbered descriptor stay free");
        Assert.That(Wasi.FdClose(77), Is.EqualTo(Errno.Success));
        Assert.That(Wasi.FdClose(77), Is.EqualTo(Errno.BadDescriptor));
        Assert.That(Wasi.FdClose(1000), Is.EqualTo(Errno.BadDescriptor));
    }

    /// <summary>
    /// Yosys (passes/techmap/abc.cc) redirects stdout around its linked-in ABC with fd_renumber alone:
    /// stdout is parked on a spare descriptor, a file is renumbered onto the then free 1, and stdout is
    /// renumbered back. With a target that had to be open, stdout stayed closed and the next file opened
    /// became descriptor 1, so the program's log went into its output file.
    /// </summary>
    [Test]
    public void RenumberRedirectsStdoutAroundAWorkStepAndRestoresIt()
    {
        Assert.That(Write(1, "before\n", out _), Is.EqualTo(Errno.Success));
        uint log = Create("stdouterr.txt");
        uint spare = Open("stdouterr.txt");
        Assert.That(Wasi.FdRenumber(1, spare), Is.EqualTo(Errno.Success), "park stdout");
        Assert.That(Wasi.FdRenumber(log, 1), Is.EqualTo(Errno.Success), "redirect to the file");
        Assert.That(Write(1, "inside\n", out _), Is.EqualTo(Errno.Success));
        Assert.That(Wasi.FdRenumber(spare, 1), Is.EqualTo(Errno.Success), "restore stdout");
        uint output = Create("netlist.v");
        Assert.That(output, Is.Not.EqualTo(1u));
        Assert.That(Write(output, "module top;\n", out _), Is.EqualTo(Errno.Success));
        Assert.That(Write(1, "after\n", out _), Is.EqualTo(Errno.Success));
        Assert.That(Wasi.FdClose(output), Is.EqualTo(Errno.Success));

        Assert.That(System.Text.Encoding.UTF8.GetString(Stdout.ToArray()), Is.EqualTo("before\nafter\n"));
        Assert.That(File.ReadAllText(HostPath("stdouterr.txt")), Is.EqualTo("inside\n"));
        Assert.That(File.ReadAllText(HostPath("netlist.v")), Is.EqualTo("module top;\n"));
    }

    [Test]
    public void NewDescriptorsTakeTheLowestFreeNumber()
    {
        uint a = Create("a");
        uint b = Create("b");
        Assert.That((a, b), Is.EqualTo((4u, 5u)));
        Wasi.FdClose(a);
        Assert.That(Create("c"), Is.EqualTo(4));
    }

    [Test]
    public void SyncDatasyncAdviseWorkOnFilesOnly()
    {
        uint fd = Create("sync.txt", "x");
        Assert.That(Wasi.FdSync(fd), Is.EqualTo(Errno.Success));
        Assert.That(Wasi.FdDatasync(fd), Is.EqualTo(Errno.Success));
        Assert.That(Wasi.FdAdvise(fd, 0, 1, Advice.Sequential), Is.EqualTo(Errno.Success));
        Assert.That(Wasi.FdAdvise(fd, 0, 1, (Advice)6), Is.EqualTo(Errno.Invalid));
        Assert.That(Wasi.FdSync(Sandbox), Is.EqualTo(Errno.BadDescriptor));
        Assert.That(Wasi.FdDatasync(1), Is.EqualTo(Errno.BadDescriptor));
        Assert.That(Wasi.FdAdvise(Sandbox, 0, 0, Advice.Normal), Is.EqualTo(Errno.BadDescriptor));
    }

    [Test]
    public void LargeFileRoundTripsInOddSizedChunks()
    {
        uint fd = Create("big.bin");
        var expected = new byte[100_000];
        for (int i = 0; i < expected.Length; i++)
        {
            expected[i] = (byte)(i * 7);
        }
        for (int chunk = 0; chunk < 100; chunk++)
        {
            var (pointer, length) = Memory.PutBytes(expected.AsSpan(chunk * 1000, 1000));
            uint written = Memory.Allocate(4);
            Assert.That(Wasi.FdWrite(Memory.Span, fd, Memory.PutIoVectors((pointer, length)), 1, written), Is.EqualTo(Errno.Success));
        }
        Seek(fd, 0, Whence.Set, out _);
        var actual = new List<byte>();
        uint buffer = Memory.Allocate(777);
        uint iovs = Memory.PutIoVectors((buffer, 777));
        uint nread = Memory.Allocate(4);
        while (Wasi.FdRead(Memory.Span, fd, iovs, 1, nread) == Errno.Success && Memory.U32(nread) > 0)
        {
            actual.AddRange(Memory.Bytes.AsSpan((int)buffer, (int)Memory.U32(nread)).ToArray());
        }
        Assert.That(actual.ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void BadPointersFaultBeforeAnyDataMoves()
    {
        uint fd = Create("fault.txt", "content");
        Seek(fd, 0, Whence.Set, out _);
        uint buffer = Memory.Allocate(16);
        uint iovs = Memory.PutIoVectors((buffer, 16));

        Assert.That(Wasi.FdRead(Memory.Span, fd, iovs, 1, Memory.OutOfBounds), Is.EqualTo(Errno.Fault), "result pointer");
        Assert.That(Seek(fd, 0, Whence.Current, out ulong position), Is.EqualTo(Errno.Success));
        Assert.That(position, Is.Zero, "nothing was consumed");

        uint badBuffer = Memory.PutIoVectors((Memory.OutOfBounds - 4, 16));
        Assert.That(Wasi.FdRead(Memory.Span, fd, badBuffer, 1, Memory.Allocate(4)), Is.EqualTo(Errno.Fault), "buffer past the end");
        Assert.That(Wasi.FdWrite(Memory.Span, fd, badBuffer, 1, Memory.Allocate(4)), Is.EqualTo(Errno.Fault));
        Assert.That(Wasi.FdWrite(Memory.Span, fd, Memory.OutOfBounds, 1, Memory.Allocate(4)), Is.EqualTo(Errno.Fault), "iovec array");
        Assert.That(Wasi.FdWrite(Memory.Span, fd, iovs, 0x2000_0000, Memory.Allocate(4)), Is.EqualTo(Errno.Fault), "huge iovec count");
        uint wrapping = Memory.PutIoVectors((0xFFFF_FFF0, 0x20));
        Assert.That(Wasi.FdWrite(Memory.Span, fd, wrapping, 1, Memory.Allocate(4)), Is.EqualTo(Errno.Fault), "pointer + length wraps");
        Assert.That(File.ReadAllText(HostPath("fault.txt")), Is.EqualTo("content"));

        Assert.That(Wasi.FdFilestatGet(Memory.Span, fd, Memory.OutOfBounds - 8), Is.EqualTo(Errno.Fault));
        Assert.That(Wasi.FdFdstatGet(Memory.Span, fd, uint.MaxValue), Is.EqualTo(Errno.Fault));
        Assert.That(Wasi.FdTell(Memory.Span, fd, uint.MaxValue - 3), Is.EqualTo(Errno.Fault));
        Assert.That(Wasi.FdSeek(Memory.Span, fd, 5, Whence.Set, Memory.OutOfBounds), Is.EqualTo(Errno.Fault));
        Seek(fd, 0, Whence.Current, out position);
        Assert.That(position, Is.Zero, "a faulting seek does not move the offset");
    }

    [Test]
    public void PreopenIsDescribedByPrestat()
    {
        uint prestat = Memory.Allocate(8);
        Assert.That(Wasi.FdPrestatGet(Memory.Span, Sandbox, prestat), Is.EqualTo(Errno.Success));
        Assert.That(Memory.U8(prestat), Is.Zero, "tag: dir");
        Assert.That(Memory.U32(prestat + 4), Is.EqualTo("/sandbox".Length));
        uint name = Memory.Allocate(8);
        Assert.That(Wasi.FdPrestatDirName(Memory.Span, Sandbox, name, 8), Is.EqualTo(Errno.Success));
        Assert.That(Memory.Utf8(name, 8), Is.EqualTo("/sandbox"));
        Assert.That(Wasi.FdPrestatDirName(Memory.Span, Sandbox, name, 7), Is.EqualTo(Errno.NameTooLong));
        Assert.That(Wasi.FdPrestatGet(Memory.Span, 4, prestat), Is.EqualTo(Errno.BadDescriptor), "no more preopens");
        Assert.That(Wasi.FdPrestatGet(Memory.Span, 1, prestat), Is.EqualTo(Errno.BadDescriptor));
        Assert.That(Wasi.FdPrestatDirName(Memory.Span, 1, name, 8), Is.EqualTo(Errno.NotDirectory));
        Assert.That(Wasi.FdPrestatDirName(Memory.Span, 40, name, 8), Is.EqualTo(Errno.BadDescriptor));
        uint fd = Open(".", OpenFlags.Directory, Rights.FdReaddir);
        Assert.That(Wasi.FdPrestatGet(Memory.Span, fd, prestat), Is.EqualTo(Errno.BadDescriptor), "opened, not preopened");
    }
}
