using System.Diagnostics;
using System.Text;

namespace Engine.Optimizing;

/// <summary>The steps of the optimizing tier whose time <see cref="OptimizingPhaseTimes"/> adds up.</summary>
public enum OptimizingPhase
{
    /// <summary>The SSA form from the wasm body (<c>IrBuilder</c>), with its control-flow graph and dominator tree.</summary>
    BuildIr,

    /// <summary>Global value numbering with simplification, redundant loads and bounds checks (and the control-flow recomputation it may cause).</summary>
    ValueNumbering,

    /// <summary>Dead-code elimination, removal of unreachable blocks and block merging.</summary>
    DeadCode,

    /// <summary>Loop-invariant code motion.</summary>
    LoopInvariantCodeMotion,

    /// <summary>Instruction selection into LIR.</summary>
    InstructionSelection,

    /// <summary>The register allocator's preparation and liveness (bit sets per block).</summary>
    Liveness,

    /// <summary>Live intervals: ranges and use positions, loop-end uses.</summary>
    Intervals,

    /// <summary>The linear scan itself (with splitting and spilling).</summary>
    LinearScan,

    /// <summary>Locations of every operand and the resolution moves (splits and edges).</summary>
    Resolution,

    /// <summary>LIR to machine code through the macro assembler (encoded as emitted: its hand encoder or Iced's), stack maps and parallel moves.</summary>
    Emission,

    /// <summary>The end of the function (trap stubs, out-of-line code, epilogue), label fix-ups and the artifact.</summary>
    Encoding,
}

/// <summary>
/// Where the optimizing compiler's time goes: the time of each <see cref="OptimizingPhase"/>, added up over every
/// function compiled with an <see cref="OptimizingCompiler"/> whose <see cref="OptimizingCompiler.PhaseTimes"/> is
/// this object (the benchmarks' <c>quick-compile --phases</c>). Safe to share between threads (the sums are atomic),
/// but meant for one compiling thread.
/// </summary>
public sealed class OptimizingPhaseTimes
{
    private static readonly OptimizingPhase[] s_phases = Enum.GetValues<OptimizingPhase>();
    private readonly long[] _ticks = new long[s_phases.Length];

    /// <summary>The time spent in <paramref name="phase"/> so far.</summary>
    public TimeSpan this[OptimizingPhase phase] => TimeSpan.FromSeconds((double)Volatile.Read(ref _ticks[(int)phase]) / Stopwatch.Frequency);

    /// <summary>The time of every phase together.</summary>
    public TimeSpan Total => TimeSpan.FromSeconds((double)_ticks.Sum() / Stopwatch.Frequency);

    /// <summary>Forgets the times so far.</summary>
    public void Clear() => Array.Clear(_ticks);

    /// <summary>Adds the time from <paramref name="start"/> (a <see cref="Stopwatch.GetTimestamp"/>) to now to <paramref name="phase"/>, and sets start to now.</summary>
    internal void Lap(OptimizingPhase phase, ref long start)
    {
        long now = Stopwatch.GetTimestamp();
        Interlocked.Add(ref _ticks[(int)phase], now - start);
        start = now;
    }

    /// <summary>One line per phase: milliseconds and share of the total.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        double total = Math.Max(1e-9, Total.TotalMilliseconds);
        foreach (OptimizingPhase phase in s_phases)
        {
            double ms = this[phase].TotalMilliseconds;
            text.AppendLine($"  {phase,-24} {ms,9:F1} ms {100 * ms / total,5:F1}%");
        }
        text.Append($"  {"total",-24} {total,9:F1} ms");
        return text.ToString();
    }
}
