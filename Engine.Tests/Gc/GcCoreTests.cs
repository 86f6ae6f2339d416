using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.Gc;
using NUnit.Framework;

namespace Engine.Tests.Gc;

[TestFixture]
public sealed class StackMapTests
{
    [Test]
    public void RoundTripsSafepointsAndSharesIdenticalSets()
    {
        var builder = new StackMapBuilder();
        builder.Add(40, [7, 2]);
        builder.Add(3, [1]);
        builder.Add(12, [2, 7]);
        builder.Add(99, []);
        StackMap map = builder.Build();

        Assert.That(map.SafepointCount, Is.EqualTo(3));
        Assert.That(map.Keys, Is.EqualTo(new uint[] { 3, 12, 40 }));
        Assert.That(map.TryGetLiveSlots(40, out SlotSet at40), Is.True);
        Assert.That(new[] { at40[0], at40[1] }, Is.EqualTo(new[] { 2, 7 }));
        Assert.That(map.TryGetLiveSlots(3, out SlotSet at3), Is.True);
        Assert.That(at3.Count, Is.EqualTo(1));
        Assert.That(at3[0], Is.EqualTo(1));
        Assert.That(map.TryGetLiveSlots(99, out _), Is.False, "an empty set is not stored");
        Assert.That(map.TryGetLiveSlots(4, out _), Is.False);
        // Header 4 + 3 entries * 8, then two distinct sets: {1} (2+2 bytes) and {2,7} (2+4 bytes).
        Assert.That(map.Bytes.Length, Is.EqualTo(4 + 24 + 4 + 6));
    }

    [Test]
    public void EmptyMapHasNoSafepoints()
    {
        Assert.That(new StackMapBuilder().Build().SafepointCount, Is.Zero);
        Assert.That(StackMap.Empty.TryGetLiveSlots(0, out _), Is.False);
    }
}

[TestFixture]
public sealed unsafe class ActivationsTableTests
{
    /// <summary>A stack of fake frames in native memory, described by one stack map.</summary>
    private sealed class FakeStack : IStackWalker, IDisposable
    {
        public readonly nint* Slots = (nint*)NativeMemory.AllocZeroed(64, (nuint)sizeof(nint));
        public StackMap Map = StackMap.Empty;
        public bool Complete = true;

        public bool TryWalk(List<GcFrame> frames)
        {
            frames.Add(new GcFrame(Map, 1, (nint)Slots));
            return Complete;
        }

        public void Dispose() => NativeMemory.Free(Slots);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (nint Box, WeakReference Weak) AllocateUnreachableObject(ExternRefHeap heap)
    {
        var obj = new object();
        return (heap.Allocate(obj), new WeakReference(obj));
    }

    [Test]
    public void CollectionKeepsLiveReferencesAndFreesDeadOnes()
    {
        using var heap = new ExternRefHeap();
        using var stack = new FakeStack();
        using var table = new ActivationsTable(heap) { Walker = stack };
        var (live, liveWeak) = AllocateUnreachableObject(heap);
        var (dead, deadWeak) = AllocateUnreachableObject(heap);
        table.Insert(live);
        table.Insert(dead);
        stack.Slots[5] = live;
        var builder = new StackMapBuilder();
        builder.Add(1, [5]);
        stack.Map = builder.Build();

        Assert.That(table.Collect(), Is.True);

        Assert.That(heap.IsAlive(live), Is.True);
        Assert.That(heap.IsAlive(dead), Is.False);
        Assert.That(table.Count, Is.EqualTo(1));
        Assert.That(ExternRefHeap.CountOf(live), Is.EqualTo(1));
        Assert.That(heap.Statistics.BoxesAlive, Is.EqualTo(1));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.That(deadWeak.IsAlive, Is.False, "the dead box's .NET object became collectable");
        Assert.That(liveWeak.IsAlive, Is.True);

        stack.Slots[5] = 0;
        table.Collect();
        Assert.That(heap.Statistics.BoxesAlive, Is.Zero);
    }

    [Test]
    public void IncompleteWalkFreesNothingAndGrows()
    {
        using var heap = new ExternRefHeap();
        using var stack = new FakeStack { Complete = false };
        using var table = new ActivationsTable(heap, 16) { Walker = stack };
        nint box = heap.Allocate("x");
        table.Insert(box);
        int before = table.Capacity;
        Assert.That(table.Collect(), Is.False);
        Assert.That(heap.IsAlive(box), Is.True);
        Assert.That(table.Capacity, Is.GreaterThan(before));
        Assert.That(heap.Statistics.IncompleteWalks, Is.EqualTo(1));
    }

    [Test]
    public void ThousandsOfDroppedReferencesStayBounded()
    {
        using var heap = new ExternRefHeap();
        using var stack = new FakeStack();
        using var table = new ActivationsTable(heap) { Walker = stack };
        for (int i = 0; i < 20_000; i++)
        {
            table.Insert(heap.Allocate(i));
        }
        Assert.That(heap.Statistics.Collections, Is.GreaterThan(0));
        Assert.That(heap.Statistics.BoxesAlive, Is.LessThanOrEqualTo(ActivationsTable.MinimumCapacity));
        table.Clear();
        Assert.That(heap.Statistics.BoxesAlive, Is.Zero);
    }

    [Test]
    public void MoreLiveReferencesThanTheFirstChunkHolds()
    {
        using var heap = new ExternRefHeap();
        using var stack = new FakeStack();
        using var table = new ActivationsTable(heap, 16) { Walker = stack };
        var builder = new StackMapBuilder();
        var slots = Enumerable.Range(0, 40).ToArray();
        builder.Add(1, slots);
        stack.Map = builder.Build();
        for (int i = 0; i < 40; i++)
        {
            nint box = heap.Allocate(i);
            table.Insert(box);
            stack.Slots[i] = box;
        }
        table.Collect();
        Assert.That(heap.Statistics.BoxesAlive, Is.EqualTo(40));
        for (int i = 0; i < 40; i++)
        {
            Assert.That(ExternRefHeap.GetObject(stack.Slots[i]), Is.EqualTo(i));
        }
    }

    [Test]
    public void TableOwnedCountsSurviveCollections()
    {
        using var heap = new ExternRefHeap();
        using var stack = new FakeStack();
        using var table = new ActivationsTable(heap) { Walker = stack };
        nint box = heap.Allocate("held by a global");
        ExternRefHeap.Increment(box); // a global owns it
        table.Insert(box);
        table.Collect();
        Assert.That(heap.IsAlive(box), Is.True);
        Assert.That(ExternRefHeap.CountOf(box), Is.EqualTo(1));
        heap.Decrement(box); // the global is overwritten
        Assert.That(heap.IsAlive(box), Is.False);
    }
}
