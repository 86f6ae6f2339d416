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
    }

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

    /// <summary>The number of slots a list of types takes (v128 takes two).</summary>
    public static int SlotCount(ReadOnlySpan<ValType> types)
    {
        int n = 0;
        foreach (ValType t in types)
        {
            n += t == ValType.V128 ? 2 : 1;
        }
        return n;
    }
}

/// <summary>
/// The operations on an instance's state that are too large or rare to inline into a tier: growing,
/// bulk operations on segments, and the like. The runtime implements it; every tier calls it (the
/// interpreter directly, compiled code through builtins). Indices are the module's. Each method traps
/// (throws <see cref="TrapException"/>) exactly as the spec says.
/// </summary>
public interface IInstanceServices
{
    /// <summary><c>memory.grow</c>: the old size in pages, or -1. Updates the VMContext's memory fields.</summary>
    int MemoryGrow(uint deltaPages);
    /// <summary><c>memory.init</c>.</summary>
    void MemoryInit(uint dataIndex, uint destination, uint source, uint length);
    /// <summary><c>data.drop</c>.</summary>
    void DataDrop(uint dataIndex);
    /// <summary><c>table.grow</c>: the old size, or -1.</summary>
    int TableGrow(uint tableIndex, nint initial, uint delta);
    /// <summary><c>table.fill</c>.</summary>
    void TableFill(uint tableIndex, uint start, nint value, uint length);
    /// <summary><c>table.copy</c>.</summary>
    void TableCopy(uint destinationTable, uint sourceTable, uint destination, uint source, uint length);
    /// <summary><c>table.init</c>.</summary>
    void TableInit(uint elemIndex, uint tableIndex, uint destination, uint source, uint length);
    /// <summary><c>elem.drop</c>.</summary>
    void ElemDrop(uint elemIndex);
    /// <summary><c>table.set</c>, for tables that own their references (externref counting).</summary>
    void TableSet(uint tableIndex, uint index, nint value);
    /// <summary><c>global.set</c> of a reference global (externref counting).</summary>
    void GlobalSetRef(uint globalIndex, nint value);
}

/// <summary>Gives each distinct function type one small integer, engine-wide, so signature checks compare ints.</summary>
public sealed class TypeRegistry
{
    private readonly Dictionary<FuncType, int> _ids = new();
    private readonly List<FuncType> _types = new();
    private readonly object _lock = new();

    /// <summary>The canonical id of <paramref name="type"/>, registering it if new.</summary>
    public int GetId(FuncType type)
    {
        lock (_lock)
        {
            if (!_ids.TryGetValue(type, out int id))
            {
                id = _types.Count;
                _types.Add(type);
                _ids.Add(type, id);
            }
            return id;
        }
    }

    /// <summary>The type with canonical id <paramref name="id"/>.</summary>
    public FuncType GetType(int id)
    {
        lock (_lock)
        {
            return _types[id];
        }
    }
}
