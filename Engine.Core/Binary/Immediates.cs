namespace Engine.Core;

/// <summary>The type of a block, loop or if: empty, one value type, or a function type index (multi-value).</summary>
public readonly struct BlockType
{
    private BlockType(ValType valueType, int typeIndex)
    {
        ValueType = valueType;
        TypeIndex = typeIndex;
    }

    /// <summary>The empty block type <c>[] -> []</c>.</summary>
    public static BlockType Empty => new(ValType.Bottom, -1);

    /// <summary>A block type <c>[] -> [type]</c>.</summary>
    public static BlockType FromValue(ValType type) => new(type, -1);

    /// <summary>A block type given by a function type of the module.</summary>
    public static BlockType FromTypeIndex(uint index) => new(ValType.Bottom, (int)index);

    /// <summary>The single result type, or <see cref="ValType.Bottom"/> when empty or indexed.</summary>
    public ValType ValueType { get; }

    /// <summary>The function type index, or -1.</summary>
    public int TypeIndex { get; }

    /// <summary>True for <c>[] -> []</c>.</summary>
    public bool IsEmpty => ValueType == ValType.Bottom && TypeIndex < 0;

    /// <summary>True when the type is a type index.</summary>
    public bool IsTypeIndex => TypeIndex >= 0;
}

/// <summary>The memory immediate of loads and stores.</summary>
/// <param name="AlignLog2">The alignment hint, as log2 of bytes.</param>
/// <param name="Offset">
/// The static offset added to the dynamic address: a u64 in the binary format since 3.0; validation keeps it below
/// 2^32 for a 32-bit memory, so tiers that handle 32-bit memories only may narrow it.
/// </param>
public readonly record struct MemArg(uint AlignLog2, ulong Offset)
{
    /// <summary>The memory accessed (multiple memories, 3.0); 0 unless the flags' bit 6 gave an index.</summary>
    public uint MemoryIndex { get; init; }
}

/// <summary>
/// The targets of a <c>br_table</c>, read lazily from the code so no array is allocated. The reader
/// has already checked that every target decodes.
/// </summary>
public readonly ref struct BrTable
{
    private readonly ReadOnlySpan<byte> _targets;

    internal BrTable(ReadOnlySpan<byte> targets, uint count, uint defaultTarget)
    {
        _targets = targets;
        Count = count;
        Default = defaultTarget;
    }

    /// <summary>The number of targets, not counting the default.</summary>
    public uint Count { get; }

    /// <summary>The default target's relative depth.</summary>
    public uint Default { get; }

    /// <summary>Enumerates the targets' relative depths in order.</summary>
    public Enumerator GetEnumerator() => new(_targets, Count);

    /// <summary>Enumerates the targets of a <see cref="BrTable"/>.</summary>
    public ref struct Enumerator
    {
        private ReadOnlySpan<byte> _bytes;
        private uint _remaining;

        internal Enumerator(ReadOnlySpan<byte> bytes, uint count)
        {
            _bytes = bytes;
            _remaining = count;
            Current = 0;
        }

        /// <summary>The current target.</summary>
        public uint Current { get; private set; }

        /// <summary>Moves to the next target.</summary>
        public bool MoveNext()
        {
            if (_remaining == 0)
            {
                return false;
            }
            _remaining--;
            uint result = 0;
            int shift = 0;
            int i = 0;
            while (true)
            {
                byte b = _bytes[i++];
                result |= (uint)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    break;
                }
                shift += 7;
            }
            _bytes = _bytes[i..];
            Current = result;
            return true;
        }
    }
}

/// <summary>The kind of a <c>try_table</c> catch clause (its binary code).</summary>
public enum CatchKind : byte
{
    /// <summary><c>catch x l</c>: an exception of tag x, its values to label l.</summary>
    Catch = 0,
    /// <summary><c>catch_ref x l</c>: an exception of tag x, its values and its exnref to label l.</summary>
    CatchRef = 1,
    /// <summary><c>catch_all l</c>: any exception, nothing to label l.</summary>
    CatchAll = 2,
    /// <summary><c>catch_all_ref l</c>: any exception, its exnref to label l.</summary>
    CatchAllRef = 3,
}

/// <summary>A <c>try_table</c> catch clause: its kind, tag index (for catch and catch_ref) and label (relative to the try_table's block's enclosing labels).</summary>
public readonly record struct TryTableCatch(CatchKind Kind, uint Tag, uint Label)
{
    /// <summary>True for the clauses that hand over the exception's exnref.</summary>
    public bool PassesReference => Kind is CatchKind.CatchRef or CatchKind.CatchAllRef;

    /// <summary>True for the clauses of one tag.</summary>
    public bool HasTag => Kind is CatchKind.Catch or CatchKind.CatchRef;
}
