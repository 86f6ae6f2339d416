using System.Text;
using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Wasi;

[TestFixture]
public sealed class StdioTests : WasiTestBase
{
    protected override void BeforeContext()
    {
        Stdin.Write("line one\nline two"u8);
        Stdin.Position = 0;
    }

    [Test]
    public void StdoutReceivesEveryWrite()
    {
        Assert.That(WriteVectors(1, ["hello", ", ", "world\n"], out uint written), Is.EqualTo(Errno.Success));
        Assert.That(written, Is.EqualTo(13));
        Assert.That(Encoding.UTF8.GetString(Stdout.ToArray()), Is.EqualTo("hello, world\n"));
    }

    [Test]
    public void StdinIsReadUntilEndOfStream()
    {
        var text = new StringBuilder();
        while (Read(0, 5, out string chunk) == Errno.Success && chunk.Length > 0)
        {
            text.Append(chunk);
        }
        Assert.That(text.ToString(), Is.EqualTo("line one\nline two"));
    }

    [Test]
    public void StreamsCannotSeekAndHaveNoSeekRights()
    {
        Assert.That(Seek(0, 0, Whence.Set, out _), Is.EqualTo(Errno.InvalidSeek));
        Assert.That(Wasi.FdTell(Memory.Span, 1, Memory.Allocate(8)), Is.EqualTo(Errno.InvalidSeek));
        uint buffer = Memory.Allocate(8);
        Assert.That(Wasi.FdPread(Memory.Span, 0, Memory.PutIoVectors((buffer, 8)), 1, 0, Memory.Allocate(4)), Is.EqualTo(Errno.InvalidSeek));
        var (type, _, rights, _) = Fdstat(1);
        Assert.That(type, Is.EqualTo(Filetype.Unknown), "not a terminal");
        Assert.That(rights & (Rights.FdSeek | Rights.FdTell), Is.EqualTo(Rights.None), "wasi-libc's isatty needs this");
        Assert.That(rights & Rights.FdWrite, Is.EqualTo(Rights.FdWrite));
    }

    [Test]
    public void WrongDirectionIsBadDescriptor()
    {
        Assert.That(Write(0, "x", out _), Is.EqualTo(Errno.BadDescriptor));
        Assert.That(Read(1, 4, out _), Is.EqualTo(Errno.BadDescriptor));
        Assert.That(Read(2, 4, out _), Is.EqualTo(Errno.BadDescriptor));
    }

    [Test]
    public void StdioFilestatReportsOnlyTheType()
    {
        Filestat stat = FdStat(1);
        Assert.That(stat, Is.EqualTo(new Filestat(0, 0, Filetype.Unknown, 0, 0, 0, 0, 0)));
    }

    [Test]
    public void StderrDiscardsByDefaultAndStdioCanBeClosed()
    {
        Assert.That(Write(2, "ignored", out uint written), Is.EqualTo(Errno.Success));
        Assert.That(written, Is.EqualTo(7));
        Assert.That(Wasi.FdClose(1), Is.EqualTo(Errno.Success));
        Assert.That(Write(1, "x", out _), Is.EqualTo(Errno.BadDescriptor));
        Assert.That(Stdout.CanWrite, Is.True, "the embedder's stream stays open");
    }

    [Test]
    public void FailingEmbedderStreamIsAnIoError()
    {
        using var wasi = new WasiContext(new WasiConfig().WithStdout(new ThrowingStream()));
        var (pointer, length) = Memory.PutString("x");
        Assert.That(wasi.FdWrite(Memory.Span, 1, Memory.PutIoVectors((pointer, length)), 1, Memory.Allocate(4)), Is.EqualTo(Errno.IO));
    }

    private sealed class ThrowingStream : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer) => throw new InvalidOperationException("broken");
    }
}
