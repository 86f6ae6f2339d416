using System.Runtime.Intrinsics;
using Engine.Core;

namespace Engine.Optimizing.Ir;

internal sealed partial class IrBuilder
{
    // ---- calls ----

    public void Call(uint functionIndex)
    {
        FuncType type = _module.FunctionType(functionIndex);
        int count = type.Params.Length;
        int start = _f.AddToPool(_stack.AsSpan(_height - count, count));
        _height -= count;
        int call = Emit(Op.Call, ValType.Bottom, a: start, b: count, imm: functionIndex);
        PushResults(call, type.Results);
    }

    public void CallIndirect(uint typeIndex, uint tableIndex) => CallThrough(typeIndex, (int)tableIndex);

    /// <summary><c>return_call</c>: a terminator taking the arguments (the callee's results are the function's).</summary>
    public void ReturnCall(uint functionIndex)
    {
        FuncType type = _module.FunctionType(functionIndex);
        int count = type.Params.Length;
        int start = _f.AddToPool(_stack.AsSpan(_height - count, count));
        _height -= count;
        Emit(Op.ReturnCall, ValType.Bottom, a: start, b: count, imm: functionIndex);
        SetUnreachable();
    }

    /// <summary><c>return_call_indirect</c>: a terminator taking the arguments, then the table index.</summary>
    public void ReturnCallIndirect(uint typeIndex, uint tableIndex) => ReturnCallThrough(typeIndex, (int)tableIndex);

    /// <summary>
    /// <c>return_call_ref</c>: a <see cref="Op.ReturnCallIndirect"/> whose table index is <see cref="CallRefTable"/> and
    /// whose last operand is the function reference (null traps at the call), as <see cref="CallRef"/> is to call_indirect.
    /// </summary>
    public void ReturnCallRef(uint typeIndex) => ReturnCallThrough(typeIndex, CallRefTable);

    private void ReturnCallThrough(uint typeIndex, int tableIndex)
    {
        FuncType type = _module.Types[(int)typeIndex];
        int index = Pop();
        int count = type.Params.Length;
        int start = _f.AllocPool(count + 1);
        _stack.AsSpan(_height - count, count).CopyTo(_f.Pool.AsSpan(start));
        _f.Pool[start + count] = index;
        _height -= count;
        Emit(Op.ReturnCallIndirect, ValType.Bottom, a: start, b: count + 1, imm: typeIndex, aux: tableIndex);
        SetUnreachable();
    }

    /// <summary>
    /// <c>call_ref</c>: a <see cref="Op.CallIndirect"/> whose table index is <see cref="CallRefTable"/> and whose last operand
    /// is the function reference itself (null traps at the call), so every pass treats both calls alike.
    /// </summary>
    public void CallRef(uint typeIndex) => CallThrough(typeIndex, CallRefTable);

    /// <summary>The table index of a <see cref="Op.CallIndirect"/> that is a <c>call_ref</c>.</summary>
    public const int CallRefTable = -1;

    private void CallThrough(uint typeIndex, int tableIndex)
    {
        FuncType type = _module.Types[(int)typeIndex];
        int callee = Pop();
        int count = type.Params.Length;
        int start = _f.AllocPool(count + 1);
        _stack.AsSpan(_height - count, count).CopyTo(_f.Pool.AsSpan(start));
        _f.Pool[start + count] = callee;
        _height -= count;
        int call = Emit(Op.CallIndirect, ValType.Bottom, a: start, b: count + 1, imm: typeIndex, aux: tableIndex);
        PushResults(call, type.Results);
    }

    /// <summary>The call's results (and, inside a try_table, the branch on its status: <see cref="CatchFailedCall"/>).</summary>
    private void PushResults(int call, ValType[] results)
    {
        Span<int> values = results.Length <= 16 ? stackalloc int[results.Length] : new int[results.Length];
        for (int k = 0; k < results.Length; k++)
        {
            values[k] = Emit(Op.CallResult, results[k], a: call, imm: k);
        }
        CatchFailedCall(call);
        foreach (int value in values)
        {
            Push(value);
        }
    }

    /// <summary>A builtin call with up to two immediates and the top <paramref name="arguments"/> values; pushes an i32 result when it has one.</summary>
    private void Builtin(BuiltinId id, int arguments, bool hasResult, int immediate0 = 0, int immediate1 = 0) =>
        Builtin(id, arguments, hasResult ? ValType.I32 : ValType.Bottom, immediate0, immediate1);

    /// <summary>A builtin call whose result (in rax) has type <paramref name="result"/> (<see cref="ValType.Bottom"/>: a status).</summary>
    private void Builtin(BuiltinId id, int arguments, ValType result, int immediate0 = 0, int immediate1 = 0)
    {
        bool hasResult = result != ValType.Bottom;
        int start = _f.AddToPool(_stack.AsSpan(_height - arguments, arguments));
        _height -= arguments;
        int call = Emit(Op.CallBuiltin, result, a: start, b: arguments, c: immediate0, imm: (long)id, aux: immediate1);
        if (hasResult)
        {
            Push(call);
        }
    }

    // ---- parametric and variables ----

    public void Drop() => _height--;

    public void Select()
    {
        int condition = Pop();
        int otherwise = Pop();
        int then = Pop();
        Push(Emit(Op.Select, _f.TypeOf(then), a: condition, b: then, c: otherwise));
    }

    public void LocalGet(uint index) => Push(LocalValue((int)index));

    public void LocalSet(uint index) => _locals[index] = Pop();

    public void LocalTee(uint index) => _locals[index] = Peek();

    public void GlobalGet(uint index)
    {
        GlobalType global = _module.Globals[(int)index];
        global = global with { Type = global.Type.Erased() };
        if (!global.Mutable && TryConstantGlobal(index, out long bits))
        {
            Push(Emit(Op.Const, global.Type, imm: bits));
            return;
        }
        int value = Emit(Op.GlobalGet, global.Type, imm: index);
        if (global.Type == ValType.ExternRef)
        {
            value = Emit(Op.RootRef, ValType.ExternRef, a: value);
        }
        Push(value);
    }

    /// <summary>An immutable defined global initialised by a numeric constant has that value in every instance.</summary>
    private bool TryConstantGlobal(uint index, out long bits)
    {
        bits = 0;
        int defined = (int)index - _module.ImportedGlobalCount;
        if (defined < 0)
        {
            return false;
        }
        ConstExpr init = _module.GlobalInits[defined];
        var reader = new WasmReader(_module.Bytes, init.Start, init.End);
        switch (reader.ReadByte())
        {
            case 0x41:
                bits = (uint)reader.ReadVarS32();
                break;
            case 0x42:
                bits = reader.ReadVarS64();
                break;
            case 0x43:
                bits = reader.ReadFixedU32();
                break;
            case 0x44:
                bits = (long)reader.ReadFixedU64();
                break;
            default:
                return false;
        }
        return reader.Position < reader.End && reader.ReadByte() == 0x0B;
    }

    public void GlobalSet(uint index)
    {
        if (_module.Globals[(int)index].Type.Erased() == ValType.ExternRef)
        {
            Builtin(BuiltinId.GlobalSetExternRef, 1, hasResult: false, (int)index);
            return;
        }
        Emit(Op.GlobalSet, ValType.Bottom, a: Pop(), imm: index);
    }

    // ---- tables and references ----

    private bool IsExternTable(uint table) => _module.Tables[(int)table].ElementType.Erased() == ValType.ExternRef;

    public void TableGet(uint table)
    {
        ValType type = _module.Tables[(int)table].ElementType.Erased();
        int value = Emit(Op.TableGet, type, a: Pop(), imm: table);
        if (type == ValType.ExternRef)
        {
            value = Emit(Op.RootRef, ValType.ExternRef, a: value);
        }
        Push(value);
    }

    public void TableSet(uint table)
    {
        if (IsExternTable(table))
        {
            Builtin(BuiltinId.TableSetExternRef, 2, hasResult: false, (int)table);
            return;
        }
        int value = Pop();
        int index = Pop();
        Emit(Op.TableSet, ValType.Bottom, a: index, b: value, imm: table);
    }

    public void TableSize(uint table) => Push(Emit(Op.TableSize, _module.Tables[(int)table].Limits.AddressType, imm: table));

    public void TableGrow(uint table) => Builtin(BuiltinId.TableGrow, 2, _module.Tables[(int)table].Limits.AddressType, (int)table);

    public void TableFill(uint table) => Builtin(BuiltinId.TableFill, 3, hasResult: false, (int)table);

    public void TableCopy(uint destination, uint source) => Builtin(BuiltinId.TableCopy, 3, hasResult: false, (int)destination, (int)source);

    public void TableInit(uint element, uint table) => Builtin(BuiltinId.TableInit, 3, hasResult: false, (int)element, (int)table);

    public void ElemDrop(uint element) => Builtin(BuiltinId.ElemDrop, 0, hasResult: false, (int)element);

    public void RefNull(ValType type) => Push(Emit(Op.Const, type, imm: 0));

    public void RefIsNull()
    {
        int value = Pop();
        int nullValue = Emit(Op.Const, _f.TypeOf(value), imm: 0);
        Push(Emit(Op.Icmp, ValType.I32, a: value, b: nullValue, imm: (long)IrCond.Eq));
    }

    public void RefFunc(uint function) => Push(Emit(Op.RefFunc, ValType.FuncRef, imm: function));

    // ---- memory ----

    /// <summary>
    /// The bounds check of an access of <paramref name="size"/> bytes at <paramref name="address"/> + <paramref name="offset"/>:
    /// marked <see cref="OpInfo.GuardedCheck"/> when guard pages cover it.
    /// </summary>
    private void CheckBounds(int address, uint offset, int size)
    {
        long end = (long)offset + size;
        ref Inst a = ref _f[address];
        bool constant = a.Op == Op.Const;
        int guarded = _options.GuardCovers(constant ? (uint)a.Imm : uint.MaxValue, (ulong)end) ? OpInfo.GuardedCheck : 0;
        if (constant)
        {
            Emit(Op.BoundsCheck, ValType.Bottom, a: -1, imm: (uint)a.Imm + end, aux: guarded);
        }
        else
        {
            Emit(Op.BoundsCheck, ValType.Bottom, a: address, imm: end, aux: guarded);
        }
    }

    /// <summary>True for memory 0 when it is 32-bit: its accesses get BoundsCheck (and guard pages); others HeapAddress.</summary>
    private bool IsMemoryZero32(uint memory) => memory == 0 && !_module.Memories[0].Limits.Is64;

    /// <summary>The checked host address of an access of <paramref name="opcode"/> to any memory but a 32-bit memory 0.</summary>
    private int HeapAddress(int address, Opcode opcode, MemArg memArg) =>
        Emit(Op.HeapAddress, ValType.I64, a: address, imm: (long)memArg.Offset,
            aux: (int)memArg.MemoryIndex | (OperatorInfo.AccessSize(opcode) << 24));

    public void Load(Opcode opcode, MemArg memArg)
    {
        int address = Pop();
        if (!IsMemoryZero32(memArg.MemoryIndex))
        {
            Push(Emit(Op.Load, OperatorInfo.Results(opcode)[0], a: HeapAddress(address, opcode, memArg), imm: 0, aux: (int)opcode));
            return;
        }
        CheckBounds(address, (uint)memArg.Offset, OperatorInfo.AccessSize(opcode));
        Push(Emit(Op.Load, OperatorInfo.Results(opcode)[0], a: address, imm: (uint)memArg.Offset, aux: (int)opcode));
    }

    public void Store(Opcode opcode, MemArg memArg)
    {
        int value = Pop();
        int address = Pop();
        if (!IsMemoryZero32(memArg.MemoryIndex))
        {
            Emit(Op.Store, ValType.Bottom, a: HeapAddress(address, opcode, memArg), b: value, imm: 0, aux: (int)opcode);
            return;
        }
        CheckBounds(address, (uint)memArg.Offset, OperatorInfo.AccessSize(opcode));
        Emit(Op.Store, ValType.Bottom, a: address, b: value, imm: (uint)memArg.Offset, aux: (int)opcode);
    }

    public void LoadLane(Opcode opcode, MemArg memArg, byte lane)
    {
        int vector = Pop();
        int address = Pop();
        if (!IsMemoryZero32(memArg.MemoryIndex))
        {
            Push(Emit(Op.Load, ValType.V128, a: HeapAddress(address, opcode, memArg), b: vector, imm: 0, aux: (int)opcode | (lane << 16)));
            return;
        }
        CheckBounds(address, (uint)memArg.Offset, OperatorInfo.AccessSize(opcode));
        Push(Emit(Op.Load, ValType.V128, a: address, b: vector, imm: (uint)memArg.Offset, aux: (int)opcode | (lane << 16)));
    }

    public void StoreLane(Opcode opcode, MemArg memArg, byte lane)
    {
        int vector = Pop();
        int address = Pop();
        if (!IsMemoryZero32(memArg.MemoryIndex))
        {
            Emit(Op.Store, ValType.Bottom, a: HeapAddress(address, opcode, memArg), b: vector, imm: 0, aux: (int)opcode | (lane << 16));
            return;
        }
        CheckBounds(address, (uint)memArg.Offset, OperatorInfo.AccessSize(opcode));
        Emit(Op.Store, ValType.Bottom, a: address, b: vector, imm: (uint)memArg.Offset, aux: (int)opcode | (lane << 16));
    }

    public void MemorySize(uint memory) => Push(Emit(Op.MemorySize, _module.Memories[(int)memory].Limits.AddressType, imm: memory));

    public void MemoryGrow(uint memory)
    {
        if (IsMemoryZero32(memory))
        {
            Builtin(BuiltinId.MemoryGrow, 1, hasResult: true);
        }
        else
        {
            Builtin(BuiltinId.MemoryGrowAny, 1, _module.Memories[(int)memory].Limits.AddressType, (int)memory);
        }
    }

    public void MemoryInit(uint data, uint memory)
    {
        if (IsMemoryZero32(memory))
        {
            Builtin(BuiltinId.MemoryInit, 3, hasResult: false, (int)data);
        }
        else
        {
            Builtin(BuiltinId.MemoryInitAny, 3, hasResult: false, (int)data, (int)memory);
        }
    }

    public void DataDrop(uint data) => Builtin(BuiltinId.DataDrop, 0, hasResult: false, (int)data);

    public void MemoryCopy(uint destination, uint source)
    {
        if (IsMemoryZero32(destination) && IsMemoryZero32(source))
        {
            Builtin(BuiltinId.MemoryCopy, 3, hasResult: false);
        }
        else
        {
            Builtin(BuiltinId.MemoryCopyAny, 3, hasResult: false, (int)destination, (int)source);
        }
    }

    public void MemoryFill(uint memory)
    {
        if (IsMemoryZero32(memory))
        {
            Builtin(BuiltinId.MemoryFill, 3, hasResult: false);
        }
        else
        {
            Builtin(BuiltinId.MemoryFillAny, 3, hasResult: false, (int)memory);
        }
    }

    // ---- constants ----

    public void Const(ValType type, long bits) => Push(Emit(Op.Const, type, imm: bits));

    public void V128Const(Vector128<byte> value)
    {
        int index = _f.V128Constants.Count;
        _f.V128Constants.Add(value);
        Push(Emit(Op.V128Const, ValType.V128, imm: index));
    }

    // ---- SIMD with immediates ----

    public void Shuffle(Vector128<byte> lanes)
    {
        int index = _f.V128Constants.Count;
        _f.V128Constants.Add(lanes);
        int b = Pop();
        int a = Pop();
        Push(Emit(Op.Simd, ValType.V128, a: a, b: b, imm: index, aux: (int)Opcode.I8x16Shuffle));
    }

    public void ExtractLane(Opcode opcode, byte lane) =>
        Push(Emit(Op.Simd, OperatorInfo.Results(opcode)[0], a: Pop(), imm: lane, aux: (int)opcode));

    public void ReplaceLane(Opcode opcode, byte lane)
    {
        int value = Pop();
        int vector = Pop();
        Push(Emit(Op.Simd, ValType.V128, a: vector, b: value, imm: lane, aux: (int)opcode));
    }

    // ---- operators with a fixed signature ----

    private void Binary(Op op, ValType type)
    {
        int b = Pop();
        int a = Pop();
        Push(Emit(op, type, a: a, b: b));
    }

    private void Unary(Op op, ValType type, long imm = 0, int aux = 0) => Push(Emit(op, type, a: Pop(), imm: imm, aux: aux));

    private void Compare(Op op, IrCond cond)
    {
        int b = Pop();
        int a = Pop();
        Push(Emit(op, ValType.I32, a: a, b: b, imm: (long)cond));
    }

    private void Eqz(ValType type)
    {
        int a = Pop();
        int zero = Emit(Op.Const, type, imm: 0);
        Push(Emit(Op.Icmp, ValType.I32, a: a, b: zero, imm: (long)IrCond.Eq));
    }

    public void Plain(Opcode opcode)
    {
        const ValType I32 = ValType.I32, I64 = ValType.I64, F32 = ValType.F32, F64 = ValType.F64;
        switch (opcode)
        {
            case Opcode.I32Eqz: Eqz(I32); return;
            case Opcode.I64Eqz: Eqz(I64); return;
            case >= Opcode.I32Eq and <= Opcode.I32GeU: Compare(Op.Icmp, (IrCond)(opcode - Opcode.I32Eq)); return;
            case >= Opcode.I64Eq and <= Opcode.I64GeU: Compare(Op.Icmp, (IrCond)(opcode - Opcode.I64Eq)); return;
            case >= Opcode.F32Eq and <= Opcode.F32Ge: Compare(Op.Fcmp, FloatCond(opcode - Opcode.F32Eq)); return;
            case >= Opcode.F64Eq and <= Opcode.F64Ge: Compare(Op.Fcmp, FloatCond(opcode - Opcode.F64Eq)); return;

            case Opcode.I32Clz: Unary(Op.Iclz, I32); return;
            case Opcode.I32Ctz: Unary(Op.Ictz, I32); return;
            case Opcode.I32Popcnt: Unary(Op.Ipopcnt, I32); return;
            case >= Opcode.I32Add and <= Opcode.I32Rotr: Binary(IntBinaryOp(opcode - Opcode.I32Add), I32); return;
            case Opcode.I64Clz: Unary(Op.Iclz, I64); return;
            case Opcode.I64Ctz: Unary(Op.Ictz, I64); return;
            case Opcode.I64Popcnt: Unary(Op.Ipopcnt, I64); return;
            case >= Opcode.I64Add and <= Opcode.I64Rotr: Binary(IntBinaryOp(opcode - Opcode.I64Add), I64); return;

            case >= Opcode.F32Abs and <= Opcode.F32Sqrt: Unary(FloatUnaryOp(opcode - Opcode.F32Abs), F32); return;
            case >= Opcode.F32Add and <= Opcode.F32Copysign: Binary(FloatBinaryOp(opcode - Opcode.F32Add), F32); return;
            case >= Opcode.F64Abs and <= Opcode.F64Sqrt: Unary(FloatUnaryOp(opcode - Opcode.F64Abs), F64); return;
            case >= Opcode.F64Add and <= Opcode.F64Copysign: Binary(FloatBinaryOp(opcode - Opcode.F64Add), F64); return;

            case Opcode.I32WrapI64: Unary(Op.Wrap, I32); return;
            case Opcode.I64ExtendI32S: Unary(Op.Sext, I64, imm: 32); return;
            case Opcode.I64ExtendI32U: Unary(Op.Zext32, I64); return;
            case Opcode.I32Extend8S: Unary(Op.Sext, I32, imm: 8); return;
            case Opcode.I32Extend16S: Unary(Op.Sext, I32, imm: 16); return;
            case Opcode.I64Extend8S: Unary(Op.Sext, I64, imm: 8); return;
            case Opcode.I64Extend16S: Unary(Op.Sext, I64, imm: 16); return;
            case Opcode.I64Extend32S: Unary(Op.Sext, I64, imm: 32); return;
            case Opcode.I32ReinterpretF32: Unary(Op.Bitcast, I32); return;
            case Opcode.I64ReinterpretF64: Unary(Op.Bitcast, I64); return;
            case Opcode.F32ReinterpretI32: Unary(Op.Bitcast, F32); return;
            case Opcode.F64ReinterpretI64: Unary(Op.Bitcast, F64); return;
            case Opcode.I32TruncF32S or Opcode.I32TruncF32U or Opcode.I32TruncF64S or Opcode.I32TruncF64U:
                Unary(Op.TruncTrap, I32, aux: (int)opcode);
                return;
            case Opcode.I64TruncF32S or Opcode.I64TruncF32U or Opcode.I64TruncF64S or Opcode.I64TruncF64U:
                Unary(Op.TruncTrap, I64, aux: (int)opcode);
                return;
        }
        ReadOnlySpan<ValType> parameters = OperatorInfo.Params(opcode);
        ValType result = OperatorInfo.Results(opcode)[0];
        if (OperatorInfo.Feature(opcode) != "simd")
        {
            // The remaining scalar conversions: convert, promote, demote, trunc_sat.
            Unary(Op.Convert, result, aux: (int)opcode);
            return;
        }
        int c = parameters.Length > 2 ? Pop() : -1;
        int b = parameters.Length > 1 ? Pop() : -1;
        int a = Pop();
        Push(Emit(Op.Simd, result, a: a, b: b, c: c, aux: (int)opcode));
    }

    /// <summary>The wasm float comparisons eq ne lt gt le ge as conditions (the signed names).</summary>
    private static IrCond FloatCond(int index) => index switch
    {
        0 => IrCond.Eq,
        1 => IrCond.Ne,
        2 => IrCond.LtS,
        3 => IrCond.GtS,
        4 => IrCond.LeS,
        _ => IrCond.GeS,
    };

    /// <summary>add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr, in the opcode table's order.</summary>
    private static Op IntBinaryOp(int index) => index switch
    {
        0 => Op.Iadd,
        1 => Op.Isub,
        2 => Op.Imul,
        3 => Op.IdivS,
        4 => Op.IdivU,
        5 => Op.IremS,
        6 => Op.IremU,
        7 => Op.Iand,
        8 => Op.Ior,
        9 => Op.Ixor,
        10 => Op.Ishl,
        11 => Op.Isshr,
        12 => Op.Iushr,
        13 => Op.Irotl,
        _ => Op.Irotr,
    };

    /// <summary>abs neg ceil floor trunc nearest sqrt.</summary>
    private static Op FloatUnaryOp(int index) => index switch
    {
        0 => Op.Fabs,
        1 => Op.Fneg,
        2 => Op.Fceil,
        3 => Op.Ffloor,
        4 => Op.Ftrunc,
        5 => Op.Fnearest,
        _ => Op.Fsqrt,
    };

    /// <summary>add sub mul div min max copysign.</summary>
    private static Op FloatBinaryOp(int index) => index switch
    {
        0 => Op.Fadd,
        1 => Op.Fsub,
        2 => Op.Fmul,
        3 => Op.Fdiv,
        4 => Op.Fmin,
        5 => Op.Fmax,
        _ => Op.Fcopysign,
    };
}
