using Engine.Core;
using Engine.Runtime;
using NUnit.Framework;

namespace Engine.Tests.Api;

/// <summary>
/// Exception handling (3.0) through the embedding API: tags made by the host, exceptions thrown by host functions and
/// caught in wasm, wasm exceptions reaching the host as <see cref="TagException"/> and thrown back in, exceptions
/// unwinding through compiled frames, and exnrefs kept in globals across collections.
/// </summary>
[TestFixture]
public sealed class ExceptionHandlingTests
{
    /// <summary>Catches what $call (an import) throws with the host's tag, and rethrows what its catch_all_ref took.</summary>
    private const string Catcher = """
        (module
          (import "host" "tag" (tag $e (param i32)))
          (import "host" "call" (func $call (param i32)))
          (global $kept (mut exnref) (ref.null exn))
          (func (export "catch") (param i32) (result i32)
            (block $got (result i32)
              (try_table (catch $e $got)
                (call $call (local.get 0)))
              (i32.const -1))
            (i32.const 1)
            (i32.add))
          (func (export "keep") (param i32)
            (block $got (result exnref)
              (try_table (catch_all_ref $got)
                (call $call (local.get 0)))
              (return))
            (global.set $kept))
          (func (export "rethrow-kept")
            (throw_ref (global.get $kept))))
        """;

    /// <summary>Throws with its own exported tag; $pass calls through a function of another module.</summary>
    private const string Thrower = """
        (module
          (tag $boom (export "boom") (param i32 i64))
          (func (export "throw") (param i32)
            (throw $boom (local.get 0) (i64.const 77))))
        """;

    /// <summary>No exception handling of its own, so compiled: exceptions of the module it calls pass through its frames.</summary>
    private const string Middle = """
        (module
          (import "thrower" "throw" (func $throw (param i32)))
          (func $deeper (export "pass") (param i32)
            (call $throw (i32.add (local.get 0) (i32.const 1)))))
        """;

    [Test]
    public void AHostFunctionThrowsWithAHostTagAndWasmCatchesIt()
    {
        using var store = new Store(new WasmEngine(new EngineConfig { Tier = TierMode.Interpreter }));
        var tag = new Tag(store, ValType.I32);
        var linker = new Linker(store.Engine);
        linker.Define("host", "tag", tag);
        linker.DefineFunction("host", "call", (int n) =>
        {
            if (n > 0)
            {
                throw tag.Exception(Value.I32(n * 10));
            }
        });
        Instance instance = linker.Instantiate(store, Module.FromText(store.Engine, Catcher));
        Assert.That(instance.GetFunction("catch")!.Invoke(Value.I32(4))[0].AsI32(), Is.EqualTo(41));
        Assert.That(instance.GetFunction("catch")!.Invoke(Value.I32(0))[0].AsI32(), Is.EqualTo(0));
    }

    [Test]
    public void AnUncaughtWasmExceptionReachesTheHostWithItsTagAndValues()
    {
        using var store = new Store(new WasmEngine());
        Instance thrower = new Linker(store.Engine).Instantiate(store, Module.FromText(store.Engine, Thrower));
        Tag boom = thrower.GetTag("boom")!;
        Assert.That(boom.Type, Is.EqualTo(new TagExternType(new FuncType([ValType.I32, ValType.I64], []))));
        var e = Assert.Throws<TagException>(() => thrower.GetFunction("throw")!.Invoke(Value.I32(5)))!;
        Assert.That(e.Tag, Is.SameAs(boom.Instance));
        Assert.That(boom.ValuesOf(e).Select(v => v.ToString()), Is.EqualTo(new[] { Value.I32(5).ToString(), Value.I64(77).ToString() }));
    }

    /// <summary>Calls the host (which calls the middle module) inside a try_table catching the thrower's tag.</summary>
    private const string CatcherOfBoom = """
        (module
          (import "host" "boom" (tag $boom (param i32 i64)))
          (import "host" "call" (func $call (param i32)))
          (func (export "catch") (param i32) (result i32)
            (block $got (result i32 i64)
              (try_table (catch $boom $got)
                (call $call (local.get 0)))
              (return (i32.const -1)))
            (drop)
            (i32.const 1)
            (i32.add)))
        """;

    [TestCase(TierMode.Interpreter)]
    [TestCase(TierMode.Baseline)]
    [TestCase(TierMode.Optimizing)]
    public void AWasmExceptionCrossesCompiledFramesAndTheHostAndIsCaughtInWasm(TierMode tier)
    {
        using var store = new Store(new WasmEngine(new EngineConfig { Tier = tier }));
        var linker = new Linker(store.Engine);
        Instance thrower = linker.Instantiate(store, Module.FromText(store.Engine, Thrower));
        linker.DefineInstance("thrower", thrower);
        Instance middle = linker.Instantiate(store, Module.FromText(store.Engine, Middle));
        Tag boom = thrower.GetTag("boom")!;
        // The host function calls wasm (the thrower, through the middle module's compiled frames), sees the exception
        // as a TagException, and lets it go on into the catching module.
        var host = new Linker(store.Engine);
        int seen = 0;
        host.DefineFunction("host", "call", (int n) =>
        {
            try
            {
                middle.GetFunction("pass")!.Invoke(Value.I32(n));
            }
            catch (TagException e) when (e.Tag == boom.Instance)
            {
                seen++;
                throw;
            }
        });
        // The catcher imports the thrower's tag.
        host.Define("host", "boom", boom);
        Instance catcher = host.Instantiate(store, Module.FromText(store.Engine, CatcherOfBoom));
        Assert.That(catcher.GetFunction("catch")!.Invoke(Value.I32(6))[0].AsI32(), Is.EqualTo(8), "the thrower added one, the catcher one more");
        Assert.That(seen, Is.EqualTo(1));
        if (tier != TierMode.Interpreter)
        {
            Assert.That(store.Engine.TierStatistics.Promotions.Select(p => p.FunctionName), Does.Contain("deeper"),
                "the middle module's function ran compiled");
        }
    }

    [Test]
    public void AnExnrefKeptInAGlobalSurvivesCollectionsAndIsThrownAgain()
    {
        using var store = new Store(new WasmEngine());
        var tag = new Tag(store, ValType.I32);
        var linker = new Linker(store.Engine);
        linker.Define("host", "tag", tag);
        linker.DefineFunction("host", "call", (int n) => throw tag.Exception(Value.I32(n)));
        Instance instance = linker.Instantiate(store, Module.FromText(store.Engine, Catcher));
        instance.GetFunction("keep")!.Invoke(Value.I32(123));
        store.Gc();
        store.Gc();
        var e = Assert.Throws<TagException>(() => instance.GetFunction("rethrow-kept")!.Invoke())!;
        Assert.That(e.Tag, Is.SameAs(tag.Instance));
        Assert.That(tag.ValuesOf(e)[0].AsI32(), Is.EqualTo(123));
        Assert.That(instance.GetFunction("catch")!.Invoke(Value.I32(9))[0].AsI32(), Is.EqualTo(10), "the store goes on working");
    }

    [Test]
    public void ThrowingANullExnrefTraps()
    {
        using var store = new Store(new WasmEngine());
        var linker = new Linker(store.Engine);
        linker.Define("host", "tag", new Tag(store, ValType.I32));
        linker.DefineFunction("host", "call", (int n) => { });
        Instance instance = linker.Instantiate(store, Module.FromText(store.Engine, Catcher));
        var trap = Assert.Throws<TrapException>(() => instance.GetFunction("rethrow-kept")!.Invoke())!;
        Assert.That(trap.Code, Is.EqualTo(TrapCode.NullReference));
    }

    [Test]
    public void ExceptionHandlingIsInvalidWithTheFeatureSwitchedOff()
    {
        var engine = new WasmEngine(new EngineConfig { Features = WasmFeatures.Default & ~WasmFeatures.Exceptions });
        Assert.Throws<MalformedModuleException>(() => Module.FromText(engine, Thrower));
    }
}
