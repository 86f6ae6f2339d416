using System.Diagnostics;
using Engine.Core;
using Engine.Gc;

namespace Engine.Runtime.Diagnostics;

/// <summary>
/// The one place the engine reports what it does: each method writes the <see cref="WasmEngineEventSource"/>
/// event and records the <see cref="EngineMetrics"/> instruments, each only when someone listens.
/// </summary>
/// <remarks>
/// Callers are the engine's slow paths (a function's first translation, a compilation, a promotion, a
/// collection, an instantiation, a trap), never an instruction's execution. The tier manager reports tier-up
/// through <see cref="FunctionPromoted"/>, <see cref="CompilationStarted"/> and <see cref="CompilationFinished"/>.
/// </remarks>
internal static class EngineEvents
{
    private static WasmEngineEventSource Log => WasmEngineEventSource.Log;

    /// <summary>The interpreter translated a function of <paramref name="module"/> (its first call).</summary>
    public static void FunctionTranslated(Module module, uint functionIndex, int wasmBytes, int codeBytes, TimeSpan duration)
    {
        EngineMetrics.Translations.Add(1);
        EngineMetrics.TranslatedBytes.Add(wasmBytes);
        EngineMetrics.TranslationDuration.Record(duration.TotalSeconds);
        if (Log.IsEnabled())
        {
            Log.FunctionTranslated(module.Engine.Id, ModuleName(module), (int)functionIndex, FunctionName(module, functionIndex),
                wasmBytes, codeBytes, duration.TotalMilliseconds);
        }
    }

    /// <summary>
    /// A compiler tier starts compiling a function of <paramref name="module"/>; <paramref name="background"/> when on
    /// a compilation thread rather than the thread that asked for it.
    /// </summary>
    public static void CompilationStarted(Module module, uint functionIndex, string tier, bool background)
    {
        if (Log.IsEnabled())
        {
            Log.CompilationStarted(module.Engine.Id, ModuleName(module), (int)functionIndex, FunctionName(module, functionIndex), tier, background);
        }
    }

    /// <summary>A compiler tier finished compiling a function: <paramref name="codeBytes"/> of machine code in <paramref name="duration"/>.</summary>
    public static void CompilationFinished(Module module, uint functionIndex, string tier, int codeBytes, TimeSpan duration)
    {
        var tierTag = new KeyValuePair<string, object?>(EngineMetrics.TierTag, tier);
        EngineMetrics.Compilations.Add(1, tierTag);
        EngineMetrics.CompiledCodeBytes.Add(codeBytes, tierTag);
        EngineMetrics.CompilationDuration.Record(duration.TotalSeconds, tierTag);
        if (Log.IsEnabled())
        {
            Log.CompilationFinished(module.Engine.Id, ModuleName(module), (int)functionIndex, FunctionName(module, functionIndex),
                tier, codeBytes, duration.TotalMilliseconds);
        }
    }

    /// <summary>
    /// A function's code in <paramref name="toTier"/> was published after <paramref name="calls"/> calls and
    /// <paramref name="loopIterations"/> loop back-edges counted in <paramref name="fromTier"/>.
    /// </summary>
    public static void FunctionPromoted(Module module, uint functionIndex, string fromTier, string toTier, long calls, long loopIterations)
    {
        EngineMetrics.Promotions.Add(1, new KeyValuePair<string, object?>(EngineMetrics.TierTag, toTier));
        if (Log.IsEnabled())
        {
            Log.FunctionPromoted(module.Engine.Id, ModuleName(module), (int)functionIndex, FunctionName(module, functionIndex),
                fromTier, toTier, calls, loopIterations);
        }
    }

    /// <summary>The externref collector ran in a store of <paramref name="engine"/>.</summary>
    public static void Collected(WasmEngine engine, in CollectionInfo collection)
    {
        EngineMetrics.Collections.Add(1);
        EngineMetrics.CollectionDuration.Record(collection.Duration.TotalSeconds);
        EngineMetrics.LiveReferences.Record(collection.LiveOnStack);
        if (Log.IsEnabled())
        {
            Log.GcCollection(engine.Id, collection.Duration.TotalMilliseconds, collection.Complete, collection.TableEntries,
                collection.LiveOnStack, collection.BoxesFreed, collection.BoxesAlive);
        }
    }

    /// <summary>A timestamp for <see cref="Instantiated"/>.</summary>
    public static long InstantiationStarting() => Stopwatch.GetTimestamp();

    /// <summary><paramref name="module"/> was instantiated; <paramref name="startTimestamp"/> came from <see cref="InstantiationStarting"/>.</summary>
    public static void Instantiated(Module module, long startTimestamp)
    {
        TimeSpan duration = Stopwatch.GetElapsedTime(startTimestamp);
        EngineMetrics.Instantiations.Add(1);
        EngineMetrics.InstantiationDuration.Record(duration.TotalSeconds);
        if (Log.IsEnabled())
        {
            Log.Instantiated(module.Engine.Id, ModuleName(module), duration.TotalMilliseconds);
        }
    }

    /// <summary>
    /// An exception filter for the host's entries into wasm: reports a trap leaving wasm once (nested entries
    /// see the same exception), and returns false so the exception flows on untouched.
    /// </summary>
    public static bool ObserveTrap(Store store, Exception exception)
    {
        if (exception is not TrapException trap || !(EngineMetrics.Traps.Enabled || Log.IsEnabled()) || trap.Data.Contains(ReportedKey))
        {
            return false;
        }
        trap.Data[ReportedKey] = true;
        EngineMetrics.Traps.Add(1, new KeyValuePair<string, object?>("wasm.trap.code", trap.Code.ToString()));
        if (Log.IsEnabled())
        {
            string function = trap.WasmBacktrace.Count > 0 ? trap.WasmBacktrace[0].ToString() : "";
            Log.Trap(store.Engine.Id, trap.Code.ToString(), function, trap.Message);
        }
        return false;
    }

    private const string ReportedKey = "WasmEngine.TrapReported";

    private static string ModuleName(Module module) => module.Name ?? "";

    private static string FunctionName(Module module, uint functionIndex) =>
        module.Info.FunctionName(functionIndex) ?? $"func[{functionIndex}]";
}
