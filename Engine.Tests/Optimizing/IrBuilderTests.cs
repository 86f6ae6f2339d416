using Engine.Core;
using Engine.Optimizing.Ir;
using NUnit.Framework;

namespace Engine.Tests.Optimizing;

public class IrBuilderTests
{
    [Test]
    public void Print()
    {
        string wat = """
            (module
              (memory 1)
              (func $sum (param $n i32) (result i32) (local $i i32) (local $s i32)
                (block $exit
                  (loop $top
                    (br_if $exit (i32.ge_u (local.get $i) (local.get $n)))
                    (local.set $s (i32.add (local.get $s) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $top)))
                (local.get $s))
              (func $max (param i32 i32) (result i32)
                (if (result i32) (i32.gt_s (local.get 0) (local.get 1)) (then (local.get 0)) (else (local.get 1)))))
            """;
        TestContext.Out.WriteLine(IrPrinter.Print(IrTestSupport.Build(wat, "sum")));
        TestContext.Out.WriteLine(IrPrinter.Print(IrTestSupport.Build(wat, "max")));
        TestContext.Out.WriteLine(IrPrinter.Print(IrTestSupport.Build(wat, "sum", new CompilerOptions { OsrAllLoops = true, Fuel = true })));
    }
}
