namespace Engine.Runtime;

/// <summary>Which tier runs wasm code.</summary>
public enum TierMode
{
    /// <summary>Everything runs in the register-based interpreter.</summary>
    Interpreter,

    /// <summary>
    /// Every function is compiled by the baseline compiler before it runs (when its module is loaded);
    /// a function the tier cannot compile (SIMD) stays in the interpreter.
    /// </summary>
    Baseline,

    /// <summary>Functions start in the interpreter and move to the baseline tier when hot (see the tier-up settings).</summary>
    Tiered,
}

/// <summary>Settings of a <see cref="WasmEngine"/>; fixed once the engine is created.</summary>
public sealed class EngineConfig
{
    /// <summary>Which tier runs code.</summary>
    public TierMode Tier { get; init; } = TierMode.Interpreter;

    /// <summary>
    /// Check the engine's epoch at function entries and loop headers, so running wasm can be stopped from
    /// another thread with <see cref="WasmEngine.IncrementEpoch"/> and <see cref="Store.SetEpochDeadline"/>.
    /// Costs a little speed; off by default.
    /// </summary>
    public bool EpochInterruption { get; init; }

    /// <summary>Meter execution with fuel (<see cref="Store.SetFuel"/>); off by default.</summary>
    public bool ConsumeFuel { get; init; }

    /// <summary>The interpreter stack of each store, in 8-byte slots (default 1 Mi slots, 8 MiB).</summary>
    public int MaxStackSlots { get; init; } = 1 << 20;

    /// <summary>The deepest call nesting of each store before a stack-exhaustion trap.</summary>
    public int MaxCallDepth { get; init; } = 100_000;
}
