namespace Engine.Cli;

/// <summary>Small helpers for reading command arguments.</summary>
internal static class Arguments
{
    /// <summary>The one file argument of a command that takes exactly one.</summary>
    public static string SingleFile(string[] args)
    {
        string? unknown = args.FirstOrDefault(a => a.StartsWith('-'));
        if (unknown is not null)
        {
            throw new UsageException($"unknown option '{unknown}'");
        }
        return args.Length switch
        {
            0 => throw new UsageException("missing FILE"),
            1 => args[0],
            _ => throw new UsageException($"expected one FILE, got {args.Length} arguments"),
        };
    }

    /// <summary>
    /// Reads a module file: a binary as it is, a text module (anything not starting with the binary magic)
    /// parsed to its binary. Throws <see cref="Engine.Text.TextFormatException"/> for bad text.
    /// </summary>
    public static byte[] ReadModule(string path) => Engine.Text.WatParser.ParseModuleFile(ReadFile(path), Path.GetFileName(path));

    /// <summary>Reads a file, turning a missing or unreadable file into a usage error.</summary>
    public static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot read '{path}': {e.Message}");
        }
    }
}
