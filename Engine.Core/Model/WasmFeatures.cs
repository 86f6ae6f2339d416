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
    /// malformed).
    /// </summary>
    MemArg64 = 1 << 1,

    /// <summary>
    /// Typed function references: <c>(ref null? ht)</c> with the function and extern heap types (<c>func</c>,
    /// <c>nofunc</c>, <c>extern</c>, <c>noextern</c>, type indices), recursive type groups and declared subtypes
    /// (<c>rec</c>, <c>sub</c>, <c>final</c>) canonicalised across modules, the instructions <c>call_ref</c>,
    /// <c>ref.as_non_null</c>, <c>br_on_null</c>, <c>br_on_non_null</c>, non-nullable locals and table initialisers.
    /// </summary>
    FunctionReferences = 1 << 2,

    /// <summary>
    /// Relaxed SIMD: the twenty <c>relaxed_*</c> vector operators, each with one deterministic choice that every tier
    /// makes the same way (tiers.md, "Relaxed SIMD").
    /// </summary>
    RelaxedSimd = 1 << 3,

    /// <summary>
    /// Multiple memories: a module may define and import several; every memory instruction and active data segment
    /// names its memory (memory immediates with bit 6, and u32 memory indices where 2.0 reads a zero byte).
    /// </summary>
    MultiMemory = 1 << 10,

    /// <summary>
    /// 64-bit memories and tables (memory64, table64): limits flags 4 and 5 with u64 sizes; such a memory or table takes
    /// i64 addresses, sizes and deltas.
    /// </summary>
    Memory64 = 1 << 11,

    /// <summary>
    /// Tail calls: <c>return_call</c>, <c>return_call_indirect</c> and <c>return_call_ref</c>, which replace the calling
    /// frame, so a chain of tail calls runs in constant stack in every tier.
    /// </summary>
    TailCall = 1 << 8,

    /// <summary>
    /// Exception handling: the tag section, tag imports and exports, <c>throw</c>, <c>throw_ref</c>, <c>try_table</c>
    /// with its four catch clauses, and <c>exnref</c>.
    /// </summary>
    Exceptions = 1 << 9,

    /// <summary>
    /// The legacy exception instructions (the first exception-handling proposal, which toolchains such as clang's
    /// <c>-fwasm-exceptions</c> still emit): <c>try</c> with <c>catch</c>, <c>catch_all</c> or <c>delegate</c>, and
    /// <c>rethrow</c>. They need <see cref="Exceptions"/> for their tags. Functions using them run in the interpreter (the
    /// compilers refuse them with <see cref="CompileFailureReason.UnsupportedFeature"/>). wasmtime calls the feature
    /// <c>legacy-exceptions</c>.
    /// </summary>
    LegacyExceptions = 1 << 12,

    /// <summary>The 2.0 feature set.</summary>
    Wasm2 = None,

    /// <summary>Every feature the engine implements.</summary>
    Default = ExtendedConst | MemArg64 | FunctionReferences | RelaxedSimd | MultiMemory | Memory64 | TailCall | Exceptions | LegacyExceptions,
}

/// <summary>The names of the <see cref="WasmFeatures"/> (as the command line's <c>--wasm NAME=y|n</c> and wasmtime's <c>-W</c> spell them).</summary>
public static class WasmFeatureNames
{
    /// <summary>The name of one feature, e.g. <c>tail-call</c>.</summary>
    public static string Name(this WasmFeatures feature) => feature switch
    {
        WasmFeatures.ExtendedConst => "extended-const",
        WasmFeatures.MemArg64 => "memarg64",
        WasmFeatures.FunctionReferences => "function-references",
        WasmFeatures.RelaxedSimd => "relaxed-simd",
        WasmFeatures.MultiMemory => "multi-memory",
        WasmFeatures.Memory64 => "memory64",
        WasmFeatures.TailCall => "tail-call",
        WasmFeatures.Exceptions => "exceptions",
        WasmFeatures.LegacyExceptions => "legacy-exceptions",
        _ => feature.ToString(),
    };

    /// <summary>
    /// What a decoder or validator error adds when a disabled feature is why the module is refused (the error keeps the
    /// message 2.0 gives, so a 2.0 script's expectations hold): <c>" (WHAT needs the NAME feature, which is disabled)"</c>.
    /// </summary>
    public static string Disabled(this WasmFeatures feature, string what) => $" ({what} needs the {feature.Name()} feature, which is disabled)";
}
