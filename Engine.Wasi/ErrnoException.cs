using System.Diagnostics.CodeAnalysis;

namespace Engine.Wasi;

/// <summary>
/// Internal control flow: a WASI function failed with <see cref="Errno"/>. Thrown deep inside
/// helpers (guest memory checks, descriptor lookups, native calls) and caught at the boundary of
/// every public <see cref="WasiContext"/> function, which returns the errno to the guest. It never
/// escapes this assembly.
/// </summary>
internal sealed class ErrnoException : Exception
{
    public ErrnoException(Errno errno)
        : base($"WASI errno {errno}")
    {
        Errno = errno;
    }

    public Errno Errno { get; }

    [DoesNotReturn]
    public static void Throw(Errno errno) => throw new ErrnoException(errno);
}
