using Engine.Runtime;
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
    private static readonly EngineConfig s_interpreter = new() { Tier = TierMode.Interpreter };

    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void RunsWastInTheInterpreter(string name) =>
        SpecRun.AssertPasses(TestPaths.WastPath(name), s_interpreter, textMalformedMaySkip: false);

    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void RunsJsonInTheInterpreter(string name) => SpecRun.AssertPasses(TestPaths.ScriptPath(name), s_interpreter);
}
