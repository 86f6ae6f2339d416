using Engine.Core;
using Engine.Runtime;
using Engine.Text;
using Engine.Wast;
using Engine.Wast.Scripts;
using NUnit.Framework;

namespace Engine.Tests.Foundation;

/// <summary>The 3.0 rules implemented so far (extended constants, memory immediates), their 2.0 switch, and the 3.0 script commands.</summary>
[TestFixture]
public sealed class Wasm3RulesTests
{
    private const string ExtendedConstants = """
        (module
          (global $base i32 (i32.const 40))
          (global $sum i32 (i32.add (global.get $base) (i32.mul (i32.const 2) (i32.const 1))))
          (global $wide i64 (i64.sub (i64.const 0) (i64.const 1)))
          (func (export "sum") (result i32) (global.get $sum))
          (func (export "wide") (result i64) (global.get $wide)))
        """;

    [Test]
    public void ExtendedConstantsAreEvaluatedAtInstantiation()
    {
        var engine = new WasmEngine();
        Instance instance = new Linker(engine).Instantiate(new Store(engine), Module.FromText(engine, ExtendedConstants));
        Assert.That(instance.GetFunction("sum")!.Invoke()[0].AsI32(), Is.EqualTo(42));
        Assert.That(instance.GetFunction("wide")!.Invoke()[0].AsI64(), Is.EqualTo(-1));
    }

    [Test]
    public void The20RulesRejectExtendedConstants()
    {
        byte[] binary = WatParser.ParseModule(ExtendedConstants);
        Assert.That(() => ModuleLoader.DecodeAndValidate(binary, WasmFeatures.Wasm2), Throws.TypeOf<InvalidModuleException>());
        Assert.That(() => ModuleLoader.DecodeAndValidate(binary, WasmFeatures.Default & ~WasmFeatures.ExtendedConst), Throws.TypeOf<InvalidModuleException>());
    }

    [TestCase("(global i32 (global.get 1)) (global i32 (i32.const 0))", "unknown global")]
    [TestCase("(global $m (mut i32) (i32.const 0)) (global i32 (global.get $m))", "constant expression required")]
    [TestCase("(global i32 (i32.add (i32.const 1) (i64.const 2)))", "type mismatch")]
    [TestCase("(global i32 (i32.div_s (i32.const 1) (i32.const 2)))", "constant expression required")]
    public void InvalidConstantExpressions(string fields, string message)
    {
        var error = Assert.Throws<InvalidModuleException>(() => ModuleLoader.DecodeAndValidate(WatParser.ParseModule($"(module {fields})")));
        Assert.That(error!.Message, Does.Contain(message));
    }

    [Test]
    public void OffsetsAreU64AndLimitedByTheMemory()
    {
        byte[] binary = WatParser.ParseModule("(module (memory 1) (func (drop (i32.load offset=4294967296 (i32.const 0)))))");
        var invalid = Assert.Throws<InvalidModuleException>(() => ModuleLoader.DecodeAndValidate(binary));
        Assert.That(invalid!.Message, Does.Contain("offset out of range"));
        // 2.0 reads a u32 offset: the same bytes are malformed there.
        Assert.Throws<MalformedModuleException>(() => ModuleLoader.DecodeAndValidate(binary, WasmFeatures.Wasm2));
    }

    [Test]
    public void MemoryImmediateFlagsAbove0x7FAreMalformed()
    {
        byte[] binary = WatParser.ParseModule("""
            (module binary "\00asm" "\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
              "\0a\0b\01\09\00\41\00\28\80\01\00\1a\0b")
            """);
        var error = Assert.Throws<MalformedModuleException>(() => ModuleLoader.DecodeAndValidate(binary));
        Assert.That(error!.Message, Does.Contain("malformed memop flags"));
        // 2.0: a u32 alignment, which is invalid (not malformed) when too large.
        Assert.Throws<InvalidModuleException>(() => ModuleLoader.DecodeAndValidate(binary, WasmFeatures.Wasm2));
    }

    [Test]
    public void MemoryIndicesAreWrittenByTheTextFormatAndCheckedByTheValidator()
    {
        // One memory so far: index 1 is unknown, but it is decoded from the flags' bit 6.
        byte[] binary = WatParser.ParseModule("(module (memory $m 1) (func (drop (i32.load 1 (i32.const 0)))))");
        var error = Assert.Throws<InvalidModuleException>(() => ModuleLoader.DecodeAndValidate(binary));
        Assert.That(error!.Message, Does.Contain("unknown memory 1"));
        Assert.DoesNotThrow(() => ModuleLoader.DecodeAndValidate(WatParser.ParseModule("(module (memory $m 1) (func (drop (i32.load $m offset=4 (i32.const 0)))))")));
    }

    [Test]
    public void ScriptsKeepGoingPastCommandsTheyCannotRead()
    {
        const string script = """
            (module definition $M (func (export "f") (result i32) (i32.const 5)))
            (module instance $I $M)
            (assert_return (invoke $I "f") (either (i32.const 4) (i32.const 5)))
            (module (func (export "g") (result i32) (i32.unknown_operator)))
            (assert_return (invoke "g") (i32.const 0))
            (assert_exception (invoke $I "f"))
            (assert_return (invoke $I "f") (i32.const 5))
            """;
        Assert.Throws<TextFormatException>(() => WastParser.ParseScript(script, "test.wast"));
        IReadOnlyList<ScriptCommand> commands = WastParser.ParseScript(script, "test.wast", keepGoing: true);
        Assert.That(commands.Select(c => c.Kind), Is.EqualTo(new[]
        {
            ScriptCommandKind.Module, ScriptCommandKind.ModuleInstance, ScriptCommandKind.AssertReturn, ScriptCommandKind.Unreadable,
            ScriptCommandKind.AssertReturn, ScriptCommandKind.AssertException, ScriptCommandKind.AssertReturn,
        }));
        WastResults results = new WastRunner().Run(commands, "test.wast");
        // The unreadable module, the action on the module that is not there, and the exception the engine cannot throw yet.
        Assert.That(results.Total.Failed, Is.EqualTo(3), string.Join(Environment.NewLine, results.Failures));
        Assert.That(results.Total.Passed, Is.EqualTo(4));
    }
}
