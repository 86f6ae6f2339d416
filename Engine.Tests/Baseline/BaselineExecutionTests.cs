using Engine.Core;
using Engine.Runtime;
using NUnit.Framework;
using static Engine.Tests.Baseline.BaselineTestSupport;

namespace Engine.Tests.Baseline;

[TestFixture]
public sealed class BaselineExecutionTests
{
    [Test]
    public void CompilesAndRunsArithmeticAndRecursion()
    {
        using var store = new Store(NewEngine(TierMode.Baseline));
        Instance instance = Instantiate(store, """
            (module
              (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
              (func $fib (export "fib") (param i32) (result i32)
                local.get 0 i32.const 2 i32.lt_s
                if (result i32) local.get 0
                else local.get 0 i32.const 1 i32.sub call $fib local.get 0 i32.const 2 i32.sub call $fib i32.add end))
            """);
        Function add = instance.GetFunction("add")!;
        Function fib = instance.GetFunction("fib")!;
        Assert.That(IsCompiled(add), Is.True);
        Assert.That(IsCompiled(fib), Is.True);
        Assert.That(add.Invoke(Value.I32(40), Value.I32(2))[0].AsI32(), Is.EqualTo(42));
        Assert.That(fib.Invoke(Value.I32(20))[0].AsI32(), Is.EqualTo(6765));
    }

    [Test]
    public void TrapsCarryTheWasmBacktrace()
    {
        using var store = new Store(NewEngine(TierMode.Baseline));
        Instance instance = Instantiate(store, """
            (module
              (func $inner (param i32) (result i32) i32.const 1 local.get 0 i32.div_u)
              (func (export "outer") (param i32) (result i32) local.get 0 call $inner))
            """);
        var e = Assert.Throws<TrapException>(() => instance.GetFunction("outer")!.Invoke(Value.I32(0)))!;
        Assert.That(e.Code, Is.EqualTo(TrapCode.IntegerDivideByZero));
        Assert.That(e.WasmBacktrace.Select(f => f.FunctionIndex), Is.EqualTo(new uint[] { 0, 1 }));
        Assert.That(e.WasmBacktrace.All(f => f.ModuleOffset > 0), Is.True);
    }

    [Test]
    public void DeepRecursionIsAStackExhaustionTrap()
    {
        using var store = new Store(NewEngine(TierMode.Baseline));
        Instance instance = Instantiate(store, """
            (module (func $f (export "f") (param i64) (result i64) local.get 0 i64.const 1 i64.add call $f))
            """);
        var e = Assert.Throws<TrapException>(() => instance.GetFunction("f")!.Invoke(Value.I64(0)))!;
        Assert.That(e.Code, Is.EqualTo(TrapCode.StackExhausted));
    }

    [Test]
    public void HostExceptionsCrossCompiledFramesUnchanged()
    {
        using var store = new Store(NewEngine(TierMode.Baseline));
        var linker = new Linker(store.Engine);
        var thrown = new InvalidOperationException("from the host");
        linker.DefineFunction("host", "fail", new FuncType([], []), (_, _, _) => throw thrown);
        Instance instance = Instantiate(store, """
            (module (import "host" "fail" (func $fail)) (func (export "run") call $fail))
            """, linker);
        var e = Assert.Throws<InvalidOperationException>(() => instance.GetFunction("run")!.Invoke())!;
        Assert.That(e, Is.SameAs(thrown));
        Assert.That(WasmBacktrace.Get(e).Select(f => f.FunctionIndex), Is.EqualTo(new uint[] { 1 }));
    }
}
