using Engine.Core;
using Engine.Wast.Scripts;

namespace Engine.Wast;

/// <summary>Passed, failed and skipped counts.</summary>
public struct WastCounts
{
    /// <summary>Commands that behaved as the script expects.</summary>
    public int Passed;
    /// <summary>Commands that did not.</summary>
    public int Failed;
    /// <summary>Commands the engine cannot check (for example text modules without a text parser).</summary>
    public int Skipped;

    /// <summary>All commands counted.</summary>
    public readonly int Total => Passed + Failed + Skipped;

    /// <summary>Adds another tally.</summary>
    public void Add(WastCounts other)
    {
        Passed += other.Passed;
        Failed += other.Failed;
        Skipped += other.Skipped;
    }

    /// <inheritdoc/>
    public override readonly string ToString() => $"{Passed} passed, {Failed} failed, {Skipped} skipped";
}

/// <summary>One command that failed.</summary>
/// <param name="File">The script file.</param>
/// <param name="Line">The command's line in the .wast source.</param>
/// <param name="Kind">The command kind.</param>
/// <param name="Message">What went wrong.</param>
public sealed record WastFailure(string File, int Line, ScriptCommandKind Kind, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{File}:{Line}: {Kind.ScriptName()}: {Message}";
}

/// <summary>The outcome of running one or more scripts: counts per command kind and the failures.</summary>
public sealed class WastResults
{
    private readonly WastCounts[] _byKind = new WastCounts[Enum.GetValues<ScriptCommandKind>().Length];

    /// <summary>The failures, in order.</summary>
    public List<WastFailure> Failures { get; } = new();

    /// <summary>Functions of the modules defined that run compiled code (machine-code tiers only).</summary>
    public int CompiledFunctions { get; internal set; }

    /// <summary>Of <see cref="CompiledFunctions"/>, those running the optimizing tier's code.</summary>
    public int OptimizedFunctions { get; internal set; }

    /// <summary>Functions the machine-code tier could not compile, which stayed in the interpreter.</summary>
    public int FallbackFunctions => FallbackReasons.Values.Sum();

    /// <summary>The functions that stayed in the interpreter, counted by why.</summary>
    public Dictionary<CompileFailureReason, int> FallbackReasons { get; } = new();

    /// <summary>The functions that stayed in the interpreter, counted by the failure's detail (what the tier lacks).</summary>
    public Dictionary<string, int> FallbackDetails { get; } = new();

    /// <summary>The counts of one command kind.</summary>
    public WastCounts this[ScriptCommandKind kind] => _byKind[(int)kind];

    /// <summary>The counts over all kinds.</summary>
    public WastCounts Total
    {
        get
        {
            var total = new WastCounts();
            foreach (WastCounts c in _byKind)
            {
                total.Add(c);
            }
            return total;
        }
    }

    internal void Record(ScriptCommandKind kind, WastOutcome outcome)
    {
        ref WastCounts counts = ref _byKind[(int)kind];
        switch (outcome)
        {
            case WastOutcome.Passed:
                counts.Passed++;
                break;
            case WastOutcome.Failed:
                counts.Failed++;
                break;
            default:
                counts.Skipped++;
                break;
        }
    }

    /// <summary>Adds another result's counts and failures to this one.</summary>
    public void Add(WastResults other)
    {
        for (int i = 0; i < _byKind.Length; i++)
        {
            _byKind[i].Add(other._byKind[i]);
        }
        Failures.AddRange(other.Failures);
        CompiledFunctions += other.CompiledFunctions;
        OptimizedFunctions += other.OptimizedFunctions;
        foreach (var (reason, count) in other.FallbackReasons)
        {
            FallbackReasons[reason] = FallbackReasons.GetValueOrDefault(reason) + count;
        }
        foreach (var (detail, count) in other.FallbackDetails)
        {
            FallbackDetails[detail] = FallbackDetails.GetValueOrDefault(detail) + count;
        }
    }
}

/// <summary>What happened to one command.</summary>
internal enum WastOutcome
{
    Passed,
    Failed,
    Skipped,
}
