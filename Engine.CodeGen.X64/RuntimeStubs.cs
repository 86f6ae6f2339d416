using Engine.Core;

namespace Engine.CodeGen.X64;

/// <summary>
/// The machine code the runtime needs besides compiled functions, generated once per process, and what the
/// runtime must know about the machine-code tiers before any of them runs.
/// </summary>
public static partial class RuntimeStubs
{
    /// <summary>True when this process can run the code of the x86-64 tiers.</summary>
    public static bool IsSupported =>
        System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64;

    /// <summary>
    /// The shared exit stub: the native code of every function that is not compiled (interpreted and host
    /// functions). Called like any function (rdi = callee vmctx, rsi = argument area, rdx = callee funcref,
    /// r14 = the caller's vmctx), it records the exit frame (the caller's rbp and the return address) and the
    /// caller's vmctx in the store context, then jumps to <paramref name="trampoline"/> with rdi = the store
    /// context: <c>int trampoline(VMStoreContext*, ulong* args, VMFuncRef* callee)</c>, which returns to the caller.
    /// </summary>
    public static byte[] ExitStub(long trampoline)
    {
        var masm = new MacroAssembler();
        masm.Load(OperandSize.S64, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.StoreContext));
        masm.Load(OperandSize.S64, Reg.R11, new Mem(Reg.Rsp, 0));
        masm.Store(OperandSize.S64, new Mem(Reg.Rax, VMOffsets.StoreExitPc), Reg.R11);
        masm.Store(OperandSize.S64, new Mem(Reg.Rax, VMOffsets.StoreExitFp), Reg.Rbp);
        masm.Store(OperandSize.S64, new Mem(Reg.Rax, VMOffsets.StoreExitVmctx), Registers.Vmctx);
        masm.Mov(OperandSize.S64, Reg.Rdi, Reg.Rax);
        masm.MovImm(OperandSize.S64, Reg.Rax, trampoline);
        masm.JumpTo(Reg.Rax);
        return masm.Assemble().Code;
    }

    /// <summary>
    /// <c>ulong readXcr0()</c>: XGETBV with ecx = 0, edx:eax as one value. Run it only when CPUID.1:ECX.OSXSAVE is set
    /// (XGETBV faults otherwise); see <see cref="CpuFeatureDetection"/>.
    /// </summary>
    public static byte[] ReadXcr0()
    {
        var masm = new MacroAssembler();
        masm.MovImm(OperandSize.S32, Reg.Rcx, 0);
        masm.Xgetbv();
        masm.ShiftImm(ShiftOp.Shl, OperandSize.S64, Reg.Rdx, 32);
        masm.Alu(AluOp.Or, OperandSize.S64, Reg.Rax, Reg.Rdx);
        masm.Ret();
        return masm.Assemble().Code;
    }

    /// <summary>
    /// <c>void cpuid(int leaf, int subleaf, int* eaxEbxEcxEdx)</c>: CPUID, for a process where .NET's own
    /// <c>X86Base.CpuId</c> is unavailable (hardware intrinsics disabled). Saves rbx, which CPUID writes.
    /// </summary>
    public static byte[] Cpuid()
    {
        var masm = new MacroAssembler();
        masm.Mov(OperandSize.S64, Reg.R8, Reg.Rdx);
        masm.Mov(OperandSize.S32, Reg.Rax, Reg.Rdi);
        masm.Mov(OperandSize.S32, Reg.Rcx, Reg.Rsi);
        masm.Push(Reg.Rbx);
        masm.Cpuid();
        masm.Store(OperandSize.S32, new Mem(Reg.R8, 0), Reg.Rax);
        masm.Store(OperandSize.S32, new Mem(Reg.R8, 4), Reg.Rbx);
        masm.Store(OperandSize.S32, new Mem(Reg.R8, 8), Reg.Rcx);
        masm.Store(OperandSize.S32, new Mem(Reg.R8, 12), Reg.Rdx);
        masm.Pop(Reg.Rbx);
        masm.Ret();
        return masm.Assemble().Code;
    }
}
