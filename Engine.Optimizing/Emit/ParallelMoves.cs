using Engine.CodeGen.X64;
using Engine.Core;
using Engine.Optimizing.Lir;

namespace Engine.Optimizing.Emit;

/// <summary>
/// Emits a set of simultaneous copies between locations (registers and frame slots) as a sequence: a copy goes as
/// soon as no other pending copy still reads its destination; a cycle is broken by saving one destination in a
/// scratch register (r11 for general registers, xmm15 for xmm ones) and reading it from there. Frame-to-frame copies
/// go through rax. Used for block parameters and for the allocator's moves at one point.
/// </summary>
internal sealed class ParallelMoves
{
    private struct Move
    {
        public int From;
        public int To;
        public ValType Type;
    }

    private readonly List<Move> _pending = new();
    private MacroAssembler _masm = null!;

    public int Count => _pending.Count;

    public void Clear() => _pending.Clear();

    public void Add(int from, int to, ValType type)
    {
        if (from != to)
        {
            _pending.Add(new Move { From = from, To = to, Type = type });
        }
    }

    public void Emit(MacroAssembler masm)
    {
        _masm = masm;
        while (_pending.Count > 0)
        {
            bool progress = false;
            for (int i = 0; i < _pending.Count; i++)
            {
                Move m = _pending[i];
                if (!IsSource(m.To, i))
                {
                    Copy(m.From, m.To, m.Type);
                    _pending.RemoveAt(i);
                    i--;
                    progress = true;
                }
            }
            if (progress || _pending.Count == 0)
            {
                continue;
            }
            // Only cycles are left: save the destination of the first copy, and read it from the scratch instead.
            Move first = _pending[0];
            int scratch = IsXmm(first.Type) ? PhysicalRegisters.FirstXmm + 15 : PhysicalRegisters.R11;
            Copy(first.To, scratch, first.Type);
            for (int i = 0; i < _pending.Count; i++)
            {
                if (_pending[i].From == first.To)
                {
                    Move redirected = _pending[i];
                    redirected.From = scratch;
                    _pending[i] = redirected;
                }
            }
        }
        _masm = null!;
    }

    private bool IsSource(int location, int except)
    {
        for (int i = 0; i < _pending.Count; i++)
        {
            if (i != except && _pending[i].From == location)
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsXmm(ValType type) => type is ValType.F32 or ValType.F64 or ValType.V128;

    /// <summary>One copy of a value of <paramref name="type"/> (all its bits) between two locations.</summary>
    public void Copy(int from, int to, ValType type) => CopyValue(_masm, from, to, type);

    public static void CopyValue(MacroAssembler masm, int from, int to, ValType type)
    {
        if (from == to)
        {
            return;
        }
        bool fromStack = Location.IsStack(from), toStack = Location.IsStack(to);
        if (!IsXmm(type))
        {
            if (!fromStack && !toStack)
            {
                masm.Mov(OperandSize.S64, LirEmitter.RegOf(to), LirEmitter.RegOf(from));
            }
            else if (fromStack && !toStack)
            {
                masm.Load(OperandSize.S64, LirEmitter.RegOf(to), LirEmitter.SlotOf(from));
            }
            else if (!fromStack)
            {
                masm.Store(OperandSize.S64, LirEmitter.SlotOf(to), LirEmitter.RegOf(from));
            }
            else
            {
                masm.Load(OperandSize.S64, Reg.Rax, LirEmitter.SlotOf(from));
                masm.Store(OperandSize.S64, LirEmitter.SlotOf(to), Reg.Rax);
            }
            return;
        }
        bool vector = type == ValType.V128;
        if (!fromStack && !toStack)
        {
            masm.MovF(LirEmitter.RegOf(to), LirEmitter.RegOf(from));
        }
        else if (fromStack && !toStack)
        {
            if (vector)
            {
                masm.LoadV(LirEmitter.RegOf(to), LirEmitter.SlotOf(from));
            }
            else
            {
                masm.LoadF(OperandSize.S64, LirEmitter.RegOf(to), LirEmitter.SlotOf(from));
            }
        }
        else if (!fromStack)
        {
            if (vector)
            {
                masm.StoreV(LirEmitter.SlotOf(to), LirEmitter.RegOf(from));
            }
            else
            {
                masm.StoreF(OperandSize.S64, LirEmitter.SlotOf(to), LirEmitter.RegOf(from));
            }
        }
        else
        {
            // Frame to frame through rax (xmm15 may hold a saved cycle value), 8 bytes at a time.
            for (int offset = 0; offset < (vector ? 16 : 8); offset += 8)
            {
                masm.Load(OperandSize.S64, Reg.Rax, LirEmitter.SlotOf(from).Plus(offset));
                masm.Store(OperandSize.S64, LirEmitter.SlotOf(to).Plus(offset), Reg.Rax);
            }
        }
    }
}
