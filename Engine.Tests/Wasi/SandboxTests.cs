using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Wasi;

/// <summary>
/// Escape attempts. The sandbox's parent also holds <c>outside/secret</c>, so a successful escape
/// would be observable; each test checks both the errno and that nothing outside changed. Escapes
/// fail with <see cref="Errno.NotPermitted"/> (wasmtime's answer) unless another error comes first.
/// </summary>
[TestFixture]
public sealed class SandboxTests : WasiTestBase
{
    private const Errno Escape = Errno.NotPermitted;

    protected override void BeforeContext()
    {
        // The host-made links of Programs/wasi/sandbox.symlinks, plus ones aimed at our own outside dir.
        File.CreateSymbolicLink(HostPath("host_abs_link"), "/etc/passwd");
        File.CreateSymbolicLink(HostPath("host_rel_link"), "../../../../../../../../etc/passwd");
        Directory.CreateSymbolicLink(HostPath("host_dir_link"), "/etc");
        File.CreateSymbolicLink(HostPath("to_secret"), "../outside/secret");
        Directory.CreateSymbolicLink(HostPath("to_outside"), "../outside");
        File.CreateSymbolicLink(HostPath("abs_inside"), HostPath("inside.txt"));
        File.WriteAllText(HostPath("inside.txt"), "inside");
        Directory.CreateDirectory(HostPath("sub"));
    }

    [TestCase("..")]
    [TestCase("../")]
    [TestCase("../x")]
    [TestCase("../outside/secret")]
    [TestCase("../../../../../../etc/passwd")]
    [TestCase("sub/../../etc/passwd")]
    [TestCase("sub/../../outside/secret")]
    [TestCase("./../.")]
    [TestCase("sub/./../..")]
    [TestCase("sub/../sub/../../sandbox/inside.txt")]
    public void DotDotAboveThePreopenIsRefused(string path)
    {
        AssertOpenRefused(path, LookupFlags.None);
        AssertOpenRefused(path, LookupFlags.SymlinkFollow);
    }

    [TestCase("/etc/passwd")]
    [TestCase("/")]
    [TestCase("//etc")]
    [TestCase("/sandbox/inside.txt")]
    public void AbsolutePathsAreRefused(string path)
    {
        AssertOpenRefused(path, LookupFlags.SymlinkFollow);
        Assert.That(PathStat(path, out _), Is.EqualTo(Escape));
    }

    [TestCase("host_abs_link")]
    [TestCase("host_rel_link")]
    [TestCase("to_secret")]
    [TestCase("abs_inside")]
    public void HostLinksPointingOutsideCannotBeFollowed(string link)
    {
        AssertOpenRefused(link, LookupFlags.SymlinkFollow);
        Assert.That(PathStat(link, out _), Is.EqualTo(Escape));
        Assert.That(PathStat(link, out Filestat stat, LookupFlags.None), Is.EqualTo(Errno.Success), "the link itself is visible");
        Assert.That(stat.Filetype, Is.EqualTo(Filetype.SymbolicLink));
        Assert.That(PathOpen(link, out _, rights: Rights.FdRead, lookup: LookupFlags.None), Is.EqualTo(Errno.Loop));
    }

    [TestCase("host_dir_link/passwd")]
    [TestCase("to_outside/secret")]
    [TestCase("to_outside/../sandbox/inside.txt")]
    [TestCase("sub/../to_outside/secret")]
    public void LinksUsedAsIntermediateDirectoriesCannotLeave(string path)
    {
        AssertOpenRefused(path, LookupFlags.None);
        AssertOpenRefused(path, LookupFlags.SymlinkFollow);
    }

    [Test]
    public void GuestCannotCreateAbsoluteLinks()
    {
        Assert.That(Symlink("/etc/passwd", "abs_link"), Is.EqualTo(Escape));
        Assert.That(Symlink(OutsidePath, "abs_link"), Is.EqualTo(Escape));
        Assert.That(File.Exists(HostPath("abs_link")), Is.False);
    }

    [Test]
    public void GuestMadeRelativeLinksOutsideExistButLeadNowhere()
    {
        Assert.That(Symlink("../../../../../../etc/passwd", "rel_link"), Is.EqualTo(Errno.Success));
        Assert.That(Symlink("..", "up_link"), Is.EqualTo(Errno.Success));
        Assert.That(Symlink("../sandbox/../..", "sub/deep_link"), Is.EqualTo(Errno.Success));
        Assert.That(Symlink("../outside/secret", "secret_link"), Is.EqualTo(Errno.Success));

        foreach (string path in new[] { "rel_link", "up_link", "up_link/etc", "up_link/outside/secret", "secret_link" })
        {
            AssertOpenRefused(path, LookupFlags.SymlinkFollow);
        }
        // "../sandbox/../.." from sub: "sandbox" does not exist inside the sandbox, so the walk stops there.
        Assert.That(PathOpen("sub/deep_link", out _, rights: Rights.FdRead, lookup: LookupFlags.SymlinkFollow), Is.EqualTo(Errno.NoEntry));
        Assert.That(Symlink("../../..", "sub/deeper_link"), Is.EqualTo(Errno.Success));
        AssertOpenRefused("sub/deeper_link", LookupFlags.SymlinkFollow);
        AssertOpenRefused("up_link/x", LookupFlags.None);
        AssertOpenRefused("up_link/outside/secret", LookupFlags.None);
        Assert.That(Readlink("up_link", out string target), Is.EqualTo(Errno.Success), "reading a link is not following it");
        Assert.That(target, Is.EqualTo(".."));
    }

    [Test]
    public void MutationsOutsideAreRefused()
    {
        Symlink("..", "up_link");
        Wasi.FdClose(Create("keep"));

        AssertRefused(CreateDirectory("../newdir"));
        AssertRefused(CreateDirectory("up_link/newdir"));
        AssertRefused(CreateDirectory("to_outside/newdir"));
        AssertRefused(PathOpen("../created-outside", out _, OpenFlags.Create, Rights.FdWrite));
        AssertRefused(PathOpen("up_link/created-outside", out _, OpenFlags.Create, Rights.FdWrite));
        AssertRefused(PathOpen("host_dir_link/created", out _, OpenFlags.Create, Rights.FdWrite));
        AssertRefused(PathOpen("../outside/secret", out _, OpenFlags.Truncate, Rights.FdWrite));
        AssertRefused(Rename("keep", "../moved"));
        AssertRefused(Rename("keep", "up_link/moved2"));
        AssertRefused(Rename("keep", "to_outside/moved3"));
        AssertRefused(Rename("../outside/secret", "stolen"));
        AssertRefused(Rename("to_outside/secret", "stolen"));
        AssertRefused(Unlink("../x"));
        AssertRefused(Unlink("../outside/secret"));
        AssertRefused(Unlink("to_outside/secret"));
        AssertRefused(RemoveDirectory(".."));
        AssertRefused(RemoveDirectory("../outside"));
        AssertRefused(RemoveDirectory("up_link/outside"));
        AssertRefused(Symlink("x", "../planted"));
        AssertRefused(Symlink("x", "to_outside/planted"));
        AssertRefused(Link("../outside/secret", "hardlink"));
        Assert.That(Link("to_secret", "hardlink", LookupFlags.SymlinkFollow), Is.EqualTo(Errno.Invalid), "never follows");
        AssertRefused(Link("to_outside/secret", "hardlink"));
        AssertRefused(Link("keep", "../hardlink"));
        AssertRefused(Link("keep", "to_outside/hardlink"));
        var (pointer, length) = Memory.PutString("../outside/secret");
        AssertRefused(Wasi.PathFilestatSetTimes(Memory.Span, Sandbox, LookupFlags.SymlinkFollow, pointer, length, 0, 0, FstFlags.ModifyTimeNow));
        var (linkPointer, linkLength) = Memory.PutString("to_secret");
        AssertRefused(Wasi.PathFilestatSetTimes(Memory.Span, Sandbox, LookupFlags.SymlinkFollow, linkPointer, linkLength, 0, 0, FstFlags.ModifyTimeNow));

        Assert.That(File.Exists(HostPath("keep")), Is.True, "the renames did not move it");
        Assert.That(Directory.EnumerateFileSystemEntries(OutsidePath).Select(Path.GetFileName), Is.EqualTo(new[] { "secret" }));
        Assert.That(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(SandboxPath)!).Count(), Is.EqualTo(2));
    }

    [Test]
    public void StatAndReadlinkOutsideAreRefused()
    {
        Assert.That(PathStat("../", out _), Is.EqualTo(Escape));
        Assert.That(PathStat("..", out _, LookupFlags.None), Is.EqualTo(Escape));
        Assert.That(PathStat("../outside/secret", out _), Is.EqualTo(Escape));
        Assert.That(Readlink("../sandbox/host_abs_link", out _), Is.EqualTo(Escape));
        Assert.That(PathStat("to_outside", out _), Is.EqualTo(Escape));
    }

    [TestCase("host_abs_link")]
    [TestCase("host_dir_link")]
    [TestCase("abs_inside")]
    public void ReadlinkDoesNotRevealAnAbsoluteTarget(string link)
    {
        Assert.That(Readlink(link, out string target), Is.EqualTo(Escape));
        Assert.That(target, Is.Empty);
    }

    [Test]
    public void ReadlinkOfARelativeTargetPointingOutsideStillReadsIt()
    {
        // Only absolute targets name the host's layout; a relative one is the guest's own business.
        Assert.That(Readlink("to_secret", out string target), Is.EqualTo(Errno.Success));
        Assert.That(target, Is.EqualTo("../outside/secret"));
    }

    [Test]
    public void OpenedSubdirectoryIsItsOwnRoot()
    {
        uint sub = Open("sub", OpenFlags.Directory, Rights.Directory);
        AssertRefused(PathOpen("../inside.txt", out _, rights: Rights.FdRead, directory: sub));
        AssertRefused(PathStat("..", out _, directory: sub));
        AssertRefused(CreateDirectory("../x", sub));
        Assert.That(Directory.Exists(HostPath("x")), Is.False);
    }

    /// <summary>
    /// An open directory must stay the directory it was, not a path: here the guest moves it away
    /// and puts a link to the outside where it was. A descriptor kept as a host path string would
    /// now be walked by the kernel through that link.
    /// </summary>
    [Test]
    public void ReplacingAnOpenDirectoryByALinkCannotRedirectIt()
    {
        CreateDirectory("a");
        Wasi.FdClose(Create("a/mine", "mine"));
        uint a = Open("a", OpenFlags.Directory, Rights.Directory, inheriting: AllRights);
        Assert.That(Rename("a", "moved"), Is.EqualTo(Errno.Success));
        Assert.That(Symlink("../outside", "a"), Is.EqualTo(Errno.Success));

        Assert.That(PathOpen("secret", out _, rights: Rights.FdRead, directory: a), Is.EqualTo(Errno.NoEntry));
        Assert.That(PathStat("secret", out _, directory: a), Is.EqualTo(Errno.NoEntry));
        Assert.That(ReadAll(Open("mine", rights: Rights.FdRead, directory: a)), Is.EqualTo("mine"), "it follows the move");
        Assert.That(CreateDirectory("planted", a), Is.EqualTo(Errno.Success));
        Assert.That(Directory.Exists(HostPath("moved/planted")), Is.True);
        Assert.That(Directory.EnumerateFileSystemEntries(OutsidePath).Select(Path.GetFileName), Is.EqualTo(new[] { "secret" }));
    }

    [Test]
    public void ReplacingAPreopenAncestorDoesNotMatter()
    {
        // The preopen is pinned the same way: its host path is only used to open it once.
        Wasi.FdClose(Create("inside-file", "x"));
        string movedSandbox = SandboxPath + "-moved";
        Directory.Move(SandboxPath, movedSandbox);
        Directory.CreateSymbolicLink(SandboxPath, OutsidePath);
        try
        {
            Assert.That(PathStat("secret", out _), Is.EqualTo(Errno.NoEntry));
            Assert.That(PathStat("inside-file", out _), Is.EqualTo(Errno.Success));
        }
        finally
        {
            Directory.Delete(SandboxPath);
            Directory.Move(movedSandbox, SandboxPath);
        }
    }

    [Test]
    public void DotDotThatStaysInsideIsFine()
    {
        Assert.That(PathOpen("sub/../inside.txt", out uint fd, rights: Rights.FdRead), Is.EqualTo(Errno.Success));
        Assert.That(ReadAll(fd), Is.EqualTo("inside"));
        Assert.That(PathOpen(".", out _, OpenFlags.Directory, Rights.FdReaddir), Is.EqualTo(Errno.Success));
        Assert.That(PathOpen("sub/..", out _, OpenFlags.Directory, Rights.FdReaddir), Is.EqualTo(Errno.Success));
        Symlink("../inside.txt", "sub/relative_inside");
        Assert.That(PathOpen("sub/relative_inside", out fd, rights: Rights.FdRead), Is.EqualTo(Errno.Success));
        Assert.That(ReadAll(fd), Is.EqualTo("inside"));
    }

    [Test]
    public void SecretIsUntouchedAfterEverything()
    {
        DotDotAboveThePreopenIsRefused("../outside/secret");
        MutationsOutsideAreRefused();
        Assert.That(File.ReadAllText(Path.Combine(OutsidePath, "secret")), Is.EqualTo("secret"));
    }

    /// <summary>
    /// Every escape that Programs/wasi/sandbox.c tries, as the WASI calls wasi-libc turns them into
    /// (libc strips the "/sandbox/" prefix and passes the rest relative to the preopen; paths
    /// matching no preopen never reach the host). Each must fail, as sandbox.expected says.
    /// </summary>
    [Test]
    public void EveryAttemptOfTheSandboxProgramIsDenied()
    {
        var attempts = new List<(string Label, Errno Result)>
        {
            ("open(\"/sandbox/../etc/passwd\")", OpenForRead("../etc/passwd", follow: true)),
            ("open(\"/sandbox/../../../../etc/passwd\")", OpenForRead("../../../../etc/passwd", follow: true)),
            ("open(\"/sandbox/a/../../etc/passwd\")", OpenForRead("a/../../etc/passwd", follow: true)),
            ("open(\"/sandbox/..\")", OpenForRead("..", follow: true)),
            ("create(\"/sandbox/../created-outside\")", PathOpen("../created-outside", out _, OpenFlags.Create, Rights.FdWrite)),
            ("path_open(pre, \"..\")", OpenForRead("..", follow: false)),
            ("path_open(pre, \"../x\")", OpenForRead("../x", follow: false)),
            ("path_open(pre, \"../../../../../../etc/passwd\")", OpenForRead("../../../../../../etc/passwd", follow: false)),
            ("path_open(pre, \"/etc/passwd\")", OpenForRead("/etc/passwd", follow: false)),
            ("path_open(pre, \"/\")", OpenForRead("/", follow: false)),
            ("path_open(pre, \"sub/../../etc/passwd\")", OpenForRead("sub/../../etc/passwd", follow: false)),
            ("path_open(pre, \"./../.\")", OpenForRead("./../.", follow: false)),
        };
        CreateDirectory("sub");
        attempts.Add(("symlink(\"/etc/passwd\", abs_link)", Symlink("/etc/passwd", "abs_link")));
        Symlink("../../../../../../etc/passwd", "rel_link");
        Symlink("..", "up_link");
        Symlink("../sandbox/../..", "sub/deep_link");
        foreach (string path in new[] { "abs_link", "rel_link", "up_link", "up_link/etc/passwd", "sub/deep_link", "up_link/etc",
            "host_abs_link", "host_rel_link", "host_dir_link/passwd" })
        {
            attempts.Add(($"open(\"{path}\", follow)", OpenForRead(path, follow: true)));
        }
        attempts.Add(("path_open(pre, \"up_link/x\")", OpenForRead("up_link/x", follow: false)));
        attempts.Add(("path_open(pre, \"host_dir_link/passwd\")", OpenForRead("host_dir_link/passwd", follow: false)));
        attempts.Add(("stat(\"/sandbox/../\")", PathStat("../", out _)));
        attempts.Add(("mkdir(\"/sandbox/../newdir\")", CreateDirectory("../newdir")));
        Wasi.FdClose(Create("keep"));
        attempts.Add(("rename(keep -> /sandbox/../moved)", Rename("keep", "../moved")));
        attempts.Add(("symlink+rename via up_link", Rename("keep", "up_link/moved2")));
        attempts.Add(("unlink(\"/sandbox/../x\")", Unlink("../x")));

        var escaped = attempts.Where(a => a.Result == Errno.Success).Select(a => a.Label).ToList();
        Assert.That(escaped, Is.Empty);
        Assert.That(attempts.Select(a => a.Result), Has.All.AnyOf(Escape, Errno.NoEntry));
    }

    private Errno OpenForRead(string path, bool follow) =>
        PathOpen(path, out _, rights: Rights.FdRead | Rights.FdReaddir, lookup: follow ? LookupFlags.SymlinkFollow : LookupFlags.None);

    private void AssertOpenRefused(string path, LookupFlags lookup)
    {
        Errno errno = PathOpen(path, out uint fd, rights: Rights.FdRead | Rights.FdReaddir, lookup: lookup);
        if (errno == Errno.Success)
        {
            Wasi.FdClose(fd);
        }
        Assert.That(errno, Is.EqualTo(Escape), $"path_open(\"{path}\", {lookup})");
    }

    private static void AssertRefused(Errno errno) => Assert.That(errno, Is.EqualTo(Escape));
}

[TestFixture]
public sealed class PreopenThroughSymlinkTests
{
    [Test]
    public void APreopenGivenAsALinkBehavesAsTheDirectory()
    {
        DirectoryInfo root = Directory.CreateTempSubdirectory("engine-wasi-");
        try
        {
            string real = Directory.CreateDirectory(Path.Combine(root.FullName, "real")).FullName;
            File.WriteAllText(Path.Combine(real, "f"), "x");
            string link = Path.Combine(root.FullName, "link");
            Directory.CreateSymbolicLink(link, real);
            var memory = new TestMemory(4096);
            using var wasi = new WasiContext(new WasiConfig().WithPreopenedDirectory(link, "/data"));

            uint stat = memory.Allocate(64);
            Assert.That(wasi.FdFilestatGet(memory.Span, 3, stat), Is.EqualTo(Errno.Success));
            Assert.That(Filestat.Read(memory, stat).Filetype, Is.EqualTo(Filetype.Directory));
            var (dot, dotLength) = memory.PutString(".");
            uint fd = memory.Allocate(4);
            Assert.That(wasi.PathOpen(memory.Span, 3, LookupFlags.None, dot, dotLength, OpenFlags.Directory, Rights.FdReaddir, Rights.None, FdFlags.None, fd),
                Is.EqualTo(Errno.Success));
            var (up, upLength) = memory.PutString("../real/f");
            Assert.That(wasi.PathFilestatGet(memory.Span, 3, LookupFlags.SymlinkFollow, up, upLength, stat), Is.EqualTo(Errno.NotPermitted));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
