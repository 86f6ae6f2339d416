using Engine.Core;

namespace Engine.Wasi;

/// <summary>
/// Calls one WASI function: <paramref name="args"/> are the wasm arguments as raw bit patterns in
/// order (an i32 in the low 32 bits); the result is the errno the wasm function returns.
/// </summary>
public delegate int WasiInvoker(WasiContext context, Span<byte> memory, ReadOnlySpan<ulong> args);

/// <summary>One import of <c>wasi_snapshot_preview1</c>: its name, core wasm signature and implementation.</summary>
public sealed class WasiFunction
{
    internal WasiFunction(string name, ValType[] parameters, ValType[] results, WasiInvoker invoke)
    {
        Name = name;
        Params = parameters;
        Results = results;
        Invoke = invoke;
    }

    /// <summary>The import's field name, e.g. <c>fd_write</c>.</summary>
    public string Name { get; }

    /// <summary>Parameter types, per the witx ABI (pointers, sizes, handles, flags: i32; 64-bit values: i64).</summary>
    public ValType[] Params { get; }

    /// <summary>Result types: <c>[i32]</c> (the errno) for every function but <c>proc_exit</c>, which has none.</summary>
    public ValType[] Results { get; }

    /// <summary>Calls the function. Never throws, except <see cref="WasiExitException"/> from <c>proc_exit</c>, and
    /// <see cref="TrapException"/> (<see cref="TrapCode.Interrupted"/>) from a function that <see cref="MayBlock"/>
    /// when <see cref="WasiContext.Interruption"/> is cancelled while it waits.</summary>
    public WasiInvoker Invoke { get; }

    /// <summary>Whether the function may wait (<c>fd_read</c>, <c>poll_oneoff</c>, <c>sock_accept</c>, <c>sock_recv</c>):
    /// a binding sets <see cref="WasiContext.Interruption"/> before calling it.</summary>
    public bool MayBlock { get; internal init; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name}: [{string.Join(' ', Params.Select(t => t.ToWatName()))}] -> [{string.Join(' ', Results.Select(t => t.ToWatName()))}]";
}
