using System.Diagnostics;
using System.Diagnostics.Tracing;
using Engine.Runtime.Diagnostics;

namespace Engine.Benchmarks.Perf.Sweeps;

/// <summary>What happened to one function in one tier, as the engine's events tell it.</summary>
/// <param name="Kind"><c>translate</c> (the interpreter's translation), <c>compile</c> (a compiler tier) or <c>promote</c> (published in a tier).</param>
/// <param name="Tier">The tier (see <see cref="TierNames"/>).</param>
/// <param name="FunctionIndex">The function's index in its module.</param>
/// <param name="FunctionName">Its name.</param>
/// <param name="StartMs">When it started, in ms since the run began.</param>
/// <param name="DurationMs">How long it took (0 for a promotion).</param>
/// <param name="CodeBytes">The code it produced (0 for a promotion).</param>
/// <param name="Calls">Calls counted before a promotion (0 otherwise).</param>
public sealed record TierEvent(string Kind, string Tier, int FunctionIndex, string FunctionName, double StartMs, double DurationMs, int CodeBytes, long Calls = 0)
{
    public const string Translate = "translate";
    public const string Compile = "compile";
    public const string Promote = "promote";

    /// <summary>When it ended, in ms since the run began.</summary>
    public double EndMs => StartMs + DurationMs;
}

/// <summary>
/// Listens to the engine's <c>WasmEngine</c> event source (as dotnet-trace would) and keeps the translation,
/// compilation and promotion events of the one engine it follows, timed from the moment it started following.
/// </summary>
/// <remarks>Events arrive on the thread that wrote them (compilation threads included), hence the lock.</remarks>
public sealed class TierEventRecorder : EventListener
{
    private readonly object _lock = new();
    private List<TierEvent> _events = new();
    private long _engineId = -1;
    private long _start;

    /// <summary>Starts keeping the events of engine <paramref name="engineId"/>; time 0 is now.</summary>
    public void Follow(long engineId)
    {
        lock (_lock)
        {
            _events = new List<TierEvent>();
            _start = Stopwatch.GetTimestamp();
            _engineId = engineId;
        }
    }

    /// <summary>Stops and returns what was kept, in order.</summary>
    public IReadOnlyList<TierEvent> Stop()
    {
        lock (_lock)
        {
            _engineId = -1;
            return _events.OrderBy(e => e.StartMs).ToArray();
        }
    }

    /// <inheritdoc/>
    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        // Called from the base constructor for sources that exist already (field initialisers have run by then).
        if (eventSource.Name == WasmEngineEventSource.SourceName)
        {
            EnableEvents(eventSource, EventLevel.Informational,
                WasmEngineEventSource.Keywords.Translation | WasmEngineEventSource.Keywords.Compilation | WasmEngineEventSource.Keywords.TierUp);
        }
    }

    /// <inheritdoc/>
    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        long now = Stopwatch.GetTimestamp();
        if (e.Payload is not { Count: > 0 } payload || payload[0] is not long engineId)
        {
            return;
        }
        lock (_lock)
        {
            if (engineId != _engineId)
            {
                return;
            }
            double atMs = Stopwatch.GetElapsedTime(_start, now).TotalMilliseconds;
            TierEvent? tierEvent = e.EventName switch
            {
                nameof(WasmEngineEventSource.FunctionTranslated) => new TierEvent(TierEvent.Translate, TierNames.Interpreter,
                    (int)payload[2]!, (string)payload[3]!, atMs - (double)payload[6]!, (double)payload[6]!, (int)payload[5]!),
                nameof(WasmEngineEventSource.CompilationFinished) => new TierEvent(TierEvent.Compile, (string)payload[4]!,
                    (int)payload[2]!, (string)payload[3]!, atMs - (double)payload[6]!, (double)payload[6]!, (int)payload[5]!),
                nameof(WasmEngineEventSource.FunctionPromoted) => new TierEvent(TierEvent.Promote, (string)payload[5]!,
                    (int)payload[2]!, (string)payload[3]!, atMs, 0, 0, (long)payload[6]!),
                _ => null,
            };
            if (tierEvent != null)
            {
                _events.Add(tierEvent);
            }
        }
    }
}
