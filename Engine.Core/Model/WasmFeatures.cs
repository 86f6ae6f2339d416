namespace Engine.Core;

/// <summary>
/// The WebAssembly 3.0 features a module may use, beyond 2.0 (<see cref="Wasm2"/>). The decoder and validator
/// reject what a disabled feature brings with the error 2.0 gives (so a 2.0 spec suite passes with <see cref="Wasm2"/>),
/// and <see cref="Default"/> enables every feature the engine implements. Issue 17 adds the rest one by one.
/// </summary>
[Flags]
public enum WasmFeatures
{
    /// <summary>WebAssembly 2.0: no 3.0 feature.</summary>
    None = 0,

    /// <summary>
    /// Extended constant expressions: <c>i32/i64.add</c>, <c>sub</c>, <c>mul</c>, and <c>global.get</c> of any immutable
    /// global defined before (in a global's initialiser) or of any immutable global (in segments). 2.0: imported only.
    /// </summary>
    ExtendedConst = 1 << 0,

    /// <summary>
    /// The 3.0 memory immediate: flags with bit 6 announcing a memory index, and a u64 offset (validation keeps
    /// offsets of 32-bit memories below 2^32; 2.0 reads a u32 alignment and a u32 offset, so a longer offset is
    /// malformed). Multiple memories themselves, and 64-bit memories, are not implemented yet.
    /// </summary>
    MemArg64 = 1 << 1,

    /// <summary>
    /// Typed function references: <c>(ref null? ht)</c> with the function and extern heap types (<c>func</c>,
    /// <c>nofunc</c>, <c>extern</c>, <c>noextern</c>, type indices), recursive type groups and declared subtypes
    /// (<c>rec</c>, <c>sub</c>, <c>final</c>) canonicalised across modules, the instructions <c>call_ref</c>,
    /// <c>ref.as_non_null</c>, <c>br_on_null</c>, <c>br_on_non_null</c>, non-nullable locals and table initialisers.
    /// </summary>
    FunctionReferences = 1 << 2,

    /// <summary>The 2.0 feature set.</summary>
    Wasm2 = None,

    /// <summary>Every feature the engine implements.</summary>
    Default = ExtendedConst | MemArg64 | FunctionReferences,
}
