namespace Engine.Cli;

/// <summary>The exit codes of <c>wasm-engine</c> (the same in every command; <see cref="Help"/> lists them).</summary>
internal static class ExitCodes
{
    /// <summary>Success; also <c>run</c>'s code when <c>_start</c> returns or the program calls <c>proc_exit(0)</c>.</summary>
    public const int Success = 0;

    /// <summary>
    /// An error the command reports: the file is not a (valid) module, an import is missing, the export to call
    /// does not exist, a program exits with a code the process cannot carry, the output cannot be written; for
    /// <c>wast</c>, a failed command.
    /// </summary>
    public const int Failure = 1;

    /// <summary>Wrong usage: unknown command or option, a bad or missing option value, a missing or unreadable file or directory.</summary>
    public const int Usage = 2;

    /// <summary>An exception the engine did not expect (a bug): reported in one line, never as a stack trace (EX_SOFTWARE).</summary>
    public const int InternalError = 70;

    /// <summary>A wasm trap ended the run: 128 + SIGABRT, as wasmtime on Unix.</summary>
    public const int Trap = 134;

    /// <summary>
    /// The largest exit code a WASI program may give to <c>proc_exit</c>, as in wasmtime: a Unix exit status is one
    /// byte, and 126 and above mean "cannot execute", "not found" and "killed by signal N" to shells, so a guest
    /// could otherwise pass for a trap (134) or wrap to success (256).
    /// </summary>
    public const uint MaxProgramExitCode = 125;

    /// <summary>The exit-code section of the help texts.</summary>
    public const string Help = """
        exit codes:
          0      success (run: _start returned, or the program called proc_exit(0))
          N      run: the program called proc_exit(N), for N from 1 to 125
          1      an error: FILE is not a (valid) module, an import is missing, the export to call does not
                 exist, proc_exit with a code of 126 or more, the output cannot be written; wast: a command failed
          2      wrong usage: unknown option, bad option value, missing or unreadable file or directory
          70     an internal error of the engine (a bug: please report it with the command line)
          134    run: a wasm trap (128 + SIGABRT, as wasmtime); its message and wasm backtrace go to stderr
        """;
}
