using System.Diagnostics;
using Engine.Core;

namespace Engine.Runtime;

/// <summary>One function moved to a machine-code tier.</summary>
/// <param name="Module">The module's name, or null.</param>
/// <param name="FunctionIndex">The function's index in its module.</param>
/// <param name="FunctionName">The function's name from the name section, or null.</param>
/// <param name="Tier">The tier it moved to.</param>
/// <param name="Trigger">Why: "load" (compiled before running: the baseline tier, or forced), "calls" (its call counter), "loop" (a loop's counter).</param>
/// <param name="Calls">Calls counted in the interpreter before the promotion.</param>
/// <param name="At">When the code was published, from the engine's creation (<see cref="TierStatistics.StartTimestamp"/>).</param>
/// <param name="CompileTime">Time spent compiling it.</param>
/// <param name="CodeSize">Bytes of machine code.</param>
/// <param name="WasmSize">Bytes of the wasm body.</param>
public sealed record FunctionPromotion(string? Module, uint FunctionIndex, string? FunctionName, TierMode Tier, string Trigger,
    long Calls, TimeSpan At, TimeSpan CompileTime, int CodeSize, int WasmSize)
{
    /// <summary>
    /// The tier it left: <see cref="TierMode.Interpreter"/>, or <see cref="TierMode.Baseline"/> when tiered mode promoted its
    /// baseline code to the optimizing tier (then <see cref="Calls"/> is the budget of calls and loop iterations the baseline
    /// code counted).
    /// </summary>
    public TierMode From { get; init; } = TierMode.Interpreter;

    /// <inheritdoc/>
    public override string ToString() =>
        $"{FunctionName ?? $"func[{FunctionIndex}]"}: {TierModeNames.Name(Tier)} by {Trigger} after {Calls} calls, published {At.TotalMilliseconds:F1} ms after the engine's creation, " +
        $"compiled in {CompileTime.TotalMicroseconds:F0} us, {WasmSize} -> {CodeSize} bytes";
}

/// <summary>A linear memory an engine's store created, and how compiled code checks its accesses.</summary>
/// <param name="Pages">Its size in pages when created.</param>
/// <param name="MaximumPages">The most pages it may grow to (its type's maximum, the store's limit, and for an explicit memory the address space it got).</param>
/// <param name="BoundsChecks">Guard pages (a reservation of 4 GiB + the guard region) or explicit checks.</param>
/// <param name="ReservedBytes">The address space reserved for it.</param>
/// <param name="ExplicitReason">Why it has explicit checks: the setting, or the reservation that failed; null with guard pages.</param>
public sealed record MemoryReservationRecord(uint Pages, uint MaximumPages, BoundsCheckStrategy BoundsChecks, ulong ReservedBytes, string? ExplicitReason)
{
    /// <inheritdoc/>
    public override string ToString() => BoundsChecks == BoundsCheckStrategy.GuardPages
        ? $"guard pages ({ReservedBytes >> 20} MiB reserved), {Pages} pages, at most {MaximumPages}"
        : $"explicit checks ({ExplicitReason}), {Pages} pages, at most {MaximumPages}";
}

/// <summary>What the machine-code tiers of an engine did: promotions and fallbacks, and how its memories are checked. Thread-safe.</summary>
public sealed class TierStatistics
{
    private readonly object _lock = new();
    private readonly List<FunctionPromotion> _promotions = new();
    private readonly List<(string? Module, uint Function, CompileFailure Failure)> _fallbacks = new();
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly List<MemoryReservationRecord> _memories = new();
    private int _guardPageMemories, _explicitMemories;

    /// <summary>The most memories <see cref="Memories"/> lists (the counts go on).</summary>
    public const int MemoriesListed = 1000;

    /// <summary>The first <see cref="MemoriesListed"/> memories the engine's stores created, in order.</summary>
    public IReadOnlyList<MemoryReservationRecord> Memories
    {
        get
        {
            lock (_lock)
            {
                return _memories.ToArray();
            }
        }
    }

    /// <summary>How many memories the engine's stores created with guard pages, and with explicit checks.</summary>
    public (int GuardPages, int Explicit) MemoryCounts
    {
        get
        {
            lock (_lock)
            {
                return (_guardPageMemories, _explicitMemories);
            }
        }
    }

    internal void AddMemory(Vm.LinearMemory memory)
    {
        var record = new MemoryReservationRecord(memory.Pages, memory.MaximumPages, memory.BoundsChecks, memory.ReservedBytes, memory.ExplicitReason);
        lock (_lock)
        {
            if (record.BoundsChecks == BoundsCheckStrategy.GuardPages)
            {
                _guardPageMemories++;
            }
            else
            {
                _explicitMemories++;
            }
            if (_memories.Count < MemoriesListed)
            {
                _memories.Add(record);
            }
        }
    }

    /// <summary>Every function compiled, in order of publication.</summary>
    public IReadOnlyList<FunctionPromotion> Promotions
    {
        get
        {
            lock (_lock)
            {
                return _promotions.ToArray();
            }
        }
    }

    /// <summary>Functions the tier could not compile (they stay interpreted), with the reason.</summary>
    public IReadOnlyList<(string? Module, uint Function, CompileFailure Failure)> Fallbacks
    {
        get
        {
            lock (_lock)
            {
                return _fallbacks.ToArray();
            }
        }
    }

    private long _osrFromInterpreter;
    private long _osrFromBaseline;

    /// <summary>
    /// On-stack replacements so far: running activations that moved into machine code at a loop header, by the tier they
    /// left (<see cref="TierMode.Interpreter"/>, or <see cref="TierMode.Baseline"/> for baseline code moving into the
    /// optimizing tier).
    /// </summary>
    public long OnStackReplacements(TierMode from) =>
        Interlocked.Read(ref from == TierMode.Interpreter ? ref _osrFromInterpreter : ref _osrFromBaseline);

    internal void AddOnStackReplacement(TierMode from) =>
        Interlocked.Increment(ref from == TierMode.Interpreter ? ref _osrFromInterpreter : ref _osrFromBaseline);

    internal TimeSpan Now => Stopwatch.GetElapsedTime(_start);

    /// <summary>The <see cref="Stopwatch"/> timestamp the times of <see cref="FunctionPromotion.At"/> count from: the engine's creation.</summary>
    public long StartTimestamp => _start;

    internal void AddPromotion(FunctionPromotion promotion)
    {
        lock (_lock)
        {
            _promotions.Add(promotion);
        }
    }

    internal void AddFallback(string? module, uint function, CompileFailure failure)
    {
        lock (_lock)
        {
            _fallbacks.Add((module, function, failure));
        }
    }

    /// <summary>The name a tier mode's code is reported under (<see cref="Diagnostics.TierNames"/>).</summary>
    private static string TierName(TierMode tier) => tier == TierMode.Optimizing ? Diagnostics.TierNames.Optimizing : Diagnostics.TierNames.Baseline;

    private static string HopName(TierMode tier) => tier == TierMode.Interpreter ? Diagnostics.TierNames.Interpreter : TierName(tier);

    /// <summary>A few lines: counts, compile time and throughput, code size per wasm byte.</summary>
    public string Summary()
    {
        FunctionPromotion[] promotions;
        CompileFailure[] fallbacks;
        lock (_lock)
        {
            promotions = _promotions.ToArray();
            fallbacks = _fallbacks.Select(f => f.Failure).ToArray();
        }
        TimeSpan compile = TimeSpan.FromTicks(promotions.Sum(p => p.CompileTime.Ticks));
        long wasm = promotions.Sum(p => (long)p.WasmSize);
        long code = promotions.Sum(p => (long)p.CodeSize);
        double mbPerSecond = compile.TotalSeconds > 0 ? wasm / compile.TotalSeconds / 1e6 : 0;
        string byTrigger = string.Join(", ", promotions.GroupBy(p => p.Trigger).Select(g => $"{g.Count()} by {g.Key}"));
        string byTier = string.Join(", ", promotions.GroupBy(p => p.Tier).Select(g => $"{g.Count()} {TierName(g.Key)}"));
        if (promotions.Any(p => p.From != TierMode.Interpreter))
        {
            // Tiered mode's hops: interpreter -> baseline, baseline -> optimizing (and interpreter -> optimizing when the
            // optimized code was published before the interpreter asked).
            byTier += "; " + string.Join(", ", promotions.GroupBy(p => (p.From, p.Tier)).OrderBy(g => g.Key.From).ThenBy(g => g.Key.Tier)
                .Select(g => $"{g.Count()} {HopName(g.Key.From)} -> {TierName(g.Key.Tier)}"));
        }
        string byReason = fallbacks.Length == 0 ? "" :
            " (" + string.Join(", ", fallbacks.GroupBy(f => f.Reason).Select(g => $"{g.Count()} {g.Key}")) + ")";
        long osrInterpreter = OnStackReplacements(TierMode.Interpreter), osrBaseline = OnStackReplacements(TierMode.Baseline);
        string osr = osrInterpreter + osrBaseline == 0 ? "" :
            $"on-stack replacements {osrInterpreter} from the interpreter, {osrBaseline} from baseline code; ";
        string breakdown = promotions.Length == 0 ? "" : $" ({byTier}; {byTrigger})";
        return $"compiled {promotions.Length} functions{breakdown}, {fallbacks.Length} fell back to a lower tier{byReason}; {osr}" +
               $"compile time {compile.TotalMilliseconds:F1} ms for {wasm} wasm bytes ({mbPerSecond:F1} MB/s), " +
               $"{code} bytes of code ({(wasm > 0 ? (double)code / wasm : 0):F1} per wasm byte)";
    }
}
