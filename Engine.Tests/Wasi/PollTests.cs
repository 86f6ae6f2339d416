using System.Diagnostics;
using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Wasi;

[TestFixture]
public sealed class PollTests : WasiTestBase
{
    private const uint SubscriptionSize = 48;
    private const uint EventSize = 32;

    private ManualClock _clock = new();

    protected override WasiConfig Configure(WasiConfig config)
    {
        _clock = new ManualClock();
        return config.WithClock(_clock);
    }

    [Test]
    public void RelativeClockSleepsUntilTheTimeout()
    {
        ulong start = _clock.Monotonic;
        uint subscriptions = Subscriptions(Clock(42, ClockId.Monotonic, 2_000_000));

        var (errno, events) = Poll(subscriptions, 1);

        Assert.That(errno, Is.EqualTo(Errno.Success));
        Assert.That(events, Is.EqualTo(new[] { (42UL, Errno.Success, EventType.Clock, 0UL, EventRwFlags.None) }));
        Assert.That(_clock.Monotonic - start, Is.EqualTo(2_000_000));
    }

    [Test]
    public void AbsoluteTimeInThePastFiresWithoutSleeping()
    {
        uint subscriptions = Subscriptions(Clock(7, ClockId.Monotonic, 0, SubclockFlags.Absolute));
        var (errno, events) = Poll(subscriptions, 1);
        Assert.That(errno, Is.EqualTo(Errno.Success));
        Assert.That(events.Single().UserData, Is.EqualTo(7));
        Assert.That(_clock.Sleeps, Is.Zero);
    }

    [Test]
    public void AbsoluteRealtimeWaitsForThatTime()
    {
        ulong start = _clock.Monotonic;
        uint subscriptions = Subscriptions(Clock(1, ClockId.Realtime, _clock.Realtime + 3_000, SubclockFlags.Absolute));
        Assert.That(Poll(subscriptions, 1).Errno, Is.EqualTo(Errno.Success));
        Assert.That(_clock.Monotonic - start, Is.EqualTo(3_000));
    }

    [Test]
    public void OnlyTheEarliestClockFires()
    {
        uint subscriptions = Subscriptions(
            Clock(1, ClockId.Monotonic, 5_000),
            Clock(2, ClockId.Monotonic, 1_000),
            Clock(3, ClockId.Realtime, 1_000));
        var (_, events) = Poll(subscriptions, 3);
        Assert.That(events.Select(e => e.UserData), Is.EquivalentTo(new[] { 2UL, 3UL }));
    }

    [Test]
    public void ZeroSubscriptionsIsInvalid()
    {
        Assert.That(Poll(Memory.Allocate(48), 0).Errno, Is.EqualTo(Errno.Invalid));
    }

    [Test]
    public void ReadyDescriptorsCompleteWithoutWaitingForClocks()
    {
        uint fd = Create("data.txt", "0123456789");
        Seek(fd, 4, Whence.Set, out _);
        uint subscriptions = Subscriptions(
            Clock(1, ClockId.Monotonic, 1_000_000_000),
            ReadWrite(2, EventType.FdRead, fd),
            ReadWrite(3, EventType.FdWrite, 1),
            ReadWrite(4, EventType.FdRead, 0));

        var (errno, events) = Poll(subscriptions, 4);

        Assert.That(errno, Is.EqualTo(Errno.Success));
        Assert.That(_clock.Sleeps, Is.Zero);
        Assert.That(events, Is.EquivalentTo(new[]
        {
            (2UL, Errno.Success, EventType.FdRead, 6UL, EventRwFlags.None),
            (3UL, Errno.Success, EventType.FdWrite, 0UL, EventRwFlags.None),
            (4UL, Errno.Success, EventType.FdRead, 0UL, EventRwFlags.None),
        }));
    }

    [Test]
    public void FileAtItsEndReportsHangup()
    {
        uint fd = Create("empty.txt");
        var (_, events) = Poll(Subscriptions(ReadWrite(9, EventType.FdRead, fd)), 1);
        Assert.That(events.Single().Flags, Is.EqualTo(EventRwFlags.Hangup));
    }

    [Test]
    public void BadDescriptorsAndClocksFailInTheirEvents()
    {
        uint subscriptions = Subscriptions(
            ReadWrite(1, EventType.FdRead, 99),
            ReadWrite(2, EventType.FdWrite, 0),
            ReadWrite(3, EventType.FdRead, Sandbox),
            Clock(4, ClockId.ProcessCputime, 10));
        var (errno, events) = Poll(subscriptions, 4);
        Assert.That(errno, Is.EqualTo(Errno.Success));
        Assert.That(events.Select(e => (e.UserData, e.Error)), Is.EquivalentTo(new[]
        {
            (1UL, Errno.BadDescriptor), (2UL, Errno.BadDescriptor), (3UL, Errno.BadDescriptor), (4UL, Errno.Invalid),
        }));
    }

    [Test]
    public void MalformedSubscriptionsAreRejected()
    {
        uint bad = Subscriptions(Clock(1, ClockId.Monotonic, 10));
        Memory.Bytes[bad + 8] = 3;
        Assert.That(Poll(bad, 1).Errno, Is.EqualTo(Errno.Invalid), "unknown event type");
        uint badFlags = Subscriptions(Clock(1, ClockId.Monotonic, 10, (SubclockFlags)2));
        Assert.That(Poll(badFlags, 1).Errno, Is.EqualTo(Errno.Invalid));
        uint good = Subscriptions(Clock(1, ClockId.Monotonic, 10));
        uint nevents = Memory.Allocate(4);
        Assert.That(Wasi.PollOneoff(Memory.Span, good, Memory.OutOfBounds - 16, 1, nevents), Is.EqualTo(Errno.Fault));
        Assert.That(Wasi.PollOneoff(Memory.Span, Memory.OutOfBounds - 40, Memory.Allocate(32), 1, nevents), Is.EqualTo(Errno.Fault));
        Assert.That(Wasi.PollOneoff(Memory.Span, good, Memory.Allocate(32), 0x1000_0000, nevents), Is.EqualTo(Errno.Fault));
        Assert.That(_clock.Sleeps, Is.Zero, "nothing slept before the fault was found");
    }

    [Test]
    public void HostClockSleepsAtLeastTheTimeout()
    {
        using var wasi = new WasiContext(new WasiConfig());
        uint subscriptions = Subscriptions(Clock(42, ClockId.Monotonic, 2_000_000));
        uint events = Memory.Allocate(32);
        uint nevents = Memory.Allocate(4);
        var stopwatch = Stopwatch.StartNew();
        Assert.That(wasi.PollOneoff(Memory.Span, subscriptions, events, 1, nevents), Is.EqualTo(Errno.Success));
        Assert.That(stopwatch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(2)));
        Assert.That(Memory.U32(nevents), Is.EqualTo(1));
        Assert.That(Memory.U64(events), Is.EqualTo(42));
    }

    private (Errno Errno, List<(ulong UserData, Errno Error, EventType Type, ulong Bytes, EventRwFlags Flags)> Events) Poll(uint subscriptions, uint count)
    {
        uint events = Memory.Allocate((int)(Math.Max(count, 1) * EventSize));
        uint nevents = Memory.Allocate(4);
        Errno errno = Wasi.PollOneoff(Memory.Span, subscriptions, events, count, nevents);
        var result = new List<(ulong, Errno, EventType, ulong, EventRwFlags)>();
        for (uint i = 0; errno == Errno.Success && i < Memory.U32(nevents); i++)
        {
            uint e = events + i * EventSize;
            result.Add((Memory.U64(e), (Errno)Memory.U16(e + 8), (EventType)Memory.U8(e + 10), Memory.U64(e + 16), (EventRwFlags)Memory.U16(e + 24)));
        }
        return (errno, result);
    }

    private uint Subscriptions(params Action<uint>[] writers)
    {
        uint array = Memory.Allocate((int)(writers.Length * SubscriptionSize));
        for (int i = 0; i < writers.Length; i++)
        {
            writers[i](array + (uint)i * SubscriptionSize);
        }
        return array;
    }

    private Action<uint> Clock(ulong userData, ClockId clock, ulong timeout, SubclockFlags flags = SubclockFlags.None) => at =>
    {
        Memory.WriteU64(at, userData);
        Memory.Bytes[at + 8] = (byte)EventType.Clock;
        Memory.WriteU32(at + 16, (uint)clock);
        Memory.WriteU64(at + 24, timeout);
        Memory.WriteU64(at + 32, 0);
        Memory.Bytes[at + 40] = (byte)flags;
        Memory.Bytes[at + 41] = (byte)((ushort)flags >> 8);
    };

    private Action<uint> ReadWrite(ulong userData, EventType type, uint fd) => at =>
    {
        Memory.WriteU64(at, userData);
        Memory.Bytes[at + 8] = (byte)type;
        Memory.WriteU32(at + 16, fd);
    };
}
