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
                                  $"{result.NumericsAssertions} through Numerics), {result.Skipped} commands skipped");
        Assert.That(result.Failures, Is.Empty, string.Join(Environment.NewLine, result.Failures.Take(20)));
        Assert.That(result.Assertions, Is.Positive, "no assertion of the script was evaluated");
    }

    [Test]
    public void EverySimdOperatorIsCheckedAgainstTheSpec()
    {
        SpecScript.RequireSuite();
        List<SpecFileResult> results = SpecScript.SimdAndScalarScriptNames().Select(SpecScriptRunner.Run).ToList();
        var exercised = results.SelectMany(r => r.Exercised).ToHashSet();
        List<string> unexercised = Enum.GetValues<Opcode>()
            .Where(op => OperatorInfo.Feature(op) == "simd" && !exercised.Contains(op))
            .Select(OperatorInfo.Name)
            .ToList();

        int simdFiles = results.Count(r => r.Name.StartsWith("simd_", StringComparison.Ordinal));
        TestContext.Out.WriteLine($"{results.Count} scripts ({simdFiles} simd_*): {results.Sum(r => r.Assertions)} assertions evaluated " +
                                  $"({results.Sum(r => r.AssertReturns)} assert_return, {results.Sum(r => r.AssertTraps)} assert_trap), " +
                                  $"{results.Sum(r => r.SimdAssertions)} through SimdOps, {results.Sum(r => r.NumericsAssertions)} through Numerics, " +
                                  $"{results.Sum(r => r.Skipped)} commands skipped; {results.Sum(r => r.Failures.Count)} failures");
        TestContext.Out.WriteLine($"SIMD operators exercised: {exercised.Count(op => OperatorInfo.Feature(op) == "simd")} of " +
                                  $"{Enum.GetValues<Opcode>().Count(op => OperatorInfo.Feature(op) == "simd")}; not exercised: {string.Join(", ", unexercised)}");

        Assert.That(results.SelectMany(r => r.Failures), Is.Empty);
        Assert.That(unexercised, Is.Empty, "SIMD operators no spec assertion reached");
    }
}
