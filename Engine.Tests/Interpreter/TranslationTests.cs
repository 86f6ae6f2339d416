using Engine.Core;
using Engine.Text;
using Engine.Interpreter;
using NUnit.Framework;

namespace Engine.Tests.Interpreter;

/// <summary>
/// Which interpreter instructions come out of which wasm: each fusion the translator promises, pinned as
/// the exact listing (in the style of wasmi's translation tests).
/// </summary>
[TestFixture]
public sealed class TranslationTests
{
    /// <summary>The listing of the module's first function, without the header line.</summary>
    private static string Translate(string wat)
    {
        ModuleInfo module = ModuleLoader.DecodeAndValidate(WatParser.ParseModule(wat));
        string listing = Disassembler.Disassemble(module, (uint)module.ImportedFunctionCount);
        return string.Join('\n', listing.Split('\n').Skip(1).Select(line => line.Trim()).Where(line => line.Length > 0));
    }

    private static string Lines(params string[] lines) => string.Join('\n', lines);

    [Test]
    public void EveryOperatorOfTheTableHasAnInstruction()
    {
        // The translator maps plain operators, loads, stores and the SIMD lane operators through tables; an
        // operator added to operators.txt without its instruction shows up here instead of in a program.
        Assert.That(Translator.OperatorsWithoutInstruction().Select(OperatorInfo.Name), Is.Empty);
    }

    [Test]
    public void LocalGetCopiesNothingAndResultsWriteTheirDestination()
    {
        // params s0 s1, local s2, zero slot s3, temporaries from s4
        string listing = Translate("""
            (module (func (param i32 i32) (result i32) (local i32)
              (local.set 2 (i32.add (local.get 0) (local.get 1)))
              (i32.mul (local.get 2) (local.get 2))))
            """);
        Assert.That(listing, Is.EqualTo(Lines(
            "0: I32Add d=s2 a=s0 b=s1",
            "4: I32Mul d=s0 a=s2 b=s2",
            "8: Return")));
    }

    [Test]
    public void ConstantOperandsBecomeImmediates()
    {
        string listing = Translate("""
            (module (func (param i32) (result i32)
              (i32.sub (i32.shl (local.get 0) (i32.const 3)) (i32.const 5))))
            """);
        Assert.That(listing, Is.EqualTo(Lines(
            "0: I32ShlImm d=s2 a=s0 imm=3",
            "4: I32AddImm d=s0 a=s2 imm=-5",
            "8: Return")));
    }

    [Test]
    public void CompareAndBranchFuse()
    {
        string listing = Translate("""
            (module (func (param i32 i32) (result i32)
              (block (br_if 0 (i32.lt_s (local.get 0) (local.get 1))))
              (if (i32.eq (local.get 0) (i32.const 7)) (then (unreachable)))
              (local.get 1)))
            """);
        Assert.That(listing, Is.EqualTo(Lines(
            "0: BrI32LtS a=s0 b=s1 ->4",
            "4: BrI32NeImm a=s0 imm=7 ->9",
            "8: Unreachable",
            "9: ReturnSlot a=s1")));
    }

    [Test]
    public void ConstantAddressesAndAddedOffsetsFoldIntoTheAccess()
    {
        // params s0, zero slot s1; the store's address (a constant) is position 0 (s2), the loaded value position 1 (s3)
        string listing = Translate("""
            (module (memory 1) (func (param i32) (result i64)
              (i32.store (i32.const 64) (i32.load (i32.add (local.get 0) (i32.const -8))))
              (i64.load offset=4 (local.get 0))))
            """);
        Assert.That(listing, Is.EqualTo(Lines(
            "0: I32Load d=s3 a=s0 k=-8 off=0",
            "5: I32Store a=s1 b=s3 k=64 off=0",
            "10: I64Load d=s0 a=s0 k=0 off=4",
            "15: Return")));
    }

    [Test]
    public void FloatArithmeticReadsAJustLoadedOperand()
    {
        string listing = Translate("""
            (module (memory 1) (func (param i32 f64) (result f64)
              (f64.mul (local.get 1) (f64.load (local.get 0)))))
            """);
        Assert.That(listing, Is.EqualTo(Lines(
            "0: F64MulLoad d=s0 a=s1 b=s0 k=0 off=0",
            "6: Return")));
    }

    [Test]
    public void FloatArithmeticKeepsALeftLoadOrConstantOnTheLeft()
    {
        // With two NaNs the left one's NaN is the result: a left operand never becomes the memory operand or immediate.
        string listing = Translate("""
            (module (memory 1) (func (param i32 f64) (result f64)
              (f64.mul (f64.load (local.get 0)) (local.get 1))
              (f64.add (f64.const 2) (local.get 1))
              (f64.add)))
            """);
        Assert.That(listing, Does.Contain("F64Mul d=").And.Not.Contain("MulLoad").And.Not.Contain("AddImm"));
    }

    [Test]
    public void CallsPassArgumentsInPlace()
    {
        // params s0, zero s1; the callee's frame starts at the first argument's home slot s2
        string listing = Translate("""
            (module
              (func (param i32) (result i32) (i32.add (call 1 (local.get 0) (i32.const 2)) (local.get 0)))
              (func (param i32 i32) (result i32) (local.get 0)))
            """);
        Assert.That(listing, Is.EqualTo(Lines(
            "0: Copy d=s2 a=s0",
            "3: Const32 d=s3 imm=2",
            "6: Call f=1 args=s2",
            "9: I32Add d=s0 a=s2 b=s0",
            "13: Return")));
    }
}
