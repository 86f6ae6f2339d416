using Engine.CodeGen.X64;
using Engine.Core;
using NUnit.Framework;

namespace Engine.Tests.CodeGen;

/// <summary>
/// The macro assembler's hand-written encodings of its commonest forms give, byte for byte, what Iced's encoder gives for
/// the same instructions (<see cref="MacroAssembler.ReferenceEncoding"/>): over every register and addressing form, and
/// over whole modules compiled by both compiled tiers.
/// </summary>
[TestFixture]
public sealed class MacroAssemblerEncodingTests
{
    private static readonly int[] s_displacements = [0, 1, -1, 127, -128, 128, -129, 0x12345678, int.MinValue];

    // Every base, each displacement, without an index and with indexes (rsp excluded: it cannot be one) and scales.
    private static IEnumerable<Mem> Memories()
    {
        for (int b = 0; b < 16; b++)
        {
            foreach (int d in s_displacements)
            {
                yield return new Mem(Reg.Gpr(b), d);
                foreach (int i in new[] { 0, 3, 5, 8, 12, 13, 15 })
                {
                    yield return new Mem(Reg.Gpr(b), Reg.Gpr(i), 1 << ((b + i + d) & 3), d);
                }
            }
        }
    }

    private static IEnumerable<Reg> Gprs() => Enumerable.Range(0, 16).Select(Reg.Gpr);

    private static readonly OperandSize[] s_widths = [OperandSize.S32, OperandSize.S64];
    private static readonly int[] s_immediates = [0, 1, -1, 127, -128, 128, -129, 0x7FFFFFFF, int.MinValue, 0x1234];
    private static readonly long[] s_constants = [0, 1, -1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x1_0000_0000, -0x80000000L, -0x80000001L, long.MinValue, long.MaxValue];

    /// <summary>Each form with every operand combination, one test case per form.</summary>
    private static IEnumerable<TestCaseData> Forms()
    {
        TestCaseData Form(string name, Action<MacroAssembler> emit) => new TestCaseData(emit) { TestName = "Encodes like Iced: " + name };

        yield return Form("mov r, r", m => Each2(s_widths, Gprs(), Gprs(), (w, a, b) => m.Mov(w, a, b)));
        yield return Form("zero-extend r32", m => Each(Gprs(), Gprs(), m.ZeroExtend32));
        yield return Form("mov r, imm", m =>
        {
            foreach (OperandSize w in s_widths)
            {
                foreach (Reg r in Gprs())
                {
                    foreach (long c in s_constants)
                    {
                        m.MovImm(w, r, c);
                        m.MovImm(w, r, c, keepFlags: true);
                    }
                }
            }
        });
        yield return Form("load", m => Each2(s_widths, Gprs(), Memories(), (w, r, mem) => m.Load(w, r, mem)));
        yield return Form("store", m => Each2([OperandSize.S8, OperandSize.S16, OperandSize.S32, OperandSize.S64], Gprs(), Memories(), (w, r, mem) => m.Store(w, mem, r)));
        yield return Form("store imm", m => Each2(s_widths, s_immediates, Memories(), (w, imm, mem) => m.StoreImm(w, mem, imm)));
        yield return Form("load and extend", m =>
        {
            foreach (OperandSize from in new[] { OperandSize.S8, OperandSize.S16, OperandSize.S32, OperandSize.S64 })
            {
                foreach (Signedness signedness in new[] { Signedness.Signed, Signedness.Unsigned })
                {
                    Each2(s_widths, Gprs(), Memories(), (to, r, mem) => m.LoadExtend(r, mem, from, signedness, to));
                }
            }
        });
        yield return Form("lea", m => Each(Gprs(), Memories(), m.Lea));
        yield return Form("lea add", m => Each2(s_widths, Gprs(), Gprs(), (w, a, b) =>
        {
            foreach (int imm in s_immediates)
            {
                m.LeaAdd(w, a, b, imm);
            }
        }));
        yield return Form("sign-extend r", m =>
        {
            foreach (OperandSize from in new[] { OperandSize.S8, OperandSize.S16, OperandSize.S32 })
            {
                Each2(s_widths, Gprs(), Gprs(), (to, a, b) => m.SignExtend(a, b, from, to));
            }
        });
        foreach (AluOp op in Enum.GetValues<AluOp>())
        {
            yield return Form($"{op} r, r", m => Each2(s_widths, Gprs(), Gprs(), (w, a, b) => m.Alu(op, w, a, b)));
            yield return Form($"{op} r, imm", m => Each2(s_widths, Gprs(), s_immediates, (w, r, imm) => m.AluImm(op, w, r, imm)));
            yield return Form($"{op} r, mem", m => Each2(s_widths, Gprs(), Memories(), (w, r, mem) => m.AluMem(op, w, r, mem)));
            yield return Form($"{op} mem, imm", m => Each2(s_widths, s_immediates, Memories(), (w, imm, mem) => m.AluMemImm(op, w, mem, imm)));
        }
        yield return Form("cmp mem, imm", m => Each2(s_widths, s_immediates, Memories(), (w, imm, mem) => m.CmpMemImm(w, mem, imm)));
        yield return Form("test", m => Each2(s_widths, Gprs(), Gprs(), (w, a, b) => m.Test(w, a, b)));
        yield return Form("imul r, r", m => Each2(s_widths, Gprs(), Gprs(), (w, a, b) => m.Imul(w, a, b)));
        yield return Form("imul r, mem", m => Each2(s_widths, Gprs(), Memories(), (w, r, mem) => m.ImulMem(w, r, mem)));
        yield return Form("imul r, r, imm", m => Each2(s_widths, Gprs(), Gprs(), (w, a, b) =>
        {
            foreach (int imm in s_immediates)
            {
                m.ImulImm(w, a, b, imm);
            }
        }));
        foreach (ShiftOp op in Enum.GetValues<ShiftOp>())
        {
            yield return Form($"{op} r, cl", m => Each(s_widths, Gprs(), (w, r) => m.ShiftCl(op, w, r)));
            yield return Form($"{op} r, imm", m => Each2(s_widths, Gprs(), new[] { 0, 1, 5, 31, 32, 63, 64, 200 }, (w, r, c) => m.ShiftImm(op, w, r, c)));
        }
        yield return Form("neg", m => Each(s_widths, Gprs(), (w, r) => m.Neg(w, r)));
        yield return Form("setcc", m => Each(Enum.GetValues<Cond>(), Gprs(), m.SetCc));
        yield return Form("cmov", m => Each2(s_widths, Gprs(), Gprs(), (w, a, b) =>
        {
            foreach (Cond c in Enum.GetValues<Cond>())
            {
                m.CMov(c, w, a, b);
            }
        }));
        yield return Form("divide", m => Each2(s_widths, new[] { Signedness.Signed, Signedness.Unsigned }, Gprs(), (w, signedness, r) => m.Divide(signedness, w, r)));
        yield return Form("movaps, movd/movq, ucomis, and/andn/or/xorps", m => Each2(s_widths, Gprs(), Gprs(), (w, a, b) =>
        {
            m.MovF(Reg.Xmm(a.Number), Reg.Xmm(b.Number));
            m.MovToXmm(w, Reg.Xmm(a.Number), b);
            m.MovFromXmm(w, a, Reg.Xmm(b.Number));
            m.Ucomi(w, Reg.Xmm(a.Number), Reg.Xmm(b.Number));
            foreach (SseBitOp op in Enum.GetValues<SseBitOp>())
            {
                m.SseBits(op, Reg.Xmm(a.Number), Reg.Xmm(b.Number));
            }
            foreach (SseOp op in Enum.GetValues<SseOp>())
            {
                m.Sse(op, w, Reg.Xmm(a.Number), Reg.Xmm(b.Number));
            }
        }));
        yield return Form("movss/movsd load and store, scalar SSE with memory", m => Each2(s_widths, Gprs(), Memories(), (w, r, mem) =>
        {
            m.LoadF(w, Reg.Xmm(r.Number), mem);
            m.StoreF(w, mem, Reg.Xmm(r.Number));
            foreach (SseOp op in new[] { SseOp.Add, SseOp.Sub, SseOp.Mul, SseOp.Div })
            {
                m.SseMem(op, w, Reg.Xmm(r.Number), mem);
            }
        }));
        yield return Form("push, pop, jmp reg, ret", m =>
        {
            foreach (Reg r in Gprs())
            {
                m.Push(r);
                m.Pop(r);
                m.JumpTo(r);
                m.Ret();
            }
        });
        yield return Form("call mem, jmp mem", m =>
        {
            foreach (Mem mem in Memories())
            {
                m.CallMem(mem);
                m.JumpMem(mem);
            }
        });
        yield return Form("branches, calls and addresses of labels", m =>
        {
            MLabel back = m.CreateLabel();
            MLabel ahead = m.CreateLabel();
            m.Bind(back);
            foreach (Cond c in Enum.GetValues<Cond>())
            {
                m.JumpIf(c, back);
                m.JumpIf(c, ahead);
            }
            m.Jump(back);
            m.CallLabel(ahead);
            foreach (Reg r in Gprs())
            {
                m.LeaLabel(r, ahead);
                m.LoadVLiteral(Reg.Xmm(r.Number), r.Number, -r.Number);
            }
            m.JumpThroughTable(ahead, Reg.Rcx, Reg.R11, Reg.Rax);
            m.Bind(ahead);
            m.EmitJumpTable(m.CreateLabel(), [back, ahead]);
            m.EmitLiterals();
        });
        yield return Form("patched frame sizes", m =>
        {
            int a = m.SubRspPatchable();
            int b = m.RspMinusPatchable(Reg.Rax);
            int c = m.RspMinusPatchable(Reg.R12);
            m.PatchImm32(a, 0x1230);
            m.PatchImm32(b, 0x40);
            m.PatchImm32(c, 0x7F);
        });
    }

    private static void Each<T1, T2>(IEnumerable<T1> first, IEnumerable<T2> second, Action<T1, T2> emit)
    {
        foreach (T1 a in first)
        {
            foreach (T2 b in second)
            {
                emit(a, b);
            }
        }
    }

    private static void Each2<T1, T2, T3>(IEnumerable<T1> first, IEnumerable<T2> second, IEnumerable<T3> third, Action<T1, T2, T3> emit)
    {
        List<T3> thirds = third.ToList();
        foreach (T1 a in first)
        {
            foreach (T2 b in second)
            {
                foreach (T3 c in thirds)
                {
                    emit(a, b, c);
                }
            }
        }
    }

    private static (MacroAssembler.Output Output, List<int> HeapAccesses) Assemble(Action<MacroAssembler> emit, bool reference)
    {
        var masm = new MacroAssembler();
        MacroAssembler.ReferenceEncoding = reference;
        try
        {
            masm.Reset();
        }
        finally
        {
            MacroAssembler.ReferenceEncoding = false;
        }
        emit(masm);
        var heapAccesses = new List<int>();
        masm.CollectHeapAccesses(heapAccesses);
        return (masm.Assemble(), heapAccesses);
    }

    [TestCaseSource(nameof(Forms))]
    public void HandEncodingGivesIcedsBytes(Action<MacroAssembler> emit)
    {
        var (reference, referenceHeap) = Assemble(emit, reference: true);
        var (hand, handHeap) = Assemble(emit, reference: false);
        Assert.That(hand.InstructionCount, Is.EqualTo(reference.InstructionCount));
        for (int i = 0; i < reference.InstructionCount; i++)
        {
            int start = reference.OffsetOf(i);
            int end = reference.OffsetOf(i + 1);
            if (hand.OffsetOf(i) != start || hand.OffsetOf(i + 1) != end || !hand.Code.AsSpan(start, end - start).SequenceEqual(reference.Code.AsSpan(start, end - start)))
            {
                Assert.Fail($"instruction {i}: hand {Convert.ToHexString(hand.Code.AsSpan(hand.OffsetOf(i), hand.OffsetOf(i + 1) - hand.OffsetOf(i)))}, "
                    + $"Iced {Convert.ToHexString(reference.Code.AsSpan(start, end - start))}");
            }
        }
        Assert.That(hand.Code, Is.EqualTo(reference.Code));
        Assert.That(handHeap, Is.EqualTo(referenceHeap), "heap accesses (r15-based, lea excluded)");
    }

    /// <summary>
    /// Whole modules through the baseline and optimizing compilers, with guard pages (every heap access a fault site) and
    /// with explicit checks: the hand encoder changes nothing in the code, its trap sites or its offset map.
    /// </summary>
    [TestCase("Engine.Benchmarks/Modules/large.wasm", 4)]
    [TestCase("Engine.Tests/Programs/toolchains/rust_simd.wasm", 1)]
    [TestCase("Engine.Tests/Programs/toolchains/cxx_algo_clang.wasm", 1)]
    public void CompiledModulesAreTheSameAsWithIcedAlone(string path, int step)
    {
        ModuleInfo module = ModuleLoader.DecodeAndValidate(File.ReadAllBytes(Path.Combine(TestPaths.RepositoryRoot, path)));
        IFunctionCompiler[] compilers = [new Engine.Baseline.BaselineCompiler(), new Engine.Optimizing.OptimizingCompiler()];
        CompilerOptions[] options =
        [
            CompilerOptions.Default with { CpuFeatures = CpuFeatures.X64V3, BoundsChecks = BoundsCheckStrategy.GuardPages, MemoryGuardSize = 1UL << 32 },
            CompilerOptions.Default with { CpuFeatures = CpuFeatures.X64V3, BoundsChecks = BoundsCheckStrategy.Explicit },
        ];
        int compared = 0;
        foreach (IFunctionCompiler compiler in compilers)
        {
            foreach (CompilerOptions option in options)
            {
                for (int i = module.ImportedFunctionCount; i < module.FunctionTypeIndices.Count; i += step)
                {
                    CompileResult hand = compiler.Compile(module, (uint)i, option);
                    MacroAssembler.ReferenceEncoding = true;
                    CompileResult reference;
                    try
                    {
                        reference = compiler.Compile(module, (uint)i, option);
                    }
                    finally
                    {
                        MacroAssembler.ReferenceEncoding = false;
                    }
                    Assert.That(hand.Failure, Is.EqualTo(reference.Failure));
                    if (hand.Function is not { } a || reference.Function is not { } b)
                    {
                        continue;
                    }
                    string what = $"{compiler.Name} func[{i}] ({option.BoundsChecks})";
                    Assert.That(a.Code, Is.EqualTo(b.Code), what);
                    Assert.That(a.TrapSites, Is.EqualTo(b.TrapSites), what);
                    Assert.That(a.OffsetMap, Is.EqualTo(b.OffsetMap), what);
                    compared++;
                }
            }
        }
        Assert.That(compared, Is.GreaterThan(0));
    }
}
