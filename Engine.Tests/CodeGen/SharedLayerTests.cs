using Engine.CodeGen.X64;
using Engine.Core;
using Engine.Interpreter;
using Engine.Runtime;
using NUnit.Framework;
using static Engine.CodeGen.X64.OperandSize;

namespace Engine.Tests.CodeGen;

/// <summary>
/// The shared x86-64 layer from a client that is not the baseline: <see cref="OperandCompiler"/> keeps no value
/// stack, chooses its registers itself, and calls the layer's frame, trap and wasm-semantic sequences with them.
/// Plugged into the engine's tier list, its code runs, traps with wasm backtraces, and the functions it cannot
/// compile fall back with a typed reason.
/// </summary>
[TestFixture]
public sealed class SharedLayerTests
{
    private const string Wat = """
        (module
          (func (export "div_s") (param i32 i32) (result i32) (local.get 0) (local.get 1) (i32.div_s))
          (func (export "rem_s") (param i32 i32) (result i32) (local.get 0) (local.get 1) (i32.rem_s))
          (func (export "min") (param f64 f64) (result f64) (local.get 0) (local.get 1) (f64.min))
          (func (export "trunc_u") (param f64) (result i32) (local.get 0) (i32.trunc_f64_u))
          (func (export "trunc_sat_s") (param f32) (result i64) (local.get 0) (i64.trunc_sat_f32_s))
          (func (export "other") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))
        """;

    private static (Instance Instance, Module Module) Load(EngineConfig config)
    {
        var engine = new WasmEngine(config);
        Module module = Module.FromText(engine, Wat);
        return (new Linker(engine).Instantiate(new Store(engine), module), module);
    }

    [Test]
    public void ASecondClientsCodeRunsAndAgreesWithTheInterpreter()
    {
        var (compiled, module) = Load(new EngineConfig { Tier = TierMode.Baseline, Compilers = [new OperandCompiler()] });
        var (interpreted, _) = Load(new EngineConfig { Tier = TierMode.Interpreter });
        foreach (string name in new[] { "div_s", "rem_s", "min", "trunc_u", "trunc_sat_s" })
        {
            Assert.That(compiled.GetFunction(name)!.Instance, Is.InstanceOf<InterpretedFunction>().With.Property("Compiled").Not.Null, name);
        }
        Assert.That(module.TierFallbacks, Has.Count.EqualTo(1));
        Assert.That(module.TierFallbacks[0].Failure.Reason, Is.EqualTo(CompileFailureReason.UnsupportedOperator));

        Value[][] intPairs = [[Value.I32(7), Value.I32(2)], [Value.I32(-7), Value.I32(2)], [Value.I32(int.MinValue), Value.I32(-1)], [Value.I32(5), Value.I32(0)]];
        Value[][] doublePairs = [[Value.F64(1), Value.F64(-0.0)], [Value.F64(-0.0), Value.F64(0.0)], [Value.F64(double.NaN), Value.F64(1)], [Value.F64(3), Value.F64(2)]];
        Value[][] doubles = [[Value.F64(3.9)], [Value.F64(-0.5)], [Value.F64(-1)], [Value.F64(4294967295.0)], [Value.F64(4294967296.0)], [Value.F64(double.NaN)]];
        Value[][] floats = [[Value.F32(1e20f)], [Value.F32(-1e20f)], [Value.F32(float.NaN)], [Value.F32(-3.5f)]];
        foreach (var (name, cases) in new[] { ("div_s", intPairs), ("rem_s", intPairs), ("min", doublePairs), ("trunc_u", doubles), ("trunc_sat_s", floats) })
        {
            foreach (Value[] arguments in cases)
            {
                Assert.That(Outcome(compiled, name, arguments), Is.EqualTo(Outcome(interpreted, name, arguments)), $"{name}({string.Join(", ", arguments)})");
            }
        }
    }

    [Test]
    public void TrapsOfTheSharedSequencesCarryTheWasmOffset()
    {
        var (compiled, _) = Load(new EngineConfig { Tier = TierMode.Baseline, Compilers = [new OperandCompiler()] });
        var (interpreted, _) = Load(new EngineConfig { Tier = TierMode.Interpreter });
        Value[] arguments = [Value.I32(1), Value.I32(0)];
        var native = Assert.Throws<TrapException>(() => compiled.GetFunction("div_s")!.Invoke(arguments))!;
        var expected = Assert.Throws<TrapException>(() => interpreted.GetFunction("div_s")!.Invoke(arguments))!;
        Assert.That(native.Code, Is.EqualTo(TrapCode.IntegerDivideByZero));
        Assert.That(native.WasmBacktrace, Is.EqualTo(expected.WasmBacktrace));
    }

    private static string Outcome(Instance instance, string name, Value[] arguments)
    {
        try
        {
            return string.Join(", ", instance.GetFunction(name)!.Invoke(arguments).Select(v => $"{v.Type} {v.Bits:x}"));
        }
        catch (TrapException e)
        {
            return $"trap {e.Code}";
        }
    }

    /// <summary>
    /// Compiles only <c>local.get 0 [local.get 1] OP end</c> for a few operators with multi-instruction wasm semantics,
    /// with operands in registers of its own choosing (rcx, r8; xmm1, xmm2) and the shared layer doing the rest.
    /// </summary>
    private sealed class OperandCompiler : IFunctionCompiler
    {
        public string Name => "operand-test";

        public CompileResult Compile(ModuleInfo module, uint functionIndex, CompilerOptions options)
        {
            FunctionBody body = module.Body(functionIndex);
            ReadOnlySpan<byte> code = module.Bytes.AsSpan(body.CodeStart, body.End - body.CodeStart);
            FuncType type = module.FunctionType(functionIndex);
            int operands = type.Params.Length;
            bool shape = code.Length == 2 * operands + 2 && code[^1] == 0x0B
                && (operands == 1 ? code[..2].SequenceEqual((byte[])[0x20, 0]) : code[..4].SequenceEqual((byte[])[0x20, 0, 0x20, 1]));
            Opcode? opcode = shape ? (Opcode)code[2 * operands] : null;
            if (opcode is not (Opcode.I32DivS or Opcode.I32RemS or Opcode.F64Min or Opcode.I32TruncF64U) && !IsTruncSat(code, operands))
            {
                return CompileResult.Failed(CompileFailureReason.UnsupportedOperator, "not one operator on the parameters");
            }
            var e = new FunctionEmitter();
            e.Begin(module, functionIndex, options, callerSaved: null);
            e.EmitEntry(body.CodeStart);
            // The arguments: slots at rsi.
            Reg a = type.Params[0] is ValType.I32 ? Reg.Rcx : Reg.Xmm(1);
            Reg b = operands == 2 ? (type.Params[1] is ValType.I32 ? Reg.R8 : Reg.Xmm(2)) : Reg.None;
            Load(e, a, type.Params[0], new Mem(Reg.Rsi, 0));
            if (operands == 2)
            {
                Load(e, b, type.Params[1], new Mem(Reg.Rsi, 8));
            }
            e.WasmOffset = body.CodeStart + 2 * operands;
            e.MarkOffset(e.WasmOffset);
            Reg result = a;
            switch (opcode)
            {
                case Opcode.I32DivS:
                    e.IntDivRem(S32, Signedness.Signed, DivRem.Quotient, a, b);
                    break;
                case Opcode.I32RemS:
                    e.IntDivRem(S32, Signedness.Signed, DivRem.Remainder, a, b);
                    break;
                case Opcode.F64Min:
                    e.FloatMinMax(MinMax.Min, S64, a, b);
                    break;
                case Opcode.I32TruncF64U:
                    result = Reg.R9;
                    e.Truncate(S64, S32, Signedness.Unsigned, TruncKind.Checked, result, a);
                    break;
                default: // i64.trunc_sat_f32_s
                    result = Reg.R9;
                    e.Truncate(S32, S64, Signedness.Signed, TruncKind.Saturating, result, a);
                    break;
            }
            // The result goes to slot 0 of the argument area, whose address the prologue saved.
            e.Masm.Load(S64, Reg.R11, new Mem(Reg.Rbp, FunctionEmitter.ArgsPointerOffsetFromRbp));
            if (result.IsFloat)
            {
                e.Masm.StoreF(S64, new Mem(Reg.R11, 0), result);
            }
            else
            {
                e.Masm.Store(S64, new Mem(Reg.R11, 0), result);
            }
            e.Masm.MovImm(S32, Reg.Rax, 0);
            e.Masm.Jump(e.Epilogue);
            return CompileResult.Compiled(e.Finish(bodyBytes: 0));
        }

        private static bool IsTruncSat(ReadOnlySpan<byte> code, int operands) =>
            operands == 1 && code.Length == 5 && code[..2].SequenceEqual((byte[])[0x20, 0]) && code[2] == 0xFC && code[3] == 4 && code[4] == 0x0B;

        private static void Load(FunctionEmitter e, Reg reg, ValType type, Mem slot)
        {
            if (reg.IsFloat)
            {
                e.Masm.LoadF(type == ValType.F64 ? S64 : S32, reg, slot);
            }
            else
            {
                e.Masm.Load(S32, reg, slot);
            }
        }
    }
}
