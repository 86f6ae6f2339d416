using System.Globalization;
using Engine.Runtime.Native;

namespace Engine.Runtime.Diagnostics;

/// <summary>
/// Linux perf's map of JIT code, <c>/tmp/perf-PID.map</c>: one line <c>START SIZE NAME</c> (hexadecimal) for
/// each compiled wasm function as its code is published, so <c>perf record</c>/<c>perf report</c> name wasm
/// functions instead of anonymous addresses (wasmtime's <c>--profile perfmap</c>). Off unless enabled: by
/// <see cref="Enable"/> (the command line's <c>--profile perfmap</c>) or, for embedders, the environment
/// variable <c>WASM_ENGINE_PERFMAP=1</c>.
/// </summary>
/// <remarks>
/// .NET writes the same file when <c>DOTNET_PerfMapEnabled</c> is 1 or 3, from its own file offset, which would
/// overwrite these lines; with <c>DOTNET_PerfMapEnabled=2</c> it names its own methods in a jitdump instead
/// (<c>perf inject --jit</c>), and both work together.
/// </remarks>
public static class PerfMap
{
    private static readonly object s_lock = new();
    private static StreamWriter? s_writer;
    private static bool s_checkedEnvironment;

    /// <summary>The map's path for this process.</summary>
    public static string Path => $"/tmp/perf-{Environment.ProcessId}.map";

    /// <summary>True when .NET itself writes <see cref="Path"/> (which would overwrite the engine's lines).</summary>
    public static bool DotnetWritesTheMap => Environment.GetEnvironmentVariable("DOTNET_PerfMapEnabled") is "1" or "3";

    /// <summary>Starts writing the map (appending to an existing one); compiled code published from now on is named in it.</summary>
    public static void Enable()
    {
        lock (s_lock)
        {
            s_checkedEnvironment = true;
            s_writer ??= new StreamWriter(new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        }
    }

    /// <summary>Adds the functions of a region that is being published.</summary>
    internal static void Write(CodeRegion region)
    {
        if (!IsEnabled() || region.Functions.Length == 0)
        {
            return;
        }
        lock (s_lock)
        {
            foreach (NativeFunction function in region.Functions)
            {
                string name = function.Module.FunctionName(function.FunctionIndex) ?? $"func[{function.FunctionIndex}]";
                s_writer!.Write(string.Create(CultureInfo.InvariantCulture,
                    $"{(ulong)function.Entry:x} {function.End - function.Entry:x} wasm {name} ({function.Tier}){'\n'}"));
            }
        }
    }

    private static bool IsEnabled()
    {
        if (!Volatile.Read(ref s_checkedEnvironment))
        {
            if (Environment.GetEnvironmentVariable("WASM_ENGINE_PERFMAP") == "1")
            {
                Enable();
            }
            Volatile.Write(ref s_checkedEnvironment, true);
        }
        return s_writer is not null;
    }
}
