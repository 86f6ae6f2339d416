using System.Diagnostics;
using Engine.Runtime;

namespace Engine.Benchmarks;

/// <summary>
/// <c>quick [--tier TIER] [NAME...]</c>: runs each corpus program once at its default size in our engine and
/// prints the time and whether the result is right. A smoke check for the shell, not a measurement.
/// </summary>
internal static class QuickRun
{
    public static int Run(string[] args)
    {
        TierMode tier = TierMode.Interpreter;
        int repeat = 1;
        bool wasmtime = false;
        bool verbose = false;
        bool small = false;
        bool sync = false;
        var names = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--tier" && i + 1 < args.Length)
            {
                tier = Enum.Parse<TierMode>(args[++i], ignoreCase: true);
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
            else if (args[i] == "--sync-compile")
            {
                sync = true;
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
        int failures = 0;
        var ratios = new List<double>();
        foreach (CorpusProgram program in Corpus.Programs.Where(p => names.Count == 0 || names.Contains(p.Name)))
        {
            if (small)
            {
                // Cold starts: a new engine, module and instance per run, at the small size.
                var (smallResult, smallMs, _) = Measure(n =>
                {
                    using var fresh = new EngineRunner(program, new EngineConfig { Tier = tier, BackgroundCompilation = !sync });
                    return fresh.Run(n);
                }, program.SmallArg, repeat);
                Console.WriteLine($"{program.Name,-12} {smallMs * 1000,10:F0} us cold  {(smallResult == program.SmallExpectedValue ? "ok" : "WRONG")}");
                continue;
            }
            try
            {
                using var runner = new EngineRunner(program, new EngineConfig { Tier = tier, BackgroundCompilation = !sync });
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

    /// <summary><c>quick-compile FILE...</c>: baseline compile throughput of each module (best of 5, after a warm-up).</summary>
    public static int Compile(string[] files)
    {
        var compiler = new Engine.Baseline.BaselineCompiler();
        foreach (string file in files)
        {
            Engine.Core.ModuleInfo module = Engine.Core.ModuleLoader.DecodeAndValidate(File.ReadAllBytes(file));
            double best = double.MaxValue;
            long wasm = 0, code = 0;
            int fallbacks = 0;
            for (int round = 0; round < 6; round++)
            {
                wasm = code = fallbacks = 0;
                var stopwatch = Stopwatch.StartNew();
                for (int i = module.ImportedFunctionCount; i < module.FunctionTypeIndices.Count; i++)
                {
                    var result = compiler.Compile(module, (uint)i, Engine.Core.CompilerOptions.Default);
                    if (result.Function is { } function)
                    {
                        wasm += function.WasmBodySize;
                        code += function.Code.Length;
                    }
                    else
                    {
                        fallbacks++;
                    }
                }
                if (round > 0)
                {
                    best = Math.Min(best, stopwatch.Elapsed.TotalSeconds);
                }
            }
            var reasons = new Dictionary<string, int>();
            for (int i = module.ImportedFunctionCount; i < module.FunctionTypeIndices.Count; i++)
            {
                if (compiler.Compile(module, (uint)i, Engine.Core.CompilerOptions.Default).Unsupported is { } reason)
                {
                    reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                }
            }
            var slow = new List<(double Ms, int Index, int Size)>();
            for (int i = module.ImportedFunctionCount; i < module.FunctionTypeIndices.Count; i++)
            {
                var sw = Stopwatch.StartNew();
                compiler.Compile(module, (uint)i, Engine.Core.CompilerOptions.Default);
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
            Console.WriteLine($"{Path.GetFileName(file)}: {wasm / best / 1e6:F1} MB/s ({wasm} wasm bytes in {best * 1000:F1} ms), " +
                              $"{(double)code / wasm:F2} code bytes per wasm byte, {fallbacks} functions not compiled");
        }
        return 0;
    }

    /// <summary>The result and the best wall-clock and process-cpu times (ms) of <paramref name="repeat"/> runs.</summary>
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
