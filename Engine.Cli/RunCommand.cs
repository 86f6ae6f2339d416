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

    public string Help => """
        usage: wasm-engine run [options] FILE [ARGS...]

        Runs FILE's _start export as a WASI command with ARGS as its arguments (argv[0] is FILE's name),
        or with --invoke calls the export NAME with ARGS parsed as its parameters and prints its results.
        A module that exports _initialize (a WASI reactor) has it called first.
        The exit code is the program's proc_exit code (0 when _start returns); a trap prints its message
        and wasm backtrace to stderr and exits 134.

        options (before FILE):
          --invoke NAME          call export NAME instead of _start
          --dir HOST[::GUEST]    preopen directory HOST as GUEST (default: the same path)
          --env NAME=VALUE       set an environment variable (repeatable)
          --tier TIER            interp (the interpreter, default), baseline or optimizing (every function
                                 compiled by that tier before it runs) or tiered (hot functions and loops compiled)
          --tier-up-calls N      tiered: calls before a function is compiled (default 200)
          --tier-up-loops N      tiered: loop iterations before on-stack replacement (default 1000)
          --tier-up-threshold N  both of the above
          --sync-compile         tiered: compile on the running thread instead of in the background
          --function-tier NAME=TIER
                                 force a function (name-section name or index) to a tier
          --fuel N               run with N units of fuel; running out traps
          --timeout DURATION     interrupt after DURATION (e.g. 500ms, 10s, 2m)
          --stats                print execution, translation and GC statistics to stderr
        """;

    public int Execute(string[] args, TextWriter output, TextWriter error)
    {
        var options = RunOptions.Parse(args);
        byte[] bytes;
        try
        {
            bytes = Arguments.ReadModule(options.File);
        }
        catch (WasmException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
        EngineConfig config = options.Tiering.Apply(new EngineConfig
        {
            Tier = options.Tier,
            ConsumeFuel = options.Fuel.HasValue,
            EpochInterruption = options.Timeout.HasValue,
        });
        var engine = new WasmEngine(config);
        Module module;
        try
        {
            module = Module.FromBytes(engine, bytes, Path.GetFileNameWithoutExtension(options.File));
        }
        catch (WasmException e)
        {
            error.WriteLine($"error: {options.File}: {e.Message}");
            return 1;
        }

        var wasiConfig = new WasiConfig()
            .WithArgs([Path.GetFileName(options.File), .. options.ProgramArguments])
            .InheritStdio();
        foreach (var (name, value) in options.Environment)
        {
            wasiConfig.WithEnvironmentVariable(name, value);
        }
        foreach (string dir in options.Directories)
        {
            wasiConfig.WithPreopenedDirectory(dir);
        }

        using var wasi = new WasiContext(wasiConfig);
        using var store = new Store(engine);
        if (options.Fuel is long fuel)
        {
            store.SetFuel(fuel);
        }
        using Timer? timer = options.Timeout is TimeSpan timeout ? StartTimeout(engine, store, timeout) : null;
        var linker = new Linker(engine).DefineWasi(wasi);
        var stopwatch = Stopwatch.StartNew();
        int exitCode;
        try
        {
            Instance instance = linker.Instantiate(store, module);
            Initialize(instance);
            exitCode = options.Invoke is null ? RunStart(instance, error) : Invoke(instance, options, output, error);
        }
        catch (WasiExitException e)
        {
            exitCode = e.ExitCode;
        }
        catch (TrapException e)
        {
            Console.Out.Flush();
            error.WriteLine($"error: wasm trap: {e.Message}");
            PrintBacktrace(error, e);
            exitCode = TrapExitCode;
        }
        catch (WasmException e)
        {
            error.WriteLine($"error: {e.Message}");
            exitCode = 1;
        }
        if (options.Stats)
        {
            PrintStatistics(error, module, store, stopwatch.Elapsed, engine);
        }
        return exitCode;
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

    private static int RunStart(Instance instance, TextWriter error)
    {
        Function? start = instance.GetFunction("_start");
        if (start is null)
        {
            error.WriteLine("error: the module exports no _start function (use --invoke NAME to call another export)");
            return 1;
        }
        start.Invoke();
        return 0;
    }

    private static int Invoke(Instance instance, RunOptions options, TextWriter output, TextWriter error)
    {
        Function? function = instance.GetFunction(options.Invoke!);
        if (function is null)
        {
            error.WriteLine($"error: the module exports no function \"{options.Invoke}\"");
            return 1;
        }
        FuncType type = function.FunctionType;
        if (options.ProgramArguments.Count != type.Params.Length)
        {
            error.WriteLine($"error: \"{options.Invoke}\" takes {type.Params.Length} arguments {type}, got {options.ProgramArguments.Count}");
            return 1;
        }
        var arguments = new Value[type.Params.Length];
        for (int i = 0; i < arguments.Length; i++)
        {
            if (!TryParseValue(options.ProgramArguments[i], type.Params[i], out arguments[i]))
            {
                error.WriteLine($"error: argument {i + 1} '{options.ProgramArguments[i]}' is not a valid {type.Params[i].ToWatName()}");
                return 1;
            }
        }
        foreach (Value result in function.Invoke(arguments))
        {
            output.WriteLine(FormatValue(result));
        }
        return 0;
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

    private static void PrintBacktrace(TextWriter error, Exception exception)
    {
        IReadOnlyList<WasmFrame> frames = WasmBacktrace.Get(exception);
        if (frames.Count == 0)
        {
            return;
        }
        error.WriteLine("wasm backtrace:");
        for (int i = 0; i < frames.Count; i++)
        {
            error.WriteLine($"  {i}: {frames[i]}");
        }
    }

    private static void PrintStatistics(TextWriter error, Module module, Store store, TimeSpan elapsed, WasmEngine engine)
    {
        error.WriteLine("statistics:");
        error.WriteLine($"  run time:     {elapsed.TotalMilliseconds:F1} ms");
        ModuleStatistics statistics = module.Statistics;
        error.WriteLine($"  interpreter:  {statistics.TranslatedFunctions} of {statistics.DefinedFunctions} functions translated " +
                        $"({statistics.TranslatedBytes} bytes of code in {statistics.TranslationTime.TotalMilliseconds:F2} ms)");
        error.WriteLine($"  gc:           {store.GcStatistics}");
        if (engine.Config.Tier != TierMode.Interpreter || engine.TierStatistics.Promotions.Count > 0)
        {
            TierStatistics tiers = engine.TierStatistics;
            error.WriteLine($"  tiers:        {tiers.Summary()}");
            foreach (FunctionPromotion promotion in tiers.Promotions.Where(p => p.Trigger != "load").Take(20))
            {
                error.WriteLine($"    {promotion}");
            }
            foreach (var (_, function, reason) in tiers.Fallbacks.Take(10))
            {
                error.WriteLine($"    func[{function}] stays interpreted: {reason}");
            }
        }
    }
}

/// <summary>The options of <c>run</c>.</summary>
internal sealed class RunOptions
{
    public required string File { get; init; }
    public List<string> ProgramArguments { get; } = new();
    public string? Invoke { get; private set; }
    public List<string> Directories { get; } = new();
    public List<(string Name, string Value)> Environment { get; } = new();
    public TierMode Tier { get; private set; } = TierMode.Interpreter;
    public long? Fuel { get; private set; }
    public TimeSpan? Timeout { get; private set; }
    public bool Stats { get; private set; }
    public TierOptions Tiering { get; private init; } = new();

    /// <summary>The options that take a value (the next argument).</summary>
    private static readonly HashSet<string> s_valueOptions = ["--invoke", "--dir", "--env", "--tier", "--fuel", "--timeout"];

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
        string Next(string option) => i + 1 < args.Length ? args[++i] : throw new UsageException($"{option} needs a value");
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
                    string name = Next(option);
                    pending.Add(o => o.Invoke = name);
                    break;
                case "--dir":
                    string dir = Next(option);
                    pending.Add(o => o.Directories.Add(dir));
                    break;
                case "--env":
                    string pair = Next(option);
                    int equals = pair.IndexOf('=');
                    if (equals <= 0)
                    {
                        throw new UsageException($"--env expects NAME=VALUE, got '{pair}'");
                    }
                    pending.Add(o => o.Environment.Add((pair[..equals], pair[(equals + 1)..])));
                    break;
                case "--tier":
                    TierMode tier = TierOptions.Parse(Next(option));
                    pending.Add(o => o.Tier = tier);
                    break;
                case "--fuel":
                    string fuelText = Next(option);
                    long fuel = long.TryParse(fuelText, out long f) && f >= 0 ? f : throw new UsageException($"--fuel expects a non-negative integer, got '{fuelText}'");
                    pending.Add(o => o.Fuel = fuel);
                    break;
                case "--timeout":
                    TimeSpan timeout = ParseDuration(Next(option));
                    pending.Add(o => o.Timeout = timeout);
                    break;
                case "--stats":
                    pending.Add(o => o.Stats = true);
                    break;
                case "--":
                    i++;
                    goto done;
                default:
                    throw new UsageException($"unknown option '{option}'");
            }
        }
    done:
        if (i >= args.Length)
        {
            throw new UsageException("missing FILE");
        }
        var options = new RunOptions { File = args[i], Tiering = tiering };
        options.ProgramArguments.AddRange(args[(i + 1)..]);
        foreach (var apply in pending)
        {
            apply(options);
        }
        return options;
    }

    internal static TimeSpan ParseDuration(string text)
    {
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 1.0),
            _ when text.EndsWith('s') => (text[..^1], 1000.0),
            _ when text.EndsWith('m') => (text[..^1], 60_000.0),
            _ => (text, 1000.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value < 0)
        {
            throw new UsageException($"--timeout expects a duration such as 500ms, 10s or 2m, got '{text}'");
        }
        return TimeSpan.FromMilliseconds(value * scale);
    }
}
