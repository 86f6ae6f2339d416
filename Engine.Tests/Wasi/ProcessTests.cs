using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Wasi;

/// <summary>Arguments, environment, clocks, randomness, proc_* and sched_yield.</summary>
[TestFixture]
public sealed class ProcessTests
{
    private readonly TestMemory _memory = new(4096);

    [Test]
    public void ArgsAreNulTerminatedUtf8WithPointersIntoOneBuffer()
    {
        using var wasi = new WasiContext(new WasiConfig().WithArgs("args_env", "alpha", "", "spaced out", "üñí"));
        uint count = _memory.Allocate(4);
        uint size = _memory.Allocate(4);
        Assert.That(wasi.ArgsSizesGet(_memory.Span, count, size), Is.EqualTo(Errno.Success));
        Assert.That(_memory.U32(count), Is.EqualTo(5));
        Assert.That(_memory.U32(size), Is.EqualTo(9 + 6 + 1 + 11 + 7));

        uint argv = _memory.Allocate(5 * 4);
        uint buffer = _memory.Allocate((int)_memory.U32(size));
        Assert.That(wasi.ArgsGet(_memory.Span, argv, buffer), Is.EqualTo(Errno.Success));
        var args = Enumerable.Range(0, 5).Select(i => _memory.CString(_memory.U32(argv + (uint)i * 4))).ToArray();
        Assert.That(args, Is.EqualTo(new[] { "args_env", "alpha", "", "spaced out", "üñí" }));
        Assert.That(_memory.U32(argv), Is.EqualTo(buffer), "strings are packed from the start of the buffer");
        Assert.That(_memory.U32(argv + 4), Is.EqualTo(buffer + 9));
        Assert.That(_memory.U8(buffer + _memory.U32(size) - 1), Is.Zero);
    }

    [Test]
    public void EnvironmentIsNameEqualsValue()
    {
        using var wasi = new WasiContext(new WasiConfig()
            .WithEnvironmentVariable("GREETING", "hi there")
            .WithEnvironmentVariable("EMPTY", "")
            .WithEnvironmentVariable("WITH_EQUALS", "a=b=c")
            .WithEnvironmentVariable("GREETING", "replaced"));
        uint count = _memory.Allocate(4);
        uint size = _memory.Allocate(4);
        Assert.That(wasi.EnvironSizesGet(_memory.Span, count, size), Is.EqualTo(Errno.Success));
        Assert.That(_memory.U32(count), Is.EqualTo(3));
        uint environ = _memory.Allocate(3 * 4);
        uint buffer = _memory.Allocate((int)_memory.U32(size));
        Assert.That(wasi.EnvironGet(_memory.Span, environ, buffer), Is.EqualTo(Errno.Success));
        var variables = Enumerable.Range(0, 3).Select(i => _memory.CString(_memory.U32(environ + (uint)i * 4))).ToArray();
        Assert.That(variables, Is.EqualTo(new[] { "EMPTY=", "WITH_EQUALS=a=b=c", "GREETING=replaced" }));
        Assert.That(_memory.U32(size), Is.EqualTo(variables.Sum(v => v.Length + 1)));
    }

    [Test]
    public void NoArgsOrEnvironmentByDefault()
    {
        using var wasi = new WasiContext(new WasiConfig());
        uint count = _memory.Allocate(4);
        uint size = _memory.Allocate(4);
        Assert.That(wasi.ArgsSizesGet(_memory.Span, count, size), Is.EqualTo(Errno.Success));
        Assert.That((_memory.U32(count), _memory.U32(size)), Is.EqualTo((0u, 0u)));
        Assert.That(wasi.EnvironSizesGet(_memory.Span, count, size), Is.EqualTo(Errno.Success));
        Assert.That((_memory.U32(count), _memory.U32(size)), Is.EqualTo((0u, 0u)));
    }

    [Test]
    public void ArgsAndEnvironmentFaultOnBadPointers()
    {
        using var wasi = new WasiContext(new WasiConfig().WithArgs("program", "argument").WithEnvironmentVariable("A", "B"));
        uint ok = _memory.Allocate(64);
        Assert.That(wasi.ArgsSizesGet(_memory.Span, _memory.OutOfBounds, ok), Is.EqualTo(Errno.Fault));
        Assert.That(wasi.ArgsSizesGet(_memory.Span, ok, _memory.OutOfBounds - 2), Is.EqualTo(Errno.Fault));
        Assert.That(wasi.ArgsGet(_memory.Span, ok, _memory.OutOfBounds - 5), Is.EqualTo(Errno.Fault), "buffer too short at the end");
        Assert.That(wasi.ArgsGet(_memory.Span, uint.MaxValue - 3, ok), Is.EqualTo(Errno.Fault), "pointer array wraps");
        Assert.That(wasi.EnvironGet(_memory.Span, _memory.OutOfBounds, ok), Is.EqualTo(Errno.Fault));
        Assert.That(wasi.EnvironSizesGet(_memory.Span, ok, uint.MaxValue), Is.EqualTo(Errno.Fault));
    }

    [Test]
    public void HostClocksAreSaneAndMonotonic()
    {
        using var wasi = new WasiContext(new WasiConfig());
        uint time = _memory.Allocate(8);
        Assert.That(wasi.ClockTimeGet(_memory.Span, ClockId.Realtime, 0, time), Is.EqualTo(Errno.Success));
        ulong expected = (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        Assert.That(_memory.U64(time), Is.InRange(expected - 5_000_000_000, expected + 5_000_000_000));

        ulong previous = 0;
        for (int i = 0; i < 10_000; i++)
        {
            Assert.That(wasi.ClockTimeGet(_memory.Span, ClockId.Monotonic, 1, time), Is.EqualTo(Errno.Success));
            Assert.That(_memory.U64(time), Is.GreaterThanOrEqualTo(previous));
            previous = _memory.U64(time);
        }
        foreach (ClockId clock in new[] { ClockId.Realtime, ClockId.Monotonic })
        {
            Assert.That(wasi.ClockResGet(_memory.Span, clock, time), Is.EqualTo(Errno.Success));
            Assert.That(_memory.U64(time), Is.InRange(1UL, 1_000_000_000UL));
        }
    }

    [Test]
    public void UnsupportedClocksAreInvalid()
    {
        using var wasi = new WasiContext(new WasiConfig());
        uint time = _memory.Allocate(8);
        foreach (ClockId clock in new[] { ClockId.ProcessCputime, ClockId.ThreadCputime, (ClockId)99 })
        {
            Assert.That(wasi.ClockTimeGet(_memory.Span, clock, 0, time), Is.EqualTo(Errno.Invalid));
            Assert.That(wasi.ClockResGet(_memory.Span, clock, time), Is.EqualTo(Errno.Invalid));
        }
        Assert.That(wasi.ClockTimeGet(_memory.Span, ClockId.Realtime, 0, _memory.OutOfBounds - 4), Is.EqualTo(Errno.Fault));
    }

    [Test]
    public void ConfiguredClockIsUsed()
    {
        var clock = new ManualClock { Realtime = 123, Monotonic = 456 };
        using var wasi = new WasiContext(new WasiConfig().WithClock(clock));
        uint time = _memory.Allocate(8);
        wasi.ClockTimeGet(_memory.Span, ClockId.Realtime, 0, time);
        Assert.That(_memory.U64(time), Is.EqualTo(123));
        wasi.ClockTimeGet(_memory.Span, ClockId.Monotonic, 0, time);
        Assert.That(_memory.U64(time), Is.EqualTo(456));
        wasi.ClockResGet(_memory.Span, ClockId.Realtime, time);
        Assert.That(_memory.U64(time), Is.EqualTo(1000));
    }

    [Test]
    public void RandomBytesFillTheBufferAndDiffer()
    {
        using var wasi = new WasiContext(new WasiConfig());
        uint a = _memory.Allocate(256);
        uint b = _memory.Allocate(256);
        Assert.That(wasi.RandomGet(_memory.Span, a, 256), Is.EqualTo(Errno.Success));
        Assert.That(wasi.RandomGet(_memory.Span, b, 256), Is.EqualTo(Errno.Success));
        byte[] first = _memory.Bytes.AsSpan((int)a, 256).ToArray();
        byte[] second = _memory.Bytes.AsSpan((int)b, 256).ToArray();
        Assert.That(first, Is.Not.EqualTo(second));
        Assert.That(first.Distinct().Count(), Is.GreaterThan(64));
        Assert.That(wasi.RandomGet(_memory.Span, a, 0), Is.EqualTo(Errno.Success));
        Assert.That(wasi.RandomGet(_memory.Span, _memory.OutOfBounds - 10, 11), Is.EqualTo(Errno.Fault));
    }

    [Test]
    public void SeededRandomIsReproducible()
    {
        using var wasi = new WasiContext(new WasiConfig().WithRandom(new Random(42)));
        uint buffer = _memory.Allocate(32);
        wasi.RandomGet(_memory.Span, buffer, 32);
        var expected = new byte[32];
        new Random(42).NextBytes(expected);
        Assert.That(_memory.Bytes.AsSpan((int)buffer, 32).ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void ProcExitThrowsTheExitCode()
    {
        using var wasi = new WasiContext(new WasiConfig());
        var exit = Assert.Throws<WasiExitException>(() => wasi.ProcExit(3));
        Assert.That(exit!.ExitCode, Is.EqualTo(3));
    }

    [Test]
    public void ProcRaiseIsNotSupportedAndYieldSucceeds()
    {
        using var wasi = new WasiContext(new WasiConfig());
        Assert.That(wasi.ProcRaise(6), Is.EqualTo(Errno.NotSupported));
        for (int i = 0; i < 100; i++)
        {
            Assert.That(wasi.SchedYield(), Is.EqualTo(Errno.Success));
        }
    }

    [Test]
    public void ConfigValidatesItsInput()
    {
        Assert.Throws<ArgumentException>(() => new WasiConfig().WithEnvironmentVariable("A=B", "x"));
        Assert.Throws<ArgumentException>(() => new WasiConfig().WithEnvironmentVariable("", "x"));
        Assert.Throws<DirectoryNotFoundException>(() => new WasiContext(new WasiConfig().WithPreopenedDirectory("/no/such/dir/anywhere", "/x")));
    }

    [Test]
    public void DirSpecUsesHostDoubleColonGuest()
    {
        string host = Path.GetTempPath();
        using var wasi = new WasiContext(new WasiConfig().WithPreopenedDirectory($"{host}::/guest").WithPreopenedDirectory(host));
        uint name = _memory.Allocate(256);
        Assert.That(wasi.FdPrestatDirName(_memory.Span, 3, name, 6), Is.EqualTo(Errno.Success));
        Assert.That(_memory.Utf8(name, 6), Is.EqualTo("/guest"));
        uint prestat = _memory.Allocate(8);
        Assert.That(wasi.FdPrestatGet(_memory.Span, 4, prestat), Is.EqualTo(Errno.Success));
        Assert.That(_memory.U32(prestat + 4), Is.EqualTo(host.Length));
    }
}
