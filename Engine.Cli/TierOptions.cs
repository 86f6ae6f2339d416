using Engine.Runtime;

namespace Engine.Cli;

/// <summary>Reads the command line's tier options.</summary>
internal static class TierOptions
{
    /// <summary>interpreter, baseline or tiered.</summary>
    public static TierMode Parse(string value) => value switch
    {
        "interpreter" => TierMode.Interpreter,
        "baseline" => TierMode.Baseline,
        "tiered" => TierMode.Tiered,
        _ => throw new UsageException($"unknown tier '{value}' (interpreter, baseline or tiered)"),
    };
}
