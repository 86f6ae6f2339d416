using System.Xml.Linq;
using Engine.Benchmarks.Perf;
using Engine.Benchmarks.Perf.Sweeps;
using Engine.Runtime;
using Engine.Runtime.Diagnostics;
using Engine.Tools;
using NUnit.Framework;

namespace Engine.Tests.Perf;

/// <summary>Tier-tuning sweeps: the settings table, a sweep of a tiny program end to end, tier events and the charts.</summary>
[TestFixture]
public sealed class SweepTests
{
    /// <summary>run(n) calls three of its four functions, so three are translated.</summary>
    private const string TinyProgram = """
        (module
          (func $square (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
          (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
          (func $unused (result i32) (i32.const 7))
          (func $run (export "run") (param $n i32) (result i32) (local $i i32) (local $sum i32)
            (loop $l
              (local.set $sum (i32.add (local.get $sum) (call $square (local.get $i))))
              (local.set $i (call $inc (local.get $i)))
              (br_if $l (i32.lt_s (local.get $i) (local.get $n))))
            (local.get $sum)))
        """;

    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("perf-sweep-").FullName;

    /// <summary>Deletes the test's files; with PERF_TEST_OUTPUT set, first copies them there to be looked at.</summary>
    [TearDown]
    public void DeleteFolder()
    {
        if (Environment.GetEnvironmentVariable("PERF_TEST_OUTPUT") is { Length: > 0 } keep)
        {
            string target = Path.Combine(keep, TestContext.CurrentContext.Test.Name);
            foreach (string file in Directory.GetFiles(_folder, "*", SearchOption.AllDirectories))
            {
                string copy = Path.Combine(target, Path.GetRelativePath(_folder, file));
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(file, copy, overwrite: true);
            }
        }
        Directory.Delete(_folder, recursive: true);
    }

    private string TinyProgramFile()
    {
        string path = Path.Combine(_folder, "tiny.wat");
        File.WriteAllText(path, TinyProgram);
        return path;
    }

    private static SweepPlan Plan(params string[] args) => SweepCommand.CreatePlan(
        CommandOptions.Parse(args, [], ["--setting", "--values", "--set", "--runs", "--calls", "--warmups", "--size", "--out"]));

    [Test]
    public void SettingsApplyToAConfiguration()
    {
        EngineConfig config = new();
        Assert.That(SweepSettings.Get("epoch-interruption").Apply(config, "true").EpochInterruption, Is.True);
        Assert.That(SweepSettings.Get("max-stack-slots").Apply(config, "4096").MaxStackSlots, Is.EqualTo(4096));
        Assert.That(SweepSettings.Get("tier").Apply(config, "interp").Tier, Is.EqualTo(TierMode.Interpreter));
        Assert.That(SweepSettings.Get("call-threshold").Apply(config, "50").TierUpCallThreshold, Is.EqualTo(50));
        Assert.That(SweepSettings.Get("loop-threshold").Apply(config, "250").TierUpLoopThreshold, Is.EqualTo(250));
        Assert.That(SweepSettings.Get("background-compilation").Apply(config, "off").BackgroundCompilation, Is.False);
        Assert.Throws<UsageException>(() => SweepSettings.Get("loop-threshold").Apply(config, "0"));
        Assert.That(SweepSettings.Get("optimize-threshold").Apply(config, "0").TierUpOptimizeThreshold, Is.Zero);
        Assert.That(SweepSettings.Get("optimize-threshold").Apply(config, "5000").TierUpOptimizeThreshold, Is.EqualTo(5000));
        Assert.Throws<UsageException>(() => SweepSettings.Get("optimize-threshold").Apply(config, "-1"));
        Assert.That(SweepSettings.Get("program-thread-compile-size").Apply(config, "0").ProgramThreadCompileSize, Is.Zero);
        Assert.That(SweepSettings.Get("program-thread-compile-size").Apply(config, "1000").ProgramThreadCompileSize, Is.EqualTo(1000));
        Assert.Throws<UsageException>(() => SweepSettings.Get("program-thread-compile-size").Apply(config, "-5"));
        Assert.That(SweepSettings.Get("program-thread-compile-ms").Apply(config, "0.5").ProgramThreadCompileBudget, Is.EqualTo(TimeSpan.FromMilliseconds(0.5)));
        Assert.Throws<UsageException>(() => SweepSettings.Get("program-thread-compile-ms").Apply(config, "-1"));
        Assert.That(SweepSettings.Get("compile-wait-ms").Apply(config, "2").CompileWaitLimit, Is.EqualTo(TimeSpan.FromMilliseconds(2)));
        Assert.Throws<UsageException>(() => SweepSettings.Get("compile-wait-ms").Apply(config, "-1"));
        Assert.That(config.EpochInterruption, Is.False, "settings make new configurations");
        foreach (TierMode mode in Enum.GetValues<TierMode>())
        {
            Assert.That(SweepSettings.ParseTier(mode.ToString().ToLowerInvariant()), Is.EqualTo(mode));
        }
        Assert.Throws<UsageException>(() => SweepSettings.Get("warp-speed"));
        Assert.Throws<UsageException>(() => SweepSettings.Get("max-stack-slots").Apply(config, "lots"));
        Assert.Throws<UsageException>(() => SweepSettings.ParseTier("jit"));
    }

    [Test]
    public void FixedSettingsApplyUnderTheSweptOne()
    {
        SweepPlan plan = Plan("--setting", "max-call-depth", "--values", "100,1000", "--set", "fuel=on", "--set", "max-stack-slots=8192", "fib");
        EngineConfig config = plan.ConfigFor("1000");
        Assert.That((config.MaxCallDepth, config.ConsumeFuel, config.MaxStackSlots), Is.EqualTo((1000, true, 8192)));
        Assert.Throws<UsageException>(() => Plan("--values", "1"));
        Assert.Throws<UsageException>(() => Plan("--setting", "fuel", "--values", "maybe"));
        Assert.Throws<UsageException>(() => Plan("--setting", "fuel", "--values", "on", "--set", "fuel"));
    }

    [Test]
    public void ASweepOfATinyProgramWritesJsonCsvAndCharts()
    {
        string output = Path.Combine(_folder, "out");
        var log = new StringWriter();
        int exitCode = SweepCommand.Run(["--setting", "epoch-interruption", "--values", "false,true", "--runs", "2", "--calls", "3",
            "--warmups", "0", "--out", output, TinyProgramFile()], log);
        Assert.That(exitCode, Is.EqualTo(0), log.ToString());

        SweepResult result = SweepResult.FromJson(File.ReadAllText(Path.Combine(output, "sweep.json")));
        Assert.That(result.Setting, Is.EqualTo("epoch-interruption"));
        Assert.That(result.Runs, Has.Count.EqualTo(4));
        foreach (SweepRun run in result.Runs)
        {
            Assert.That(run.CallMs, Has.Count.EqualTo(3));
            Assert.That(run.FirstResultMs, Is.GreaterThan(0).And.LessThanOrEqualTo(run.TotalMs));
            Assert.That(run.FunctionsByTier[TierNames.Interpreter], Is.EqualTo(3), "run, square and inc; never unused");
            Assert.That(run.Timeline.Select(e => e.FunctionName), Is.EquivalentTo(new[] { "square", "inc", "run" }));
            Assert.That(run.Timeline.All(e => e.Kind == TierEvent.Translate && e.StartMs >= 0 && e.EndMs <= run.FirstResultMs));
            Assert.That(run.CompileMsByTier[TierNames.Interpreter], Is.GreaterThan(0));
        }
        Assert.That(result.Summary.Select(s => s.Value), Is.EqualTo(new[] { "false", "true" }));

        string[] summary = File.ReadAllLines(Path.Combine(output, "summary.csv"));
        Assert.That(summary[0], Is.EqualTo("program,setting,value,runs,total_ms,total_ms_min,total_ms_max,first_result_ms,load_ms,instantiate_ms," +
                                           "compile_ms_interpreter,functions_interpreter,reached_ms_interpreter"));
        Assert.That(summary, Has.Length.EqualTo(3));
        Assert.That(summary[1], Does.StartWith("tiny,epoch-interruption,false,2,"));
        Assert.That(File.ReadAllLines(Path.Combine(output, "runs.csv")), Has.Length.EqualTo(5));
        Assert.That(File.ReadAllLines(Path.Combine(output, "timeline.csv")), Has.Length.EqualTo(1 + 4 * 3));

        foreach (string chart in new[] { "total-time.svg", "first-result.svg", "timelines/tiny-false.svg", "timelines/tiny-true.svg" })
        {
            XDocument svg = XDocument.Load(Path.Combine(output, chart));
            Assert.That(svg.Root!.Name.LocalName, Is.EqualTo("svg"), chart);
            Assert.That(svg.ToString(), Does.Contain("epoch-interruption"), chart);
        }
    }

    [Test]
    public void BadUsageExitsWithTwo()
    {
        var log = new StringWriter();
        Assert.That(SweepCommand.Run(["--values", "1,2"], log), Is.EqualTo(2));
        Assert.That(log.ToString(), Does.Contain("--setting is required").And.Contain("max-stack-slots"));
    }

    [Test]
    public void TierUpEventsReachTheTimeline()
    {
        // What the baseline tier will report, emitted by hand: the recorder and the charts must take it as it comes.
        var engine = new WasmEngine();
        Module module = Module.FromText(engine, TinyProgram, "tiny");
        using var recorder = new TierEventRecorder();
        recorder.Follow(engine.Id);
        EngineEvents.CompilationStarted(module, 0, TierNames.Baseline, background: true);
        EngineEvents.CompilationFinished(module, 0, TierNames.Baseline, codeBytes: 96, TimeSpan.FromMilliseconds(0.5));
        EngineEvents.FunctionPromoted(module, 0, TierNames.Interpreter, TierNames.Baseline, calls: 1000, loopIterations: 0);
        IReadOnlyList<TierEvent> events = recorder.Stop();

        Assert.That(events.Select(e => (e.Kind, e.Tier, e.FunctionName)), Is.EqualTo(new[]
        {
            (TierEvent.Compile, TierNames.Baseline, "square"), (TierEvent.Promote, TierNames.Baseline, "square"),
        }));
        Assert.That(events[0].DurationMs, Is.EqualTo(0.5));
        Assert.That(events[0].CodeBytes, Is.EqualTo(96));
        Assert.That(events[1].Calls, Is.EqualTo(1000));

        var run = new SweepRun
        {
            Program = "tiny", Value = "10", Run = 1, TotalMs = 5, FirstResultMs = 2, LoadMs = 0.1, InstantiateMs = 0.1, CallMs = [1.8, 1.5, 1.5],
            CompileMsByTier = new Dictionary<string, double> { [TierNames.Interpreter] = 0.05, [TierNames.Baseline] = 0.5 },
            FunctionsByTier = new Dictionary<string, int> { [TierNames.Interpreter] = 2, [TierNames.Baseline] = 1 },
            Timeline =
            [
                new TierEvent(TierEvent.Translate, TierNames.Interpreter, 3, "run", 0.2, 0.03, 200),
                new TierEvent(TierEvent.Translate, TierNames.Interpreter, 0, "square", 0.25, 0.02, 40),
                .. events.Select(e => e with { StartMs = e.StartMs + 0.8 }),
            ],
        };
        var plan = new SweepPlan { Setting = SweepSettings.Get("max-call-depth"), Values = ["10"], Programs = [] };
        SweepResult result = SweepResult.Create(plan, [run]);
        Assert.That(result.Tiers, Is.EqualTo(new[] { TierNames.Interpreter, TierNames.Baseline }));
        Assert.That(result.Summary[0].ReachedMsByTier[TierNames.Baseline], Is.EqualTo(events[1].StartMs + 0.8));
        Assert.That(result.SummaryCsv(), Does.Contain("compile_ms_baseline,functions_baseline,reached_ms_baseline"));
        SweepCommand.Write(result, _folder);
        Assert.That(File.ReadAllText(Path.Combine(_folder, "timelines", "tiny-10.svg")), Does.Contain("to baseline"));
    }
}
