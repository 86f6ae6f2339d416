using Engine.Core;

namespace Engine.CodeGen.X64;

/// <summary>The four registers CPUID returns.</summary>
public readonly record struct CpuidResult(int Eax, int Ebx, int Ecx, int Edx);

/// <summary>
/// Decides which <see cref="CpuFeatures"/> compiled code may use from what the processor reports (CPUID) and what the
/// operating system saves on a context switch (XCR0, read with XGETBV when CPUID says the OS enabled it: OSXSAVE).
/// A vector extension is usable only when both agree: a processor with AVX under an OS that does not save the ymm
/// registers faults on every VEX instruction. Pure: the runtime supplies the two readings (see <see cref="RuntimeStubs"/>).
/// </summary>
public static class CpuFeatureDetection
{
    // XCR0 bits: 1 SSE (xmm), 2 AVX (upper ymm), 5 opmask, 6 upper zmm0-15, 7 zmm16-31.
    private const ulong XcrSseAvx = 0b110;
    private const ulong XcrAvx512 = 0b1110_0110;

    /// <summary>
    /// The features from CPUID leaves 1, 7 (subleaf 0) and 0x80000001 and, when CPUID.1:ECX.OSXSAVE is set, XCR0.
    /// </summary>
    /// <param name="cpuid">Runs CPUID with a leaf (eax) and subleaf (ecx).</param>
    /// <param name="readXcr0">Runs XGETBV with ecx = 0; called only when OSXSAVE is set.</param>
    public static CpuFeatures Detect(Func<int, int, CpuidResult> cpuid, Func<ulong> readXcr0)
    {
        ArgumentNullException.ThrowIfNull(cpuid);
        ArgumentNullException.ThrowIfNull(readXcr0);
        var features = CpuFeatures.None;
        int maxLeaf = cpuid(0, 0).Eax;
        if (maxLeaf < 1)
        {
            return features;
        }
        CpuidResult leaf1 = cpuid(1, 0);
        features |= Bit(leaf1.Ecx, 0, CpuFeatures.Sse3) | Bit(leaf1.Ecx, 9, CpuFeatures.Ssse3) | Bit(leaf1.Ecx, 19, CpuFeatures.Sse41)
            | Bit(leaf1.Ecx, 20, CpuFeatures.Sse42) | Bit(leaf1.Ecx, 23, CpuFeatures.Popcnt);
        bool osxsave = (leaf1.Ecx & (1 << 27)) != 0;
        ulong xcr0 = osxsave ? readXcr0() : 0;
        bool avxState = (xcr0 & XcrSseAvx) == XcrSseAvx;
        bool avx512State = (xcr0 & XcrAvx512) == XcrAvx512;
        bool avx = avxState && (leaf1.Ecx & (1 << 28)) != 0;
        if (avx)
        {
            features |= CpuFeatures.Avx | Bit(leaf1.Ecx, 12, CpuFeatures.Fma);
        }
        if (maxLeaf >= 7)
        {
            CpuidResult leaf7 = cpuid(7, 0);
            // BMI1/BMI2 are VEX-encoded general-register instructions: they need no vector state.
            features |= Bit(leaf7.Ebx, 3, CpuFeatures.Bmi1) | Bit(leaf7.Ebx, 8, CpuFeatures.Bmi2);
            if (avx)
            {
                features |= Bit(leaf7.Ebx, 5, CpuFeatures.Avx2);
            }
            if (avx && avx512State && (leaf7.Ebx & (1 << 16)) != 0)
            {
                features |= CpuFeatures.Avx512F | Bit(leaf7.Ebx, 17, CpuFeatures.Avx512DQ) | Bit(leaf7.Ebx, 30, CpuFeatures.Avx512BW)
                    | Bit(leaf7.Ebx, 31, CpuFeatures.Avx512VL);
            }
        }
        int maxExtended = cpuid(unchecked((int)0x8000_0000), 0).Eax;
        if ((uint)maxExtended >= 0x8000_0001)
        {
            features |= Bit(cpuid(unchecked((int)0x8000_0001), 0).Ecx, 5, CpuFeatures.Lzcnt);
        }
        return features;
    }

    private static CpuFeatures Bit(int register, int bit, CpuFeatures feature) => (register & (1 << bit)) != 0 ? feature : CpuFeatures.None;

    /// <summary>The names of the features in <paramref name="features"/>, lower case, as Linux's /proc/cpuinfo spells most of them ("sse4_1", "avx2").</summary>
    public static string Describe(CpuFeatures features)
    {
        var names = new List<string>();
        foreach (CpuFeatures f in Enum.GetValues<CpuFeatures>())
        {
            if (f != CpuFeatures.None && System.Numerics.BitOperations.IsPow2((uint)f) && features.HasFlag(f))
            {
                names.Add(f.ToString().ToLowerInvariant().Replace("sse41", "sse4_1").Replace("sse42", "sse4_2"));
            }
        }
        return names.Count == 0 ? "sse2" : string.Join(" ", names);
    }
}
