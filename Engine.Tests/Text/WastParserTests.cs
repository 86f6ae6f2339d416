using Engine.Core;
using Engine.Wast.Scripts;
using Engine.Text;
using NUnit.Framework;

namespace Engine.Tests.Text;

/// <summary>The .wast script parser: every command, values and result patterns, what modules carry, and line numbers.</summary>
[TestFixture]
public class WastParserTests
{
    private static IReadOnlyList<ScriptCommand> Parse(string script) => WastParser.ParseScript(script, "test.wast");

    [Test]
    public void ModulesAreParsedToBinaries()
    {
        IReadOnlyList<ScriptCommand> commands = Parse("(module $M (func (export \"f\")))\n(module binary \"\\00asm\\01\\00\\00\\00\")\n(module $Q quote \"(func)\")");
        Assert.That(commands.Select(c => c.Kind), Is.All.EqualTo(ScriptCommandKind.Module));
        Assert.That(commands.Select(c => c.Module!.Name), Is.EqualTo(new[] { "$M", null, "$Q" }));
        Assert.That(commands.Select(c => c.Line), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(commands.All(c => c.Module!.Binary != null && c.Module.Text == null));
        Assert.That(ModuleDecoder.Decode(commands[0].Module!.Binary!).Exports[0].Name, Is.EqualTo("f"));
        Assert.That(commands[0].Module!.Origin, Is.EqualTo("test.wast:1"));
    }

    [Test]
    public void RegisterInvokeAndGet()
    {
        IReadOnlyList<ScriptCommand> commands = Parse(
            "(register \"M\" $m)\n(register \"N\")\n(invoke $m \"f\" (i32.const -1) (i64.const 2))\n(get \"g\")");
        Assert.That(commands[0].Kind, Is.EqualTo(ScriptCommandKind.Register));
        Assert.That((commands[0].RegisterAs, commands[0].RegisterModuleName), Is.EqualTo(("M", "$m")));
        Assert.That((commands[1].RegisterAs, commands[1].RegisterModuleName), Is.EqualTo(("N", (string?)null)));
        ScriptAction invoke = commands[2].Action!;
        Assert.That((commands[2].Kind, invoke.IsGet, invoke.ModuleName, invoke.Field), Is.EqualTo((ScriptCommandKind.Action, false, "$m", "f")));
        Assert.That(invoke.Args.Select(a => (a.Type, a.Low)), Is.EqualTo(new[] { (ValType.I32, 0xFFFF_FFFFUL), (ValType.I64, 2UL) }));
        Assert.That((commands[3].Action!.IsGet, commands[3].Action!.Field), Is.EqualTo((true, "g")));
    }

    [Test]
    public void AssertReturnValuesAndPatterns()
    {
        ScriptCommand command = Parse(
            "(assert_return (invoke \"f\")\n"
            + " (f32.const nan:canonical) (f64.const nan:arithmetic) (f32.const -0x1p-149) (f64.const 1.5)\n"
            + " (v128.const f32x4 nan:canonical 1 nan:arithmetic -0)\n"
            + " (v128.const i16x8 -1 0 1 2 3 4 5 65535)\n"
            + " (ref.null func) (ref.null extern) (ref.extern 7) (ref.func))").Single();
        Assert.That(command.Kind, Is.EqualTo(ScriptCommandKind.AssertReturn));
        IReadOnlyList<ScriptValue> values = command.Expected;
        Assert.That((values[0].Type, values[0].Nan), Is.EqualTo((ValType.F32, NanPattern.Canonical)));
        Assert.That((values[1].Type, values[1].Nan), Is.EqualTo((ValType.F64, NanPattern.Arithmetic)));
        Assert.That(values[2].Low, Is.EqualTo(0x8000_0001UL));
        Assert.That(values[3].Low, Is.EqualTo(0x3FF8_0000_0000_0000UL));
        Assert.That(values[4].LaneType, Is.EqualTo("f32"));
        Assert.That(values[4].LaneNans, Is.EqualTo(new[] { NanPattern.Canonical, NanPattern.None, NanPattern.Arithmetic, NanPattern.None }));
        Assert.That((values[4].Low, values[4].High), Is.EqualTo((0x3F80_0000_0000_0000UL, 0x8000_0000_0000_0000UL)));
        Assert.That((values[5].LaneType, values[5].Low, values[5].High), Is.EqualTo(("i16", 0x0002_0001_0000_FFFFUL, 0xFFFF_0005_0004_0003UL)));
        Assert.That((values[6].Type, values[6].IsNull), Is.EqualTo((ValType.FuncRef, true)));
        Assert.That((values[7].Type, values[7].IsNull), Is.EqualTo((ValType.ExternRef, true)));
        Assert.That((values[8].Type, values[8].IsNull, values[8].Low), Is.EqualTo((ValType.ExternRef, false, 7UL)));
        Assert.That((values[9].Type, values[9].AnyNonNull), Is.EqualTo((ValType.FuncRef, true)));
    }

    [Test]
    public void AssertionsOnActions()
    {
        IReadOnlyList<ScriptCommand> commands = Parse(
            "(assert_trap (invoke \"f\") \"unreachable\")\n(assert_exhaustion\n  (invoke \"g\" (f32.const 1)) \"call stack exhausted\")");
        Assert.That((commands[0].Kind, commands[0].Text, commands[0].Line), Is.EqualTo((ScriptCommandKind.AssertTrap, "unreachable", 1)));
        Assert.That((commands[1].Kind, commands[1].Text), Is.EqualTo((ScriptCommandKind.AssertExhaustion, "call stack exhausted")));
        Assert.That(commands[1].Line, Is.EqualTo(3), "the line of the action, as wast2json reports it");
    }

    [Test]
    public void ModulesThatMustFailKeepTheirText()
    {
        IReadOnlyList<ScriptCommand> commands = Parse(
            "(assert_malformed (module quote \"(func\" \" i32.const0)\") \"unknown operator\")\n"
            + "(assert_invalid (module (func (result i32))) \"type mismatch\")\n"
            + "(assert_malformed (module binary \"\\00asm\") \"unexpected end\")\n"
            + "(assert_invalid (module quote \"(func (result i32))\") \"type mismatch\")");
        Assert.That(commands.Select(c => c.Kind), Is.EqualTo(new[]
        {
            ScriptCommandKind.AssertMalformed, ScriptCommandKind.AssertInvalid, ScriptCommandKind.AssertMalformed, ScriptCommandKind.AssertInvalid,
        }));
        Assert.That((commands[0].Module!.Text, commands[0].Module!.Binary), Is.EqualTo(("(func i32.const0)", (byte[]?)null)));
        Assert.That(commands[1].Module!.Text, Is.EqualTo("(module (func (result i32)))"));
        Assert.That(commands[2].Module!.Binary, Is.EqualTo(new byte[] { 0, 0x61, 0x73, 0x6D }));
        Assert.That(commands[3].Module!.Text, Is.EqualTo("(func (result i32))"));
        Assert.That(commands[0].Text, Is.EqualTo("unknown operator"));
        Assert.Throws<TextFormatException>(() => WatParser.ParseModule(commands[0].Module!.Text!));
        Assert.Throws<InvalidModuleException>(() => ModuleLoader.DecodeAndValidate(WatParser.ParseModule(commands[1].Module!.Text!)));
    }

    [Test]
    public void QuotedTextMustBeValidUtf8()
    {
        ScriptCommand command = Parse("(assert_malformed (module quote \"(data \\\"\\\\ff\\\")\") \"malformed UTF-8 encoding\")").Single();
        Assert.That(command.Module!.Text, Is.EqualTo("(data \"\\ff\")"), "an escape inside the quoted text is fine");
        Assert.DoesNotThrow(() => WatParser.ParseModule(command.Module.Text!));

        command = Parse("(assert_malformed (module quote \"(data \\\"\\\\ff\\\")\" \";; \\c3\") \"malformed UTF-8 encoding\")").Single();
        Assert.Throws<TextFormatException>(() => WatParser.ParseModule(command.Module!.Text!), "a raw invalid byte in a comment of the quoted text");
        command = Parse("(assert_malformed (module quote \"(data \\\"\\\\ff\\\")\" \"(data \\\"\\80\\\")\") \"malformed UTF-8 encoding\")").Single();
        Assert.Throws<TextFormatException>(() => WatParser.ParseModule(command.Module!.Text!), "a raw invalid byte in a string of the quoted text");
        Assert.Throws<TextFormatException>(() => Parse("(module quote \"(func) \\ff\")"));
    }

    [Test]
    public void ModulesThatMustFailToInstantiateAreParsed()
    {
        IReadOnlyList<ScriptCommand> commands = Parse(
            "(assert_unlinkable (module (import \"spectest\" \"unknown\" (func))) \"unknown import\")\n"
            + "(assert_trap (module (func $f unreachable) (start $f)) \"unreachable\")");
        Assert.That(commands[0].Kind, Is.EqualTo(ScriptCommandKind.AssertUnlinkable));
        Assert.That(commands[1].Kind, Is.EqualTo(ScriptCommandKind.AssertUninstantiable));
        Assert.That(commands.All(c => c.Module!.Binary != null));
    }

    [Test]
    public void AScriptMayBeOneInlineModule()
    {
        ScriptCommand command = Parse("(func) (memory 0) (func (export \"f\"))").Single();
        Assert.That(command.Kind, Is.EqualTo(ScriptCommandKind.Module));
        Assert.That(ModuleDecoder.Decode(command.Module!.Binary!).Bodies, Has.Count.EqualTo(2));
    }

    [TestCase("(assert_return (invoke \"f\") (i32.const nan:canonical))", "unknown operator")]
    [TestCase("(assert_return (invoke \"f\" (f32.const nan:canonical)))", "unknown operator")]
    [TestCase("(assert_return (invoke \"f\") (i32.const 0x1_0000_0000))", "constant out of range")]
    [TestCase("(assert_return (get \"g\" (i32.const 1)))", "unexpected token")]
    [TestCase("(module (func (i32.const)))", "unexpected token")]
    [TestCase("(module quote \"(func (i32.const))\")", "in quoted module")]
    [TestCase("(assert_bogus (invoke \"f\"))", "expected a script command")]
    [TestCase("(invoke \"f\" (v128.const i8x16 1))", "wrong number of lane literals")]
    public void ScriptErrors(string script, string reason)
    {
        TextFormatException error = Assert.Throws<TextFormatException>(() => Parse(script))!;
        Assert.That(error.Reason, Does.Contain(reason));
        Assert.That(error.FileName, Is.EqualTo("test.wast"));
    }

    [Test]
    public void SuiteCommandTotals()
    {
        SpecSuite.RequireRoot();
        var counts = new Dictionary<ScriptCommandKind, int>();
        foreach (string name in SpecSuite.ScriptNames())
        {
            foreach (ScriptCommand command in WastParser.ParseScript(SpecSuite.ReadWast(name), name + ".wast"))
            {
                counts[command.Kind] = counts.GetValueOrDefault(command.Kind) + 1;
            }
        }
        Assert.That(counts.Values.Sum(), Is.EqualTo(53_899));
        Assert.That(counts[ScriptCommandKind.Module], Is.EqualTo(1595));
        Assert.That(counts[ScriptCommandKind.Register], Is.EqualTo(18));
        Assert.That(counts[ScriptCommandKind.Action], Is.EqualTo(155));
        Assert.That(counts[ScriptCommandKind.AssertReturn], Is.EqualTo(45_634));
        Assert.That(counts[ScriptCommandKind.AssertTrap], Is.EqualTo(2408));
        Assert.That(counts[ScriptCommandKind.AssertExhaustion], Is.EqualTo(15));
        Assert.That(counts[ScriptCommandKind.AssertInvalid], Is.EqualTo(2144));
        Assert.That(counts[ScriptCommandKind.AssertMalformed], Is.EqualTo(1813));
        Assert.That(counts[ScriptCommandKind.AssertUnlinkable], Is.EqualTo(83));
        Assert.That(counts[ScriptCommandKind.AssertUninstantiable], Is.EqualTo(34));
    }
}
