namespace Engine.Cli;

/// <summary>Small helpers for reading command arguments.</summary>
internal static class Arguments
{
    /// <summary>The one file argument of a command that takes exactly one.</summary>
    public static string SingleFile(string[] args)
    {
        string? unknown = args.FirstOrDefault(a => a.StartsWith('-') && a != "-");
        if (unknown is not null)
        {
            throw new UsageException($"unknown option '{unknown}'", showHelpHint: true);
        }
        return args.Length switch
        {
            0 => throw new UsageException("missing FILE", showHelpHint: true),
            1 => args[0],
            _ => throw new UsageException($"expected one FILE, got {args.Length} arguments", showHelpHint: true),
        };
    }

    /// <summary>The value of the option at <paramref name="i"/> (advancing past it), or a usage error when it is missing.</summary>
    public static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length)
        {
            throw new UsageException($"{args[i]} needs a value", showHelpHint: true);
        }
        return args[++i];
    }

    /// <summary>Reads a file, turning a missing or unreadable file into a usage error.</summary>
    public static byte[] ReadFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new UsageException($"cannot read '{path}': it is a directory");
        }
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot read '{path}': {CommandLine.OneLine(e.Message)}");
        }
    }
}
