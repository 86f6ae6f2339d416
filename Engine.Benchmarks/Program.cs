using BenchmarkDotNet.Running;
using Engine.Benchmarks.Perf.Comparison;
using Engine.Benchmarks.Perf.Regression;
using Engine.Benchmarks.Perf.Sweeps;

namespace Engine.Benchmarks;

/// <summary>
/// Runs the BenchmarkDotNet suites of the engine: <c>dotnet run -c Release --project Engine.Benchmarks -- --filter '*'</c>
/// (any BenchmarkDotNet switch works; <c>--list flat</c> lists the suites), and the perf tools:
/// <c>regress</c> (a regression run to JSON), <c>compare OLD NEW</c>, <c>sweep</c> (tier-tuning experiments) and
/// <c>quick</c> (a smoke run of the corpus), <c>quick-bounds</c> (guard pages against explicit checks, taking turns), <c>real</c> (the real programs against
/// wasmtime and node, whole processes taking turns).
/// </summary>
internal static class Program
{
    private static int Main(string[] args) => args switch
    {
        ["quick", .. var rest] => QuickRun.Run(rest),
        ["quick-compile", .. var rest] => QuickRun.Compile(rest),
        ["quick-bounds", .. var rest] => QuickBoundsRun.Run(rest),
        ["real", .. var rest] => RealRun.Run(rest),
        ["regress", .. var rest] => RegressCommand.Run(rest, Console.Out),
        ["compare", .. var rest] => CompareCommand.Run(rest, Console.Out),
        ["sweep", .. var rest] => SweepCommand.Run(rest, Console.Out),
        _ => RunSuites(args),
    };

    private static int RunSuites(string[] args)
    {
        // The phase cases belong to 'regress', which picks the combinations that apply.
        Type[] suites = typeof(Program).Assembly.GetTypes()
            .Where(t => t.IsPublic && !t.IsAbstract && t != typeof(PhaseBenchmarks)
                && t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute), false)))
            .ToArray();
        BenchmarkSwitcher.FromTypes(suites).Run(args);
        return 0;
    }
}
