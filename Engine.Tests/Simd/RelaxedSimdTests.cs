using System.Runtime.Intrinsics;
using Engine.Core;
using Engine.Interpreter;
using Engine.Runtime;
using NUnit.Framework;

namespace Engine.Tests.Simd;

/// <summary>
/// Relaxed SIMD (3.0): every operator gives the same bits in every tier, on the inputs where the spec allows several
/// results (NaN, out-of-range, indices past 15, bytes above 127, -32768 squared), and those bits are the documented
/// x86 choices (tiers.md, "Relaxed SIMD"). The spec scripts accept any allowed result, so they cannot see a tier
/// that picked another one.
/// </summary>
[TestFixture]
public sealed class RelaxedSimdTests
{
    private static readonly string[] s_binary =
    [
        "i8x16.relaxed_swizzle", "f32x4.relaxed_min", "f32x4.relaxed_max", "f64x2.relaxed_min", "f64x2.relaxed_max",
        "i16x8.relaxed_q15mulr_s", "i16x8.relaxed_dot_i8x16_i7x16_s",
    ];

    private static readonly string[] s_unary =
    [
        "i32x4.relaxed_trunc_f32x4_s", "i32x4.relaxed_trunc_f32x4_u", "i32x4.relaxed_trunc_f64x2_s_zero", "i32x4.relaxed_trunc_f64x2_u_zero",
    ];

    private static readonly string[] s_ternary =
    [
        "f32x4.relaxed_madd", "f32x4.relaxed_nmadd", "f64x2.relaxed_madd", "f64x2.relaxed_nmadd", "i8x16.relaxed_laneselect",
        "i16x8.relaxed_laneselect", "i32x4.relaxed_laneselect", "i64x2.relaxed_laneselect", "i32x4.relaxed_dot_i8x16_i7x16_add_s",
    ];

    private static string ModuleText()
    {
        var text = new System.Text.StringBuilder("(module\n");
        foreach (string op in s_unary)
        {
            text.Append($"  (func (export \"{op}\") (param v128) (result v128) ({op} (local.get 0)))\n");
        }
        foreach (string op in s_binary)
        {
            text.Append($"  (func (export \"{op}\") (param v128 v128) (result v128) ({op} (local.get 0) (local.get 1)))\n");
        }
        foreach (string op in s_ternary)
        {
            text.Append($"  (func (export \"{op}\") (param v128 v128 v128) (result v128) ({op} (local.get 0) (local.get 1) (local.get 2)))\n");
        }
        // The destination sharing a register with the third operand (the optimizing tier's coalescing).
        text.Append("  (func (export \"madd-aliased\") (param v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 0)))\n");
        return text.Append(')').ToString();
    }

    private static readonly Vector128<byte>[] s_inputs =
    [
        Vector128.Create(float.NaN, -0f, 3.7e9f, -2.5e9f).AsByte(),
        Vector128.Create(1.5f, 0f, -1f, float.PositiveInfinity).AsByte(),
        Vector128.Create(double.NaN, -2147483649.5).AsByte(),
        Vector128.Create(-0.0, 4294967296.0).AsByte(),
        Vector128.Create((byte)0, 15, 16, 31, 127, 128, 200, 255, 1, 2, 3, 4, 5, 6, 7, 8),
        Vector128.Create((short)-32768, -32768, 32767, 1, -1, 16384, -16384, 0).AsByte(),
        Vector128.Create(0x0123456789ABCDEFUL, 0xF0F0F0F00F0F0F0FUL).AsByte(),
    ];

    private static Vector128<byte>[] Run(EngineConfig config, string export, int arity, Instance? reuse = null)
    {
        var engine = new WasmEngine(config);
        var store = new Store(engine);
        Module module = Module.FromText(engine, ModuleText());
        Instance instance = new Linker(engine).Instantiate(store, module);
        Assert.That(module.TierFallbacks, Is.Empty);
        var results = new List<Vector128<byte>>();
        foreach (Vector128<byte> x in s_inputs)
        {
            foreach (Vector128<byte> y in s_inputs)
            {
                Vector128<byte> z = s_inputs[(x.GetElement(0) + y.GetElement(1)) % s_inputs.Length];
                Value[] args = arity switch
                {
                    1 => [Value.V128(x)],
                    2 => [Value.V128(x), Value.V128(y)],
                    _ => [Value.V128(x), Value.V128(y), Value.V128(z)],
                };
                results.Add(instance.GetFunction(export)!.Invoke(args)[0].AsV128());
            }
        }
        return results.ToArray();
    }

    private static IEnumerable<TestCaseData> Operators() =>
        s_unary.Select(op => new TestCaseData(op, 1))
            .Concat(s_binary.Select(op => new TestCaseData(op, 2)))
            .Concat(s_ternary.Select(op => new TestCaseData(op, 3)))
            .Append(new TestCaseData("madd-aliased", 2));

    [TestCaseSource(nameof(Operators))]
    public void EveryTierMakesTheSameChoice(string export, int arity)
    {
        Vector128<byte>[] interpreted = Run(new EngineConfig { Tier = TierMode.Interpreter }, export, arity);
        Assert.That(Run(new EngineConfig { Tier = TierMode.Baseline }, export, arity), Is.EqualTo(interpreted), "baseline");
        Assert.That(Run(new EngineConfig { Tier = TierMode.Optimizing }, export, arity), Is.EqualTo(interpreted), "optimizing");
    }

    [Test]
    public void TheChoicesAreX86s()
    {
        // pshufb: bit 7 zeroes the lane, otherwise the low four bits index.
        Vector128<byte> table = Vector128.Create((byte)10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25);
        Vector128<byte> swizzled = SimdOps.I8x16RelaxedSwizzle(table, Vector128.Create((byte)17, 128, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        Assert.That(swizzled.GetElement(0), Is.EqualTo(11));
        Assert.That(swizzled.GetElement(1), Is.EqualTo(0));
        Assert.That(swizzled.GetElement(2), Is.EqualTo(0));
        // cvttps2dq: NaN and overflow give int.MinValue.
        Vector128<int> truncated = SimdOps.I32x4RelaxedTruncF32x4S(Vector128.Create(float.NaN, 3e9f, -3e9f, -7.9f).AsByte()).AsInt32();
        Assert.That(truncated, Is.EqualTo(Vector128.Create(int.MinValue, int.MinValue, int.MinValue, -7)));
        // minps: the second operand for NaN and for two zeros.
        Vector128<float> min = SimdOps.F32x4RelaxedMin(Vector128.Create(float.NaN, 0f, -0f, 1f).AsByte(), Vector128.Create(2f, -0f, 0f, float.NaN).AsByte()).AsSingle();
        Assert.That(BitConverter.SingleToInt32Bits(min[0]), Is.EqualTo(BitConverter.SingleToInt32Bits(2f)));
        Assert.That(BitConverter.SingleToInt32Bits(min[1]), Is.EqualTo(BitConverter.SingleToInt32Bits(-0f)));
        Assert.That(BitConverter.SingleToInt32Bits(min[2]), Is.EqualTo(0));
        Assert.That(float.IsNaN(min[3]), Is.True);
        // pmulhrsw wraps -32768 * -32768.
        Vector128<short> q15 = SimdOps.I16x8RelaxedQ15mulrS(Vector128.Create((short)-32768).AsByte(), Vector128.Create((short)-32768).AsByte()).AsInt16();
        Assert.That(q15.GetElement(0), Is.EqualTo(-32768));
        // pmaddubsw: the second operand's bytes unsigned, the sum saturated.
        Vector128<short> dot = SimdOps.I16x8RelaxedDotI8x16I7x16S(Vector128.Create((byte)0x7F).AsByte(), Vector128.Create((byte)0xFF)).AsInt16();
        Assert.That(dot.GetElement(0), Is.EqualTo(short.MaxValue));
    }

    [Test]
    public void The20RulesAndTheSwitchRejectThem()
    {
        byte[] binary = Engine.Text.WatParser.ParseModule("(module (func (param v128) (result v128) (f32x4.relaxed_min (local.get 0) (local.get 0))))");
        Assert.DoesNotThrow(() => ModuleLoader.DecodeAndValidate(binary));
        Assert.Throws<MalformedModuleException>(() => ModuleLoader.DecodeAndValidate(binary, WasmFeatures.Wasm2));
        Assert.Throws<MalformedModuleException>(() => ModuleLoader.DecodeAndValidate(binary, WasmFeatures.Default & ~WasmFeatures.RelaxedSimd));
    }
}
