using System.Runtime.Intrinsics;
using Engine.Core;

namespace Engine.Tests.Simd;

/// <summary>One operator of a straight-line body with its immediates.</summary>
/// <param name="Opcode">The operator.</param>
/// <param name="Index">Local or global index, or the scalar constant's bits.</param>
/// <param name="Vector">A v128 constant, or the 16 lane indices of a shuffle.</param>
/// <param name="Memory">The memory immediate of loads and stores.</param>
/// <param name="Lane">The lane immediate.</param>
internal readonly record struct Step(Opcode Opcode, ulong Index = 0, Vector128<byte> Vector = default, MemArg Memory = default, byte Lane = 0);

/// <summary>
/// A function whose body has no control flow and no calls: locals, globals, constants, numeric and
/// SIMD operators, <c>select</c>, loads and stores, ending at its one <c>end</c> or a <c>return</c>. Those are the functions the spec
/// tests use to check operators (<c>local.get 0 local.get 1 i8x16.add end</c>), and they can be
/// evaluated by calling the operator methods directly, without an interpreter.
/// </summary>
internal sealed class StraightLineFunction
{
    private StraightLineFunction(FuncType type, ValType[] locals, Step[] steps)
    {
        Type = type;
        Locals = locals;
        Steps = steps;
        UsesMemory = steps.Any(s => OperatorInfo.Kind(s.Opcode) is OperatorKind.Load or OperatorKind.Store
            or OperatorKind.LoadLane or OperatorKind.StoreLane);
        UsesGlobals = steps.Any(s => s.Opcode is Opcode.GlobalGet or Opcode.GlobalSet);
    }

    /// <summary>The function's type.</summary>
    public FuncType Type { get; }

    /// <summary>The parameters followed by the declared locals.</summary>
    public ValType[] Locals { get; }

    /// <summary>The operators, the final <c>end</c> (or a <c>return</c>, after which nothing is kept) included.</summary>
    public Step[] Steps { get; }

    /// <summary>True when the body reads or writes linear memory.</summary>
    public bool UsesMemory { get; }

    /// <summary>True when the body reads or writes globals.</summary>
    public bool UsesGlobals { get; }

    /// <summary>Reads function <paramref name="functionIndex"/>'s body; null (with the reason) when it is not straight-line or uses an operator the evaluator lacks.</summary>
    public static StraightLineFunction? TryRead(ModuleInfo module, uint functionIndex, out string? reason)
    {
        if (functionIndex < module.ImportedFunctionCount)
        {
            reason = "imported function";
            return null;
        }
        FunctionBody body = module.Body(functionIndex);
        FuncType type = module.FunctionType(functionIndex);
        var recorder = new Recorder { Steps = new List<Step>() };
        var reader = new WasmReader(module.Bytes, body.CodeStart, body.End);
        while (!reader.AtEnd && recorder.Unsupported == null)
        {
            reader.ReadOperator(ref recorder);
        }
        reason = recorder.Unsupported;
        if (reason == null && (recorder.Steps.Count == 0 || recorder.Steps[^1].Opcode is not (Opcode.End or Opcode.Return)))
        {
            reason = "no final end";
        }
        if (reason == null)
        {
            reason = recorder.Steps.Where(s => !SpecEvaluator.CanEvaluate(s.Opcode))
                .Select(s => "no evaluator for " + OperatorInfo.Name(s.Opcode)).FirstOrDefault();
        }
        return reason != null ? null : new StraightLineFunction(type, [.. type.Params, .. body.Locals], [.. recorder.Steps]);
    }

    /// <summary>
    /// True unless function <paramref name="functionIndex"/> certainly leaves memory, globals and tables
    /// alone (no stores, no global.set, no calls, no bulk or table operators).
    /// </summary>
    public static bool MayWriteState(ModuleInfo module, uint functionIndex)
    {
        if (functionIndex < module.ImportedFunctionCount)
        {
            return true;
        }
        FunctionBody body = module.Body(functionIndex);
        var recorder = new Recorder { Steps = new List<Step>() };
        var reader = new WasmReader(module.Bytes, body.CodeStart, body.End);
        while (!reader.AtEnd)
        {
            reader.ReadOperator(ref recorder);
        }
        return recorder.WritesState;
    }

    /// <summary>Records the operators; anything with control flow, calls, tables or references makes the body unsupported.</summary>
    private struct Recorder : IOperatorVisitor
    {
        public List<Step> Steps;
        public string? Unsupported;
        public bool WritesState;
        public bool Returned;

        private void Add(Step step)
        {
            // After a return the rest of the body is unreachable: it is neither run nor checked.
            if (!Returned)
            {
                Steps.Add(step);
            }
        }

        private void Write(Step step)
        {
            WritesState = true;
            Add(step);
        }

        private void Reject(string what)
        {
            if (!Returned)
            {
                Unsupported ??= what;
            }
        }

        private void RejectWrite(string what)
        {
            WritesState = true;
            Reject(what);
        }

        public void VisitEnd() => Add(new Step(Opcode.End));
        public void VisitNop() => Add(new Step(Opcode.Nop));
        public void VisitDrop() => Add(new Step(Opcode.Drop));
        public void VisitLocalGet(uint localIndex) => Add(new Step(Opcode.LocalGet, localIndex));
        public void VisitLocalSet(uint localIndex) => Add(new Step(Opcode.LocalSet, localIndex));
        public void VisitLocalTee(uint localIndex) => Add(new Step(Opcode.LocalTee, localIndex));
        public void VisitGlobalGet(uint globalIndex) => Add(new Step(Opcode.GlobalGet, globalIndex));
        public void VisitGlobalSet(uint globalIndex) => Write(new Step(Opcode.GlobalSet, globalIndex));
        public void VisitI32Const(int value) => Add(new Step(Opcode.I32Const, (uint)value));
        public void VisitI64Const(long value) => Add(new Step(Opcode.I64Const, (ulong)value));
        public void VisitF32Const(uint bits) => Add(new Step(Opcode.F32Const, bits));
        public void VisitF64Const(ulong bits) => Add(new Step(Opcode.F64Const, bits));
        public void VisitV128Const(Vector128<byte> value) => Add(new Step(Opcode.V128Const, Vector: value));
        public void VisitI8x16Shuffle(Vector128<byte> lanes) => Add(new Step(Opcode.I8x16Shuffle, Vector: lanes));
        public void VisitPlain(Opcode opcode) => Add(new Step(opcode));
        public void VisitLoad(Opcode opcode, MemArg memArg) => Add(new Step(opcode, Memory: memArg));
        public void VisitStore(Opcode opcode, MemArg memArg) => Write(new Step(opcode, Memory: memArg));
        public void VisitExtractLane(Opcode opcode, byte lane) => Add(new Step(opcode, Lane: lane));
        public void VisitReplaceLane(Opcode opcode, byte lane) => Add(new Step(opcode, Lane: lane));
        public void VisitLoadLane(Opcode opcode, MemArg memArg, byte lane) => Add(new Step(opcode, Memory: memArg, Lane: lane));
        public void VisitStoreLane(Opcode opcode, MemArg memArg, byte lane) => Write(new Step(opcode, Memory: memArg, Lane: lane));

        public void VisitUnreachable() => Reject("unreachable");
        public void VisitBlock(BlockType blockType) => Reject("block");
        public void VisitLoop(BlockType blockType) => Reject("loop");
        public void VisitIf(BlockType blockType) => Reject("if");
        public void VisitElse() => Reject("else");
        public void VisitBr(uint relativeDepth) => Reject("br");
        public void VisitBrIf(uint relativeDepth) => Reject("br_if");
        public void VisitBrTable(BrTable table) => Reject("br_table");
        public void VisitReturn()
        {
            Add(new Step(Opcode.Return));
            Returned = true;
        }

        public void VisitCall(uint functionIndex) => RejectWrite("call");
        public void VisitCallIndirect(uint typeIndex, uint tableIndex) => RejectWrite("call_indirect");
        public void VisitReturnCall(uint functionIndex) => RejectWrite("return_call");
        public void VisitThrow(uint tagIndex) => RejectWrite("throw");
        public void VisitThrowRef() => RejectWrite("throw_ref");
        public void VisitTry(BlockType blockType) => RejectWrite("try");
        public void VisitCatch(uint tagIndex) => RejectWrite("catch");
        public void VisitCatchAll() => RejectWrite("catch_all");
        public void VisitDelegate(uint relativeDepth) => RejectWrite("delegate");
        public void VisitRethrow(uint relativeDepth) => RejectWrite("rethrow");
        public void VisitTryTable(BlockType blockType, TryTableCatch[] catches) => RejectWrite("try_table");
        public void VisitReturnCallIndirect(uint typeIndex, uint tableIndex) => RejectWrite("return_call_indirect");
        public void VisitCallRef(uint typeIndex) => RejectWrite("call_ref");
        public void VisitReturnCallRef(uint typeIndex) => RejectWrite("return_call_ref");
        public void VisitRefAsNonNull() => Reject("ref.as_non_null");
        public void VisitBrOnNull(uint relativeDepth) => Reject("br_on_null");
        public void VisitBrOnNonNull(uint relativeDepth) => Reject("br_on_non_null");
        public void VisitSelect() => Add(new Step(Opcode.Select));
        public void VisitSelectTyped(ValType type, uint typeCount) => Add(new Step(Opcode.Select));
        public void VisitTableGet(uint tableIndex) => Reject("table.get");
        public void VisitTableSet(uint tableIndex) => RejectWrite("table.set");
        public void VisitMemorySize(uint memoryIndex) => Reject("memory.size");
        public void VisitMemoryGrow(uint memoryIndex) => RejectWrite("memory.grow");
        public void VisitRefNull(ValType type) => Reject("ref.null");
        public void VisitRefIsNull() => Reject("ref.is_null");
        public void VisitRefFunc(uint functionIndex) => Reject("ref.func");
        public void VisitMemoryInit(uint dataIndex, uint memoryIndex) => RejectWrite("memory.init");
        public void VisitDataDrop(uint dataIndex) => RejectWrite("data.drop");
        public void VisitMemoryCopy(uint destinationMemory, uint sourceMemory) => RejectWrite("memory.copy");
        public void VisitMemoryFill(uint memoryIndex) => RejectWrite("memory.fill");
        public void VisitTableInit(uint elemIndex, uint tableIndex) => RejectWrite("table.init");
        public void VisitElemDrop(uint elemIndex) => RejectWrite("elem.drop");
        public void VisitTableCopy(uint destinationTable, uint sourceTable) => RejectWrite("table.copy");
        public void VisitTableGrow(uint tableIndex) => RejectWrite("table.grow");
        public void VisitTableSize(uint tableIndex) => Reject("table.size");
        public void VisitTableFill(uint tableIndex) => RejectWrite("table.fill");
    }
}
