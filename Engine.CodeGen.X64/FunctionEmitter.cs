using Engine.Core;

namespace Engine.CodeGen.X64;

/// <summary>
/// What a compiler keeps in caller-saved registers across the calls the <see cref="FunctionEmitter"/> makes on its
/// behalf (builtins, the interruption check, functions): the emitter asks it to save them just before the call and
/// to restore them just after. The baseline saves its caller-saved pinned locals this way.
/// </summary>
public interface ICallerSavedValues
{
    /// <summary>Stores the values to the frame (before a call).</summary>
    void SaveBeforeCall();

    /// <summary>
    /// Reloads them (after a call). Only moves: eax holds the call's status or result and the flags may
    /// matter, so nothing here may change them.
    /// </summary>
    void RestoreAfterCall();
}

/// <summary>
/// The shared x86-64 layer's view of one function being compiled: the <see cref="MacroAssembler"/>, the native
/// frame and calling convention every compiled tier follows (tiers.md section 4: prologue, stack-limit check,
/// epilogue, fuel and epoch checks, on-stack-replacement entry prologues), traps (out-of-line stubs and the one
/// trap handler), calls (builtins with their exit frame, functions through their <c>VMFuncRef</c>), access to the
/// VM (globals, tables, bounds-checked memory), the wasm-semantic instruction sequences (truncations, float
/// min/max, division, SIMD: <c>FunctionEmitter.Scalar.cs</c> and <c>FunctionEmitter.Simd.cs</c>), and the artifact
/// (<see cref="Finish"/>).
/// </summary>
/// <remarks>
/// <para>The emitter knows nothing of where a compiler keeps its values: every sequence takes its operands as
/// registers, memory operands or <see cref="Operand"/>s chosen by the caller, and writes its result where the
/// caller says. Sequences may clobber the shared scratch registers, rax (<see cref="Registers.Scratch"/>), r11
/// (<see cref="Registers.Scratch2"/>) and xmm15 (<see cref="Registers.XmmScratch"/>), as each one's comment says;
/// any other temporary is a parameter. Operands may not be those scratch registers unless a comment allows it.</para>
/// <para><b>Frame</b> (offsets from rbp; the compiler lays out everything below the saved area itself):</para>
/// <code>
///  rbp + 8        return address
///  rbp            saved rbp                   &lt;- the frame pointer chain
///  rbp - 8        saved r14 (caller's vmctx)
///  rbp - 16       saved r15 (caller's memory base)
///  rbp - 24       the argument/result area pointer (rsi at entry)   = ArgsPointerOffsetFromRbp
///  rbp - 32 ...   the callee-saved registers the compiler uses (SetCalleeSaved), 8 bytes each
///  ...            padding to 16 bytes
///  rsp + ...      the compiler's frame (bodyBytes given to Finish)
///  rsp + 0        outgoing area: arguments and results of calls, builtin arguments (OutgoingSlot)
/// </code>
/// <para>Typical use: <see cref="Begin"/>, <see cref="SetCalleeSaved"/>, <see cref="EmitEntry(int)"/>, then per wasm
/// instruction <see cref="MarkOffset"/> and the compiler's code (calling the sequences), then
/// <see cref="Finish"/>. Reusable: <see cref="Begin"/> resets everything, keeping the buffers.</para>
/// </remarks>
public sealed partial class FunctionEmitter
{
    /// <summary>Where the prologue saves the argument/result area pointer: [rbp - 24].</summary>
    public const int ArgsPointerOffsetFromRbp = -24;

    /// <summary>Bytes the prologue pushes below rbp besides the compiler's callee-saved registers: r14, r15, the argument pointer.</summary>
    private const int FixedSavedArea = 24;

    private readonly ArtifactBuilder _artifact = new();
    private readonly List<TrapStub> _trapStubs = new();
    private readonly List<Action> _outOfLine = new();
    // Instructions whose 32-bit immediate becomes the frame size (the prologue's and each OSR entry's).
    private readonly List<int> _framePatches = new();
    private readonly List<Reg> _calleeSaved = new();
    private readonly List<int> _heapAccesses = new();
    // The frame below the saved area when the compiler declared it before the entries (DeclareFrame), else -1.
    private int _declaredFrame = -1;
    private bool _leaf;
    private ICallerSavedValues? _callerSaved;
    // The compiler's own (Begin's); _callerSaved differs from it only while a call saves other values.
    private ICallerSavedValues? _compilerCallerSaved;
    private ModuleInfo _module = null!;
    private uint _functionIndex;
    private MLabel _trapHandler;

    private sealed record TrapStub(MLabel Label, TrapCode Code, int WasmOffset);

    /// <summary>The assembler of the function's code.</summary>
    public MacroAssembler Masm { get; } = new();

    /// <summary>The module of the function being compiled.</summary>
    public ModuleInfo Module => _module;

    /// <summary>The function being compiled.</summary>
    public uint FunctionIndex => _functionIndex;

    /// <summary>The options the function is compiled with.</summary>
    public CompilerOptions Options { get; private set; } = CompilerOptions.Default;

    /// <summary>The instruction sets the code may use (the options'): sequences choose their forms by it.</summary>
    public CpuFeatures Features => Options.CpuFeatures;

    /// <summary>True when the code may use every one of <paramref name="features"/>.</summary>
    public bool Has(CpuFeatures features) => (Options.CpuFeatures & features) == features;

    /// <summary>The module offset of the wasm instruction being compiled (trap sites and slow paths are attributed to it).</summary>
    public int WasmOffset { get; set; }

    /// <summary>The shared epilogue: jump here with the status in eax (0 after a normal return, with the results stored).</summary>
    public MLabel Epilogue { get; private set; }

    /// <summary>Bytes pushed below rbp by the prologue: r14, r15, the argument pointer, and the callee-saved registers.</summary>
    public int SavedAreaSize => FixedSavedArea + 8 * _calleeSaved.Count;

    /// <summary>Starts a function: forgets the previous one (keeping the buffers).</summary>
    /// <param name="module">The validated module.</param>
    /// <param name="functionIndex">The defined function to compile.</param>
    /// <param name="options">The compiler options.</param>
    /// <param name="callerSaved">What the compiler keeps in caller-saved registers across calls, or null.</param>
    public void Begin(ModuleInfo module, uint functionIndex, CompilerOptions options, ICallerSavedValues? callerSaved)
    {
        Masm.Reset();
        _artifact.Reset();
        _trapStubs.Clear();
        _outOfLine.Clear();
        _framePatches.Clear();
        _calleeSaved.Clear();
        _registerEntry = null;
        _registerFrame = false;
        _declaredFrame = -1;
        _leaf = false;
        _module = module;
        _functionIndex = functionIndex;
        Options = options;
        _callerSaved = callerSaved;
        _compilerCallerSaved = callerSaved;
        WasmOffset = module.Body(functionIndex).CodeStart;
        Epilogue = Masm.CreateLabel();
        CallFailureTarget = null;
        _trapHandler = Masm.CreateLabel();
    }

    /// <summary>Drops the references to the module just compiled, so a reused emitter keeps no module alive.</summary>
    public void Forget()
    {
        _module = null!;
        _callerSaved = null;
        _compilerCallerSaved = null;
        Options = CompilerOptions.Default;
    }

    /// <summary>Sets the callee-saved registers (rbx, r12, r13) the function uses: the prologue saves them, the epilogue restores them. Before <see cref="EmitEntry(int)"/>.</summary>
    public void SetCalleeSaved(IEnumerable<Reg> registers)
    {
        _calleeSaved.Clear();
        foreach (Reg reg in registers)
        {
            if (!Registers.IsCalleeSaved(reg))
            {
                throw new ArgumentException($"{reg} is not a callee-saved register a tier may use", nameof(registers));
            }
            _calleeSaved.Add(reg);
        }
    }

    /// <summary>Frames up to this size (saved area included) allocate before their stack-limit check: <c>sub rsp; cmp rsp, limit</c>.</summary>
    /// <remarks>Far below the margin <c>NativeContext.ThreadStackLimit</c> keeps above the stack's end (256 KiB, or a quarter
    /// of a small stack), so the frame's top, written before the check (the saved registers), is always mapped.</remarks>
    public const int CheckAfterAllocationLimit = 16 * 1024;

    /// <summary>A leaf function's frame up to this size (saved area included) has no stack-limit check at all (as Cranelift's
    /// leaves without a frame): its caller's check covers it within the margin below the limit.</summary>
    public const int UncheckedLeafFrameLimit = 256;

    /// <summary>
    /// Declares the frame before the entries are emitted (after <see cref="SetCalleeSaved"/>): <paramref name="bodyBytes"/>
    /// below the saved area, as <see cref="Finish"/> will be given them, and whether the function is a <paramref name="leaf"/>
    /// (it calls nothing, builtins and interruption checks included; a trap stub is no call). The prologue then allocates
    /// the whole frame at once and checks rsp itself against the limit (<c>sub rsp, n; cmp rsp, [limit]; jb</c>) instead
    /// of <c>mov; sub; cmp; jb; sub</c>, and a small leaf's function entry has no check. A compiler that does not know
    /// its frame before emitting (the baseline) leaves this out and gets the patched prologue.
    /// </summary>
    public void DeclareFrame(int bodyBytes, bool leaf)
    {
        _declaredFrame = PaddedFrame(bodyBytes);
        _leaf = leaf;
    }

    // Everything below the saved area, keeping rsp 16-byte aligned (entry rsp is 8 mod 16).
    private int PaddedFrame(int bodyBytes) => (bodyBytes + SavedAreaSize) % 16 != 0 ? bodyBytes + 8 : bodyBytes;

    // With a declared frame: the allocation before the check, unless the frame is too large for it.
    private bool AllocatesBeforeCheck => _declaredFrame >= 0 && SavedAreaSize + _declaredFrame <= CheckAfterAllocationLimit;

        // ---- offsets, safepoints, out-of-line code ----

    /// <summary>Records that the code from here on belongs to the wasm instruction at <paramref name="wasmOffset"/>.</summary>
    public void MarkOffset(int wasmOffset) => _artifact.MarkOffset(Masm.Position, wasmOffset);

    /// <summary>Says what the wasm offsets below -1 of inlined code stand for (<see cref="ArtifactBuilder.SetInlinedPositions"/>).</summary>
    public void SetInlinedPositions(IReadOnlyList<(int WasmOffset, int InlinedFrame)> positions, InlinedFrame[] frames) =>
        _artifact.SetInlinedPositions(positions, frames);

    /// <summary>Records a safepoint whose key is the return address of the call just emitted: the frame slots (8-byte units from rsp) holding live references.</summary>
    public void RecordSafepoint(int[] liveSlots) => _artifact.AddSafepoint(Masm.Position, liveSlots);

    /// <summary>Emits <paramref name="emit"/> after the function's body (slow paths), in order of request, before the trap stubs.</summary>
    public void AddOutOfLine(Action emit) => _outOfLine.Add(emit);

    /// <summary>
    /// Registers an on-stack-replacement entry at <paramref name="entry"/> (a label the compiler binds out of line,
    /// typically with <see cref="EmitOsrEntryPrologue"/>) for the loop at <paramref name="loopOffset"/>.
    /// </summary>
    public void AddOsrEntry(int loopOffset, MLabel entry, OsrState state) => _artifact.AddOsrEntry(loopOffset, entry, state);

    /// <summary>
    /// <see cref="AddOsrEntry(int, MLabel, OsrState)"/>, and where the function's frame holds the state at the loop's tier-up
    /// check (<see cref="OsrEntry.FrameSlots"/>: the activation may leave for the next tier there).
    /// </summary>
    public void AddOsrEntry(int loopOffset, MLabel entry, OsrState state, int[]? frameSlots) =>
        _artifact.AddOsrEntry(loopOffset, entry, state, frameSlots);

    // ---- traps ----

    /// <summary>Branches to an out-of-line trap when <paramref name="cond"/> holds.</summary>
    public void TrapIf(Cond cond, TrapCode code)
    {
        MLabel stub = Masm.CreateLabel();
        Masm.JumpIf(cond, stub);
        _trapStubs.Add(new TrapStub(stub, code, WasmOffset));
    }

    /// <summary>Traps unconditionally.</summary>
    public void Trap(TrapCode code)
    {
        MLabel stub = Masm.CreateLabel();
        Masm.Jump(stub);
        _trapStubs.Add(new TrapStub(stub, code, WasmOffset));
    }

    // ---- frame ----

    /// <summary>
    /// The function's entry (and an OSR entry's): marks <paramref name="wasmOffset"/>, pushes rbp (the frame pointer),
    /// r14, r15, the argument pointer (rsi) and the callee-saved registers, loads r14 = vmctx (rdi), checks the
    /// stack limit and allocates the frame (its size patched in by <see cref="Finish"/>), and loads r15 = memory 0's
    /// base when the module has a memory. rsi still points to the argument area afterwards.
    /// </summary>
    public void EmitEntry(int wasmOffset) => EmitEntry(wasmOffset, osr: false);

    private void EmitEntry(int wasmOffset, bool osr)
    {
        MarkOffset(wasmOffset);
        EmitSaveRegisters();
        if (AllocatesBeforeCheck)
        {
            Masm.AluImm(AluOp.Sub, OperandSize.S64, Reg.Rsp, _declaredFrame);
            EmitStackCheckAfterAllocation(osr);
        }
        else
        {
            EmitFrameSetup();
        }
        if (_module.Memories.Count > 0)
        {
            Masm.Load(OperandSize.S64, Registers.MemoryBase, new Mem(Registers.Vmctx, VMOffsets.MemoryBase));
        }
    }

    /// <summary>
    /// Makes the function's frame a <b>register frame</b> (tiers.md section 5), before any entry is emitted: it is entered
    /// only from code of this instance (r14 and r15 already hold its vmctx and memory base, and keep them), its arguments
    /// and results are in registers, and the epilogue restores the callee-saved registers and rbp only. Its native entry
    /// and OSR entries are adapters (<see cref="EmitNativeAdapter"/>). The saved area keeps its size and layout (the slots
    /// of r14, r15 and the argument pointer are left as they are), so frame sizes, stack maps and walks are unchanged.
    /// </summary>
    public void UseRegisterFrame() => _registerFrame = true;

    /// <summary>
    /// Binds an entry of a register frame at <paramref name="entry"/> and emits its prologue: rbp, the saved area (the
    /// argument pointer slot holds rsi for an OSR entry, <paramref name="osr"/>, whose state area rsi points to), the
    /// callee-saved registers, the stack-limit check and the frame. Touches only rax: the arguments stay in their registers.
    /// The function's register entry (<paramref name="osr"/> false) is recorded in the artifact
    /// (<see cref="CompiledFunction.RegisterEntryOffset"/>).
    /// </summary>
    public void EmitRegisterEntry(MLabel entry, int wasmOffset, bool osr = false)
    {
        Masm.Bind(entry);
        if (!osr)
        {
            _registerEntry = entry;
        }
        MarkOffset(wasmOffset);
        Masm.Push(Reg.Rbp);
        Masm.Mov(OperandSize.S64, Reg.Rbp, Reg.Rsp);
        if (AllocatesBeforeCheck)
        {
            // One allocation for the saved area and the frame; the callee-saved registers go to their slots (as pushed).
            Masm.AluImm(AluOp.Sub, OperandSize.S64, Reg.Rsp, SavedAreaSize + _declaredFrame);
            if (osr)
            {
                Masm.Store(OperandSize.S64, new Mem(Reg.Rbp, ArgsPointerOffsetFromRbp), Reg.Rsi);
            }
            for (int i = 0; i < _calleeSaved.Count; i++)
            {
                Masm.Store(OperandSize.S64, new Mem(Reg.Rbp, ArgsPointerOffsetFromRbp - 8 - 8 * i), _calleeSaved[i]);
            }
            EmitStackCheckAfterAllocation(osr);
            return;
        }
        if (osr)
        {
            Masm.AluImm(AluOp.Sub, OperandSize.S64, Reg.Rsp, FixedSavedArea - 8);
            Masm.Push(Reg.Rsi);
        }
        else
        {
            Masm.AluImm(AluOp.Sub, OperandSize.S64, Reg.Rsp, FixedSavedArea);
        }
        foreach (Reg reg in _calleeSaved)
        {
            Masm.Push(reg);
        }
        EmitFrameSetup();
    }

    /// <summary>
    /// A native entry of a function with a register frame, bound at <paramref name="entry"/>: a frame of its own with the
    /// native signature (rdi = vmctx, rsi = the argument area; r14 and r15 saved and loaded), which loads the arguments
    /// (<paramref name="loadArguments"/>, from rsi; nothing for an OSR entry, whose body reads the state through rsi),
    /// calls <paramref name="target"/> (the register frame's entry), stores the results back to the area after a normal
    /// return (<paramref name="storeResults"/>, with r11 = the area) and returns the status. Its call's return address is
    /// recorded (<see cref="CompiledFunction.AdapterReturnOffsets"/>): backtraces leave its frame out.
    /// </summary>
    public void EmitNativeAdapter(MLabel entry, int wasmOffset, MLabel target, Action loadArguments, Action storeResults)
    {
        Masm.Bind(entry);
        MarkOffset(wasmOffset);
        Masm.Push(Reg.Rbp);
        Masm.Mov(OperandSize.S64, Reg.Rbp, Reg.Rsp);
        Masm.Push(Reg.R14);
        Masm.Push(Reg.R15);
        Masm.Push(Reg.Rsi);
        // rsp 16-byte aligned at the call (entry rsp is 8 mod 16).
        Masm.AluImm(AluOp.Sub, OperandSize.S64, Reg.Rsp, 8);
        Masm.Mov(OperandSize.S64, Registers.Vmctx, Reg.Rdi);
        if (_module.Memories.Count > 0)
        {
            Masm.Load(OperandSize.S64, Registers.MemoryBase, new Mem(Registers.Vmctx, VMOffsets.MemoryBase));
        }
        loadArguments();
        Masm.CallLabel(target);
        _artifact.AddAdapterReturn(Masm.Position);
        MLabel done = Masm.CreateLabel();
        Masm.Test(OperandSize.S32, Reg.Rax, Reg.Rax);
        Masm.JumpIf(Cond.NotEqual, done);
        Masm.Load(OperandSize.S64, Reg.R11, new Mem(Reg.Rbp, ArgsPointerOffsetFromRbp));
        storeResults();
        Masm.Bind(done);
        Masm.Lea(Reg.Rsp, new Mem(Reg.Rbp, -16));
        Masm.Pop(Registers.MemoryBase);
        Masm.Pop(Registers.Vmctx);
        Masm.Pop(Reg.Rbp);
        Masm.Ret();
    }

    private MLabel? _registerEntry;
    private bool _registerFrame;

    /// <summary>
    /// Binds an on-stack-replacement entry and emits its prologue (<see cref="EmitEntry(int)"/>): afterwards rsi points to
    /// the wasm state at the loop header (<see cref="OsrState"/>), which the compiler copies to where it keeps the
    /// locals and operands before jumping to the loop.
    /// </summary>
    public void EmitOsrEntryPrologue(MLabel entry, int loopOffset)
    {
        Masm.Bind(entry);
        EmitEntry(loopOffset, osr: true);
    }

    private void EmitSaveRegisters()
    {
        Masm.Push(Reg.Rbp);
        Masm.Mov(OperandSize.S64, Reg.Rbp, Reg.Rsp);
        Masm.Push(Reg.R14);
        Masm.Push(Reg.R15);
        Masm.Push(Reg.Rsi);
        foreach (Reg reg in _calleeSaved)
        {
            Masm.Push(reg);
        }
        Masm.Mov(OperandSize.S64, Registers.Vmctx, Reg.Rdi);
    }

    /// <summary>Allocates the frame after checking the stack limit (the frame size is patched in at the end).</summary>
    private void EmitFrameSetup()
    {
        MLabel overflow = Masm.CreateLabel();
        _framePatches.Add(Masm.RspMinusPatchable(Reg.Rax));
        Masm.AluMem(AluOp.Cmp, OperandSize.S64, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.StackLimit));
        Masm.JumpIf(Cond.Below, overflow);
        _framePatches.Add(Masm.SubRspPatchable());
        MLabel resume = Masm.CreateLabel();
        Masm.Bind(resume);
        int wasmOffset = _module.Body(_functionIndex).CodeStart;
        int savedArea = SavedAreaSize;
        _outOfLine.Add(() =>
        {
            // rsp is rbp - (saved area) here: realign, then trap like any other site.
            Masm.Bind(overflow);
            MarkOffset(wasmOffset);
            if (savedArea % 16 != 0)
            {
                Masm.AluImm(AluOp.Sub, OperandSize.S64, Reg.Rsp, 8);
            }
            Masm.MovImm(OperandSize.S32, Reg.Rsi, (int)TrapCode.StackExhausted);
            Masm.CallLabel(_trapHandler);
            _artifact.AddTrapSite(Masm.Position, TrapCode.StackExhausted, wasmOffset);
        });
    }

    /// <summary>
    /// The stack-limit check of a declared frame, allocated already: <c>cmp rsp, [vmctx + StackLimit]; jb overflow</c>.
    /// None at a small leaf's function entry (<see cref="UncheckedLeafFrameLimit"/>); an OSR entry, entered from the
    /// runtime, always checks.
    /// </summary>
    private void EmitStackCheckAfterAllocation(bool osr)
    {
        if (_leaf && !osr && SavedAreaSize + _declaredFrame <= UncheckedLeafFrameLimit)
        {
            return;
        }
        MLabel overflow = Masm.CreateLabel();
        Masm.AluMem(AluOp.Cmp, OperandSize.S64, Reg.Rsp, new Mem(Registers.Vmctx, VMOffsets.StackLimit));
        Masm.JumpIf(Cond.Below, overflow);
        int wasmOffset = _module.Body(_functionIndex).CodeStart;
        _outOfLine.Add(() =>
        {
            // rsp is the frame's bottom, 16-byte aligned: trap like any other site.
            Masm.Bind(overflow);
            MarkOffset(wasmOffset);
            Masm.MovImm(OperandSize.S32, Reg.Rsi, (int)TrapCode.StackExhausted);
            Masm.CallLabel(_trapHandler);
            _artifact.AddTrapSite(Masm.Position, TrapCode.StackExhausted, wasmOffset);
        });
    }

    /// <summary>
    /// The epoch and fuel checks the options ask for (function entry and loop headers, as the interpreter does
    /// them): <c>*EpochCounter &gt;= EpochDeadline</c> and one unit of fuel (<c>sub; js</c>), each with an
    /// out-of-line call of the interruption builtin, a safepoint listing <paramref name="liveSlots"/>. Clobbers rax, r11.
    /// </summary>
    public void EmitInterruptChecks(int[] liveSlots) => EmitInterruptChecks(liveSlots, _compilerCallerSaved);

    /// <summary>
    /// <see cref="EmitInterruptChecks(int[])"/> whose slow path saves and restores <paramref name="keep"/> around its call
    /// (a compiler that keeps values in caller-saved registers across the check: the slow path is rare, the check frequent).
    /// </summary>
    public void EmitInterruptChecks(int[] liveSlots, ICallerSavedValues? keep)
    {
        if (Options.EpochChecks)
        {
            MLabel slow = Masm.CreateLabel();
            MLabel back = Masm.CreateLabel();
            Masm.Load(OperandSize.S64, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.EpochCounter));
            Masm.Load(OperandSize.S64, Reg.Rax, new Mem(Reg.Rax, 0));
            Masm.AluMem(AluOp.Cmp, OperandSize.S64, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.EpochDeadline));
            Masm.JumpIf(Cond.GreaterOrEqual, slow);
            Masm.Bind(back);
            AddInterruptSlowPath(slow, back, liveSlots, keep);
        }
        if (Options.Fuel)
        {
            MLabel slow = Masm.CreateLabel();
            MLabel back = Masm.CreateLabel();
            Masm.Load(OperandSize.S64, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.FuelCounter));
            Masm.Load(OperandSize.S64, Reg.R11, new Mem(Reg.Rax, 0));
            Masm.AluImm(AluOp.Sub, OperandSize.S64, Reg.R11, 1);
            Masm.Store(OperandSize.S64, new Mem(Reg.Rax, 0), Reg.R11);
            Masm.JumpIf(Cond.Sign, slow);
            Masm.Bind(back);
            AddInterruptSlowPath(slow, back, liveSlots, keep);
        }
    }

    private void AddInterruptSlowPath(MLabel slow, MLabel back, int[] liveSlots, ICallerSavedValues? keep)
    {
        int wasmOffset = WasmOffset;
        _outOfLine.Add(() =>
        {
            Masm.Bind(slow);
            MarkOffset(wasmOffset);
            EmitBuiltinCall(BuiltinId.CheckInterrupt, liveSlots, 0, keep);
            EmitStatusCheck();
            Masm.Jump(back);
        });
    }

    /// <summary>
    /// The tier-up counter (<see cref="CompilerOptions.TierUpCounters"/>) at the function's entry (<paramref name="loopOffset"/>
    /// -1) or at the header of the loop at <paramref name="loopOffset"/>: <c>sub dword [counters + 4 * defined index], 1</c>
    /// and, when it is spent, an out-of-line call of <see cref="BuiltinId.TierUp"/> (a safepoint listing
    /// <paramref name="liveSlots"/>) after <paramref name="beforeCall"/> (which may store what the state at a loop needs in
    /// the frame). The builtin may finish the activation in the next tier: then the function returns status 0 with the
    /// results already in its argument area. Nothing when the options ask for no counters. Clobbers rax, r11.
    /// </summary>
    public void EmitTierUpCheck(int loopOffset, int[] liveSlots, Action? beforeCall = null)
    {
        if (!Options.TierUpCounters)
        {
            return;
        }
        MLabel slow = Masm.CreateLabel();
        MLabel back = Masm.CreateLabel();
        int defined = (int)_functionIndex - _module.ImportedFunctionCount;
        Masm.Load(OperandSize.S64, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.TierUpCounters));
        Masm.AluMemImm(AluOp.Sub, OperandSize.S32, new Mem(Reg.Rax, 4 * defined), 1);
        Masm.JumpIf(Cond.LessOrEqual, slow);
        Masm.Bind(back);
        int wasmOffset = WasmOffset;
        uint functionIndex = _functionIndex;
        _outOfLine.Add(() =>
        {
            Masm.Bind(slow);
            MarkOffset(wasmOffset);
            beforeCall?.Invoke();
            Masm.StoreImm(OperandSize.S32, OutgoingSlot(0), (int)functionIndex);
            Masm.StoreImm(OperandSize.S32, OutgoingSlot(1), loopOffset);
            EmitBuiltinCall(BuiltinId.TierUp, liveSlots, 2);
            MLabel finished = Masm.CreateLabel();
            Masm.AluImm(AluOp.Cmp, OperandSize.S32, Reg.Rax, Builtins.TierUpFinished);
            Masm.JumpIf(Cond.Equal, finished);
            EmitStatusCheck();
            Masm.Jump(back);
            Masm.Bind(finished);
            Masm.MovImm(OperandSize.S32, Reg.Rax, 0);
            Masm.Jump(Epilogue);
        });
    }

    /// <summary>
    /// Restores the callee-saved registers, r15, r14 and rbp and leaves rsp at the return address: the frame is gone (the
    /// epilogue before its <c>ret</c>, and a tail call before its <c>jmp</c>). Keeps every other register.
    /// </summary>
    private void EmitFrameTeardown()
    {
        for (int i = 0; i < _calleeSaved.Count; i++)
        {
            Masm.Load(OperandSize.S64, _calleeSaved[i], new Mem(Reg.Rbp, ArgsPointerOffsetFromRbp - 8 - 8 * i));
        }
        if (_registerFrame)
        {
            // r14 and r15 are the caller's own (the same instance's): nothing to restore.
            Masm.Mov(OperandSize.S64, Reg.Rsp, Reg.Rbp);
        }
        else
        {
            Masm.Lea(Reg.Rsp, new Mem(Reg.Rbp, -16));
            Masm.Pop(Registers.MemoryBase);
            Masm.Pop(Registers.Vmctx);
        }
        Masm.Pop(Reg.Rbp);
    }

    /// <summary>
    /// A return in place: the epilogue's teardown and <c>ret</c> where the function returns, instead of a jump to the shared
    /// <see cref="Epilogue"/> (eax holds the status, the results are stored).
    /// </summary>
    public void EmitReturn()
    {
        EmitFrameTeardown();
        Masm.Ret();
    }

    /// <summary>Propagates a pending trap or exception: <c>test eax, eax; jnz epilogue</c> (after a call that returns a status).</summary>
    public void EmitStatusCheck()
    {
        Masm.Test(OperandSize.S32, Reg.Rax, Reg.Rax);
        Masm.JumpIf(Cond.NotEqual, Epilogue);
    }

    /// <summary>Slot <paramref name="slot"/> (8 bytes each) of the outgoing area at the bottom of the frame.</summary>
    public static Mem OutgoingSlot(int slot) => Mem.Frame(8 * slot);

    // ---- finishing ----

    /// <summary>
    /// Emits the out-of-line code (slow paths, then the trap stubs and the shared trap handler), then the epilogue;
    /// sizes the frame (<paramref name="bodyBytes"/> below the saved area, rounded so rsp stays 16-byte aligned),
    /// assembles, and builds the artifact. The code falling off the end of the body must not reach here: jump to
    /// <see cref="Epilogue"/> first.
    /// </summary>
    public CompiledFunction Finish(int bodyBytes)
    {
        for (int i = 0; i < _outOfLine.Count; i++)
        {
            _outOfLine[i]();
        }
        foreach (TrapStub stub in _trapStubs)
        {
            Masm.Bind(stub.Label);
            MarkOffset(stub.WasmOffset);
            Masm.MovImm(OperandSize.S32, Reg.Rsi, (int)stub.Code);
            Masm.CallLabel(_trapHandler);
            _artifact.AddTrapSite(Masm.Position, stub.Code, stub.WasmOffset);
        }
        if (Options.BoundsChecks == BoundsCheckStrategy.GuardPages)
        {
            // Every heap access may fault past the accessible size: each is a trap site the fault handler knows.
            _heapAccesses.Clear();
            Masm.CollectHeapAccesses(_heapAccesses);
            foreach (int position in _heapAccesses)
            {
                _artifact.AddFaultSite(position, TrapCode.MemoryOutOfBounds);
            }
        }
        if (_artifact.TrapSiteCount > 0)
        {
            // [rsp] = the stub's return address, the pc of the trap; rsp is the frame's bottom again after the pop.
            Masm.Bind(_trapHandler);
            Masm.Pop(Reg.R11);
            // The fault handler enters here after a faulting heap access, with r11 = the pc and esi = the code set in
            // the thread's context: rsp is the frame's bottom too (the body never moves it), so from here on a fault
            // and a failed check take the same path.
            MLabel faultEntry = Masm.CreateLabel();
            Masm.Bind(faultEntry);
            _artifact.SetFaultEntry(faultEntry);
            Masm.Load(OperandSize.S64, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.StoreContext));
            Masm.Store(OperandSize.S64, new Mem(Reg.Rax, VMOffsets.StoreExitFp), Reg.Rbp);
            Masm.Store(OperandSize.S64, new Mem(Reg.Rax, VMOffsets.StoreExitPc), Reg.R11);
            Masm.Mov(OperandSize.S64, Reg.Rdi, Registers.Vmctx);
            Masm.Load(OperandSize.S64, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.Builtins));
            Masm.CallMem(new Mem(Reg.Rax, 8 * (int)BuiltinId.Trap));
        }
        // Epilogue: eax holds the status (0 after a normal return).
        Masm.Bind(Epilogue);
        EmitFrameTeardown();
        Masm.Ret();
        MLabel? literals = Masm.EmitLiterals();

        int frame = PaddedFrame(bodyBytes);
        if (_declaredFrame >= 0 && frame != _declaredFrame)
        {
            throw new InvalidOperationException($"the frame declared before the entries ({_declaredFrame} bytes) is not the one finished ({frame})");
        }
        foreach (int patch in _framePatches)
        {
            Masm.PatchImm32(patch, frame);
        }
        MacroAssembler.Output output = Masm.Assemble();
        FunctionBody body = _module.Body(_functionIndex);
        return _artifact.Build(output, _functionIndex, frame + SavedAreaSize, body.End - body.Start, Options.CpuFeatures,
            Options.BoundsChecks, literals is { } pool ? output.LabelOffset(pool) : -1, _registerEntry);
    }
}
