using System.Runtime.InteropServices;

namespace Engine.Core;

/// <summary>
/// The per-instance block of native memory through which every tier reaches the VM: the interpreter
/// reads it through a pointer, compiled code through a register with the offsets in
/// <see cref="VMOffsets"/>. The runtime allocates it in native memory (it never moves) and keeps it
/// current (for example the memory base and length after <c>memory.grow</c>).
/// Fields are <see cref="nint"/> so this shared definition needs no unsafe code; each comment says
/// what the address points to.
/// </summary>
/// <remarks>
/// <code>
///  offset  field            points to
///  0       MemoryBase       byte[MemoryLength] of memory 0 (0 when the module has no memory)
///  8       MemoryLength     current length of memory 0 in bytes
///  16      Globals          nint[global count]: address of each global's 16-byte VMGlobal cell
///                           (an imported global's cell belongs to its exporter)
///  24      Tables           nint[table count]: address of each VMTable
///  32      Functions        nint[function count]: address of each function's VMFuncRef
///                           (imports point at the exporter's record)
///  40      TypeIds          int[type count]: engine-wide canonical id of each type index
///  48      Builtins         nint[BuiltinId count]: the C# functions compiled code calls (see BuiltinId)
///  56      StackLimit       lowest native stack address compiled code may use (the running
///                           thread's, kept current by every entry into compiled code)
///  64      EpochDeadline    interruption: trap when the engine's epoch reaches it
///  72      EpochCounter     address of the engine's epoch counter (long)
///  80      FuelCounter      address of the store's remaining fuel (long)
///  88      StoreContext     the store's native context (exit frame of compiled code, see VMStoreContext)
///  96      Instance         GCHandle (as nint) of the instance's VMInstance (for builtins)
///  104     TierUpCounters   int[defined function count]: the tier-up budget of each defined function in code
///                           that counts for the next tier (shared by every instance of the module; 0 when none)
///  112     Memories         nint[memory count]: address of each memory's VMMemory {Base, Length} (3.0, multiple
///                           memories; memory 0 is also at offsets 0 and 8, the fast path every tier uses)
/// </code>
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public struct VMContext
{
    /// <summary>Base address of memory 0.</summary>
    public nint MemoryBase;
    /// <summary>Length of memory 0 in bytes.</summary>
    public nuint MemoryLength;
    /// <summary>Address of an array of VMGlobal addresses, one per global index.</summary>
    public nint Globals;
    /// <summary>Address of an array of VMTable addresses, one per table index.</summary>
    public nint Tables;
    /// <summary>Address of an array of VMFuncRef addresses, one per function index.</summary>
    public nint Functions;
    /// <summary>Address of an int array: canonical type id per type index.</summary>
    public nint TypeIds;
    /// <summary>Address of the builtins table: one function pointer per <see cref="BuiltinId"/>.</summary>
    public nint Builtins;
    /// <summary>The lowest native stack address compiled code may use.</summary>
    public nint StackLimit;
    /// <summary>The epoch at which running code traps with <see cref="TrapCode.Interrupted"/>.</summary>
    public long EpochDeadline;
    /// <summary>Address of the engine's epoch counter (a long).</summary>
    public nint EpochCounter;
    /// <summary>Address of the store's remaining fuel (a long), consumed by every instance of the store.</summary>
    public nint FuelCounter;
    /// <summary>Address of the store's <see cref="VMStoreContext"/>.</summary>
    public nint StoreContext;
    /// <summary>GCHandle (as nint) of the instance's <see cref="VMInstance"/>.</summary>
    public nint Instance;
    /// <summary>
    /// Address of an int array, one per defined function: what is left of its tier-up budget (calls and loop iterations)
    /// in compiled code that counts for promotion to the next tier (<see cref="CompilerOptions.TierUpCounters"/>).
    /// Shared by every instance of the module; 0 when no code counts.
    /// </summary>
    public nint TierUpCounters;
    /// <summary>
    /// Address of an array with the address of each memory's <see cref="VMMemory"/> (imports first), or 0 without
    /// memories. The memory owns its cell, so every instance that uses it sees its growth at once.
    /// </summary>
    public nint Memories;
}

/// <summary>
/// The per-store native block compiled code writes when it leaves for C# (a call to a builtin, an
/// interpreted or host function, a trap), so the collector and backtraces can walk its frames by the
/// rbp chain, starting at the exit frame.
/// </summary>
/// <remarks>
/// <code>
///  offset  field     meaning
///  0       ExitFp    rbp of the innermost compiled frame that called out to C#
///  8       ExitPc    the return address of that call (a code address inside that frame's function)
///  16      Handle    GCHandle (as nint) of the runtime's managed native context of the store
///  24      ExitVmctx the VMContext of that frame's function (r14 at the exit), for host calls' caller
///  32      PendingTailCall  the VMFuncRef a compiled function's tail call left to its caller (status 2)
///  40      TailCallArgs     the store's tail-call area: that call's arguments, in slots
///  48      ExitStub         the exit stub's address (a tail call jumps only to compiled code: NativeCode != this)
/// </code>
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public struct VMStoreContext
{
    /// <summary>Frame pointer of the innermost compiled frame that called out to C#.</summary>
    public nint ExitFp;
    /// <summary>Return address of that call.</summary>
    public nint ExitPc;
    /// <summary>GCHandle (as nint) of the runtime's managed object for this context.</summary>
    public nint Handle;
    /// <summary>The VMContext of the function that left through the exit stub (the caller of a host function).</summary>
    public nint ExitVmctx;
    /// <summary>The VMFuncRef of the function a compiled function's tail call left to its caller (with status 2).</summary>
    public nint PendingTailCall;
    /// <summary>The store's tail-call area (ulong*): the arguments of <see cref="PendingTailCall"/>.</summary>
    public nint TailCallArgs;
    /// <summary>The exit stub's address: a VMFuncRef whose NativeCode is this is not compiled code.</summary>
    public nint ExitStub;
}

/// <summary>A global's storage cell: 16 bytes, enough for any value (v128). Numbers in their little-endian bits; references as addresses.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct VMGlobal
{
    /// <summary>Low 8 bytes (the whole value unless v128).</summary>
    public ulong Low;
    /// <summary>High 8 bytes of a v128.</summary>
    public ulong High;
}

/// <summary>
/// A linear memory as every tier sees it (any memory index): its first byte (reserved for its maximum: it never moves) and
/// its current length in bytes, kept current by <c>memory.grow</c>. Owned by the memory, shared by every instance using it.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct VMMemory
{
    /// <summary>The first byte.</summary>
    public nint Base;
    /// <summary>The current length in bytes.</summary>
    public nuint Length;
}

/// <summary>A table: a native array of reference values (VMFuncRef addresses or externref box addresses; 0 is null).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct VMTable
{
    /// <summary>Address of nint[Length].</summary>
    public nint Elements;
    /// <summary>Current number of elements.</summary>
    public uint Length;
    /// <summary>Maximum number of elements (uint.MaxValue when unbounded).</summary>
    public uint Maximum;
}

/// <summary>
/// A function reference record (what a funcref value points to): one per function per instance,
/// owned by the instance that defines the function, never moved while the instance lives.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct VMFuncRef
{
    /// <summary>
    /// Native entry point of the function's current code (native signature, see tiers.md section 4): its
    /// compiled code, or (for functions not compiled and host functions) the runtime's shared exit stub
    /// into C#. 0 only in an engine that runs no compiled code; swapped atomically on tier-up.
    /// </summary>
    public nint NativeCode;
    /// <summary>The engine-wide canonical id of the function's type (compared by call_indirect).</summary>
    public int TypeId;
    /// <summary>Padding; reserved.</summary>
    public int Reserved;
    /// <summary>The VMContext of the instance that defines the function (0 for host functions).</summary>
    public nint Vmctx;
    /// <summary>GCHandle (as nint) of the managed <see cref="FunctionInstance"/>.</summary>
    public nint Function;
    /// <summary>
    /// The register entry of the function's current code, or 0 when it has none (tiers.md section 5: optimized code
    /// of a function whose signature fits the register convention). Only direct calls from the same instance use it:
    /// they pass the arguments in registers and keep their own vmctx and memory base. Written after
    /// <see cref="NativeCode"/> on publication.
    /// </summary>
    public nint RegisterCode;
}

/// <summary>Byte offsets of the fields of the VM structures, for compiled code. A test checks them against the structs.</summary>
public static class VMOffsets
{
    /// <summary>Offset of <see cref="VMContext.MemoryBase"/>.</summary>
    public const int MemoryBase = 0;
    /// <summary>Offset of <see cref="VMContext.MemoryLength"/>.</summary>
    public const int MemoryLength = 8;
    /// <summary>Offset of <see cref="VMContext.Globals"/>.</summary>
    public const int Globals = 16;
    /// <summary>Offset of <see cref="VMContext.Tables"/>.</summary>
    public const int Tables = 24;
    /// <summary>Offset of <see cref="VMContext.Functions"/>.</summary>
    public const int Functions = 32;
    /// <summary>Offset of <see cref="VMContext.TypeIds"/>.</summary>
    public const int TypeIds = 40;
    /// <summary>Offset of <see cref="VMContext.Builtins"/>.</summary>
    public const int Builtins = 48;
    /// <summary>Offset of <see cref="VMContext.StackLimit"/>.</summary>
    public const int StackLimit = 56;
    /// <summary>Offset of <see cref="VMContext.EpochDeadline"/>.</summary>
    public const int EpochDeadline = 64;
    /// <summary>Offset of <see cref="VMContext.EpochCounter"/>.</summary>
    public const int EpochCounter = 72;
    /// <summary>Offset of <see cref="VMContext.FuelCounter"/>.</summary>
    public const int FuelCounter = 80;
    /// <summary>Offset of <see cref="VMContext.StoreContext"/>.</summary>
    public const int StoreContext = 88;
    /// <summary>Offset of <see cref="VMContext.Instance"/>.</summary>
    public const int Instance = 96;
    /// <summary>Offset of <see cref="VMContext.TierUpCounters"/>.</summary>
    public const int TierUpCounters = 104;
    /// <summary>Offset of <see cref="VMContext.Memories"/>.</summary>
    public const int Memories = 112;
    /// <summary>Size of <see cref="VMContext"/>.</summary>
    public const int VMContextSize = 120;

    /// <summary>Offset of <see cref="VMMemory.Base"/>.</summary>
    public const int MemoryDefinitionBase = 0;
    /// <summary>Offset of <see cref="VMMemory.Length"/>.</summary>
    public const int MemoryDefinitionLength = 8;

    /// <summary>Offset of <see cref="VMStoreContext.ExitFp"/>.</summary>
    public const int StoreExitFp = 0;
    /// <summary>Offset of <see cref="VMStoreContext.ExitPc"/>.</summary>
    public const int StoreExitPc = 8;
    /// <summary>Offset of <see cref="VMStoreContext.Handle"/>.</summary>
    public const int StoreHandle = 16;
    /// <summary>Offset of <see cref="VMStoreContext.ExitVmctx"/>.</summary>
    public const int StoreExitVmctx = 24;
    /// <summary>Offset of <see cref="VMStoreContext.PendingTailCall"/>.</summary>
    public const int StorePendingTailCall = 32;
    /// <summary>Offset of <see cref="VMStoreContext.TailCallArgs"/>.</summary>
    public const int StoreTailCallArgs = 40;
    /// <summary>Offset of <see cref="VMStoreContext.ExitStub"/>.</summary>
    public const int StoreExitStub = 48;
    /// <summary>Size of <see cref="VMStoreContext"/>.</summary>
    public const int StoreContextSize = 56;

    /// <summary>Offset of <see cref="VMGlobal.Low"/> (a global's value).</summary>
    public const int GlobalValue = 0;

    /// <summary>Offset of <see cref="VMTable.Elements"/>.</summary>
    public const int TableElements = 0;
    /// <summary>Offset of <see cref="VMTable.Length"/>.</summary>
    public const int TableLength = 8;
    /// <summary>Size of <see cref="VMTable"/>.</summary>
    public const int TableSize = 16;

    /// <summary>Offset of <see cref="VMFuncRef.NativeCode"/>.</summary>
    public const int FuncRefNativeCode = 0;
    /// <summary>Offset of <see cref="VMFuncRef.TypeId"/>.</summary>
    public const int FuncRefTypeId = 8;
    /// <summary>Offset of <see cref="VMFuncRef.Vmctx"/>.</summary>
    public const int FuncRefVmctx = 16;
    /// <summary>Offset of <see cref="VMFuncRef.Function"/>.</summary>
    public const int FuncRefFunction = 24;
    /// <summary>Offset of <see cref="VMFuncRef.RegisterCode"/>.</summary>
    public const int FuncRefRegisterCode = 32;
}
