using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.Core;
using Engine.Gc;

namespace Engine.Interpreter;

/// <summary>
/// One function translated into the interpreter's instructions: the code words, the frame's shape, the
/// stack map (reference slots live at each safepoint) and the map from code positions to wasm offsets.
/// Shared by every instance of the module; immutable once built.
/// </summary>
internal sealed unsafe class InterpretedCode
{
    // Pinned (allocated on the pinned object heap), so Code stays valid for as long as this object lives.
    private readonly int[] _words;
    private readonly int[] _instructionStarts;
    private readonly int[] _wasmOffsets;

    public InterpretedCode(ReadOnlySpan<int> words, int paramSlots, int localSlots, int frameSlots,
        StackMap stackMap, int[] instructionStarts, int[] wasmOffsets, int wasmBodySize)
    {
        _words = GC.AllocateUninitializedArray<int>(Math.Max(words.Length, 1), pinned: true);
        words.CopyTo(_words);
        // SAFETY: _words is on the pinned object heap and owned by this object, so the address is stable.
        Code = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_words));
        ParamSlots = paramSlots;
        LocalSlots = localSlots;
        FrameSlots = frameSlots;
        StackMap = stackMap;
        _instructionStarts = instructionStarts;
        _wasmOffsets = wasmOffsets;
        WasmBodySize = wasmBodySize;
    }

    /// <summary>The first code word.</summary>
    public int* Code { get; }

    // Where new activations start: 0, or just past the TierUpEntry counter once it has nothing left to do.
    private int _start;

    /// <summary>
    /// The code position new activations start at: 0, or past the entry's call counter once that counter is
    /// skipped (<see cref="SkipEntryCounter"/>). Branch targets stay relative to <see cref="Code"/>.
    /// </summary>
    public int Start => _start;

    /// <summary>The code words.</summary>
    public ReadOnlySpan<int> Words => _words;

    /// <summary>Slots taken by the parameters (slot 0 up).</summary>
    public int ParamSlots { get; }

    /// <summary>Slots taken by parameters and declared locals; temporaries follow.</summary>
    public int LocalSlots { get; }

    /// <summary>All slots the frame may use.</summary>
    public int FrameSlots { get; }

    /// <summary>Reference slots live at each safepoint, keyed by the code position after the safepoint's instruction.</summary>
    public StackMap StackMap { get; }

    /// <summary>The size in bytes of the wasm body this was translated from (for statistics).</summary>
    public int WasmBodySize { get; }

    /// <summary>The number of instructions.</summary>
    public int InstructionCount => _instructionStarts.Length;

    /// <summary>
    /// The wasm byte offset (in the module) of the instruction that contains code position
    /// <paramref name="position"/> - 1: a frame's published position lies just past the start of its
    /// current instruction (or is its return address).
    /// </summary>
    public int WasmOffsetAt(int position)
    {
        int index = Array.BinarySearch(_instructionStarts, position - 1);
        if (index < 0)
        {
            index = ~index - 1;
        }
        return index < 0 ? -1 : _wasmOffsets[index];
    }

    /// <summary>
    /// The code of a function published to a machine-code tier: one instruction that calls the compiled code
    /// with the frame's slots as its argument area and returns. <paramref name="paramSlots"/> and
    /// <paramref name="slotCount"/> are the function's (slots for the arguments, and for arguments or results).
    /// </summary>
    public static InterpretedCode CompiledStub(int paramSlots, int slotCount) =>
        new([(int)Op.CallCompiled], paramSlots, paramSlots, Math.Max(slotCount, 1), StackMap.Empty, [0], [-1], 0);

    /// <summary>True for <see cref="CompiledStub"/> code.</summary>
    public bool IsCompiledStub => _words.Length == 1 && _words[0] == (int)Op.CallCompiled;

    /// <summary>The start positions of the instructions, in order (for disassembly and tests).</summary>
    public ReadOnlySpan<int> InstructionStarts => _instructionStarts;

    /// <summary>The loop headers where the interpreter may continue in compiled code (indexed by the TierUpLoop instruction's operand).</summary>
    public OsrPoint[] OsrPoints { get; init; } = [];

    /// <summary>The function's try_tables, in order of their start (an inner one after the one around it).</summary>
    internal ExceptionHandler[] Handlers { get; init; } = [];

    /// <summary>
    /// Stops this code's tier-up counters for good (a function that will never be compiled): each counter word
    /// is set out of reach, and the counters are skipped (<see cref="SkipEntryCounter"/>, <see cref="SkipLoopCounter"/>).
    /// </summary>
    public void DisableTierUp()
    {
        TierUpDisabled = true;
        foreach (int start in _instructionStarts)
        {
            int op = _words[start];
            if (op == (int)Op.TierUpEntry || op == (int)Op.TierUpLoop)
            {
                Volatile.Write(ref _words[start + 1], int.MaxValue);
            }
        }
        SkipEntryCounter();
        for (int i = 0; i < OsrPoints.Length; i++)
        {
            SkipLoopCounter(i);
        }
    }

    // Skipping and re-arming counters while other threads may run this code: the only words written are the
    // counters and the branch targets of back edges (and _start), each one aligned int written at once, and
    // each target only ever switches between a counter instruction and the instruction right after it, where
    // the counter would have continued anyway. A thread reading either value runs the same program.

    /// <summary>
    /// New activations start after the entry's call counter (a no-op without one): once the function's
    /// compilation was asked for, counting its calls only costs a dispatch per call.
    /// </summary>
    public void SkipEntryCounter()
    {
        if (_words[0] == (int)Op.TierUpEntry && _start == 0)
        {
            Volatile.Write(ref _start, OpInfo.Words(Op.TierUpEntry));
        }
    }

    /// <summary>
    /// The branches back to the header of loop <paramref name="point"/> jump past its iteration counter: while the
    /// function's compiled code is on its way, counting iterations only costs a dispatch per iteration.
    /// <see cref="CountLoops"/> undoes it.
    /// </summary>
    public void SkipLoopCounter(int point)
    {
        OsrPoint osr = OsrPoints[point];
        int past = osr.CounterPosition + OpInfo.Words(Op.TierUpLoop);
        foreach (int word in osr.BackEdges)
        {
            Volatile.Write(ref _words[word], past);
        }
    }

    /// <summary>
    /// Every loop counts its iterations again (its back edges go through its counter); with
    /// <paramref name="now"/>, each counter runs out at its next iteration (the compiled code is ready: running
    /// activations move into it at the next loop header they reach).
    /// </summary>
    public void CountLoops(bool now)
    {
        if (TierUpDisabled)
        {
            return;
        }
        foreach (OsrPoint osr in OsrPoints)
        {
            if (now)
            {
                Volatile.Write(ref _words[osr.CounterPosition + 1], 1);
            }
            foreach (int word in osr.BackEdges)
            {
                Volatile.Write(ref _words[word], osr.CounterPosition);
            }
        }
    }

    /// <summary>
    /// Every counter starts over: the entry's at <paramref name="callThreshold"/> and no longer skipped, each
    /// loop's at its threshold, counting again.
    /// </summary>
    public void RestartCounters(int callThreshold)
    {
        if (TierUpDisabled)
        {
            return;
        }
        if (_words[0] == (int)Op.TierUpEntry)
        {
            Volatile.Write(ref _words[1], callThreshold);
            Volatile.Write(ref _start, 0);
        }
        foreach (OsrPoint osr in OsrPoints)
        {
            Volatile.Write(ref _words[osr.CounterPosition + 1], osr.Threshold);
        }
        CountLoops(now: false);
    }

    /// <summary>True when the branches back to loop <paramref name="point"/>'s header skip its counter (for tests).</summary>
    public bool IsLoopCounterSkipped(int point) =>
        OsrPoints[point].BackEdges is [int first, ..] && _words[first] != OsrPoints[point].CounterPosition;

    /// <summary>True once <see cref="DisableTierUp"/> ran.</summary>
    public bool TierUpDisabled { get; private set; }

    /// <summary>The calls counted so far by the TierUpEntry instruction (0 without one).</summary>
    public long CountedCalls(int threshold) =>
        _words.Length > 1 && _words[0] == (int)Op.TierUpEntry ? threshold - Math.Min(threshold, (long)_words[1]) : 0;
}

/// <summary>
/// A loop header of interpreted code, described in wasm terms for on-stack replacement: where each operand
/// of the wasm stack is in the frame (locals are at their slots: local i in slot i, as OSR needs no v128).
/// </summary>
/// <param name="LoopOffset">Module offset of the <c>loop</c> instruction.</param>
/// <param name="LocalSlots">The slots of the wasm locals (parameters first), from slot 0.</param>
/// <param name="OperandSlots">For each operand from the bottom: its slot, or -1 for a constant (in <paramref name="Constants"/>).</param>
/// <param name="Constants">The constants' bits, by operand.</param>
/// <param name="OperandTypes">The operands' types.</param>
/// <param name="Threshold">The counter's initial value.</param>
public sealed record OsrPoint(int LoopOffset, int LocalSlots, int[] OperandSlots, long[] Constants, ValType[] OperandTypes, int Threshold)
{
    /// <summary>The code position of the loop's counter (its TierUpLoop instruction: the loop header).</summary>
    public int CounterPosition { get; init; }

    /// <summary>The code words holding the targets of the branches back to the header (see <see cref="InterpretedCode.SkipLoopCounter"/>).</summary>
    public int[] BackEdges { get; init; } = [];
}
