using System.Collections;
using System.Globalization;
using System.Text;

namespace Engine.Core;

/// <summary>
/// The wasm frames an exception crossed, innermost first. A <see cref="TrapException"/> carries them in
/// <see cref="TrapException.WasmBacktrace"/>; any other exception (one thrown by a host function) reaches the
/// caller unchanged, with its frames in <see cref="Exception.Data"/> under <see cref="DataKey"/>:
/// <see cref="Get"/> finds them either way.
/// </summary>
/// <remarks>
/// Each tier's segment of the stack appends its frames while the exception leaves it, innermost segment first,
/// so a backtrace grows at its outer end only: appending is amortized constant per frame, and a trap under a
/// stack of a hundred thousand frames alternating between tiers is reported in time linear in its depth.
/// <see cref="ToString()"/> shows the innermost and outermost frames of a deep backtrace and says how many it
/// left out between them (all of them stay in the list).
/// </remarks>
public sealed class WasmBacktrace : IReadOnlyList<WasmFrame>
{
    /// <summary>The key of the frames in <see cref="Exception.Data"/> of an exception that is not a trap.</summary>
    public const string DataKey = "WasmBacktrace";

    /// <summary>How many innermost frames <see cref="ToString()"/> shows of a deep backtrace.</summary>
    public const int DefaultInnermostFrames = 20;

    /// <summary>How many outermost frames <see cref="ToString()"/> shows of a deep backtrace.</summary>
    public const int DefaultOutermostFrames = 10;

    private static readonly WasmBacktrace s_empty = new();

    private readonly List<WasmFrame> _frames = new();

    /// <summary>Creates an empty backtrace.</summary>
    public WasmBacktrace()
    {
    }

    /// <summary>Creates a backtrace of <paramref name="frames"/>, innermost first.</summary>
    public WasmBacktrace(IEnumerable<WasmFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        _frames.AddRange(frames);
    }

    /// <inheritdoc/>
    public int Count => _frames.Count;

    /// <inheritdoc/>
    public WasmFrame this[int index] => _frames[index];

    /// <summary>Appends one frame (outside those already recorded).</summary>
    internal void Add(WasmFrame frame) => _frames.Add(frame);

    /// <summary>
    /// The backtrace <paramref name="exception"/> records its frames in, created (empty) on first use: the one a
    /// <see cref="WasmBacktraceRecorder"/> adds frames to while it unwinds.
    /// </summary>
    internal static WasmBacktrace For(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is TrapException trap)
        {
            return trap.WasmBacktrace;
        }
        if (exception.Data[DataKey] is WasmBacktrace existing)
        {
            return existing;
        }
        var created = new WasmBacktrace();
        exception.Data[DataKey] = created;
        return created;
    }

    /// <summary>The wasm frames <paramref name="exception"/> crossed, innermost first (empty when none).</summary>
    public static WasmBacktrace Get(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            TrapException trap => trap.WasmBacktrace,
            _ => exception.Data[DataKey] as WasmBacktrace ?? s_empty,
        };
    }

    /// <inheritdoc/>
    public IEnumerator<WasmFrame> GetEnumerator() => _frames.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// One line per frame, <c>  N: name @ 0xOFFSET</c>, innermost (0) first; of a backtrace deeper than
    /// <see cref="DefaultInnermostFrames"/> + <see cref="DefaultOutermostFrames"/> frames only the innermost and
    /// the outermost, with a line saying how many were left out between them.
    /// </summary>
    public override string ToString() => ToString(DefaultInnermostFrames, DefaultOutermostFrames);

    /// <summary>
    /// As <see cref="ToString()"/>, showing at most <paramref name="innermost"/> innermost and
    /// <paramref name="outermost"/> outermost frames (every frame when they cover the backtrace).
    /// </summary>
    public string ToString(int innermost, int outermost)
    {
        var text = new StringBuilder();
        foreach (string line in Lines(innermost, outermost))
        {
            if (text.Length > 0)
            {
                text.Append(Environment.NewLine);
            }
            text.Append(line);
        }
        return text.ToString();
    }

    /// <summary>The lines of <see cref="ToString(int, int)"/>, for writing them one by one.</summary>
    public IEnumerable<string> Lines(int innermost = DefaultInnermostFrames, int outermost = DefaultOutermostFrames)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(innermost);
        ArgumentOutOfRangeException.ThrowIfNegative(outermost);
        int count = _frames.Count;
        bool elide = (long)innermost + outermost < count;
        int head = elide ? innermost : count;
        for (int i = 0; i < head; i++)
        {
            yield return Line(i);
        }
        if (!elide)
        {
            yield break;
        }
        int leftOut = count - innermost - outermost;
        yield return string.Create(CultureInfo.InvariantCulture,
            $"  ... {leftOut:N0} frame{(leftOut == 1 ? "" : "s")} left out ({count:N0} in all) ...");
        for (int i = count - outermost; i < count; i++)
        {
            yield return Line(i);
        }
    }

    private string Line(int i) => string.Create(CultureInfo.InvariantCulture, $"  {i}: {_frames[i]}");
}

/// <summary>
/// Appends the frames an exception crosses to its backtrace: what each tier uses while the exception leaves its
/// segment of the stack, innermost frame first (the interpreter from its frame records, the native tier along the
/// frame-pointer chain). Embedders read backtraces with <see cref="WasmBacktrace.Get"/>; the backtrace itself
/// offers no way to change it.
/// </summary>
public readonly struct WasmBacktraceRecorder
{
    private readonly WasmBacktrace _backtrace;

    /// <summary>Starts recording into <paramref name="exception"/>'s backtrace (created on first use).</summary>
    public WasmBacktraceRecorder(Exception exception) => _backtrace = WasmBacktrace.For(exception);

    /// <summary>Appends a frame, outside those already recorded.</summary>
    public void Add(WasmFrame frame) => _backtrace.Add(frame);
}
