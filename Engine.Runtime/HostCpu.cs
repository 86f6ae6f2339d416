using System.Runtime.Intrinsics.X86;
using Engine.CodeGen.X64;
using Engine.Core;
using Engine.Runtime.Native;

namespace Engine.Runtime;

/// <summary>
/// The instruction sets this processor offers compiled wasm code: decided once per process from CPUID and the
/// operating system's saved-state mask (XCR0, read with XGETBV), whatever the .NET runtime was told about its own
/// code (<c>DOTNET_EnableAVX2=0</c>, NativeAOT's default targets and the like change <c>Avx2.IsSupported</c>, not
/// this). An engine uses these, less what <see cref="EngineConfig.CpuFeatures"/> withholds
/// (<see cref="WasmEngine.CpuFeatures"/>).
/// </summary>
public static class HostCpu
{
    /// <summary>The features compiled code may use on this processor (<see cref="CpuFeatures.None"/> off x86-64).</summary>
    public static CpuFeatures Features => Holder.Features;

    // A type initializer: detected on first use (by an engine that runs compiled code), once.
    private static class Holder
    {
        public static readonly CpuFeatures Features = Detect();
    }

    private static CpuFeatures Detect() =>
        RuntimeStubs.IsSupported ? CpuFeatureDetection.Detect(Cpuid, NativeRuntime.ReadXcr0) : CpuFeatures.None;

    /// <summary>CPUID: .NET's own when its x86 intrinsics are on, else the shared layer's stub.</summary>
    internal static CpuidResult Cpuid(int leaf, int subleaf)
    {
        if (X86Base.IsSupported)
        {
            (int eax, int ebx, int ecx, int edx) = X86Base.CpuId(leaf, subleaf);
            return new CpuidResult(eax, ebx, ecx, edx);
        }
        return NativeRuntime.Cpuid(leaf, subleaf);
    }
}
