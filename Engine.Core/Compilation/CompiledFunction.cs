namespace Engine.Core;

/// <summary>A place in the code that must be patched when the code is placed in memory (none today: compiled code reaches everything through the VMContext).</summary>
/// <param name="Offset">Byte offset of the patched field in the code.</param>
/// <param name="Kind">What to write there.</param>
/// <param name="Target">What the field refers to (meaning depends on <paramref name="Kind"/>).</param>
public readonly record struct Relocation(int Offset, RelocationKind Kind, int Target);

/// <summary>Kinds of <see cref="Relocation"/>.</summary>
public enum RelocationKind : byte
{
    /// <summary>An absolute 64-bit address of a builtin (Target = <see cref="BuiltinId"/>).</summary>
    BuiltinAddress64,
}

/// <summary>How compiled code reaches the trap path at a <see cref="TrapSite"/>.</summary>
public enum TrapSiteKind : byte
{
    /// <summary>A branch to an out-of-line stub that calls the function's trap handler (an explicit check failed).</summary>
    Call,

    /// <summary>
    /// A memory access that faults when it is out of bounds (guard pages, <see cref="BoundsCheckStrategy.GuardPages"/>):
    /// the runtime's fault handler sends the thread to the function's trap handler (<see cref="CompiledFunction.FaultEntryOffset"/>).
    /// </summary>
    Fault,
}

/// <summary>A place where compiled code traps: how it gets to the trap path, the trap, and the wasm instruction.</summary>
/// <param name="NativeOffset">
/// For a <see cref="TrapSiteKind.Call"/>, the offset of the trap stub's return address (the pc a backtrace sees); for a
/// <see cref="TrapSiteKind.Fault"/>, the offset of the faulting instruction (the pc the processor reports; the backtrace
/// sees that pc + 1, which lies inside the instruction like a return address lies just past its call).
/// </param>
/// <param name="Code">The trap raised.</param>
/// <param name="WasmOffset">Byte offset in the module of the trapping instruction.</param>
/// <param name="Kind">How the code gets to the trap path.</param>
public readonly record struct TrapSite(int NativeOffset, TrapCode Code, int WasmOffset, TrapSiteKind Kind = TrapSiteKind.Call);

/// <summary>
/// One entry of the native-offset to wasm-offset map: code from <paramref name="NativeOffset"/> on belongs to the instruction at
/// <paramref name="WasmOffset"/>, of the function itself or, when <paramref name="InlinedFrame"/> is not -1, of the function
/// inlined there (<see cref="CompiledFunction.InlinedFrames"/>[<paramref name="InlinedFrame"/>]).
/// </summary>
public readonly record struct OffsetMapping(int NativeOffset, int WasmOffset, int InlinedFrame = -1) : ISortKey
{
    /// <inheritdoc/>
    long ISortKey.SortKey => NativeOffset;
}

/// <summary>
/// A call the compiler inlined: code of <paramref name="FunctionIndex"/> placed in the compiled function's code for the
/// call at <paramref name="CallerWasmOffset"/> of its caller, which is the compiled function itself
/// (<paramref name="Parent"/> -1) or another inlined call (<paramref name="Parent"/>: its index in
/// <see cref="CompiledFunction.InlinedFrames"/>, always lower). A backtrace shows each as a frame of its own.
/// </summary>
/// <param name="FunctionIndex">The inlined function.</param>
/// <param name="CallerWasmOffset">The module offset of the <c>call</c> instruction in the caller.</param>
/// <param name="Parent">The inlined call the call lies in, or -1 when it lies in the compiled function's own code.</param>
public readonly record struct InlinedFrame(uint FunctionIndex, int CallerWasmOffset, int Parent);

/// <summary>
/// An extra entry of compiled code at a loop header, for on-stack replacement: it has the function's
/// native signature, but its argument area holds the wasm state at the loop header (see
/// <see cref="OsrState"/>) instead of the parameters; it continues the function from there and
/// returns its results the usual way (slots from 0 of the same area).
/// </summary>
/// <param name="LoopOffset">Byte offset in the module of the <c>loop</c> instruction.</param>
/// <param name="NativeOffset">Offset of the entry in the code.</param>
/// <param name="State">The layout of the state the entry reads.</param>
/// <param name="FrameSlots">
/// Where the function's own frame holds that state at the loop header when its tier-up counter calls
/// <see cref="BuiltinId.TierUp"/> there (one frame slot per state slot, 8-byte units from the frame's base), so the
/// runtime can move the activation into the next tier (on-stack replacement out of this code); null when the tier
/// does not keep the state in its frame there.
/// </param>
public sealed record OsrEntry(int LoopOffset, int NativeOffset, OsrState State, int[]? FrameSlots = null);

/// <summary>
/// The wasm-level state of a function at a loop header, independent of any tier: every local (parameters
/// first), then every operand-stack value from the bottom, the loop's parameters last, each in 8-byte
/// slots exactly like call arguments (section 1 of tiers.md). One tier writes it, another reads it.
/// </summary>
/// <param name="LocalTypes">The types of the locals, parameters included.</param>
/// <param name="OperandTypes">The types of the operand-stack values, bottom first.</param>
public sealed record OsrState(ValType[] LocalTypes, ValType[] OperandTypes)
{
    /// <summary>The number of slots the state takes.</summary>
    public int SlotCount => FunctionInstance.SlotsOf(LocalTypes) + FunctionInstance.SlotsOf(OperandTypes);
}

/// <summary>
/// What a compiler produces for one function: position-independent x86-64 code with the native
/// signature of tiers.md section 4, and everything the runtime needs to run it, walk its frames and
/// explain its traps. Immutable.
/// </summary>
public sealed class CompiledFunction
{
    /// <summary>Creates the artifact.</summary>
    public CompiledFunction(uint functionIndex, byte[] code, Relocation[] relocations, byte[] stackMap, TrapSite[] trapSites,
        OffsetMapping[] offsetMap, int frameSize, OsrEntry[] osrEntries, int wasmBodySize, CpuFeatures cpuFeatures)
    {
        CpuFeatures = cpuFeatures;
        FunctionIndex = functionIndex;
        Code = code;
        Relocations = relocations;
        StackMap = stackMap;
        TrapSites = trapSites;
        OffsetMap = offsetMap;
        FrameSize = frameSize;
        OsrEntries = osrEntries;
        WasmBodySize = wasmBodySize;
    }

    /// <summary>The function's index in its module.</summary>
    public uint FunctionIndex { get; }

    /// <summary>The machine code; the entry point is offset 0.</summary>
    public byte[] Code { get; }

    /// <summary>Fields to patch when placing the code (empty: the code reaches everything through the VMContext).</summary>
    public Relocation[] Relocations { get; }

    /// <summary>
    /// The stack maps in the shared format (Engine.Gc's <c>StackMap</c> bytes): keyed by the offset of each
    /// call's return address from the code start; slots counted from the frame's lowest address (rsp
    /// after the prologue), 8 bytes each.
    /// </summary>
    public byte[] StackMap { get; }

    /// <summary>Every trap site, by native offset.</summary>
    public TrapSite[] TrapSites { get; }

    /// <summary>Sorted by native offset: where each wasm instruction's code starts (trap stubs included).</summary>
    public OffsetMapping[] OffsetMap { get; }

    /// <summary>Bytes from the frame's lowest address (rsp after the prologue) up to the saved rbp: frame base = rbp - FrameSize.</summary>
    public int FrameSize { get; }

    /// <summary>On-stack-replacement entries (empty unless requested).</summary>
    public OsrEntry[] OsrEntries { get; }

    /// <summary>The size of the wasm body compiled (for statistics).</summary>
    public int WasmBodySize { get; }

    /// <summary>Where the constants the code loads (its literal pool) start, to the end of <see cref="Code"/>; -1 when it has none.</summary>
    public int LiteralsOffset { get; init; } = -1;

    /// <summary>The instruction sets the code was compiled for (<see cref="CompilerOptions.CpuFeatures"/>): it runs on a processor with all of them.</summary>
    public CpuFeatures CpuFeatures { get; }

    /// <summary>
    /// How the code keeps memory 0's accesses in bounds (<see cref="CompilerOptions.BoundsChecks"/>): code compiled for
    /// guard pages runs only with a memory reserved for them.
    /// </summary>
    public BoundsCheckStrategy BoundsChecks { get; init; }

    /// <summary>
    /// Where the runtime's fault handler sends a thread that faulted at a <see cref="TrapSiteKind.Fault"/> site (with
    /// r11 = the pc a backtrace sees and esi = the trap code): the function's trap handler, past the pop of the trap
    /// stub's return address. -1 when the function has no such site.
    /// </summary>
    public int FaultEntryOffset { get; init; } = -1;

    /// <summary>
    /// The offset of the register entry (arguments, results and the caller's vmctx and memory base in registers; tiers.md
    /// section 5), which direct calls from the same instance use through <c>VMFuncRef.RegisterCode</c>; -1 when the
    /// code has only the native entry at offset 0.
    /// </summary>
    public int RegisterEntryOffset { get; init; } = -1;

    /// <summary>
    /// The return addresses (native offsets) of the calls in the function's native adapters: a function with a register
    /// entry has a register frame (tiers.md section 5), and its native entry and OSR entries are adapters, each a small
    /// frame of its own that calls into the register frame. Backtraces leave such a frame out (it stands for the same wasm
    /// activation as the frame it called); it holds no references.
    /// </summary>
    public int[] AdapterReturnOffsets { get; init; } = [];

    /// <summary>True when <paramref name="pc"/> (a native offset) is the return address of a native adapter's call.</summary>
    public bool IsAdapterReturn(int pc) => AdapterReturnOffsets.Length > 0 && Array.IndexOf(AdapterReturnOffsets, pc) >= 0;

    /// <summary>
    /// The calls inlined into the code (<see cref="OffsetMapping.InlinedFrame"/> indexes it), parents before the calls
    /// inlined into them; empty when the compiler inlined nothing.
    /// </summary>
    public InlinedFrame[] InlinedFrames { get; init; } = [];

    /// <summary>
    /// The wasm offset of the instruction that contains native offset <paramref name="pc"/> - 1 (a
    /// return address or a trap stub's return address lies just past the instruction it belongs to); -1 when unknown.
    /// In inlined code, the offset in the innermost inlined function (<see cref="PositionAt"/> says which).
    /// </summary>
    public int WasmOffsetAt(int pc) => PositionAt(pc).WasmOffset;

    /// <summary>
    /// As <see cref="WasmOffsetAt"/>, with the inlined call the instruction belongs to (an index in
    /// <see cref="InlinedFrames"/>, -1 for the function's own code).
    /// </summary>
    public (int WasmOffset, int InlinedFrame) PositionAt(int pc) =>
        SortedSearch.LastAtOrBelow<OffsetMapping>(OffsetMap, pc - 1) is int i and >= 0
            ? (OffsetMap[i].WasmOffset, OffsetMap[i].InlinedFrame)
            : (-1, -1);
}

/// <summary>What a compiler is asked to do besides compiling the function.</summary>
public sealed record CompilerOptions
{
    /// <summary>Check the engine's epoch at function entry and loop headers (as the interpreter does).</summary>
    public bool EpochChecks { get; init; }

    /// <summary>Consume fuel at function entry and loop headers (as the interpreter does: one unit each).</summary>
    public bool Fuel { get; init; }

    /// <summary>The module offsets of the <c>loop</c> instructions that get an on-stack-replacement entry.</summary>
    public IReadOnlyCollection<int> OsrLoops { get; init; } = Array.Empty<int>();

    /// <summary>Give every loop an on-stack-replacement entry (tiered code: any hot loop may move into it).</summary>
    public bool OsrAllLoops { get; init; }

    /// <summary>
    /// Count calls and loop iterations for promotion to the next tier (tiered code of a tier below the top): at the
    /// function's entry and at every loop header, decrement the function's counter (<see cref="VMOffsets.TierUpCounters"/>,
    /// indexed by defined function) and call <see cref="BuiltinId.TierUp"/> when it is spent. With
    /// <see cref="OsrAllLoops"/>, every OSR entry says where the frame holds the state at its loop
    /// (<see cref="OsrEntry.FrameSlots"/>), so the activation can leave for the next tier there.
    /// </summary>
    public bool TierUpCounters { get; init; }

    /// <summary>
    /// The instruction sets the code may use beyond SSE2 (the runtime passes the processor's, less what the engine's
    /// settings withhold). The default, <see cref="CpuFeatures.None"/>, is code that runs on any x86-64 processor;
    /// a function that needs more (SIMD needs AVX2 in the baseline tier) is then not compiled, with the reason
    /// <see cref="CompileFailureReason.MissingCpuFeature"/>.
    /// </summary>
    public CpuFeatures CpuFeatures { get; init; }

    /// <summary>
    /// How the code keeps memory 0's accesses in bounds (tiers.md section 4, "Bounds checks"). <see cref="BoundsCheckStrategy.Explicit"/>
    /// (the default) compares every access with the memory's length; <see cref="BoundsCheckStrategy.GuardPages"/> assumes the
    /// memory is a reservation of 4 GiB + <see cref="MemoryGuardSize"/> bytes where every byte past the accessible size
    /// faults, skips the check of every access the reservation covers (<see cref="GuardCovers"/>) and records it as a
    /// <see cref="TrapSiteKind.Fault"/> trap site. Part of what compiled code assumes about the memory it runs with: code
    /// compiled for one strategy never runs with a memory of the other, and a cache of compiled code must key on
    /// <see cref="BoundsChecks"/> and <see cref="MemoryGuardSize"/> (both are in this record's equality).
    /// </summary>
    public BoundsCheckStrategy BoundsChecks { get; init; }

    /// <summary>
    /// With <see cref="BoundsCheckStrategy.GuardPages"/>: the inaccessible bytes reserved past the 4 GiB a 32-bit index
    /// reaches, so an access whose static offset (plus its size) fits in them needs no check.
    /// </summary>
    public ulong MemoryGuardSize { get; init; }

    /// <summary>
    /// True when the guard pages alone keep the access of bytes [address + <paramref name="end"/> - size, address +
    /// <paramref name="end"/>) in bounds for every address up to <paramref name="maxAddress"/> (<see cref="uint.MaxValue"/>
    /// for an index in a register, the address itself for a constant): its last byte lies inside the reservation of
    /// 4 GiB + <see cref="MemoryGuardSize"/>. Always false with explicit checks.
    /// </summary>
    /// <param name="maxAddress">The largest wasm address (u32 index) the access may use.</param>
    /// <param name="end">The static offset plus the access's size in bytes.</param>
    public bool GuardCovers(ulong maxAddress, ulong end) =>
        BoundsChecks == BoundsCheckStrategy.GuardPages && maxAddress + end <= MemoryReservation.IndexRange + MemoryGuardSize;

    /// <summary>Options with nothing extra.</summary>
    public static CompilerOptions Default { get; } = new();
}

/// <summary>How compiled code keeps linear-memory accesses in bounds.</summary>
public enum BoundsCheckStrategy : byte
{
    /// <summary>Every access compares its end with the memory's current length (<c>VMContext.MemoryLength</c>) and traps past it.</summary>
    Explicit,

    /// <summary>
    /// The memory is a reservation of 4 GiB + a guard region, inaccessible past its current size; accesses the reservation
    /// covers are not checked, and the fault an out-of-bounds one causes becomes the trap.
    /// </summary>
    GuardPages,
}

/// <summary>The address-space arithmetic of guard-page memories.</summary>
public static class MemoryReservation
{
    /// <summary>The bytes a 32-bit index reaches: 4 GiB.</summary>
    public const ulong IndexRange = 1UL << 32;

    /// <summary>The default guard region past those 4 GiB: 32 MiB, so every static offset below 32 MiB needs no check.</summary>
    public const ulong DefaultGuardSize = 32UL << 20;

    /// <summary>The bytes reserved for a memory with guard pages of <paramref name="guardSize"/>.</summary>
    public static ulong ReservedBytes(ulong guardSize) => IndexRange + guardSize;
}

/// <summary>Why a compiler cannot compile a function (the function then stays in the tier below).</summary>
public enum CompileFailureReason : byte
{
    /// <summary>
    /// The function needs an instruction set the processor lacks, or that the engine's CPU-feature setting
    /// withholds (for example AVX2 for SIMD in the baseline tier).
    /// </summary>
    MissingCpuFeature,

    /// <summary>The tier does not implement an operator the function uses.</summary>
    UnsupportedOperator,

    /// <summary>The compiler failed (a bug in the compiler; the function runs correctly in the tier below).</summary>
    CompilerError,

    /// <summary>
    /// The function uses a WebAssembly feature the tier does not compile (the legacy exception instructions; before
    /// that, typed function references); the function runs in the interpreter.
    /// </summary>
    UnsupportedFeature,
}

/// <summary>Why a compiler did not compile a function: the reason, and a detail for people (the feature, the operator, the error).</summary>
/// <param name="Reason">The kind of failure.</param>
/// <param name="Detail">What exactly: the missing feature, the operator's name, the exception's message.</param>
public readonly record struct CompileFailure(CompileFailureReason Reason, string Detail)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Reason}: {Detail}";
}

/// <summary>What every compiler refuses before it starts, whatever its tier.</summary>
public static class CompilerLimits
{
    /// <summary>
    /// Why no compiler compiles defined function <paramref name="functionIndex"/>, or null: a function using the legacy
    /// exception instructions (<c>try</c>, <c>catch</c>, <c>catch_all</c>, <c>delegate</c>, <c>rethrow</c>) stays in the
    /// interpreter, which alone implements them.
    /// </summary>
    public static CompileFailure? Refused(ModuleInfo module, uint functionIndex)
    {
        lock (module.FunctionsWithLegacyExceptions)
        {
            if (module.FunctionsWithLegacyExceptions.Count == 0 || !module.FunctionsWithLegacyExceptions.Contains(functionIndex))
            {
                return null;
            }
        }
        return new CompileFailure(CompileFailureReason.UnsupportedFeature,
            "the legacy exception instructions (try, catch, catch_all, delegate, rethrow) run in the interpreter only");
    }
}

/// <summary>The outcome of compiling one function.</summary>
/// <param name="Function">The artifact, or null when the tier cannot compile this function.</param>
/// <param name="Failure">Why not, when <paramref name="Function"/> is null.</param>
public readonly record struct CompileResult(CompiledFunction? Function, CompileFailure? Failure)
{
    /// <summary>A compiled function.</summary>
    public static CompileResult Compiled(CompiledFunction function) => new(function, null);

    /// <summary>A function the tier cannot compile.</summary>
    public static CompileResult Failed(CompileFailureReason reason, string detail) => new(null, new CompileFailure(reason, detail));
}

/// <summary>
/// A compiler: a function from (validated module, function index, options) to an artifact. A function
/// the tier cannot compile (for example one using SIMD on a processor without the instructions the tier
/// needs) is not an error: the result says why (<see cref="CompileFailure"/>), and the function stays in
/// the tier below. The runtime holds its compilers as an ordered list of tiers, lowest first.
/// </summary>
public interface IFunctionCompiler
{
    /// <summary>The tier's name, for statistics and messages ("baseline").</summary>
    string Name { get; }

    /// <summary>
    /// The compiler's own settings as text (for example <c>BaselineOptions { PinLocals = True }</c>): code compiled by
    /// this compiler is reused (a precompiled module, the code cache) only by a compiler of the same name and settings.
    /// </summary>
    string Settings => "";

    /// <summary>Compiles defined function <paramref name="functionIndex"/> of <paramref name="module"/>, which was validated.</summary>
    CompileResult Compile(ModuleInfo module, uint functionIndex, CompilerOptions options);
}
