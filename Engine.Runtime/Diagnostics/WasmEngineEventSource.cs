using System.Diagnostics.Tracing;

namespace Engine.Runtime.Diagnostics;

/// <summary>
/// The engine's events for tracing tools: <c>dotnet-trace collect --providers WasmEngine -p PID</c>, PerfView, or an
/// in-process <see cref="EventListener"/>. Every event carries the id of the <see cref="WasmEngine"/> it happened in
/// (<see cref="WasmEngine.Id"/>), so a listener can follow one engine among several.
/// </summary>
/// <remarks>
/// Events are written through <see cref="EngineEvents"/>, which checks <see cref="EventSource.IsEnabled()"/> first:
/// with no listener nothing is formatted or allocated. Durations are in milliseconds, sizes in bytes, tiers are the
/// names of <see cref="TierNames"/>.
/// </remarks>
[EventSource(Name = SourceName)]
public sealed class WasmEngineEventSource : EventSource
{
    /// <summary>The name of the event source (and of the engine's <see cref="System.Diagnostics.Metrics.Meter"/>): <c>WasmEngine</c>.</summary>
    public const string SourceName = "WasmEngine";

    /// <summary>The one instance.</summary>
    public static readonly WasmEngineEventSource Log = new();

    private WasmEngineEventSource()
    {
    }

    /// <summary>Event groups, to enable only some of them.</summary>
    public static class Keywords
    {
        /// <summary>The interpreter translated a function.</summary>
        public const EventKeywords Translation = (EventKeywords)0x1;

        /// <summary>A compiler tier started or finished compiling a function.</summary>
        public const EventKeywords Compilation = (EventKeywords)0x2;

        /// <summary>A function was promoted to a higher tier.</summary>
        public const EventKeywords TierUp = (EventKeywords)0x4;

        /// <summary>The externref collector ran.</summary>
        public const EventKeywords Gc = (EventKeywords)0x8;

        /// <summary>A module was instantiated.</summary>
        public const EventKeywords Instantiation = (EventKeywords)0x10;

        /// <summary>A trap reached the host.</summary>
        public const EventKeywords Trap = (EventKeywords)0x20;
    }

    /// <summary>The interpreter translated function <paramref name="functionIndex"/> (on its first call).</summary>
    [Event(1, Level = EventLevel.Informational, Keywords = Keywords.Translation)]
    public void FunctionTranslated(long engineId, string module, int functionIndex, string functionName, int wasmBytes, int codeBytes, double durationMs) =>
        Write(1, engineId, module, functionIndex, functionName, wasmBytes, codeBytes, durationMs);

    /// <summary>A compiler tier started compiling a function (on a background thread, or synchronously).</summary>
    [Event(2, Level = EventLevel.Informational, Keywords = Keywords.Compilation)]
    public void CompilationStarted(long engineId, string module, int functionIndex, string functionName, string tier, bool background) =>
        Write(2, engineId, module, functionIndex, functionName, tier, background);

    /// <summary>A compiler tier finished compiling a function: its machine code's size and the time it took.</summary>
    [Event(3, Level = EventLevel.Informational, Keywords = Keywords.Compilation)]
    public void CompilationFinished(long engineId, string module, int functionIndex, string functionName, string tier, int codeBytes, double durationMs) =>
        Write(3, engineId, module, functionIndex, functionName, tier, codeBytes, durationMs);

    /// <summary>A function's code was published in a higher tier; later calls run it there.</summary>
    [Event(4, Level = EventLevel.Informational, Keywords = Keywords.TierUp)]
    public void FunctionPromoted(long engineId, string module, int functionIndex, string functionName, string fromTier, string toTier, long calls, long loopIterations) =>
        Write(4, engineId, module, functionIndex, functionName, fromTier, toTier, calls, loopIterations);

    /// <summary>The externref collector ran in a store of the engine.</summary>
    [Event(5, Level = EventLevel.Informational, Keywords = Keywords.Gc)]
    public void GcCollection(long engineId, double durationMs, bool complete, int tableEntries, int liveOnStack, long boxesFreed, long boxesAlive) =>
        Write(5, engineId, durationMs, complete, tableEntries, liveOnStack, boxesFreed, boxesAlive);

    /// <summary>A module was instantiated (imports resolved, definitions created, segments and start function run).</summary>
    [Event(6, Level = EventLevel.Informational, Keywords = Keywords.Instantiation)]
    public void Instantiated(long engineId, string module, double durationMs) =>
        Write(6, engineId, module, durationMs);

    /// <summary>A trap left wasm and reached the host.</summary>
    [Event(7, Level = EventLevel.Informational, Keywords = Keywords.Trap)]
    public void Trap(long engineId, string code, string function, string message) =>
        Write(7, engineId, code, function, message);

    // The primitive overload writes without boxing each argument into an object[].
    [NonEvent]
    private void Write(int eventId, params EventSourcePrimitive[] payload) => WriteEvent(eventId, payload);
}
