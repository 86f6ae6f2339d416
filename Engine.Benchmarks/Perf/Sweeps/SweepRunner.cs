using System.Diagnostics;
using Engine.Runtime;
using Engine.Runtime.Diagnostics;

namespace Engine.Benchmarks.Perf.Sweeps;

/// <summary>What a sweep runs: programs x values of one setting, each a few times.</summary>
public sealed record SweepPlan
{
    /// <summary>The setting varied.</summary>
    public required SweepSetting Setting { get; init; }

    /// <summary>Its values, in order (the chart's x axis).</summary>
    public required IReadOnlyList<string> Values { get; init; }

    /// <summary>Settings held fixed for every run (<c>--set NAME=VALUE</c>), applied before the swept one.</summary>
    public IReadOnlyList<(SweepSetting Setting, string Value)> Fixed { get; init; } = [];

    /// <summary>The programs.</summary>
    public required IReadOnlyList<BenchProgram> Programs { get; init; }

    /// <summary>Runs per (program, value); the summary takes medians.</summary>
    public int Runs { get; init; } = 3;

    /// <summary>Calls of run(n) per run (later calls show the effect of tier-up).</summary>
    public int Calls { get; init; } = 5;

    /// <summary>How much work each call does.</summary>
    public ProgramSize Size { get; init; } = ProgramSize.Small;

    /// <summary>Discarded runs before the measured ones of each (program, value), so .NET's JIT has compiled the engine.</summary>
    public int Warmups { get; init; } = 1;

    /// <summary>The engine configuration of a value.</summary>
    public EngineConfig ConfigFor(string value)
    {
        EngineConfig config = new();
        foreach ((SweepSetting setting, string fixedValue) in Fixed)
        {
            config = setting.Apply(config, fixedValue);
        }
        return Setting.Apply(config, value);
    }
}

/// <summary>One run of one program with one value: its times, and what happened in each tier.</summary>
public sealed record SweepRun
{
    public required string Program { get; init; }
    public required string Value { get; init; }

    /// <summary>1-based run number.</summary>
    public required int Run { get; init; }

    /// <summary>From the module's bytes to the last call's return.</summary>
    public required double TotalMs { get; init; }

    /// <summary>From the module's bytes to the first call's return.</summary>
    public required double FirstResultMs { get; init; }

    /// <summary>Decode, validate and whatever the tier mode does when loading.</summary>
    public required double LoadMs { get; init; }

    /// <summary>Instantiation.</summary>
    public required double InstantiateMs { get; init; }

    /// <summary>Each call of run(n).</summary>
    public required IReadOnlyList<double> CallMs { get; init; }

    /// <summary>Time spent translating or compiling, by tier.</summary>
    public required IReadOnlyDictionary<string, double> CompileMsByTier { get; init; }

    /// <summary>Distinct functions that reached each tier (translated for the interpreter, promoted for the others).</summary>
    public required IReadOnlyDictionary<string, int> FunctionsByTier { get; init; }

    /// <summary>Every translation, compilation and promotion, in order.</summary>
    public required IReadOnlyList<TierEvent> Timeline { get; init; }
}

/// <summary>Runs a <see cref="SweepPlan"/> in this process, one fresh engine per run, following each engine's events.</summary>
public static class SweepRunner
{
    /// <summary>
    /// Runs every (program, value, run); <paramref name="progress"/> hears about each. The values take turns (run 1 of
    /// each value, then run 2 of each...) so that drift over the sweep, such as .NET's JIT still tiering up the engine,
    /// does not favour the values measured last.
    /// </summary>
    public static IReadOnlyList<SweepRun> Run(SweepPlan plan, TextWriter? progress = null)
    {
        var runs = new List<SweepRun>();
        using var recorder = new TierEventRecorder();
        foreach (BenchProgram program in plan.Programs.Where(p => p.CanRun))
        {
            byte[] bytes = program.ReadBytes();
            var configs = plan.Values.ToDictionary(v => v, plan.ConfigFor);
            foreach (string value in plan.Values)
            {
                for (int warmup = 0; warmup < plan.Warmups; warmup++)
                {
                    RunOnce(program, bytes, value, 0, configs[value], plan, recorder);
                }
            }
            for (int run = 1; run <= plan.Runs; run++)
            {
                foreach (string value in plan.Values)
                {
                    SweepRun result = RunOnce(program, bytes, value, run, configs[value], plan, recorder);
                    runs.Add(result);
                    progress?.WriteLine($"{program.Name,-12} {plan.Setting.Name}={value,-10} run {run}: total {result.TotalMs,9:F2} ms, " +
                                        $"first result {result.FirstResultMs,9:F2} ms");
                }
            }
        }
        return runs.OrderBy(r => plan.Programs.ToList().FindIndex(p => p.Name == r.Program))
            .ThenBy(r => plan.Values.ToList().IndexOf(r.Value)).ThenBy(r => r.Run).ToArray();
    }

    private static SweepRun RunOnce(BenchProgram program, byte[] bytes, string value, int run, EngineConfig config, SweepPlan plan, TierEventRecorder recorder)
    {
        int argument = program.ArgumentFor(plan.Size);
        var engine = new WasmEngine(config);
        recorder.Follow(engine.Id);
        long start = Stopwatch.GetTimestamp();
        Module module = Module.FromBytes(engine, bytes, program.Name);
        double loadMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        using var store = new Store(engine);
        if (config.ConsumeFuel)
        {
            store.SetFuel(long.MaxValue);
        }
        Instance instance = new Linker(engine).Instantiate(store, module);
        double instantiateMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds - loadMs;
        Func<int, long> call = OurEngineVariant.RunOf(program, instance);
        var callMs = new double[plan.Calls];
        double firstResultMs = 0;
        for (int i = 0; i < plan.Calls; i++)
        {
            long callStart = Stopwatch.GetTimestamp();
            long result = call(argument);
            callMs[i] = Stopwatch.GetElapsedTime(callStart).TotalMilliseconds;
            if (i == 0)
            {
                firstResultMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            program.Check(argument, result);
        }
        double totalMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        IReadOnlyList<TierEvent> timeline = recorder.Stop();
        return new SweepRun
        {
            Program = program.Name,
            Value = value,
            Run = run,
            TotalMs = totalMs,
            FirstResultMs = firstResultMs,
            LoadMs = loadMs,
            InstantiateMs = instantiateMs,
            CallMs = callMs,
            CompileMsByTier = timeline.Where(e => e.Kind != TierEvent.Promote)
                .GroupBy(e => e.Tier).ToDictionary(g => g.Key, g => g.Sum(e => e.DurationMs)),
            FunctionsByTier = timeline.Where(e => e.Kind is TierEvent.Translate or TierEvent.Promote)
                .GroupBy(e => e.Tier).ToDictionary(g => g.Key, g => g.Select(e => e.FunctionIndex).Distinct().Count()),
            Timeline = timeline,
        };
    }
}
