namespace Engine.Core;

/// <summary>One wasm frame of a trap's backtrace.</summary>
/// <param name="FunctionIndex">The function's index in its module's function index space.</param>
/// <param name="FunctionName">The name from the <c>name</c> section, or null.</param>
/// <param name="ModuleOffset">The byte offset of the trapping or calling instruction in the module binary, or -1.</param>
public readonly record struct WasmFrame(uint FunctionIndex, string? FunctionName, long ModuleOffset)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"{FunctionName ?? $"func[{FunctionIndex}]"}" + (ModuleOffset >= 0 ? $" @ 0x{ModuleOffset:x}" : "");
}

/// <summary>Wasm execution trapped. Every tier raises this one type.</summary>
public class TrapException : WasmException
{
    /// <summary>Creates a trap of the given kind.</summary>
    public TrapException(TrapCode code, Exception? inner = null) : base(code.Message(), inner)
    {
        Code = code;
    }

    /// <summary>Creates a trap with a message of its own (for example a host-raised trap).</summary>
    public TrapException(TrapCode code, string message, Exception? inner = null) : base(message, inner)
    {
        Code = code;
    }

    /// <summary>What kind of trap this is.</summary>
    public TrapCode Code { get; }

    /// <summary>The wasm frames active when the trap happened, innermost first.</summary>
    public WasmBacktrace WasmBacktrace { get; } = new();

    /// <summary>The message and the wasm backtrace (a deep one elided in its middle, see <see cref="Core.WasmBacktrace.ToString()"/>).</summary>
    public override string ToString() =>
        WasmBacktrace.Count == 0
            ? base.ToString()
            : $"{GetType().FullName}: {Message}{Environment.NewLine}wasm backtrace:{Environment.NewLine}{WasmBacktrace}";
}
