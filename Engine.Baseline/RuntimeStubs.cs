using Engine.Core;

namespace Engine.Baseline;

/// <summary>The machine code the runtime needs besides compiled functions, generated once per process.</summary>
public static class RuntimeStubs
{
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
        masm.Load(true, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.StoreContext));
        masm.Load(true, Reg.R11, new Mem(Reg.Rsp, 0));
        masm.Store(true, new Mem(Reg.Rax, VMOffsets.StoreExitPc), Reg.R11);
        masm.Store(true, new Mem(Reg.Rax, VMOffsets.StoreExitFp), Reg.Rbp);
        masm.Store(true, new Mem(Reg.Rax, VMOffsets.StoreExitVmctx), Registers.Vmctx);
        masm.Mov(true, Reg.Rdi, Reg.Rax);
        masm.MovImm(true, Reg.Rax, trampoline);
        masm.JumpTo(Reg.Rax);
        return masm.Assemble().Code;
    }
}
