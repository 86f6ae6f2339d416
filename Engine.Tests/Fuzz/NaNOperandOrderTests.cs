using System.Text;
using Engine.Core;
using Engine.Runtime;
using Engine.Text;
using NUnit.Framework;

namespace Engine.Tests.Fuzz;

/// <summary>
/// A float operation on two NaNs returns the first operand's NaN (quieted) in every tier, as x86's <c>addsd</c>
/// family and wasmtime do; wasm allows either, but our tiers must agree bit for bit, since a function may tier up
/// between two calls. The reduced form of the fuzz finding <c>Reproducers/diff/f64-add-constant-left-nan.wasm</c>: the
/// interpreter's translator treated f64 add and mul as commutative and moved a constant or a just-loaded left
/// operand to the right (into the instruction's immediate or memory operand), so it returned the other NaN.
/// </summary>
[TestFixture]
public sealed class NaNOperandOrderTests
{
    private static readonly string[] s_operators = ["add", "sub", "mul", "div"];

    /// <summary>How an operand is made: a parameter, a constant, a load (left at 0, right at 16).</summary>
    private static readonly string[] s_forms = ["param", "const", "load"];

    private static string Operand(string type, string form, int side, ulong bits)
    {
        string integer = type == "f32" ? "i32" : "i64";
        return form switch
        {
            "param" => $"({type}.reinterpret_{integer} (local.get {side}))",
            "const" => $"({type}.reinterpret_{integer} ({integer}.const 0x{bits:x}))",
            _ => $"({type}.load offset={side * 16} (i32.const 0))",
        };
    }

    private static (string Text, List<(string Name, string Type)> Functions) Module(ulong left32, ulong right32, ulong left64, ulong right64)
    {
        var text = new StringBuilder("(module (memory 1)\n");
        var functions = new List<(string, string)>();
        foreach (string type in new[] { "f32", "f64" })
        {
            string integer = type == "f32" ? "i32" : "i64";
            (ulong left, ulong right) = type == "f32" ? (left32, right32) : (left64, right64);
            foreach (string op in s_operators)
            {
                foreach (string a in s_forms)
                {
                    foreach (string b in s_forms)
                    {
                        string name = $"{type}.{op} {a} {b}";
                        functions.Add((name, type));
                        text.Append($"""
                            (func (export "{name}") (param {integer} {integer}) (result {integer})
                              ({integer}.store (i32.const 0) (local.get 0))
                              ({integer}.store (i32.const 16) (local.get 1))
                              ({integer}.reinterpret_{type} ({type}.{op} {Operand(type, a, 0, left)} {Operand(type, b, 1, right)})))

                            """);
                    }
                }
            }
        }
        return (text.Append(')').ToString(), functions);
    }

    [TestCase(TierMode.Interpreter)]
    [TestCase(TierMode.Baseline)]
    [TestCase(TierMode.Optimizing)]
    public void TwoNaNsGiveTheFirstOperandsNaN(TierMode tier)
    {
        // A positive quiet NaN and a negative one with other payloads; then a signalling NaN first (quieted).
        var cases = new (ulong Left32, ulong Right32, ulong Left64, ulong Right64, ulong Expected32, ulong Expected64)[]
        {
            (0x7fc00001, 0xffc00002, 0x7ff8000000000001, 0xfff8000000000002, 0x7fc00001, 0x7ff8000000000001),
            (0xff800003, 0x7fc00004, 0xfff0000000000003, 0x7ff8000000000004, 0xffc00003, 0xfff8000000000003),
        };
        var engine = new WasmEngine(new EngineConfig { Tier = tier });
        var failures = new List<string>();
        foreach (var c in cases)
        {
            (string text, var functions) = Module(c.Left32, c.Right32, c.Left64, c.Right64);
            using var store = new Store(engine);
            Instance instance = new Linker(engine).Instantiate(store, Runtime.Module.FromBytes(engine, WatParser.ParseModule(text)));
            foreach ((string name, string type) in functions)
            {
                Function function = instance.GetFunction(name)!;
                ulong result, expected;
                if (type == "f32")
                {
                    result = (uint)function.Invoke(Value.I32((int)c.Left32), Value.I32((int)c.Right32))[0].AsI32();
                    expected = c.Expected32;
                }
                else
                {
                    result = (ulong)function.Invoke(Value.I64((long)c.Left64), Value.I64((long)c.Right64))[0].AsI64();
                    expected = c.Expected64;
                }
                if (result != expected)
                {
                    failures.Add($"{name}: 0x{result:x}, expected 0x{expected:x}");
                }
            }
        }
        Assert.That(failures, Is.Empty);
    }
}
