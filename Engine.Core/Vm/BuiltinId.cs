namespace Engine.Core;

/// <summary>
/// The builtins compiled code may call: C# functions of the runtime, reached through the table at
/// <see cref="VMContext.Builtins"/> (entry i is the function pointer of builtin i). Each takes the
/// calling function's <see cref="VMContext"/> first (SysV: rdi), then the arguments listed, all as
/// 32-bit or pointer-sized integers; the return value is listed too. "status" means 0 = done,
/// non-zero = a trap is pending in the store and the caller must return that status at once.
/// Before calling a builtin, compiled code records its exit frame in the store context
/// (<see cref="VMStoreContext"/>), so the callee can walk its frames (backtraces, collections).
/// </summary>
public enum BuiltinId
{
    /// <summary>(TrapCode code) -> status (always non-zero): raises the trap with the backtrace of the compiled frames.</summary>
    Trap,
    /// <summary>(u32 deltaPages) -> i32 old size in pages, or -1.</summary>
    MemoryGrow,
    /// <summary>(u32 dataIndex, u32 destination, u32 source, u32 length) -> status.</summary>
    MemoryInit,
    /// <summary>(u32 dataIndex) -> status.</summary>
    DataDrop,
    /// <summary>(u32 destination, u32 source, u32 length) -> status.</summary>
    MemoryCopy,
    /// <summary>(u32 destination, u32 value, u32 length) -> status.</summary>
    MemoryFill,
    /// <summary>(u32 tableIndex, nint initial, u32 delta) -> i32 old size, or -1.</summary>
    TableGrow,
    /// <summary>(u32 tableIndex, u32 start, nint value, u32 length) -> status.</summary>
    TableFill,
    /// <summary>(u32 destinationTable, u32 sourceTable, u32 destination, u32 source, u32 length) -> status.</summary>
    TableCopy,
    /// <summary>(u32 elemIndex, u32 tableIndex, u32 destination, u32 source, u32 length) -> status.</summary>
    TableInit,
    /// <summary>(u32 elemIndex) -> status.</summary>
    ElemDrop,
    /// <summary>(u32 tableIndex, u32 index, nint value) -> status: <c>table.set</c> on an externref table (moves counts).</summary>
    TableSetExternRef,
    /// <summary>(u32 globalIndex, nint value) -> status: <c>global.set</c> of an externref global (moves counts).</summary>
    GlobalSetExternRef,
    /// <summary>(nint value) -> status: roots an externref a frame is about to hold (may collect: a safepoint).</summary>
    RootExternRef,
    /// <summary>() -> status: the epoch deadline or fuel ran out (raises Interrupted or OutOfFuel), or nothing to do.</summary>
    CheckInterrupt,
    /// <summary>
    /// (u32 functionIndex, i32 loopOffset) -> status: the tier-up budget of the calling function ran out, at its entry
    /// (loopOffset -1) or at the header of the loop at that module offset. Asks for the function's next tier; at a loop
    /// whose state that tier can take (the caller's <see cref="OsrEntry.FrameSlots"/>), may run the rest of the
    /// activation there. Returns 0 to go on, 1 when an exception is pending, <see cref="Builtins.TierUpFinished"/>
    /// when the activation finished in the next tier with its results in the caller's argument area.
    /// </summary>
    TierUp,
    /// <summary><c>memory.grow</c> of any memory (3.0): (memory, delta) -> the old size or -1, as a long.</summary>
    MemoryGrowAny,
    /// <summary><c>memory.fill</c> of any memory: (memory, destination, value, length) -> status.</summary>
    MemoryFillAny,
    /// <summary><c>memory.copy</c> between any memories: (destination memory, source memory, destination, source, length) -> status.</summary>
    MemoryCopyAny,
    /// <summary><c>memory.init</c> of any memory: (data, memory, destination, source, length) -> status.</summary>
    MemoryInitAny,
    /// <summary>
    /// (ulong* area) -> status: a function called from compiled code returned status 2 (<see cref="Builtins.TailCallPending"/>):
    /// its tail call to a function that is not compiled code was left to the caller. Runs that call (and any it leaves
    /// in turn) with the arguments in the store's tail-call area, and writes the results into <c>area</c>, the
    /// caller's outgoing area.
    /// </summary>
    RunTailCall,
    /// <summary>
    /// <c>call_indirect</c> of a non-final type whose exact canonical-id compare failed: (VMFuncRef* callee, u32 typeIndex)
    /// -> the callee when its type is a declared subtype of the instance's type <c>typeIndex</c>, else 0 (the caller traps
    /// with IndirectCallTypeMismatch). Collects nothing.
    /// </summary>
    IndirectCallSubtype,
    /// <summary>
    /// <c>throw</c> (3.0): (u32 tagIndex, ulong* area) -> status 1: makes the exception of the instance's tag with the values
    /// at <c>area + 1</c> (slots, as arguments) pending. The area is the caller's outgoing area (passed by the shared layer,
    /// <see cref="Builtins.TakesOutgoingArea"/>); slot 0 held the tag index.
    /// </summary>
    Throw,
    /// <summary><c>throw_ref</c> (3.0): (nint exnref) -> status 1: makes the exception of the box pending, or traps on null.</summary>
    ThrowRef,
    /// <summary>
    /// The catch of a <c>try_table</c> in compiled code (3.0): (u32 tryTableOffset, ulong* area) -> the index of the try_table's
    /// first catch clause (at that module offset) that takes the pending exception, or -1 (a trap, or no clause matches: the
    /// exception stays pending). On a match the exception is no longer pending; its values (for <c>catch</c> and
    /// <c>catch_ref</c>, rooted as a frame's) are at <c>area + 1</c>, then its exnref (for the <c>_ref</c> kinds). May collect:
    /// a safepoint.
    /// </summary>
    CatchException,
}

/// <summary>Facts about <see cref="BuiltinId"/>.</summary>
public static class Builtins
{
    /// <summary>The number of builtins (the length of the builtins table).</summary>
    public const int Count = (int)BuiltinId.CatchException + 1;

    /// <summary>
    /// True for the builtins whose last argument is the caller's outgoing area (rsp), passed by the shared layer after the
    /// slots it loads: <see cref="BuiltinId.Throw"/> and <see cref="BuiltinId.CatchException"/>.
    /// </summary>
    public static bool TakesOutgoingArea(BuiltinId id) => id is BuiltinId.Throw or BuiltinId.CatchException;

    /// <summary>
    /// The outgoing-area slots the exception builtins need in a function of <paramref name="module"/> (0 when it uses no
    /// exception handling): slot 0, then the largest tag's values, then an exnref.
    /// </summary>
    public static int ExceptionAreaSlots(ModuleInfo module)
    {
        if (!module.UsesExceptions)
        {
            return 0;
        }
        int slots = 0;
        foreach (uint typeIndex in module.TagTypeIndices)
        {
            slots = Math.Max(slots, FunctionInstance.SlotsOf(module.Types[(int)typeIndex].Params));
        }
        return slots + 2;
    }

    /// <summary>The status <see cref="BuiltinId.TierUp"/> returns when the activation finished in the next tier (on-stack replacement).</summary>
    public const int TierUpFinished = 2;

    /// <summary>
    /// The status a compiled function returns when it ends in a tail call it leaves to its caller (the callee is not
    /// compiled code, or its arguments do not fit the function's own argument area): the callee's VMFuncRef is in
    /// <see cref="VMStoreContext.PendingTailCall"/>, its arguments in the tail-call area.
    /// </summary>
    public const int TailCallPending = 2;
}
