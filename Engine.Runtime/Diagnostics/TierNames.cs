namespace Engine.Runtime.Diagnostics;

/// <summary>The names events and metrics give the tiers (payload <c>tier</c>, tag <c>wasm.tier</c>).</summary>
public static class TierNames
{
    /// <summary>The register-based interpreter.</summary>
    public const string Interpreter = "interpreter";

    /// <summary>The single-pass baseline compiler.</summary>
    public const string Baseline = "baseline";

    /// <summary>The optimizing compiler.</summary>
    public const string Optimizing = "optimizing";
}
