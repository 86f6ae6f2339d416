using System.Runtime.InteropServices;
using Engine.Core;
using Microsoft.Win32.SafeHandles;

namespace Engine.Wasi;

/// <summary>
/// How the WASI calls that may block wait: on the thing they wait for and on the context's
/// <see cref="WasiContext.Interruption"/> at once, so that an epoch interruption (the command line's
/// <c>--timeout</c>) ends the wait at once and the guest traps with <see cref="TrapCode.Interrupted"/>,
/// as running code does.
/// </summary>
/// <remarks>
/// A descriptor (a pipe, a terminal, a FIFO, a socket) is waited on with <c>poll</c> together with an
/// <c>eventfd</c> that the cancellation writes to; a .NET stream without a descriptor is read on a
/// thread of its own while this thread waits for the read or the cancellation (an abandoned read
/// finishes in the background, and what it reads is lost: the guest has trapped by then). Without a
/// cancellable token nothing changes: the call blocks as it always did.
/// </remarks>
internal static class InterruptibleWait
{
    private const int LinuxEintr = 4;

    /// <summary>The trap a blocked call raises when interrupted.</summary>
    public static TrapException Interrupted(string function) =>
        new(TrapCode.Interrupted, $"wasm execution interrupted: the epoch deadline was reached while blocked in {function}");

    /// <summary>Returns once <paramref name="handle"/> is readable (or at its end, or failed); throws
    /// <see cref="Interrupted"/> if <paramref name="interruption"/> is cancelled first.</summary>
    public static void UntilReadable(SafeHandle handle, CancellationToken interruption, string function)
    {
        if (!interruption.CanBeCanceled || !NativeMethods.IsSupported)
        {
            return;
        }
        if (Readable(handle, wake: null, timeoutMilliseconds: 0))
        {
            return;
        }
        using var wake = new SafeFileHandle(NativeMethods.EventFd(0, NativeMethods.EFD_CLOEXEC), ownsHandle: true);
        if (wake.IsInvalid)
        {
            throw new ErrnoException(ErrnoMapping.FromLinux(NativeMethods.LastErrno));
        }
        // Declared after wake, so disposed before it: no callback can write to a closed descriptor.
        using CancellationTokenRegistration registration = interruption.Register(static state =>
            NativeMethods.Write((SafeFileHandle)state!, [1L], sizeof(long)), wake);
        while (!interruption.IsCancellationRequested && !Readable(handle, wake, timeoutMilliseconds: -1))
        {
        }
        if (interruption.IsCancellationRequested)
        {
            throw Interrupted(function);
        }
    }

    /// <summary>Reads from a stream that has no descriptor to poll, giving up when interrupted.</summary>
    public static int Read(Stream input, Span<byte> buffer, CancellationToken interruption, string function)
    {
        if (!interruption.CanBeCanceled || input is MemoryStream or UnmanagedMemoryStream)
        {
            return input.Read(buffer);
        }
        // Read into a buffer of our own (guest memory cannot be handed to a read that may outlive the
        // call), on a thread of its own: a read blocked on the thread pool could hold up the very
        // timer that is to interrupt it.
        var own = new byte[buffer.Length];
        Task<int> read = Task.Factory.StartNew(() => input.Read(own), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            read.Wait(interruption);
        }
        catch (OperationCanceledException)
        {
            throw Interrupted(function);
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            throw e.InnerException is OperationCanceledException ? Interrupted(function) : e.InnerException;
        }
        int count = read.Result;
        own.AsSpan(0, count).CopyTo(buffer);
        return count;
    }

    /// <summary>Sleeps until <paramref name="clock"/>'s monotonic time reaches <paramref name="deadline"/>,
    /// or throws <see cref="Interrupted"/> when interrupted first.</summary>
    public static void Sleep(IWasiClock clock, ulong deadline, CancellationToken interruption, string function)
    {
        clock.SleepUntil(deadline, interruption);
        if (interruption.IsCancellationRequested)
        {
            throw Interrupted(function);
        }
    }

    /// <summary>One poll(2) of <paramref name="handle"/> (and <paramref name="wake"/>): whether the handle is
    /// readable, has hung up or failed. False when woken, timed out or interrupted by a signal.</summary>
    private static bool Readable(SafeHandle handle, SafeHandle? wake, int timeoutMilliseconds)
    {
        bool handleAdded = false, wakeAdded = false;
        try
        {
            // SAFETY: the references taken here keep both descriptors open, so their numbers cannot be
            // closed and reused by something else while poll looks at them.
            handle.DangerousAddRef(ref handleAdded);
            wake?.DangerousAddRef(ref wakeAdded);
            NativeMethods.PollFd[] fds =
            [
                new() { Fd = (int)handle.DangerousGetHandle(), Events = NativeMethods.POLLIN },
                new() { Fd = wake is null ? -1 : (int)wake.DangerousGetHandle(), Events = NativeMethods.POLLIN },
            ];
            int result = NativeMethods.Poll(fds, (nuint)fds.Length, timeoutMilliseconds);
            if (result < 0)
            {
                int errno = NativeMethods.LastErrno;
                return errno != LinuxEintr ? throw new ErrnoException(ErrnoMapping.FromLinux(errno)) : false;
            }
            return fds[0].Revents != 0;
        }
        finally
        {
            if (wakeAdded)
            {
                wake!.DangerousRelease();
            }
            if (handleAdded)
            {
                handle.DangerousRelease();
            }
        }
    }
}
