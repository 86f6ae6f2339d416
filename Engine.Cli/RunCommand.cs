using System.Diagnostics;
using System.Globalization;
using Engine.Core;
using Engine.Runtime;
using Engine.Wasi;

namespace Engine.Cli;

/// <summary><c>run [options] FILE [ARGS...]</c>: runs a WASI command module, or calls one export with <c>--invoke</c>.</summary>
internal sealed class RunCommand : ICommand
{
    /// <summary>The exit code of a run that trapped (128 + SIGABRT, as wasmtime).</summary>
    public const int TrapExitCode = 134;

    public string Name => "run";

    public string Summary => "run a WASI program, or call an export with --invoke";

    public string Help => $"""
        usage: wasm-engine run [options] [--] FILE [ARGS...]

        Runs FILE's _start export as a WASI command with ARGS as its arguments (argv[0] is FILE's name),
        or with --invoke calls the export NAME with ARGS parsed as its parameters and prints its results.
        A module that exports _initialize (a WASI reactor) has it called first. FILE is a binary module,
        a text module (.wat) or a precompiled module (.cwasm, from 'wasm-engine compile'). Everything after FILE belongs to the program, even when it looks like an
        option; with --invoke, a "--" right after FILE is skipped (so negative numbers read naturally).
        The exit code is the program's proc_exit code (0 when _start returns); a trap prints its message
        and wasm backtrace (the innermost and outermost frames of a deep one) to stderr and exits 134.

        options (before FILE):
          --invoke NAME          call export NAME instead of _start
          --dir HOST[::GUEST]    preopen directory HOST as GUEST (default: the same path); HOST must be
                                 a readable directory
          --env NAME=VALUE       set an environment variable of the program (repeatable)
          --env NAME             pass the host's NAME on to the program (when it is set)
          --inherit-env          pass the whole host environment on (-S inherit-env also works, as in
                                 wasmtime); --env options still set or override single variables
          --argv0 NAME           the program's argv[0] (default: FILE's name)
          --tier TIER            tiered (the default: functions start in the interpreter, hot functions
                                 and loops are compiled by the baseline tier, then the hottest by the
                                 optimizing tier), interp (the interpreter only), baseline or optimizing
                                 (every function compiled by that tier before it runs)
          --tier-up-calls N      tiered: calls before a function is compiled (default 200)
          --tier-up-loops N      tiered: loop iterations before on-stack replacement (default 1000)
          --tier-up-optimize N   tiered: calls and loop iterations in baseline code before a function is
                                 compiled by the optimizing tier (default 1000; 0: stay in the baseline
                                 tier)
          --tier-up-threshold N  all three of the above
          --sync-compile         tiered: compile on the running thread instead of in the background
          --program-thread-compile-size BYTES
                                 tiered: the largest function (wasm bytes) the thread that made it hot
                                 compiles itself rather than waiting for the background thread (default
                                 300; 0: always the background thread)
          --program-thread-compile-ms MS
                                 tiered: the time per module the program's threads may spend on that
                                 (default 5; 0: none)
          --compile-wait-ms MS   tiered: how long a hot function waits for the background thread before a
                                 compiler thread at the program's priority takes it (default 20; 0: no
                                 limit)
          --function-tier NAME=TIER
                                 force a function of FILE (name-section name or index) to a tier
          --bounds-checks KIND   how compiled code checks memory accesses: guard (guard pages, the
                                 default: 4 GiB + 32 MiB of address space per memory) or explicit
          --wasm FEATURES        (or -W) WebAssembly features, comma-separated: 2.0, 3.0 (every implemented
                                 feature, the default) or NAME=y|n for one feature (an unknown NAME
                                 lists them)
          --fuel N               run with N units of fuel (0 to 18446744073709551615); running out traps
          --timeout DURATION     interrupt after DURATION: a number with ms, s, m or h (e.g. 500ms, 10s,
                                 1.5m; seconds without a unit), at most 49 days
          --cache                keep compiled code between runs: the functions that got hot are written to
                                 a cache entry of FILE at exit, and the next run starts them compiled
                                 ($XDG_CACHE_HOME/wasm-engine, else ~/.cache/wasm-engine)
          --cache-dir DIR        the same, in DIR
          --stats                print start-up, load, translation, compilation, cache and GC statistics
                                 to stderr
          --profile perfmap      write /tmp/perf-PID.map, naming the compiled wasm functions for Linux
                                 perf (see README: Profiling)

        {ExitCodes.Help}
        """;

    public int Execute(string[] args, TextWriter output, TextWriter error)
    {
        var options = RunOptions.Parse(args);
        options.CheckDirectories();
        ModuleFile file = ModuleFile.Read(options.File, precompiled: true);
        if (options.Profile == "perfmap")
        {
            // Before the module is loaded: baseline compiles every function then.
            StartPerfMap(error);
        }
        EngineConfig config = options.Tiering.Apply(new EngineConfig
        {
            Tier = options.Tier,
            ConsumeFuel = options.Fuel.HasValue,
            EpochInterruption = options.Timeout.HasValue,
            CacheDirectory = options.CacheDirectory,
        });
        var engine = new WasmEngine(config);
        long loadStart = Stopwatch.GetTimestamp();
        Module module;
        try
        {
            module = Module.FromBytes(engine, file.Binary, Path.GetFileNameWithoutExtension(options.File));
        }
        catch (WasmException e)
        {
            throw file.Error(e);
        }
        TimeSpan load = Stopwatch.GetElapsedTime(loadStart);
        CheckFunctionTiers(file, Engine.Runtime.Infrastructure.RuntimeInfrastructure.Info(module), config);

        using WasiContext wasi = CreateWasiContext(options);
        using var store = new Store(engine);
        if (options.Fuel is ulong fuel)
        {
            // The store counts fuel in a signed 64-bit word: 2^63 - 1 units are as good as unlimited.
            store.SetFuel((long)Math.Min(fuel, long.MaxValue));
        }
        using Timer? timer = options.Timeout is TimeSpan timeout ? StartTimeout(engine, store, timeout) : null;
        var linker = new Linker(engine).DefineWasi(wasi);
        var times = new RunTimes(loadStart, load);
        int exitCode;
        try
        {
            long instantiateStart = Stopwatch.GetTimestamp();
            Instance instance = linker.Instantiate(store, module);
            times.Instantiate = Stopwatch.GetElapsedTime(instantiateStart);
            Initialize(instance);
            times.Start = Stopwatch.GetTimestamp();
            exitCode = options.Invoke is null ? RunStart(instance) : Invoke(instance, options, output);
        }
        catch (WasiExitException e)
        {
            exitCode = ProgramExitCode(e, error);
        }
        catch (TrapException e)
        {
            FlushBeforeTheTrap(output);
            error.WriteLine($"error: wasm trap: {CommandLine.OneLine(e.Message)}");
            PrintBacktrace(error, e);
            exitCode = ExitCodes.Trap;
        }
        catch (WasmException e)
        {
            error.WriteLine($"error: {CommandLine.OneLine(e.Message)}");
            exitCode = ExitCodes.Failure;
        }
        times.End = Stopwatch.GetTimestamp();
        if (options.CacheDirectory is not null)
        {
            module.WriteCache();
        }
        if (options.Stats)
        {
            PrintStatistics(error, module, store, times, engine);
        }
        return exitCode;
    }

    /// <summary>What the run printed goes out before the trap's report; a stdout that cannot take it does not hide the trap.</summary>
    private static void FlushBeforeTheTrap(TextWriter output)
    {
        try
        {
            output.Flush();
        }
        catch (OutputException)
        {
        }
    }

    /// <summary>
    /// The process exit code for <c>proc_exit(code)</c>: the code itself from 0 to 125. Like wasmtime, larger codes
    /// fail the run with an error instead: 256 would wrap to 0 (success), and 126-255 are the shell's codes for
    /// "cannot execute", "not found" and signals (a guest exiting 134 would pass for a trap).
    /// </summary>
    private static int ProgramExitCode(WasiExitException exit, TextWriter error)
    {
        uint code = (uint)exit.ExitCode;
        if (code <= ExitCodes.MaxProgramExitCode)
        {
            return (int)code;
        }
        error.WriteLine($"error: the program called proc_exit({code}), outside the exit statuses a program may give (0 to {ExitCodes.MaxProgramExitCode}, as in wasmtime)");
        return ExitCodes.Failure;
    }

    /// <summary>Every name or index of <c>--function-tier</c> must be a function FILE defines: a typo would otherwise do nothing.</summary>
    private static void CheckFunctionTiers(ModuleFile file, ModuleInfo info, EngineConfig config)
    {
        if (config.FunctionTiers.Count == 0)
        {
            return;
        }
        int first = info.ImportedFunctionCount, end = info.FunctionTypeIndices.Count;
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = first; i < end; i++)
        {
            names.Add(i.ToString(CultureInfo.InvariantCulture));
            if (info.FunctionName((uint)i) is { } name)
            {
                names.Add(name);
            }
        }
        foreach (string key in config.FunctionTiers.Keys.Where(key => !names.Contains(key)))
        {
            bool imported = int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < first;
            throw new UsageException(imported
                ? $"--function-tier {key}: func[{key}] is imported, not compiled by this engine"
                : $"--function-tier {key}: {file.Path} has no function of that name or index");
        }
    }

    /// <summary>The program's WASI context: arguments, environment, preopened directories, inherited stdio.</summary>
    private static WasiContext CreateWasiContext(RunOptions options)
    {
        var wasiConfig = new WasiConfig()
            .WithArgs([options.Argv0 ?? Path.GetFileName(options.File), .. options.ProgramArguments])
            .InheritStdio();
        if (options.InheritEnvironment)
        {
            wasiConfig.InheritEnvironment();
        }
        foreach (var (name, value) in options.Environment)
        {
            if ((value ?? System.Environment.GetEnvironmentVariable(name)) is { } set)
            {
                wasiConfig.WithEnvironmentVariable(name, set);
            }
        }
        foreach (Preopen preopen in options.Directories)
        {
            wasiConfig.WithPreopenedDirectory(preopen.Host, preopen.Guest);
        }
        try
        {
            return new WasiContext(wasiConfig);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            // What CheckDirectories could not foresee (the directory changed since, or the OS refused it).
            throw new UsageException($"--dir: cannot open a directory for the program: {CommandLine.OneLine(e.Message)}");
        }
    }

    /// <summary><c>--profile perfmap</c>: compiled wasm functions named in perf's map of this process.</summary>
    private static void StartPerfMap(TextWriter error)
    {
        if (Engine.Runtime.Diagnostics.PerfMap.DotnetWritesTheMap)
        {
            throw new UsageException("--profile perfmap: DOTNET_PerfMapEnabled=1 or 3 makes .NET write the same map and overwrite its lines; " +
                                     "use DOTNET_PerfMapEnabled=2 (a jitdump for .NET's own methods) with it");
        }
        try
        {
            Engine.Runtime.Diagnostics.PerfMap.Enable();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--profile perfmap: cannot write {Engine.Runtime.Diagnostics.PerfMap.Path}: {CommandLine.OneLine(e.Message)}");
        }
        error.WriteLine($"profile: compiled functions are named in {Engine.Runtime.Diagnostics.PerfMap.Path} (for perf report)");
    }

    private static Timer StartTimeout(WasmEngine engine, Store store, TimeSpan timeout)
    {
        store.SetEpochDeadline(1);
        return new Timer(_ => engine.IncrementEpoch(), null, timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// A WASI reactor exports <c>_initialize</c> (static constructors, libc set-up), which must run before any
    /// other export; like wasmtime, it is called whenever it is exported, before <c>_start</c> or the
    /// <c>--invoke</c> function.
    /// </summary>
    private static void Initialize(Instance instance)
    {
        if (instance.GetFunction("_initialize") is { } initialize
            && initialize.FunctionType.Params.Length == 0 && initialize.FunctionType.Results.Length == 0)
        {
            initialize.Invoke();
        }
    }

    private static int RunStart(Instance instance)
    {
        Function start = instance.GetFunction("_start")
            ?? throw new CommandException("the module exports no _start function (use --invoke NAME to call another export)");
        start.Invoke();
        return ExitCodes.Success;
    }

    private static int Invoke(Instance instance, RunOptions options, TextWriter output)
    {
        Function function = instance.GetFunction(options.Invoke!)
            ?? throw new UsageException($"--invoke {options.Invoke}: the module exports no function of that name");
        FuncType type = function.FunctionType;
        if (options.ProgramArguments.Count != type.Params.Length)
        {
            throw new UsageException($"--invoke {options.Invoke}: the function takes {type.Params.Length} arguments {type}, got {options.ProgramArguments.Count}");
        }
        var arguments = new Value[type.Params.Length];
        for (int i = 0; i < arguments.Length; i++)
        {
            if (!TryParseValue(options.ProgramArguments[i], type.Params[i], out arguments[i]))
            {
                throw new UsageException($"--invoke {options.Invoke}: argument {i + 1} '{options.ProgramArguments[i]}' is not a valid {type.Params[i].ToWatName()}");
            }
        }
        foreach (Value result in function.Invoke(arguments))
        {
            output.WriteLine(FormatValue(result));
        }
        return ExitCodes.Success;
    }

    internal static bool TryParseValue(string text, ValType type, out Value value)
    {
        value = default;
        var invariant = CultureInfo.InvariantCulture;
        switch (type)
        {
            case ValType.I32 when int.TryParse(text, NumberStyles.Integer, invariant, out int i32):
                value = Value.I32(i32);
                return true;
            case ValType.I32 when uint.TryParse(text, NumberStyles.Integer, invariant, out uint u32):
                value = Value.I32((int)u32);
                return true;
            case ValType.I64 when long.TryParse(text, NumberStyles.Integer, invariant, out long i64):
                value = Value.I64(i64);
                return true;
            case ValType.I64 when ulong.TryParse(text, NumberStyles.Integer, invariant, out ulong u64):
                value = Value.I64((long)u64);
                return true;
            case ValType.F32 when float.TryParse(text, NumberStyles.Float, invariant, out float f32):
                value = Value.F32(f32);
                return true;
            case ValType.F64 when double.TryParse(text, NumberStyles.Float, invariant, out double f64):
                value = Value.F64(f64);
                return true;
            case ValType.ExternRef or ValType.FuncRef when text == "null":
                value = Value.Null(type);
                return true;
            default:
                return false;
        }
    }

    internal static string FormatValue(Value value) => value.Type switch
    {
        ValType.I32 => value.AsI32().ToString(CultureInfo.InvariantCulture),
        ValType.I64 => value.AsI64().ToString(CultureInfo.InvariantCulture),
        ValType.F32 => value.AsF32().ToString("R", CultureInfo.InvariantCulture),
        ValType.F64 => value.AsF64().ToString("R", CultureInfo.InvariantCulture),
        ValType.V128 => $"0x{value.HighBits:x16}{value.Bits:x16}",
        _ => value.IsNull ? "null" : value.ToString(),
    };

    /// <summary>The wasm frames of a trap: all of a short backtrace, the innermost and outermost of a deep one.</summary>
    private static void PrintBacktrace(TextWriter error, Exception exception)
    {
        WasmBacktrace frames = WasmBacktrace.Get(exception);
        if (frames.Count == 0)
        {
            return;
        }
        error.WriteLine("wasm backtrace:");
        foreach (string line in frames.Lines())
        {
            error.WriteLine(line);
        }
    }

    /// <summary>When the phases of a run happened (<see cref="Stopwatch"/> timestamps) and how long they took.</summary>
    private sealed class RunTimes(long loadStart, TimeSpan load)
    {
        public long LoadStart { get; } = loadStart;
        public TimeSpan Load { get; } = load;
        public TimeSpan Instantiate { get; set; }

        /// <summary>When the program's code started (<c>_start</c> or the <c>--invoke</c> function; 0 when it never did).</summary>
        public long Start { get; set; }
        public long End { get; set; }
    }

    private static void PrintStatistics(TextWriter error, Module module, Store store, RunTimes times, WasmEngine engine)
    {
        error.WriteLine("statistics:");
        long start = times.Start != 0 ? times.Start : times.End;
        string entry = "_start";
        if (ProcessClock.Main != 0)
        {
            double inMain = Stopwatch.GetElapsedTime(ProcessClock.Main, start).TotalMilliseconds;
            string sinceProcess = ProcessClock.SinceProcessStart(start) is double total
                ? $"{total:F0} ms from the process's start to {entry} (0 to 10 ms less: the kernel counts starts in 10 ms ticks), of which {inMain:F1} ms in main"
                : $"{inMain:F1} ms from main to {entry}";
            error.WriteLine($"  start-up:     {sinceProcess}; {Environment.CpuUsage.TotalTime.TotalMilliseconds:F0} ms of CPU by then");
        }
        error.WriteLine($"  load:         {times.Load.TotalMilliseconds:F1} ms (decode, validate{(engine.Config.Tier == TierMode.Baseline ? ", compile every function" : "")}" +
                        $"{(module.CodeCache is { } c && c.NotUsed is null ? $", place {c.FunctionsLoaded} functions from the {c.Source}" : "")}), " +
                        $"instantiate {times.Instantiate.TotalMilliseconds:F1} ms");
        error.WriteLine($"  run:          {Stopwatch.GetElapsedTime(start, times.End).TotalMilliseconds:F1} ms in the program (from {entry} to its end)");
        ModuleStatistics statistics = module.Statistics;
        error.WriteLine($"  translation:  {statistics.TranslatedFunctions} of {statistics.DefinedFunctions} functions translated for the interpreter " +
                        $"({statistics.TranslatedBytes} bytes of code in {statistics.TranslationTime.TotalMilliseconds:F2} ms)");
        if (engine.Config.Tier != TierMode.Interpreter || engine.TierStatistics.Promotions.Count > 0)
        {
            TierStatistics tiers = engine.TierStatistics;
            error.WriteLine($"  compilation:  {tiers.Summary()}");
            // Times from the start of the program's code: negative ones were published before it (at load).
            double offset = Stopwatch.GetElapsedTime(tiers.StartTimestamp, start).TotalMilliseconds;
            foreach (FunctionPromotion promotion in tiers.Promotions.Where(p => p.Trigger is not ("load" or "cache" or "precompiled")).Take(20))
            {
                error.WriteLine($"    {promotion.FunctionName ?? $"func[{promotion.FunctionIndex}]"}: {promotion.Tier.ToString().ToLowerInvariant()} by {promotion.Trigger} " +
                                $"after {promotion.Calls} calls, compiled in {promotion.CompileTime.TotalMilliseconds:F2} ms, " +
                                $"running {promotion.At.TotalMilliseconds - offset:F1} ms after {entry} started, {promotion.WasmSize} -> {promotion.CodeSize} bytes");
            }
            foreach (var (_, function, reason) in tiers.Fallbacks.Take(10))
            {
                error.WriteLine($"    func[{function}] stays interpreted: {reason}");
            }
        }
        var (guardPages, explicitChecks) = engine.TierStatistics.MemoryCounts;
        error.WriteLine($"  memories:     {guardPages} with guard pages, {explicitChecks} with explicit bounds checks");
        foreach (MemoryReservationRecord memory in engine.TierStatistics.Memories.Take(10))
        {
            error.WriteLine($"    {memory}");
        }
        if (module.CodeCache is { } cache)
        {
            error.WriteLine($"  {(cache.Source == "cache" ? "cache" : "precompiled")}:{new string(' ', cache.Source == "cache" ? 8 : 2)}{cache}");
        }
        error.WriteLine($"  gc:           {store.GcStatistics}");
    }
}

/// <summary>A directory the program may use: <see cref="Host"/> on this machine, <see cref="Guest"/> for the program.</summary>
internal readonly record struct Preopen(string Host, string Guest, string Spec);

/// <summary>The options of <c>run</c>.</summary>
internal sealed class RunOptions
{
    public required string File { get; init; }
    public List<string> ProgramArguments { get; } = new();
    public string? Invoke { get; private set; }
    public string? Argv0 { get; private set; }
    public List<Preopen> Directories { get; } = new();

    /// <summary>The <c>--env</c> variables in order; a null value passes the host's value on.</summary>
    public List<(string Name, string? Value)> Environment { get; } = new();
    public bool InheritEnvironment { get; private set; }
    public TierMode Tier { get; private set; } = new EngineConfig().Tier;
    public ulong? Fuel { get; private set; }
    public TimeSpan? Timeout { get; private set; }
    public bool Stats { get; private set; }
    public string? Profile { get; private set; }

    /// <summary>The code cache's folder (<c>--cache</c>, <c>--cache-dir</c>), or null.</summary>
    public string? CacheDirectory { get; private set; }
    public TierOptions Tiering { get; private init; } = new();

    /// <summary>The longest <c>--timeout</c>: what a <see cref="System.Threading.Timer"/> can wait (about 49.7 days).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>The options that take a value (the next argument), run's own and the tier options.</summary>
    private static readonly HashSet<string> s_valueOptions =
    [
        "--invoke", "--dir", "--env", "--argv0", "--tier", "--fuel", "--timeout", "--profile", "-S", "--cache-dir",
        .. TierOptions.ValueOptions,
    ];

    /// <summary>
    /// Where FILE is in <paramref name="args"/> (its length when missing): the first argument that is neither an
    /// option nor an option's value, or the one after <c>--</c>. Everything after FILE belongs to the program.
    /// </summary>
    public static int IndexOfFile(string[] args)
    {
        int i = 0;
        for (; i < args.Length && args[i].StartsWith('-'); i++)
        {
            if (args[i] == "--")
            {
                return i + 1;
            }
            if (s_valueOptions.Contains(args[i]))
            {
                i++;
            }
        }
        return Math.Min(i, args.Length);
    }

    public static RunOptions Parse(string[] args)
    {
        int i = 0;
        var pending = new List<Action<RunOptions>>();
        var tiering = new TierOptions();
        for (; i < args.Length && args[i].StartsWith('-'); i++)
        {
            string option = args[i];
            if (tiering.TryParse(args, ref i))
            {
                continue;
            }
            switch (option)
            {
                case "--invoke":
                    string name = Arguments.Value(args, ref i);
                    pending.Add(o => o.Invoke = name);
                    break;
                case "--argv0":
                    string argv0 = Arguments.Value(args, ref i);
                    pending.Add(o => o.Argv0 = argv0);
                    break;
                case "--dir":
                    Preopen preopen = ParseDirectory(Arguments.Value(args, ref i));
                    pending.Add(o => o.Directories.Add(preopen));
                    break;
                case "--env":
                    (string, string?) variable = ParseVariable(Arguments.Value(args, ref i));
                    pending.Add(o => o.Environment.Add(variable));
                    break;
                case "--inherit-env":
                    pending.Add(o => o.InheritEnvironment = true);
                    break;
                case "-S":
                    string wasiOption = Arguments.Value(args, ref i);
                    bool inherit = wasiOption switch
                    {
                        "inherit-env" or "inherit-env=y" or "inherit-env=yes" or "inherit-env=true" => true,
                        "inherit-env=n" or "inherit-env=no" or "inherit-env=false" => false,
                        _ => throw new UsageException($"-S {wasiOption}: the only WASI option is inherit-env[=y|n] (as wasmtime's)"),
                    };
                    pending.Add(o => o.InheritEnvironment = inherit);
                    break;
                case "--tier":
                    TierMode tier = TierOptions.Parse(Arguments.Value(args, ref i));
                    pending.Add(o => o.Tier = tier);
                    break;
                case "--fuel":
                    string fuelText = Arguments.Value(args, ref i);
                    ulong fuel = ulong.TryParse(fuelText, NumberStyles.None, CultureInfo.InvariantCulture, out ulong f)
                        ? f
                        : throw new UsageException($"--fuel expects an integer from 0 to {ulong.MaxValue}, got '{fuelText}'");
                    pending.Add(o => o.Fuel = fuel);
                    break;
                case "--timeout":
                    TimeSpan timeout = ParseDuration(Arguments.Value(args, ref i));
                    pending.Add(o => o.Timeout = timeout);
                    break;
                case "--stats":
                    pending.Add(o => o.Stats = true);
                    break;
                case "--cache":
                    pending.Add(o => o.CacheDirectory ??= EngineConfig.DefaultCacheDirectory);
                    break;
                case "--cache-dir":
                    string cacheDirectory = Arguments.Value(args, ref i);
                    if (cacheDirectory.Length == 0 || System.IO.File.Exists(cacheDirectory))
                    {
                        throw new UsageException($"--cache-dir '{cacheDirectory}': not a directory");
                    }
                    pending.Add(o => o.CacheDirectory = cacheDirectory);
                    break;
                case "--profile":
                    string profile = Arguments.Value(args, ref i);
                    if (profile != "perfmap")
                    {
                        throw new UsageException($"--profile {profile}: the profiling strategy here is perfmap (see 'wasm-engine run --help')");
                    }
                    pending.Add(o => o.Profile = profile);
                    break;
                case "--":
                    i++;
                    goto done;
                default:
                    throw new UsageException($"unknown option '{option}'", showHelpHint: true);
            }
        }
    done:
        if (i >= args.Length)
        {
            throw new UsageException("missing FILE", showHelpHint: true);
        }
        var options = new RunOptions { File = args[i], Tiering = tiering };
        foreach (var apply in pending)
        {
            apply(options);
        }
        int first = i + 1;
        if (options.Invoke is not null && first < args.Length && args[first] == "--")
        {
            // --invoke's arguments are values, never "--": a separator there is the user's habit, not an argument.
            first++;
        }
        options.ProgramArguments.AddRange(args[first..]);
        return options;
    }

    /// <summary><c>HOST</c> or <c>HOST::GUEST</c>; neither side may be empty.</summary>
    internal static Preopen ParseDirectory(string spec)
    {
        int separator = spec.IndexOf("::", StringComparison.Ordinal);
        string host = separator < 0 ? spec : spec[..separator];
        string guest = separator < 0 ? spec : spec[(separator + 2)..];
        if (host.Length == 0)
        {
            throw new UsageException(spec.Length == 0 ? "--dir needs a directory, got ''" : $"--dir '{spec}': the host directory (before '::') is empty");
        }
        if (guest.Length == 0)
        {
            throw new UsageException($"--dir '{spec}': the guest directory (after '::') is empty");
        }
        if (host.Contains('\0') || guest.Contains('\0'))
        {
            throw new UsageException($"--dir '{spec}': a path cannot contain a NUL character");
        }
        return new Preopen(host, guest, spec);
    }

    /// <summary><c>NAME=VALUE</c>, or <c>NAME</c> alone to pass the host's value on (as wasmtime's <c>--env</c>).</summary>
    internal static (string Name, string? Value) ParseVariable(string text)
    {
        int equals = text.IndexOf('=');
        string name = equals < 0 ? text : text[..equals];
        if (name.Length == 0)
        {
            throw new UsageException($"--env expects NAME=VALUE or NAME, got '{text}'");
        }
        return (name, equals < 0 ? null : text[(equals + 1)..]);
    }

    /// <summary>
    /// Every <c>--dir</c> names a directory this process can open and list: a missing one, a file or an unreadable
    /// directory is a usage error now rather than an exception when the program's context opens it.
    /// </summary>
    public void CheckDirectories()
    {
        foreach (Preopen preopen in Directories)
        {
            CheckDirectory(preopen, static path =>
            {
                using IEnumerator<string> entries = Directory.EnumerateFileSystemEntries(path).GetEnumerator();
                entries.MoveNext();
            });
        }
    }

    /// <summary>Checks one directory, opening it with <paramref name="open"/> (a test may pass one that fails).</summary>
    internal static void CheckDirectory(Preopen preopen, Action<string> open)
    {
        string host = preopen.Host;
        if (System.IO.File.Exists(host))
        {
            throw new UsageException($"--dir '{preopen.Spec}': '{host}' is a file, not a directory");
        }
        if (!Directory.Exists(host))
        {
            throw new UsageException($"--dir '{preopen.Spec}': no such directory '{host}'");
        }
        try
        {
            open(host);
        }
        catch (UnauthorizedAccessException)
        {
            throw new UsageException($"--dir '{preopen.Spec}': permission denied: this user may not read '{host}'");
        }
        catch (IOException e)
        {
            throw new UsageException($"--dir '{preopen.Spec}': cannot open '{host}': {CommandLine.OneLine(e.Message)}");
        }
    }

    /// <summary>A duration: a non-negative finite number with <c>ms</c>, <c>s</c>, <c>m</c> or <c>h</c> (seconds without a unit), at most <see cref="MaxTimeout"/>.</summary>
    internal static TimeSpan ParseDuration(string text)
    {
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 1.0),
            _ when text.EndsWith('s') => (text[..^1], 1000.0),
            _ when text.EndsWith('m') => (text[..^1], 60_000.0),
            _ when text.EndsWith('h') => (text[..^1], 3_600_000.0),
            _ => (text, 1000.0),
        };
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value * scale))
        {
            throw new UsageException($"--timeout expects a duration such as 500ms, 10s, 1.5m or 2h, got '{text}'");
        }
        double milliseconds = value * scale;
        if (milliseconds > MaxTimeout.TotalMilliseconds)
        {
            throw new UsageException($"--timeout '{text}' is too long: at most {MaxTimeout.TotalDays:F1} days ({MaxTimeout.TotalMilliseconds:F0}ms)");
        }
        return TimeSpan.FromMilliseconds(milliseconds);
    }
}
