using System.Runtime.CompilerServices;
using Engine.Core;
using Engine.Runtime;
using NUnit.Framework;
using static Engine.Tests.Baseline.BaselineTestSupport;

namespace Engine.Tests.Baseline;

/// <summary>
/// The collector with compiled frames on the stack: references live across calls sit in frame slots the
/// stack maps list, and a collection from a host function (or a full activations table) walks mixed
/// interpreter and native frames; live references survive, dead ones are freed.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class NativeGcTests
{
    private sealed class Token(int id)
    {
        public int Id { get; } = id;
    }

    private static Linker GcLinker(WasmEngine engine)
    {
        var linker = new Linker(engine);
        linker.DefineFunction("host", "gc", new FuncType([], []), (caller, _, _) => caller.Store.Gc());
        return linker;
    }

    // A reference in a local, one on the operand stack (its local cleared), and one in a float/int mix,
    // all live across a call that collects; the results give them back.
    private const string KeepAcrossCalls = """
        (module
          (import "host" "gc" (func $gc))
          (func $inner (param $a externref) (param $b externref) (result externref externref)
            (local.get $b)
            (local.set $b (ref.null extern))
            (call $gc)
            (local.get $a))
          (func (export "keep") (param externref externref) (result externref externref i32)
            (local.get 0) (local.get 1)
            (call $inner)
            (call $gc)
            (i32.const 7)))
        """;

    [Test]
    public void ReferencesLiveInFramesSurviveCollections([ValueSource(typeof(TierModes), nameof(TierModes.All))] string mode)
    {
        var engine = new WasmEngine(TierModes.Config(mode));
        using var store = new Store(engine);
        Function keep = Instantiate(store, KeepAcrossCalls, GcLinker(engine)).GetFunction("keep")!;
        for (int round = 0; round < 5; round++)
        {
            var a = new Token(1);
            var b = new Token(2);
            Value[] results = keep.Invoke(Value.ExternRef(a), Value.ExternRef(b));
            Assert.That(results[0].AsExternRef(), Is.SameAs(b));
            Assert.That(results[1].AsExternRef(), Is.SameAs(a));
            Assert.That(results[2].AsI32(), Is.EqualTo(7));
        }
    }

    // Many table reads of externrefs root them in the activations table and fill it up: collections then
    // run from inside compiled code (the rooting builtin) with the loop's references live in the frame.
    private const string TableChurn = """
        (module
          (table $t 4 externref)
          (func (export "set") (param i32 externref) (table.set $t (local.get 0) (local.get 1)))
          (func (export "churn") (param $n i32) (result externref)
            (local $i i32) (local $keep externref)
            (local.set $keep (table.get $t (i32.const 0)))
            (table.set $t (i32.const 0) (ref.null extern))
            (loop $l
              (drop (table.get $t (i32.const 1)))
              (table.set $t (i32.const 2) (table.get $t (i32.const 1)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $keep)))
        """;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference SetDroppable(Function set)
    {
        var dropped = new Token(3);
        set.Invoke(Value.I32(3), Value.ExternRef(dropped));
        set.Invoke(Value.I32(3), Value.ExternRef(null));
        return new WeakReference(dropped);
    }

    [Test]
    public void CollectionsFromCompiledCodeKeepLiveAndFreeDead([ValueSource(typeof(TierModes), nameof(TierModes.All))] string mode)
    {
        var engine = new WasmEngine(TierModes.Config(mode));
        using var store = new Store(engine);
        Instance instance = Instantiate(store, TableChurn);
        Function set = instance.GetFunction("set")!;
        Function churn = instance.GetFunction("churn")!;
        var kept = new Token(0);
        set.Invoke(Value.I32(0), Value.ExternRef(kept));
        set.Invoke(Value.I32(1), Value.ExternRef(new Token(1)));
        WeakReference dropped = SetDroppable(set);
        long before = store.GcStatistics.Collections;
        Value result = churn.Invoke(Value.I32(20_000))[0];
        Assert.That(result.AsExternRef(), Is.SameAs(kept), "the reference held only by the compiled frame survived");
        Assert.That(store.GcStatistics.Collections, Is.GreaterThan(before), "the loop filled the activations table");
        store.Gc();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.That(dropped.IsAlive, Is.False, "a reference no one holds was released");
    }
}
