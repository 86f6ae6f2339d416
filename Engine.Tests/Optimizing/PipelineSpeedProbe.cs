using System.Diagnostics;
using Engine.Core;
using Engine.Optimizing;
using NUnit.Framework;

namespace Engine.Tests.Optimizing;

[Explicit("a timing probe for development, not a test")]
public sealed class PipelineSpeedProbe
{
    [Test]
    public void LargeModule()
    {
        string path = Path.Combine(TestPaths.RepositoryRoot, "Engine.Benchmarks", "Modules", "large.wasm");
        ModuleInfo module = ModuleLoader.DecodeAndValidate(File.ReadAllBytes(path));
        var pipeline = new OptimizingPipeline { VerifyEachPass = false };
        long bytes = module.Bodies.Sum(b => (long)(b.End - b.Start));
        var phases = new double[5];
        var emitter = new Engine.Optimizing.Emit.LirEmitter();
        for (int round = 0; round < 3; round++)
        {
            Array.Clear(phases);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var total = Stopwatch.StartNew();
            for (int i = 0; i < module.Bodies.Count; i++)
            {
                uint index = (uint)(module.ImportedFunctionCount + i);
                long t0 = Stopwatch.GetTimestamp();
                pipeline.BuildIr(module, index, CompilerOptions.Default);
                long t1 = Stopwatch.GetTimestamp();
                pipeline.Optimize();
                long t2 = Stopwatch.GetTimestamp();
                pipeline.SelectInstructions();
                long t3 = Stopwatch.GetTimestamp();
                pipeline.AllocateRegisters();
                long t4 = Stopwatch.GetTimestamp();
                emitter.Emit(pipeline.Function, pipeline.Lir, pipeline.Allocator, pipeline.OutgoingBytes, CompilerOptions.Default);
                long t5 = Stopwatch.GetTimestamp();
                phases[0] += t1 - t0; phases[1] += t2 - t1; phases[2] += t3 - t2; phases[3] += t4 - t3; phases[4] += t5 - t4;
            }
            total.Stop();
            double f = 1000.0 / Stopwatch.Frequency;
            TestContext.Out.WriteLine($"round {round}: {total.ElapsedMilliseconds} ms, {bytes / 1e6 / total.Elapsed.TotalSeconds:F1} MB/s; build {phases[0] * f:F0} ms, optimize {phases[1] * f:F0}, isel {phases[2] * f:F0}, regalloc {phases[3] * f:F0}, emit {phases[4] * f:F0}; allocated {(GC.GetAllocatedBytesForCurrentThread() - before) / 1e6:F0} MB");
        }
    }
}

[Explicit("development: prints the allocated LIR of WASM_PROBE_FILE's function WASM_PROBE_FUNC")]
public sealed class AllocationProbe
{
    [Test]
    public void Print()
    {
        string path = Environment.GetEnvironmentVariable("WASM_PROBE_FILE")!;
        uint index = uint.Parse(Environment.GetEnvironmentVariable("WASM_PROBE_FUNC") ?? "0");
        ModuleInfo module = ModuleLoader.DecodeAndValidate(File.ReadAllBytes(path));
        var pipeline = new OptimizingPipeline { VerifyEachPass = true };
        CompilerOptions options = Environment.GetEnvironmentVariable("WASM_PROBE_OSR") == "1" ? new CompilerOptions { OsrAllLoops = true } : CompilerOptions.Default;
        pipeline.BuildIr(module, index, options);
        pipeline.Optimize();
        File.WriteAllText("/tmp/probe.ir", Engine.Optimizing.Ir.IrPrinter.Print(pipeline.Function));
        pipeline.SelectInstructions();
        File.WriteAllText("/tmp/probe.lir", Engine.Optimizing.RegAlloc.LirPrinter.Print(pipeline.Lir));
        pipeline.AllocateRegisters();
        File.WriteAllText("/tmp/probe.lir", Engine.Optimizing.RegAlloc.LirPrinter.Print(pipeline.Lir, pipeline.Allocator.Moves));
    }
}
