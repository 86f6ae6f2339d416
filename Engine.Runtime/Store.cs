using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Engine.Core;
using Engine.Gc;
using Engine.Interpreter;
using Engine.Runtime.Diagnostics;
using Engine.Runtime.Vm;

namespace Engine.Runtime;

/// <summary>Limits on what one store may allocate. Exceeding them fails growth (-1) or instantiation, never the process.</summary>
public sealed class StoreLimits
{
    /// <summary>The most pages any one memory may have (default: 65536, all of wasm32).</summary>
    public uint MemoryPages { get; init; } = 65536;

    /// <summary>The most elements any one table may have (default 10,000,000).</summary>
    public uint TableElements { get; init; } = 10_000_000;

    /// <summary>The most instances the store may hold (default 10,000).</summary>
    public int Instances { get; init; } = 10_000;
}

/// <summary>
/// A store: the world of a set of instances (their memories, tables, globals, functions and
/// externrefs) and their execution state. Used by one thread at a time; independent stores may run on
/// different threads at once. Dispose releases all native memory.
/// </summary>
public sealed unsafe class Store : IDisposable
{
    private readonly List<InstanceState> _instances = new();
    private readonly List<IDisposable> _resources = new();
    private readonly List<nint> _funcRefs = new();
    private readonly long[] _fuel = GC.AllocateArray<long>(1, pinned: true);
    private long _epochDeadline = long.MaxValue;
    private EpochWatch? _epochWatch;
    private bool _disposed;

    /// <summary>Creates a store in <paramref name="engine"/>.</summary>
    public Store(WasmEngine engine, StoreLimits? limits = null, object? data = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Engine = engine;
        Limits = limits ?? new StoreLimits();
        Data = data;
        Stack = engine.Stacks.Get();
        Heap = new ExternRefHeap();
        if (engine.NativeCodeEnabled)
        {
            Native = new Native.NativeContext(this, Stack);
        }
        Activations = new ActivationsTable(Heap)
        {
            Walker = Native is null ? Stack : Native,
            Observer = collection => EngineEvents.Collected(engine, collection),
        };
        Caller = new Caller(this);
    }

    /// <summary>The engine.</summary>
    public WasmEngine Engine { get; }

    /// <summary>The store's limits.</summary>
    public StoreLimits Limits { get; }

    /// <summary>Embedder data, free for any use (host functions reach it through <see cref="Caller.Store"/>).</summary>
    public object? Data { get; set; }

    /// <summary>Statistics of the externref heap and its collector.</summary>
    public GcStatistics GcStatistics => Heap.Statistics;

    internal ExecutionStack Stack { get; }

    /// <summary>The store's side of compiled code (null when the engine runs no machine code).</summary>
    internal Native.NativeContext? Native { get; }

    /// <summary>The instance whose code runs innermost (the caller of a host function), or null when no wasm runs.</summary>
    internal VMInstance? CurrentInstance => Native?.InnermostCompiledCaller ?? Stack.CurrentInstance;

    internal ExternRefHeap Heap { get; }

    internal ActivationsTable Activations { get; }

    internal Caller Caller { get; }

    internal nint FuelCounterAddress => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_fuel));

    internal long EpochDeadline => _epochDeadline;

    internal IReadOnlyList<InstanceState> Instances => _instances;

    /// <summary>
    /// Makes running wasm trap with <see cref="TrapCode.Interrupted"/> once the engine's epoch has advanced
    /// <paramref name="ticksFromNow"/> times from now (see <see cref="WasmEngine.IncrementEpoch"/>).
    /// </summary>
    public void SetEpochDeadline(long ticksFromNow)
    {
        RequireConfig(Engine.Config.EpochInterruption, nameof(EngineConfig.EpochInterruption));
        _epochDeadline = ticksFromNow >= long.MaxValue - Engine.CurrentEpoch ? long.MaxValue : Engine.CurrentEpoch + ticksFromNow;
        foreach (InstanceState instance in _instances)
        {
            instance.SetEpochDeadline(_epochDeadline);
        }
        _epochWatch?.SetDeadline(_epochDeadline);
    }

    /// <summary>
    /// Cancelled when wasm running in this store would be interrupted: once the engine's epoch
    /// reaches the deadline set with <see cref="SetEpochDeadline"/> (and never without
    /// <see cref="EngineConfig.EpochInterruption"/> or a deadline). A host function that blocks
    /// (waiting for input, sleeping) waits on this token too, and when it is cancelled throws
    /// <see cref="TrapException"/> with <see cref="TrapCode.Interrupted"/>, so that an interruption
    /// stops a guest blocked in the host as it stops running code. WASI's blocking calls do.
    /// </summary>
    public CancellationToken InterruptionToken
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!Engine.Config.EpochInterruption || _epochDeadline == long.MaxValue)
            {
                return CancellationToken.None;
            }
            _epochWatch ??= new EpochWatch(Engine, _epochDeadline);
            return _epochWatch.Token;
        }
    }

    /// <summary>Sets the remaining fuel; running wasm traps with <see cref="TrapCode.OutOfFuel"/> when it runs out.</summary>
    public void SetFuel(long fuel)
    {
        RequireConfig(Engine.Config.ConsumeFuel, nameof(EngineConfig.ConsumeFuel));
        ArgumentOutOfRangeException.ThrowIfNegative(fuel);
        _fuel[0] = fuel;
    }

    /// <summary>The remaining fuel.</summary>
    public long Fuel => Math.Max(0, _fuel[0]);

    private static void RequireConfig(bool enabled, string setting)
    {
        if (!enabled)
        {
            throw new InvalidOperationException($"the engine was created without {nameof(EngineConfig)}.{setting}");
        }
    }

    /// <summary>
    /// Collects externrefs now: every reference no table, global or live wasm frame holds is released.
    /// Safe to call from a host function while wasm frames are live.
    /// </summary>
    public void Gc()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Stack.Depth == 0 && (Native is null || Native.ActivationCount == 0))
        {
            // No frame can hold anything: everything the activations table over-approximated is dead.
            Activations.Clear();
        }
        else
        {
            Activations.Collect();
        }
    }

    internal void AddInstance(InstanceState instance)
    {
        if (_instances.Count >= Limits.Instances)
        {
            throw new ResourceLimitException($"the store already holds {Limits.Instances} instances, its limit");
        }
        _instances.Add(instance);
        _resources.Add(instance);
    }

    /// <summary>A new memory of the store (guard pages or explicit checks as the engine's policy and the system allow), counted in the engine's statistics.</summary>
    internal LinearMemory CreateMemory(MemoryType type)
    {
        LinearMemory memory = Own(new LinearMemory(type, Limits.MemoryPages, Engine.MemoryPolicy));
        Engine.TierStatistics.AddMemory(memory);
        return memory;
    }

    internal T Own<T>(T resource) where T : IDisposable
    {
        _resources.Add(resource);
        return resource;
    }

    /// <summary>Gives a function its native function reference (what funcref values point to).</summary>
    internal nint CreateFuncRef(FunctionInstance function, nint vmContext)
    {
        // SAFETY: the record and its handle live until the store is disposed, as long as any funcref can.
        VMFuncRef* funcRef = (VMFuncRef*)NativeMemory.AllocZeroed((nuint)sizeof(VMFuncRef));
        funcRef->TypeId = function.TypeId;
        funcRef->Vmctx = vmContext;
        funcRef->Function = GCHandle.ToIntPtr(GCHandle.Alloc(function));
        function.FuncRef = (nint)funcRef;
        lock (_funcRefs)
        {
            funcRef->NativeCode = _exitStubsWritten ? global::Engine.Runtime.Native.NativeRuntime.ExitStub : 0;
            _funcRefs.Add((nint)funcRef);
        }
        return (nint)funcRef;
    }

    // True once every function reference's native code is the exit stub or compiled code (under _funcRefs).
    private bool _exitStubsWritten;

    /// <summary>
    /// Called before the store's first compiled code is published (on the publishing thread): gives every function
    /// reference the exit stub as its native code, the code compiled callers reach an uncompiled function through.
    /// Until then it stays 0, as nothing calls it: assembling the stub is the process's first use of the assembler,
    /// tens of milliseconds of .NET JIT work that a program which never gets compiled code should not pay for.
    /// </summary>
    internal void PrepareForCompiledCode()
    {
        if (Volatile.Read(ref _exitStubsWritten))
        {
            return;
        }
        nint exitStub = global::Engine.Runtime.Native.NativeRuntime.ExitStub;
        lock (_funcRefs)
        {
            foreach (nint funcRef in _funcRefs)
            {
                if (((VMFuncRef*)funcRef)->NativeCode == 0)
                {
                    ((VMFuncRef*)funcRef)->NativeCode = exitStub;
                }
            }
            Native?.SetExitStub(exitStub);
            Volatile.Write(ref _exitStubsWritten, true);
        }
    }

    /// <summary>The function a funcref value points to (null for the null reference).</summary>
    internal static FunctionInstance? FunctionOf(nint funcRef) =>
        funcRef == 0 ? null : (FunctionInstance?)GCHandle.FromIntPtr(((VMFuncRef*)funcRef)->Function).Target;

    /// <summary>
    /// Calls wasm from the host. Every entry of the embedding API goes through here, so a trap that reaches the
    /// host is reported (once, however deeply host and wasm nest) to the engine's events.
    /// </summary>
    internal void Enter(FunctionInstance callee, Span<ulong> slots)
    {
        try
        {
            callee.Invoke(slots);
        }
        catch (Exception e) when (EngineEvents.ObserveTrap(this, e))
        {
            // Never entered: the filter only reports.
        }
    }

    // ---- values crossing between .NET and wasm ----

    /// <summary>Writes a value into slots for wasm; externrefs are boxed and rooted in the activations table.</summary>
    internal void ToSlots(in Value value, ValType declared, Span<ulong> slots)
    {
        // A typed reference (3.0) crosses as the funcref or externref it is represented by, never null where not nullable.
        ValType type = declared.Erased();
        if (value.Type != type || (value.IsNull && declared.IsReference() && !declared.IsNullable()))
        {
            throw WrongValue(value, declared);
        }
        switch (type)
        {
            case ValType.V128:
                slots[0] = value.Bits;
                slots[1] = value.HighBits;
                break;
            case ValType.ExternRef:
                nint box = Heap.Allocate(value.Reference);
                Activations.InsertReserved(box);
                slots[0] = (ulong)box;
                break;
            case ValType.FuncRef:
                slots[0] = (ulong)FuncRefOf(value.AsFuncRef());
                break;
            default:
                slots[0] = value.Bits;
                break;
        }
    }

    /// <summary>The reference a table or global stores for <paramref name="value"/> (an externref gets a new box with no count yet).</summary>
    internal nint ReferenceFor(in Value value, ValType type)
    {
        if (value.Type != type.Erased() || (value.IsNull && !type.IsNullable()))
        {
            throw WrongValue(value, type);
        }
        return type.Erased() == ValType.ExternRef ? Heap.Allocate(value.Reference) : FuncRefOf(value.AsFuncRef());
    }

    /// <summary>The error for a value that does not fit <paramref name="declared"/>: another type, or null where none is allowed (3.0).</summary>
    private static ArgumentException WrongValue(in Value value, ValType declared) =>
        new(value.Type == declared.Erased() && value.IsNull
            ? $"expected a non-null value of type {declared.ToWatName()}, got null"
            : $"expected a value of type {declared.ToWatName()}, got {value.Type.ToWatName()}");

    /// <summary>The funcref value of a function of this store (0 for null).</summary>
    internal nint FuncRefOf(Function? function)
    {
        if (function is null)
        {
            return 0;
        }
        if (function.Store != this)
        {
            throw new ArgumentException("the function belongs to another store");
        }
        return function.Instance.FuncRef;
    }

    /// <summary>Reads a value of <paramref name="type"/> from slots written by wasm.</summary>
    internal Value FromSlots(ValType type, ReadOnlySpan<ulong> slots) => type.Erased() switch
    {
        ValType.V128 => Value.FromBits(ValType.V128, slots[0], slots[1]),
        ValType.ExternRef => Value.ExternRef(ExternRefHeap.GetObject((nint)slots[0])),
        ValType.FuncRef => Value.FuncRef(FunctionFor((nint)slots[0])),
        _ => Value.FromBits(type, slots[0]),
    };

    internal Function? FunctionFor(nint funcRef) => FunctionOf(funcRef) is { } function ? new Function(this, function) : null;

    /// <summary>Writes <paramref name="values"/> of <paramref name="types"/> into consecutive slots (reserving activations-table room first).</summary>
    internal void ToSlots(ReadOnlySpan<Value> values, ReadOnlySpan<ValType> types, Span<ulong> slots)
    {
        if (values.Length != types.Length)
        {
            throw new ArgumentException($"expected {types.Length} values, got {values.Length}");
        }
        // All externrefs enter at once: no collection may run between boxing one and the frame holding it.
        Activations.Reserve(types.Length);
        int slot = 0;
        for (int i = 0; i < types.Length; i++)
        {
            ToSlots(values[i], types[i], slots[slot..]);
            slot += FunctionInstance.SlotsOf(types[i]);
        }
    }

    /// <summary>Reads consecutive values of <paramref name="types"/> from slots.</summary>
    internal void FromSlots(ReadOnlySpan<ValType> types, ReadOnlySpan<ulong> slots, Span<Value> values)
    {
        int slot = 0;
        for (int i = 0; i < types.Length; i++)
        {
            values[i] = FromSlots(types[i], slots[slot..]);
            slot += FunctionInstance.SlotsOf(types[i]);
        }
    }

    /// <summary>Frees every instance, memory, table, global, function reference and externref box of the store.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _epochWatch?.Dispose();
        Activations.Dispose();
        for (int i = _resources.Count - 1; i >= 0; i--)
        {
            _resources[i].Dispose();
        }
        foreach (nint funcRef in _funcRefs)
        {
            GCHandle.FromIntPtr(((VMFuncRef*)funcRef)->Function).Free();
            NativeMemory.Free((void*)funcRef);
        }
        _funcRefs.Clear();
        Heap.Dispose();
        Engine.Stacks.Return(Stack);
        Native?.Dispose();
    }
}
