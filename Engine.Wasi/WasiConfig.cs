using System.Collections;
using System.Net.Sockets;

namespace Engine.Wasi;

/// <summary>
/// What a WASI program is given: its arguments and environment, the host directories it may use,
/// its stdio, and optionally clocks, randomness and sockets. Build one with the <c>With...</c>
/// methods (each returns this instance) and pass it to <see cref="WasiContext(WasiConfig)"/>.
/// </summary>
/// <example>
/// <code>
/// var config = new WasiConfig()
///     .WithArgs("app.wasm", "--verbose")
///     .WithEnvironmentVariable("HOME", "/data")
///     .WithPreopenedDirectory("./data", "/data")
///     .InheritStdio();
/// using var wasi = new WasiContext(config);
/// </code>
/// </example>
/// <remarks>
/// Without configuration a program has no arguments, an empty environment, no directories, an
/// empty stdin, and stdout/stderr that discard their output.
/// </remarks>
public sealed class WasiConfig
{
    private readonly List<string> _args = [];
    private readonly List<KeyValuePair<string, string>> _environment = [];
    private readonly List<PreopenedDirectory> _preopens = [];
    private readonly List<Socket> _sockets = [];

    internal IReadOnlyList<string> Args => _args;

    internal IReadOnlyList<KeyValuePair<string, string>> Environment => _environment;

    internal IReadOnlyList<PreopenedDirectory> Preopens => _preopens;

    internal IReadOnlyList<Socket> Sockets => _sockets;

    internal StdioBinding Stdin { get; private set; } = StdioBinding.Empty;

    internal StdioBinding Stdout { get; private set; } = StdioBinding.Empty;

    internal StdioBinding Stderr { get; private set; } = StdioBinding.Empty;

    internal IWasiClock Clock { get; private set; } = SystemClock.Instance;

    internal Random? Random { get; private set; }

    internal int? MaxOpenDescriptors { get; private set; }

    /// <summary>Replaces the argument list. The first argument is the program name (argv[0]).</summary>
    public WasiConfig WithArgs(params IEnumerable<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        _args.Clear();
        _args.AddRange(args);
        return this;
    }

    /// <summary>Appends one argument.</summary>
    public WasiConfig AddArg(string arg)
    {
        ArgumentNullException.ThrowIfNull(arg);
        _args.Add(arg);
        return this;
    }

    /// <summary>Sets an environment variable, replacing an earlier value of the same name.</summary>
    /// <exception cref="ArgumentException">The name is empty or contains '='.</exception>
    public WasiConfig WithEnvironmentVariable(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (name.Contains('='))
        {
            throw new ArgumentException("An environment variable name cannot contain '='.", nameof(name));
        }
        _environment.RemoveAll(pair => pair.Key == name);
        _environment.Add(new KeyValuePair<string, string>(name, value));
        return this;
    }

    /// <summary>Copies every environment variable of the host process.</summary>
    public WasiConfig InheritEnvironment()
    {
        foreach (DictionaryEntry variable in System.Environment.GetEnvironmentVariables())
        {
            WithEnvironmentVariable((string)variable.Key, (string?)variable.Value ?? "");
        }
        return this;
    }

    /// <summary>
    /// Lets the program use the host directory <paramref name="hostPath"/> under the name
    /// <paramref name="guestPath"/>. Nothing outside preopened directories is reachable.
    /// </summary>
    public WasiConfig WithPreopenedDirectory(string hostPath, string guestPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostPath);
        ArgumentException.ThrowIfNullOrEmpty(guestPath);
        _preopens.Add(new PreopenedDirectory(hostPath, guestPath));
        return this;
    }

    /// <summary>
    /// Preopens a directory given as on a command line: <c>HOST::GUEST</c>, or just <c>DIR</c> to use
    /// the same path on both sides (as wasmtime's <c>--dir</c>).
    /// </summary>
    public WasiConfig WithPreopenedDirectory(string spec)
    {
        ArgumentException.ThrowIfNullOrEmpty(spec);
        int separator = spec.IndexOf("::", StringComparison.Ordinal);
        return separator < 0
            ? WithPreopenedDirectory(spec, spec)
            : WithPreopenedDirectory(spec[..separator], spec[(separator + 2)..]);
    }

    /// <summary>Reads the program's stdin from <paramref name="stream"/> (which the caller keeps owning).</summary>
    public WasiConfig WithStdin(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Stdin = StdioBinding.From(stream);
        return this;
    }

    /// <summary>Writes the program's stdout to <paramref name="stream"/> (which the caller keeps owning).</summary>
    public WasiConfig WithStdout(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Stdout = StdioBinding.From(stream);
        return this;
    }

    /// <summary>Writes the program's stderr to <paramref name="stream"/> (which the caller keeps owning).</summary>
    public WasiConfig WithStderr(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Stderr = StdioBinding.From(stream);
        return this;
    }

    /// <summary>Connects the program's stdin to this process's stdin.</summary>
    public WasiConfig InheritStdin()
    {
        Stdin = StdioBinding.Inherited;
        return this;
    }

    /// <summary>Connects the program's stdout to this process's stdout.</summary>
    public WasiConfig InheritStdout()
    {
        Stdout = StdioBinding.Inherited;
        return this;
    }

    /// <summary>Connects the program's stderr to this process's stderr.</summary>
    public WasiConfig InheritStderr()
    {
        Stderr = StdioBinding.Inherited;
        return this;
    }

    /// <summary>Connects stdin, stdout and stderr to this process's.</summary>
    public WasiConfig InheritStdio() => InheritStdin().InheritStdout().InheritStderr();

    /// <summary>Uses <paramref name="clock"/> instead of the host's clocks.</summary>
    public WasiConfig WithClock(IWasiClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        Clock = clock;
        return this;
    }

    /// <summary>
    /// Draws <c>random_get</c> bytes from <paramref name="random"/> (e.g. a seeded
    /// <see cref="System.Random"/> for reproducible runs) instead of the cryptographic generator.
    /// </summary>
    public WasiConfig WithRandom(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Random = random;
        return this;
    }

    /// <summary>
    /// Caps the descriptors the program may hold open at once, stdio and preopened directories
    /// included; beyond it, opening another fails with <see cref="Errno.TooManyFiles"/>
    /// (<c>EMFILE</c>) and no host descriptor is used. The default is 1024, or half the process's
    /// <c>RLIMIT_NOFILE</c> if that is less. An embedder running many programs in one process
    /// should give each a share of its own descriptors.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is less than 1.</exception>
    public WasiConfig WithMaxOpenDescriptors(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        MaxOpenDescriptors = limit;
        return this;
    }

    /// <summary>
    /// Gives the program a socket (listening or connected). Sockets get the descriptors after the
    /// preopened directories, in the order added, and are disposed with the context. Without
    /// sockets the <c>sock_*</c> functions fail with <see cref="Errno.NotSocket"/> or
    /// <see cref="Errno.BadDescriptor"/>.
    /// </summary>
    public WasiConfig WithSocket(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        _sockets.Add(socket);
        return this;
    }
}

/// <summary>A host directory and the guest path it appears as.</summary>
internal readonly record struct PreopenedDirectory(string HostPath, string GuestPath);

/// <summary>Where a stdio stream goes: nowhere, the host process's own, or an embedder's stream.</summary>
internal sealed record StdioBinding(Stream? Stream, bool Inherit)
{
    public static StdioBinding Empty { get; } = new(null, false);

    public static StdioBinding Inherited { get; } = new(null, true);

    public static StdioBinding From(Stream stream) => new(stream, false);
}
