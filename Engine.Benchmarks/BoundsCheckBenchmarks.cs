using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Engine.Core;
using Engine.Runtime;

namespace Engine.Benchmarks;

/// <summary>
/// The corpus in the compiled tiers with guard-page memories (the default) against explicit bounds checks, in one run:
/// the ratio Explicit / GuardPages per program and tier is what the guard pages buy (tiers.md section 4, "Bounds checks").
/// </summary>
[Config(typeof(ExecutionConfig))]
public class BoundsCheckBenchmarks
{
    private EngineRunner? _runner;
    private CorpusProgram _program = null!;

    /// <summary>The program of the corpus.</summary>
    [ParamsSource(nameof(ProgramNames))]
    public string Program { get; set; } = "";

    /// <summary>The tier every function is compiled by.</summary>
    [Params(TierMode.Baseline, TierMode.Optimizing)]
    public TierMode Tier { get; set; }

    /// <summary>How the code checks memory accesses.</summary>
    [Params(BoundsCheckStrategy.GuardPages, BoundsCheckStrategy.Explicit)]
    public BoundsCheckStrategy BoundsChecks { get; set; }

    public static IEnumerable<string> ProgramNames => Corpus.Programs.Select(p => p.Name);

    [GlobalSetup]
    public void Setup()
    {
        _program = Corpus.Get(Program);
        _runner = new EngineRunner(_program, new EngineConfig { Tier = Tier, BoundsChecks = BoundsChecks });
        if (_runner.Run(_program.DefaultArg) != _program.ExpectedValue)
        {
            throw new InvalidOperationException($"{_program.Name}: wrong result");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _runner?.Dispose();

    [Benchmark]
    public long Run() => _runner!.Run(_program.DefaultArg);
}

/// <summary>
/// <c>memory.grow</c> by one page, 1,000 times from one page, then the memory is dropped: the cost of growing a
/// guard-page memory (an mprotect of the next page of its reservation) against an explicit one (the same, in a smaller
/// reservation).
/// </summary>
[Config(typeof(GrowConfig))]
public class MemoryGrowBenchmarks
{
    private static readonly byte[] s_module = Engine.Text.WatParser.ParseModule("""
        (module (memory 1)
          (func (export "grow") (param $n i32) (result i32)
            (loop $l
              (drop (memory.grow (i32.const 1)))
              (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
            (memory.size)))
        """);

    private WasmEngine _engine = null!;
    private Module _module = null!;

    /// <summary>How the code checks memory accesses (and so what the memory reserves).</summary>
    [Params(BoundsCheckStrategy.GuardPages, BoundsCheckStrategy.Explicit)]
    public BoundsCheckStrategy BoundsChecks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline, BoundsChecks = BoundsChecks });
        _module = Module.FromBytes(_engine, s_module);
    }

    [Benchmark]
    public int Grow1000()
    {
        using var store = new Store(_engine);
        Instance instance = new Linker(_engine).Instantiate(store, _module);
        return instance.GetFunction("grow")!.Invoke(Value.I32(1000))[0].AsI32();
    }
}

/// <summary>Short operations: the default job, fewer iterations.</summary>
public sealed class GrowConfig : BenchmarkDotNet.Configs.ManualConfig
{
    public GrowConfig()
    {
        AddJob(BenchmarkDotNet.Jobs.Job.ShortRun.WithId("grow"));
        HideColumns("Error", "StdDev");
    }
}

/// <summary>
/// <c>quick-bounds [--tier baseline|optimizing] [--rounds N] [NAME...]</c>: each corpus program with guard pages and with
/// explicit checks in one process, the two taking turns (N rounds after one warm-up run each), so both see the same
/// machine load: prints the best and median time of each and the ratio of the medians. Times are the calling thread's
/// CPU time (<c>CLOCK_THREAD_CPUTIME_ID</c>), not wall time, so time spent waiting for a core on a loaded machine does
/// not count. A quick A/B on a noisy machine; <see cref="BoundsCheckBenchmarks"/> is the measurement.
/// </summary>
internal static class QuickBoundsRun
{
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGettime(int clock, out Timespec time);

    /// <summary>The calling thread's CPU time in milliseconds.</summary>
    private static double ThreadCpuMilliseconds()
    {
        ClockGettime(3, out Timespec time); // CLOCK_THREAD_CPUTIME_ID
        return time.Seconds * 1e3 + time.Nanoseconds / 1e6;
    }

    public static int Run(string[] args)
    {
        var tiers = new List<TierMode>();
        int rounds = 7;
        var names = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--tier" && i + 1 < args.Length)
            {
                tiers.Add(Enum.Parse<TierMode>(args[++i], ignoreCase: true));
            }
            else if (args[i] == "--rounds" && i + 1 < args.Length)
            {
                rounds = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                names.Add(args[i]);
            }
        }
        if (tiers.Count == 0)
        {
            tiers.AddRange([TierMode.Baseline, TierMode.Optimizing]);
        }
        IEnumerable<CorpusProgram> programs = names.Count == 0 ? Corpus.Programs : names.Select(Corpus.Get);
        Console.WriteLine("| program | tier | guard pages: best / median ms | explicit: best / median ms | explicit / guard (medians) |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        foreach (CorpusProgram program in programs)
        {
            foreach (TierMode tier in tiers)
            {
                using var guard = new EngineRunner(program, new EngineConfig { Tier = tier, BoundsChecks = BoundsCheckStrategy.GuardPages });
                using var explicitChecks = new EngineRunner(program, new EngineConfig { Tier = tier, BoundsChecks = BoundsCheckStrategy.Explicit });
                var times = new[] { new List<double>(), new List<double>() };
                EngineRunner[] runners = [guard, explicitChecks];
                for (int round = -1; round < rounds; round++)
                {
                    // Alternate which goes first, so neither always runs right after the other.
                    for (int k = 0; k < 2; k++)
                    {
                        int which = (round + k) & 1;
                        double start = ThreadCpuMilliseconds();
                        long result = runners[which].Run(program.DefaultArg);
                        double elapsed = ThreadCpuMilliseconds() - start;
                        if (result != program.ExpectedValue)
                        {
                            Console.Error.WriteLine($"{program.Name}: wrong result {result}");
                            return 1;
                        }
                        if (round >= 0)
                        {
                            times[which].Add(elapsed);
                        }
                    }
                }
                double Median(List<double> t) => t.Order().ElementAt(t.Count / 2);
                Console.WriteLine($"| {program.Name} | {tier} | {times[0].Min():F1} / {Median(times[0]):F1} | " +
                                  $"{times[1].Min():F1} / {Median(times[1]):F1} | {Median(times[1]) / Median(times[0]):F3} |");
            }
        }
        GrowRun(rounds);
        return 0;
    }

    /// <summary>memory.grow by one page 1,000 times (a new store each time), the two kinds of memory taking turns.</summary>
    private static void GrowRun(int rounds)
    {
        var benchmarks = new[] { new MemoryGrowBenchmarks { BoundsChecks = BoundsCheckStrategy.GuardPages }, new MemoryGrowBenchmarks { BoundsChecks = BoundsCheckStrategy.Explicit } };
        var times = new[] { new List<double>(), new List<double>() };
        foreach (MemoryGrowBenchmarks benchmark in benchmarks)
        {
            benchmark.Setup();
        }
        for (int round = -5; round < rounds * 10; round++)
        {
            for (int k = 0; k < 2; k++)
            {
                int which = (round + k) & 1;
                double start = ThreadCpuMilliseconds();
                int pages = benchmarks[which].Grow1000();
                double elapsed = ThreadCpuMilliseconds() - start;
                if (pages != 1001)
                {
                    throw new InvalidOperationException($"memory.grow: {pages} pages after 1,000 grows, expected 1001");
                }
                if (round >= 0)
                {
                    times[which].Add(elapsed);
                }
            }
        }
        double Median(List<double> t) => t.Order().ElementAt(t.Count / 2);
        Console.WriteLine($"| memory.grow x1000 (new store each) | baseline | {times[0].Min():F2} / {Median(times[0]):F2} | " +
                          $"{times[1].Min():F2} / {Median(times[1]):F2} | {Median(times[1]) / Median(times[0]):F3} |");
    }
}
