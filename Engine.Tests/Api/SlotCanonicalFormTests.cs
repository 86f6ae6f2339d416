using Engine.Core;
using Engine.Runtime;
using Engine.Tests.Baseline;
using NUnit.Framework;

namespace Engine.Tests.Api;

/// <summary>
/// Every tier writes i32 and f32 values with 32-bit stores, so the upper half of such a value's 64-bit slot may hold
/// stale bits from an earlier, wider value. Wherever slots become values the host sees, the upper half must be zero
/// (the form <see cref="Value.I32"/> makes): host function arguments (the raw unchecked form included), results
/// returned to the host, globals and exception payloads. Each test first fills the slots with all-ones through an i64
/// use of the same slots (the outgoing area of a call, the argument area of an export), then passes narrow values,
/// so a missing zero-extension shows deterministically.
/// </summary>
[TestFixture]
public sealed class SlotCanonicalFormTests
{
    public static IEnumerable<string> Modes() => TierModes.All();

    private const string Module = """
        (module
          (import "host" "wide" (func $wide (param i64 i64)))
          (import "host" "narrow" (func $narrow (param i32 f32)))
          (tag $t (export "t") (param i32 f32))
          (global $g (export "g") (mut i32) (i32.const 0))
          ;; The outgoing slots hold all-ones from $wide's arguments when $narrow's are written over them, and the
          ;; narrow values come from wider ones (wrap and demote may leave the register's upper bits as they were).
          (func (export "call-host") (param $x i64) (param $y f64)
            (call $wide (i64.const -1) (i64.const -1))
            (call $narrow (i32.wrap_i64 (local.get $x)) (f32.demote_f64 (local.get $y))))
          ;; The same for a throw's values.
          (func (export "throw") (param $x i64) (param $y f64)
            (call $wide (i64.const -1) (i64.const -1))
            (throw $t (i32.wrap_i64 (local.get $x)) (f32.demote_f64 (local.get $y))))
          ;; The result is written over an all-ones i64 argument.
          (func (export "wrap") (param i64) (result i32)
            (i32.wrap_i64 (local.get 0)))
          (func (export "demote") (param i64) (result f32)
            (f32.demote_f64 (f64.reinterpret_i64 (local.get 0))))
          ;; The global gets a value whose slot held an i64 in every tier that computes wrap in place.
          (func (export "set-global") (param i64)
            (global.set $g (i32.wrap_i64 (local.get 0)))))
        """;

    private static readonly ulong Half = BitConverter.SingleToUInt32Bits(0.5f);

    private static Instance Instantiate(Store store, Action<ulong, ulong> narrowSlots, Action<Value, Value>? narrowValues = null)
    {
        var linker = new Linker(store.Engine);
        linker.DefineFunction("host", "wide", (long a, long b) => { });
        if (narrowValues is null)
        {
            linker.DefineFunctionUnchecked("host", "narrow", new FuncType([ValType.I32, ValType.F32], []),
                (caller, slots) => narrowSlots(slots[0], slots[1]));
        }
        else
        {
            linker.DefineFunction("host", "narrow", new FuncType([ValType.I32, ValType.F32], []),
                (caller, arguments, results) => narrowValues(arguments[0], arguments[1]));
        }
        return linker.Instantiate(store, Engine.Runtime.Module.FromText(store.Engine, Module));
    }

    [TestCaseSource(nameof(Modes))]
    public void UncheckedHostFunctionsGetZeroExtendedI32AndF32Arguments(string mode)
    {
        using var store = new Store(new WasmEngine(TierModes.Config(mode)));
        var seen = new List<(ulong, ulong)>();
        Instance instance = Instantiate(store, (x, y) => seen.Add((x, y)));
        Function run = instance.GetFunction("call-host")!;
        for (int i = 0; i < 5; i++)
        {
            run.Invoke(Value.I64(unchecked((long)0xFFFF_FFFF_0000_0007UL)), Value.F64(0.5));
        }
        Assert.That(seen, Is.All.EqualTo((7UL, Half)));
    }

    [TestCaseSource(nameof(Modes))]
    public void HostFunctionsOverValuesGetCanonicalI32AndF32Arguments(string mode)
    {
        using var store = new Store(new WasmEngine(TierModes.Config(mode)));
        var seen = new List<(Value, Value)>();
        Instance instance = Instantiate(store, (_, _) => { }, (x, y) => seen.Add((x, y)));
        Function run = instance.GetFunction("call-host")!;
        for (int i = 0; i < 5; i++)
        {
            run.Invoke(Value.I64(unchecked((long)0xFFFF_FFFF_0000_0007UL)), Value.F64(0.5));
        }
        Assert.That(seen, Is.All.EqualTo((Value.I32(7), Value.F32(0.5f))));
        Assert.That(seen.Select(pair => (pair.Item1.Bits, pair.Item2.Bits)), Is.All.EqualTo((7UL, Half)));
    }

    [TestCaseSource(nameof(Modes))]
    public void ExceptionPayloadsHoldZeroExtendedI32AndF32Values(string mode)
    {
        using var store = new Store(new WasmEngine(TierModes.Config(mode)));
        Instance instance = Instantiate(store, (_, _) => { });
        Function run = instance.GetFunction("throw")!;
        for (int i = 0; i < 5; i++)
        {
            var e = Assert.Throws<TagException>(() => run.Invoke(Value.I64(-2), Value.F64(0.5)))!;
            Assert.That(e.Payload, Is.EqualTo(new[] { 0xFFFF_FFFEUL, Half }));
            Assert.That(instance.GetTag("t")!.ValuesOf(e), Is.EqualTo(new[] { Value.I32(-2), Value.F32(0.5f) }));
        }
    }

    [TestCaseSource(nameof(Modes))]
    public void ResultsReturnedToTheHostAreCanonical(string mode)
    {
        using var store = new Store(new WasmEngine(TierModes.Config(mode)));
        Instance instance = Instantiate(store, (_, _) => { });
        Function wrap = instance.GetFunction("wrap")!, demote = instance.GetFunction("demote")!;
        ulong halfAsF64 = BitConverter.DoubleToUInt64Bits(0.5);
        for (int i = 0; i < 5; i++)
        {
            Value narrow = wrap.Invoke(Value.I64(-1))[0];
            Assert.That((narrow, narrow.Bits), Is.EqualTo((Value.I32(-1), 0xFFFF_FFFFUL)));
            Value single = demote.Invoke(Value.I64((long)halfAsF64))[0];
            Assert.That((single, single.Bits), Is.EqualTo((Value.F32(0.5f), Half)));
            Assert.That(wrap.AsFunc<long, int>()(-1), Is.EqualTo(-1));
        }
    }

    [TestCaseSource(nameof(Modes))]
    public void GlobalsReadByTheHostAreCanonical(string mode)
    {
        using var store = new Store(new WasmEngine(TierModes.Config(mode)));
        Instance instance = Instantiate(store, (_, _) => { });
        Function set = instance.GetFunction("set-global")!;
        for (int i = 0; i < 5; i++)
        {
            set.Invoke(Value.I64(-1 - i));
            Value value = instance.GetGlobal("g")!.Value;
            Assert.That((value, value.Bits), Is.EqualTo((Value.I32(-1 - i), (ulong)(uint)(-1 - i))));
        }
    }
}
