namespace Engine.Fuzz;

/// <summary>
/// One kind of fuzzing: makes inputs from a seeded <see cref="Random"/> and runs them. An input is a byte
/// array (a module, a script, a text), so every case can be saved as a file and replayed from it alone.
/// </summary>
public abstract class FuzzTarget
{
    /// <summary>The name on the command line (decode, diff, wasi, text).</summary>
    public abstract string Name { get; }

    /// <summary>The file extension of a saved input (".wasm", ".wat", ".wasi").</summary>
    public abstract string Extension { get; }

    /// <summary>Makes the input of one case. Must depend on <paramref name="random"/> only (determinism by seed).</summary>
    public abstract byte[] Generate(Random random);

    /// <summary>Runs one input; returns the failure it showed, or null when the engine behaved.</summary>
    public abstract Finding? Run(byte[] input);

    /// <summary>Counters of what happened to the inputs (accepted, malformed, traps, ...), printed at the end.</summary>
    public Dictionary<string, long> Counters { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds one to a counter.</summary>
    protected void Count(string what)
    {
        Counters[what] = Counters.GetValueOrDefault(what) + 1;
    }
}

/// <summary>
/// What went wrong with an input. <paramref name="Signature"/> identifies the bug for deduplication (an
/// exception type and the engine frame it came from, a kind of difference between tiers); the description
/// says what happened to this input.
/// </summary>
public sealed record Finding(string Signature, string Description)
{
    /// <summary>A finding for an exception that should not have escaped: its type and the first engine frame.</summary>
    public static Finding Unexpected(string stage, Exception exception) =>
        new($"{stage}: {exception.GetType().Name} at {FirstEngineFrame(exception)}",
            $"{stage}: {exception.GetType().Name}: {OneLine(exception.Message)}");

    /// <summary>The first stack frame in the engine's own code ("Type.Method"), else the first frame.</summary>
    public static string FirstEngineFrame(Exception exception)
    {
        string? trace = exception.StackTrace;
        if (trace is null)
        {
            return "?";
        }
        string? first = null;
        foreach (string raw in trace.Split('\n'))
        {
            string line = raw.Trim();
            if (!line.StartsWith("at ", StringComparison.Ordinal))
            {
                continue;
            }
            string method = line[3..];
            int paren = method.IndexOf('(');
            if (paren > 0)
            {
                method = method[..paren];
            }
            first ??= method;
            if (method.StartsWith("Engine.", StringComparison.Ordinal) && !method.StartsWith("Engine.Fuzz.", StringComparison.Ordinal))
            {
                return method;
            }
        }
        return first ?? "?";
    }

    /// <summary>A message on one line, cut to a readable length.</summary>
    public static string OneLine(string text, int max = 300)
    {
        string line = text.ReplaceLineEndings(" ");
        return line.Length <= max ? line : line[..max] + "...";
    }
}
