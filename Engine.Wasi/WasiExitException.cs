namespace Engine.Wasi;

/// <summary>
/// Thrown by <c>proc_exit</c>: the guest asked to terminate with <see cref="ExitCode"/>. This is the
/// one exception a WASI function throws on purpose; the host runtime lets it propagate out of wasm
/// and the embedder turns it into the process's exit code.
/// </summary>
public sealed class WasiExitException : Exception
{
    /// <summary>Creates the exception for the given exit code.</summary>
    public WasiExitException(int exitCode)
        : base($"The WASI program exited with code {exitCode}.")
    {
        ExitCode = exitCode;
    }

    /// <summary>The exit code passed to <c>proc_exit</c>.</summary>
    public int ExitCode { get; }
}
