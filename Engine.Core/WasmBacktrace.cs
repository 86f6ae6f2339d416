namespace Engine.Core;

/// <summary>
/// The wasm frames an exception crossed. A <see cref="TrapException"/> carries them in
/// <see cref="TrapException.WasmBacktrace"/>; any other exception (one thrown by a host function)
/// reaches the caller unchanged, with the frames in its <see cref="Exception.Data"/> under <see cref="DataKey"/>.
/// </summary>
public static class WasmBacktrace
{
    /// <summary>The key of the frames in <see cref="Exception.Data"/>.</summary>
    public const string DataKey = "WasmBacktrace";

    /// <summary>Appends frames (innermost first, continuing the existing list outward).</summary>
    public static void Append(Exception exception, IReadOnlyList<WasmFrame> frames)
    {
        if (frames.Count == 0)
        {
            return;
        }
        if (exception is TrapException trap)
        {
            trap.WasmBacktrace = [.. trap.WasmBacktrace, .. frames];
            return;
        }
        if (exception.Data[DataKey] is List<WasmFrame> existing)
        {
            existing.AddRange(frames);
        }
        else
        {
            exception.Data[DataKey] = new List<WasmFrame>(frames);
        }
    }

    /// <summary>The wasm frames <paramref name="exception"/> crossed, innermost first (empty when none).</summary>
    public static IReadOnlyList<WasmFrame> Get(Exception exception) => exception switch
    {
        TrapException trap => trap.WasmBacktrace,
        _ => exception.Data[DataKey] as List<WasmFrame> ?? (IReadOnlyList<WasmFrame>)Array.Empty<WasmFrame>(),
    };
}
