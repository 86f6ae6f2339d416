using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Engine.Fuzz.Targets;

namespace Engine.Fuzz;

/// <summary>The fuzzing command: <c>wasm-fuzz TARGET [--time D | --count N] [--seed S] [--out DIR]</c>.</summary>
public static class Program
{
    /// <summary>Entry point; exit code 0 (nothing failed), 1 (failures, reproducers saved) or 2 (bad usage).</summary>
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(FuzzOptions.Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            if (args[0] == "generate")
            {
                // The text of one module of our generator:
                // wasm-fuzz generate SEED [simd] [canonical] [multi-memory] [memory64] [function-references] [relaxed-simd] [tail-calls] [exceptions] [calls] [wasm3]
                int seed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
                bool all = args.Contains("wasm3");
                var generatorOptions = new Generation.ModuleGenerator.Options(
                    all || args.Contains("multi-memory"), all || args.Contains("memory64"),
                    all || args.Contains("function-references"), all || args.Contains("relaxed-simd"),
                    all || args.Contains("tail-calls"), all || args.Contains("exceptions"), all || args.Contains("calls"));
                Console.Write(new Generation.ModuleGenerator(new Random(seed), args.Contains("simd"), args.Contains("canonical"), generatorOptions).Generate());
                return 0;
            }
            if (args[0] == "events" && args.Length >= 2)
            {
                // What one module (binary or text) does in one mode (interpreter, baseline, tiered-1, wasmtime): wasm-fuzz events FILE [MODE]
                byte[] module = File.ReadAllBytes(args[1]);
                if (!Engine.Runtime.Module.IsBinary(module))
                {
                    module = Engine.Text.WatParser.ParseModule(System.Text.Encoding.UTF8.GetString(module));
                }
                string mode = args.Length > 2 ? args[2] : "interpreter";
                if (args.Length > 4 && args[3] == "--dump-memory")
                {
                    EngineRun.DumpMemory = bytes => File.WriteAllBytes(args[4], bytes);
                }
                foreach (string line in mode == "wasmtime" ? WasmtimeRun.Run(module) : EngineRun.Run(module, mode))
                {
                    Console.WriteLine(line);
                }
                return 0;
            }
            if (args[0] == "print" && args.Length == 2)
            {
                // A module's text (our printer knows every feature we run, unlike an older wasm2wat): wasm-fuzz print FILE.wasm
                Console.Write(Engine.Text.WatPrinter.Print(File.ReadAllBytes(args[1])));
                return 0;
            }
            if (args[0] == "assemble" && args.Length == 3)
            {
                // A text module in binary (for reduced reproducers; our parser knows every feature we run): wasm-fuzz assemble IN.wat OUT.wasm
                File.WriteAllBytes(args[2], Engine.Text.WatParser.ParseModule(File.ReadAllText(args[1])));
                return 0;
            }
            if (args[0] == "afl")
            {
                return args.Length == 2 ? Afl.Run(args[1]) : Usage("afl needs a target (decode, text)");
            }
            if (args[0] == "replay")
            {
                return args.Length >= 3 ? Replay(args[1], args[2..]) : Usage("replay needs a target and files");
            }
            FuzzOptions options = FuzzOptions.Parse(args[0], args[1..]);
            FuzzTarget target = CreateTarget(options);
            return options.InProcess ? RunInProcess(target, options) : Supervise(target, options, args);
        }
        catch (FormatException e)
        {
            return Usage(e.Message);
        }
        catch (ArgumentException e)
        {
            return Usage(e.Message);
        }
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"wasm-fuzz: {message}");
        Console.Error.WriteLine(FuzzOptions.Usage);
        return 2;
    }

    /// <summary>Makes the target named in the options.</summary>
    public static FuzzTarget CreateTarget(FuzzOptions options) => options.Target switch
    {
        "decode" => new DecodeTarget(),
        "text" => new TextTarget(),
        "diff" => new DiffTarget(options.Wasmtime, options.WasmOpt),
        "wasi" => new WasiTarget(),
        _ => throw new ArgumentException($"unknown target '{options.Target}' (decode, diff, wasi, text)"),
    };

    private static int Replay(string targetName, string[] files)
    {
        FuzzTarget target = CreateTarget(new FuzzOptions { Target = targetName });
        int failed = 0;
        foreach (string file in files)
        {
            Finding? finding = target.Run(File.ReadAllBytes(file));
            Console.WriteLine(finding is null ? $"{file}: ok" : $"{file}: FAIL {finding.Description}\n  signature: {finding.Signature}");
            failed += finding is null ? 0 : 1;
        }
        return failed == 0 ? 0 : 1;
    }

    private static int RunInProcess(FuzzTarget target, FuzzOptions options)
    {
        var failures = new FailureStore(options.Out, options.KeepAll);
        var runner = new FuzzRunner(target, failures, options.Seed)
        {
            BeforeCase = options.Worker ? i => Console.Out.WriteLine($"@{i}") : null,
            OnFailure = options.Worker ? f => Console.Out.WriteLine("@fail " + JsonSerializer.Serialize(f)) : null,
        };
        DateTime deadline = options.Time is { } time ? DateTime.UtcNow + time : DateTime.MaxValue;
        if (!options.Worker)
        {
            Console.WriteLine($"wasm-fuzz {target.Name}: seed {options.Seed}, from case {options.Start}");
        }
        var watch = Stopwatch.StartNew();
        runner.Run(options.Start, options.Count, deadline);
        var summary = new RunSummary(runner.Cases, failures.Total, new Dictionary<string, long>(target.Counters),
            failures.Signatures.ToDictionary(p => p.Key, p => (long)p.Value), failures.Descriptions, failures.Saved);
        if (options.Worker)
        {
            Console.Out.WriteLine("@done " + JsonSerializer.Serialize(summary));
        }
        else
        {
            Print(target.Name, options, summary, watch.Elapsed, restarts: 0);
        }
        return failures.Total == 0 ? 0 : 1;
    }

    /// <summary>What a run (or a worker's part of it) did.</summary>
    public sealed record RunSummary(long Cases, long Failures, Dictionary<string, long> Counters, Dictionary<string, long> Signatures,
        Dictionary<string, string> Descriptions, List<string> Saved);

    /// <summary>
    /// Runs the cases in worker processes (this program with <c>--worker</c>), so a case that kills the process
    /// (a crash in native code, a stack overflow) or never ends is recorded with its input, and the run goes on
    /// from the next case in a new worker.
    /// </summary>
    private static int Supervise(FuzzTarget target, FuzzOptions options, string[] originalArgs)
    {
        Console.WriteLine($"wasm-fuzz {target.Name}: seed {options.Seed}, from case {options.Start}" +
                          (options.Time is { } t ? $", for {t}" : $", {options.Count} cases"));
        var failures = new FailureStore(options.Out, options.KeepAll);
        var runner = new FuzzRunner(target, failures, options.Seed);
        var total = new RunSummary(0, 0, new(), new(), new(), []);
        // Failures as the workers report them, one line each (a worker that dies cannot send its summary).
        var workerFailures = new List<Finding>();
        DateTime deadline = options.Time is { } time ? DateTime.UtcNow + time : DateTime.MaxValue;
        var watch = Stopwatch.StartNew();
        long next = options.Start;
        long remaining = options.Count;
        int restarts = 0;
        while (remaining > 0 && DateTime.UtcNow < deadline)
        {
            var arguments = new List<string> { options.Target, "--worker", "--seed", options.Seed.ToString(CultureInfo.InvariantCulture),
                "--start", next.ToString(CultureInfo.InvariantCulture) };
            if (remaining != long.MaxValue)
            {
                arguments.AddRange(["--count", remaining.ToString(CultureInfo.InvariantCulture)]);
            }
            if (deadline != DateTime.MaxValue)
            {
                arguments.AddRange(["--time", $"{Math.Max(1, (deadline - DateTime.UtcNow).TotalSeconds):0}s"]);
            }
            arguments.AddRange(["--out", options.Out ?? Path.Combine(Path.GetTempPath(), "wasm-fuzz-discard")]);
            if (!options.Wasmtime)
            {
                arguments.Add("--no-wasmtime");
            }
            if (!options.WasmOpt)
            {
                arguments.Add("--no-wasm-opt");
            }
            if (options.KeepAll)
            {
                arguments.Add("--keep-all");
            }
            (long lastCase, RunSummary? done, int exitCode, string stderrTail) = RunWorker(arguments, options.HangTimeout, workerFailures.Add);
            if (done is not null)
            {
                total = Merge(total, done with { Failures = 0, Signatures = new(), Descriptions = new() });
                break;
            }
            // The worker died or hung in case lastCase: record it, then go on after it.
            long finishedBefore = lastCase - next;
            total = total with { Cases = total.Cases + finishedBefore + 1 };
            if (remaining != long.MaxValue)
            {
                remaining -= finishedBefore + 1;
            }
            byte[] input = runner.Generate(lastCase);
            Finding finding = exitCode == int.MinValue
                ? new Finding("hang", $"hang: case ran longer than {options.HangTimeout}")
                : new Finding($"crash: exit code {exitCode}: {CrashKind(stderrTail)}", $"crash: worker exit code {exitCode}: {Finding.OneLine(stderrTail)}");
            runner.Record(finding, input, $"seed {options.Seed} case {lastCase}");
            next = lastCase + 1;
            restarts++;
        }
        foreach (Finding f in workerFailures)
        {
            total.Signatures[f.Signature] = total.Signatures.GetValueOrDefault(f.Signature) + 1;
            total.Descriptions.TryAdd(f.Signature, f.Description);
        }
        total = total with { Failures = workerFailures.Count };
        // Failures recorded by the supervisor itself (crashes, hangs).
        foreach (var (signature, n) in failures.Signatures)
        {
            total.Signatures[signature] = total.Signatures.GetValueOrDefault(signature) + n;
            total.Descriptions.TryAdd(signature, failures.Descriptions[signature]);
        }
        total = total with { Failures = total.Failures + failures.Total };
        total.Saved.AddRange(failures.Saved);
        Print(target.Name, options, total, watch.Elapsed, restarts);
        return total.Failures == 0 ? 0 : 1;
    }

    private static string CrashKind(string stderrTail)
    {
        foreach (string marker in new[] { "Stack overflow", "SIGSEGV", "AccessViolation", "Fatal error", "OutOfMemory", "Unhandled exception" })
        {
            if (stderrTail.Contains(marker, StringComparison.OrdinalIgnoreCase))
            {
                return marker;
            }
        }
        return "unknown";
    }

    private static RunSummary Merge(RunSummary a, RunSummary b)
    {
        foreach (var (k, v) in b.Counters)
        {
            a.Counters[k] = a.Counters.GetValueOrDefault(k) + v;
        }
        foreach (var (k, v) in b.Signatures)
        {
            a.Signatures[k] = a.Signatures.GetValueOrDefault(k) + v;
        }
        foreach (var (k, v) in b.Descriptions)
        {
            a.Descriptions.TryAdd(k, v);
        }
        a.Saved.AddRange(b.Saved);
        return a with { Cases = a.Cases + b.Cases, Failures = a.Failures + b.Failures };
    }

    /// <summary>Runs one worker; returns the last case it started, its summary (when it finished), its exit code (int.MinValue: killed as hung) and the end of its stderr.</summary>
    private static (long LastCase, RunSummary? Done, int ExitCode, string StderrTail) RunWorker(List<string> arguments, TimeSpan hangTimeout,
        Action<Finding> onFailure)
    {
        var start = new ProcessStartInfo
        {
            FileName = Environment.ProcessPath!, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(Program).Assembly.Location);
        }
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        long lastCase = -1;
        RunSummary? done = null;
        long lastProgress = Environment.TickCount64;
        var stderr = new Queue<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (stderr)
            {
                stderr.Enqueue(e.Data);
                if (stderr.Count > 40)
                {
                    stderr.Dequeue();
                }
            }
        };
        process.BeginErrorReadLine();
        var reader = new Thread(() =>
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (line.StartsWith("@done ", StringComparison.Ordinal))
                {
                    done = JsonSerializer.Deserialize<RunSummary>(line["@done ".Length..]);
                }
                else if (line.StartsWith("@fail ", StringComparison.Ordinal))
                {
                    onFailure(JsonSerializer.Deserialize<Finding>(line["@fail ".Length..])!);
                }
                else if (line.Length > 1 && line[0] == '@' && long.TryParse(line.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out long index))
                {
                    Interlocked.Exchange(ref lastCase, index);
                    Interlocked.Exchange(ref lastProgress, Environment.TickCount64);
                }
                else
                {
                    Console.WriteLine(line);
                }
            }
        }) { IsBackground = true };
        reader.Start();
        bool hung = false;
        while (!process.WaitForExit(500))
        {
            if (Environment.TickCount64 - Interlocked.Read(ref lastProgress) > hangTimeout.TotalMilliseconds)
            {
                hung = true;
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                break;
            }
        }
        reader.Join();
        process.WaitForExit();
        string tail;
        lock (stderr)
        {
            tail = string.Join(" | ", stderr.Where(l => !string.IsNullOrWhiteSpace(l)).Take(6));
        }
        return (Interlocked.Read(ref lastCase), hung ? null : done, hung ? int.MinValue : process.ExitCode, tail);
    }

    private static void Print(string name, FuzzOptions options, RunSummary summary, TimeSpan elapsed, int restarts)
    {
        Console.WriteLine($"wasm-fuzz {name}: {summary.Cases} cases in {elapsed.TotalSeconds:0.0} s " +
                          $"({summary.Cases / Math.Max(0.001, elapsed.TotalSeconds):0.0}/s), seed {options.Seed}" +
                          (restarts > 0 ? $", {restarts} worker restarts" : ""));
        foreach (var (what, n) in summary.Counters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"  {what}: {n}");
        }
        Console.WriteLine($"  failures: {summary.Failures} ({summary.Signatures.Count} distinct)");
        foreach (var (signature, n) in summary.Signatures.OrderByDescending(p => p.Value))
        {
            Console.WriteLine($"    {n,6} x {summary.Descriptions.GetValueOrDefault(signature, signature)}");
        }
        foreach (string saved in summary.Saved)
        {
            Console.WriteLine($"  saved {saved}");
        }
    }
}
