using BenchmarkDotNet.Running;

namespace Engine.Benchmarks;

/// <summary>
/// Runs the BenchmarkDotNet suites of the engine: <c>dotnet run -c Release --project Engine.Benchmarks -- --filter '*'</c>
/// (any BenchmarkDotNet switch works; <c>--list flat</c> lists the suites).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "quick")
        {
            return QuickRun.Run(args[1..]);
        }
        if (args.Length > 0 && args[0] == "quick-compile")
        {
            return QuickRun.Compile(args[1..]);
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
