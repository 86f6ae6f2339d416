namespace Engine.Tools;

/// <summary>A command line's options (<c>--name value</c>, <c>--flag</c>) and positional arguments.</summary>
public sealed class CommandOptions
{
    private readonly Dictionary<string, List<string>> _values = new();
    private readonly HashSet<string> _flags = new();

    private CommandOptions()
    {
    }

    /// <summary>Arguments that are not options, in order.</summary>
    public List<string> Positional { get; } = new();

    /// <summary>
    /// Parses <paramref name="args"/>: <paramref name="flags"/> take no value, <paramref name="valued"/> take the next
    /// argument (or <c>--name=value</c>); anything else starting with <c>--</c> is an error.
    /// </summary>
    public static CommandOptions Parse(IReadOnlyList<string> args, IEnumerable<string> flags, IEnumerable<string> valued)
    {
        var flagSet = flags.ToHashSet();
        var valuedSet = valued.ToHashSet();
        var options = new CommandOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                options.Positional.Add(arg);
                continue;
            }
            string[] parts = arg.Split('=', 2);
            string name = parts[0];
            if (flagSet.Contains(name) && parts.Length == 1)
            {
                options._flags.Add(name);
            }
            else if (valuedSet.Contains(name))
            {
                string value = parts.Length == 2 ? parts[1]
                    : i + 1 < args.Count ? args[++i]
                    : throw new UsageException($"{name} needs a value");
                options.Add(name, value);
            }
            else
            {
                throw new UsageException($"unknown option {arg}");
            }
        }
        return options;
    }

    private void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out List<string>? list))
        {
            _values[name] = list = new List<string>();
        }
        list.Add(value);
    }

    /// <summary>True when the flag was given.</summary>
    public bool Has(string flag) => _flags.Contains(flag);

    /// <summary>The last value of an option, or <paramref name="fallback"/>.</summary>
    public string? Value(string name, string? fallback = null) => _values.TryGetValue(name, out List<string>? list) ? list[^1] : fallback;

    /// <summary>Every value of an option, comma-separated lists split.</summary>
    public IReadOnlyList<string> List(string name) => _values.TryGetValue(name, out List<string>? list)
        ? list.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray()
        : [];

    /// <summary>An integer option.</summary>
    public int Int(string name, int fallback) => Value(name) is { } text
        ? int.TryParse(text, out int value) ? value : throw new UsageException($"{name} wants an integer, not '{text}'")
        : fallback;
}
