using System.Diagnostics.CodeAnalysis;

namespace Engine.Wasi;

// Arguments, environment, clocks, randomness and process control.
public sealed partial class WasiContext
{
    /// <summary><c>args_get</c>: writes argv pointers to <paramref name="argvPointer"/> and the
    /// NUL-terminated UTF-8 strings to <paramref name="argvBufferPointer"/>.</summary>
    public Errno ArgsGet(Span<byte> memory, uint argvPointer, uint argvBufferPointer) =>
        StringsGet(memory, _args, argvPointer, argvBufferPointer);

    /// <summary><c>args_sizes_get</c>: the argument count and the bytes <see cref="ArgsGet"/> needs.</summary>
    public Errno ArgsSizesGet(Span<byte> memory, uint countPointer, uint bufferSizePointer) =>
        StringsSizesGet(memory, _args, countPointer, bufferSizePointer);

    /// <summary><c>environ_get</c>: like <see cref="ArgsGet"/>, for "NAME=value" strings.</summary>
    public Errno EnvironGet(Span<byte> memory, uint environPointer, uint environBufferPointer) =>
        StringsGet(memory, _environment, environPointer, environBufferPointer);

    /// <summary><c>environ_sizes_get</c>: the variable count and the bytes <see cref="EnvironGet"/> needs.</summary>
    public Errno EnvironSizesGet(Span<byte> memory, uint countPointer, uint bufferSizePointer) =>
        StringsSizesGet(memory, _environment, countPointer, bufferSizePointer);

    // args_get and environ_get: the same ABI over two lists.
    private Errno StringsGet(Span<byte> memory, byte[][] strings, uint pointersPointer, uint bufferPointer)
    {
        try
        {
            WriteStrings(new GuestMemory(memory), strings, pointersPointer, bufferPointer);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    private Errno StringsSizesGet(Span<byte> memory, byte[][] strings, uint countPointer, uint bufferSizePointer)
    {
        try
        {
            WriteSizes(new GuestMemory(memory), strings, countPointer, bufferSizePointer);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>clock_res_get</c>: the resolution of a clock in nanoseconds. Only the realtime
    /// and monotonic clocks exist; others are <see cref="Errno.Invalid"/>.</summary>
    public Errno ClockResGet(Span<byte> memory, ClockId id, uint resolutionPointer)
    {
        try
        {
            ulong resolution = id switch
            {
                ClockId.Realtime => _clock.RealtimeResolution,
                ClockId.Monotonic => _clock.MonotonicResolution,
                _ => throw new ErrnoException(Errno.Invalid),
            };
            new GuestMemory(memory).WriteUInt64(resolutionPointer, resolution);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>clock_time_get</c>: the time of a clock in nanoseconds (the precision hint is ignored).</summary>
    public Errno ClockTimeGet(Span<byte> memory, ClockId id, ulong precision, uint timePointer)
    {
        try
        {
            new GuestMemory(memory).WriteUInt64(timePointer, ReadClock(id));
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>random_get</c>: fills the buffer with cryptographically secure random bytes
    /// (or from the configured <see cref="Random"/>).</summary>
    public Errno RandomGet(Span<byte> memory, uint bufferPointer, uint bufferLength)
    {
        try
        {
            FillRandom(new GuestMemory(memory).Slice(bufferPointer, bufferLength));
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>proc_exit</c>: ends the program by throwing <see cref="WasiExitException"/>.
    /// (wasmtime refuses codes of 126 and above; here any code is passed on.)</summary>
    [DoesNotReturn]
    public void ProcExit(uint exitCode) => throw new WasiExitException((int)exitCode);

    /// <summary><c>proc_raise</c>: not supported (<see cref="Errno.NotSupported"/>, as wasmtime).</summary>
    public Errno ProcRaise(byte signal) => Errno.NotSupported;

    /// <summary><c>sched_yield</c>: yields the host thread.</summary>
    public Errno SchedYield()
    {
        Thread.Yield();
        return Errno.Success;
    }

    private ulong ReadClock(ClockId id) => id switch
    {
        ClockId.Realtime => _clock.ReadRealtime(),
        ClockId.Monotonic => _clock.ReadMonotonic(),
        _ => throw new ErrnoException(Errno.Invalid),
    };

    /// <summary>Writes an argv-style array: one u32 pointer per string, strings NUL-terminated.</summary>
    private static void WriteStrings(GuestMemory memory, byte[][] strings, uint pointersPointer, uint bufferPointer)
    {
        for (int i = 0; i < strings.Length; i++)
        {
            memory.WriteUInt32(GuestMemory.Offset(pointersPointer, (ulong)i * 4), bufferPointer);
            memory.Write(bufferPointer, strings[i]);
            uint terminator = GuestMemory.Offset(bufferPointer, (ulong)strings[i].Length);
            memory.WriteByte(terminator, 0);
            bufferPointer = GuestMemory.Offset(terminator, 1);
        }
    }

    private static void WriteSizes(GuestMemory memory, byte[][] strings, uint countPointer, uint bufferSizePointer)
    {
        long bufferSize = strings.Sum(s => (long)s.Length + 1);
        if (bufferSize > uint.MaxValue)
        {
            ErrnoException.Throw(Errno.Overflow);
        }
        memory.WriteUInt32(countPointer, (uint)strings.Length);
        memory.WriteUInt32(bufferSizePointer, (uint)bufferSize);
    }
}
