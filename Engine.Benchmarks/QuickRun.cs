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
        var names = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--tier" && i + 1 < args.Length)
            {
                tier = Enum.Parse<TierMode>(args[++i], ignoreCase: true);
            }
            else
            {
                names.Add(args[i]);
            }
        }
        int failures = 0;
        foreach (CorpusProgram program in Corpus.Programs.Where(p => names.Count == 0 || names.Contains(p.Name)))
        {
            try
            {
                using var runner = new EngineRunner(program, new EngineConfig { Tier = tier });
                var stopwatch = Stopwatch.StartNew();
                long result = runner.Run(program.DefaultArg);
                double ms = stopwatch.Elapsed.TotalMilliseconds;
                bool ok = result == program.ExpectedValue;
                failures += ok ? 0 : 1;
                Console.WriteLine($"{program.Name,-12} {ms,10:F1} ms  {(ok ? "ok" : $"WRONG: {result}, expected {program.ExpectedValue}")}");
                if (tier != TierMode.Interpreter)
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
        return failures == 0 ? 0 : 1;
    }
}
