namespace Engine.Cli;

/// <summary>Dispatches to the commands; the entry point tests call with their own writers.</summary>
internal static class CommandLine
{
    /// <summary>Exit code for wrong usage (unknown command or option, missing argument).</summary>
    public const int UsageError = 2;

    private static readonly ICommand[] s_commands = [new RunCommand(), new ValidateCommand(), new WastCommand(), new DisassembleCommand()];

    /// <summary>Runs the command line <paramref name="args"/>; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            PrintUsage(args.Length == 0 ? error : output);
            return args.Length == 0 ? UsageError : 0;
        }
        ICommand? command = s_commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            error.WriteLine($"error: unknown command '{args[0]}'");
            PrintUsage(error);
            return UsageError;
        }
        string[] rest = args[1..];
        // run's options end at FILE: what follows is the program's own arguments (`run x.wasm --help`)
        string[] options = command is RunCommand ? rest[..RunOptions.IndexOfFile(rest)] : rest;
        if (options.Contains("--help") || options.Contains("-h"))
        {
            output.WriteLine(command.Help);
            return 0;
        }
        try
        {
            return command.Execute(rest, output, error);
        }
        catch (UsageException e)
        {
            error.WriteLine($"error: {e.Message}");
            error.WriteLine($"usage: see 'wasm-engine {command.Name} --help'");
            return UsageError;
        }
    }

    private static void PrintUsage(TextWriter writer)
    {
        writer.WriteLine("usage: wasm-engine <command> [options] [arguments]");
        writer.WriteLine();
        writer.WriteLine("commands:");
        foreach (ICommand command in s_commands)
        {
            writer.WriteLine($"  {command.Name,-10} {command.Summary}");
        }
        writer.WriteLine();
        writer.WriteLine("'wasm-engine <command> --help' describes a command.");
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
