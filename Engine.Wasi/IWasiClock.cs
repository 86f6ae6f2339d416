using System.Diagnostics;

namespace Engine.Wasi;

/// <summary>
/// The clocks a WASI guest sees (<c>clock_time_get</c>, <c>clock_res_get</c>) and the sleeping that
/// <c>poll_oneoff</c> does. The default reads the host's clocks; tests and deterministic embeddings
/// can supply their own through <see cref="WasiConfig.WithClock"/>.
/// </summary>
public interface IWasiClock
{
    /// <summary>Resolution of <see cref="ReadRealtime"/>, in nanoseconds (greater than zero).</summary>
    ulong RealtimeResolution { get; }

    /// <summary>Resolution of <see cref="ReadMonotonic"/>, in nanoseconds (greater than zero).</summary>
    ulong MonotonicResolution { get; }

    /// <summary>Nanoseconds since 1970-01-01T00:00:00Z.</summary>
    ulong ReadRealtime();

    /// <summary>Nanoseconds since an arbitrary fixed point; never decreases.</summary>
    ulong ReadMonotonic();

    /// <summary>Blocks the calling thread until <see cref="ReadMonotonic"/> reaches <paramref name="monotonicDeadline"/>.</summary>
    void SleepUntil(ulong monotonicDeadline);

    /// <summary>
    /// Like <see cref="SleepUntil(ulong)"/>, but returns early once <paramref name="cancellation"/> is
    /// cancelled (<c>poll_oneoff</c> sleeps so, to be interruptible). The default sleeps in steps of at
    /// most 10 ms of this clock's monotonic time and looks at the token between them.
    /// </summary>
    void SleepUntil(ulong monotonicDeadline, CancellationToken cancellation)
    {
        const ulong Step = 10_000_000;
        for (ulong now = ReadMonotonic(); now < monotonicDeadline && !cancellation.IsCancellationRequested; now = ReadMonotonic())
        {
            SleepUntil(monotonicDeadline - now > Step ? now + Step : monotonicDeadline);
        }
    }
}

/// <summary>The host's clocks: <see cref="DateTime.UtcNow"/> and <see cref="Stopwatch"/>.</summary>
internal sealed class SystemClock : IWasiClock
{
    private const ulong NanosecondsPerSecond = 1_000_000_000;
    private const ulong NanosecondsPerMillisecond = 1_000_000;

    public static SystemClock Instance { get; } = new();

    /// <summary>DateTime counts in 100 ns ticks.</summary>
    public ulong RealtimeResolution => 100;

    public ulong MonotonicResolution => Math.Max(1, NanosecondsPerSecond / (ulong)Stopwatch.Frequency);

    public ulong ReadRealtime() => (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    public ulong ReadMonotonic()
    {
        ulong ticks = (ulong)Stopwatch.GetTimestamp();
        ulong frequency = (ulong)Stopwatch.Frequency;
        // Split to avoid overflowing ticks * 1e9.
        return ticks / frequency * NanosecondsPerSecond + ticks % frequency * NanosecondsPerSecond / frequency;
    }

    public void SleepUntil(ulong monotonicDeadline) => SleepUntil(monotonicDeadline, CancellationToken.None);

    public void SleepUntil(ulong monotonicDeadline, CancellationToken cancellation)
    {
        // Waits have millisecond granularity: round up and loop, so the guest never wakes before its
        // deadline as measured by its own monotonic clock.
        for (ulong now = ReadMonotonic(); now < monotonicDeadline; now = ReadMonotonic())
        {
            int milliseconds = (int)Math.Min((monotonicDeadline - now + NanosecondsPerMillisecond - 1) / NanosecondsPerMillisecond, int.MaxValue);
            if (!cancellation.CanBeCanceled)
            {
                Thread.Sleep(milliseconds);
            }
            else if (cancellation.WaitHandle.WaitOne(milliseconds))
            {
                return;
            }
        }
    }
}
