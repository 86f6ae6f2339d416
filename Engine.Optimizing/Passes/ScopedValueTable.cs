using System.Runtime.CompilerServices;

namespace Engine.Optimizing.Passes;

/// <summary>The key of a value-numbering entry: what an instruction computes, and the memory version it read.</summary>
internal struct ValueKey : IEquatable<ValueKey>
{
    public int OpAndType;
    public int A;
    public int B;
    public int C;
    public long Imm;
    public int Aux;
    public int Version;

    public readonly bool Equals(ValueKey other) =>
        OpAndType == other.OpAndType && A == other.A && B == other.B && C == other.C && Imm == other.Imm && Aux == other.Aux && Version == other.Version;

    public override readonly bool Equals(object? obj) => obj is ValueKey other && Equals(other);

    public override readonly int GetHashCode()
    {
        unchecked
        {
            uint h = (uint)OpAndType * 0x9E3779B1u;
            h = (h ^ (uint)A) * 0x85EBCA77u;
            h = (h ^ (uint)B) * 0xC2B2AE3Du;
            h = (h ^ (uint)C) * 0x27D4EB2Fu;
            h = (h ^ (uint)Imm ^ (uint)(Imm >> 32)) * 0x165667B1u;
            h = (h ^ (uint)Aux ^ ((uint)Version << 7)) * 0x9E3779B1u;
            return (int)(h ^ (h >> 15));
        }
    }
}

/// <summary>
/// A hash table for value numbering over the dominator tree: open addressing with linear probing, and an undo
/// log so leaving a dominator subtree forgets exactly what was added inside it (a later insert of an existing
/// key shadows it until then). Sized for the function up front, so it never rehashes (the undo log holds slot
/// indices); slots are cleared by generation, not by zeroing the array.
/// </summary>
internal sealed class ScopedValueTable
{
    private struct Slot
    {
        public ValueKey Key;
        public int Value;
        public int Generation;
    }

    private struct Undo
    {
        public int Slot;
        public int OldValue;
        public bool WasEmpty;
    }

    private Slot[] _slots = new Slot[1024];
    private int _mask = 1023;
    private int _generation = 1;
    private Undo[] _undo = new Undo[256];
    private int _undoCount;

    /// <summary>Empties the table, making room for about <paramref name="entries"/> entries.</summary>
    public void Reset(int entries)
    {
        int capacity = 1024;
        while (capacity < entries * 2)
        {
            capacity <<= 1;
        }
        if (capacity > _slots.Length)
        {
            _slots = new Slot[capacity];
            _generation = 1;
        }
        else
        {
            capacity = _slots.Length;
            if (++_generation == int.MaxValue)
            {
                Array.Clear(_slots);
                _generation = 1;
            }
        }
        _mask = capacity - 1;
        _undoCount = 0;
    }

    /// <summary>A mark to <see cref="PopTo"/>.</summary>
    public int Mark => _undoCount;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(in ValueKey key, out int value)
    {
        int i = key.GetHashCode() & _mask;
        while (true)
        {
            ref Slot slot = ref _slots[i];
            if (slot.Generation != _generation)
            {
                value = -1;
                return false;
            }
            if (slot.Key.Equals(key))
            {
                value = slot.Value;
                return true;
            }
            i = (i + 1) & _mask;
        }
    }

    /// <summary>Adds or shadows <paramref name="key"/> in the current scope.</summary>
    public void Set(in ValueKey key, int value)
    {
        int i = key.GetHashCode() & _mask;
        while (true)
        {
            ref Slot slot = ref _slots[i];
            if (slot.Generation != _generation)
            {
                Log(i, 0, wasEmpty: true);
                slot.Generation = _generation;
                slot.Key = key;
                slot.Value = value;
                return;
            }
            if (slot.Key.Equals(key))
            {
                Log(i, slot.Value, wasEmpty: false);
                slot.Value = value;
                return;
            }
            i = (i + 1) & _mask;
        }
    }

    private void Log(int slot, int oldValue, bool wasEmpty)
    {
        if (_undoCount == _undo.Length)
        {
            Array.Resize(ref _undo, _undo.Length * 2);
        }
        _undo[_undoCount++] = new Undo { Slot = slot, OldValue = oldValue, WasEmpty = wasEmpty };
    }

    /// <summary>Forgets everything set since <paramref name="mark"/>.</summary>
    public void PopTo(int mark)
    {
        while (_undoCount > mark)
        {
            Undo u = _undo[--_undoCount];
            if (u.WasEmpty)
            {
                _slots[u.Slot].Generation = 0;
            }
            else
            {
                _slots[u.Slot].Value = u.OldValue;
            }
        }
    }
}
