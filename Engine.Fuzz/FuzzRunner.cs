using System.Diagnostics;

namespace Engine.Fuzz;

/// <summary>
/// Runs a target over cases <c>start, start+1, ...</c> until a count or a deadline is reached. Case i draws its
/// input from a <see cref="Random"/> seeded by (seed, target, i) alone, so any case can be made again.
/// </summary>
public sealed class FuzzRunner(FuzzTarget target, FailureStore failures, ulong seed)
{
    /// <summary>Called before each case with its index (the supervisor's progress report).</summary>
    public Action<long>? BeforeCase { get; init; }

    /// <summary>Called with each failure (the worker's report to its supervisor).</summary>
    public Action<Finding>? OnFailure { get; init; }

    /// <summary>Where a line about each new failure goes.</summary>
    public TextWriter Log { get; init; } = Console.Out;

    /// <summary>Cases run so far.</summary>
    public long Cases { get; private set; }

    /// <summary>The seed of case <paramref name="index"/> of <paramref name="targetName"/>.</summary>
    public static int CaseSeed(ulong seed, string targetName, long index)
    {
        ulong x = seed * 0x9E3779B97F4A7C15UL + (ulong)index;
        foreach (char c in targetName)
        {
            x = (x ^ c) * 0x100000001B3UL;
        }
        // SplitMix64's finalizer.
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (int)(x ^ (x >> 32));
    }

    /// <summary>Makes the input of case <paramref name="index"/>.</summary>
    public byte[] Generate(long index) => target.Generate(new Random(CaseSeed(seed, target.Name, index)));

    /// <summary>Runs cases from <paramref name="start"/> while fewer than <paramref name="count"/> ran and the deadline has not passed.</summary>
    public void Run(long start, long count, DateTime deadlineUtc)
    {
        for (long i = start; Cases < count && DateTime.UtcNow < deadlineUtc; i++)
        {
            BeforeCase?.Invoke(i);
            byte[] input = Generate(i);
            Finding? finding;
            try
            {
                finding = target.Run(input);
            }
            catch (Exception e)
            {
                // A target's own checks threw: still a finding about this input, never the end of the run.
                finding = Finding.Unexpected("harness", e);
            }
            Cases++;
            if (finding is not null)
            {
                Record(finding, input, $"seed {seed} case {i}");
            }
        }
    }

    /// <summary>Records a failure of an input (also used by the supervisor for crashes and hangs of a worker).</summary>
    public void Record(Finding finding, byte[] input, string origin)
    {
        OnFailure?.Invoke(finding);
        string? saved = failures.Add(target, finding, input, origin);
        if (saved is not null)
        {
            Log.WriteLine($"FAIL {finding.Description} ({origin}) -> {saved}");
        }
        else if (failures.Signatures[finding.Signature] == 1)
        {
            Log.WriteLine($"FAIL {finding.Description} ({origin})");
        }
    }

    /// <summary>Times one call, for the summary.</summary>
    public static TimeSpan Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed;
    }
}
