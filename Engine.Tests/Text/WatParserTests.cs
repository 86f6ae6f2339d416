using Engine.Core;
using Engine.Text;
using NUnit.Framework;

namespace Engine.Tests.Text;

/// <summary>
/// The text-format module parser: each abbreviation against its expansion, encodings that matter,
/// and the text-level errors with their positions.
/// </summary>
[TestFixture]
public class WatParserTests
{
    private static readonly byte[] s_header = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];

    private static void AssertSameModule(string abbreviated, string expanded)
    {
        byte[] actual = WatParser.ParseModule(abbreviated);
        byte[] expected = WatParser.ParseModule(expanded);
        Assert.That(WatPrinter.Print(actual), Is.EqualTo(WatPrinter.Print(expected)));
        Assert.That(actual, Is.EqualTo(expected));
    }

    private static TextFormatException AssertMalformed(string text, string reason)
    {
        TextFormatException error = Assert.Throws<TextFormatException>(() => WatParser.ParseModule(text))!;
        Assert.That(error.Reason, Does.Contain(reason));
        return error;
    }

    [Test]
    public void EmptyModuleIsTheHeader()
    {
        Assert.That(WatParser.ParseModule("(module)"), Is.EqualTo(s_header));
        Assert.That(WatParser.ParseModule(""), Is.EqualTo(s_header));
        Assert.That(WatParser.ParseModule("(module $m) ;; comment"), Is.EqualTo(s_header));
        Assert.That(WatParser.ParseModule("(; block (; nested ;) ;) (module)"), Is.EqualTo(s_header));
    }

    [Test]
    public void BareFieldsAreAModule() =>
        AssertSameModule("(func) (memory 1)", "(module (func) (memory 1))");

    [Test]
    public void BinaryAndQuotedModules()
    {
        Assert.That(WatParser.ParseModule("(module binary \"\\00asm\" \"\\01\\00\\00\\00\")"), Is.EqualTo(s_header));
        AssertSameModule("(module quote \"(func\" \" (nop))\")", "(module (func nop))");
    }

    [Test]
    public void InlineExports() =>
        AssertSameModule(
            "(module (func (export \"a\") (export \"b\")) (global (export \"g\") i32 (i32.const 0)))",
            "(module (func $f) (export \"a\" (func $f)) (export \"b\" (func $f)) (global $g i32 (i32.const 0)) (export \"g\" (global $g)))");

    [Test]
    public void InlineImports() =>
        AssertSameModule(
            "(module (func $f (export \"e\") (import \"m\" \"f\") (param i32)) (memory (import \"m\" \"mem\") 1) (global (import \"m\" \"g\") (mut i64)) (table (import \"m\" \"t\") 2 externref))",
            "(module (import \"m\" \"f\" (func $f (param i32))) (export \"e\" (func $f)) (import \"m\" \"mem\" (memory 1)) (import \"m\" \"g\" (global (mut i64))) (import \"m\" \"t\" (table 2 externref)))");

    [Test]
    public void ImplicitTypesFollowTheExplicitOnesInOrderOfFirstUse()
    {
        byte[] binary = WatParser.ParseModule(
            "(module (func (param i64)) (type $t (func (param i32))) (func (param i32)) (func (result f32) (f32.const 0)) (func (param i64)))");
        ModuleInfo module = ModuleDecoder.Decode(binary);
        Assert.That(module.Types.Select(t => t.ToString()), Is.EqualTo(new[] { "[i32] -> []", "[i64] -> []", "[] -> [f32]" }));
        Assert.That(module.FunctionTypeIndices, Is.EqualTo(new uint[] { 1, 0, 2, 1 }));
    }

    [Test]
    public void TypeUseWithMatchingInlineSignature() =>
        AssertSameModule(
            "(module (type $t (func (param i32) (result i32))) (func (type $t) (param $x i32) (result i32) (local.get $x)))",
            "(module (type (func (param i32) (result i32))) (func (type 0) local.get 0))");

    [Test]
    public void FoldedInstructionsEqualFlatOnes() =>
        AssertSameModule(
            "(module (func (result i32) (i32.add (i32.const 1) (i32.mul (i32.const 2) (i32.const 3)))))",
            "(module (func (result i32) i32.const 1 i32.const 2 i32.const 3 i32.mul i32.add))");

    [Test]
    public void FoldedIfEqualsFlatIf() =>
        AssertSameModule(
            "(module (func (param i32) (result i32) (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2)))))",
            "(module (func (param i32) (result i32) local.get 0 if (result i32) i32.const 1 else i32.const 2 end))");

    [Test]
    public void LabelsResolveToRelativeDepths() =>
        AssertSameModule(
            "(module (func (block $a (loop $b (br_if $b (i32.const 0)) (br_table $a $b $a (i32.const 0)) (br $a)))))",
            "(module (func block loop i32.const 0 br_if 0 i32.const 0 br_table 1 0 1 br 1 end end))");

    [Test]
    public void InnermostLabelShadows() =>
        AssertSameModule(
            "(module (func block $l block $l br $l end $l end $l))",
            "(module (func block block br 0 end end))");

    [Test]
    public void MultiValueBlockTypesUseATypeIndex()
    {
        byte[] binary = WatParser.ParseModule("(module (func (result i32 i32) (block (result i32 i32) (i32.const 1) (i32.const 2))))");
        Assert.That(WatPrinter.Print(binary), Does.Contain("block (type 0)"));
        Assert.That(WatPrinter.Print(WatParser.ParseModule("(module (func (block (param) (result i32) (i32.const 1)) drop))")), Does.Contain("block (result i32)"));
    }

    [Test]
    public void TableWithInlineElements() =>
        AssertSameModule(
            "(module (func $f) (table $t funcref (elem $f $f $f)))",
            "(module (func $f) (table $t 3 3 funcref) (elem (table $t) (i32.const 0) func $f $f $f))");

    [Test]
    public void MemoryWithInlineData() =>
        AssertSameModule(
            "(module (memory (data \"ab\" \"c\")))",
            "(module (memory 1 1) (data (memory 0) (offset (i32.const 0)) \"abc\"))");

    [Test]
    public void ElementSegmentForms()
    {
        string module = "(module (table 4 funcref) (table $e 4 externref) (func $f)"
            + " (elem (i32.const 0) $f)"
            + " (elem (table 0) (offset (i32.const 1)) func $f)"
            + " (elem (table $e) (i32.const 0) externref (ref.null extern))"
            + " (elem $p funcref (ref.func $f) (item ref.null func))"
            + " (elem declare func $f)"
            + " (func (table.init $p (i32.const 0) (i32.const 0) (i32.const 1)) (table.init 0 $p (i32.const 0) (i32.const 0) (i32.const 1)) (elem.drop $p)))";
        string printed = WatPrinter.Print(WatParser.ParseModule(module));
        Assert.That(printed, Does.Contain("(elem (;0;) (table 0) (offset i32.const 0) func 0)"));
        Assert.That(printed, Does.Contain("(elem (;1;) (table 0) (offset i32.const 1) func 0)"));
        Assert.That(printed, Does.Contain("(elem (;2;) (table 1) (offset i32.const 0) externref (item ref.null extern))"));
        Assert.That(printed, Does.Contain("(elem (;3;) funcref (item ref.func 0) (item ref.null func))"));
        Assert.That(printed, Does.Contain("(elem (;4;) declare func 0)"));
        Assert.That(printed, Does.Contain("table.init 0 3"));
        Assert.That(printed, Does.Contain("elem.drop 3"));
    }

    [Test]
    public void DataSegmentsAndTheDataCountSection()
    {
        byte[] withoutBulk = WatParser.ParseModule("(module (memory 1) (data (i32.const 0) \"a\") (data \"b\"))");
        Assert.That(ModuleDecoder.Decode(withoutBulk).DataCount, Is.Null);
        byte[] withBulk = WatParser.ParseModule("(module (memory 1) (data $d \"b\") (func (data.drop $d)))");
        Assert.That(ModuleDecoder.Decode(withBulk).DataCount, Is.EqualTo(1));
    }

    [Test]
    public void StringEscapes()
    {
        ModuleInfo module = ModuleDecoder.Decode(WatParser.ParseModule("(module (memory 1) (data (i32.const 0) \"\\t\\n\\r\\\"\\'\\\\\\u{41}\\u{20AC}\\00\\ffé\"))"));
        DataSegment data = module.Data[0];
        byte[] bytes = module.Bytes.AsSpan(data.DataStart, data.DataLength).ToArray();
        Assert.That(bytes, Is.EqualTo(new byte[] { 9, 10, 13, 34, 39, 92, 0x41, 0xE2, 0x82, 0xAC, 0x00, 0xFF, 0xC3, 0xA9 }));
    }

    [Test]
    public void NamesMustBeValidUtf8()
    {
        AssertMalformed("(module (func (export \"\\ff\")))", "malformed UTF-8 encoding");
        Assert.That(ModuleDecoder.Decode(WatParser.ParseModule("(module (func (export \"\\u{1F600}\")))")).Exports[0].Name, Is.EqualTo("\U0001F600"));
    }

    [Test]
    public void NumericConstants()
    {
        string printed = WatPrinter.Print(WatParser.ParseModule(
            "(module (func (i32.const -0x8000_0000) (i64.const 0xffff_ffff_ffff_ffff) (f32.const -nan:0x200000) (f64.const 0x1.8p1) (f32.const +inf) (drop) (drop) (drop) (drop) (drop)))"));
        Assert.That(printed, Does.Contain("i32.const -2147483648"));
        Assert.That(printed, Does.Contain("i64.const -1"));
        Assert.That(printed, Does.Contain("f32.const -nan:0x200000"));
        Assert.That(printed, Does.Contain("f64.const 3"));
        Assert.That(printed, Does.Contain("f32.const inf"));
    }

    [Test]
    public void SimdSyntax() =>
        AssertSameModule(
            "(module (memory 1) (func (result v128)"
            + " (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (v128.const i8x16 -128 255 0 0 0 0 0 0 0 0 0 0 0 0 0 0) (v128.const f32x4 1 -0 nan inf))"
            + " (v128.load8_lane offset=4 align=1 15 (i32.const 0) (v128.const i64x2 0 0))"
            + " (drop) (drop)"
            + " (v128.const i16x8 0 1 2 3 4 5 6 7) (i16x8.extract_lane_u 7) (drop)"
            + " (v128.const f64x2 0.5 -0x1p-1074)))",
            "(module (memory 1) (func (result v128)"
            + " v128.const i32x4 0x0000ff80 0 0 0 v128.const i32x4 0x3f800000 0x80000000 0x7fc00000 0x7f800000"
            + " i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31"
            + " i32.const 0 v128.const i64x2 0 0 v128.load8_lane offset=4 15"
            + " drop drop"
            + " v128.const i64x2 0x0003000200010000 0x0007000600050004 i16x8.extract_lane_u 7 drop"
            + " v128.const i64x2 0x3fe0000000000000 0x8000000000000001))");

    [Test]
    public void TypedSelectAndReferences() =>
        AssertSameModule(
            "(module (table 1 funcref) (func $f (result funcref) (select (result funcref) (ref.func $f) (ref.null func) (i32.const 1))) (elem declare func $f))",
            "(module (table 1 funcref) (func (result funcref) ref.func 0 ref.null func i32.const 1 select (result funcref)) (elem declare func 0))");

    [Test]
    public void CallIndirectWithTableAndInlineType() =>
        AssertSameModule(
            "(module (table $t 1 funcref) (table $u 1 funcref) (func (call_indirect $u (param i32) (i32.const 1) (i32.const 0))))",
            "(module (type (func)) (type (func (param i32))) (table 1 funcref) (table 1 funcref) (func (type 0) i32.const 1 i32.const 0 call_indirect 1 (type 1)))");

    [Test]
    public void UnknownOperator()
    {
        AssertMalformed("(module (func i32.const0))", "unknown operator");
        AssertMalformed("(module (func (i32.fake)))", "unknown operator");
        AssertMalformed("(module (data $l\"a\"))", "unknown operator");
    }

    [Test]
    public void ErrorsHaveLineAndColumn()
    {
        TextFormatException error = AssertMalformed("(module\n  (func\n    (i32.const 0x1_0000_0000)))", "constant out of range");
        Assert.That((error.Line, error.Column), Is.EqualTo((3, 16)));
        Assert.That(error.Message, Does.StartWith("<text>:3:16: "));
    }

    [Test]
    public void ErrorsSayWhatWasExpected()
    {
        TextFormatException error = AssertMalformed("(module (memory))", "unexpected token");
        Assert.That(error.Reason, Does.Contain("expected"));
        error = Assert.Throws<TextFormatException>(() => WatParser.ParseModule("(module (func)", "f.wat"))!;
        Assert.That(error.Message, Does.StartWith("f.wat:1:1: "));
    }

    [TestCase("(module (func $f) (func $f))", "duplicate func")]
    [TestCase("(module (func (param $x i32) (local $x i32)))", "duplicate local")]
    [TestCase("(module (import \"m\" \"f\" (func (param $x i32) (param $x i32))))", "duplicate local")]
    [TestCase("(module (type $t (func)) (type $t (func)))", "duplicate type")]
    [TestCase("(module (func) (import \"m\" \"f\" (func)))", "import after function")]
    [TestCase("(module (global i32 (i32.const 0)) (func (import \"m\" \"f\")))", "import after global")]
    [TestCase("(module (func) (start 0) (start 0))", "multiple start sections")]
    [TestCase("(module (func (br $l)))", "unknown label")]
    [TestCase("(module (func block $a end $b))", "mismatching label")]
    [TestCase("(module (func (call $g)))", "unknown func")]
    [TestCase("(module (func (local.get $x)))", "unknown local")]
    [TestCase("(module (global i32 (local.get 0)) (global i32 (local.get $x)))", "unknown local")]
    [TestCase("(module (type $t (func)) (func (type $t) (param i32)))", "inline function type")]
    [TestCase("(module (func (type 3) (param i32)))", "unknown type")]
    [TestCase("(module (func (block (param $x i32))))", "cannot be named")]
    [TestCase("(module (memory 1) (func (i32.load align=3 (i32.const 0)) drop))", "power of two")]
    [TestCase("(module (memory 0x1_0000_0000_0000_0000))", "out of range")]
    [TestCase("(module (func (f32.const 1e39) drop))", "constant out of range")]
    [TestCase("(module (func (v128.const i32x4 1 2 3) drop))", "wrong number of lane literals")]
    [TestCase("(module (func (i8x16.extract_lane_s 256 (v128.const i64x2 0 0)) drop))", "malformed lane index")]
    [TestCase("(module (func else))", "unexpected token")]
    [TestCase("(module (func end))", "unexpected token")]
    [TestCase("(module (func \"unclosed))", "unclosed string")]
    [TestCase("(module (func \"\\q\"))", "illegal escape")]
    [TestCase("(module (; unclosed", "unclosed comment")]
    [TestCase("(module (func)))", "no matching")]
    [TestCase("(module) (module)", "expected the end of the text")]
    [TestCase("(module (frob))", "expected a module field")]
    public void TextLevelErrors(string text, string reason) => AssertMalformed(text, reason);

    [Test]
    public void NumericIndicesAreLeftToTheValidator()
    {
        byte[] binary = WatParser.ParseModule("(module (func (call 7) (local.get 9) (drop) (br 5)))");
        Assert.Throws<InvalidModuleException>(() => ModuleValidator.Validate(ModuleDecoder.Decode(binary)));
    }

    [Test]
    public void AnnotationsAreWhitespace()
    {
        AssertSameModule(
            "((@a) module (@a) $m (@a x-y $yz \"aa\" -2 (nested (@b)) , ; ] [ }} (;c;)) (@\"str id\")\n" +
            "  ((@a) func (@a) $f ((@a) param (@a) $x i32 (@a)) ((@a) result i32)\n" +
            "    ((@a) i32.add (@a) ((@a) local.get (@a) $x) (local.get 0) (@a))) (@custom \"name\" (after func) \"bytes\"))",
            "(module $m (func $f (param $x i32) (result i32) (i32.add (local.get $x) (local.get 0))))");
        AssertSameModule("(@a) (func) (@a)", "(module (func))");
        AssertSameModule("(module (@aas-3!@$d-@#4) (@@) (@$) (@!$@#$23414@#$))", "(module)");
    }

    [TestCase("(module (@))", "empty annotation id")]
    [TestCase("(module (@ x))", "empty annotation id")]
    [TestCase("(module (@(@a)x))", "empty annotation id")]
    [TestCase("(module (@\"\"))", "empty annotation id")]
    [TestCase("(module (@\"\\ef\"))", "malformed UTF-8")]
    [TestCase("(@x (y (z))", "unclosed annotation")]
    [TestCase("(module) (@x (@y )", "unclosed annotation")]
    [TestCase("(@x)) (module)", "no matching")]
    [TestCase("(module (@a \u007f))", "illegal character")]
    [TestCase("(module (@a Heiße))", "illegal character")]
    [TestCase("(module (@x \"))", "unclosed string")]
    [TestCase("(module ( @a))", "unexpected token")]
    [TestCase("(module (func $(@a)f))", "unknown operator")]
    public void MalformedAnnotations(string text, string reason) => AssertMalformed(text, reason);

    [Test]
    public void AnnotationsBetweenScriptCommands()
    {
        IReadOnlyList<Engine.Wast.Scripts.ScriptCommand> commands = Engine.Wast.Scripts.WastParser.ParseScript(
            "(@a) (module (@a) $m (func (export \"f\"))) (@a x (y)) (assert_return (@a) (invoke $m \"f\")) (@b)", "test.wast");
        Assert.That(commands, Has.Count.EqualTo(2));
    }

    [Test]
    public void QuotedIdentifiersEqualPlainOnes()
    {
        AssertSameModule(
            "(module (func $\"fh\") (func $gi) (func $\" random \\t stuff \") (func $\"\\41B\" (param $\"x\" i32)\n" +
            "  (call $fh) (call $\"gi\") (call $\"A\\42\") (call $\"\\u{41}\\u{42}\") (call $\" random \\09 stuff \")\n" +
            "  (local.get $x) drop block $\"l1\" (br $l1) end $\"l1\"))",
            "(module (func $fh) (func $gi) (func $r) (func $AB (param $x i32) (call $fh) (call $gi) (call $AB) (call $AB) (call $r) (local.get $x) drop block $l1 (br $l1) end $l1))");
        AssertSameModule("(module (func $\"\\ef\\98\\9a\") (func (call $\"\\u{f61a}\")))", "(module (func $a) (func (call $a)))");
    }

    [TestCase("(module (func $\"\"))", "empty identifier")]
    [TestCase("(module (func $\"\\ef\"))", "malformed UTF-8")]
    [TestCase("(module (func $\"f\") (func $f))", "duplicate func")]
    [TestCase("(module (func $\"a\tb\"))", "illegal control character")]
    [TestCase("(module (func $ \"a\"))", "unknown operator")]
    [TestCase("(module (func $\"a\"b))", "unknown operator")]
    [TestCase("(module (func $\"a\"\"b\"))", "unknown operator")]
    public void MalformedQuotedIdentifiers(string text, string reason) => AssertMalformed(text, reason);
}
