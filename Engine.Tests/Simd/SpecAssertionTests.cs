using Engine.Core;
using NUnit.Framework;

namespace Engine.Tests.Simd;

/// <summary>
/// The spec suite's assertions on straight-line functions, evaluated by calling <c>SimdOps</c> and
/// <c>Numerics</c> directly: every <c>simd_*</c> script and the scalar numeric scripts.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SpecAssertionTests
{
    [TestCaseSource(typeof(SpecScript), nameof(SpecScript.SimdAndScalarScriptNames))]
    public void StraightLineAssertionsHold(string name)
    {
        SpecScript.RequireSuite();
        SpecFileResult result = SpecScriptRunner.Run(name);

        TestContext.Out.WriteLine($"{name}: {result.Assertions} assertions evaluated ({result.AssertReturns} assert_return, " +
                                  $"{result.AssertTraps} assert_trap; {result.SimdAssertions} through SimdOps, " +
                                  $"{result.NumericsAssertions} through Numerics), {result.Actions} actions, {result.Skipped} commands skipped");
        Assert.That(result.Failures, Is.Empty, string.Join(Environment.NewLine, result.Failures.Take(20)));
        Assert.That(result.Assertions, Is.Positive, "no assertion of the script was evaluated");
    }

    [Test]
    public void EverySimdOperatorIsCheckedAgainstTheSpec()
    {
        SpecScript.RequireSuite();
        List<SpecFileResult> results = SpecScript.SimdAndScalarScriptNames().Select(SpecScriptRunner.Run).ToList();
        var exercised = results.SelectMany(r => r.Exercised).ToHashSet();
        // The 2.0 scripts have no relaxed SIMD: the 3.0 relaxed_* scripts (Spec30Tests, every tier) and RelaxedSimdTests check those.
        List<string> unexercised = Enum.GetValues<Opcode>()
            .Where(op => OperatorInfo.Feature(op) == "simd" && !OperatorInfo.IsRelaxedSimd(op) && !exercised.Contains(op))
            .Select(OperatorInfo.Name)
            .ToList();

        foreach (IGrouping<bool, SpecFileResult> group in results.GroupBy(r => r.Name.StartsWith("simd_", StringComparison.Ordinal)))
        {
            TestContext.Out.WriteLine($"{group.Count()} {(group.Key ? "simd_*" : "scalar")} scripts: {group.Sum(r => r.Assertions)} assertions evaluated " +
                                      $"({group.Sum(r => r.AssertReturns)} assert_return, {group.Sum(r => r.AssertTraps)} assert_trap), " +
                                      $"{group.Sum(r => r.SimdAssertions)} through SimdOps, {group.Sum(r => r.NumericsAssertions)} through Numerics, " +
                                      $"{group.Sum(r => r.Actions)} actions, {group.Sum(r => r.Skipped)} commands skipped; {group.Sum(r => r.Failures.Count)} failures");
        }
        TestContext.Out.WriteLine($"SIMD operators exercised: {exercised.Count(op => OperatorInfo.Feature(op) == "simd")} of " +
                                  $"{Enum.GetValues<Opcode>().Count(op => OperatorInfo.Feature(op) == "simd")}; not exercised: {string.Join(", ", unexercised)}");

        IEnumerable<string> reasons = results.SelectMany(r => r.SkipReasons)
            .GroupBy(pair => pair.Key, pair => pair.Value)
            .Select(group => (Reason: group.Key, Count: group.Sum()))
            .OrderByDescending(pair => pair.Count)
            .Select(pair => $"{pair.Count} {pair.Reason}");
        TestContext.Out.WriteLine("Skipped because: " + string.Join("; ", reasons));

        Assert.That(results.SelectMany(r => r.Failures), Is.Empty);
        Assert.That(unexercised, Is.Empty, "SIMD operators no spec assertion reached");
    }
}
