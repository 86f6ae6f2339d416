using System.Diagnostics;
using System.Runtime.Intrinsics;
using Engine.Core;
using Engine.Runtime;
using NUnit.Framework;
using static Engine.Tests.Baseline.BaselineTestSupport;

namespace Engine.Tests.Baseline;

/// <summary>
/// SIMD in the baseline tier, beyond the spec suite (which `wast --tier baseline` runs in full): v128 values in
/// every place the frame holds them (parameters, results, locals, globals, block values, spills, calls between
/// compiled functions, on-stack replacement), the constant-operand forms the spec tests rarely reach, and the
/// fallback to the interpreter without AVX2 (a processor without it, or an engine withholding it). Whether the
/// processor has AVX2 is CPUID's answer (<see cref="HostCpu"/>), not the .NET runtime's. Results are compared with
/// the interpreter's.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SimdBaselineTests
{
    private const string FrameModule = """
        (module
          (global $g (mut v128) (v128.const i32x4 1 2 3 4))
          (func $swap (param v128 v128) (result v128 v128) (local.get 1) (local.get 0))
          (func $mix (param $a v128) (param $x i32) (param $b v128) (result v128)
            (i32x4.add (local.get $a) (i32x4.mul (local.get $b) (i32x4.splat (local.get $x)))))
          ;; Twenty live vectors: more than the allocatable xmm registers, so some are spilled to 16-byte homes.
          (func $pressure (param $v v128) (result v128) (local $i i32)
            (local.get $v) (i32x4.add (local.get $v) (v128.const i32x4 1 1 1 1))
            (i32x4.add (local.get $v) (v128.const i32x4 2 2 2 2)) (i32x4.add (local.get $v) (v128.const i32x4 3 3 3 3))
            (i32x4.add (local.get $v) (v128.const i32x4 4 4 4 4)) (i32x4.add (local.get $v) (v128.const i32x4 5 5 5 5))
            (i32x4.add (local.get $v) (v128.const i32x4 6 6 6 6)) (i32x4.add (local.get $v) (v128.const i32x4 7 7 7 7))
            (i32x4.add (local.get $v) (v128.const i32x4 8 8 8 8)) (i32x4.add (local.get $v) (v128.const i32x4 9 9 9 9))
            (i32x4.add (local.get $v) (v128.const i32x4 10 10 10 10)) (i32x4.add (local.get $v) (v128.const i32x4 11 11 11 11))
            (i32x4.add (local.get $v) (v128.const i32x4 12 12 12 12)) (i32x4.add (local.get $v) (v128.const i32x4 13 13 13 13))
            (i32x4.add (local.get $v) (v128.const i32x4 14 14 14 14)) (i32x4.add (local.get $v) (v128.const i32x4 15 15 15 15))
            (i32x4.add (local.get $v) (v128.const i32x4 16 16 16 16)) (i32x4.add (local.get $v) (v128.const i32x4 17 17 17 17))
            (i32x4.add (local.get $v) (v128.const i32x4 18 18 18 18)) (i32x4.add (local.get $v) (v128.const i32x4 19 19 19 19))
            (i32x4.mul) (i32x4.mul) (i32x4.mul) (i32x4.mul) (i32x4.mul) (i32x4.mul) (i32x4.mul) (i32x4.mul) (i32x4.mul)
            (i32x4.add) (i32x4.add) (i32x4.add) (i32x4.add) (i32x4.add) (i32x4.add) (i32x4.add) (i32x4.add) (i32x4.add) (i32x4.add))
          (func (export "frame") (param $seed i32) (result v128) (local $v v128) (local $w v128) (local $i i32)
            (local.set $v (i32x4.splat (local.get $seed)))
            (local.set $w (call $mix (local.get $v) (i32.const 3) (global.get $g)))
            (global.set $g (i32x4.sub (global.get $g) (local.get $w)))
            (call $swap (local.get $v) (local.get $w))
            ;; A block taking two vectors, and a select of vectors.
            (block (param v128 v128) (result v128)
              (i8x16.shuffle 16 1 18 3 20 5 22 7 24 9 26 11 28 13 30 15))
            (select (local.get $w) (local.get $seed))
            (call $pressure)
            ;; A loop that carries a vector through its iterations (an on-stack replacement point in tiered mode).
            (local.set $v)
            (loop $l
              (local.set $v (i32x4.add (local.get $v) (i32x4.shl (local.get $v) (i32.const 1))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (i32.const 3000))))
            (v128.xor (local.get $v) (global.get $g)))

          ;; The constant-operand forms: shift counts, splats, lane values.
          (func (export "constants") (param $v v128) (param $x i32) (result v128)
            (i8x16.shl (local.get $v) (i32.const 3))
            (i8x16.shr_s (i32.const 9))
            (i8x16.shr_u (local.get $v) (i32.const 2)) (v128.xor)
            (i16x8.shr_s (i32.const 17)) (i32x4.shl (i32.const 33))
            (i64x2.shr_s (local.get $v) (i32.const 5)) (v128.or)
            (i64x2.shr_s (i32.const 70)) (i64x2.shr_u (i32.const 3))
            (i32x4.add (i32x4.splat (i32.const -7)))
            (i16x8.add (i16x8.splat (i32.const 0x1234)))
            (i8x16.add (i8x16.splat (i32.const 200)))
            (i64x2.add (i64x2.splat (i64.const 0x123456789abcdef)))
            (f32x4.add (f32x4.splat (f32.const 1.5)))
            (i32x4.replace_lane 2 (i32.const -1))
            (i64x2.replace_lane 1 (i64.const 0x7fffffffffff))
            (i8x16.replace_lane 15 (local.get $x))
            (i64x2.mul (local.get $v))))
        """;

    private static Vector128<byte> RunFrame(TierMode tier, int seed, int loopThreshold = 2000)
    {
        var config = new EngineConfig { Tier = tier, TierUpLoopThreshold = loopThreshold, BackgroundCompilation = false };
        var engine = new WasmEngine(config);
        var store = new Store(engine);
        Module module = Module.FromText(engine, FrameModule);
        Instance instance = new Linker(engine).Instantiate(store, module);
        if (tier == TierMode.Baseline)
        {
            AssertEverythingCompiles(module);
        }
        Vector128<byte> result = instance.GetFunction("frame")!.Invoke(Value.I32(seed))[0].AsV128();
        if (tier == TierMode.Tiered && HostHasAvx2)
        {
            Assert.That(engine.TierStatistics.Promotions.Any(p => p.Trigger == "loop"), Is.True, "the loop moved to compiled code");
        }
        return result;
    }

    [TestCase(0)]
    [TestCase(7)]
    [TestCase(-123456)]
    public void VectorsLiveInEveryPlaceOfTheFrame(int seed)
    {
        Vector128<byte> expected = RunFrame(TierMode.Interpreter, seed);
        Assert.That(RunFrame(TierMode.Baseline, seed), Is.EqualTo(expected), "baseline");
        Assert.That(RunFrame(TierMode.Tiered, seed, loopThreshold: 10), Is.EqualTo(expected), "tiered, the loop replaced on the stack");
    }

    [Test]
    public void ConstantOperandFormsAgreeWithTheInterpreter()
    {
        var random = new Random(42);
        var interpreter = new WasmEngine(new EngineConfig { Tier = TierMode.Interpreter });
        var baseline = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline });
        Function expected = Instantiate(new Store(interpreter), FrameModule).GetFunction("constants")!;
        Function actual = Instantiate(new Store(baseline), FrameModule).GetFunction("constants")!;
        Assert.That(IsCompiled(actual), Is.EqualTo(HostHasAvx2));
        Span<byte> bytes = stackalloc byte[16];
        for (int i = 0; i < 200; i++)
        {
            random.NextBytes(bytes);
            Value[] arguments = [Value.V128(Vector128.Create((ReadOnlySpan<byte>)bytes)), Value.I32(random.Next())];
            Assert.That(actual.Invoke(arguments)[0].AsV128(), Is.EqualTo(expected.Invoke(arguments)[0].AsV128()), $"case {i}");
        }
    }

    [Test]
    public void TheSimdBenchmarkCompilesWhole()
    {
        var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline });
        var store = new Store(engine);
        Module module = Module.FromFile(engine, BenchmarkProgram("simd.wasm"));
        Instance instance = new Linker(engine).Instantiate(store, module);
        AssertEverythingCompiles(module);
        Assert.That(instance.GetFunction("run")!.Invoke(Value.I32(10))[0].AsI64(), Is.EqualTo(2841891118789878507));
    }

    private static bool HostHasAvx2 => HostCpu.Features.HasFlag(CpuFeatures.Avx2);

    private static readonly CompileFailure s_needsAvx2 = new(CompileFailureReason.MissingCpuFeature, "SIMD needs AVX2");

    /// <summary>No function falls back, except on a processor without AVX2, where those with SIMD do, saying why.</summary>
    private static void AssertEverythingCompiles(Module module)
    {
        if (HostHasAvx2)
        {
            Assert.That(module.TierFallbacks, Is.Empty, "every function compiles");
        }
        else
        {
            Assert.That(module.TierFallbacks.Select(f => f.Failure), Is.Not.Empty.And.All.EqualTo(s_needsAvx2));
        }
    }

    [Test]
    public void SimdCompilesWhenDotnetIsToldNotToUseAvx2()
    {
        // DOTNET_EnableAVX2=0 turns off Avx2.IsSupported in the child process; the processor still has AVX2, and
        // what compiled wasm code may use is the processor's business (CPUID and XGETBV), not .NET's.
        Assume.That(ProcCpuinfoFlags().Contains("avx2"), "the processor has no AVX2 (per /proc/cpuinfo)");
        (string output, string error) = RunSimdProgram(("DOTNET_EnableAVX2", "0"));
        Assert.That(output.Trim(), Is.EqualTo("2841891118789878507"));
        Assert.That(error, Does.Contain("0 fell back to a lower tier"));
        Assert.That(error, Does.Not.Contain("stays interpreted"));
    }

    [Test]
    public void WithoutAvx2SimdFunctionsStayInterpretedWithTheReason()
    {
        var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline, CpuFeatures = CpuFeatures.X64V2 });
        var store = new Store(engine);
        Module module = Module.FromFile(engine, BenchmarkProgram("simd.wasm"));
        Instance instance = new Linker(engine).Instantiate(store, module);
        Assert.That(instance.GetFunction("run")!.Invoke(Value.I32(10))[0].AsI64(), Is.EqualTo(2841891118789878507));
        Assert.That(module.TierFallbacks.Select(f => f.Failure), Is.Not.Empty.And.All.EqualTo(s_needsAvx2));
        Assert.That(engine.TierStatistics.Summary(), Does.Contain($"fell back to a lower tier ({module.TierFallbacks.Count} MissingCpuFeature)"));
    }

    [Test]
    public void CompiledCodeRecordsTheFeaturesItAssumed()
    {
        var lowered = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline, CpuFeatures = CpuFeatures.X64V2 });
        Assert.That(lowered.CpuFeatures, Is.EqualTo(CpuFeatures.X64V2 & HostCpu.Features));
        var full = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline });
        Assert.That(full.CpuFeatures, Is.EqualTo(HostCpu.Features));
        foreach (WasmEngine engine in new[] { lowered, full })
        {
            Module module = Module.FromText(engine, "(module (func (export \"f\") (result i32) (i32.const 1)))");
            Assert.That(module.Code!.Get(0)!.Artifact.CpuFeatures, Is.EqualTo(engine.CpuFeatures));
        }
    }

    private static (string Output, string Error) RunSimdProgram(params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "wasm-engine.dll"), "run", "--tier", "baseline", "--stats",
            "--invoke", "run", BenchmarkProgram("simd.wasm"), "10",
        })
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(2)), Is.True);
        Assert.That(process.ExitCode, Is.Zero, () => error.Result);
        return (output, error.Result);
    }

    /// <summary>The feature flags of the first processor in /proc/cpuinfo (empty where there is none).</summary>
    internal static HashSet<string> ProcCpuinfoFlags()
    {
        if (!File.Exists("/proc/cpuinfo"))
        {
            return [];
        }
        string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        return line is null ? [] : line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
    }

    private static string BenchmarkProgram(string file) =>
        Path.Combine(TestPaths.RepositoryRoot, "Engine.Benchmarks", "Programs", file);
}
