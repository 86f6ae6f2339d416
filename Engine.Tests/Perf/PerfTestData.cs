using Engine.Benchmarks.Perf;

namespace Engine.Tests.Perf;

/// <summary>Synthetic results for the format and comparison tests: samples around a median with a chosen spread.</summary>
internal static class PerfTestData
{
    public static readonly MachineInfo Machine = new("Linux", "Test CPU", 2, ".NET 10");

    /// <summary><paramref name="count"/> samples spread evenly over median x (1 +- spread).</summary>
    public static double[] Samples(double median, double spread = 0.01, int count = 10) =>
        Enumerable.Range(0, count).Select(i => median * (1 + spread * (2.0 * i / (count - 1) - 1))).ToArray();

    public static PhaseMeasurement Measurement(string program, string engine, string phase, double median, double spread = 0.01) =>
        PhaseMeasurement.FromSamples(program, engine, phase, phase == Phases.Execute ? 20 : null, Samples(median, spread));

    /// <summary>A result with fib's execute and compile rows for the interpreter, a "baseline" engine and wasmtime.</summary>
    public static PerfResult Result(double interpreter = 1_000_000, double wasmtime = 30_000, double baseline = 100_000,
        MachineInfo? machine = null, double spread = 0.01, double scale = 1) => new()
    {
        Mode = "quick",
        Machine = machine ?? Machine,
        Commit = "abc1234",
        References = ["interpreter", "wasmtime"],
        Measurements =
        [
            Measurement("fib", "interpreter", Phases.Execute, interpreter * scale, spread),
            Measurement("fib", "interpreter", Phases.DecodeValidate, 8_000 * scale, spread),
            Measurement("fib", "baseline", Phases.Execute, baseline * scale, spread),
            Measurement("fib", "wasmtime", Phases.Execute, wasmtime * scale, spread),
            Measurement("fib", "wasmtime", Phases.Compile, 1_500_000 * scale, spread),
        ],
    };
}
