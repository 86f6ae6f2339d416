using System.Reflection;
using System.Runtime.InteropServices;

namespace Engine.Cli;

/// <summary>Dispatches to the commands; the entry point tests call with their own writers.</summary>
internal static class CommandLine
{
    /// <summary>Exit code for wrong usage (unknown command or option, missing argument).</summary>
    public const int UsageError = ExitCodes.Usage;

    private static readonly ICommand[] s_commands = [new RunCommand(), new CompileCommand(), new ValidateCommand(), new WastCommand(), new DisassembleCommand()];

    /// <summary>
    /// Runs the command line <paramref name="args"/>; returns the process exit code (<see cref="ExitCodes"/>).
    /// Never throws: every error is one line on <paramref name="error"/>.
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ICommand? command = null;
        try
        {
            if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
            {
                PrintUsage(args.Length == 0 ? error : output);
                return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Success;
            }
            if (args[0] is "--version" or "-V")
            {
                output.WriteLine(Version);
                return ExitCodes.Success;
            }
            command = s_commands.FirstOrDefault(c => c.Name == args[0]);
            if (command is null)
            {
                error.WriteLine($"error: unknown command '{args[0]}' (commands: {string.Join(", ", s_commands.Select(c => c.Name))}; see 'wasm-engine --help')");
                return ExitCodes.Usage;
            }
            string[] rest = args[1..];
            // run's options end at FILE: what follows is the program's own arguments (`run x.wasm --help`)
            string[] options = command is RunCommand ? rest[..RunOptions.IndexOfFile(rest)] : rest;
            if (options.Contains("--help") || options.Contains("-h"))
            {
                output.WriteLine(command.Help);
                return ExitCodes.Success;
            }
            return command.Execute(rest, output, error);
        }
        catch (UsageException e)
        {
            error.WriteLine(e.ShowHelpHint && command is not null
                ? $"error: {e.Message} (see 'wasm-engine {command.Name} --help')"
                : $"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (CommandException e)
        {
            error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (OutputException e)
        {
            error.WriteLine($"error: cannot write the output: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception e)
        {
            ReportInternalError(error, e);
            return ExitCodes.InternalError;
        }
    }

    /// <summary>One line for an exception nothing expected (a bug), without its stack trace.</summary>
    public static void ReportInternalError(TextWriter error, Exception? exception)
    {
        try
        {
            error.WriteLine($"error: internal error: {exception?.GetType().Name}: {OneLine(exception?.Message ?? "")}" +
                            " (a bug in wasm-engine: please report it with the command line)");
        }
        catch (Exception)
        {
            // Nowhere left to report it; the exit code says it.
        }
    }

    /// <summary><paramref name="text"/> on one line.</summary>
    public static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    /// <summary>What <c>--version</c> prints: the version with its commit, the .NET runtime, the OS and processor.</summary>
    public static string Version
    {
        get
        {
            string informational = typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
            int plus = informational.IndexOf('+');
            string version = plus < 0 ? informational : $"{informational[..plus]} (commit {informational[(plus + 1)..][..Math.Min(12, informational.Length - plus - 1)]})";
            return $"wasm-engine {version}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.RuntimeIdentifier}";
        }
    }

    private static void PrintUsage(TextWriter writer)
    {
        writer.WriteLine("usage: wasm-engine <command> [options] [arguments]");
        writer.WriteLine("       wasm-engine --version");
        writer.WriteLine();
        writer.WriteLine("commands:");
        foreach (ICommand command in s_commands)
        {
            writer.WriteLine($"  {command.Name,-10} {command.Summary}");
        }
        writer.WriteLine();
        writer.WriteLine("'wasm-engine <command> --help' describes a command.");
        writer.WriteLine();
        writer.WriteLine(ExitCodes.Help);
    }
}

/// <summary>One command of the command line.</summary>
internal interface ICommand
{
    /// <summary>The command's name, the first argument.</summary>
    string Name { get; }

    /// <summary>One line for the command list.</summary>
    string Summary { get; }

    /// <summary>The full help text.</summary>
    string Help { get; }

    /// <summary>Runs the command with the arguments after its name; returns the exit code.</summary>
    int Execute(string[] args, TextWriter output, TextWriter error);
}

/// <summary>An error a command reports in one line (<c>error: MESSAGE</c>) with its exit code.</summary>
internal sealed class CommandException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    /// <summary>The process exit code.</summary>
    public int ExitCode => exitCode;
}
