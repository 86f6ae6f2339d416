using System.Text.Json;
using Engine.Benchmarks.Perf;
using NUnit.Framework;

namespace Engine.Tests.Perf;

/// <summary>The regression result file: its JSON shape, versioning and statistics.</summary>
[TestFixture]
public sealed class PerfResultTests
{
    [Test]
    public void RoundTripsThroughJson()
    {
        PerfResult result = PerfTestData.Result();
        string json = result.ToJson();
        PerfResult read = PerfResult.FromJson(json);

        Assert.That(read.ToJson(), Is.EqualTo(json));
        Assert.That(read.Mode, Is.EqualTo("quick"));
        Assert.That(read.Machine, Is.EqualTo(result.Machine));
        Assert.That(read.Measurements, Has.Count.EqualTo(result.Measurements.Count));
        PhaseMeasurement execute = read.Find("fib", "interpreter", Phases.Execute)!;
        Assert.That(execute.Samples, Is.EqualTo(result.Find("fib", "interpreter", Phases.Execute)!.Samples));
        Assert.That(execute.Argument, Is.EqualTo(20));
    }

    [Test]
    public void WritesTheDocumentedFieldNames()
    {
        using JsonDocument document = JsonDocument.Parse(PerfTestData.Result().ToJson());
        JsonElement root = document.RootElement;
        Assert.That(root.GetProperty("schema").GetString(), Is.EqualTo("wasm-engine-perf-result"));
        Assert.That(root.GetProperty("schemaVersion").GetInt32(), Is.EqualTo(1));
        Assert.That(root.EnumerateObject().Select(p => p.Name), Is.SupersetOf(new[]
        {
            "schema", "schemaVersion", "mode", "createdUtc", "machine", "commit", "engineVersions", "references", "measurements",
        }));
        JsonElement measurement = root.GetProperty("measurements")[0];
        Assert.That(measurement.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[]
        {
            "program", "engine", "phase", "argument", "median", "mean", "ciLower", "ciUpper", "ciLevel", "samples",
        }));
        Assert.That(root.GetProperty("machine").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "os", "cpu", "cores", "runtime" }));
    }

    [TestCase("""{"schema":"something-else","schemaVersion":1}""", "not a wasm-engine-perf-result")]
    [TestCase("""{"schema":"wasm-engine-perf-result"}""", "schema version 0")]
    [TestCase("""{"schema":"wasm-engine-perf-result","schemaVersion":2}""", "schema version 2")]
    public void RefusesOtherFormatsAndNewerVersions(string json, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => PerfResult.FromJson(json))!;
        Assert.That(error.Message, Does.Contain(message));
    }

    [Test]
    public void SummaryHasTheMedianInsideItsInterval()
    {
        double[] samples = [5, 1, 4, 2, 3, 100];
        SampleSummary summary = SampleSummary.Of(samples);
        Assert.That(summary.Median, Is.EqualTo(3.5));
        Assert.That(summary.Mean, Is.EqualTo(115.0 / 6));
        Assert.That(summary.CiLower, Is.LessThanOrEqualTo(summary.Median));
        Assert.That(summary.CiUpper, Is.GreaterThanOrEqualTo(summary.Median));

        SampleSummary single = SampleSummary.Of([7]);
        Assert.That((single.Median, single.CiLower, single.CiUpper), Is.EqualTo((7.0, 7.0, 7.0)));
    }

    [Test]
    public void MeasurementKeepsEverySampleInOrder()
    {
        PhaseMeasurement m = PhaseMeasurement.FromSamples("p", "e", Phases.Execute, 3, [30, 10, 20]);
        Assert.That(m.Samples, Is.EqualTo(new[] { 30.0, 10.0, 20.0 }));
        Assert.That(m.Median, Is.EqualTo(20));
        Assert.That(m.CiLevel, Is.EqualTo(0.95));
        Assert.That(m.Key, Is.EqualTo("p/e/execute"));
    }
}
