namespace Engine.Core;

/// <summary>
/// A function as the VM sees it: a wasm function of some instance (in whatever tier) or a host
/// function. Reached from a <see cref="VMFuncRef"/> through its GCHandle.
/// </summary>
public abstract class FunctionInstance
{
    /// <summary>Creates the function with its type and canonical type id.</summary>
    protected FunctionInstance(FuncType type, int typeId)
    {
        Type = type;
        TypeId = typeId;
        ParamSlots = SlotsOf(type.Params);
        ResultSlots = SlotsOf(type.Results);
        SlotCount = Math.Max(ParamSlots, ResultSlots);
    }

    /// <summary>The slots the parameters take.</summary>
    public int ParamSlots { get; }

    /// <summary>The slots the results take.</summary>
    public int ResultSlots { get; }

    /// <summary>The slots a call needs for its arguments and results: max(<see cref="ParamSlots"/>, <see cref="ResultSlots"/>).</summary>
    public int SlotCount { get; }

    /// <summary>A name for backtraces and messages: the name section's, the import's, or null.</summary>
    public virtual string? Name => null;

    /// <summary>The function's index in its module, or -1 for host functions.</summary>
    public virtual int Index => -1;

    /// <summary>The function's type.</summary>
    public FuncType Type { get; }

    /// <summary>The engine-wide canonical id of <see cref="Type"/>.</summary>
    public int TypeId { get; }

    /// <summary>The address of this function's <see cref="VMFuncRef"/> (set by the runtime).</summary>
    public nint FuncRef { get; set; }

    /// <summary>
    /// Calls the function. Arguments come in <paramref name="slots"/> in order, one 8-byte slot per value
    /// (two for a v128, low half first; references as addresses); results are written back from slot 0
    /// in the same layout. <paramref name="slots"/> is at least max(params, results) slots long.
    /// Traps raise <see cref="TrapException"/>.
    /// </summary>
    public abstract void Invoke(Span<ulong> slots);

    /// <summary>
    /// Runs the function as <see cref="Invoke"/> does, except that a tail call it ends with to a function it does not
    /// run itself (another tier, or the host) is left to the caller: returns that function, whose arguments are then in
    /// the store's tail-call area (<c>ExecutionStack.TailCallArgs</c>), and the results are not written. Null when
    /// the function returned (results in <paramref name="slots"/>). The caller loops until null, so a chain of tail
    /// calls between tiers runs in constant stack (tiers.md, section 4 "Tail calls"). Host functions never leave one.
    /// </summary>
    public virtual FunctionInstance? InvokeOrTailCall(Span<ulong> slots)
    {
        Invoke(slots);
        return null;
    }

    /// <summary>
    /// The number of 8-byte slots a value of <paramref name="type"/> takes wherever values cross calls (arguments,
    /// results, frames, on-stack-replacement states): two for a v128, one for anything else. The one definition of
    /// the slot layout (tiers.md section 1).
    /// </summary>
    public static int SlotsOf(ValType type) => type == ValType.V128 ? 2 : 1;

    /// <summary>The number of slots a list of types takes (see <see cref="SlotsOf(ValType)"/>).</summary>
    public static int SlotsOf(ReadOnlySpan<ValType> types)
    {
        int n = 0;
        foreach (ValType t in types)
        {
            n += SlotsOf(t);
        }
        return n;
    }
}

/// <summary>
/// An instance as the tiers see it: its <see cref="VMContext"/> block, its functions by index, and the
/// operations on its state that are too large or rare to inline into a tier (growing, bulk operations
/// on segments, stores that must count externrefs). The runtime implements it; every tier calls it
/// (the interpreter directly, compiled code through builtins). Indices are the module's. Each
/// operation traps (throws <see cref="TrapException"/>) exactly as the spec says.
/// </summary>
public abstract class VMInstance
{
    /// <summary>Creates the instance of <paramref name="module"/>.</summary>
    protected VMInstance(ModuleInfo module)
    {
        Module = module;
    }

    /// <summary>The module this is an instance of.</summary>
    public ModuleInfo Module { get; }

    /// <summary>Address of this instance's <see cref="Core.VMContext"/> (native, never moves while the instance lives).</summary>
    public nint VMContext { get; protected set; }

    /// <summary>Every function of the instance by function index (imports first).</summary>
    public FunctionInstance[] Functions { get; protected set; } = Array.Empty<FunctionInstance>();

    /// <summary>Every tag of the instance by tag index (imports first).</summary>
    public TagInstance[] Tags { get; protected set; } = Array.Empty<TagInstance>();

    /// <summary>
    /// An exnref for <paramref name="exception"/>: a box of it, held by the activations table (a frame is about to hold
    /// it, as for an externref read from a table). May collect.
    /// </summary>
    public abstract nint BoxException(TagException exception);

    /// <summary><c>memory.grow</c>: the old size in pages, or -1. Updates every VMContext using the memory.</summary>
    public abstract int MemoryGrow(uint deltaPages);
    /// <summary><c>memory.init</c>.</summary>
    public abstract void MemoryInit(uint dataIndex, uint destination, uint source, uint length);
    /// <summary><c>memory.grow</c> of memory <paramref name="memoryIndex"/> (any address type): the old size in pages, or -1.</summary>
    public abstract long MemoryGrow(uint memoryIndex, ulong deltaPages);
    /// <summary><c>memory.init</c> into memory <paramref name="memoryIndex"/> (any address type).</summary>
    public abstract void MemoryInit(uint dataIndex, uint memoryIndex, ulong destination, uint source, uint length);
    /// <summary><c>memory.copy</c> between any two memories (the same one included), as if through a temporary.</summary>
    public abstract void MemoryCopy(uint destinationMemory, uint sourceMemory, ulong destination, ulong source, ulong length);
    /// <summary><c>memory.fill</c> of memory <paramref name="memoryIndex"/>.</summary>
    public abstract void MemoryFill(uint memoryIndex, ulong destination, byte value, ulong length);
    /// <summary><c>data.drop</c>.</summary>
    public abstract void DataDrop(uint dataIndex);
    /// <summary><c>table.grow</c>: the old size, or -1.</summary>
    public abstract int TableGrow(uint tableIndex, nint initial, uint delta);
    /// <summary><c>table.fill</c>.</summary>
    public abstract void TableFill(uint tableIndex, uint start, nint value, uint length);
    /// <summary><c>table.copy</c>.</summary>
    public abstract void TableCopy(uint destinationTable, uint sourceTable, uint destination, uint source, uint length);
    /// <summary><c>table.init</c>.</summary>
    public abstract void TableInit(uint elemIndex, uint tableIndex, uint destination, uint source, uint length);
    /// <summary><c>elem.drop</c>.</summary>
    public abstract void ElemDrop(uint elemIndex);
    /// <summary><c>table.set</c> on an externref table (the table owns a count on its elements).</summary>
    public abstract void TableSetExternRef(uint tableIndex, uint index, nint value);
    /// <summary><c>global.set</c> of an externref global (the global owns a count on its value).</summary>
    public abstract void GlobalSetExternRef(uint globalIndex, nint value);
    /// <summary>Takes a count on an externref a frame is about to hold (from a table, a global or the host); may collect.</summary>
    public abstract void RootExternRef(nint value);
    /// <summary>Checks the interruption and fuel state; throws the matching trap when execution must stop.</summary>
    public abstract void CheckInterrupt();
    /// <summary>
    /// True when the type of canonical id <paramref name="subTypeId"/> is the one of <paramref name="superTypeId"/> or declares
    /// it as a (transitive) supertype (3.0): the slow path of <c>call_indirect</c>'s signature check.
    /// </summary>
    public virtual bool IsSubtype(int subTypeId, int superTypeId) => subTypeId == superTypeId;
}
