using System.Runtime.Intrinsics.X86;
using Engine.CodeGen.X64;
using Engine.Core;
using Engine.Runtime;
using Engine.Runtime.Native;
using Engine.Tests.Baseline;
using NUnit.Framework;

namespace Engine.Tests.CodeGen;

/// <summary>
/// Which instruction sets compiled code may use: the decision from CPUID and XCR0 (with made-up processors), the
/// real processor's answer against Linux's /proc/cpuinfo, the CPUID stub against .NET's CPUID, and code compiled
/// for fewer features (the fallbacks without LZCNT and BMI1, the typed reasons without POPCNT and SSE4.1).
/// </summary>
[TestFixture]
public sealed class CpuFeatureTests
{
    private const int Osxsave = 1 << 27, AvxBit = 1 << 28, Sse41Bit = 1 << 19, PopcntBit = 1 << 23;
    private const int Avx2Bit = 1 << 5, Bmi1Bit = 1 << 3, Avx512FBit = 1 << 16;

    /// <summary>A made-up processor: leaf 1 ECX, leaf 7 EBX, extended leaf 0x80000001 ECX.</summary>
    private static Func<int, int, CpuidResult> Processor(int leaf1Ecx, int leaf7Ebx, int extendedEcx = 1 << 5, int maxLeaf = 7) =>
        (leaf, _) => leaf switch
        {
            0 => new CpuidResult(maxLeaf, 0, 0, 0),
            1 => new CpuidResult(0, 0, leaf1Ecx, 0),
            7 => new CpuidResult(0, leaf7Ebx, 0, 0),
            unchecked((int)0x8000_0000) => new CpuidResult(unchecked((int)0x8000_0001), 0, 0, 0),
            unchecked((int)0x8000_0001) => new CpuidResult(0, 0, extendedEcx, 0),
            _ => default,
        };

    [Test]
    public void AvxNeedsTheOperatingSystemToSaveTheYmmRegisters()
    {
        int leaf1 = Sse41Bit | PopcntBit | AvxBit | Osxsave;
        CpuFeatures withState = CpuFeatureDetection.Detect(Processor(leaf1, Avx2Bit | Bmi1Bit), () => 0b111);
        Assert.That(withState, Is.EqualTo(CpuFeatures.Sse41 | CpuFeatures.Popcnt | CpuFeatures.Avx | CpuFeatures.Avx2 | CpuFeatures.Bmi1 | CpuFeatures.Lzcnt));

        // XCR0 without the AVX bit: the processor has AVX and AVX2, the OS would not save the upper halves.
        CpuFeatures withoutState = CpuFeatureDetection.Detect(Processor(leaf1, Avx2Bit | Bmi1Bit), () => 0b011);
        Assert.That(withoutState, Is.EqualTo(CpuFeatures.Sse41 | CpuFeatures.Popcnt | CpuFeatures.Bmi1 | CpuFeatures.Lzcnt));

        // No OSXSAVE: XGETBV would fault, so it is not run, and there is no AVX.
        bool read = false;
        CpuFeatures noXsave = CpuFeatureDetection.Detect(Processor(leaf1 & ~Osxsave, Avx2Bit), () => { read = true; return 0b111; });
        Assert.That(read, Is.False);
        Assert.That(noXsave & (CpuFeatures.Avx | CpuFeatures.Avx2), Is.EqualTo(CpuFeatures.None));
    }

    [Test]
    public void Avx512NeedsTheOpmaskAndZmmState()
    {
        int leaf1 = AvxBit | Osxsave;
        int leaf7 = Avx2Bit | Avx512FBit | (1 << 30) | (1 << 31);
        Assert.That(CpuFeatureDetection.Detect(Processor(leaf1, leaf7), () => 0b1110_0111) & CpuFeatures.Avx512F, Is.EqualTo(CpuFeatures.Avx512F));
        Assert.That(CpuFeatureDetection.Detect(Processor(leaf1, leaf7), () => 0b0000_0111) & CpuFeatures.All & ~CpuFeatures.X64V3, Is.EqualTo(CpuFeatures.None));
    }

    [Test]
    public void OldProcessorsWithoutLeaf7OrLzcnt()
    {
        CpuFeatures features = CpuFeatureDetection.Detect(Processor(Sse41Bit, Avx2Bit | Bmi1Bit, extendedEcx: 0, maxLeaf: 1), () => 0);
        Assert.That(features, Is.EqualTo(CpuFeatures.Sse41));
    }

    [Test]
    public void TheHostsFeaturesAreWhatLinuxReports()
    {
        HashSet<string> flags = SimdBaselineTests.ProcCpuinfoFlags();
        Assume.That(flags, Is.Not.Empty, "no /proc/cpuinfo");
        // Linux clears the flags of vector extensions whose state it does not enable, as XCR0 tells us.
        var expected = CpuFeatures.None;
        foreach (var (flag, feature) in new (string, CpuFeatures)[]
        {
            ("pni", CpuFeatures.Sse3), ("ssse3", CpuFeatures.Ssse3), ("sse4_1", CpuFeatures.Sse41), ("sse4_2", CpuFeatures.Sse42),
            ("popcnt", CpuFeatures.Popcnt), ("abm", CpuFeatures.Lzcnt), ("bmi1", CpuFeatures.Bmi1), ("bmi2", CpuFeatures.Bmi2),
            ("avx", CpuFeatures.Avx), ("avx2", CpuFeatures.Avx2), ("fma", CpuFeatures.Fma), ("avx512f", CpuFeatures.Avx512F),
            ("avx512bw", CpuFeatures.Avx512BW), ("avx512dq", CpuFeatures.Avx512DQ), ("avx512vl", CpuFeatures.Avx512VL),
        })
        {
            if (flags.Contains(flag))
            {
                expected |= feature;
            }
        }
        Assert.That(CpuFeatureDetection.Describe(HostCpu.Features), Is.EqualTo(CpuFeatureDetection.Describe(expected)));
    }

    [Test]
    public void TheCpuidStubAgreesWithDotnet()
    {
        Assume.That(X86Base.IsSupported, "no .NET CPUID to compare with");
        foreach (int leaf in new[] { 0, 1, 7, unchecked((int)0x8000_0000), unchecked((int)0x8000_0001) })
        {
            (int eax, int ebx, int ecx, int edx) = X86Base.CpuId(leaf, 0);
            CpuidResult ours = NativeRuntime.Cpuid(leaf, 0);
            // Leaf 1's EBX holds the APIC id of the core the thread happens to run on.
            int ebxMask = leaf == 1 ? 0x00FF_FFFF : -1;
            Assert.That((ours.Eax, ours.Ebx & ebxMask, ours.Ecx, ours.Edx), Is.EqualTo((eax, ebx & ebxMask, ecx, edx)), $"leaf 0x{leaf:x}");
        }
    }

    private const string Scalar = """
        (module
          (func (export "clz") (param i64) (result i64) (i64.clz (local.get 0)))
          (func (export "ctz") (param i32) (result i32) (i32.ctz (local.get 0)))
          (func (export "popcnt") (param i32) (result i32) (i32.popcnt (local.get 0)))
          (func (export "floor") (param f64) (result f64) (f64.floor (local.get 0))))
        """;

    [Test]
    public void WithoutLzcntAndBmi1TheCountsUseBsrAndBsf()
    {
        var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline, CpuFeatures = CpuFeatures.X64V2 });
        Instance instance = new Linker(engine).Instantiate(new Store(engine), Module.FromText(engine, Scalar));
        Assert.That(instance.GetFunction("clz")!.Instance, Is.InstanceOf<Engine.Interpreter.InterpretedFunction>().With.Property("Compiled").Not.Null);
        foreach (long x in new[] { 0L, 1, -1, 0x00F0_0000_0000, long.MinValue })
        {
            Assert.That(instance.GetFunction("clz")!.Invoke(Value.I64(x))[0].AsI64(), Is.EqualTo(System.Numerics.BitOperations.LeadingZeroCount((ulong)x)), $"clz {x}");
        }
        foreach (int x in new[] { 0, 1, -1, 0x100, int.MinValue })
        {
            Assert.That(instance.GetFunction("ctz")!.Invoke(Value.I32(x))[0].AsI32(), Is.EqualTo(System.Numerics.BitOperations.TrailingZeroCount((uint)x)), $"ctz {x}");
        }
    }

    [Test]
    public void WithoutPopcntAndSse41ThoseFunctionsStayInterpretedSayingWhy()
    {
        var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline, CpuFeatures = CpuFeatures.None });
        Module module = Module.FromText(engine, Scalar);
        Instance instance = new Linker(engine).Instantiate(new Store(engine), module);
        Assert.That(module.TierFallbacks, Is.EqualTo(new[]
        {
            (2u, new CompileFailure(CompileFailureReason.MissingCpuFeature, "popcnt needs POPCNT")),
            (3u, new CompileFailure(CompileFailureReason.MissingCpuFeature, "rounding needs SSE4.1")),
        }));
        Assert.That(instance.GetFunction("popcnt")!.Invoke(Value.I32(0xF0F))[0].AsI32(), Is.EqualTo(8));
        Assert.That(instance.GetFunction("floor")!.Invoke(Value.F64(-1.5))[0].AsF64(), Is.EqualTo(-2.0));
    }
}
