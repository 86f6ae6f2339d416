using System.Diagnostics;
using System.Text;
using Engine.Core;
using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Wasi;

/// <summary>A named pipe in the sandbox: a file that cannot seek, read and written with offsets ignored.</summary>
[TestFixture]
public sealed class FifoTests : WasiTestBase
{
    protected override void BeforeContext()
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", HostPath("pipe")) { UseShellExecute = false });
        mkfifo!.WaitForExit();
        Assume.That(mkfifo.ExitCode, Is.Zero, "mkfifo is needed for this test");
    }

    [Test]
    public void DataFlowsThroughANamedPipeBothWays()
    {
        // Non-blocking open of the read end succeeds without a writer.
        uint reader = Open("pipe", rights: Rights.FdRead, fdFlags: FdFlags.Nonblock);
        Assert.That(Fdstat(reader).Type, Is.EqualTo(Filetype.Unknown), "preview1 has no FIFO type");
        using (var hostWriter = new FileStream(HostPath("pipe"), FileMode.Open, FileAccess.Write))
        {
            hostWriter.Write("abc"u8);
            hostWriter.Flush();
            Assert.That(Read(reader, 16, out string text), Is.EqualTo(Errno.Success));
            Assert.That(text, Is.EqualTo("abc"));
        }

        uint writer = Open("pipe", rights: Rights.FdWrite);
        Assert.That(Write(writer, "xyz", out uint written), Is.EqualTo(Errno.Success));
        Assert.That(written, Is.EqualTo(3));
        Assert.That(Read(reader, 16, out string back), Is.EqualTo(Errno.Success));
        Assert.That(back, Is.EqualTo("xyz"));
        Assert.That(Seek(reader, 0, Whence.Set, out _), Is.EqualTo(Errno.InvalidSeek));
        Assert.That(Wasi.FdTell(Memory.Span, writer, Memory.Allocate(8)), Is.EqualTo(Errno.InvalidSeek));
        Assert.That(Read(reader, 16, out _), Is.EqualTo(Errno.Again), "non-blocking and empty");
        Assert.That(Encoding.UTF8.GetString(Stdout.ToArray()), Is.Empty);
    }

    /// <summary>A read from a named pipe nobody writes to waits, until the context's
    /// <see cref="WasiContext.Interruption"/> ends it with a trap; a non-blocking one does not wait.</summary>
    [Test]
    public void AnInterruptionEndsAReadWaitingForThePipe()
    {
        // A host end open for writing (and reading, so that opening it does not wait) that never writes.
        using var hostEnd = new FileStream(HostPath("pipe"), FileMode.Open, FileAccess.ReadWrite);
        uint reader = Open("pipe", rights: Rights.FdRead);
        uint nonBlocking = Open("pipe", rights: Rights.FdRead, fdFlags: FdFlags.Nonblock);
        using var interruption = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        Wasi.Interruption = interruption.Token;

        Assert.That(Read(nonBlocking, 16, out _), Is.EqualTo(Errno.Again));
        var stopwatch = Stopwatch.StartNew();
        var trap = Assert.Throws<TrapException>(() => Read(reader, 16, out _));
        Assert.That(trap!.Code, Is.EqualTo(TrapCode.Interrupted));
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
        Wasi.Interruption = CancellationToken.None;
    }
}
