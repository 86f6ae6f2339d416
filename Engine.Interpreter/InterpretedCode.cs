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

    /// <summary>
    /// Stops this code's tier-up counters (a function that will never be compiled): each counter word is
    /// set out of reach. The instructions stay (rewriting code other threads may be running is not safe);
    /// what is left of them is one decrement.
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
    }

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
public sealed record OsrPoint(int LoopOffset, int LocalSlots, int[] OperandSlots, long[] Constants, ValType[] OperandTypes, int Threshold);
