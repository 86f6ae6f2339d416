using Engine.Core;
using Engine.Runtime;
using Engine.Text;
using NUnit.Framework;

namespace Engine.Tests.Text;

/// <summary>
/// A module parsed from text that does not validate is reported at the line and column the user wrote
/// (<see cref="TextSourceMap"/>), with the expected and actual types in the validator's words.
/// </summary>
[TestFixture]
public sealed class SourceMapTests
{
    private static InvalidModuleException Invalid(string text)
    {
        byte[] binary = WatParser.ParseModule(text, "m.wat", emitNames: false, out TextSourceMap map);
        var error = Assert.Throws<InvalidModuleException>(() => ModuleLoader.DecodeAndValidate(binary))!;
        InvalidModuleException located = map.Locate(error);
        Assert.That(located.Offset, Is.EqualTo(error.Offset), "the binary offset is kept");
        return located;
    }

    private static void AssertAt(string text, int line, int column, string reason)
    {
        InvalidModuleException e = Invalid(text);
        Assert.That((e.Line, e.Column, e.Reason), Is.EqualTo((line, column, reason)), e.Message);
        Assert.That(e.Message, Is.EqualTo($"m.wat:{line}:{column}: invalid module: {reason}"));
    }

    [Test]
    public void FoldedInstructionsAreReportedAtTheirOperator()
    {
        AssertAt("""
            (module
              (func (param i32) (result i32)
                (i32.add
                  (local.get 0)
                  (i64.const 1))))
            """, 3, 6, "type mismatch: expected i32, got i64");
    }

    [Test]
    public void FlatInstructionsAreReportedAtTheirKeyword()
    {
        AssertAt("(module (func (result i32)\n  i64.const 1\n  i32.eqz))", 3, 3, "type mismatch: expected i32, got i64");
        AssertAt("(module (func\n  i32.const 1\n  i32.const 2\n  i32.add\n  drop\n  drop))", 6, 3, "type mismatch: expected a value, but nothing is on the stack");
    }

    [Test]
    public void AFunctionsEndIsItsClosingParenthesis()
    {
        AssertAt("(module\n  (func (result i32)\n    f32.const 0))", 3, 16, "type mismatch: expected i32, got f32");
        AssertAt("(module\n  (func (result i32)\n    i32.const 0 i32.const 1))", 3, 28,
            "type mismatch: at the end of the block, [i32] remains on the stack beyond its results [i32]");
    }

    [Test]
    public void BlockEndsAreTheirEndOrClosingParenthesis()
    {
        AssertAt("(module (func\n  block (result i32)\n    i64.const 1\n  end\n  drop))", 4, 3, "type mismatch: expected i32, got i64");
        AssertAt("(module (func\n  (block (result i32)\n    (i64.const 1))\n  drop))", 3, 18, "type mismatch: expected i32, got i64");
        AssertAt("(module (func\n  (if (i32.const 1)\n    (then (i32.const 1)))))", 3, 25,
            "type mismatch: at the end of the block, [i32] remains on the stack beyond its results []");
    }

    [Test]
    public void FieldsOutsideTheCodeAreReportedAtTheField()
    {
        AssertAt("(module\n  (global i32\n    (i64.const 0)))", 3, 6, "type mismatch: the constant expression gives i64, expected i32");
        AssertAt("(module\n  (func)\n  (export \"a\" (func 0))\n  (export \"a\" (func 0)))", 4, 3, "duplicate export name");
    }

    [Test]
    public void TheEmbeddingApiReportsTextModulesAtTheirPosition()
    {
        var engine = new WasmEngine();
        var e = Assert.Throws<InvalidModuleException>(() => Module.FromText(engine, "(module\n  (func (result i32)\n    (i64.const 0)))", "example"))!;
        Assert.That(e.Message, Is.EqualTo("example:3:18: invalid module: type mismatch: expected i32, got i64"));
        Assert.That((e.Line, e.Column), Is.EqualTo((3, 18)));
        var binary = Assert.Throws<InvalidModuleException>(() => Module.FromBytes(engine, WatParser.ParseModule("(module (func (result i32) (i64.const 0)))")))!;
        Assert.That(binary.Message, Does.StartWith("invalid module at offset 0x"), "a binary has no text position");
        Assert.That(binary.Line, Is.Zero);
    }

    [Test]
    public void ValidatorMessagesNameTheTypes()
    {
        Assert.That(Invalid("(module (func (result i32) (select (i32.const 1) (i64.const 2) (i32.const 0))))").Reason,
            Is.EqualTo("type mismatch: select's operands are i32 and i64"));
        Assert.That(Invalid("(module (func (drop (ref.is_null (i32.const 1)))))").Reason, Is.EqualTo("type mismatch: expected a reference, got i32"));
        Assert.That(Invalid("(module (table 1 externref) (func (call_indirect (i32.const 0))))").Reason,
            Is.EqualTo("type mismatch: call_indirect needs a funcref table, table 0 holds externref"));
        Assert.That(Invalid("(module (func (block (result i32) (br 0 (i64.const 1))) (drop)))").Reason,
            Is.EqualTo("type mismatch: expected i32, got i64"));
    }
}
