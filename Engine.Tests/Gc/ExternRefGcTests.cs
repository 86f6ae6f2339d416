using System.Runtime.CompilerServices;
using Engine.Core;
using Engine.Runtime;
using Engine.Tests.Baseline;
using NUnit.Framework;

namespace Engine.Tests.Gc;

/// <summary>
/// The deferred reference-counting collector end to end: references live in wasm frames survive
/// collections, dead ones are freed, tables and globals own theirs, and no path leaks a box or keeps a
/// .NET object alive. Every test runs in every tier mode (the interpreter, baseline code, tiered).
/// </summary>
[TestFixtureSource(typeof(TierModes), nameof(TierModes.All))]
public sealed class ExternRefGcTests
{
    private readonly EngineConfig _config;

    public ExternRefGcTests(string mode) => _config = TierModes.Config(mode);

    /// <summary>A host object with an identity the tests can check.</summary>
    private sealed record Token(int Id);

    private sealed class Host
    {
        public Store Store = null!;
        public readonly List<WeakReference> Created = new();
        public int Collections;

        public Token Make(int id)
        {
            var token = new Token(id);
            Created.Add(new WeakReference(token));
            return token;
        }

        public void Collect()
        {
            Collections++;
            Store.Gc();
        }
    }

    private (Host Host, Store Store, Instance Instance) Setup(string wat, Action<Linker, Host>? define = null)
    {
        var engine = new WasmEngine(_config);
        var store = new Store(engine);
        var host = new Host { Store = store };
        var linker = new Linker(engine);
        linker.DefineFunction("host", "make", (int id) => (object?)host.Make(id));
        linker.DefineFunction("host", "collect", () => host.Collect());
        linker.DefineFunction("host", "check", (object? reference, int id) => reference is Token token && token.Id == id ? 1 : 0);
        define?.Invoke(linker, host);
        return (host, store, linker.Instantiate(store, Module.FromText(engine, wat)));
    }

    private const string HostImports = """
          (import "host" "make" (func $make (param i32) (result externref)))
          (import "host" "collect" (func $collect))
          (import "host" "check" (func $check (param externref i32) (result i32)))
        """;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AssertAllCollectable(Host host)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.That(host.Created.Count(w => w.IsAlive), Is.Zero, "every .NET object handed to wasm became collectable");
    }

    [TestCase(10)]
    [TestCase(3000)]
    public void CollectionInDeepRecursionKeepsEveryLiveReference(int depth)
    {
        var (host, store, instance) = Setup($$"""
            (module {{HostImports}}
              (func $rec (export "rec") (param $n i32) (result i32) (local $r externref)
                (local.set $r (call $make (local.get $n)))
                (if (result i32) (i32.eqz (local.get $n))
                  (then (call $collect) (call $check (local.get $r) (local.get $n)))
                  (else (i32.add (call $rec (i32.sub (local.get $n) (i32.const 1)))
                                 (call $check (local.get $r) (local.get $n)))))))
            """);
        using (store)
        {
            Assert.That(instance.GetFunction("rec")!.AsFunc<int, int>()(depth), Is.EqualTo(depth + 1), "every frame still sees its own object");
            Assert.That(host.Collections, Is.EqualTo(1));
            Assert.That(store.GcStatistics.LastLiveOnStack, Is.EqualTo(depth + 1), "the collection found one live reference per frame");
            store.Gc();
            Assert.That(store.GcStatistics.BoxesAlive, Is.Zero, "everything dead is freed afterwards");
        }
        AssertAllCollectable(host);
    }

    /// <summary>
    /// Found by the fuzzer (diff target): funcref locals, parameters and operands are no externref boxes. The
    /// stack maps listed every reference slot, so a collection counted a live frame's VMFuncRef as a box: it
    /// corrupted the function's reference or freed it as a box (a crash or "Handle is not initialized").
    /// </summary>
    [Test]
    public void FuncrefsInFramesAreNotTakenForExternrefs()
    {
        var (host, store, instance) = Setup($$"""
            (module {{HostImports}}
              (type $t (func (param funcref i32) (result i64)))
              (table 1 funcref) (elem (i32.const 0) $rec)
              (memory 1)
              (global $g funcref (ref.func $rec))
              (func $rec (export "rec") (type $t) (param $f funcref) (param $n i32) (result i64) (local $l funcref)
                (local.set $l (local.get $f))
                (drop (call $make (local.get $n)))
                (if (i32.eqz (local.get $n)) (then (call $collect) (return (i64.const 7))))
                ;; A funcref temporary below the call's arguments, and the callee's funcref parameter.
                (drop (select (result funcref) (global.get $g) (ref.null func)
                  (i64.eqz (call_indirect (type $t) (global.get $g) (i32.sub (local.get $n) (i32.const 1)) (i32.const 0)))))
                (call $collect)
                (i64.extend_i32_u (ref.is_null (local.get $l)))))
            """);
        using (store)
        {
            Function rec = instance.GetFunction("rec")!;
            for (int i = 0; i < 3; i++)
            {
                Value[] result = rec.Invoke(Value.FuncRef(rec), Value.I32(600));
                Assert.That(result[0].AsI64(), Is.Zero, "the funcref local survived the collections");
            }
            store.Gc();
            Assert.That(store.GcStatistics.BoxesAlive, Is.Zero);
        }
        AssertAllCollectable(host);
    }

    [Test]
    public void ThousandsOfFreshReferencesKeepBoxesBounded()
    {
        var (host, store, instance) = Setup($$"""
            (module {{HostImports}}
              (func (export "churn") (param $n i32) (local $i i32)
                (loop $l
                  (drop (call $make (local.get $i)))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
              (func (export "take") (param externref)))
            """);
        using (store)
        {
            Churn(host, instance);
            Assert.That(store.GcStatistics.Collections, Is.GreaterThan(10), "full activations tables forced collections");
            Assert.That(store.GcStatistics.BoxesAlive, Is.LessThanOrEqualTo(1024), "boxes stay bounded");
            store.Gc();
            Assert.That(store.GcStatistics.BoxesAlive, Is.Zero);
        }
        AssertAllCollectable(host);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Churn(Host host, Instance instance)
    {
        instance.GetFunction("churn")!.AsAction<int>()(20_000);
        Action<object?> take = instance.GetFunction("take")!.AsAction<object?>();
        for (int i = 0; i < 20_000; i++)
        {
            take(host.Make(i));
        }
    }

    private static long ExternRefCount(Global global) => Engine.Gc.ExternRefHeap.CountOf((nint)global.State.Bits);

    [Test]
    public void TablesAndGlobalsOwnTheirReferencesAndReleaseOverwrittenOnes()
    {
        var (host, store, instance) = Setup($$"""
            (module {{HostImports}}
              (table $t 4 externref)
              (global $g (mut externref) (ref.null extern))
              (func (export "fill") (param i32)
                (table.set $t (i32.const 0) (call $make (local.get 0)))
                (global.set $g (call $make (i32.add (local.get 0) (i32.const 1)))))
              (func (export "check") (param i32) (result i32)
                (i32.add (call $check (table.get $t (i32.const 0)) (local.get 0))
                         (call $check (global.get $g) (i32.add (local.get 0) (i32.const 1)))))
              (func (export "clear")
                (table.set $t (i32.const 0) (ref.null extern))
                (global.set $g (ref.null extern))))
            """);
        using (store)
        {
            instance.GetFunction("fill")!.AsAction<int>()(1);
            store.Gc();
            Assert.That(store.GcStatistics.BoxesAlive, Is.EqualTo(2), "the table and the global keep theirs");
            instance.GetFunction("fill")!.AsAction<int>()(10);
            store.Gc();
            Assert.That(store.GcStatistics.BoxesAlive, Is.EqualTo(2), "overwriting released the old values");
            Assert.That(instance.GetFunction("check")!.AsFunc<int, int>()(10), Is.EqualTo(2));
            instance.GetFunction("clear")!.Invoke();
            store.Gc();
            Assert.That(store.GcStatistics.BoxesAlive, Is.Zero, "nulling released them");
        }
        AssertAllCollectable(host);
    }

    [Test]
    public void InitialisationAndBulkTablePathsDoNotLeak()
    {
        var host = new Host();
        RunInitialisationAndBulkTablePaths(host);
        AssertAllCollectable(host);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RunInitialisationAndBulkTablePaths(Host host)
    {
        var engine = new WasmEngine(_config);
        using (var store = new Store(engine))
        {
            host.Store = store;
            var imported = new Global(store, new GlobalType(ValType.ExternRef, false), Value.ExternRef(host.Make(7)));
            var linker = new Linker(engine).Define("host", "g", imported);
            Instance instance = linker.Instantiate(store, Module.FromText(engine, """
                (module
                  (global $g (import "host" "g") externref)
                  (global $copy (mut externref) (global.get $g))
                  (table $t 4 externref)
                  (table $u 2 externref)
                  (elem $passive externref (global.get $g) (ref.null extern) (global.get $g))
                  (elem $active (table $t) (i32.const 0) externref (global.get $g))
                  (func (export "work")
                    (table.init $t $passive (i32.const 1) (i32.const 0) (i32.const 3))
                    (table.init $t $passive (i32.const 0) (i32.const 1) (i32.const 2))
                    (elem.drop $passive)
                    (table.copy $u $t (i32.const 0) (i32.const 2) (i32.const 2))
                    (drop (table.grow $u (table.get $t (i32.const 1)) (i32.const 3)))
                    (table.fill $t (i32.const 2) (global.get $copy) (i32.const 2)))
                  (func (export "clear")
                    (table.fill $t (i32.const 0) (ref.null extern) (i32.const 4))
                    (table.fill $u (i32.const 0) (ref.null extern) (table.size $u))
                    (global.set $copy (ref.null extern))))
                """));
            instance.GetFunction("work")!.Invoke();
            Assert.Throws<TrapException>(() => instance.GetFunction("work")!.Invoke(), "the dropped segment is empty now");
            store.Gc();
            Assert.That(store.GcStatistics.BoxesAlive, Is.EqualTo(1), "one object, one box, however many owners");
            instance.GetFunction("clear")!.Invoke();
            store.Gc();
            Assert.That(store.GcStatistics.BoxesAlive, Is.EqualTo(1), "only the imported global still holds it");
            Assert.That(ExternRefCount(imported), Is.EqualTo(1), "every other owner released its count");
        }
    }

    [Test]
    public void NoCollectionBetweenHostResultsAndTheFrameHoldingThem()
    {
        int round = 0;
        var (host, store, instance) = Setup($$"""
            (module {{HostImports}}
              (import "host" "three" (func $three (result externref externref externref)))
              (import "host" "take3" (func $take3 (param externref externref externref) (result i32)))
              (func (export "run") (param $n i32) (result i32) (local $ok i32)
                (loop $l
                  (local.set $ok (i32.add (local.get $ok) (call $take3 (call $three))))
                  (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                  (br_if $l (local.get $n)))
                (local.get $ok)))
            """, (linker, h) =>
            {
                linker.DefineFunction("host", "three", () =>
                {
                    round++;
                    return ((object?)h.Make(round * 3), (object?)h.Make(round * 3 + 1), (object?)h.Make(round * 3 + 2));
                });
                linker.DefineFunction("host", "take3", (object? a, object? b, object? c) =>
                {
                    h.Collect();
                    return a is Token x && b is Token y && c is Token z && y.Id == x.Id + 1 && z.Id == x.Id + 2 ? 1 : 0;
                });
            });
        using (store)
        {
            Assert.That(instance.GetFunction("run")!.AsFunc<int, int>()(1000), Is.EqualTo(1000));
            store.Gc();
            Assert.That(store.GcStatistics.BoxesAlive, Is.Zero);
        }
        AssertAllCollectable(host);
    }

    [Test]
    public void SelectAndBlockResultsOnTheOperandStackSurviveACollectingCall()
    {
        var (host, store, instance) = Setup($$"""
            (module {{HostImports}}
              (import "host" "use" (func $use (param externref externref i32) (result i32)))
              (func (export "run") (param $c i32) (result i32)
                (call $use
                  (select (result externref) (call $make (i32.const 1)) (call $make (i32.const 2)) (local.get $c))
                  (block (result externref) (call $make (i32.const 3)))
                  (block (result i32) (call $collect) (i32.const 0)))))
            """, (linker, h) => linker.DefineFunction("host", "use", (object? a, object? b, int _) =>
                (a as Token)?.Id * 10 + (b as Token)?.Id ?? -1));
        using (store)
        {
            Assert.That(instance.GetFunction("run")!.AsFunc<int, int>()(1), Is.EqualTo(13));
            Assert.That(instance.GetFunction("run")!.AsFunc<int, int>()(0), Is.EqualTo(23));
            Assert.That(host.Collections, Is.EqualTo(2));
        }
        AssertAllCollectable(host);
    }

    [Test]
    public void ReferencesCrossHostCallsBothWaysOnSeveralThreads()
    {
        const string wat = $$"""
            (module {{HostImports}}
              (import "host" "echo" (func $echo (param externref) (result externref)))
              (func (export "round") (param externref) (result externref)
                (call $collect)
                (call $echo (local.get 0))))
            """;
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, thread =>
        {
            var (host, store, instance) = Setup(wat, (linker, h) => linker.DefineFunction("host", "echo", (object? o) => o));
            using (store)
            {
                Func<object?, object?> round = instance.GetFunction("round")!.AsFunc<object?, object?>();
                for (int i = 0; i < 2000; i++)
                {
                    var token = host.Make(thread * 10_000 + i);
                    Assert.That(round(token), Is.SameAs(token));
                }
                store.Gc();
                Assert.That(store.GcStatistics.BoxesAlive, Is.Zero);
            }
        });
    }

    [Test]
    public void DisposingTheStoreFreesEverything()
    {
        var (host, store, instance) = Setup($$"""
            (module {{HostImports}} (table (export "t") 100 externref)
              (func (export "keep") (param i32) (table.set (local.get 0) (call $make (local.get 0)))))
            """);
        Action<int> keep = instance.GetFunction("keep")!.AsAction<int>();
        for (int i = 0; i < 100; i++)
        {
            keep(i);
        }
        Assert.That(store.GcStatistics.BoxesAlive, Is.EqualTo(100));
        store.Dispose();
        Assert.That(store.GcStatistics.BoxesAlive, Is.Zero);
        keep = null!;
        instance = null!;
        AssertAllCollectable(host);
    }
}
