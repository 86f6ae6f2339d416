using Engine.Core;
using Engine.Wast.Scripts;
using Engine.Runtime;
using Engine.Wast;
using NUnit.Framework;

namespace Engine.Tests.Spec;

/// <summary>The one way the spec fixtures run a script: in an engine of the given configuration, every command checked.</summary>
internal static class SpecRun
{
    /// <summary>True where the compiled tiers need no fallback: AVX2 (SIMD), SSE4.1 (rounding) and POPCNT are there.</summary>
    public static bool HasEveryCpuFeature =>
        System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Sse41.IsSupported
        && System.Runtime.Intrinsics.X86.Popcnt.IsSupported;

    /// <summary>
    /// Runs the script and asserts that no command failed and that nothing was skipped, except (when
    /// <paramref name="textMalformedMaySkip"/>) the text-format <c>assert_malformed</c> commands of the JSON form,
    /// and that no function fell back to the interpreter in a machine-code mode (except for want of AVX2 on a
    /// processor without it): a tier that silently falls back would let a compiler crash pass as "interpreted".
    /// </summary>
    public static WastResults AssertPasses(string path, EngineConfig config, bool textMalformedMaySkip = true)
    {
        // The 2.0 suite checks the 2.0 rules, some of which 3.0 changed (memory immediates, constant expressions).
        var options = new WastOptions { Config = config with { Features = WasmFeatures.Wasm2 } };
        WastResults results = new WastRunner(options).RunFile(path);

        Assert.That(results.Failures, Is.Empty, string.Join(Environment.NewLine, results.Failures.Take(20)));
        if (config.Tier != TierMode.Interpreter && HasEveryCpuFeature)
        {
            // A compiler that fails (or crashes) on a function must not pass as the tier below having run it.
            Assert.That(results.FallbackFunctions, Is.Zero, "functions the tier could not compile");
        }
        if (textMalformedMaySkip)
        {
            Assert.That(results.Total.Skipped, Is.EqualTo(results[ScriptCommandKind.AssertMalformed].Skipped),
                "only text-format assert_malformed commands may be skipped");
        }
        else
        {
            Assert.That(results.Total.Skipped, Is.Zero);
        }
        if (config.Tier != TierMode.Interpreter)
        {
            CompileFailureReason[] allowed = HostCpu.Features.HasFlag(CpuFeatures.Avx2) ? [] : [CompileFailureReason.MissingCpuFeature];
            Assert.That(results.FallbackReasons.Keys, Is.SubsetOf(allowed), "functions fell back to the interpreter");
        }
        return results;
    }
}
