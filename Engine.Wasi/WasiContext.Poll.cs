using System.Buffers.Binary;
using System.Net.Sockets;

namespace Engine.Wasi;

// poll_oneoff: clock timeouts and descriptor readiness.
public sealed partial class WasiContext
{
    private const uint SubscriptionSize = 48;
    private const uint EventSize = 32;

    /// <summary>
    /// <c>poll_oneoff</c>: waits until at least one subscription is satisfied and writes one 32-byte
    /// <c>$event</c> per satisfied subscription.
    /// </summary>
    /// <remarks>
    /// Clock subscriptions use the realtime or monotonic clock, relative or absolute
    /// (<see cref="SubclockFlags.Absolute"/>); a time in the past fires at once. Regular files,
    /// stdio streams and output streams are always ready (an input stream reports one byte, or
    /// what remains if it can seek); sockets are polled. A subscription on a bad descriptor, or
    /// with an unsupported clock, completes at once with the error in its event. Zero
    /// subscriptions is <see cref="Errno.Invalid"/> (indefinite sleep is not supported, as in wasmtime).
    /// </remarks>
    public Errno PollOneoff(Span<byte> memory, uint subscriptionsPointer, uint eventsPointer, uint subscriptionCount, uint eventCountPointer)
    {
        try
        {
            var guest = new GuestMemory(memory);
            if (subscriptionCount == 0)
            {
                ErrnoException.Throw(Errno.Invalid);
            }
            guest.EnsureValidArray(eventsPointer, subscriptionCount, EventSize);
            guest.EnsureValid(eventCountPointer, 4);
            Subscription[] subscriptions = ReadSubscriptions(guest, subscriptionsPointer, subscriptionCount);
            List<Event> events = Poll(subscriptions);
            for (int i = 0; i < events.Count; i++)
            {
                events[i].WriteTo(guest.Slice(eventsPointer + (uint)i * EventSize, EventSize));
            }
            guest.WriteUInt32(eventCountPointer, (uint)events.Count);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    private List<Event> Poll(Subscription[] subscriptions)
    {
        ulong now = _clock.ReadMonotonic();
        var deadlines = new ulong?[subscriptions.Length];
        var events = new List<Event>();
        var waitingSockets = new List<(Subscription Subscription, SocketDescriptor Socket)>();
        for (int i = 0; i < subscriptions.Length; i++)
        {
            Subscription subscription = subscriptions[i];
            if (subscription.Type == EventType.Clock)
            {
                deadlines[i] = ClockDeadline(subscription, now, events);
            }
            else if (CheckDescriptor(subscription, waitingSockets) is { } ready)
            {
                events.Add(ready);
            }
        }
        ulong? earliest = deadlines.Min();
        bool clockExpired = earliest <= now;
        if (events.Count == 0 && !clockExpired)
        {
            WaitForSocketsOrDeadline(waitingSockets, earliest, events);
        }
        now = _clock.ReadMonotonic();
        for (int i = 0; i < subscriptions.Length; i++)
        {
            if (deadlines[i] is { } deadline && deadline <= now)
            {
                events.Add(Event.ForClock(subscriptions[i].UserData));
            }
        }
        return events;
    }

    /// <summary>The monotonic time at which a clock subscription fires; an unsupported clock
    /// completes at once with <see cref="Errno.Invalid"/> in its event.</summary>
    private ulong? ClockDeadline(Subscription subscription, ulong now, List<Event> events)
    {
        bool absolute = (subscription.ClockFlags & SubclockFlags.Absolute) != 0;
        switch (subscription.ClockId)
        {
            case ClockId.Monotonic:
                return absolute ? subscription.Timeout : SaturatingAdd(now, subscription.Timeout);
            case ClockId.Realtime when !absolute:
                return SaturatingAdd(now, subscription.Timeout);
            case ClockId.Realtime:
                ulong realtime = _clock.ReadRealtime();
                return subscription.Timeout <= realtime ? now : SaturatingAdd(now, subscription.Timeout - realtime);
            default:
                events.Add(Event.Failed(subscription, Errno.Invalid));
                return null;
        }
    }

    /// <summary>The event of a descriptor subscription that completes now, or null for a socket
    /// that is not ready yet (it is added to <paramref name="waitingSockets"/>).</summary>
    private Event? CheckDescriptor(Subscription subscription, List<(Subscription, SocketDescriptor)> waitingSockets)
    {
        Descriptor descriptor;
        try
        {
            descriptor = _fds.Get(subscription.Fd);
            Rights needed = subscription.Type == EventType.FdRead ? Rights.FdRead : Rights.FdWrite;
            descriptor.RequireRights(needed);
            descriptor.RequireRights(Rights.PollFdReadwrite);
        }
        catch (ErrnoException e)
        {
            return Event.Failed(subscription, e.Errno);
        }
        switch (descriptor)
        {
            case FileDescriptor { IsSeekable: true } file when subscription.Type == EventType.FdRead:
                ulong size = (ulong)file.Length;
                ulong available = size > file.Position ? size - file.Position : 0;
                return Event.ForReadWrite(subscription, available, available == 0 ? EventRwFlags.Hangup : EventRwFlags.None);
            case FileDescriptor:
                return Event.ForReadWrite(subscription, 0, EventRwFlags.None);
            case StreamDescriptor { Input: { } input }:
                return Event.ForReadWrite(subscription, input.CanSeek ? (ulong)Math.Max(0, input.Length - input.Position) : 1, EventRwFlags.None);
            case StreamDescriptor:
                return Event.ForReadWrite(subscription, 0, EventRwFlags.None);
            case SocketDescriptor socket:
                if (SocketEvent(subscription, socket, timeoutMicroseconds: 0) is { } ready)
                {
                    return ready;
                }
                waitingSockets.Add((subscription, socket));
                return null;
            default:
                return Event.Failed(subscription, Errno.BadDescriptor);
        }
    }

    /// <summary>Blocks until a waiting socket is ready or the deadline passes (no deadline and no
    /// sockets cannot happen: every subscription is then either a clock or already complete), or
    /// <see cref="Interruption"/> ends the wait (within a slice).</summary>
    private void WaitForSocketsOrDeadline(List<(Subscription Subscription, SocketDescriptor Socket)> waitingSockets, ulong? deadline, List<Event> events)
    {
        if (waitingSockets.Count == 0)
        {
            if (deadline is { } time)
            {
                InterruptibleWait.Sleep(_clock, time, Interruption, "poll_oneoff");
            }
            return;
        }
        const int SliceMicroseconds = 10_000;
        while (events.Count == 0)
        {
            if (Interruption.IsCancellationRequested)
            {
                throw InterruptibleWait.Interrupted("poll_oneoff");
            }
            ulong now = _clock.ReadMonotonic();
            if (deadline is { } time && now >= time)
            {
                return;
            }
            int timeout = deadline is { } limit ? (int)Math.Min((limit - now) / 1000 + 1, SliceMicroseconds) : SliceMicroseconds;
            WaitForAnySocket(waitingSockets, timeout);
            foreach (var (subscription, socket) in waitingSockets)
            {
                if (SocketEvent(subscription, socket, timeoutMicroseconds: 0) is { } ready)
                {
                    events.Add(ready);
                }
            }
        }
    }

    private static void WaitForAnySocket(List<(Subscription Subscription, SocketDescriptor Socket)> waiting, int timeoutMicroseconds)
    {
        var readers = waiting.Where(w => w.Subscription.Type == EventType.FdRead).Select(w => w.Socket.Socket).ToList();
        var writers = waiting.Where(w => w.Subscription.Type == EventType.FdWrite).Select(w => w.Socket.Socket).ToList();
        Socket.Select(readers.Count > 0 ? readers : null, writers.Count > 0 ? writers : null, null, timeoutMicroseconds);
    }

    private static Event? SocketEvent(Subscription subscription, SocketDescriptor socket, int timeoutMicroseconds)
    {
        try
        {
            if (subscription.Type == EventType.FdWrite)
            {
                return socket.Socket.Poll(timeoutMicroseconds, SelectMode.SelectWrite)
                    ? Event.ForReadWrite(subscription, 0, EventRwFlags.None)
                    : null;
            }
            if (!socket.Socket.Poll(timeoutMicroseconds, SelectMode.SelectRead))
            {
                return null;
            }
            // Readable with nothing to read on a connected socket means the peer closed it.
            int available = socket.Socket.Available;
            bool hangup = available == 0 && socket.Socket.Connected;
            return Event.ForReadWrite(subscription, (ulong)available, hangup ? EventRwFlags.Hangup : EventRwFlags.None);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return Event.Failed(subscription, ErrnoMapping.FromException(e));
        }
    }

    private static ulong SaturatingAdd(ulong a, ulong b) => a + b < a ? ulong.MaxValue : a + b;

    private static Subscription[] ReadSubscriptions(GuestMemory guest, uint pointer, uint count)
    {
        guest.EnsureValidArray(pointer, count, SubscriptionSize);
        var subscriptions = new Subscription[count];
        for (uint i = 0; i < count; i++)
        {
            subscriptions[i] = Subscription.Read(guest.Slice(pointer + i * SubscriptionSize, SubscriptionSize));
        }
        return subscriptions;
    }

    /// <summary>A decoded 48-byte <c>$subscription</c>: userdata u64, tag u8 at 8, the union at 16
    /// (clock: id u32, timeout u64 at 24, precision u64 at 32, flags u16 at 40; fd: u32).</summary>
    private readonly record struct Subscription(ulong UserData, EventType Type, ClockId ClockId, ulong Timeout, SubclockFlags ClockFlags, uint Fd)
    {
        public static Subscription Read(ReadOnlySpan<byte> bytes)
        {
            ulong userData = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            var type = (EventType)bytes[8];
            if (type > EventType.FdWrite)
            {
                ErrnoException.Throw(Errno.Invalid);
            }
            ReadOnlySpan<byte> content = bytes[16..];
            if (type != EventType.Clock)
            {
                return new Subscription(userData, type, default, 0, default, BinaryPrimitives.ReadUInt32LittleEndian(content));
            }
            var flags = (SubclockFlags)BinaryPrimitives.ReadUInt16LittleEndian(content[24..]);
            RequireKnownBits((ulong)flags, (ulong)SubclockFlags.Absolute);
            return new Subscription(userData, type, (ClockId)BinaryPrimitives.ReadUInt32LittleEndian(content),
                BinaryPrimitives.ReadUInt64LittleEndian(content[8..]), flags, 0);
        }
    }

    /// <summary>A 32-byte <c>$event</c>: userdata u64, error u16 at 8, type u8 at 10, then for
    /// read/write events nbytes u64 at 16 and flags u16 at 24.</summary>
    private readonly record struct Event(ulong UserData, Errno Error, EventType Type, ulong ByteCount, EventRwFlags Flags)
    {
        public static Event ForClock(ulong userData) => new(userData, Errno.Success, EventType.Clock, 0, EventRwFlags.None);

        public static Event ForReadWrite(Subscription subscription, ulong byteCount, EventRwFlags flags) =>
            new(subscription.UserData, Errno.Success, subscription.Type, byteCount, flags);

        public static Event Failed(Subscription subscription, Errno error) =>
            new(subscription.UserData, error, subscription.Type, 0, EventRwFlags.None);

        public void WriteTo(Span<byte> bytes)
        {
            bytes.Clear();
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, UserData);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes[8..], (ushort)Error);
            bytes[10] = (byte)Type;
            BinaryPrimitives.WriteUInt64LittleEndian(bytes[16..], ByteCount);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes[24..], (ushort)Flags);
        }
    }
}
