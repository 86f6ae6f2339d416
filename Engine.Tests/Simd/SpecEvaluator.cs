using System.Buffers.Binary;
using System.Numerics;
using System.Reflection;
using System.Runtime.Intrinsics;
using Engine.Core;
using Engine.Interpreter;

namespace Engine.Tests.Simd;

/// <summary>A wasm value of a number or vector type: scalars sit in the low bytes of <see cref="Bits"/>.</summary>
internal readonly record struct WasmValue(ValType Type, Vector128<byte> Bits)
{
    public ulong Low => Bits.AsUInt64().GetElement(0);

    public static WasmValue FromBits(ValType type, ulong bits) => new(type, Vector128.CreateScalar(bits).AsByte());

    public static WasmValue I32(int value) => FromBits(ValType.I32, (uint)value);

    public static WasmValue I64(long value) => FromBits(ValType.I64, (ulong)value);

    public static WasmValue F32(float value) => FromBits(ValType.F32, BitConverter.SingleToUInt32Bits(value));

    public static WasmValue F64(double value) => FromBits(ValType.F64, BitConverter.DoubleToUInt64Bits(value));

    public static WasmValue V128(Vector128<byte> value) => new(ValType.V128, value);

    public override string ToString() => Type == ValType.V128
        ? $"v128:{Bits.AsUInt64().GetElement(1):x16}_{Low:x16}"
        : $"{Type.ToWatName()}:0x{Low:x}";
}

/// <summary>The state a module's functions see: its memory and globals, as far as they are known.</summary>
internal sealed class SpecInstance
{
    private readonly Dictionary<uint, (StraightLineFunction? Function, string? Reason)> _functions = new();

    private SpecInstance(ModuleInfo module, byte[]? memory, WasmValue?[] globals, bool stateUnknown)
    {
        Module = module;
        Memory = memory;
        Globals = globals;
        StateUnknown = stateUnknown;
    }

    public ModuleInfo Module { get; }

    /// <summary>Memory 0 after instantiation (data segments applied); null when imported or not computable.</summary>
    public byte[]? Memory { get; }

    /// <summary>Every global's value; null for imported ones and initialisers other than constants.</summary>
    public WasmValue?[] Globals { get; }

    /// <summary>
    /// Set once code we cannot evaluate may have changed memory or globals (a start function, an
    /// unsupported function invoked, another module importing them); functions using them are then skipped.
    /// </summary>
    public bool StateUnknown { get; set; }

    /// <summary>Instantiates as far as the tests need: memory with active data segments, constant globals.</summary>
    public static SpecInstance Create(ModuleInfo module)
    {
        byte[]? memory = null;
        if (module.Memories.Count > 0 && module.ImportedMemoryCount == 0)
        {
            memory = new byte[(long)module.Memories[0].Limits.Min * 65536];
            foreach (DataSegment segment in module.Data)
            {
                if (segment.Mode != SegmentMode.Active)
                {
                    continue;
                }
                WasmValue? offset = EvaluateConstant(module, segment.Offset);
                if (offset is not { Type: ValType.I32 } || (ulong)(uint)offset.Value.Low + (ulong)segment.DataLength > (ulong)memory.Length)
                {
                    memory = null;
                    break;
                }
                module.Bytes.AsSpan(segment.DataStart, segment.DataLength).CopyTo(memory.AsSpan((int)(uint)offset.Value.Low));
            }
        }
        var globals = new WasmValue?[module.Globals.Count];
        for (int i = module.ImportedGlobalCount; i < globals.Length; i++)
        {
            globals[i] = EvaluateConstant(module, module.GlobalInits[i - module.ImportedGlobalCount]);
        }
        return new SpecInstance(module, memory, globals, stateUnknown: module.StartFunction != null);
    }

    /// <summary>The straight-line reading of function <paramref name="index"/>, or null (with the reason) when it has none.</summary>
    public StraightLineFunction? Function(uint index, out string? reason)
    {
        if (!_functions.TryGetValue(index, out (StraightLineFunction? Function, string? Reason) entry))
        {
            StraightLineFunction? function = StraightLineFunction.TryRead(Module, index, out string? why);
            entry = (function, why);
            _functions[index] = entry;
        }
        reason = entry.Reason;
        return entry.Function;
    }

    private static WasmValue? EvaluateConstant(ModuleInfo module, ConstExpr expression)
    {
        var recorder = new ConstantReader();
        var reader = new WasmReader(module.Bytes, expression.Start, expression.End);
        while (!reader.AtEnd)
        {
            reader.ReadOperator(ref recorder);
        }
        return recorder.Count == 1 ? recorder.Value : null;
    }

    /// <summary>Reads a constant expression of one <c>*.const</c>; anything else leaves the value unknown.</summary>
    private struct ConstantReader : IOperatorVisitor
    {
        public WasmValue? Value;
        public int Count;

        private void Set(WasmValue? value)
        {
            Value = value;
            Count++;
        }

        public void VisitI32Const(int value) => Set(WasmValue.I32(value));
        public void VisitI64Const(long value) => Set(WasmValue.I64(value));
        public void VisitF32Const(uint bits) => Set(WasmValue.FromBits(ValType.F32, bits));
        public void VisitF64Const(ulong bits) => Set(WasmValue.FromBits(ValType.F64, bits));
        public void VisitV128Const(Vector128<byte> value) => Set(WasmValue.V128(value));
        public void VisitEnd() { }
        public void VisitUnreachable() => Set(null);
        public void VisitNop() => Set(null);
        public void VisitBlock(BlockType blockType) => Set(null);
        public void VisitLoop(BlockType blockType) => Set(null);
        public void VisitIf(BlockType blockType) => Set(null);
        public void VisitElse() => Set(null);
        public void VisitBr(uint relativeDepth) => Set(null);
        public void VisitBrIf(uint relativeDepth) => Set(null);
        public void VisitBrTable(BrTable table) => Set(null);
        public void VisitReturn() => Set(null);
        public void VisitCall(uint functionIndex) => Set(null);
        public void VisitCallIndirect(uint typeIndex, uint tableIndex) => Set(null);
        public void VisitReturnCall(uint functionIndex) => Set(null);
        public void VisitThrow(uint tagIndex) => Set(null);
        public void VisitThrowRef() => Set(null);
        public void VisitTry(BlockType blockType) => Set(null);
        public void VisitCatch(uint tagIndex) => Set(null);
        public void VisitCatchAll() => Set(null);
        public void VisitDelegate(uint relativeDepth) => Set(null);
        public void VisitRethrow(uint relativeDepth) => Set(null);
        public void VisitTryTable(BlockType blockType, TryTableCatch[] catches) => Set(null);
        public void VisitReturnCallIndirect(uint typeIndex, uint tableIndex) => Set(null);
        public void VisitCallRef(uint typeIndex) => Set(null);
        public void VisitReturnCallRef(uint typeIndex) => Set(null);
        public void VisitRefAsNonNull() => Set(null);
        public void VisitBrOnNull(uint relativeDepth) => Set(null);
        public void VisitBrOnNonNull(uint relativeDepth) => Set(null);
        public void VisitDrop() => Set(null);
        public void VisitSelect() => Set(null);
        public void VisitSelectTyped(ValType type, uint typeCount) => Set(null);
        public void VisitLocalGet(uint localIndex) => Set(null);
        public void VisitLocalSet(uint localIndex) => Set(null);
        public void VisitLocalTee(uint localIndex) => Set(null);
        public void VisitGlobalGet(uint globalIndex) => Set(null);
        public void VisitGlobalSet(uint globalIndex) => Set(null);
        public void VisitTableGet(uint tableIndex) => Set(null);
        public void VisitTableSet(uint tableIndex) => Set(null);
        public void VisitLoad(Opcode opcode, MemArg memArg) => Set(null);
        public void VisitStore(Opcode opcode, MemArg memArg) => Set(null);
        public void VisitMemorySize(uint memoryIndex) => Set(null);
        public void VisitMemoryGrow(uint memoryIndex) => Set(null);
        public void VisitPlain(Opcode opcode) => Set(null);
        public void VisitRefNull(ValType type) => Set(null);
        public void VisitRefIsNull() => Set(null);
        public void VisitRefFunc(uint functionIndex) => Set(null);
        public void VisitMemoryInit(uint dataIndex, uint memoryIndex) => Set(null);
        public void VisitDataDrop(uint dataIndex) => Set(null);
        public void VisitMemoryCopy(uint destinationMemory, uint sourceMemory) => Set(null);
        public void VisitMemoryFill(uint memoryIndex) => Set(null);
        public void VisitTableInit(uint elemIndex, uint tableIndex) => Set(null);
        public void VisitElemDrop(uint elemIndex) => Set(null);
        public void VisitTableCopy(uint destinationTable, uint sourceTable) => Set(null);
        public void VisitTableGrow(uint tableIndex) => Set(null);
        public void VisitTableSize(uint tableIndex) => Set(null);
        public void VisitTableFill(uint tableIndex) => Set(null);
        public void VisitI8x16Shuffle(Vector128<byte> lanes) => Set(null);
        public void VisitExtractLane(Opcode opcode, byte lane) => Set(null);
        public void VisitReplaceLane(Opcode opcode, byte lane) => Set(null);
        public void VisitLoadLane(Opcode opcode, MemArg memArg, byte lane) => Set(null);
        public void VisitStoreLane(Opcode opcode, MemArg memArg, byte lane) => Set(null);
    }
}

/// <summary>How an evaluation ended.</summary>
internal sealed record Outcome(WasmValue[]? Results, TrapCode? Trap);

/// <summary>
/// Evaluates straight-line functions for the spec tests by calling the operator methods directly:
/// every SIMD operator through the <see cref="SimdOps"/> method of the same name, every scalar
/// operator that <see cref="Numerics"/> has (by name, or <c>Try</c> + name for trapping ones) through
/// it, and the remaining scalar operators (plain C# arithmetic) inline. Methods are found by
/// reflection, which also checks that they are named after their opcodes.
/// </summary>
internal static class SpecEvaluator
{
    private static readonly Dictionary<Opcode, MethodInfo> s_simdMethods = FindMethods(typeof(SimdOps), "", op => OperatorInfo.Feature(op) == "simd");
    private static readonly Dictionary<Opcode, MethodInfo> s_numericsMethods = FindMethods(typeof(Numerics), "", op => OperatorInfo.Feature(op) != "simd");
    private static readonly Dictionary<Opcode, MethodInfo> s_numericsTryMethods = FindMethods(typeof(Numerics), "Try", op => OperatorInfo.Feature(op) != "simd");

    /// <summary>The SIMD opcodes with a <see cref="SimdOps"/> method.</summary>
    public static IReadOnlyDictionary<Opcode, MethodInfo> SimdMethods => s_simdMethods;

    /// <summary>True when the evaluator can run <paramref name="opcode"/>.</summary>
    public static bool CanEvaluate(Opcode opcode)
    {
        switch (OperatorInfo.Kind(opcode))
        {
            case OperatorKind.End:
            case OperatorKind.Return:
            case OperatorKind.Select:
            case OperatorKind.Nop:
            case OperatorKind.Drop:
            case OperatorKind.LocalGet:
            case OperatorKind.LocalSet:
            case OperatorKind.LocalTee:
            case OperatorKind.GlobalGet:
            case OperatorKind.GlobalSet:
            case OperatorKind.I32Const:
            case OperatorKind.I64Const:
            case OperatorKind.F32Const:
            case OperatorKind.F64Const:
                return true;
            case OperatorKind.Load:
            case OperatorKind.Store:
                return OperatorInfo.Feature(opcode) != "simd" || s_simdMethods.ContainsKey(opcode);
            case OperatorKind.Plain:
                return s_simdMethods.ContainsKey(opcode) || s_numericsMethods.ContainsKey(opcode) ||
                    s_numericsTryMethods.ContainsKey(opcode) || ScalarReference.Supports(opcode);
            default:
                return s_simdMethods.ContainsKey(opcode);
        }
    }

    /// <summary>
    /// Runs <paramref name="function"/> with <paramref name="args"/>; <paramref name="libraryCalls"/>
    /// receives every operator that went through <see cref="SimdOps"/> or <see cref="Numerics"/>.
    /// </summary>
    public static Outcome Run(StraightLineFunction function, WasmValue[] args, SpecInstance instance, ISet<Opcode> libraryCalls)
    {
        var locals = new WasmValue[function.Locals.Length];
        for (int i = 0; i < locals.Length; i++)
        {
            locals[i] = i < args.Length ? args[i] : WasmValue.FromBits(function.Locals[i], 0);
        }
        var stack = new List<WasmValue>();
        foreach (Step step in function.Steps)
        {
            Opcode op = step.Opcode;
            switch (OperatorInfo.Kind(op))
            {
                case OperatorKind.End:
                case OperatorKind.Return:
                    return new Outcome(stack.GetRange(stack.Count - function.Type.Results.Length, function.Type.Results.Length).ToArray(), null);
                case OperatorKind.Nop:
                    break;
                case OperatorKind.Select:
                    {
                        WasmValue condition = Pop(stack);
                        WasmValue second = Pop(stack);
                        WasmValue first = Pop(stack);
                        stack.Add((uint)condition.Low != 0 ? first : second);
                        break;
                    }
                case OperatorKind.Drop:
                    Pop(stack);
                    break;
                case OperatorKind.LocalGet:
                    stack.Add(locals[step.Index]);
                    break;
                case OperatorKind.LocalSet:
                    locals[step.Index] = Pop(stack);
                    break;
                case OperatorKind.LocalTee:
                    locals[step.Index] = stack[^1];
                    break;
                case OperatorKind.GlobalGet:
                    stack.Add(instance.Globals[step.Index] ?? throw new InvalidOperationException("unknown global"));
                    break;
                case OperatorKind.GlobalSet:
                    instance.Globals[step.Index] = Pop(stack);
                    break;
                case OperatorKind.I32Const:
                    stack.Add(WasmValue.FromBits(ValType.I32, step.Index));
                    break;
                case OperatorKind.I64Const:
                    stack.Add(WasmValue.FromBits(ValType.I64, step.Index));
                    break;
                case OperatorKind.F32Const:
                    stack.Add(WasmValue.FromBits(ValType.F32, step.Index));
                    break;
                case OperatorKind.F64Const:
                    stack.Add(WasmValue.FromBits(ValType.F64, step.Index));
                    break;
                case OperatorKind.V128Const:
                    stack.Add(CallSimd(op, [step.Vector], libraryCalls));
                    break;
                case OperatorKind.I8x16Shuffle:
                    {
                        WasmValue b = Pop(stack);
                        WasmValue a = Pop(stack);
                        stack.Add(CallSimd(op, [a.Bits, b.Bits, step.Vector], libraryCalls));
                        break;
                    }
                case OperatorKind.ExtractLane:
                    stack.Add(CallSimd(op, [Pop(stack).Bits, step.Lane], libraryCalls));
                    break;
                case OperatorKind.ReplaceLane:
                    {
                        WasmValue value = Pop(stack);
                        WasmValue vector = Pop(stack);
                        MethodInfo method = s_simdMethods[op];
                        stack.Add(CallSimd(op, [vector.Bits, ToArgument(value, method.GetParameters()[1].ParameterType), step.Lane], libraryCalls));
                        break;
                    }
                case OperatorKind.Load:
                case OperatorKind.Store:
                case OperatorKind.LoadLane:
                case OperatorKind.StoreLane:
                    if (!AccessMemory(step, stack, instance, libraryCalls))
                    {
                        return new Outcome(null, TrapCode.MemoryOutOfBounds);
                    }
                    break;
                case OperatorKind.Plain:
                    if (!EvaluatePlain(op, stack, libraryCalls, out TrapCode trap))
                    {
                        return new Outcome(null, trap);
                    }
                    break;
                default:
                    throw new InvalidOperationException("not straight-line: " + OperatorInfo.Name(op));
            }
        }
        throw new InvalidOperationException("body without end");
    }

    private static bool EvaluatePlain(Opcode op, List<WasmValue> stack, ISet<Opcode> libraryCalls, out TrapCode trap)
    {
        trap = default;
        WasmValue[] operands = PopOperands(stack, OperatorInfo.Params(op).Length);
        ValType resultType = OperatorInfo.Results(op)[0];
        if (s_simdMethods.TryGetValue(op, out MethodInfo? simd))
        {
            stack.Add(Invoke(simd, operands, resultType));
            libraryCalls.Add(op);
            return true;
        }
        if (s_numericsMethods.TryGetValue(op, out MethodInfo? numeric))
        {
            stack.Add(Invoke(numeric, operands, resultType));
            libraryCalls.Add(op);
            return true;
        }
        if (s_numericsTryMethods.TryGetValue(op, out MethodInfo? tryMethod))
        {
            ParameterInfo[] parameters = tryMethod.GetParameters();
            object?[] arguments = new object?[parameters.Length];
            for (int i = 0; i < operands.Length; i++)
            {
                arguments[i] = ToArgument(operands[i], parameters[i].ParameterType);
            }
            libraryCalls.Add(op);
            if ((bool)tryMethod.Invoke(null, arguments)!)
            {
                stack.Add(FromResult(arguments[^1]!, resultType));
                return true;
            }
            // Division traps depend on the divisor; truncation traps on the float operand.
            trap = arguments[0] is float or double
                ? (TrapCode)typeof(Numerics).GetMethod(nameof(Numerics.TruncationTrap), [arguments[0]!.GetType()])!.Invoke(null, [arguments[0]])!
                : Numerics.IntegerDivisionTrap(Convert.ToInt64(arguments[1]));
            return false;
        }
        stack.Add(ScalarReference.Evaluate(op, operands));
        return true;
    }

    private static bool AccessMemory(Step step, List<WasmValue> stack, SpecInstance instance, ISet<Opcode> libraryCalls)
    {
        Opcode op = step.Opcode;
        OperatorKind kind = OperatorInfo.Kind(op);
        byte[] memory = instance.Memory ?? throw new InvalidOperationException("no memory");
        int size = OperatorInfo.AccessSize(op);
        WasmValue? operand = kind is OperatorKind.Load ? null : Pop(stack);
        ulong address = (uint)Pop(stack).Low + (ulong)step.Memory.Offset;
        if (address + (ulong)size > (ulong)memory.Length)
        {
            return false;
        }
        Span<byte> bytes = memory.AsSpan((int)address, size);
        bool simd = OperatorInfo.Feature(op) == "simd";
        switch (kind)
        {
            case OperatorKind.Load when simd:
                {
                    MethodInfo method = s_simdMethods[op];
                    stack.Add(CallSimd(op, [ReadMemory(bytes, method.GetParameters()[0].ParameterType)], libraryCalls));
                    break;
                }
            case OperatorKind.Load:
                {
                    ulong raw = size == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : ReadSmall(bytes);
                    if (op is Opcode.I32Load8S or Opcode.I32Load16S or Opcode.I64Load8S or Opcode.I64Load16S or Opcode.I64Load32S)
                    {
                        int unused = 64 - 8 * size;
                        raw = (ulong)((long)(raw << unused) >> unused);
                    }
                    ValType type = OperatorInfo.Results(op)[0];
                    stack.Add(WasmValue.FromBits(type, type is ValType.I32 or ValType.F32 ? (uint)raw : raw));
                    break;
                }
            case OperatorKind.Store when simd:
                WriteMemory(bytes, CallSimdRaw(op, [operand!.Value.Bits], libraryCalls));
                break;
            case OperatorKind.Store:
                WriteMemory(bytes, operand!.Value.Low);
                break;
            case OperatorKind.LoadLane:
                {
                    MethodInfo method = s_simdMethods[op];
                    object value = ReadMemory(bytes, method.GetParameters()[1].ParameterType);
                    stack.Add(CallSimd(op, [operand!.Value.Bits, value, step.Lane], libraryCalls));
                    break;
                }
            case OperatorKind.StoreLane:
                WriteMemory(bytes, CallSimdRaw(op, [operand!.Value.Bits, step.Lane], libraryCalls));
                break;
        }
        return true;
    }

    private static ulong ReadSmall(ReadOnlySpan<byte> bytes)
    {
        ulong raw = 0;
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            raw = raw << 8 | bytes[i];
        }
        return raw;
    }

    private static object ReadMemory(ReadOnlySpan<byte> bytes, Type type) => type switch
    {
        _ when type == typeof(Vector128<byte>) => Vector128.Create(bytes),
        _ when type == typeof(byte) => bytes[0],
        _ when type == typeof(ushort) => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
        _ when type == typeof(uint) => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        _ when type == typeof(ulong) => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
        _ => throw new InvalidOperationException("unexpected load parameter " + type),
    };

    private static void WriteMemory(Span<byte> bytes, object value)
    {
        switch (value)
        {
            case Vector128<byte> vector:
                vector.CopyTo(bytes);
                break;
            case byte b:
                bytes[0] = b;
                break;
            case ushort u16:
                BinaryPrimitives.WriteUInt16LittleEndian(bytes, u16);
                break;
            case uint u32:
                BinaryPrimitives.WriteUInt32LittleEndian(bytes, u32);
                break;
            case ulong u64:
                // Scalar stores write the low bytes of the operand, whatever its width.
                for (int i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = (byte)(u64 >> (8 * i));
                }
                break;
            default:
                throw new InvalidOperationException("unexpected store value " + value.GetType());
        }
    }

    private static WasmValue CallSimd(Opcode op, object[] arguments, ISet<Opcode> libraryCalls)
    {
        object result = CallSimdRaw(op, arguments, libraryCalls);
        return FromResult(result, OperatorInfo.Results(op).Length > 0 ? OperatorInfo.Results(op)[0] : ResultTypeOf(result));
    }

    private static object CallSimdRaw(Opcode op, object[] arguments, ISet<Opcode> libraryCalls)
    {
        libraryCalls.Add(op);
        return s_simdMethods[op].Invoke(null, arguments)!;
    }

    private static ValType ResultTypeOf(object result) => result switch
    {
        Vector128<byte> => ValType.V128,
        int => ValType.I32,
        long => ValType.I64,
        float => ValType.F32,
        double => ValType.F64,
        _ => throw new InvalidOperationException("unexpected result " + result.GetType()),
    };

    private static WasmValue Invoke(MethodInfo method, WasmValue[] operands, ValType resultType)
    {
        ParameterInfo[] parameters = method.GetParameters();
        object[] arguments = new object[operands.Length];
        for (int i = 0; i < operands.Length; i++)
        {
            arguments[i] = ToArgument(operands[i], parameters[i].ParameterType);
        }
        return FromResult(method.Invoke(null, arguments)!, resultType);
    }

    private static object ToArgument(WasmValue value, Type type) => type switch
    {
        _ when type == typeof(Vector128<byte>) => value.Bits,
        _ when type == typeof(int) => (int)value.Low,
        _ when type == typeof(long) => (long)value.Low,
        _ when type == typeof(float) => BitConverter.UInt32BitsToSingle((uint)value.Low),
        _ when type == typeof(double) => BitConverter.UInt64BitsToDouble(value.Low),
        _ => throw new InvalidOperationException("unexpected parameter " + type),
    };

    private static WasmValue FromResult(object result, ValType type) => result switch
    {
        Vector128<byte> vector => WasmValue.V128(vector),
        int i => WasmValue.FromBits(type, (uint)i),
        long l => WasmValue.FromBits(type, (ulong)l),
        float f => WasmValue.FromBits(type, BitConverter.SingleToUInt32Bits(f)),
        double d => WasmValue.FromBits(type, BitConverter.DoubleToUInt64Bits(d)),
        _ => throw new InvalidOperationException("unexpected result " + result.GetType()),
    };

    private static WasmValue Pop(List<WasmValue> stack)
    {
        WasmValue top = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return top;
    }

    private static WasmValue[] PopOperands(List<WasmValue> stack, int count)
    {
        WasmValue[] operands = stack.GetRange(stack.Count - count, count).ToArray();
        stack.RemoveRange(stack.Count - count, count);
        return operands;
    }

    private static Dictionary<Opcode, MethodInfo> FindMethods(Type type, string prefix, Func<Opcode, bool> filter)
    {
        var methods = new Dictionary<Opcode, MethodInfo>();
        foreach (Opcode op in Enum.GetValues<Opcode>().Where(filter))
        {
            MethodInfo? method = type.GetMethod(prefix + op, BindingFlags.Public | BindingFlags.Static);
            if (method != null)
            {
                methods[op] = method;
            }
        }
        return methods;
    }

    /// <summary>The scalar operators that are plain C# (see the remarks of <see cref="Numerics"/>).</summary>
    private static class ScalarReference
    {
        public static bool Supports(Opcode op)
        {
            if (OperatorInfo.Kind(op) != OperatorKind.Plain || OperatorInfo.Feature(op) == "simd")
            {
                return false;
            }
            try
            {
                // Probe with zero operands of the right types; unsupported operators throw.
                Evaluate(op, OperatorInfo.Params(op).ToArray().Select(t => WasmValue.FromBits(t, 0)).ToArray());
                return true;
            }
            catch (NotSupportedException)
            {
                return false;
            }
        }

        public static WasmValue Evaluate(Opcode op, WasmValue[] a)
        {
            int i0 = a.Length > 0 ? (int)a[0].Low : 0, i1 = a.Length > 1 ? (int)a[1].Low : 0;
            long l0 = a.Length > 0 ? (long)a[0].Low : 0, l1 = a.Length > 1 ? (long)a[1].Low : 0;
            float f0 = BitConverter.Int32BitsToSingle(i0), f1 = BitConverter.Int32BitsToSingle(i1);
            double d0 = BitConverter.Int64BitsToDouble(l0), d1 = BitConverter.Int64BitsToDouble(l1);
            return op switch
            {
                Opcode.I32Eqz => Bool(i0 == 0),
                Opcode.I32Eq => Bool(i0 == i1),
                Opcode.I32Ne => Bool(i0 != i1),
                Opcode.I32LtS => Bool(i0 < i1),
                Opcode.I32LtU => Bool((uint)i0 < (uint)i1),
                Opcode.I32GtS => Bool(i0 > i1),
                Opcode.I32GtU => Bool((uint)i0 > (uint)i1),
                Opcode.I32LeS => Bool(i0 <= i1),
                Opcode.I32LeU => Bool((uint)i0 <= (uint)i1),
                Opcode.I32GeS => Bool(i0 >= i1),
                Opcode.I32GeU => Bool((uint)i0 >= (uint)i1),
                Opcode.I64Eqz => Bool(l0 == 0),
                Opcode.I64Eq => Bool(l0 == l1),
                Opcode.I64Ne => Bool(l0 != l1),
                Opcode.I64LtS => Bool(l0 < l1),
                Opcode.I64LtU => Bool((ulong)l0 < (ulong)l1),
                Opcode.I64GtS => Bool(l0 > l1),
                Opcode.I64GtU => Bool((ulong)l0 > (ulong)l1),
                Opcode.I64LeS => Bool(l0 <= l1),
                Opcode.I64LeU => Bool((ulong)l0 <= (ulong)l1),
                Opcode.I64GeS => Bool(l0 >= l1),
                Opcode.I64GeU => Bool((ulong)l0 >= (ulong)l1),
                Opcode.F32Eq => Bool(f0 == f1),
                Opcode.F32Ne => Bool(f0 != f1),
                Opcode.F32Lt => Bool(f0 < f1),
                Opcode.F32Gt => Bool(f0 > f1),
                Opcode.F32Le => Bool(f0 <= f1),
                Opcode.F32Ge => Bool(f0 >= f1),
                Opcode.F64Eq => Bool(d0 == d1),
                Opcode.F64Ne => Bool(d0 != d1),
                Opcode.F64Lt => Bool(d0 < d1),
                Opcode.F64Gt => Bool(d0 > d1),
                Opcode.F64Le => Bool(d0 <= d1),
                Opcode.F64Ge => Bool(d0 >= d1),
                Opcode.I32Clz => WasmValue.I32(BitOperations.LeadingZeroCount((uint)i0)),
                Opcode.I32Ctz => WasmValue.I32(BitOperations.TrailingZeroCount((uint)i0)), // 32 for 0
                Opcode.I32Popcnt => WasmValue.I32(BitOperations.PopCount((uint)i0)),
                Opcode.I32Add => WasmValue.I32(i0 + i1),
                Opcode.I32Sub => WasmValue.I32(i0 - i1),
                Opcode.I32Mul => WasmValue.I32(i0 * i1),
                Opcode.I32And => WasmValue.I32(i0 & i1),
                Opcode.I32Or => WasmValue.I32(i0 | i1),
                Opcode.I32Xor => WasmValue.I32(i0 ^ i1),
                Opcode.I32Shl => WasmValue.I32(i0 << i1),
                Opcode.I32ShrS => WasmValue.I32(i0 >> i1),
                Opcode.I32ShrU => WasmValue.I32((int)((uint)i0 >> i1)),
                Opcode.I32Rotl => WasmValue.I32((int)BitOperations.RotateLeft((uint)i0, i1)),
                Opcode.I32Rotr => WasmValue.I32((int)BitOperations.RotateRight((uint)i0, i1)),
                Opcode.I64Clz => WasmValue.I64(BitOperations.LeadingZeroCount((ulong)l0)),
                Opcode.I64Ctz => WasmValue.I64(BitOperations.TrailingZeroCount((ulong)l0)), // 64 for 0
                Opcode.I64Popcnt => WasmValue.I64(BitOperations.PopCount((ulong)l0)),
                Opcode.I64Add => WasmValue.I64(l0 + l1),
                Opcode.I64Sub => WasmValue.I64(l0 - l1),
                Opcode.I64Mul => WasmValue.I64(l0 * l1),
                Opcode.I64And => WasmValue.I64(l0 & l1),
                Opcode.I64Or => WasmValue.I64(l0 | l1),
                Opcode.I64Xor => WasmValue.I64(l0 ^ l1),
                Opcode.I64Shl => WasmValue.I64(l0 << (int)l1),
                Opcode.I64ShrS => WasmValue.I64(l0 >> (int)l1),
                Opcode.I64ShrU => WasmValue.I64((long)((ulong)l0 >> (int)l1)),
                Opcode.I64Rotl => WasmValue.I64((long)BitOperations.RotateLeft((ulong)l0, (int)l1)),
                Opcode.I64Rotr => WasmValue.I64((long)BitOperations.RotateRight((ulong)l0, (int)l1)),
                Opcode.F32Sqrt => WasmValue.F32(MathF.Sqrt(f0)),
                Opcode.F32Add => WasmValue.F32(f0 + f1),
                Opcode.F32Sub => WasmValue.F32(f0 - f1),
                Opcode.F32Mul => WasmValue.F32(f0 * f1),
                Opcode.F32Div => WasmValue.F32(f0 / f1),
                Opcode.F64Sqrt => WasmValue.F64(Math.Sqrt(d0)),
                Opcode.F64Add => WasmValue.F64(d0 + d1),
                Opcode.F64Sub => WasmValue.F64(d0 - d1),
                Opcode.F64Mul => WasmValue.F64(d0 * d1),
                Opcode.F64Div => WasmValue.F64(d0 / d1),
                Opcode.I32WrapI64 => WasmValue.I32((int)l0),
                Opcode.I64ExtendI32S => WasmValue.I64(i0),
                Opcode.I64ExtendI32U => WasmValue.I64((uint)i0),
                Opcode.I32ReinterpretF32 => WasmValue.FromBits(ValType.I32, (uint)i0),
                Opcode.I64ReinterpretF64 => WasmValue.FromBits(ValType.I64, (ulong)l0),
                Opcode.F32ReinterpretI32 => WasmValue.FromBits(ValType.F32, (uint)i0),
                Opcode.F64ReinterpretI64 => WasmValue.FromBits(ValType.F64, (ulong)l0),
                Opcode.I32Extend8S => WasmValue.I32((sbyte)i0),
                Opcode.I32Extend16S => WasmValue.I32((short)i0),
                Opcode.I64Extend8S => WasmValue.I64((sbyte)l0),
                Opcode.I64Extend16S => WasmValue.I64((short)l0),
                Opcode.I64Extend32S => WasmValue.I64((int)l0),
                _ => throw new NotSupportedException(OperatorInfo.Name(op)),
            };
        }

        private static WasmValue Bool(bool value) => WasmValue.I32(value ? 1 : 0);
    }
}
