using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Engine.Core;

namespace Engine.Runtime.Caching;

/// <summary>
/// What compiled code depends on besides the module: the engine build that made it, the processor features it may
/// use, and the code-affecting settings (which compilers with which settings, epoch checks, fuel, bounds checks, OSR entries). Code is
/// reused only under the same settings; these three strings and a number are the header of every code file and, with
/// the module's hash, the key of every cache entry.
/// </summary>
/// <param name="EngineBuild">The engine's version and the identity of the assemblies that make code (see <see cref="CurrentBuild"/>).</param>
/// <param name="Features">
/// The processor features the compilers were allowed to use (<see cref="CompilerOptions.CpuFeatures"/>: the engine's
/// <see cref="WasmEngine.CpuFeatures"/>, decided from CPUID and lowered by <see cref="EngineConfig.CpuFeatures"/>), the
/// set every compiled function records.
/// </param>
/// <param name="Options">The code-affecting settings as text.</param>
internal sealed record CodeSettings(string EngineBuild, CpuFeatures Features, string Options)
{
    /// <summary>
    /// This engine's build: its version (with the commit it was built from) and a hash of the module version ids of the
    /// assemblies whose code decides what compiled code looks like or how the runtime reads it. Builds are deterministic,
    /// so the ids change exactly when that code changes: a developer's rebuilt compiler never reuses the old one's code.
    /// </summary>
    public static string CurrentBuild { get; } = ComputeBuild();

    /// <summary>The settings of code compiled by <paramref name="engine"/> for a code-cache entry (every code-affecting setting).</summary>
    public static CodeSettings ForCache(WasmEngine engine, CompilerOptions options) =>
        new(CurrentBuild, options.CpuFeatures, $"compilers={string.Join(",", engine.Config.Compilers.Select(c => Describe(c)))};{Describe(options)};osr-all-loops={options.OsrAllLoops}");

    /// <summary>
    /// The settings of a precompiled module's code: every function in it is placed before anything runs, so no
    /// interpreter activation moves into it and on-stack-replacement entries do not matter.
    /// </summary>
    public static CodeSettings ForPrecompiled(WasmEngine engine, CompilerOptions options) =>
        new(CurrentBuild, options.CpuFeatures, $"compilers={string.Join(",", engine.Config.Compilers.Select(c => Describe(c)))};{Describe(options)}");

    /// <summary>
    /// Why code made under these settings cannot run under <paramref name="current"/>, or null when it can: the same
    /// build and options, and no processor feature the current settings lack (code for fewer features runs anywhere
    /// that has them).
    /// </summary>
    public string? Mismatch(CodeSettings current)
    {
        if (EngineBuild != current.EngineBuild)
        {
            return $"made by another engine build ({EngineBuild}; this is {current.EngineBuild})";
        }
        if ((Features & ~current.Features) != 0)
        {
            return $"compiled for processor features this engine may not use ({CodeGen.X64.CpuFeatureDetection.Describe(Features & ~current.Features)})";
        }
        if (Options != current.Options)
        {
            return $"compiled with other settings ({Options}; this run needs {current.Options})";
        }
        return null;
    }

    /// <summary>The cache key of a module under these settings: a file name (hex).</summary>
    public string Key(ReadOnlySpan<byte> moduleHash)
    {
        byte[] settings = Encoding.UTF8.GetBytes($"{EngineBuild}\n{(uint)Features}\n{Options}\n");
        var key = new byte[moduleHash.Length + settings.Length];
        moduleHash.CopyTo(key);
        settings.CopyTo(key, moduleHash.Length);
        return Convert.ToHexStringLower(SHA256.HashData(key));
    }

    private static string Describe(IFunctionCompiler compiler) =>
        compiler.Settings.Length == 0 ? compiler.Name : $"{compiler.Name}[{compiler.Settings}]";

    // The bounds-check strategy and guard size: code for guard-page memories skips checks an explicit memory needs.
    private static string Describe(CompilerOptions options) =>
        $"epoch={options.EpochChecks};fuel={options.Fuel};bounds={options.BoundsChecks};guard={options.MemoryGuardSize}";

    private static string ComputeBuild()
    {
        Assembly runtime = typeof(WasmEngine).Assembly;
        string version = runtime.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
        // The runtime (VMContext use, builtins, placement), Core (layouts, the artifact), the GC (stack maps), the shared
        // x86-64 layer and the default compilers (every tier of the default tier list); a compiler from elsewhere adds
        // its name and settings through CodeSettings.Options.
        Assembly[] makers =
        [
            runtime, typeof(ModuleInfo).Assembly, typeof(Gc.StackMap).Assembly, typeof(CodeGen.X64.RuntimeStubs).Assembly,
            .. new EngineConfig().Compilers.Select(c => c.GetType().Assembly).Distinct(),
        ];
        var ids = new StringBuilder();
        foreach (Assembly assembly in makers)
        {
            try
            {
                ids.Append(assembly.ManifestModule.ModuleVersionId.ToString("N"));
            }
            catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
            {
                // A runtime without module ids: the version and commit alone.
            }
        }
        string id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ids.ToString())))[..16];
        return $"{version} build {id}";
    }
}
