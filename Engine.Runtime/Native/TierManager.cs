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
    public bool OnHotLoop(InterpretedFunction function, OsrPoint point)
    {
        if (_code.Get(function.FunctionIndex) is null && !Request(function, "loop"))
        {
            return false;
        }
        return function.Compiled is CompiledEntry entry && Matches(entry.Code, point);
    }

    /// <summary>True when the compiled code has an entry at the point's loop taking exactly the state the interpreter gives.</summary>
    private static bool Matches(NativeFunction code, OsrPoint point)
    {
        if (code.OsrEntry(point.LoopOffset, out OsrState? layout) == 0)
        {
            return false;
        }
        bool same = FunctionInstance.SlotsOf(layout!.LocalTypes) == point.LocalSlots
            && layout.OperandTypes.AsSpan().SequenceEqual(point.OperandTypes);
        System.Diagnostics.Debug.Assert(same, "the tiers disagree on the wasm state at a loop header");
        return same;
    }

    /// <inheritdoc/>
    public void RunFromLoop(InterpretedFunction function, OsrPoint point, Span<ulong> state)
    {
        var entry = (CompiledEntry)function.Compiled!;
        entry.Call(entry.Code.OsrEntry(point.LoopOffset, out _), state);
    }

    /// <summary>
    /// A request's turn on the background thread: compiles and publishes the function, then lets its
    /// loops count again (they stopped while waiting; running activations move into the compiled code at their
    /// next loop header); or, when every instance of the module is gone (a short program ended while the
    /// request waited in the queue), forgets the request and restarts the function's counters, so a later
    /// program using the module makes it hot and asks again.
    /// </summary>
    internal void CompileRequested(InterpretedFunction function, string trigger, long calls)
    {
        uint index = function.FunctionIndex;
        if (!_code.HasLiveInstances)
        {
            Volatile.Write(ref _requested[(int)index - function.Instance.Module.ImportedFunctionCount], 0);
            function.RestartTierUpCounters();
            return;
        }
        if (!_code.CompileOne(index, trigger, calls))
        {
            function.DisableTierUp();
            return;
        }
        function.ResumeLoopCounters();
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
            function.DisableTierUp();
            return false;
        }
        int defined = (int)index - function.Instance.Module.ImportedFunctionCount;
        if (Interlocked.Exchange(ref _requested[defined], 1) != 0)
        {
            return _code.Get(index) != null;
        }
        // The entry counter is spent (reset out of reach) when it triggers; a loop counts calls so far.
        long calls = trigger == "calls" ? _config.TierUpCallThreshold : function.CountedCalls(_config.TierUpCallThreshold);
        if (_config.BackgroundCompilation)
        {
            BackgroundCompiler.Enqueue(() => CompileRequested(function, trigger, calls));
            return false;
        }
        if (!_code.CompileOne(index, trigger, calls))
        {
            function.DisableTierUp();
            return false;
        }
        return true;
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

    // Requests queued or running.
    private static int s_pending;

    public static void Enqueue(Action work)
    {
        _ = s_thread.Value;
        Interlocked.Increment(ref s_pending);
        s_queue.Add(work);
    }

    /// <summary>True when no request is queued or running (benchmarks wait for it between cold starts).</summary>
    public static bool IsIdle => Volatile.Read(ref s_pending) == 0;

    private static int s_warmedUp;

    /// <summary>
    /// Compiles a small function once per process on the background thread, so the compiler's own code is
    /// jitted before the first hot function needs it (tiered engines call this when created).
    /// </summary>
    public static void WarmUp()
    {
        if (Interlocked.Exchange(ref s_warmedUp, 1) != 0)
        {
            return;
        }
        Enqueue(() =>
        {
            // (func (param i32 i32) (result i32) (loop (br_if 0 (i32.lt_s (local.get 0) (local.get 1)))) (i32.add (local.get 0) (local.get 1)))
            byte[] module =
            [
                0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7F, 0x7F, 0x01, 0x7F,
                0x03, 0x02, 0x01, 0x00, 0x0A, 0x13, 0x01, 0x11, 0x00, 0x03, 0x40, 0x20, 0x00, 0x20, 0x01, 0x48, 0x0D,
                0x00, 0x0B, 0x20, 0x00, 0x20, 0x01, 0x6A, 0x0B,
            ];
            ModuleInfo info = ModuleLoader.DecodeAndValidate(module);
            ModuleCode.Compiler.Compile(info, 0, new CompilerOptions { OsrAllLoops = true, EpochChecks = true, Fuel = true });
        });
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
            Interlocked.Decrement(ref s_pending);
        }
    }
}
