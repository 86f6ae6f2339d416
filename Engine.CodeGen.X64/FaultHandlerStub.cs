using Engine.Core;

namespace Engine.CodeGen.X64;

/// <summary>
/// The layout of what the fault handler (<see cref="RuntimeStubs.FaultHandler"/>) reads, in unmanaged memory the runtime
/// writes: the handler's state block and the snapshots of the fault-site table. All offsets in bytes.
/// </summary>
/// <remarks>
/// <para><b>State block</b> (one per process, never freed):</para>
/// <code>
///  +0   Active     i64   handlers between their entry and their last read of a snapshot (a snapshot is freed only when 0)
///  +8   Table      ptr   the current snapshot, or 0
///  +16  PreviousSegv     the action SIGSEGV had before ours, in the kernel's layout (handler, flags, restorer, 64-bit mask)
///  +48  PreviousBus      the same for SIGBUS
/// </code>
/// <para><b>Snapshot</b> (immutable once published; replaced as code regions come and go):</para>
/// <code>
///  +0   Count      u64   regions, sorted by start, disjoint
///  +8   Count x { Start u64, End u64, Sites ptr, SiteCount u64, HeapBytes u64 }
/// </code>
/// <para>A region's sites (immutable): SiteCount x { FaultOffset u32, EntryOffset u32 }, sorted by FaultOffset, both
/// offsets from the region's start: the faulting instruction, and where its function's trap path continues
/// (<see cref="CompiledFunction.FaultEntryOffset"/>). HeapBytes is the reservation of the memories the region's code
/// assumes (4 GiB + guard): a fault counts only when its address lies within that many bytes of r15.</para>
/// </remarks>
public static class FaultTableLayout
{
    /// <summary>State: handlers running (i64).</summary>
    public const int Active = 0;

    /// <summary>State: the current snapshot's address.</summary>
    public const int Table = 8;

    /// <summary>State: SIGSEGV's previous action (kernel layout, <see cref="KernelSigactionSize"/> bytes).</summary>
    public const int PreviousSegv = 16;

    /// <summary>State: SIGBUS's previous action (kernel layout).</summary>
    public const int PreviousBus = PreviousSegv + KernelSigactionSize;

    /// <summary>The state block's size.</summary>
    public const int StateSize = PreviousBus + KernelSigactionSize;

    /// <summary>The kernel's <c>struct sigaction</c> on x86-64: handler, flags, restorer, mask (64 signals).</summary>
    public const int KernelSigactionSize = 32;

    /// <summary>Snapshot: the region records start here (after the count).</summary>
    public const int Regions = 8;

    /// <summary>The size of a region record.</summary>
    public const int RegionSize = 40;

    /// <summary>Region record: the code's first byte.</summary>
    public const int RegionStart = 0;

    /// <summary>Region record: one past the code's last byte.</summary>
    public const int RegionEnd = 8;

    /// <summary>Region record: the address of its sites.</summary>
    public const int RegionSites = 16;

    /// <summary>Region record: the number of its sites.</summary>
    public const int RegionSiteCount = 24;

    /// <summary>Region record: the bytes reserved for the memories its code assumes.</summary>
    public const int RegionHeapBytes = 32;

    /// <summary>The size of a site record.</summary>
    public const int SiteSize = 8;

    /// <summary>Signal numbers (Linux).</summary>
    public const int SigBus = 7, SigSegv = 11;
}

public static partial class RuntimeStubs
{
    // Linux x86-64: ucontext_t.uc_mcontext.gregs starts at 40; the indices of the registers we read or write.
    private const int GregsOffset = 40;
    private const int RegR11 = 3, RegR15 = 7, RegRsi = 9, RegRip = 16;
    // siginfo_t: si_code at 8 (> 0: sent by the kernel for a fault), si_addr at 16.
    private const int SiCode = 8, SiAddr = 16;
    private const int SysRtSigaction = 13, SysGetpid = 39, SysKill = 62;

    private static Mem Greg(int index) => new(Reg.Rdx, GregsOffset + 8 * index);

    /// <summary>
    /// The process's SIGSEGV and SIGBUS handler: <c>void handler(int signal, siginfo_t* info, ucontext_t* context)</c>,
    /// machine code that needs nothing but its arguments and the state block at <paramref name="state"/>
    /// (<see cref="FaultTableLayout"/>): no stack beyond its return address, no call, no lock, no allocation, nothing
    /// thread-local, so it is async-signal-safe and runs on whatever stack the signal arrives on.
    /// </summary>
    /// <remarks>
    /// <para>A fault counts as a wasm trap only when all of these hold: the kernel raised it (si_code &gt; 0), the pc is a
    /// recorded fault site of compiled code (binary searches over the current snapshot's regions, then the region's
    /// sites), and the faulting address lies inside the reservation that code assumes (within HeapBytes of r15, the
    /// memory base). Then the handler rewrites the context so the thread resumes at the function's trap path as a failed
    /// explicit check would reach it (rip = the fault entry, r11 = pc + 1, esi = MemoryOutOfBounds) and returns.</para>
    /// <para>Anything else is passed on exactly as if this handler were not installed: a previous handler is jumped to
    /// with the same three arguments (so it returns straight to the kernel's restorer, on the same stack, and sees the
    /// same context; a one-argument handler ignores the other two), and a previous SIG_DFL or SIG_IGN is put back with
    /// rt_sigaction before returning, so the faulting instruction runs again under it (a fault the kernel raises
    /// while its signal is ignored kills the process like the default action).</para>
    /// </remarks>
    public static byte[] FaultHandler(long state)
    {
        var masm = new MacroAssembler();
        MLabel regionLoop = masm.CreateLabel(), regionLower = masm.CreateLabel(), regionHigher = masm.CreateLabel();
        MLabel siteLoop = masm.CreateLabel(), siteLower = masm.CreateLabel(), siteHigher = masm.CreateLabel();
        MLabel leave = masm.CreateLabel(), segv = masm.CreateLabel(), restore = masm.CreateLabel(), done = masm.CreateLabel();
        MLabel regionFound = masm.CreateLabel();
        // rdi, rsi, rdx (the arguments) stay untouched for the previous handler; rax, rcx, r8-r11 are free.
        // Announce a reader before reading the table pointer (lock add is a full barrier): the runtime frees a
        // snapshot it replaced only when it sees no reader.
        masm.MovImm(OperandSize.S64, Reg.Rax, state);
        masm.LockedAdd(new Mem(Reg.Rax, FaultTableLayout.Active), 1);
        // Only faults the kernel raised: a SIGSEGV sent by kill() while wasm runs is not a trap.
        masm.CmpMemImm(OperandSize.S32, new Mem(Reg.Rsi, SiCode), 0);
        masm.JumpIf(Cond.LessOrEqual, leave);
        masm.Load(OperandSize.S64, Reg.Rax, new Mem(Reg.Rax, FaultTableLayout.Table));
        masm.Test(OperandSize.S64, Reg.Rax, Reg.Rax);
        masm.JumpIf(Cond.Equal, leave);
        masm.Load(OperandSize.S64, Reg.R8, Greg(RegRip));
        // Regions: lo = r10, hi = rcx, mid = r11, r9 = the first record.
        masm.Load(OperandSize.S64, Reg.Rcx, new Mem(Reg.Rax, 0));
        masm.Lea(Reg.R9, new Mem(Reg.Rax, FaultTableLayout.Regions));
        masm.MovImm(OperandSize.S32, Reg.R10, 0);
        masm.Bind(regionLoop);
        masm.Alu(AluOp.Cmp, OperandSize.S64, Reg.R10, Reg.Rcx);
        masm.JumpIf(Cond.AboveOrEqual, leave);
        masm.Lea(Reg.R11, new Mem(Reg.R10, Reg.Rcx, 1, 0));
        masm.ShiftImm(ShiftOp.Shr, OperandSize.S64, Reg.R11, 1);
        masm.ImulImm(OperandSize.S64, Reg.Rax, Reg.R11, FaultTableLayout.RegionSize);
        masm.Alu(AluOp.Add, OperandSize.S64, Reg.Rax, Reg.R9);
        masm.AluMem(AluOp.Cmp, OperandSize.S64, Reg.R8, new Mem(Reg.Rax, FaultTableLayout.RegionStart));
        masm.JumpIf(Cond.Below, regionLower);
        masm.AluMem(AluOp.Cmp, OperandSize.S64, Reg.R8, new Mem(Reg.Rax, FaultTableLayout.RegionEnd));
        masm.JumpIf(Cond.AboveOrEqual, regionHigher);
        masm.Jump(regionFound);
        masm.Bind(regionLower);
        masm.Mov(OperandSize.S64, Reg.Rcx, Reg.R11);
        masm.Jump(regionLoop);
        masm.Bind(regionHigher);
        masm.Lea(Reg.R10, new Mem(Reg.R11, 1));
        masm.Jump(regionLoop);

        // rax = the region. The faulting address must lie in the reservation based at r15: (si_addr - r15) < HeapBytes.
        masm.Bind(regionFound);
        masm.Load(OperandSize.S64, Reg.R9, new Mem(Reg.Rsi, SiAddr));
        masm.AluMem(AluOp.Sub, OperandSize.S64, Reg.R9, Greg(RegR15));
        masm.AluMem(AluOp.Cmp, OperandSize.S64, Reg.R9, new Mem(Reg.Rax, FaultTableLayout.RegionHeapBytes));
        masm.JumpIf(Cond.AboveOrEqual, leave);
        // Sites: r9 = pc - start (the key), r10 = the sites, lo = r11, hi = rcx, mid = rax.
        masm.Mov(OperandSize.S64, Reg.R9, Reg.R8);
        masm.AluMem(AluOp.Sub, OperandSize.S64, Reg.R9, new Mem(Reg.Rax, FaultTableLayout.RegionStart));
        masm.Load(OperandSize.S64, Reg.R10, new Mem(Reg.Rax, FaultTableLayout.RegionSites));
        masm.Load(OperandSize.S64, Reg.Rcx, new Mem(Reg.Rax, FaultTableLayout.RegionSiteCount));
        masm.MovImm(OperandSize.S32, Reg.R11, 0);
        masm.Bind(siteLoop);
        masm.Alu(AluOp.Cmp, OperandSize.S64, Reg.R11, Reg.Rcx);
        masm.JumpIf(Cond.AboveOrEqual, leave);
        masm.Lea(Reg.Rax, new Mem(Reg.R11, Reg.Rcx, 1, 0));
        masm.ShiftImm(ShiftOp.Shr, OperandSize.S64, Reg.Rax, 1);
        masm.AluMem(AluOp.Cmp, OperandSize.S32, Reg.R9, new Mem(Reg.R10, Reg.Rax, FaultTableLayout.SiteSize, 0));
        masm.JumpIf(Cond.Below, siteLower);
        masm.JumpIf(Cond.Above, siteHigher);

        // Found: resume at the region's start + the site's entry offset, with r11 = pc + 1 and rsi = the trap code.
        masm.Load(OperandSize.S32, Reg.Rax, new Mem(Reg.R10, Reg.Rax, FaultTableLayout.SiteSize, 4));
        masm.Lea(Reg.R11, new Mem(Reg.R8, 1));
        masm.Store(OperandSize.S64, Greg(RegR11), Reg.R11);
        masm.Alu(AluOp.Sub, OperandSize.S64, Reg.R8, Reg.R9);
        masm.Alu(AluOp.Add, OperandSize.S64, Reg.Rax, Reg.R8);
        masm.Store(OperandSize.S64, Greg(RegRip), Reg.Rax);
        masm.StoreImm(OperandSize.S64, Greg(RegRsi), (int)TrapCode.MemoryOutOfBounds);
        masm.MovImm(OperandSize.S64, Reg.Rax, state);
        masm.LockedAdd(new Mem(Reg.Rax, FaultTableLayout.Active), -1);
        masm.Ret();

        masm.Bind(siteLower);
        masm.Mov(OperandSize.S64, Reg.Rcx, Reg.Rax);
        masm.Jump(siteLoop);
        masm.Bind(siteHigher);
        masm.Lea(Reg.R11, new Mem(Reg.Rax, 1));
        masm.Jump(siteLoop);

        // Not ours: done with the table, then the previous action of this signal.
        masm.Bind(leave);
        masm.MovImm(OperandSize.S64, Reg.Rax, state);
        masm.LockedAdd(new Mem(Reg.Rax, FaultTableLayout.Active), -1);
        masm.Lea(Reg.R8, new Mem(Reg.Rax, FaultTableLayout.PreviousBus));
        masm.MovImm(OperandSize.S32, Reg.Rcx, FaultTableLayout.SigSegv);
        masm.Alu(AluOp.Cmp, OperandSize.S32, Reg.Rdi, Reg.Rcx);
        masm.JumpIf(Cond.NotEqual, segv);
        masm.Lea(Reg.R8, new Mem(Reg.Rax, FaultTableLayout.PreviousSegv));
        masm.Bind(segv);
        masm.Load(OperandSize.S64, Reg.Rax, new Mem(Reg.R8, 0));
        masm.MovImm(OperandSize.S32, Reg.Rcx, 1);
        masm.Alu(AluOp.Cmp, OperandSize.S64, Reg.Rax, Reg.Rcx);
        masm.JumpIf(Cond.BelowOrEqual, restore);
        // A handler: as if the kernel had called it (same arguments, same stack, returns to the kernel's restorer).
        masm.JumpTo(Reg.Rax);
        // SIG_DFL (0) or SIG_IGN (1): rt_sigaction(signal, previous, NULL, 8), then return, and a fault runs again
        // under it. A signal someone sent (si_code <= 0) would not come again: send it once more (kill(getpid(),
        // signal)); it stays pending until the return unblocks it, then takes the action it would have taken.
        masm.Bind(restore);
        masm.Mov(OperandSize.S64, Reg.R9, Reg.Rsi);
        masm.Mov(OperandSize.S64, Reg.Rsi, Reg.R8);
        masm.MovImm(OperandSize.S32, Reg.Rdx, 0);
        masm.MovImm(OperandSize.S32, Reg.R10, 8);
        masm.MovImm(OperandSize.S32, Reg.Rax, SysRtSigaction);
        masm.Syscall();
        masm.CmpMemImm(OperandSize.S32, new Mem(Reg.R9, SiCode), 0);
        masm.JumpIf(Cond.Greater, done);
        masm.Mov(OperandSize.S64, Reg.R10, Reg.Rdi);
        masm.MovImm(OperandSize.S32, Reg.Rax, SysGetpid);
        masm.Syscall();
        masm.Mov(OperandSize.S64, Reg.Rdi, Reg.Rax);
        masm.Mov(OperandSize.S64, Reg.Rsi, Reg.R10);
        masm.MovImm(OperandSize.S32, Reg.Rax, SysKill);
        masm.Syscall();
        masm.Bind(done);
        masm.Ret();
        return masm.Assemble().Code;
    }
}
