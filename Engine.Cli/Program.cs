namespace Engine.Cli;

/// <summary>The <c>wasm-engine</c> command line: <c>run</c>, <c>compile</c>, <c>validate</c>, <c>wast</c>, <c>disasm</c>.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        ProcessClock.Main = System.Diagnostics.Stopwatch.GetTimestamp();
        // Nothing reaches the user as a .NET stack trace: an unwritable stderr (2>/dev/full) loses the message
        // but keeps the exit code; an unwritable stdout is an error of its own (ExitCodes.Failure).
        var error = new ConsoleWriter(Console.Error, ConsoleWriter.OnFailure.Ignore);
        var output = new ConsoleWriter(Console.Out, ConsoleWriter.OnFailure.Throw);
        Console.SetError(error);
        Console.SetOut(output);
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            // An exception on a thread of our own (none is expected): one line and the internal-error code.
            CommandLine.ReportInternalError(error, e.ExceptionObject as Exception);
            Environment.Exit(ExitCodes.InternalError);
        };
        return CommandLine.Run(args, output, error);
    }
}
