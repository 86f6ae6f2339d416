using Engine.Core;
using Engine.Runtime;
using Engine.Tests.Baseline;
using Engine.Wast;
using Engine.Wast.Scripts;
using NUnit.Framework;

namespace Engine.Tests.BoundsChecks;

/// <summary>
/// The spec scripts with out-of-bounds accesses (plain, bulk and SIMD loads): every <c>assert_trap</c> traps in
/// the compiled tiers, with guard pages and with explicit checks, with the interpreter's trap code and wasm backtrace
/// (functions and module offsets), not only its message.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SpecTrapBacktraceTests
{
    // Every script with an out-of-bounds assert_trap (the lane loads and stores have none: BoundaryAccessTests covers them).
    private static readonly string[] s_scripts =
    [
        "memory_trap", "address", "align", "bulk", "memory_copy", "memory_fill", "memory_init", "memory_grow",
        "simd_address", "simd_load_splat", "simd_load_zero", "simd_load_extend",
    ];

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (string script in s_scripts)
        {
            foreach (string mode in new[] { "baseline", "tiered-1", "optimizing", "tiered-optimizing" })
            {
                foreach (BoundsCheckStrategy strategy in new[] { BoundsCheckStrategy.GuardPages, BoundsCheckStrategy.Explicit })
                {
                    yield return new TestCaseData(script, mode, strategy).SetArgDisplayNames(script, mode, strategy.ToString());
                }
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void TrapsLikeTheInterpreter(string script, string mode, BoundsCheckStrategy strategy)
    {
        // The 2.0 scripts (3.0 changed some of their rules).
        List<string> expected = Traps(script, TierModes.Config("interpreter") with { Features = WasmFeatures.Wasm2 });
        List<string> actual = Traps(script, TierModes.Config(mode) with { BoundsChecks = strategy, Features = WasmFeatures.Wasm2 });

        Assert.That(expected.Count(t => t.Contains(nameof(TrapCode.MemoryOutOfBounds))), Is.GreaterThan(0));
        Assert.That(actual, Is.EqualTo(expected));
    }

    private static List<string> Traps(string script, EngineConfig config)
    {
        var traps = new List<string>();
        var runner = new WastRunner(new WastOptions
        {
            Config = config,
            TrapObserver = (command, trap) => traps.Add(
                $"line {command.Line}: {trap.Code} at {string.Join(" ", trap.WasmBacktrace.Select(f => $"{f.FunctionIndex}@{f.ModuleOffset:x}"))}"),
        });
        WastResults results = runner.RunFile(TestPaths.ScriptPath(script));
        Assert.That(results.Failures, Is.Empty);
        return traps;
    }
}
