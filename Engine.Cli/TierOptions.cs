using Engine.Core;
using Engine.Runtime;

namespace Engine.Cli;

/// <summary>The command line's tier-up and WebAssembly feature options (shared by the commands that run code).</summary>
internal sealed class TierOptions
{
    /// <summary>The help text of the options.</summary>
    public const string Help =
        "  --tier-up-calls N       tiered: calls before a function is compiled (default 200)\n" +
        "  --tier-up-loops N       tiered: loop iterations before on-stack replacement (default 1000)\n" +
        "  --tier-up-optimize N    tiered: calls and loop iterations in baseline code before a function is\n" +
        "                          compiled by the optimizing tier (default 1000; 0: stay in the baseline\n" +
        "                          tier)\n" +
        "  --tier-up-threshold N   all three of the above\n" +
        "  --sync-compile          tiered: compile on the running thread instead of in the background\n" +
        "  --program-thread-compile-size BYTES\n" +
        "                          tiered: the largest function (wasm bytes) the thread that made it hot\n" +
        "                          compiles itself rather than waiting for the background thread (default 300;\n" +
        "                          0: always the background thread)\n" +
        "  --program-thread-compile-ms MS\n" +
        "                          tiered: the time per module the program's threads may spend on that\n" +
        "                          (default 5; 0: none)\n" +
        "  --compile-wait-ms MS    tiered: how long a hot function waits for the background thread before a\n" +
        "                          compiler thread at the program's priority takes it (default 20; 0: no limit)\n" +
        "  --function-tier NAME=TIER\n" +
        "                          force a function (name-section name or index) to a tier\n" +
        "  --bounds-checks KIND    how compiled code checks memory accesses: guard (guard pages, the\n" +
        "                          default: 4 GiB + 32 MiB of address space per memory) or explicit\n" +
        "  --wasm FEATURES         WebAssembly features, comma-separated: 2.0 (the 2.0 rules: what the 2.0 spec\n" +
        "                          suite expects), 3.0 (every implemented feature, the default), or NAME=y|n\n" +
        "                          for extended-const, memarg64, function-references, multi-memory, memory64,\n" +
        "                          relaxed-simd, tail-call, exceptions";

    /// <summary>The options of <see cref="TryParse"/> that take a value (the next argument).</summary>
    public static readonly string[] ValueOptions =
    [
        "--tier-up-calls", "--tier-up-loops", "--tier-up-optimize", "--tier-up-threshold", "--program-thread-compile-size",
        "--program-thread-compile-ms", "--compile-wait-ms", "--bounds-checks", "--wasm", "-W", "--function-tier",
    ];

    private int? _calls;
    private int? _loops;
    private int? _optimize;
    private bool _sync;
    private int? _programThreadSize;
    private TimeSpan? _programThreadBudget;
    private TimeSpan? _compileWaitLimit;
    private BoundsCheckStrategy? _boundsChecks;
    private readonly Dictionary<string, TierMode> _functionTiers = new(StringComparer.Ordinal);
    private WasmFeatures? _features;

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
            case "--tier-up-optimize":
                _optimize = Count(args, ref i, allowZero: true);
                return true;
            case "--tier-up-threshold":
                _calls = _loops = _optimize = Count(args, ref i);
                return true;
            case "--sync-compile":
                _sync = true;
                return true;
            case "--program-thread-compile-size":
                _programThreadSize = Count(args, ref i, allowZero: true);
                return true;
            case "--program-thread-compile-ms":
                _programThreadBudget = Milliseconds(args, ref i);
                return true;
            case "--compile-wait-ms":
                _compileWaitLimit = Milliseconds(args, ref i);
                return true;
            case "--bounds-checks":
                _boundsChecks = Value(args, ref i) switch
                {
                    "guard" => BoundsCheckStrategy.GuardPages,
                    "explicit" => BoundsCheckStrategy.Explicit,
                    string other => throw new UsageException($"unknown --bounds-checks '{other}' (guard or explicit)"),
                };
                return true;
            case "--wasm" or "-W":
                _features = ParseFeatures(Value(args, ref i), _features ?? WasmFeatures.Default);
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
        TierUpOptimizeThreshold = _optimize ?? config.TierUpOptimizeThreshold,
        BackgroundCompilation = !_sync && config.BackgroundCompilation,
        ProgramThreadCompileSize = _programThreadSize ?? config.ProgramThreadCompileSize,
        ProgramThreadCompileBudget = _programThreadBudget ?? config.ProgramThreadCompileBudget,
        CompileWaitLimit = _compileWaitLimit ?? config.CompileWaitLimit,
        FunctionTiers = _functionTiers.Count > 0 ? _functionTiers : config.FunctionTiers,
        BoundsChecks = _boundsChecks ?? config.BoundsChecks,
        Features = _features ?? config.Features,
        Compilers = OptimizingDebugCompilers() ?? config.Compilers,
    };

    /// <summary>
    /// For bisecting a miscompilation of the optimizing tier from the command line: <c>WASM_ENGINE_OPT_DISABLE</c>, a
    /// comma-separated list of passes to skip (<see cref="Engine.Optimizing.OptimizingPassNames"/>), and
    /// <c>WASM_ENGINE_OPT_VERIFY=1</c>, the IR verifier and allocation checker on every function (a function they reject
    /// falls back to the baseline, with the reason in <c>--stats</c>). Null when neither is set: the default compilers.
    /// </summary>
    private static IReadOnlyList<IFunctionCompiler>? OptimizingDebugCompilers()
    {
        string? disable = Environment.GetEnvironmentVariable("WASM_ENGINE_OPT_DISABLE");
        bool verify = Environment.GetEnvironmentVariable("WASM_ENGINE_OPT_VERIFY") == "1";
        if (string.IsNullOrEmpty(disable) && !verify)
        {
            return null;
        }
        Engine.Optimizing.OptimizingPasses skipped;
        try
        {
            skipped = Engine.Optimizing.OptimizingPassNames.Parse(disable ?? "");
        }
        catch (FormatException e)
        {
            throw new UsageException($"WASM_ENGINE_OPT_DISABLE: {e.Message}");
        }
        return [new Engine.Baseline.BaselineCompiler(),
            new Engine.Optimizing.OptimizingCompiler { Verify = verify, Passes = Engine.Optimizing.OptimizingPasses.All & ~skipped }];
    }

    /// <summary>The value of <c>--wasm</c>: <c>2.0</c>, <c>3.0</c> or <c>NAME=y|n</c>, comma-separated, applied in order to <paramref name="features"/>.</summary>
    public static WasmFeatures ParseFeatures(string value, WasmFeatures features)
    {
        foreach (string item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (item is "2.0" or "2")
            {
                features = WasmFeatures.Wasm2;
                continue;
            }
            if (item is "3.0" or "3" or "default")
            {
                features = WasmFeatures.Default;
                continue;
            }
            int eq = item.IndexOf('=');
            string name = eq < 0 ? item : item[..eq];
            string setting = eq < 0 ? "y" : item[(eq + 1)..];
            WasmFeatures feature = name switch
            {
                "extended-const" => WasmFeatures.ExtendedConst,
                "memarg64" => WasmFeatures.MemArg64,
                "function-references" => WasmFeatures.FunctionReferences,
                "multi-memory" => WasmFeatures.MultiMemory,
                "memory64" => WasmFeatures.Memory64,
                "relaxed-simd" => WasmFeatures.RelaxedSimd,
                "tail-call" => WasmFeatures.TailCall,
                "exceptions" => WasmFeatures.Exceptions,
                "legacy-exceptions" => WasmFeatures.LegacyExceptions,
                _ => throw new UsageException($"unknown WebAssembly feature '{name}' (2.0, 3.0, extended-const, memarg64, function-references, multi-memory, memory64, relaxed-simd, tail-call, exceptions, legacy-exceptions)"),
            };
            features = setting switch
            {
                "y" or "yes" or "true" => features | feature,
                "n" or "no" or "false" => features & ~feature,
                _ => throw new UsageException($"--wasm {name}= needs y or n, not '{setting}'"),
            };
        }
        return features;
    }

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length)
        {
            throw new UsageException($"{args[i]} needs a value");
        }
        return args[++i];
    }

    /// <summary>A non-negative number of milliseconds (fractions allowed), at most a day.</summary>
    private static TimeSpan Milliseconds(string[] args, ref int i)
    {
        string option = args[i];
        string value = Value(args, ref i);
        if (!double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double ms)
            || !(ms >= 0 && ms <= 86_400_000))
        {
            throw new UsageException($"{option} needs a number of milliseconds (0 or more), got '{value}'");
        }
        return TimeSpan.FromMilliseconds(ms);
    }

    private static int Count(string[] args, ref int i, bool allowZero = false)
    {
        string option = args[i];
        string value = Value(args, ref i);
        if (!int.TryParse(value, out int n) || n < (allowZero ? 0 : 1))
        {
            throw new UsageException($"{option} needs a {(allowZero ? "non-negative" : "positive")} number, got '{value}'");
        }
        return n;
    }
}
