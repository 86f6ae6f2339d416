using System.Collections.Concurrent;
using Engine.Core;
using Engine.Interpreter;

namespace Engine.Runtime.Native;

/// <summary>
/// Tier-up for one module (tiered mode): the interpreter's counters call in here when a function or a
/// loop gets hot; the function is compiled on the shared background thread (or at once, when
/// <see cref="EngineConfig.BackgroundCompilation"/> is off) and published to every instance; a hot loop
/// moves its running activation into the compiled code at the loop's header (on-stack replacement).
/// </summary>
internal sealed unsafe class TierManager : ITierUpHooks
{
    private readonly ModuleCode _code;
    private readonly EngineConfig _config;
    // 0: never requested, 1: requested (compiling or compiled, or failed).
    private readonly int[] _requested;

    public TierManager(ModuleCode code, EngineConfig config)
    {
        _code = code;
        _config = config;
        _requested = new int[code.FunctionCount];
    }

    /// <inheritdoc/>
    public bool OnHotFunction(InterpretedFunction function) => Request(function, "calls");

    /// <inheritdoc/>
    public bool OnHotLoop(InterpretedFunction function, int loopOffset) =>
        (_code.Get(function.FunctionIndex) is { } code && code.OsrEntry(loopOffset, out _) != 0 && function.Compiled is CompiledEntry)
        || (Request(function, "loop") && function.Compiled is CompiledEntry);

    /// <inheritdoc/>
    public void RunFromLoop(InterpretedFunction function, int loopOffset, Span<ulong> state)
    {
        var entry = (CompiledEntry)function.Compiled!;
        nint osr = entry.Code.OsrEntry(loopOffset, out OsrState? layout);
        if (osr == 0 || layout!.SlotCount > state.Length)
        {
            throw new InvalidOperationException($"no on-stack-replacement entry for the loop at 0x{loopOffset:x} of function {function.FunctionIndex}");
        }
        entry.Call(osr, state);
    }

    /// <summary>Asks for the function to be compiled; true when its code is published now.</summary>
    private bool Request(InterpretedFunction function, string trigger)
    {
        uint index = function.FunctionIndex;
        if (_code.Get(index) != null)
        {
            return true;
        }
        if (_code.TierOf(index) == TierMode.Interpreter || _code.IsFallback(index))
        {
            return false;
        }
        int defined = (int)index - function.Instance.Module.ImportedFunctionCount;
        if (Interlocked.Exchange(ref _requested[defined], 1) != 0)
        {
            return _code.Get(index) != null;
        }
        long calls = function.CountedCalls(_config.TierUpCallThreshold);
        if (_config.BackgroundCompilation)
        {
            BackgroundCompiler.Enqueue(() => _code.CompileOne(index, trigger, calls));
            return false;
        }
        return _code.CompileOne(index, trigger, calls);
    }
}

/// <summary>The one background thread that compiles hot functions, process-wide, in order of request.</summary>
internal static class BackgroundCompiler
{
    private static readonly BlockingCollection<Action> s_queue = new();
    private static readonly Lazy<Thread> s_thread = new(() =>
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "wasm tier-up compiler" };
        thread.Start();
        return thread;
    });

    public static void Enqueue(Action work)
    {
        _ = s_thread.Value;
        s_queue.Add(work);
    }

    private static void Run()
    {
        foreach (Action work in s_queue.GetConsumingEnumerable())
        {
            try
            {
                work();
            }
            catch (Exception)
            {
                // A failed compilation leaves the function interpreted; the program never sees it.
            }
        }
    }
}
