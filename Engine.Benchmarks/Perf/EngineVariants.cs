using Engine.Interpreter;
using Engine.Runtime;
using Engine.Runtime.Diagnostics;
using Engine.Runtime.Infrastructure;

namespace Engine.Benchmarks.Perf;

/// <summary>
/// The engines regression runs measure: one row per tier mode of ours, and wasmtime. This table is the one place
/// a new tier mode joins the perf tools.
/// </summary>
/// <remarks>A test fails while a <see cref="TierMode"/> has no row here.</remarks>
public static class EngineVariants
{
    /// <summary>Our interpreter: a subject and, with wasmtime, the reference of cross-machine comparisons.</summary>
    public static OurEngineVariant Interpreter { get; } = new(
        TierNames.Interpreter, new EngineConfig { Tier = TierMode.Interpreter }, TranslateAll, isReference: true);

    /// <summary>Every function compiled by the baseline compiler before it runs.</summary>
    public static OurEngineVariant Baseline { get; } = new(
        TierNames.Baseline, new EngineConfig { Tier = TierMode.Baseline }, CompileAllBaseline);

    /// <summary>Every function compiled by the optimizing compiler before it runs.</summary>
    public static OurEngineVariant Optimizing { get; } = new(
        TierNames.Optimizing, new EngineConfig { Tier = TierMode.Optimizing }, CompileAllOptimizing);

    /// <summary>
    /// Tiered mode with the default settings: the full pipeline, interpreter first, hot functions promoted to the baseline
    /// tier and from there to the optimizing tier (<see cref="EngineConfig.TierUpOptimizeThreshold"/> 1000), background
    /// compilation.
    /// </summary>
    public static OurEngineVariant Tiered { get; } = new(TierModeNames.Name(TierMode.Tiered), new EngineConfig { Tier = TierMode.Tiered }, compileAll: null);

    /// <summary>Tiered mode through the first hop only: interpreter -> baseline (<c>--tier-up-optimize 0</c>), background compilation.</summary>
    public static OurEngineVariant TieredBaseline { get; } = new(
        "tiered-baseline", new EngineConfig { Tier = TierMode.Tiered, TierUpOptimizeThreshold = 0 }, compileAll: null);

    /// <summary>The wasmtime reference.</summary>
    public static WasmtimeVariant Wasmtime { get; } = new();

    /// <summary>Every variant: our tier modes first, then wasmtime.</summary>
    public static IReadOnlyList<EngineVariant> All { get; } =
    [
        Interpreter,
        Baseline,
        Optimizing,
        Tiered,
        TieredBaseline,
        Wasmtime,
    ];

    /// <summary>The variants of our engine, keyed by the tier mode they run.</summary>
    public static IEnumerable<OurEngineVariant> Ours => All.OfType<OurEngineVariant>();

    /// <summary>The variant called <paramref name="name"/>.</summary>
    public static EngineVariant Get(string name) =>
        All.FirstOrDefault(v => v.Name == name) ?? throw new ArgumentException($"no engine '{name}' (known: {string.Join(", ", All.Select(v => v.Name))})");

    /// <summary>The baseline tier's up-front work: every function compiled again, nothing published.</summary>
    private static void CompileAllBaseline(Module module) => CompileAll(module, new Engine.Baseline.BaselineCompiler());

    /// <summary>The optimizing tier's up-front work: every function compiled again, nothing published.</summary>
    private static void CompileAllOptimizing(Module module) => CompileAll(module, new Engine.Optimizing.OptimizingCompiler());

    private static void CompileAll(Module module, Engine.Core.IFunctionCompiler compiler)
    {
        Engine.Core.ModuleInfo info = RuntimeInfrastructure.Info(module);
        Engine.Core.CompilerOptions options = RuntimeInfrastructure.CompilerOptions(module) ?? new Engine.Core.CompilerOptions { CpuFeatures = HostCpu.Features };
        for (int i = info.ImportedFunctionCount; i < info.FunctionTypeIndices.Count; i++)
        {
            compiler.Compile(info, (uint)i, options);
        }
    }

    /// <summary>The interpreter's up-front work: a fresh translation of every function (the module's own stays untouched).</summary>
    private static void TranslateAll(Module module) =>
        new ModuleTranslation(RuntimeInfrastructure.Info(module), RuntimeInfrastructure.TranslationOptions(module)).TranslateAll();
}
