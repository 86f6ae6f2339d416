using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.Core;
using Engine.Interpreter;
using Microsoft.Extensions.ObjectPool;

namespace Engine.Runtime;

/// <summary>
/// The root of the embedding API: configuration and what modules share across stores (canonical
/// function types, the epoch counter). Thread-safe; create one per process or per configuration.
/// </summary>
public sealed unsafe class WasmEngine
{
    // On the pinned object heap: running code reads it through VMContext.EpochCounter, and every store
    // keeps the engine (so this array) alive.
    private readonly long[] _epoch = GC.AllocateArray<long>(1, pinned: true);
    private static long s_lastId;

    /// <summary>Creates an engine with the given settings (defaults when null).</summary>
    public WasmEngine(EngineConfig? config = null)
    {
        Config = config ?? new EngineConfig();
        ArgumentOutOfRangeException.ThrowIfLessThan(Config.TierUpCallThreshold, 1, nameof(EngineConfig.TierUpCallThreshold));
        ArgumentOutOfRangeException.ThrowIfLessThan(Config.TierUpLoopThreshold, 1, nameof(EngineConfig.TierUpLoopThreshold));
        ArgumentOutOfRangeException.ThrowIfNegative(Config.ProgramThreadCompileSize, nameof(EngineConfig.ProgramThreadCompileSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(Config.ProgramThreadCompileBudget, TimeSpan.Zero, nameof(EngineConfig.ProgramThreadCompileBudget));
        ArgumentOutOfRangeException.ThrowIfLessThan(Config.CompileWaitLimit, TimeSpan.Zero, nameof(EngineConfig.CompileWaitLimit));
        if (Config.MemoryGuardSize % Vm.LinearMemory.PageSize != 0 || Config.MemoryGuardSize > int.MaxValue + 1UL)
        {
            throw new ArgumentOutOfRangeException(nameof(EngineConfig.MemoryGuardSize), Config.MemoryGuardSize,
                "the memory guard size must be a multiple of 64 KiB, at most 2 GiB");
        }
        MemoryPolicy = !NativeCodeEnabled ? Vm.MemoryPolicy.Explicit("the engine runs no machine code")
            : Config.BoundsChecks == BoundsCheckStrategy.Explicit ? Vm.MemoryPolicy.Explicit("EngineConfig.BoundsChecks is Explicit")
            : new Vm.MemoryPolicy(true, Config.MemoryGuardSize);
        Stacks = new DefaultObjectPool<ExecutionStack>(new StackPolicy(Config), Environment.ProcessorCount * 2);
        ArgumentOutOfRangeException.ThrowIfNegative(Config.CacheMaxBytes, nameof(EngineConfig.CacheMaxBytes));
        if (Config.CacheDirectory is { } cacheDirectory)
        {
            Cache = new Caching.CodeCache(Path.GetFullPath(cacheDirectory), Config.CacheMaxBytes);
        }
    }

    /// <summary>The code cache (<see cref="EngineConfig.CacheDirectory"/>), or null.</summary>
    internal Caching.CodeCache? Cache { get; }

    private sealed class StackPolicy(EngineConfig config) : IPooledObjectPolicy<ExecutionStack>
    {
        public ExecutionStack Create() => new(config.MaxStackSlots, config.MaxCallDepth);

        // Only idle stacks come back; one with frames left (a store disposed from inside a call) is dropped.
        public bool Return(ExecutionStack stack) => stack.Depth == 0;
    }

    /// <summary>The engine's settings.</summary>
    public EngineConfig Config { get; }

    /// <summary>A number unique to this engine in the process; the engine's events carry it (see <see cref="Diagnostics.WasmEngineEventSource"/>).</summary>
    public long Id { get; } = Interlocked.Increment(ref s_lastId);

    /// <summary>True when the configured tier runs machine code (and this machine can run it).</summary>
    internal bool NativeCodeEnabled =>
        (Config.Tier != TierMode.Interpreter || Config.FunctionTiers.Values.Any(t => t != TierMode.Interpreter))
        && CodeGen.X64.RuntimeStubs.IsSupported;

    /// <summary>What the engine's stores' memories get: guard-page reservations when its code is compiled and the settings allow.</summary>
    internal Vm.MemoryPolicy MemoryPolicy { get; }

    /// <summary>
    /// The instruction sets this engine's compiled code uses: the processor's (<see cref="HostCpu.Features"/>), less
    /// what <see cref="EngineConfig.CpuFeatures"/> withholds. Every compiled function records the set it assumed.
    /// </summary>
    public CpuFeatures CpuFeatures => Config.CpuFeatures is { } allowed ? allowed & HostCpu.Features : HostCpu.Features;

    /// <summary>What the machine-code tiers did so far: every function compiled (when, why, how fast, how big) and every fallback.</summary>
    public TierStatistics TierStatistics { get; } = new();

    internal TypeRegistry Types { get; } = new();

    /// <summary>
    /// Interpreter stacks of disposed stores, reused by new ones: a stack is 8 MiB of address space and a
    /// frame array, and programs that make a store per request would otherwise map and unmap it each time.
    /// </summary>
    internal ObjectPool<ExecutionStack> Stacks { get; }

    internal nint EpochCounterAddress => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_epoch));

    /// <summary>The current epoch.</summary>
    public long CurrentEpoch => Volatile.Read(ref _epoch[0]);

    /// <summary>
    /// Advances the epoch by one; wasm running in any store whose deadline is reached traps with
    /// <see cref="TrapCode.Interrupted"/> at its next function entry or loop header, and host calls
    /// blocked on <see cref="Store.InterruptionToken"/> wake up. Safe from any thread.
    /// Needs <see cref="EngineConfig.EpochInterruption"/>.
    /// </summary>
    public void IncrementEpoch()
    {
        long epoch = Interlocked.Increment(ref _epoch[0]);
        if (Volatile.Read(ref _watchCount) != 0)
        {
            WakeBlockedHostCalls(epoch);
        }
    }

    // Stores whose host code may block (see Store.InterruptionToken), under the list's lock.
    private readonly List<EpochWatch> _watches = new();
    private int _watchCount;

    internal void Watch(EpochWatch watch)
    {
        lock (_watches)
        {
            _watches.Add(watch);
            Volatile.Write(ref _watchCount, _watches.Count);
        }
    }

    internal void Unwatch(EpochWatch watch)
    {
        lock (_watches)
        {
            _watches.Remove(watch);
            Volatile.Write(ref _watchCount, _watches.Count);
        }
    }

    /// <summary>Cancels the interruption token of every store whose deadline <paramref name="epoch"/> reached
    /// (outside the lock: cancelling runs the waiters' callbacks).</summary>
    private void WakeBlockedHostCalls(long epoch)
    {
        List<CancellationTokenSource>? due = null;
        lock (_watches)
        {
            foreach (EpochWatch watch in _watches)
            {
                if (watch.DueAt(epoch) is { } source)
                {
                    (due ??= new()).Add(source);
                }
            }
        }
        if (due is null)
        {
            return;
        }
        foreach (CancellationTokenSource source in due)
        {
            try
            {
                source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The store went away meanwhile.
            }
        }
    }
}
