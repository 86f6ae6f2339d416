using Engine.Core;
using Engine.Runtime;
using NUnit.Framework;
using static Engine.Tests.Baseline.BaselineTestSupport;

namespace Engine.Tests.Baseline;

/// <summary>Fuel and epoch interruption behave in compiled code exactly as in the interpreter.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class InterruptionTests
{
    private const string Program = """
        (module
          (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
          (func (export "run") (param $n i32) (result i32)
            (local $i i32) (local $acc i32)
            (loop $l
              (local.set $acc (call $leaf (local.get $acc)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $acc))
          (func (export "forever") (loop $l (br $l))))
        """;

    private static (long Remaining, TrapCode? Trap) RunWithFuel(string mode, long fuel, int n)
    {
        using var store = new Store(new WasmEngine(TierModes.Config(mode, fuel: true)));
        Function run = Instantiate(store, Program).GetFunction("run")!;
        store.SetFuel(fuel);
        try
        {
            Assert.That(run.Invoke(Value.I32(n))[0].AsI32(), Is.EqualTo(n));
            return (store.Fuel, null);
        }
        catch (TrapException e)
        {
            return (store.Fuel, e.Code);
        }
    }

    [Test]
    public void FuelIsConsumedExactlyAsInTheInterpreter([ValueSource(typeof(TierModes), nameof(TierModes.Compiled))] string mode)
    {
        foreach (int n in new[] { 1, 10, 1000 })
        {
            Assert.That(RunWithFuel(mode, 1_000_000, n), Is.EqualTo(RunWithFuel("interpreter", 1_000_000, n)), $"n = {n}");
        }
        foreach (long fuel in new long[] { 0, 1, 2, 3, 57, 1999 })
        {
            (long remaining, TrapCode? trap) = RunWithFuel(mode, fuel, 1000);
            Assert.That((remaining, trap), Is.EqualTo(RunWithFuel("interpreter", fuel, 1000)), $"fuel = {fuel}");
            Assert.That(trap, Is.EqualTo(TrapCode.OutOfFuel));
        }
    }

    [Test]
    public void EpochDeadlineInterruptsALoopInCompiledCode([ValueSource(typeof(TierModes), nameof(TierModes.All))] string mode)
    {
        var engine = new WasmEngine(TierModes.Config(mode, epoch: true));
        using var store = new Store(engine);
        Function forever = Instantiate(store, Program).GetFunction("forever")!;
        store.SetEpochDeadline(1);
        using var timer = new Timer(_ => engine.IncrementEpoch(), null, 50, 20);
        var e = Assert.Throws<TrapException>(() => forever.Invoke())!;
        Assert.That(e.Code, Is.EqualTo(TrapCode.Interrupted));
        Assert.That(e.WasmBacktrace.Select(f => f.FunctionIndex), Is.EqualTo(new uint[] { 2 }));
    }
}
