using System.Diagnostics;
using Engine.Runtime;

namespace Engine.Benchmarks;

/// <summary>
/// <c>quick [--tier TIER] [--repeat N] [--small [--against TIER [--warmup SECONDS]]] [--sync-compile] [--tier-up-calls N]
/// [--tier-up-loops N] [--tier-up-optimize N] [--prewarm] [--verbose] [--wasmtime] [--ab-passes LIST] [NAME...]</c>: runs each corpus program at its default
/// size in our engine (best of N runs) and prints the time and whether the result is right (with <c>--prewarm</c>, after
/// every selected program ran once at its small size in the same configuration and the compiler thread went idle, so the
/// first run's tier-up does not include the .NET JIT compiling our compilers: a long-running host's case); with <c>--small</c>, cold starts at
/// the small size (a new engine, module and instance per run), with <c>--verbose</c> where their time goes, and with
/// <c>--against</c> taking turns with another tier in the same process (after <c>--warmup</c> seconds of such turns
/// unmeasured, so the .NET JIT has settled on both). A smoke check for the shell, not a measurement.
/// </summary>
internal static class QuickRun
{
    public static int Run(string[] args)
    {
        TierMode tier = new EngineConfig().Tier;
        int repeat = 1;
        bool wasmtime = false;
        bool verbose = false;
        bool small = false;
        bool sync = false;
        bool prewarm = false;
        int? callThreshold = null, loopThreshold = null, optimizeThreshold = null;
        double warmupSeconds = 0;
        TierMode? against = null;
        Engine.Optimizing.OptimizingPasses? abPasses = null;
        var names = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--tier" && i + 1 < args.Length)
            {
                tier = TierModeNames.Parse(args[++i]);
            }
            else if (args[i] == "--against" && i + 1 < args.Length)
            {
                against = TierModeNames.Parse(args[++i]);
            }
            else if (args[i] == "--wasmtime")
            {
                wasmtime = true;
            }
            else if (args[i] == "--verbose")
            {
                verbose = true;
            }
            else if (args[i] == "--small")
            {
                small = true;
            }
            else if (args[i] == "--prewarm")
            {
                prewarm = true;
            }
            else if (args[i] == "--sync-compile")
            {
                sync = true;
            }
            else if (args[i] == "--tier-up-calls" && i + 1 < args.Length)
            {
                callThreshold = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--tier-up-loops" && i + 1 < args.Length)
            {
                loopThreshold = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--tier-up-optimize" && i + 1 < args.Length)
            {
                optimizeThreshold = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--warmup" && i + 1 < args.Length)
            {
                warmupSeconds = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--ab-passes" && i + 1 < args.Length)
            {
                abPasses = Engine.Optimizing.OptimizingPassNames.Parse(args[++i]);
            }
            else if (args[i] == "--repeat" && i + 1 < args.Length)
            {
                repeat = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                names.Add(args[i]);
            }
        }
        var config = new EngineConfig { Tier = tier, BackgroundCompilation = !sync };
        config = config with
        {
            TierUpCallThreshold = callThreshold ?? config.TierUpCallThreshold,
            TierUpLoopThreshold = loopThreshold ?? config.TierUpLoopThreshold,
            TierUpOptimizeThreshold = optimizeThreshold ?? config.TierUpOptimizeThreshold,
        };
        int failures = 0;
        var ratios = new List<double>();
        if (prewarm)
        {
            foreach (CorpusProgram program in Corpus.Programs.Where(p => names.Count == 0 || names.Contains(p.Name)))
            {
                using var warm = new EngineRunner(program, config);
                warm.Run(program.SmallArg);
            }
            while (!Engine.Runtime.Infrastructure.RuntimeInfrastructure.BackgroundCompilerIdle)
            {
                Thread.Sleep(1);
            }
        }
        if (abPasses is { } without)
        {
            return ComparePasses(config, without, repeat, names);
        }
        foreach (CorpusProgram program in Corpus.Programs.Where(p => names.Count == 0 || names.Contains(p.Name)))
        {
            if (small && against is { } other)
            {
                CompareColdStarts(program, config, config with { Tier = other }, repeat, warmupSeconds);
                continue;
            }
            if (small)
            {
                // Cold starts: a new engine, module and instance per run, at the small size.
                var (smallResult, smallMs, _) = Measure(n =>
                {
                    using var fresh = new EngineRunner(program, config);
                    return fresh.Run(n);
                }, program.SmallArg, repeat);
                Console.WriteLine($"{program.Name,-12} {smallMs * 1000,10:F0} us cold  {(smallResult == program.SmallExpectedValue ? "ok" : "WRONG")}");
                if (verbose)
                {
                    PrintColdPhases(program, config, repeat);
                }
                continue;
            }
            try
            {
                using var runner = new EngineRunner(program, config);
                var (result, ms, cpu) = Measure(runner.Run, program.DefaultArg, repeat);
                bool ok = result == program.ExpectedValue;
                failures += ok ? 0 : 1;
                string line = $"{program.Name,-12} {ms,10:F1} ms {cpu,10:F1} ms cpu  {(ok ? "ok" : $"WRONG: {result}, expected {program.ExpectedValue}")}";
                if (wasmtime)
                {
                    using var reference = new WasmtimeRunner(program);
                    var (_, wms, wcpu) = Measure(reference.Run, program.DefaultArg, repeat);
                    ratios.Add(cpu / wcpu);
                    line += $"   wasmtime {wms,8:F1} ms {wcpu,8:F1} ms cpu   ratio (cpu) {cpu / wcpu,5:F2}";
                }
                Console.WriteLine(line);
                if (tier != TierMode.Interpreter && verbose)
                {
                    Console.WriteLine($"             {runner.Engine.TierStatistics.Summary()}");
                    foreach (FunctionPromotion promotion in runner.Engine.TierStatistics.Promotions.Take(3))
                    {
                        Console.WriteLine($"             {promotion}");
                    }
                }
            }
            catch (Exception e)
            {
                failures++;
                Console.WriteLine($"{program.Name,-12} failed: {e.GetType().Name}: {e.Message}");
            }
        }
        if (ratios.Count > 0)
        {
            double geomean = Math.Exp(ratios.Average(Math.Log));
            Console.WriteLine($"geometric mean of the cpu-time ratios: {geomean:F2}, worst {ratios.Max():F2}");
        }
        return failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// <c>quick-compile [--tier baseline|optimizing] [--phases] [--without PASSES] FILE...</c>: compile throughput of each module on one thread
    /// (best of 5, after a warm-up; by wall-clock time and by the thread's cpu time, which a loaded machine disturbs less),
    /// code size, the peak of the managed heap and the bytes allocated while compiling. <c>--phases</c> (optimizing tier):
    /// the time of each of its phases, per compilation of the module (the mean of the 5 timed rounds); <c>--without</c>
    /// (optimizing tier): with the passes listed turned off (<see cref="Engine.Optimizing.OptimizingPassNames"/>).
    /// </summary>
    public static int Compile(string[] args)
    {
        Engine.Core.IFunctionCompiler compiler = new Engine.Baseline.BaselineCompiler();
        var options = Engine.Core.CompilerOptions.Default with { CpuFeatures = HostCpu.Features };
        var files = new List<string>();
        Engine.Optimizing.OptimizingPhaseTimes? phases = args.Contains("--phases") ? new() : null;
        int without = Array.IndexOf(args, "--without");
        Engine.Optimizing.OptimizingPasses passes = without >= 0 && without + 1 < args.Length
            ? Engine.Optimizing.OptimizingPasses.All & ~Engine.Optimizing.OptimizingPassNames.Parse(args[without + 1])
            : Engine.Optimizing.OptimizingPasses.All;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--without" && i + 1 < args.Length)
            {
                i++;
            }
            else if (args[i] == "--tier" && i + 1 < args.Length)
            {
                compiler = args[++i] switch
                {
                    "baseline" => new Engine.Baseline.BaselineCompiler(),
                    "optimizing" => new Engine.Optimizing.OptimizingCompiler { PhaseTimes = phases, Passes = passes },
                    string other => throw new ArgumentException($"quick-compile: no compiled tier '{other}' (baseline or optimizing)"),
                };
            }
            else if (args[i] == "--phases")
            {
                continue;
            }
            else
            {
                files.Add(args[i]);
            }
        }
        foreach (string file in files)
        {
            Engine.Core.ModuleInfo module = Engine.Core.ModuleLoader.DecodeAndValidate(File.ReadAllBytes(file));
            long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
            double best = double.MaxValue, bestCpu = double.MaxValue;
            long wasm = 0, code = 0;
            int fallbacks = 0;
            long peakHeap = 0, allocated = 0;
            // A hash of every function's code: a compiler change meant to keep the code shows it did.
            ulong codeHash = 14695981039346656037UL;
            for (int round = 0; round < 6; round++)
            {
                wasm = code = fallbacks = 0;
                GC.Collect();
                long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                if (round == 1)
                {
                    phases?.Clear();
                }
                double cpuStart = CpuMicroseconds(ClockThreadCpuTime);
                var stopwatch = Stopwatch.StartNew();
                for (int i = module.ImportedFunctionCount; i < module.FunctionTypeIndices.Count; i++)
                {
                    var result = compiler.Compile(module, (uint)i, options);
                    if (result.Function is { } function)
                    {
                        wasm += function.WasmBodySize;
                        code += function.Code.Length;
                        if (round == 0)
                        {
                            foreach (byte b in function.Code)
                            {
                                codeHash = (codeHash ^ b) * 1099511628211UL; // FNV-1a
                            }
                        }
                    }
                    else
                    {
                        fallbacks++;
                    }
                    if (round == 0)
                    {
                        peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: false));
                    }
                }
                if (round > 0)
                {
                    best = Math.Min(best, stopwatch.Elapsed.TotalSeconds);
                    bestCpu = Math.Min(bestCpu, (CpuMicroseconds(ClockThreadCpuTime) - cpuStart) / 1e6);
                }
                allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            }
            // What compiling leaves behind on this thread (the compiler's reused state, sized by the largest function).
            long retained = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
            if (phases is not null)
            {
                Console.WriteLine($"  phases, wall-clock ms per compilation of the module (mean of 5):");
                foreach (Engine.Optimizing.OptimizingPhase phase in Enum.GetValues<Engine.Optimizing.OptimizingPhase>())
                {
                    double ms = phases[phase].TotalMilliseconds / 5;
                    Console.WriteLine($"    {phase,-24} {ms,8:F1} ms {100 * phases[phase] / phases.Total,5:F1}%");
                }
                Console.WriteLine($"    {"total",-24} {phases.Total.TotalMilliseconds / 5,8:F1} ms");
            }
            var reasons = new Dictionary<Engine.Core.CompileFailure, int>();
            for (int i = module.ImportedFunctionCount; i < module.FunctionTypeIndices.Count; i++)
            {
                if (compiler.Compile(module, (uint)i, options).Failure is { } reason)
                {
                    reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                }
            }
            var slow = new List<(double Ms, int Index, int Size)>();
            for (int i = module.ImportedFunctionCount; i < module.FunctionTypeIndices.Count; i++)
            {
                var sw = Stopwatch.StartNew();
                compiler.Compile(module, (uint)i, options);
                var body = module.Body((uint)i);
                slow.Add((sw.Elapsed.TotalMilliseconds, i, body.End - body.Start));
            }
            foreach (var (ms, index, size) in slow.OrderByDescending(x => x.Ms).Take(5))
            {
                Console.WriteLine($"  slowest: func[{index}] {size} bytes {ms:F2} ms");
            }
            foreach (var (reason, count) in reasons.OrderByDescending(r => r.Value).Take(5))
            {
                Console.WriteLine($"  not compiled: {count} x {reason}");
            }
            Console.WriteLine($"{Path.GetFileName(file)} ({compiler.Name}): {wasm / best / 1e6:F1} MB/s ({wasm} wasm bytes in {best * 1000:F1} ms), " +
                              $"{wasm / bestCpu / 1e6:F1} MB/s of thread cpu time ({bestCpu * 1000:F1} ms), code hash {codeHash:x16}, " +
                              $"{(double)code / wasm:F2} code bytes per wasm byte, {fallbacks} functions not compiled; " +
                              $"managed heap peak {peakHeap / 1e6:F0} MB (module included), {allocated / 1e6:F0} MB allocated per compilation of the module, " +
                              $"{retained / 1e6:F1} MB retained by the compiler afterwards");
        }
        return 0;
    }

    /// <summary>
    /// <c>--small --against TIER</c>: cold starts in both configurations, taking turns in this one process (so both
    /// see the same JIT state and the same machine load, and neither runs beside the other's leftover background
    /// compilation). For each: the best and median wall-clock time, and the medians of the cpu time of this thread
    /// (not counting time other processes took the core) and of the whole process (background compilation included).
    /// </summary>
    private static void CompareColdStarts(CorpusProgram program, EngineConfig config, EngineConfig other, int repeat, double warmupSeconds)
    {
        EngineConfig[] configs = [config, other];
        for (var warmup = Stopwatch.StartNew(); warmup.Elapsed.TotalSeconds < warmupSeconds;)
        {
            foreach (EngineConfig each in configs)
            {
                using var fresh = new EngineRunner(program, each);
                fresh.Run(program.SmallArg);
            }
        }
        var wall = new[] { new List<double>(), new List<double>() };
        var thread = new[] { new List<double>(), new List<double>() };
        var process = new[] { new List<double>(), new List<double>() };
        for (int r = 0; r < repeat; r++)
        {
            for (int k = 0; k < 2; k++)
            {
                // Alternate which goes first, so neither always runs right after the other's disposal.
                int which = (r & 1) == 0 ? k : 1 - k;
                double threadStart = CpuMicroseconds(ClockThreadCpuTime), processStart = CpuMicroseconds(ClockProcessCpuTime);
                long start = Stopwatch.GetTimestamp();
                long result;
                using (var fresh = new EngineRunner(program, configs[which]))
                {
                    result = fresh.Run(program.SmallArg);
                }
                wall[which].Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                thread[which].Add(CpuMicroseconds(ClockThreadCpuTime) - threadStart);
                // Let a background compilation the run left behind finish before the next one starts, so neither
                // configuration pays for the other's leftovers (as a program alone in its process would not).
                while (!Engine.Runtime.Infrastructure.RuntimeInfrastructure.BackgroundCompilerIdle)
                {
                    Thread.Yield();
                }
                process[which].Add(CpuMicroseconds(ClockProcessCpuTime) - processStart);
                if (result != program.SmallExpectedValue)
                {
                    Console.WriteLine($"{program.Name,-12} WRONG in {configs[which].Tier}: {result}");
                    return;
                }
            }
        }
        static double Best(List<double> samples) => samples.Min();
        static double Median(List<double> samples) => samples.Order().ElementAt(samples.Count / 2);
        string Show(int k) => $"{configs[k].Tier,-11} {Best(wall[k]),6:F0} best {Median(wall[k]),6:F0} median " +
                              $"(cpu: thread {Median(thread[k]),6:F0}, process {Median(process[k]),6:F0})";
        Console.WriteLine($"{program.Name,-11} us  {Show(0)}   {Show(1)}   best ratio {Best(wall[0]) / Best(wall[1]),4:F2}, " +
                          $"median ratio {Median(wall[0]) / Median(wall[1]),4:F2}, mean ratio {wall[0].Average() / wall[1].Average(),4:F2}");
    }

    private const int ClockProcessCpuTime = 2;
    private const int ClockThreadCpuTime = 3;

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private static double CpuMicroseconds(int clock)
    {
        ClockGetTime(clock, out TimeSpec time);
        return time.Seconds * 1e6 + time.Nanoseconds / 1e3;
    }

    /// <summary>
    /// <c>--small --verbose</c>: where a cold start's time goes (best and median of each phase over
    /// <paramref name="repeat"/> more runs: load and instantiate, the call, disposal; gen-0 collections and KiB allocated)
    /// and what the last run promoted.
    /// </summary>
    private static void PrintColdPhases(CorpusProgram program, EngineConfig config, int repeat)
    {
        var load = new List<double>();
        var call = new List<double>();
        var dispose = new List<double>();
        var gcs = new List<double>();
        var allocated = new List<double>();
        WasmEngine? last = null;
        for (int r = 0; r < repeat; r++)
        {
            int gc0 = GC.CollectionCount(0);
            long bytes = GC.GetTotalAllocatedBytes(precise: false);
            long start = Stopwatch.GetTimestamp();
            var runner = new EngineRunner(program, config);
            long loaded = Stopwatch.GetTimestamp();
            runner.Run(program.SmallArg);
            long ran = Stopwatch.GetTimestamp();
            runner.Dispose();
            long end = Stopwatch.GetTimestamp();
            load.Add(Stopwatch.GetElapsedTime(start, loaded).TotalMicroseconds);
            call.Add(Stopwatch.GetElapsedTime(loaded, ran).TotalMicroseconds);
            dispose.Add(Stopwatch.GetElapsedTime(ran, end).TotalMicroseconds);
            last = runner.Engine;
            gcs.Add(GC.CollectionCount(0) - gc0);
            allocated.Add((GC.GetTotalAllocatedBytes(precise: false) - bytes) / 1024.0);
        }
        static string Show(List<double> samples)
        {
            var sorted = samples.Order().ToList();
            return $"{sorted[0],7:F0} / {sorted[sorted.Count / 2],7:F0}";
        }
        Console.WriteLine($"             us best / median: load+instantiate {Show(load)}   run {Show(call)}   dispose {Show(dispose)}   gen0 GCs {Show(gcs)}   KiB allocated {Show(allocated)}");
        if (last != null && config.Tier != TierMode.Interpreter)
        {
            foreach (FunctionPromotion promotion in last.TierStatistics.Promotions)
            {
                Console.WriteLine($"             {promotion}");
            }
        }
    }

    /// <summary>The result and the best wall-clock and process-cpu times (ms) of <paramref name="repeat"/> runs.</summary>
    /// <summary>
    /// <c>quick --ab-passes LIST</c>: per program, rounds taking turns between the optimizing tier with every pass (A), the
    /// same without the passes of LIST (B) and wasmtime, best cpu time of each over <paramref name="repeat"/> rounds, and
    /// the ratios to wasmtime: a before/after of one pass in one process, on the same machine load.
    /// </summary>
    private static int ComparePasses(EngineConfig config, Engine.Optimizing.OptimizingPasses without, int repeat, List<string> names)
    {
        var all = new Engine.Optimizing.OptimizingCompiler();
        var fewer = new Engine.Optimizing.OptimizingCompiler { Passes = Engine.Optimizing.OptimizingPasses.All & ~without };
        EngineConfig a = config with { Compilers = [new Engine.Baseline.BaselineCompiler(), all] };
        EngineConfig b = config with { Compilers = [new Engine.Baseline.BaselineCompiler(), fewer] };
        var ratiosA = new List<double>();
        var ratiosB = new List<double>();
        int failures = 0;
        foreach (CorpusProgram program in Corpus.Programs.Where(p => names.Count == 0 || names.Contains(p.Name)))
        {
            using var runnerA = new EngineRunner(program, a);
            using var runnerB = new EngineRunner(program, b);
            using var reference = new WasmtimeRunner(program);
            double cpuA = double.MaxValue, cpuB = double.MaxValue, cpuW = double.MaxValue;
            for (int r = 0; r < repeat; r++)
            {
                var (resultA, _, ca) = Measure(runnerA.Run, program.DefaultArg, 1);
                var (resultB, _, cb) = Measure(runnerB.Run, program.DefaultArg, 1);
                var (_, _, cw) = Measure(reference.Run, program.DefaultArg, 1);
                failures += (resultA == program.ExpectedValue ? 0 : 1) + (resultB == program.ExpectedValue ? 0 : 1);
                cpuA = Math.Min(cpuA, ca);
                cpuB = Math.Min(cpuB, cb);
                cpuW = Math.Min(cpuW, cw);
            }
            ratiosA.Add(cpuA / cpuW);
            ratiosB.Add(cpuB / cpuW);
            Console.WriteLine($"{program.Name,-12} all passes {cpuA,8:F1} ms cpu   without {cpuB,8:F1} ms cpu   wasmtime {cpuW,8:F1} ms cpu" +
                $"   ratios {cpuA / cpuW,5:F2} / {cpuB / cpuW,5:F2}");
        }
        if (ratiosA.Count > 0)
        {
            Console.WriteLine($"geometric mean of the cpu-time ratios: all passes {Math.Exp(ratiosA.Average(Math.Log)):F2} (worst {ratiosA.Max():F2}), " +
                $"without {Math.Exp(ratiosB.Average(Math.Log)):F2} (worst {ratiosB.Max():F2})");
        }
        if (failures > 0)
        {
            Console.WriteLine($"{failures} wrong results");
        }
        return failures == 0 ? 0 : 1;
    }

    private static (long Result, double Ms, double Cpu) Measure(Func<int, long> run, int argument, int repeat)
    {
        long result = 0;
        double ms = double.MaxValue, cpu = double.MaxValue;
        using Process self = Process.GetCurrentProcess();
        for (int r = 0; r < repeat; r++)
        {
            self.Refresh();
            TimeSpan cpuStart = self.TotalProcessorTime;
            var stopwatch = Stopwatch.StartNew();
            result = run(argument);
            ms = Math.Min(ms, stopwatch.Elapsed.TotalMilliseconds);
            self.Refresh();
            cpu = Math.Min(cpu, (self.TotalProcessorTime - cpuStart).TotalMilliseconds);
        }
        return (result, ms, cpu);
    }
}
