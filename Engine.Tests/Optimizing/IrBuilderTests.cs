using Engine.Core;
using Engine.Optimizing.Ir;
using NUnit.Framework;

namespace Engine.Tests.Optimizing;

public class IrBuilderTests
{
    private const string Sum = """
        (module
          (memory 1)
          (global $g (mut i32) (i32.const 0))
          (func $sum (param $n i32) (result i32) (local $i i32) (local $s i32)
            (block $exit
              (loop $top
                (br_if $exit (i32.ge_u (local.get $i) (local.get $n)))
                (local.set $s (i32.add (local.get $s) (i32.load offset=4 (i32.shl (local.get $i) (i32.const 2)))))
                (local.set $s (i32.add (local.get $s) (i32.load offset=8 (i32.shl (local.get $i) (i32.const 2)))))
                (local.set $s (i32.add (local.get $s) (i32.mul (global.get $g) (memory.size))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $top)))
            (local.get $s))
          (func $max (param i32 i32) (result i32)
            (if (result i32) (i32.gt_s (local.get 0) (local.get 1)) (then (local.get 0)) (else (local.get 1))))
          (func $fold (param i32) (result i32)
            (i32.add (i32.mul (i32.add (local.get 0) (i32.const 3)) (i32.const 8)) (i32.sub (i32.const 10) (i32.const 4)))))
        """;

    [Test]
    public void PrintLir()
    {
        ModuleInfo module = IrTestSupport.Module(Sum);
        var pipeline = new Engine.Optimizing.OptimizingPipeline { VerifyEachPass = true };
        pipeline.BuildIr(module, IrTestSupport.FunctionIndex(module, "sum"), CompilerOptions.Default);
        pipeline.Optimize();
        pipeline.SelectInstructions();
        pipeline.AllocateRegisters();
        TestContext.Out.WriteLine(Engine.Optimizing.RegAlloc.LirPrinter.Print(pipeline.Lir, pipeline.Allocator.Moves));
    }

    [Test]
    public void Print()
    {
        TestContext.Out.WriteLine(IrPrinter.Print(IrTestSupport.Build(Sum, "sum")));
        TestContext.Out.WriteLine(IrTestSupport.Optimized(Sum, "sum"));
        TestContext.Out.WriteLine(IrTestSupport.Optimized(Sum, "max"));
        TestContext.Out.WriteLine(IrTestSupport.Optimized(Sum, "fold"));
        TestContext.Out.WriteLine(IrTestSupport.Optimized(Sum, "sum", new CompilerOptions { OsrAllLoops = true, Fuel = true }));
    }
}
