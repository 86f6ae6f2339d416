using System.Diagnostics;
using System.Reflection;
using Engine.Benchmarks.Perf;
using Engine.Benchmarks.Perf.Regression;
using Engine.Runtime;
using Engine.Tools;
using NUnit.Framework;

namespace Engine.Tests.Perf;

/// <summary>What a regression run measures: the engine table, the plan, the phase operations, and one tiny run end to end.</summary>
[TestFixture]
public sealed class RegressionTests
{
    private static RegressionPlan Plan(params string[] args) =>
        RegressCommand.CreatePlan(CommandOptions.Parse(args, ["--quick", "--full"], ["--programs", "--engines", "--phases", "--rounds", "--arg"]));

    [Test]
    public void EveryTierModeHasAnEngineVariant()
    {
        foreach (TierMode mode in Enum.GetValues<TierMode>())
        {
            Assert.That(EngineVariants.Ours.Any(v => v.Config.Tier == mode), Is.True,
                $"TierMode.{mode} has no row in EngineVariants.All: regression runs would not measure it");
        }
    }

    [Test]
    public void QuickPlansUseSmallArgumentsAndAlwaysMeasureTheReferences()
    {
        RegressionPlan plan = Plan("--programs", "fib,sieve", "--engines", "interpreter");
        Assert.That(plan.Mode, Is.EqualTo("quick"));
        Assert.That(plan.Size, Is.EqualTo(ProgramSize.Small));
        Assert.That(plan.Rounds, Is.EqualTo(2), "8 samples a side: enough for p < 0.001 in a one-sided rank test");
        Assert.That(plan.Programs.Select(p => p.Name), Is.EqualTo(new[] { "fib", "sieve" }));
        Assert.That(plan.Engines.Select(e => e.Name), Is.EquivalentTo(new[] { "interpreter", "wasmtime" }));
        Assert.That(Plan("--full").Size, Is.EqualTo(ProgramSize.Default));
        Assert.That(Plan("--full").Rounds, Is.EqualTo(3));
        Assert.That(Plan().Programs, Has.Count.EqualTo(ProgramCatalog.Corpus.Count));
    }

    [Test]
    public void UnknownNamesAreUsageErrors()
    {
        Assert.Throws<UsageException>(() => Plan("--phases", "warp"));
        Assert.Throws<UsageException>(() => Plan("--quick", "--full"));
        Assert.Throws<UsageException>(() => Plan("--rounds", "0"));
        Assert.Throws<ArgumentException>(() => Plan("--engines", "v8"));
        Assert.Throws<ArgumentException>(() => Plan("no-such-program"));
    }

    [Test]
    public void OnlyThePhasesThatApplyAreMeasured()
    {
        RegressionPlan plan = Plan("--programs", "fib");
        Assert.That(plan.Includes("fib", "interpreter", Phases.DecodeValidate), Is.True);
        Assert.That(plan.Includes("fib", "wasmtime", Phases.DecodeValidate), Is.False, "wasmtime's compile includes it");
        Assert.That(Phases.All.Count(p => plan.Includes("fib", "interpreter", p)), Is.EqualTo(5));
    }

    [Test]
    public void BareModulesWithImportsAreOnlyLoaded()
    {
        string folder = Directory.CreateTempSubdirectory("perf-bare-").FullName;
        try
        {
            string withImport = Path.Combine(folder, "hosted.wat");
            File.WriteAllText(withImport, """(module (import "env" "f" (func)) (func (export "run") (param i32) (result i32) (local.get 0)))""");
            string standalone = Path.Combine(folder, "double.wat");
            File.WriteAllText(standalone, """(module (func (export "run") (param i32) (result i64) (i64.extend_i32_s (i32.add (local.get 0) (local.get 0)))))""");

            RegressionPlan plan = Plan("--programs", "fib", "--arg", "21", withImport, standalone);
            Assert.That(Phases.All.Where(p => plan.Includes("hosted", "interpreter", p)), Is.EqualTo(new[] { Phases.DecodeValidate, Phases.Compile }));
            BenchProgram doubled = plan.Program("double");
            Assert.That((doubled.Export, doubled.ReturnsI64, doubled.SmallArgument), Is.EqualTo(("run", true, 21)));
            using PhaseOperation run = EngineVariants.Interpreter.Prepare(doubled, Phases.FirstResult, 21);
            Assert.That(run.Run(), Is.EqualTo(42));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestCase("interpreter")]
    [TestCase("wasmtime")]
    public void EveryPhaseOperationRunsAndChecksItsResult(string engineName)
    {
        EngineVariant engine = EngineVariants.Get(engineName);
        BenchProgram fib = ProgramCatalog.Corpus.Single(p => p.Name == "fib");
        foreach (string phase in Phases.All.Where(p => engine.Applies(fib, p)))
        {
            using PhaseOperation operation = engine.Prepare(fib, phase, fib.SmallArgument);
            long result = operation.Run();
            if (phase is Phases.Execute or Phases.FirstResult)
            {
                Assert.That(result, Is.EqualTo(fib.SmallExpected), $"{engineName} {phase}");
            }
        }
        BenchProgram wrong = fib with { SmallExpected = 1 };
        Assert.Throws<InvalidOperationException>(() => engine.Prepare(wrong, Phases.Execute, wrong.SmallArgument).Dispose());
    }

    [Test]
    public void ATinyRunWritesAResultWithSamples()
    {
        if (typeof(PhaseBenchmarks).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true)
        {
            Assert.Ignore("BenchmarkDotNet measures optimised builds only: run the tests with -c Release");
        }
        string output = Path.Combine(Directory.CreateTempSubdirectory("perf-regress-").FullName, "result.json");
        var log = new StringWriter();
        int exitCode = RegressCommand.Run(["--quick", "--rounds", "2", "--programs", "fib", "--engines", "interpreter,wasmtime", "--phases", "decode-validate,instantiate", "--out", output,
            "--artifacts", Path.Combine(Path.GetDirectoryName(output)!, "artifacts")], log);

        Assert.That(exitCode, Is.EqualTo(0), log.ToString());
        PerfResult result = PerfResult.Load(output);
        Assert.That(result.Measurements.Select(m => m.Key), Is.EquivalentTo(new[]
        {
            "fib/interpreter/decode-validate", "fib/interpreter/instantiate", "fib/wasmtime/instantiate",
        }));
        Assert.That(result.Measurements.All(m => m.Samples.Count == 2 * 4 && m.Median > 0 && m.CiLower <= m.Median && m.Median <= m.CiUpper));
        Assert.That(result.References, Is.EquivalentTo(new[] { "interpreter", "wasmtime" }));
        Assert.That(result.EngineVersions["wasmtime"], Is.EqualTo(WasmtimeVariant.Version));
        Directory.Delete(Path.GetDirectoryName(output)!, recursive: true);
    }
}
