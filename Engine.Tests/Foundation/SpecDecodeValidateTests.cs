using Engine.Wast.Scripts;
using Engine.Wast;
using NUnit.Framework;

namespace Engine.Tests.Foundation;

/// <summary>
/// Every spec script's modules decode and validate, every <c>assert_invalid</c> fails validation and every
/// binary <c>assert_malformed</c> fails decoding (execution is checked per tier by the execution tests).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SpecDecodeValidateTests
{
    // The 2.0 suite checks the 2.0 rules (3.0 changed a few).
    private static readonly WastOptions s_options = new() { Execute = false, Config = new Engine.Runtime.EngineConfig { Features = Engine.Core.WasmFeatures.Wasm2 } };

    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void DecodesAndValidatesAsTheSpecSays(string name)
    {
        WastResults results = new WastRunner(s_options).RunFile(TestPaths.ScriptPath(name));

        Assert.That(results.Failures, Is.Empty, string.Join(Environment.NewLine, results.Failures.Take(20)));
        Assert.That(results[ScriptCommandKind.Module].Skipped, Is.Zero);
        Assert.That(results[ScriptCommandKind.AssertInvalid].Skipped, Is.Zero);
    }

    [Test]
    public void CoversTheWholeSuite()
    {
        var total = new WastResults();
        var runner = new WastRunner(s_options);
        foreach (string name in TestPaths.ScriptNames())
        {
            total.Add(runner.RunFile(TestPaths.ScriptPath(name)));
        }

        Assert.That(total.Failures, Is.Empty);
        Assert.That(total[ScriptCommandKind.Module].Passed, Is.EqualTo(1595));
        Assert.That(total[ScriptCommandKind.AssertInvalid].Passed, Is.EqualTo(2144));
        Assert.That(total[ScriptCommandKind.AssertMalformed].Passed, Is.GreaterThanOrEqualTo(736));
        Assert.That(total.Total.Total, Is.EqualTo(53899));
    }
}
