using Engine.Core;
using Engine.Interpreter;
using Engine.Runtime.Native;

namespace Engine.Runtime.Infrastructure;

/// <summary>
/// What the engine's own tools (the command line, the perf tools of <c>Engine.Benchmarks</c>) read of a module and of the tier-up
/// machinery, and an embedder does not need. Public, so that those tools use the runtime through what it publishes
/// rather than through <c>InternalsVisibleTo</c>; in a namespace of its own, because it is no part of the embedding
/// API: like wasmtime's <c>vm</c> module, it follows the engine's internals and may change with them.
/// </summary>
public static class RuntimeInfrastructure
{
    /// <summary>The decoded and validated module.</summary>
    public static ModuleInfo Info(Module module) => module.Info;

    /// <summary>The options the interpreter translates the module's functions with.</summary>
    public static TranslationOptions TranslationOptions(Module module) => module.Translation.Options;

    /// <summary>The options the module's functions are compiled with; null when its engine runs only the interpreter.</summary>
    public static CompilerOptions? CompilerOptions(Module module) => module.Code?.Options;

    /// <summary>True when the process-wide background compiler has nothing running or waiting.</summary>
    public static bool BackgroundCompilerIdle => BackgroundCompiler.IsIdle;
}
