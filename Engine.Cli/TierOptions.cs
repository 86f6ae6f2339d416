using Engine.Core;
using Engine.Runtime;

namespace Engine.Cli;

/// <summary>The command line's tier-up options (shared by the commands that run code).</summary>
internal sealed class TierOptions
{
    /// <summary>The help text of the options.</summary>
    public const string Help =
        "  --tier-up-calls N       tiered: calls before a function is compiled (default 200)\n" +
        "  --tier-up-loops N       tiered: loop iterations before on-stack replacement (default 1000)\n" +
        "  --tier-up-threshold N   both of the above\n" +
        "  --sync-compile          tiered: compile on the running thread instead of in the background\n" +
        "  --function-tier NAME=TIER\n" +
        "                          force a function (name-section name or index) to a tier\n" +
        "  --bounds-checks KIND    how compiled code checks memory accesses: guard (guard pages, the\n" +
        "                          default: 4 GiB + 32 MiB of address space per memory) or explicit";

    private int? _calls;
    private int? _loops;
    private bool _sync;
    private BoundsCheckStrategy? _boundsChecks;
    private readonly Dictionary<string, TierMode> _functionTiers = new(StringComparer.Ordinal);

    /// <summary>interpreter (or interp), baseline, optimizing or tiered: the value of <c>--tier</c> and of <c>--function-tier NAME=TIER</c>.</summary>
    public static TierMode Parse(string value) =>
        TierModeNames.TryParse(value, out TierMode mode) ? mode : throw new UsageException($"unknown tier '{value}' ({TierModeNames.Accepted})");

    /// <summary>Reads the option at <paramref name="i"/> if it is one of these (advancing past its value); false otherwise.</summary>
    public bool TryParse(string[] args, ref int i)
    {
        switch (args[i])
        {
            case "--tier-up-calls":
                _calls = Count(args, ref i);
                return true;
            case "--tier-up-loops":
                _loops = Count(args, ref i);
                return true;
            case "--tier-up-threshold":
                _calls = _loops = Count(args, ref i);
                return true;
            case "--sync-compile":
                _sync = true;
                return true;
            case "--bounds-checks":
                _boundsChecks = Value(args, ref i) switch
                {
                    "guard" => BoundsCheckStrategy.GuardPages,
                    "explicit" => BoundsCheckStrategy.Explicit,
                    string other => throw new UsageException($"unknown --bounds-checks '{other}' (guard or explicit)"),
                };
                return true;
            case "--function-tier":
                string value = Value(args, ref i);
                int eq = value.IndexOf('=');
                if (eq <= 0)
                {
                    throw new UsageException("--function-tier needs NAME=TIER");
                }
                _functionTiers[value[..eq]] = Parse(value[(eq + 1)..]);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The configuration with these options applied.</summary>
    public EngineConfig Apply(EngineConfig config) => config with
    {
        TierUpCallThreshold = _calls ?? config.TierUpCallThreshold,
        TierUpLoopThreshold = _loops ?? config.TierUpLoopThreshold,
        BackgroundCompilation = !_sync && config.BackgroundCompilation,
        FunctionTiers = _functionTiers.Count > 0 ? _functionTiers : config.FunctionTiers,
        BoundsChecks = _boundsChecks ?? config.BoundsChecks,
    };

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length)
        {
            throw new UsageException($"{args[i]} needs a value");
        }
        return args[++i];
    }

    private static int Count(string[] args, ref int i)
    {
        string option = args[i];
        string value = Value(args, ref i);
        if (!int.TryParse(value, out int n) || n < 1)
        {
            throw new UsageException($"{option} needs a positive number, got '{value}'");
        }
        return n;
    }
}
