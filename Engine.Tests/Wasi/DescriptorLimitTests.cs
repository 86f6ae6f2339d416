using System.Diagnostics;
using System.Text;
using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Wasi;

/// <summary>
/// The per-context cap on open descriptors (<see cref="WasiConfig.WithMaxOpenDescriptors"/>): a
/// guest that opens files in a loop gets <c>EMFILE</c> from its own quota, and the host (its
/// stdout and stderr, the command line's error reporting) never runs out of descriptors.
/// </summary>
[TestFixture]
public sealed class DescriptorLimitTests : WasiTestBase
{
    /// <summary>Stdio, the preopen, and four more.</summary>
    private const int Limit = 8;

    protected override WasiConfig Configure(WasiConfig config) => config.WithMaxOpenDescriptors(Limit);

    protected override void BeforeContext() => File.WriteAllText(HostPath("f"), "f");

    [Test]
    public void OpeningBeyondTheLimitIsEmfileAndStdoutKeepsWorking()
    {
        var opened = new List<uint>();
        Errno errno;
        while ((errno = PathOpen("f", out uint fd, rights: Rights.FdRead)) == Errno.Success)
        {
            opened.Add(fd);
        }
        Assert.That(errno, Is.EqualTo(Errno.TooManyFiles));
        Assert.That(opened, Has.Count.EqualTo(Limit - 4), "stdio and the preopen count too");
        Assert.That(PathOpen("new", out _, OpenFlags.Create), Is.EqualTo(Errno.TooManyFiles));
        Assert.That(File.Exists(HostPath("new")), Is.False, "nothing was created on the host either");

        Assert.That(Write(1, "still here\n", out _), Is.EqualTo(Errno.Success));
        Assert.That(Encoding.UTF8.GetString(Stdout.ToArray()), Is.EqualTo("still here\n"));

        Assert.That(Wasi.FdClose(opened[^1]), Is.EqualTo(Errno.Success));
        Assert.That(PathOpen("f", out uint again, rights: Rights.FdRead), Is.EqualTo(Errno.Success), "a closed descriptor frees a place");
        Assert.That(Wasi.FdRenumber(again, 100), Is.EqualTo(Errno.Success));
        Assert.That(PathOpen("f", out _, rights: Rights.FdRead), Is.EqualTo(Errno.TooManyFiles), "moving a descriptor frees none");
        Assert.That(Wasi.FdRenumber(100, opened[0]), Is.EqualTo(Errno.Success));
        Assert.That(PathOpen("f", out _, rights: Rights.FdRead), Is.EqualTo(Errno.Success), "replacing one by renumbering frees one");
    }

    [Test]
    public void TheDefaultLeavesTheHostHalfItsDescriptors()
    {
        int limit = WasiContext.DefaultMaxOpenDescriptors();
        Assert.That(limit, Is.InRange(16, 1024));
        Assert.That(new WasiConfig().WithMaxOpenDescriptors(1), Is.Not.Null);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WasiConfig().WithMaxOpenDescriptors(0));
    }

    /// <summary>
    /// The issue's scenario through the command line, in a child process whose descriptor limit is
    /// 256: before the cap, the guest took them all, its later output was lost (exit 0) and a trap
    /// then crashed the command line ("Too many open files"). Now the guest stops at half of them.
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public void AGuestOpeningFilesForeverCannotStarveTheCommandLine(bool trap)
    {
        string guest = Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Wasi", "Guests", "openmany.wasm");
        string command = $"ulimit -n 256 && exec dotnet '{Path.Combine(AppContext.BaseDirectory, "wasm-engine.dll")}' run "
            + $"--dir '{SandboxPath}::/d' '{guest}'{(trap ? " trap" : "")}";
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(2)), Is.True);

        // Half of 256, less stdio and the preopen.
        string opened = "opened 124, then EMFILE\n";
        Assert.That(output, Is.EqualTo(trap ? opened : opened + "still writing\n"), () => error.Result);
        Assert.That(process.ExitCode, Is.EqualTo(trap ? 134 : 0), () => error.Result);
        Assert.That(error.Result, trap ? Does.StartWith("error: wasm trap: ") : Is.Empty);
        Assert.That(error.Result, Does.Not.Contain("Unhandled").And.Not.Contain("Too many open files"));
    }
}
