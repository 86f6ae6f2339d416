using Engine.Core;
using Engine.Text;
using NUnit.Framework;

namespace Engine.Tests.Foundation;

/// <summary>What validation records about each function for the tiers (FunctionBody.UsesV128).</summary>
[TestFixture]
public sealed class ValidationFactsTests
{
    private static bool UsesV128(string wat, int function = 0)
    {
        ModuleInfo module = ModuleLoader.DecodeAndValidate(WatParser.ParseModule(wat));
        return module.Bodies[function].UsesV128;
    }

    [Test]
    public void ScalarCodeHoldsNoV128EvenInAModuleThatHasThem()
    {
        Assert.That(UsesV128("""
            (module
              (global v128 (v128.const i32x4 0 0 0 0))
              (func (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
              (func (result v128) (global.get 0)))
            """), Is.False);
    }

    [TestCase("(func (drop (v128.const i64x2 1 2)))")]
    [TestCase("(func (local v128))")]
    [TestCase("(func (param v128))")]
    [TestCase("(func (drop (i32x4.extract_lane 0 (global.get 0))))")]
    [TestCase("(func (drop (call 1))) (func (result v128) (v128.const i32x4 0 0 0 0))")]
    [TestCase("(func (block (result v128) (v128.const i32x4 0 0 0 0)) (drop))")]
    public void AnyV128ValueCounts(string functions)
    {
        Assert.That(UsesV128($"(module (global v128 (v128.const i32x4 0 0 0 0)) {functions})"), Is.True);
    }
}
