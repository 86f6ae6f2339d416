using System.Globalization;
using Engine.Runtime;

namespace Engine.Benchmarks.Perf.Sweeps;

/// <summary>An engine setting a sweep can vary: its name on the command line and how a value applies to a configuration.</summary>
/// <param name="Name">The name (<c>--setting NAME</c>, <c>--set NAME=VALUE</c>).</param>
/// <param name="Description">What it is, for the usage text.</param>
/// <param name="Apply">The configuration with the setting at a value (parsed from its text).</param>
public sealed record SweepSetting(string Name, string Description, Func<EngineConfig, string, EngineConfig> Apply);

/// <summary>
/// The settings sweeps know, one row per setting (a new engine setting joins with a row; <c>tier</c> takes new tier
/// modes by their names with no change here).
/// </summary>
public static class SweepSettings
{
    /// <summary>Every setting.</summary>
    public static IReadOnlyList<SweepSetting> All { get; } =
    [
        new("tier", $"the tier mode ({TierModeNames.Accepted})",
            (c, v) => c with { Tier = ParseTier(v) }),
        new("epoch-interruption", "check the epoch at function entries and loop headers (true/false)",
            (c, v) => c with { EpochInterruption = Bool(v) }),
        new("fuel", "meter execution with fuel (true/false; runs get all the fuel there is)",
            (c, v) => c with { ConsumeFuel = Bool(v) }),
        new("max-stack-slots", "the interpreter stack of a store, in 8-byte slots",
            (c, v) => c with { MaxStackSlots = Int(v) }),
        new("max-call-depth", "the deepest call nesting before a stack-exhaustion trap",
            (c, v) => c with { MaxCallDepth = Int(v) }),
        new("call-threshold", "tiered mode: calls before a function is compiled (at least 1; with --set tier=tiered)",
            (c, v) => c with { TierUpCallThreshold = AtLeastOne(v) }),
        new("loop-threshold", "tiered mode: iterations of a loop before its function is compiled and entered there (at least 1)",
            (c, v) => c with { TierUpLoopThreshold = AtLeastOne(v) }),
        new("optimize-threshold", "tiered mode: calls and loop iterations in baseline code before the optimizing tier compiles the function (0: never)",
            (c, v) => c with { TierUpOptimizeThreshold = Int(v) is int value and >= 0 ? value : throw new UsageException($"'{v}' is not a threshold (0 or more)") }),
        new("background-compilation", "tiered mode: compile on the background thread (true) or on the program's (false)",
            (c, v) => c with { BackgroundCompilation = Bool(v) }),
        new("program-thread-compile-size", "tiered mode, background compilation: the largest function (wasm bytes) the thread that made it hot compiles itself (0: none)",
            (c, v) => c with { ProgramThreadCompileSize = Int(v) is int value and >= 0 ? value : throw new UsageException($"'{v}' is not a size (0 or more)") }),
        new("program-thread-compile-ms", "tiered mode, background compilation: milliseconds per module the program's threads may spend compiling (0: none)",
            (c, v) => c with { ProgramThreadCompileBudget = Milliseconds(v) }),
        new("compile-wait-ms", "tiered mode, background compilation: milliseconds a hot function waits for the background thread before the prompt thread takes it (0: no limit)",
            (c, v) => c with { CompileWaitLimit = Milliseconds(v) }),
    ];

    /// <summary>The setting called <paramref name="name"/>.</summary>
    public static SweepSetting Get(string name) => All.FirstOrDefault(s => s.Name == name)
        ?? throw new UsageException($"no setting '{name}' (known: {string.Join(", ", All.Select(s => s.Name))})");

    /// <summary>A tier mode by its name, case-insensitive; <c>interp</c> is the interpreter.</summary>
    public static TierMode ParseTier(string text) =>
        TierModeNames.TryParse(text, out TierMode mode) ? mode : throw new UsageException($"no tier mode '{text}' (known: {TierModeNames.Accepted})");

    /// <summary>An integer value.</summary>
    public static int Int(string text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
        ? value
        : throw new UsageException($"'{text}' is not an integer");

    private static int AtLeastOne(string text) => Int(text) is int value and >= 1
        ? value
        : throw new UsageException($"'{text}' is not a threshold (at least 1)");

    /// <summary>A non-negative number of milliseconds (fractions allowed).</summary>
    private static TimeSpan Milliseconds(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double ms) && ms >= 0 && ms <= 86_400_000
            ? TimeSpan.FromMilliseconds(ms)
            : throw new UsageException($"'{text}' is not a number of milliseconds (0 or more)");

    /// <summary>A boolean value (true/false, on/off, 1/0).</summary>
    public static bool Bool(string text) => text.ToLowerInvariant() switch
    {
        "true" or "on" or "1" or "yes" => true,
        "false" or "off" or "0" or "no" => false,
        _ => throw new UsageException($"'{text}' is not true or false"),
    };
}
