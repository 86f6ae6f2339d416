namespace Engine.Core;

/// <summary>
/// The x86-64 instruction sets compiled code may use beyond the x86-64 baseline (SSE and SSE2 are always there).
/// Decided once per process from the processor (CPUID) and what the operating system saves on a context switch
/// (XGETBV), independently of how the engine's own .NET code was compiled; an engine setting can withhold some
/// (<c>EngineConfig.CpuFeatures</c>). Compilers get the set in <see cref="CompilerOptions.CpuFeatures"/> and
/// record it in what they produce (<see cref="CompiledFunction.CpuFeatures"/>).
/// </summary>
[Flags]
public enum CpuFeatures : uint
{
    /// <summary>Only the x86-64 baseline: SSE, SSE2.</summary>
    None = 0,
    /// <summary>SSE3.</summary>
    Sse3 = 1 << 0,
    /// <summary>SSSE3 (pshufb, pabs, pmulhrsw).</summary>
    Ssse3 = 1 << 1,
    /// <summary>SSE4.1 (roundss/sd/ps/pd, pminsd, pmovsx, ptest, insertps).</summary>
    Sse41 = 1 << 2,
    /// <summary>SSE4.2 (pcmpgtq).</summary>
    Sse42 = 1 << 3,
    /// <summary>POPCNT.</summary>
    Popcnt = 1 << 4,
    /// <summary>LZCNT (AMD's ABM).</summary>
    Lzcnt = 1 << 5,
    /// <summary>BMI1 (tzcnt, andn, blsr).</summary>
    Bmi1 = 1 << 6,
    /// <summary>BMI2 (shlx, sarx, shrx, bzhi, pdep, pext).</summary>
    Bmi2 = 1 << 7,
    /// <summary>AVX: VEX-encoded three-operand SSE, the 128-bit integer forms included (needs the OS to save ymm state).</summary>
    Avx = 1 << 8,
    /// <summary>AVX2 (vpbroadcast, the 256-bit integer forms).</summary>
    Avx2 = 1 << 9,
    /// <summary>FMA3 fused multiply-add.</summary>
    Fma = 1 << 10,
    /// <summary>AVX-512 Foundation (needs the OS to save the opmask and zmm state).</summary>
    Avx512F = 1 << 11,
    /// <summary>AVX-512 byte and word instructions.</summary>
    Avx512BW = 1 << 12,
    /// <summary>AVX-512 doubleword and quadword instructions.</summary>
    Avx512DQ = 1 << 13,
    /// <summary>AVX-512 128- and 256-bit vector lengths.</summary>
    Avx512VL = 1 << 14,

    /// <summary>The x86-64-v2 level: SSE3, SSSE3, SSE4.1, SSE4.2, POPCNT.</summary>
    X64V2 = Sse3 | Ssse3 | Sse41 | Sse42 | Popcnt,
    /// <summary>The x86-64-v3 level: v2 with AVX, AVX2, BMI1, BMI2, LZCNT, FMA.</summary>
    X64V3 = X64V2 | Avx | Avx2 | Bmi1 | Bmi2 | Lzcnt | Fma,
    /// <summary>Every feature this enum names.</summary>
    All = X64V3 | Avx512F | Avx512BW | Avx512DQ | Avx512VL,
}
