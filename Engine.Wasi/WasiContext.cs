using System.Security.Cryptography;
using System.Text;
using Engine.Core;

namespace Engine.Wasi;

/// <summary>
/// The state of one WASI preview1 program (one per instance or store) and the implementation of
/// every <c>wasi_snapshot_preview1</c> function.
/// </summary>
/// <remarks>
/// <para>
/// Each function takes the guest's linear memory as a <see cref="Span{T}"/> (memory cannot grow
/// during a WASI call) and the call's integer arguments, and returns the WASI <see cref="Errno"/>.
/// Functions never throw: a guest pointer outside memory is <see cref="Errno.Fault"/>, and host
/// failures (.NET exceptions, libc errors) are translated to errnos. The one exception is
/// <see cref="ProcExit"/>, which throws <see cref="WasiExitException"/> for the host runtime to
/// carry out of wasm. <see cref="WasiFunctions.All"/> binds these methods to import names.
/// </para>
/// <para>
/// Descriptors: 0, 1 and 2 are stdio; preopened directories follow from 3, then the configured
/// sockets. Each descriptor carries preview1 rights: <c>path_open</c> grants the requested base
/// rights limited by the directory's inheriting rights and by what makes sense for the file type,
/// and <c>fd_fdstat_set_rights</c> can only drop rights. A missing read or write right reports
/// <see cref="Errno.BadDescriptor"/> (as POSIX does for a descriptor not open for it), any other
/// missing right <see cref="Errno.NotCapable"/>. Files keep their own offset and are accessed with
/// positional I/O, as in wasmtime.
/// </para>
/// <para>
/// Sandboxing: the guest reaches the host file system only through directory descriptors, and
/// every path is resolved by <see cref="PathResolver"/>, which walks it component by component
/// through open directory handles, expands symbolic links itself and refuses anything that would
/// leave the directory (<see cref="Errno.NotPermitted"/>, as wasmtime); the operation then acts on
/// the last directory's handle, so nothing renamed or swapped meanwhile can redirect it. A context
/// holds at most <see cref="WasiConfig.WithMaxOpenDescriptors"/> descriptors. Where this
/// implementation follows wasmtime rather than the letter of the witx documentation, the member
/// says so.
/// </para>
/// <para>Not thread-safe: a preview1 guest makes one call at a time (different contexts may run on
/// different threads at once).</para>
/// </remarks>
public sealed partial class WasiContext : IDisposable
{
    private readonly byte[][] _args;
    private readonly byte[][] _environment;
    private readonly IWasiClock _clock;
    private readonly Random? _random;
    private readonly FdTable _fds;

    /// <summary>Creates the context: encodes arguments and environment and opens the descriptor table.</summary>
    /// <exception cref="DirectoryNotFoundException">A preopened host directory does not exist or is not a directory.</exception>
    /// <exception cref="UnauthorizedAccessException">A preopened host directory cannot be opened.</exception>
    /// <exception cref="PlatformNotSupportedException">Directories are preopened on a host other than Linux.</exception>
    public WasiContext(WasiConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _args = config.Args.Select(Encoding.UTF8.GetBytes).ToArray();
        _environment = config.Environment.Select(pair => Encoding.UTF8.GetBytes($"{pair.Key}={pair.Value}")).ToArray();
        _clock = config.Clock;
        _random = config.Random;
        _fds = new FdTable(config.MaxOpenDescriptors ?? DefaultMaxOpenDescriptors());
        try
        {
            OpenStdio(config);
            OpenPreopens(config.Preopens);
            foreach (var socket in config.Sockets)
            {
                _fds.AddProvided(new SocketDescriptor(socket));
            }
        }
        catch
        {
            _fds.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Ends the calls that wait (<c>poll_oneoff</c>; <c>fd_read</c> of stdin, a pipe or a socket;
    /// <c>sock_recv</c>, <c>sock_accept</c>) when cancelled: they then throw <see cref="TrapException"/>
    /// with <see cref="TrapCode.Interrupted"/>, which leaves wasm as the trap of running code would. The
    /// linker binding (<see cref="WasiLinker"/>) sets it to the calling store's
    /// <see cref="Runtime.Store.InterruptionToken"/> before each such call; an embedder calling these
    /// methods itself may set its own. None (the default): they wait as long as it takes.
    /// </summary>
    public CancellationToken Interruption { get; set; }

    /// <summary>Closes every descriptor the guest still holds.</summary>
    public void Dispose() => _fds.Dispose();

    private void OpenStdio(WasiConfig config)
    {
        _fds.AddProvided(config.Stdin switch
        {
            { Inherit: true } => StreamDescriptor.ForInheritedInput(Console.OpenStandardInput(), !Console.IsInputRedirected),
            { Stream: { } stream } => StreamDescriptor.ForInput(stream, isTerminal: false, ownsStream: false),
            _ => StreamDescriptor.ForInput(Stream.Null, isTerminal: false, ownsStream: false),
        });
        _fds.AddProvided(OpenOutput(config.Stdout, Console.OpenStandardOutput, Console.IsOutputRedirected));
        _fds.AddProvided(OpenOutput(config.Stderr, Console.OpenStandardError, Console.IsErrorRedirected));
    }

    private static StreamDescriptor OpenOutput(StdioBinding binding, Func<Stream> openConsole, bool consoleRedirected) => binding switch
    {
        { Inherit: true } => StreamDescriptor.ForOutput(openConsole(), !consoleRedirected, ownsStream: true),
        { Stream: { } stream } => StreamDescriptor.ForOutput(stream, isTerminal: false, ownsStream: false),
        _ => StreamDescriptor.ForOutput(Stream.Null, isTerminal: false, ownsStream: false),
    };

    private void OpenPreopens(IReadOnlyList<PreopenedDirectory> preopens)
    {
        if (preopens.Count > 0 && !NativeMethods.IsSupported)
        {
            throw new PlatformNotSupportedException("WASI directories need a Linux host (see NativeMethods).");
        }
        foreach (PreopenedDirectory preopen in preopens)
        {
            _fds.AddProvided(OpenPreopen(preopen));
        }
    }

    /// <summary>
    /// Opens a preopened directory. Its host path is the embedder's choice, so trusted: a link there
    /// is followed. Failures become the exceptions .NET raises for the same condition.
    /// </summary>
    private static DirectoryDescriptor OpenPreopen(PreopenedDirectory preopen)
    {
        try
        {
            return DirectoryDescriptor.OpenPreopen(Path.GetFullPath(preopen.HostPath), preopen.GuestPath,
                Rights.Directory, Rights.Directory | Rights.RegularFile);
        }
        catch (ErrnoException e)
        {
            string what = $"Preopened directory '{preopen.HostPath}'";
            throw e.Errno switch
            {
                Errno.NoEntry => new DirectoryNotFoundException($"{what} does not exist."),
                Errno.NotDirectory => new DirectoryNotFoundException($"{what} is not a directory."),
                Errno.Access => new UnauthorizedAccessException($"{what} cannot be opened: permission denied."),
                _ => new IOException($"{what} cannot be opened (WASI errno {e.Errno}).", e),
            };
        }
    }

    /// <summary>
    /// The default of <see cref="WasiConfig.WithMaxOpenDescriptors"/>: 1024, or half the process's
    /// soft <c>RLIMIT_NOFILE</c> if that is less, leaving the host the other half.
    /// </summary>
    internal static int DefaultMaxOpenDescriptors()
    {
        const int Default = 1024, Minimum = 16;
        var limit = new ulong[2];
        if (!NativeMethods.IsSupported || NativeMethods.Getrlimit(NativeMethods.RLIMIT_NOFILE, limit) != 0)
        {
            return Default;
        }
        return (int)Math.Clamp(limit[0] / 2, Minimum, Default);
    }

    /// <summary>The errno for an exception caught at the boundary of a WASI function.</summary>
    private static Errno Failure(Exception exception) => ErrnoMapping.FromException(exception);

    /// <summary>True for every exception a WASI function turns into an errno: all but proc_exit's and
    /// the interruption trap (see <see cref="InterruptibleWait"/>).</summary>
    private static bool IsGuestVisible(Exception exception) => exception is not (WasiExitException or TrapException);

    private static void RequireKnownBits(ulong value, ulong known)
    {
        if ((value & ~known) != 0)
        {
            ErrnoException.Throw(Errno.Invalid);
        }
    }

    private void FillRandom(Span<byte> destination)
    {
        if (_random is null)
        {
            RandomNumberGenerator.Fill(destination);
        }
        else
        {
            _random.NextBytes(destination);
        }
    }
}
