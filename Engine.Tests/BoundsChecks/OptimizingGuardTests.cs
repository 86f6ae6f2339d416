using Engine.Core;
using Engine.Optimizing;
using Engine.Runtime;
using Engine.Tests.Baseline;
using NUnit.Framework;

namespace Engine.Tests.BoundsChecks;

/// <summary>
/// The optimizing tier on guard pages: a covered access has no check and is a fault site; an access the optimizer
/// removed or moved keeps its trap where wasm puts it (a dead load still traps, a load folded into its user faults
/// before anything after it may trap or write, two faulting loads trap at the first), same as the interpreter and the
/// same code with explicit checks (bounds-check elimination included).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class OptimizingGuardTests
{
    private const string Module = """
        (module
          (memory (export "memory") 1)
          (global $g (export "g") (mut i32) (i32.const 0))
          ;; A dead load: removed as dead code, its trap is not.
          (func (export "dead") (param i32) (drop (i32.load (local.get 0))))
          ;; The load comes first in wasm order; folded into the add it would run after the division.
          (func (export "load_then_div") (param i32 i32 i32) (result i32)
            (i32.add (i32.load (local.get 0)) (i32.div_u (local.get 1) (local.get 2))))
          ;; The load comes first; a global write between it and its use must not happen when it traps.
          (func (export "load_then_set") (param i32) (result i32)
            (i32.add (i32.load (local.get 0)) (block (result i32) (global.set $g (i32.const 5)) (i32.const 1))))
          ;; Two loads that may both be out of bounds: the first traps.
          (func (export "two_loads") (param i32 i32) (result i32)
            (i32.add (i32.load (local.get 0)) (i32.load offset=4 (local.get 1))))
          ;; A store and a load of the same place (forwarded), then a checked-once pair of accesses (one check eliminated).
          (func (export "forward") (param i32 i32) (result i32)
            (i32.store (local.get 0) (local.get 1))
            (i32.add (i32.load (local.get 0)) (i32.load16_u offset=2 (local.get 0))))
          ;; A loop: the same address every iteration, and a moving one.
          (func (export "loop") (param $p i32) (param $n i32) (result i32) (local $s i32)
            (loop $l
              (local.set $s (i32.add (local.get $s) (i32.load (i32.const 100))))
              (local.set $s (i32.add (local.get $s) (i64.load32_u (local.get $p)) (i32.wrap_i64)))
              (local.set $p (i32.add (local.get $p) (i32.const 4096)))
              (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
            (local.get $s))
          ;; Constant addresses past the end, and past the guard region.
          (func (export "constant") (result i32) (i32.load (i32.const 65534)))
          (func (export "beyond_guard") (param i32) (result i32) (i32.load offset=0x4000000 (local.get 0))))
        """;

    private static readonly (string Function, int[] Args)[] s_calls =
    [
        ("dead", [0]), ("dead", [65532]), ("dead", [65533]), ("dead", [-1]),
        ("load_then_div", [0, 7, 1]), ("load_then_div", [70000, 7, 0]), ("load_then_div", [0, 7, 0]), ("load_then_div", [65533, 1, 1]),
        ("load_then_set", [65533]), ("load_then_set", [8]),
        ("two_loads", [65533, 65533]), ("two_loads", [0, 65533]), ("two_loads", [65533, 0]), ("two_loads", [16, 32]),
        ("forward", [8, 0x01020304]), ("forward", [65532, 5]), ("forward", [65533, 5]),
        ("loop", [0, 16]), ("loop", [0, 17]), ("loop", [4, 16]),
        ("constant", []), ("beyond_guard", [0]),
    ];

    private static List<string> Run(EngineConfig config)
    {
        var engine = new WasmEngine(config);
        using var store = new Store(engine);
        Instance instance = BaselineTestSupport.Instantiate(store, Module);
        var lines = new List<string>();
        foreach (var (name, args) in s_calls)
        {
            string outcome;
            try
            {
                Value[] results = instance.GetFunction(name)!.Invoke(args.Select(Value.I32).ToArray());
                outcome = results.Length == 0 ? "ok" : $"{results[0].AsI32()}";
            }
            catch (TrapException trap)
            {
                outcome = $"trap {trap.Code} at {string.Join(" ", trap.WasmBacktrace.Select(f => $"{f.FunctionIndex}@{f.ModuleOffset:x}"))}";
            }
            lines.Add($"{name}({string.Join(", ", args)}) -> {outcome}; g = {instance.GetGlobal("g")!.Value.AsI32()}");
        }
        return lines;
    }

    public static IEnumerable<TestCaseData> Configurations()
    {
        foreach (string mode in new[] { "optimizing", "tiered-optimizing" })
        {
            foreach (BoundsCheckStrategy strategy in new[] { BoundsCheckStrategy.GuardPages, BoundsCheckStrategy.Explicit })
            {
                yield return new TestCaseData(mode, strategy).SetArgDisplayNames(mode, strategy.ToString());
            }
        }
    }

    [TestCaseSource(nameof(Configurations))]
    public void TrapsWhereTheInterpreterTraps(string mode, BoundsCheckStrategy strategy)
    {
        List<string> expected = Run(TierModes.Config("interpreter"));
        List<string> actual = Run(TierModes.Config(mode) with { BoundsChecks = strategy });

        Assert.That(actual, Is.EqualTo(expected));
    }

    private static (int Checks, int FaultSites) Sites(string function, BoundsCheckStrategy strategy)
    {
        ModuleInfo module = ModuleLoader.DecodeAndValidate(Engine.Text.WatParser.ParseModule(Module));
        uint index = module.Exports.Single(e => e.Name == function && e.Kind == ExternKind.Func).Index;
        var options = new CompilerOptions
        {
            BoundsChecks = strategy,
            MemoryGuardSize = strategy == BoundsCheckStrategy.GuardPages ? MemoryReservation.DefaultGuardSize : 0,
        };
        CompiledFunction compiled = new OptimizingCompiler().Compile(module, index, options).Function!;
        return (compiled.TrapSites.Count(s => s.Code == TrapCode.MemoryOutOfBounds && s.Kind == TrapSiteKind.Call),
            compiled.TrapSites.Count(s => s.Kind == TrapSiteKind.Fault));
    }

    [Test]
    public void ACoveredAccessHasNoCheckAndIsAFaultSite()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Sites("two_loads", BoundsCheckStrategy.GuardPages), Is.EqualTo((0, 2)));
            Assert.That(Sites("two_loads", BoundsCheckStrategy.Explicit), Is.EqualTo((2, 0)));
            Assert.That(Sites("loop", BoundsCheckStrategy.GuardPages), Is.EqualTo((0, 2)));
            // The dead load is gone; its check stays (nothing else would trap).
            Assert.That(Sites("dead", BoundsCheckStrategy.GuardPages).Checks, Is.EqualTo(1));
            // The load may not fault after the division: it stays a load of its own, right after its check.
            Assert.That(Sites("load_then_div", BoundsCheckStrategy.GuardPages).Checks, Is.Zero);
            // An offset past the guard region keeps its check.
            Assert.That(Sites("beyond_guard", BoundsCheckStrategy.GuardPages).Checks, Is.EqualTo(1));
        });
    }
}
