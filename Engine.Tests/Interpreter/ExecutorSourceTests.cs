using Engine.Core;
using Engine.Runtime;
using NUnit.Framework;

namespace Engine.Tests.Interpreter;

/// <summary>The generated executor points at its source: a stack trace through it names Instructions.def.</summary>
[TestFixture]
public sealed class ExecutorSourceTests
{
    [Test]
    public void TrapStackTraceLandsInTheInstructionTable()
    {
        var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Interpreter });
        using var store = new Store(engine);
        Instance instance = new Linker(engine).Instantiate(store, Module.FromText(engine, """
            (module (func (export "trap") unreachable))
            """));
        var e = Assert.Throws<TrapException>(() => instance.GetFunction("trap")!.Invoke())!;
        // The executor's trap path is written in Instructions.def, and its #line directives say so.
        Assert.That(e.StackTrace, Does.Match(@"Executor\.Run\(.*\) in .*Instructions\.def:line \d+"), e.StackTrace);
    }
}
