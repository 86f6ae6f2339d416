using System.Runtime.Intrinsics;
using Engine.Core;

namespace Engine.Interpreter;

public sealed partial class Translator
{
    /// <summary>Each SIMD operator's instruction has the operator's own name (see "@simd" in Instructions.def).</summary>
    private static Op SimdOp(Opcode opcode) => SimdOpTable.Ops[OperatorInfo.Index(opcode)];

    /// <summary>Holds the table in a class of its own, so it exists whenever the plain-operator rules are built.</summary>
    private static class SimdOpTable
    {
        public static readonly Op[] Ops = BuildSimdOps();
    }

    private static Op[] BuildSimdOps()
    {
        var ops = new Op[OperatorInfo.All.Length];
        Array.Fill(ops, Op.Unreachable); // none (OperatorsWithoutInstruction reports them)
        foreach (Opcode opcode in OperatorInfo.All)
        {
            if (OperatorInfo.Feature(opcode) == "simd" && Enum.TryParse(opcode.ToString(), out Op op))
            {
                ops[OperatorInfo.Index(opcode)] = op;
            }
        }
        return ops;
    }

    static partial void AddSimdRules(PlainRule[] rules)
    {
        foreach (Opcode opcode in OperatorInfo.All)
        {
            if (OperatorInfo.Feature(opcode) == "simd" && OperatorInfo.Kind(opcode) == OperatorKind.Plain)
            {
                rules[OperatorInfo.Index(opcode)] = new PlainRule(SimdOp(opcode));
            }
        }
    }

    private static Op SimdLoad(Opcode opcode) => SimdOp(opcode);

    private void Shuffle(Vector128<byte> lanes)
    {
        if (_unreachable)
        {
            return;
        }
        var (a, b, _) = PopOperands(2);
        int d = PushTemp(ValType.V128);
        Begin(Op.I8x16Shuffle);
        Put(d);
        Put(a);
        Put(b);
        Vector128<int> words = lanes.AsInt32();
        for (int i = 0; i < 4; i++)
        {
            Put(words.GetElement(i));
        }
    }

    private void ExtractLane(Opcode opcode, byte lane)
    {
        if (_unreachable)
        {
            return;
        }
        var (v, _, _) = PopOperands(1);
        Emit(SimdOp(opcode), PushTemp(OperatorInfo.Results(opcode)[0]), v, lane);
    }

    private void ReplaceLane(Opcode opcode, byte lane)
    {
        if (_unreachable)
        {
            return;
        }
        var (v, x, _) = PopOperands(2);
        Emit(SimdOp(opcode), PushTemp(ValType.V128), v, x, lane);
    }

    private void LoadLane(Opcode opcode, MemArg memArg, byte lane)
    {
        if (_unreachable)
        {
            return;
        }
        var (address, v, _) = PopOperands(2);
        if (!IsMemoryZero32(memArg.MemoryIndex))
        {
            SelectMemory(address, opcode, memArg);
            Emit(SimdOp(opcode), PushTemp(ValType.V128), _zeroSlot, v, 0, lane);
            Emit(Op.MemRestore);
            return;
        }
        Emit(SimdOp(opcode), PushTemp(ValType.V128), address, v, (int)(uint)memArg.Offset, lane);
    }

    private void StoreLane(Opcode opcode, MemArg memArg, byte lane)
    {
        if (_unreachable)
        {
            return;
        }
        var (address, v, _) = PopOperands(2);
        if (!IsMemoryZero32(memArg.MemoryIndex))
        {
            SelectMemory(address, opcode, memArg);
            Emit(SimdOp(opcode), _zeroSlot, v, 0, lane);
            Emit(Op.MemRestore);
            return;
        }
        Emit(SimdOp(opcode), address, v, (int)(uint)memArg.Offset, lane);
    }
}
