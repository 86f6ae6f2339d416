using System.Globalization;

namespace Engine.Fuzz;

/// <summary>The command line of a fuzzing run.</summary>
public sealed record FuzzOptions
{
    /// <summary>The target's name.</summary>
    public required string Target { get; init; }

    /// <summary>How many cases to run (default: no limit when a time is given, else 1000).</summary>
    public long Count { get; init; } = long.MaxValue;

    /// <summary>How long to run.</summary>
    public TimeSpan? Time { get; init; }

    /// <summary>The run's seed; case i of a target depends on (seed, i) only.</summary>
    public ulong Seed { get; init; }

    /// <summary>The first case index.</summary>
    public long Start { get; init; }

    /// <summary>Where reproducers go (null: nowhere).</summary>
    public string? Out { get; init; } = "fuzz-failures";

    /// <summary>Run the cases in this process instead of a supervised worker process.</summary>
    public bool InProcess { get; init; }

    /// <summary>This process is the worker of a supervisor: report progress on stdout.</summary>
    public bool Worker { get; init; }

    /// <summary>A case running longer than this is a hang (supervised runs only).</summary>
    public TimeSpan HangTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>diff: also compare with wasmtime (default on).</summary>
    public bool Wasmtime { get; init; } = true;

    /// <summary>Save every failing input, not only the first of each signature.</summary>
    public bool KeepAll { get; init; }

    /// <summary>diff: also use binaryen's wasm-opt -ttf when it is on PATH (default on).</summary>
    public bool WasmOpt { get; init; } = true;

    /// <summary>The usage text.</summary>
    public const string Usage = """
        usage: wasm-fuzz TARGET [--time 10m | --count N] [--seed S] [--out DIR] [options]
               wasm-fuzz replay TARGET FILE...
               wasm-fuzz afl decode|text   (the afl-fuzz harness; start it with Engine.Fuzz/afl.sh)
               wasm-fuzz generate SEED [simd] [canonical] [multi-memory] [memory64] [function-references] [relaxed-simd]
                                       [tail-calls] [exceptions] [calls] [wasm3]
                                                      (prints a module of our own generator; wasm3 = every option)
               wasm-fuzz print FILE.wasm                 (the module's text, by our printer)
               wasm-fuzz assemble FILE.wat OUT.wasm      (a text module in binary)
               wasm-fuzz events FILE.wasm [interpreter|baseline|tiered-1|wasmtime [--dump-memory OUT]]   (what a module does)
        targets:
          decode   mutated modules through decode/validate; what validates is instantiated and run (fuel-limited)
          diff     random valid modules (our generator; binaryen's wasm-opt -ttf when on PATH) in every tier and wasmtime
          wasi     random WASI call sequences against a sandbox directory
          text     mutated text-format modules and commands through the parser
        options:
          --time D          run for D (30s, 10m, 1h)
          --count N         run N cases (default 1000 when no --time is given)
          --seed S          the run's seed (default: from the clock; printed); case i depends on (seed, i) only
          --start I         the first case index (default 0)
          --out DIR         where reproducers go (default fuzz-failures/); one per distinct failure, with a .txt
          --keep-all        save every failing input (a signature is coarse: one frequent bug can hide another)
          --in-process      run cases in this process (default: in a worker process restarted after a crash or hang)
          --hang-timeout D  a case running longer is a hang (default 60s)
          --no-wasmtime     diff: do not compare with wasmtime
          --no-wasm-opt     diff: only our own generator
        exit code: 0 nothing failed, 1 something failed (reproducers saved), 2 bad usage
        """;

    /// <summary>Parses the arguments after the target name.</summary>
    public static FuzzOptions Parse(string target, IReadOnlyList<string> args)
    {
        long count = long.MaxValue;
        TimeSpan? time = null;
        ulong? seed = null;
        long start = 0;
        string? output = "fuzz-failures";
        bool inProcess = false, worker = false, wasmtime = true, wasmOpt = true, keepAll = false;
        TimeSpan hang = TimeSpan.FromSeconds(60);
        for (int i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--time":
                    time = ParseDuration(Next());
                    break;
                case "--count":
                    count = long.Parse(Next(), CultureInfo.InvariantCulture);
                    break;
                case "--seed":
                    seed = ulong.Parse(Next(), CultureInfo.InvariantCulture);
                    break;
                case "--start":
                    start = long.Parse(Next(), CultureInfo.InvariantCulture);
                    break;
                case "--out":
                    output = Next();
                    break;
                case "--in-process":
                    inProcess = true;
                    break;
                case "--worker":
                    worker = true;
                    inProcess = true;
                    break;
                case "--hang-timeout":
                    hang = ParseDuration(Next());
                    break;
                case "--no-wasmtime":
                    wasmtime = false;
                    break;
                case "--no-wasm-opt":
                    wasmOpt = false;
                    break;
                case "--keep-all":
                    keepAll = true;
                    break;
                default:
                    throw new FormatException($"unknown option {args[i]}");
            }
        }
        if (time is null && count == long.MaxValue)
        {
            count = 1000;
        }
        return new FuzzOptions
        {
            Target = target, Count = count, Time = time, Seed = seed ?? (ulong)DateTime.UtcNow.Ticks % 1_000_000_000,
            Start = start, Out = output, InProcess = inProcess, Worker = worker, HangTimeout = hang, Wasmtime = wasmtime, WasmOpt = wasmOpt, KeepAll = keepAll,
        };
    }

    /// <summary>Parses 90, 90s, 15m, 2h, or a TimeSpan (00:10:00).</summary>
    public static TimeSpan ParseDuration(string text)
    {
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan span) && text.Contains(':'))
        {
            return span;
        }
        char unit = text[^1];
        string number = char.IsLetter(unit) ? text[..^1] : text;
        double value = double.Parse(number, CultureInfo.InvariantCulture);
        return unit switch
        {
            'h' => TimeSpan.FromHours(value),
            'm' => TimeSpan.FromMinutes(value),
            's' => TimeSpan.FromSeconds(value),
            _ when char.IsDigit(unit) => TimeSpan.FromSeconds(value),
            _ => throw new FormatException($"bad duration {text}"),
        };
    }
}
