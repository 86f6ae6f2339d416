using System.Runtime.Intrinsics;
using Engine.Core;
using Engine.Runtime;
using NUnit.Framework;

namespace Engine.Tests.Api;

/// <summary>
/// The legacy exception instructions (<c>try</c>, <c>catch</c>, <c>catch_all</c>, <c>delegate</c>, <c>rethrow</c>;
/// <see cref="WasmFeatures.LegacyExceptions"/>) beyond the spec scripts: values of every type (references across a
/// collection), exceptions thrown by compiled callees, by the host and by other functions' delegates, rethrow keeping the
/// exception's identity, mixing with <c>try_table</c>, the typed fallback of the compilers, and the feature switch.
/// </summary>
[TestFixture]
public sealed class LegacyExceptionTests
{
    private const string Catcher = """
        (module
          (import "host" "gc" (func $gc))
          (import "host" "raise" (func $raise (param i32)))
          (tag $e (export "e") (param i32 i64 f32 f64 v128 externref))
          (tag $plain (export "plain") (param i32))
          (func $thrower (param $n i32) (param $r externref)
            (throw $e (local.get $n) (i64.const -5) (f32.const 1.5) (f64.const -2.25)
              (v128.const i32x4 1 2 3 4) (local.get $r)))
          ;; Catches $thrower's exception; collects while the values (and the kept exception) are on the stack only; sums
          ;; the numbers.
          (func $catch-values (export "catch-values") (param $n i32) (param $r externref) (result i32 externref)
            (local $i i32) (local $l i64) (local $f f32) (local $d f64) (local $v v128) (local $ref externref)
            (try
              (do (call $thrower (local.get $n) (local.get $r)))
              (catch $e
                (call $gc)
                (local.set $ref) (local.set $v) (local.set $d) (local.set $f) (local.set $l) (local.set $i)))
            (i32.add (i32.add (local.get $i) (i32.wrap_i64 (local.get $l)))
              (i32.add (i32.add (i32.trunc_f32_s (local.get $f)) (i32.trunc_f64_s (local.get $d)))
                (i32x4.extract_lane 3 (local.get $v))))
            (local.get $ref))
          ;; rethrow from catch_all hands the host the exception it caught, unchanged.
          (func (export "rethrow-all") (param $n i32)
            (try (do (call $thrower (local.get $n) (ref.null extern)))
              (catch_all (rethrow 0))))
          ;; An inner function delegates to its caller, whose catch takes the host's exception.
          (func $delegating (param $n i32)
            (try (do (call $raise (local.get $n))) (delegate 0)))
          (func (export "host-through-delegate") (param $n i32) (result i32)
            (try (result i32)
              (do (call $delegating (local.get $n)) (i32.const -1))
              (catch $plain (i32.add (i32.const 100)))))
          ;; A try_table inside a legacy catch, and a delegate to a try_table's label.
          (func (export "mixed") (param $n i32) (result i32)
            (block $outer (result i32)
              (try_table (result i32) (catch $plain $outer)
                (try (result i32)
                  (do (call $raise (local.get $n)) (i32.const -1))
                  (catch $plain
                    (local.set $n)
                    (block $inner (result i32)
                      (try_table (result i32) (catch $plain $inner)
                        (try (result i32)
                          (do (call $raise (i32.add (local.get $n) (i32.const 10))) (i32.const -2))
                          (delegate 1))))))))))
        """;

    public static IEnumerable<string> Modes() => ["interpreter", "baseline", "optimizing", "tiered"];

    private static EngineConfig ConfigFor(string mode) => mode switch
    {
        "interpreter" => new EngineConfig { Tier = TierMode.Interpreter },
        "baseline" => new EngineConfig { Tier = TierMode.Baseline },
        "optimizing" => new EngineConfig { Tier = TierMode.Optimizing },
        _ => new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, TierUpOptimizeThreshold = 1,
            BackgroundCompilation = false,
        },
    };

    private static (Store Store, Instance Instance) Instantiate(string mode)
    {
        var store = new Store(new WasmEngine(ConfigFor(mode)));
        var linker = new Linker(store.Engine);
        Instance? instance = null;
        linker.DefineFunction("host", "gc", () => store.Gc());
        linker.DefineFunction("host", "raise", (int n) => throw instance!.GetTag("plain")!.Exception(Value.I32(n)));
        instance = linker.Instantiate(store, Module.FromText(store.Engine, Catcher));
        return (store, instance);
    }

    [TestCaseSource(nameof(Modes))]
    public void ACatchReceivesValuesOfEveryTypeAndKeepsReferencesAcrossACollection(string mode)
    {
        var (store, instance) = Instantiate(mode);
        using (store)
        {
            Function run = instance.GetFunction("catch-values")!;
            for (int i = 0; i < 4; i++)
            {
                var box = new object();
                Value[] results = run.Invoke(Value.I32(7 + i), Value.ExternRef(box));
                // 4 (lane 3) - 2 (f64) + 1 (f32) - 5 (i64) + n.
                Assert.That(results[0].AsI32(), Is.EqualTo(4 - 2 + 1 - 5 + 7 + i));
                Assert.That(results[1].AsExternRef(), Is.SameAs(box));
            }
        }
    }

    [TestCaseSource(nameof(Modes))]
    public void RethrowHandsTheHostTheCaughtException(string mode)
    {
        var (store, instance) = Instantiate(mode);
        using (store)
        {
            var e = Assert.Throws<TagException>(() => instance.GetFunction("rethrow-all")!.Invoke(Value.I32(3)))!;
            Assert.That(e.Tag, Is.SameAs(instance.GetTag("e")!.Instance));
            Assert.That(instance.GetTag("e")!.ValuesOf(e)[0], Is.EqualTo(Value.I32(3)));
        }
    }

    [TestCaseSource(nameof(Modes))]
    public void AHostExceptionDelegatedToTheCallerIsCaughtThere(string mode)
    {
        var (store, instance) = Instantiate(mode);
        using (store)
        {
            Assert.That(instance.GetFunction("host-through-delegate")!.Invoke(Value.I32(5))[0].AsI32(), Is.EqualTo(105));
        }
    }

    [TestCaseSource(nameof(Modes))]
    public void LegacyTryAndTryTableNest(string mode)
    {
        var (store, instance) = Instantiate(mode);
        using (store)
        {
            // The legacy catch takes 5; the inner raise of 15 is delegated to the inner try_table, which branches to $inner.
            Assert.That(instance.GetFunction("mixed")!.Invoke(Value.I32(5))[0].AsI32(), Is.EqualTo(15));
        }
    }

    [Test]
    public void TheCompilersRefuseLegacyFunctionsWithATypedReasonAndCompileTheRest()
    {
        var (store, instance) = Instantiate("baseline");
        using (store)
        {
            var fallbacks = store.Engine.TierStatistics.Fallbacks;
            Assert.That(fallbacks, Is.Not.Empty);
            Assert.That(fallbacks.Select(f => f.Failure.Reason), Is.All.EqualTo(CompileFailureReason.UnsupportedFeature));
            Assert.That(fallbacks.Select(f => f.Failure.Detail), Is.All.Contains("legacy exception instructions"));
            // catch-values, rethrow-all, $delegating, host-through-delegate, mixed; $thrower is compiled.
            Assert.That(fallbacks, Has.Count.EqualTo(5));
            Assert.That(instance.GetFunction("catch-values")!.Invoke(Value.I32(0), Value.ExternRef(null))[0].AsI32(), Is.EqualTo(-2));
        }
    }

    [Test]
    public void WithoutTheFeatureTheInstructionsAreRefusedByName()
    {
        var engine = new WasmEngine(new EngineConfig { Features = WasmFeatures.Default & ~WasmFeatures.LegacyExceptions });
        var e = Assert.Catch(() => Module.FromText(engine, "(module (func (try (do) (catch_all))))"))!;
        Assert.That(e.Message, Does.Contain("legacy-exceptions"));
        Assert.That(() => Module.FromText(engine, "(module (tag) (func (try_table (catch_all 0))))"), Throws.Nothing);
    }
}
