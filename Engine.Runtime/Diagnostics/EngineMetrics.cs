using System.Diagnostics.Metrics;

namespace Engine.Runtime.Diagnostics;

/// <summary>
/// The engine's metrics for <c>dotnet-counters monitor --counters WasmEngine -p PID</c>, OpenTelemetry, or an
/// in-process <see cref="MeterListener"/>. Durations are histograms in seconds and sizes are in bytes, as
/// OpenTelemetry's conventions (and .NET's own meters) have them; tiers are tagged <c>wasm.tier</c>.
/// </summary>
/// <remarks>Recording into an instrument nobody listens to costs one field read (<see cref="Instrument.Enabled"/>).</remarks>
internal static class EngineMetrics
{
    /// <summary>The tag naming a tier (<see cref="TierNames"/>).</summary>
    public const string TierTag = "wasm.tier";

    /// <summary>The meter, named like the event source.</summary>
    public static readonly Meter Meter = new(WasmEngineEventSource.SourceName, typeof(EngineMetrics).Assembly.GetName().Version?.ToString());

    public static readonly Counter<long> Translations = Meter.CreateCounter<long>(
        "wasm.interpreter.translations", "{function}", "Functions the interpreter translated");

    public static readonly Counter<long> TranslatedBytes = Meter.CreateCounter<long>(
        "wasm.interpreter.translated_bytes", "By", "Bytes of wasm function bodies the interpreter translated");

    public static readonly Histogram<double> TranslationDuration = Meter.CreateHistogram<double>(
        "wasm.interpreter.translation.duration", "s", "Time to translate one function for the interpreter");

    public static readonly Counter<long> Compilations = Meter.CreateCounter<long>(
        "wasm.compilations", "{function}", "Functions compiled to machine code, by tier");

    public static readonly Histogram<double> CompilationDuration = Meter.CreateHistogram<double>(
        "wasm.compilation.duration", "s", "Time to compile one function, by tier");

    public static readonly Counter<long> CompiledCodeBytes = Meter.CreateCounter<long>(
        "wasm.compilation.code_bytes", "By", "Machine code produced, by tier");

    public static readonly Counter<long> Promotions = Meter.CreateCounter<long>(
        "wasm.tier.promotions", "{function}", "Functions promoted to a higher tier, by the tier reached");

    public static readonly Counter<long> Collections = Meter.CreateCounter<long>(
        "wasm.gc.collections", "{collection}", "Externref collections");

    public static readonly Histogram<double> CollectionDuration = Meter.CreateHistogram<double>(
        "wasm.gc.duration", "s", "Time of one externref collection");

    public static readonly Histogram<long> LiveReferences = Meter.CreateHistogram<long>(
        "wasm.gc.live_references", "{reference}", "Externrefs found live in wasm frames by a collection");

    public static readonly Counter<long> Instantiations = Meter.CreateCounter<long>(
        "wasm.instantiations", "{instance}", "Modules instantiated");

    public static readonly Histogram<double> InstantiationDuration = Meter.CreateHistogram<double>(
        "wasm.instantiation.duration", "s", "Time to instantiate one module");

    public static readonly Counter<long> Traps = Meter.CreateCounter<long>(
        "wasm.traps", "{trap}", "Traps that reached the host, by trap code (wasm.trap.code)");
}
