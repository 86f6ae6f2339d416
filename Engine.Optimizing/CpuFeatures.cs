using System.Runtime.Intrinsics.X86;
using Engine.Core;

namespace Engine.Optimizing;

/// <summary>
/// The instruction sets the tier's code needs beyond x86-64's baseline: AVX2 for SIMD (the shared VEX sequences, as
/// in the baseline tier), SSE4.1 for float rounding, POPCNT for popcnt. A function needing one the processor lacks
/// stays in the tier below, with the reason.
/// </summary>
internal static class CpuFeatures
{
    /// <summary>The missing feature the function needs, or null.</summary>
    public static string? Missing(ModuleInfo module, uint functionIndex)
    {
        if (Avx2.IsSupported && Sse41.IsSupported && Popcnt.IsSupported)
        {
            return null;
        }
        FunctionBody body = module.Body(functionIndex);
        ReadOnlySpan<byte> code = module.Bytes.AsSpan(body.Start, body.End - body.Start);
        // Over-approximations by byte: the 0xFD prefix (SIMD), the rounding and popcnt opcodes.
        if (!Avx2.IsSupported && code.IndexOf((byte)0xFD) >= 0)
        {
            return "SIMD on a processor without AVX2";
        }
        if (!Sse41.IsSupported)
        {
            return "float rounding without SSE4.1";
        }
        return Popcnt.IsSupported ? null : "popcnt without the POPCNT instruction";
    }
}
