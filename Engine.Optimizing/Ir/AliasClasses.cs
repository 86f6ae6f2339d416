using Engine.Core;

namespace Engine.Optimizing.Ir;

/// <summary>
/// The state instructions read and write, as bits of a 64-bit mask: linear memory, memory 0's length,
/// tables (elements and lengths), and the globals spread over the remaining 61 bits by index. A store to
/// linear memory does not disturb a global's value, a <c>global.set</c> of one global does not disturb
/// another's (unless they share a bit), and only calls disturb everything. Redundant-load elimination
/// and loop-invariant code motion use these classes.
/// </summary>
public static class AliasClasses
{
    /// <summary>Linear memory 0's contents.</summary>
    public const ulong Memory = 1;
    /// <summary>Linear memory 0's length (<c>memory.size</c>, bounds checks read it).</summary>
    public const ulong MemoryLength = 2;
    /// <summary>Every table's elements and length.</summary>
    public const ulong Tables = 4;
    /// <summary>Everything.</summary>
    public const ulong All = ulong.MaxValue;

    private const int GlobalBits = 61;

    /// <summary>The class of global <paramref name="index"/>.</summary>
    public static ulong Global(long index) => 1UL << (3 + (int)((ulong)index % GlobalBits));

    /// <summary>The state instruction <paramref name="id"/> reads (0 for none).</summary>
    public static ulong Reads(IrFunction f, int id)
    {
        ref Inst inst = ref f[id];
        return inst.Op switch
        {
            Op.Load => Memory,
            Op.MemorySize or Op.BoundsLimit => MemoryLength,
            Op.GlobalGet => Global(inst.Imm),
            Op.TableGet or Op.TableSize => Tables,
            Op.Call or Op.CallIndirect or Op.CallBuiltin or Op.ReturnCall or Op.ReturnCallIndirect => All,
            _ => 0,
        };
    }

    /// <summary>The state instruction <paramref name="id"/> writes (0 for none).</summary>
    public static ulong Writes(IrFunction f, int id)
    {
        ref Inst inst = ref f[id];
        return inst.Op switch
        {
            Op.Store => Memory,
            Op.GlobalSet => Global(inst.Imm),
            Op.TableSet => Tables,
            Op.Call or Op.CallIndirect or Op.ReturnCall or Op.ReturnCallIndirect => All,
            Op.CallBuiltin => BuiltinWrites((BuiltinId)inst.Imm, inst.C),
            _ => 0,
        };
    }

    /// <summary>
    /// What a builtin changes. <c>memory.grow</c> changes the length only: the contents at addresses valid before
    /// stay, and a load of a new address before the growth would have trapped.
    /// </summary>
    private static ulong BuiltinWrites(BuiltinId id, int firstImmediate) => id switch
    {
        BuiltinId.MemoryGrow or BuiltinId.MemoryGrowAny => MemoryLength,
        BuiltinId.MemoryInit or BuiltinId.MemoryCopy or BuiltinId.MemoryFill
            or BuiltinId.MemoryInitAny or BuiltinId.MemoryCopyAny or BuiltinId.MemoryFillAny => Memory,
        BuiltinId.DataDrop => 0,
        BuiltinId.TableGrow or BuiltinId.TableFill or BuiltinId.TableCopy or BuiltinId.TableInit
            or BuiltinId.ElemDrop or BuiltinId.TableSetExternRef => Tables,
        BuiltinId.GlobalSetExternRef => Global(firstImmediate),
        _ => All,
    };
}
