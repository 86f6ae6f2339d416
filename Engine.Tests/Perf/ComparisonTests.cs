using Engine.Benchmarks.Perf;
using Engine.Benchmarks.Perf.Comparison;
using NUnit.Framework;

namespace Engine.Tests.Perf;

/// <summary>The comparison of two results: significance, thresholds, references, normalisation and exit codes.</summary>
[TestFixture]
public sealed class ComparisonTests
{
    private static readonly ComparisonOptions s_defaults = new();

    private static ComparisonRow Row(ComparisonReport report, string engine, string phase = Phases.Execute) =>
        report.Rows.Single(r => r.Program == "fib" && r.Engine == engine && r.Phase == phase);

    [Test]
    public void TheSameMeasurementsAreUnchanged()
    {
        ComparisonReport report = ResultComparer.Compare(PerfTestData.Result(), PerfTestData.Result(), s_defaults);
        Assert.That(Row(report, "interpreter").Verdict, Is.EqualTo(Verdict.Same));
        Assert.That(report.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void ASignificantSlowdownBeyondTheThresholdIsARegression()
    {
        ComparisonReport report = ResultComparer.Compare(PerfTestData.Result(), PerfTestData.Result(interpreter: 1_200_000), s_defaults);
        ComparisonRow row = Row(report, "interpreter");
        Assert.That(row.Verdict, Is.EqualTo(Verdict.Slower));
        Assert.That(row.Ratio, Is.EqualTo(1.2).Within(1e-9));
        Assert.That(row.PValue, Is.LessThan(0.01));
        Assert.That(report.ExitCode, Is.EqualTo(1));
    }

    [Test]
    public void ASlowdownBelowTheThresholdDoesNotCount()
    {
        PerfResult slower = PerfTestData.Result(interpreter: 1_030_000, spread: 0.002);
        Assert.That(Row(ResultComparer.Compare(PerfTestData.Result(spread: 0.002), slower, s_defaults), "interpreter").Verdict,
            Is.EqualTo(Verdict.Same), "3% against 5%");
        ComparisonReport strict = ResultComparer.Compare(PerfTestData.Result(spread: 0.002), slower, s_defaults with { Threshold = 0.01 });
        Assert.That(Row(strict, "interpreter").Verdict, Is.EqualTo(Verdict.Slower), "3% against 1%");
        Assert.That(strict.ExitCode, Is.EqualTo(1));
    }

    [Test]
    public void ANoisyChangeIsNotSignificant()
    {
        // 10% apart, but each sample set spreads +-40%: the ranks interleave.
        ComparisonReport report = ResultComparer.Compare(PerfTestData.Result(spread: 0.4), PerfTestData.Result(interpreter: 1_100_000, spread: 0.4), s_defaults);
        Assert.That(Row(report, "interpreter").Verdict, Is.EqualTo(Verdict.Same));
        Assert.That(report.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void ASpeedupIsReportedButDoesNotFail()
    {
        ComparisonReport report = ResultComparer.Compare(PerfTestData.Result(), PerfTestData.Result(baseline: 50_000), s_defaults);
        Assert.That(Row(report, "baseline").Verdict, Is.EqualTo(Verdict.Faster));
        Assert.That(report.ExitCode, Is.EqualTo(0));
    }

    [TestCase(SignificanceTest.MannWhitney)]
    [TestCase(SignificanceTest.Welch)]
    public void BothTestsSeeAClearRegression(SignificanceTest test)
    {
        ComparisonReport report = ResultComparer.Compare(PerfTestData.Result(), PerfTestData.Result(interpreter: 1_500_000), s_defaults with { Test = test });
        Assert.That(Row(report, "interpreter").Verdict, Is.EqualTo(Verdict.Slower));
    }

    [Test]
    public void WasmtimeIsAYardstickAndNeverJudged()
    {
        ComparisonReport report = ResultComparer.Compare(PerfTestData.Result(), PerfTestData.Result(wasmtime: 90_000), s_defaults);
        Assert.That(Row(report, "wasmtime").Verdict, Is.EqualTo(Verdict.Reference));
        Assert.That(report.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void ASlowerMachineIsNotARegressionOnceNormalised()
    {
        // Everything, wasmtime included, takes twice as long on the other machine.
        var otherMachine = PerfTestData.Machine with { Cpu = "Slower CPU" };
        PerfResult slowMachine = PerfTestData.Result(machine: otherMachine, scale: 2);

        ComparisonReport auto = ResultComparer.Compare(PerfTestData.Result(), slowMachine, s_defaults);
        Assert.That(auto.NormalizedBy, Is.EqualTo("wasmtime"), "another kind of machine: auto normalises by wasmtime");
        Assert.That(Row(auto, "interpreter").Verdict, Is.EqualTo(Verdict.Same));
        Assert.That(Row(auto, "interpreter").New, Is.EqualTo(1_000_000.0 / 30_000).Within(1e-6), "in multiples of wasmtime's execute");
        Assert.That(Row(auto, "interpreter", Phases.DecodeValidate).New, Is.EqualTo(8_000.0 / 1_500_000).Within(1e-9),
            "decode-validate is measured against wasmtime's compile, which includes it");
        Assert.That(auto.ExitCode, Is.EqualTo(0));

        ComparisonReport raw = ResultComparer.Compare(PerfTestData.Result(), slowMachine, s_defaults with { Normalize = "none" });
        Assert.That(raw.NormalizedBy, Is.Null);
        Assert.That(Row(raw, "interpreter").Verdict, Is.EqualTo(Verdict.Slower));
    }

    [Test]
    public void ARealRegressionShowsThroughNormalisation()
    {
        var otherMachine = PerfTestData.Machine with { Cpu = "Slower CPU" };
        // The machine is 2x slower and the interpreter itself got 30% slower on top.
        PerfResult worse = PerfTestData.Result(interpreter: 1_300_000, machine: otherMachine, scale: 2);
        ComparisonReport report = ResultComparer.Compare(PerfTestData.Result(), worse, s_defaults);
        Assert.That(Row(report, "interpreter").Verdict, Is.EqualTo(Verdict.Slower));
        Assert.That(Row(report, "interpreter").Ratio, Is.EqualTo(1.3).Within(1e-6));
    }

    [Test]
    public void NormalisingByTheInterpreterJudgesTheOtherTiers()
    {
        // The baseline tier kept its speed relative to the interpreter although the machine is 3x slower.
        PerfResult slowMachine = PerfTestData.Result(scale: 3);
        ComparisonReport report = ResultComparer.Compare(PerfTestData.Result(), slowMachine, s_defaults with { Normalize = "interpreter" });
        Assert.That(Row(report, "interpreter").Verdict, Is.EqualTo(Verdict.Reference));
        Assert.That(Row(report, "baseline").Verdict, Is.EqualTo(Verdict.Same));
        Assert.That(Row(report, "baseline").New, Is.EqualTo(0.1).Within(1e-9));
    }

    [Test]
    public void RowsWithoutAReferenceAreNotJudged()
    {
        PerfResult withoutWasmtime = PerfTestData.Result() with
        {
            Measurements = PerfTestData.Result().Measurements.Where(m => m.Engine != "wasmtime").ToArray(),
        };
        ComparisonReport report = ResultComparer.Compare(PerfTestData.Result(), withoutWasmtime, s_defaults with { Normalize = "wasmtime" });
        Assert.That(Row(report, "interpreter").Verdict, Is.EqualTo(Verdict.NoReference));
        Assert.That(report.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void AddedAndMissingCasesAreListed()
    {
        PerfResult old = PerfTestData.Result();
        PerfResult current = old with
        {
            Measurements = old.Measurements.Where(m => m.Engine != "baseline")
                .Append(PerfTestData.Measurement("sieve", "interpreter", Phases.Execute, 5_000_000)).ToArray(),
        };
        ComparisonReport report = ResultComparer.Compare(old, current, s_defaults);
        Assert.That(Row(report, "baseline").Verdict, Is.EqualTo(Verdict.Missing));
        Assert.That(report.Rows.Single(r => r.Program == "sieve").Verdict, Is.EqualTo(Verdict.Added));
        Assert.That(report.ExitCode, Is.EqualTo(0));
    }

    [TestCase("5%", 0.05)]
    [TestCase("2.5%", 0.025)]
    [TestCase("10", 0.10)]
    public void ThresholdsParseAsPercentages(string text, double expected) =>
        Assert.That(CompareCommand.ParseThreshold(text), Is.EqualTo(expected).Within(1e-12));
}

/// <summary>The <c>compare</c> command on result files: its table and exit codes.</summary>
[TestFixture]
public sealed class CompareCommandTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("perf-compare-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private string Save(string name, PerfResult result)
    {
        string path = Path.Combine(_folder, name);
        result.Save(path);
        return path;
    }

    private static (int ExitCode, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        int exitCode = CompareCommand.Run(args, output);
        return (exitCode, output.ToString());
    }

    [Test]
    public void UnchangedResultsExitWithZero()
    {
        string old = Save("old.json", PerfTestData.Result());
        (int exitCode, string output) = Run(old, Save("new.json", PerfTestData.Result()));
        Assert.That(exitCode, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("0 slower").And.Contain("unchanged"));
    }

    [Test]
    public void ARegressionExitsWithOneAndIsNamed()
    {
        string old = Save("old.json", PerfTestData.Result());
        (int exitCode, string output) = Run(old, Save("new.json", PerfTestData.Result(interpreter: 1_250_000)));
        Assert.That(exitCode, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain("SLOWER").And.Contain("+25.0%").And.Contain("REGRESSION"));
        Assert.That(output, Does.Match(@"fib\s+interpreter\s+execute\s+1\.000 ms\s+1\.250 ms"));
    }

    [Test]
    public void TheThresholdOptionDecides()
    {
        string old = Save("old.json", PerfTestData.Result(spread: 0.002));
        string current = Save("new.json", PerfTestData.Result(interpreter: 1_080_000, spread: 0.002));
        Assert.That(Run(old, current).ExitCode, Is.EqualTo(1));
        Assert.That(Run(old, current, "--threshold", "10%").ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void WithOneFileALocalBaselineIsJudged()
    {
        Save("baseline-quick.json", PerfTestData.Result());
        string current = Save("new.json", PerfTestData.Result(interpreter: 1_250_000));
        var output = new StringWriter();
        int exitCode = CompareCommand.Run([current], output, mode => Path.Combine(_folder, $"baseline-{mode}.json"), _ => Path.Combine(_folder, "absent.json"));
        Assert.That(exitCode, Is.EqualTo(1), output.ToString());
        Assert.That(output.ToString(), Does.Contain("measured on this machine").And.Contain("REGRESSION"));
    }

    [Test]
    public void WithOneFileTheCheckedInBaselineOnlyOrients()
    {
        // The same processor name and core count: a shared VM's name cannot tell machines apart, so it is never judged.
        string checkedIn = Save("checked-in.json", PerfTestData.Result());
        string current = Save("new.json", PerfTestData.Result(interpreter: 1_250_000));
        var output = new StringWriter();
        int exitCode = CompareCommand.Run([current], output, _ => Path.Combine(_folder, "absent.json"), _ => checkedIn);
        Assert.That(exitCode, Is.EqualTo(0), output.ToString());
        Assert.That(output.ToString(), Does.Contain("NOT JUDGED").And.Contain("baseline.sh").And.Contain("multiples of wasmtime")
            .And.Not.Contain("REGRESSION"));
    }

    [Test]
    public void BadUsageExitsWithTwo()
    {
        string old = Save("old.json", PerfTestData.Result());
        Assert.That(Run().ExitCode, Is.EqualTo(2));
        Assert.That(Run(old, Path.Combine(_folder, "absent.json")).ExitCode, Is.EqualTo(2));
        Assert.That(Run(old, old, "--threshold", "lots").ExitCode, Is.EqualTo(2));
        Assert.That(Run(old, old, "--bogus").ExitCode, Is.EqualTo(2));
        File.WriteAllText(Path.Combine(_folder, "other.json"), """{"schema":"x"}""");
        Assert.That(Run(old, Path.Combine(_folder, "other.json")).ExitCode, Is.EqualTo(2));
    }
}
