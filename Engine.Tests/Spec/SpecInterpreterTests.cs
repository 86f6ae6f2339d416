using Engine.Core.Scripts;
using Engine.Runtime;
using Engine.Wast;
using NUnit.Framework;

namespace Engine.Tests.Spec;

/// <summary>
/// Every spec script runs in the interpreter with every command checked: modules instantiate, actions
/// return the expected values or trap as expected. The raw <c>.wast</c> form runs with nothing skipped (the
/// text parser handles its modules); the JSON form cross-checks with only its text-format
/// <c>assert_malformed</c> commands skipped.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SpecInterpreterTests
{
    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void RunsWastInTheInterpreter(string name)
    {
        var options = new WastOptions { Engine = new WasmEngine(new EngineConfig { Tier = TierMode.Interpreter }) };
        WastResults results = new WastRunner(options).RunFile(TestPaths.WastPath(name));

        Assert.That(results.Failures, Is.Empty, string.Join(Environment.NewLine, results.Failures.Take(20)));
        Assert.That(results.Total.Skipped, Is.Zero);
    }

    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void RunsJsonInTheInterpreter(string name)
    {
        var options = new WastOptions { Engine = new WasmEngine(new EngineConfig { Tier = TierMode.Interpreter }) };
        WastResults results = new WastRunner(options).RunFile(TestPaths.ScriptPath(name));

        Assert.That(results.Failures, Is.Empty, string.Join(Environment.NewLine, results.Failures.Take(20)));
        Assert.That(results.Total.Skipped, Is.EqualTo(results[ScriptCommandKind.AssertMalformed].Skipped),
            "only text-format assert_malformed commands may be skipped");
    }
}
