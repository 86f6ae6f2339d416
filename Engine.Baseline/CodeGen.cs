using System.Numerics;
using System.Runtime.InteropServices;
using Engine.Core;
using Engine.Gc;

namespace Engine.Baseline;

/// <summary>
/// The code-generation context of the baseline compiler: the lazy value stack, the register allocator,
/// the frame, control frames, and the bookkeeping the artifact needs (stack maps, trap sites, the offset
/// map). Operator methods (<see cref="BaselineVisitor"/>) call it; it calls the <see cref="MacroAssembler"/>.
/// </summary>
/// <remarks>
/// <para><b>Frame</b> (offsets from rsp after the prologue, which stays fixed in the body):</para>
/// <code>
///  rbp + 8        return address
///  rbp            saved rbp
///  rbp - 8        saved r14 (caller's vmctx)
///  rbp - 16       saved r15 (caller's memory base)
///  rbp - 24       the argument/result area pointer (rsi at entry)
///  ...            padding to 16 bytes
///  rsp + H + S*i  home slot of operand-stack position i (H = HomesOffset; S = 16 where a v128 may live, else 8)
///  rsp + L + ...  the locals, parameters first, 8 bytes each, 16 for a v128 (L = LocalsOffset)
///  rsp + 0        outgoing area: arguments and results of calls, arguments of builtins
/// </code>
/// <para><b>Values</b>: an entry of the value stack is a constant, a local read (both lazy: no code until
/// used), a register, its home slot, or a compare's flags. Registers are all caller-saved; before a call
/// every register entry goes to its home slot, so references live across calls sit in frame slots the
/// stack map lists. At block boundaries every entry goes home, so every path into a label agrees: entries
/// below the label's base in their homes, the label's values in the homes from its base.</para>
/// </remarks>
internal sealed partial class CodeGen
{
    public const int ArgsPointerOffsetFromRbp = -24;

    // For experiments: WASM_BASELINE_NO_PINNING=1 keeps every local in its frame slot.
    private static readonly bool s_noPinning = Environment.GetEnvironmentVariable("WASM_BASELINE_NO_PINNING") == "1";

    /// <summary>Bytes pushed below rbp by the prologue: r14, r15, the argument pointer, and the callee-saved registers of pinned locals.</summary>
    private int _savedAreaSize = 24;

    // Locals pinned in a register for the whole function (Reg.None when in their frame slot), the
    // callee-saved registers the prologue saves for them, and the caller-saved ones saved around calls.
    private Reg[] _localRegs = [];
    private readonly List<Reg> _calleeSavedPinned = new();
    private readonly List<(int Local, Reg Reg)> _callerSavedPinned = new();

    public readonly MacroAssembler Masm = new();

    private ModuleInfo _module = null!;
    private FuncType _type = null!;
    private CompilerOptions _options = null!;
    private uint _functionIndex;
    private ValType[] _localTypes = [];
    private int _localCount;
    // Byte offset from rsp of each local's slot (a v128 local takes two slots), and the slots of all locals.
    private int[] _localOffsets = [];
    private int _localSlots;
    // Bytes per operand-stack home slot: 16 in functions that may hold v128 values, else 8.
    private int _homeStride = 8;

    private StackValue[] _stack = new StackValue[64];
    private int _height;
    private int _maxHeight;
    private int _flagsAt = -1;

    private uint _freeGprs;
    private uint _freeXmms;

    public int OutAreaSlots { get; private set; }
    public int LocalsOffset { get; private set; }
    public int HomesOffset { get; private set; }

    private readonly List<Control> _controls = new();
    private int _controlDepth;
    private bool _unreachable;

    private int _wasmOffset;
    private readonly List<(int Position, int WasmOffset)> _offsetMarks = new();
    private readonly List<(int Position, int[] Slots)> _safepoints = new();
    private readonly List<TrapStub> _trapStubs = new();
    private readonly List<Action> _outOfLine = new();
    private readonly List<(int Position, TrapCode Code, int WasmOffset)> _trapSites = new();
    private readonly List<int> _liveRefs = new();
    private readonly List<(int LoopOffset, MLabel Entry, OsrState State)> _osrEntries = new();

    private MLabel _epilogue;
    private MLabel _trapHandler;
    // Instructions whose 32-bit immediate becomes the frame size (the prologue's and each OSR entry's).
    private readonly List<int> _framePatches = new();

    private sealed record TrapStub(MLabel Label, TrapCode Code, int WasmOffset);

    /// <summary>Set when the function uses something the tier does not compile.</summary>
    public string? Unsupported { get; private set; }

    public bool Unreachable => _unreachable;

    public int WasmOffset
    {
        get => _wasmOffset;
        set => _wasmOffset = value;
    }

    // ---- set-up ----

    /// <summary>Drops the references to the module just compiled, so the reused context keeps no module alive.</summary>
    public void Forget()
    {
        _module = null!;
        _type = null!;
        _options = null!;
    }

    public void Begin(ModuleInfo module, uint functionIndex, CompilerOptions options)
    {
        Masm.Reset();
        Unsupported = null;
        _offsetMarks.Clear();
        _safepoints.Clear();
        _trapStubs.Clear();
        _outOfLine.Clear();
        _trapSites.Clear();
        _osrEntries.Clear();
        _framePatches.Clear();
        KeepFlags = false;
        _module = module;
        _functionIndex = functionIndex;
        _options = options;
        _type = module.FunctionType(functionIndex);
        FunctionBody body = module.Body(functionIndex);
        _localCount = _type.Params.Length + body.Locals.Length;
        _localTypes = new ValType[_localCount];
        _type.Params.CopyTo(_localTypes, 0);
        body.Locals.CopyTo(_localTypes, _type.Params.Length);
        bool usesV128 = UsesV128(module, body, _localTypes);
        if (usesV128 && !System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            NotSupported("SIMD on a processor without AVX2");
        }
        OutAreaSlots = OutgoingSlots(module);
        LocalsOffset = OutAreaSlots * 8;
        _localOffsets = new int[_localCount];
        _localSlots = 0;
        for (int i = 0; i < _localCount; i++)
        {
            _localOffsets[i] = LocalsOffset + 8 * _localSlots;
            _localSlots += SlotsOf(_localTypes[i]);
        }
        _homeStride = usesV128 ? 16 : 8;
        HomesOffset = LocalsOffset + _localSlots * 8;
        _height = 0;
        _maxHeight = 0;
        _flagsAt = -1;
        _freeGprs = 0;
        foreach (Reg r in Registers.AllocatableGprs)
        {
            _freeGprs |= 1u << r.Number;
        }
        _freeXmms = 0;
        foreach (Reg r in Registers.AllocatableXmms)
        {
            _freeXmms |= 1u << r.Number;
        }
        ChoosePinnedLocals(module, functionIndex);
        _controlDepth = 0;
        _unreachable = false;
        _epilogue = Masm.CreateLabel();
        _trapHandler = Masm.CreateLabel();
        EmitPrologue();
        Control function = PushControl(ControlKind.Function, [], _type.Results);
        function.Label = _epilogue;
        EmitEntryChecks();
    }

    public void NotSupported(string what) => Unsupported ??= what;

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ModuleInfo, System.Runtime.CompilerServices.StrongBox<int>> s_outgoingSlots = new();

    /// <summary>The outgoing area's size: any call's arguments and results (the largest type of the module), at least 6 builtin arguments. Computed once per module.</summary>
    private static int OutgoingSlots(ModuleInfo module) => s_outgoingSlots.GetValue(module, m =>
    {
        int slots = 6;
        foreach (FuncType type in m.Types)
        {
            slots = Math.Max(slots, Math.Max(FunctionInstance.SlotsOf(type.Params), FunctionInstance.SlotsOf(type.Results)));
        }
        return new System.Runtime.CompilerServices.StrongBox<int>(slots);
    }).Value;

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ModuleInfo, System.Runtime.CompilerServices.StrongBox<bool>> s_moduleV128 = new();

    /// <summary>
    /// True when the function may hold a v128 value: a v128 local, a SIMD operator (the 0xFD prefix anywhere in
    /// its body, a cheap over-approximation), or a type or global of the module with v128 (calls, blocks, globals).
    /// </summary>
    private static bool UsesV128(ModuleInfo module, FunctionBody body, ValType[] localTypes)
    {
        if (Array.IndexOf(localTypes, ValType.V128) >= 0 || module.Bytes.AsSpan(body.CodeStart, body.End - body.CodeStart).IndexOf((byte)0xFD) >= 0)
        {
            return true;
        }
        return s_moduleV128.GetValue(module, m =>
        {
            bool any = m.Types.Any(t => t.Params.Contains(ValType.V128) || t.Results.Contains(ValType.V128))
                || m.Globals.Any(g => g.Type == ValType.V128);
            return new System.Runtime.CompilerServices.StrongBox<bool>(any);
        }).Value;
    }

    private static int SlotsOf(ValType type) => type == ValType.V128 ? 2 : 1;

    public Mem LocalSlot(int index) => Mem.Frame(_localOffsets[index]);

    public Mem HomeSlot(int position) => Mem.Frame(HomesOffset + _homeStride * position);

    /// <summary>Copies one value of <paramref name="type"/> between memory slots through a scratch register (only movs).</summary>
    private void CopyValue(Mem dst, Mem src, ValType type)
    {
        if (type == ValType.V128)
        {
            Masm.LoadV(Reg.XmmScratch, src);
            Masm.StoreV(dst, Reg.XmmScratch);
        }
        else
        {
            Masm.Load(true, Reg.Rax, src);
            Masm.Store(true, dst, Reg.Rax);
        }
    }

    private static Mem OutSlot(int slot) => Mem.Frame(8 * slot);

    public ValType LocalType(uint index) => _localTypes[index];

    /// <summary>The register local <paramref name="index"/> is pinned in, or false when it lives in its frame slot.</summary>
    public bool IsPinned(int index, out Reg reg)
    {
        reg = _localRegs[index];
        return reg != Reg.None;
    }

    /// <summary>
    /// Pins the most used numeric locals (weighted by loop depth) in registers for the whole function:
    /// integers in rbx, r12, r13 (callee-saved: saved by the prologue), then r10, r9, r8; floats in
    /// xmm13..xmm8. Caller-saved ones are stored to their slots before calls and reloaded after. A local's
    /// place never changes, so control-flow merges need nothing for locals.
    /// </summary>
    private void ChoosePinnedLocals(ModuleInfo module, uint functionIndex)
    {
        _localRegs = new Reg[_localCount];
        Array.Fill(_localRegs, Reg.None);
        _calleeSavedPinned.Clear();
        _callerSavedPinned.Clear();
        _savedAreaSize = 24;
        if (_localCount == 0 || s_noPinning)
        {
            return;
        }
        var weights = new long[_localCount];
        FunctionBody body = module.Body(functionIndex);
        var reader = new WasmReader(module.Bytes, body.CodeStart, body.End);
        var scan = new LocalUsageScan(weights);
        while (!scan.Done)
        {
            reader.ReadOperator(ref scan);
        }
        int[] order = Enumerable.Range(0, _localCount).Where(i => weights[i] >= 2).OrderByDescending(i => weights[i]).ToArray();
        Reg[] integerRegs = [Reg.Rbx, Reg.R12, Reg.R13, Reg.R10, Reg.R9, Reg.R8];
        Reg[] floatRegs = [Reg.Xmm(13), Reg.Xmm(12), Reg.Xmm(11), Reg.Xmm(10), Reg.Xmm(9), Reg.Xmm(8)];
        int nextInteger = 0, nextFloat = 0;
        foreach (int local in order)
        {
            ValType type = _localTypes[local];
            Reg reg;
            if (type is ValType.I32 or ValType.I64 && nextInteger < integerRegs.Length)
            {
                reg = integerRegs[nextInteger++];
            }
            else if (type is ValType.F32 or ValType.F64 && nextFloat < floatRegs.Length)
            {
                reg = floatRegs[nextFloat++];
            }
            else
            {
                continue;
            }
            _localRegs[local] = reg;
            if (reg == Reg.Rbx || reg == Reg.R12 || reg == Reg.R13)
            {
                _calleeSavedPinned.Add(reg);
                _savedAreaSize += 8;
            }
            else
            {
                _callerSavedPinned.Add((local, reg));
                if (reg.IsFloat)
                {
                    _freeXmms &= ~(1u << reg.Number);
                }
                else
                {
                    _freeGprs &= ~(1u << reg.Number);
                }
            }
        }
    }

    /// <summary>Pushes rbp (the frame pointer), r14, r15, the argument pointer and the callee-saved registers of pinned locals.</summary>
    private void EmitSaveRegisters()
    {
        Masm.Push(Reg.Rbp);
        Masm.Mov(true, Reg.Rbp, Reg.Rsp);
        Masm.Push(Reg.R14);
        Masm.Push(Reg.R15);
        Masm.Push(Reg.Rsi);
        foreach (Reg reg in _calleeSavedPinned)
        {
            Masm.Push(reg);
        }
        Masm.Mov(true, Registers.Vmctx, Reg.Rdi);
    }

    private void EmitPrologue()
    {
        MarkOffset(_module.Body(_functionIndex).CodeStart);
        EmitSaveRegisters();
        EmitFrameSetup();
        if (_module.Memories.Count > 0)
        {
            Masm.Load(true, Registers.MemoryBase, new Mem(Registers.Vmctx, VMOffsets.MemoryBase));
        }
        // Parameters from the argument area, declared locals zeroed (wasm semantics; ref slots never stale).
        int slot = 0;
        for (int i = 0; i < _type.Params.Length; i++)
        {
            if (IsPinned(i, out Reg reg))
            {
                LoadValue(reg, _localTypes[i], new Mem(Reg.Rsi, 8 * slot));
            }
            else
            {
                CopyValue(LocalSlot(i), new Mem(Reg.Rsi, 8 * slot), _localTypes[i]);
            }
            slot += SlotsOf(_type.Params[i]);
        }
        for (int i = _type.Params.Length; i < _localCount; i++)
        {
            if (IsPinned(i, out Reg reg))
            {
                if (reg.IsFloat)
                {
                    Masm.SseBits(SseBitOp.Xor, reg, reg);
                }
                else
                {
                    Masm.MovImm(false, reg, 0);
                }
            }
        }
        ZeroLocals(_type.Params.Length, _localCount);
    }

    /// <summary>Stores the caller-saved pinned locals to their slots (before a call).</summary>
    private void SavePinnedAroundCall()
    {
        foreach (var (local, reg) in _callerSavedPinned)
        {
            StoreValue(LocalSlot(local), _localTypes[local], reg);
        }
    }

    /// <summary>Reloads the caller-saved pinned locals from their slots (after a call).</summary>
    private void RestorePinnedAfterCall()
    {
        foreach (var (local, reg) in _callerSavedPinned)
        {
            LoadValue(reg, _localTypes[local], LocalSlot(local));
        }
    }

    /// <summary>Allocates the frame after checking the stack limit (the frame size is patched in at the end).</summary>
    private void EmitFrameSetup()
    {
        MLabel overflow = Masm.CreateLabel();
        _framePatches.Add(Masm.RspMinusPatchable(Reg.Rax));
        Masm.AluMem(AluOp.Cmp, true, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.StackLimit));
        Masm.JumpIf(Cond.Below, overflow);
        _framePatches.Add(Masm.SubRspPatchable());
        MLabel resume = Masm.CreateLabel();
        Masm.Bind(resume);
        int wasmOffset = _module.Body(_functionIndex).CodeStart;
        _outOfLine.Add(() =>
        {
            // rsp is rbp - (saved area) here: realign, then trap like any other site.
            Masm.Bind(overflow);
            MarkOffset(wasmOffset);
            if (_savedAreaSize % 16 != 0)
            {
                Masm.AluImm(AluOp.Sub, true, Reg.Rsp, 8);
            }
            Masm.MovImm(false, Reg.Rsi, (int)TrapCode.StackExhausted);
            Masm.CallLabel(_trapHandler);
            _trapSites.Add((Masm.Position, TrapCode.StackExhausted, wasmOffset));
        });
    }

    private void ZeroLocals(int from, int to)
    {
        if (from >= to)
        {
            return;
        }
        if (to - from <= 16)
        {
            Masm.MovImm(false, Reg.Rax, 0);
            for (int i = from; i < to; i++)
            {
                if (!IsPinned(i, out _))
                {
                    Masm.Store(true, LocalSlot(i), Reg.Rax);
                    if (_localTypes[i] == ValType.V128)
                    {
                        Masm.Store(true, LocalSlot(i).Plus(8), Reg.Rax);
                    }
                }
            }
            return;
        }
        // A loop for many locals (to is the last local): rax = 0, r11 walks the slots.
        Masm.MovImm(false, Reg.Rax, 0);
        Masm.Lea(Reg.R11, LocalSlot(from));
        Masm.Lea(Reg.Rdi, Mem.Frame(LocalsOffset + 8 * _localSlots));
        MLabel loop = Masm.CreateLabel();
        Masm.Bind(loop);
        Masm.Store(true, new Mem(Reg.R11, 0), Reg.Rax);
        Masm.AluImm(AluOp.Add, true, Reg.R11, 8);
        Masm.Alu(AluOp.Cmp, true, Reg.R11, Reg.Rdi);
        Masm.JumpIf(Cond.Below, loop);
    }

    /// <summary>Epoch and fuel checks at function entry and loop headers, as the interpreter does them.</summary>
    private void EmitEntryChecks()
    {
        if (_options.EpochChecks)
        {
            MLabel slow = Masm.CreateLabel();
            MLabel back = Masm.CreateLabel();
            Masm.Load(true, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.EpochCounter));
            Masm.Load(true, Reg.Rax, new Mem(Reg.Rax, 0));
            Masm.AluMem(AluOp.Cmp, true, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.EpochDeadline));
            Masm.JumpIf(Cond.GreaterOrEqual, slow);
            Masm.Bind(back);
            AddInterruptSlowPath(slow, back);
        }
        if (_options.Fuel)
        {
            MLabel slow = Masm.CreateLabel();
            MLabel back = Masm.CreateLabel();
            Masm.Load(true, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.FuelCounter));
            Masm.Load(true, Reg.R11, new Mem(Reg.Rax, 0));
            Masm.AluImm(AluOp.Sub, true, Reg.R11, 1);
            Masm.Store(true, new Mem(Reg.Rax, 0), Reg.R11);
            Masm.JumpIf(Cond.Sign, slow);
            Masm.Bind(back);
            AddInterruptSlowPath(slow, back);
        }
    }

    private void AddInterruptSlowPath(MLabel slow, MLabel back)
    {
        int[] live = LiveRefSlots();
        int wasmOffset = _wasmOffset;
        _outOfLine.Add(() =>
        {
            Masm.Bind(slow);
            MarkOffset(wasmOffset);
            EmitBuiltinCall(BuiltinId.CheckInterrupt, live);
            Masm.Test(false, Reg.Rax, Reg.Rax);
            Masm.JumpIf(Cond.NotEqual, _epilogue);
            Masm.Jump(back);
        });
    }

    // ---- offsets, safepoints, traps ----

    /// <summary>Records that the code from here on belongs to the wasm instruction at <paramref name="wasmOffset"/>.</summary>
    public void MarkOffset(int wasmOffset)
    {
        int position = Masm.Position;
        if (_offsetMarks.Count > 0 && _offsetMarks[^1].Position == position)
        {
            _offsetMarks[^1] = (position, wasmOffset);
        }
        else
        {
            _offsetMarks.Add((position, wasmOffset));
        }
    }

    /// <summary>
    /// The frame slots (8-byte units from rsp) holding externrefs live now: externref locals and externref entries at
    /// home. Funcrefs are VMFuncRef addresses, which the collector must never count.
    /// </summary>
    private int[] LiveRefSlots()
    {
        _liveRefs.Clear();
        for (int i = 0; i < _localCount; i++)
        {
            if (_localTypes[i] == ValType.ExternRef)
            {
                _liveRefs.Add(_localOffsets[i] / 8);
            }
        }
        for (int i = 0; i < _height; i++)
        {
            if (_stack[i].Kind == ValueKind.Home && _stack[i].Type == ValType.ExternRef)
            {
                _liveRefs.Add((HomesOffset + _homeStride * i) / 8);
            }
        }
        return _liveRefs.Count == 0 ? [] : _liveRefs.ToArray();
    }

    /// <summary>Records a safepoint whose key is the return address of the call just emitted.</summary>
    private void RecordSafepoint(int[] liveSlots)
    {
        if (liveSlots.Length > 0)
        {
            _safepoints.Add((Masm.Position, liveSlots));
        }
    }

    /// <summary>Branches to an out-of-line trap when <paramref name="cond"/> holds.</summary>
    public void TrapIf(Cond cond, TrapCode code)
    {
        MLabel stub = Masm.CreateLabel();
        Masm.JumpIf(cond, stub);
        _trapStubs.Add(new TrapStub(stub, code, _wasmOffset));
    }

    /// <summary>Traps unconditionally.</summary>
    public void Trap(TrapCode code)
    {
        MLabel stub = Masm.CreateLabel();
        Masm.Jump(stub);
        _trapStubs.Add(new TrapStub(stub, code, _wasmOffset));
    }

    /// <summary>
    /// Calls a builtin: its arguments (after the VMContext) are in the outgoing area's first slots; the exit
    /// frame is recorded first so the builtin can walk the compiled frames; the result is in eax.
    /// </summary>
    private void EmitBuiltinCall(BuiltinId id, int[] liveSlots, int argumentCount = 0)
    {
        SavePinnedAroundCall();
        EmitRecordExitFrame(out MLabel returnAddress);
        Masm.Mov(true, Reg.Rdi, Registers.Vmctx);
        for (int i = 0; i < argumentCount; i++)
        {
            Masm.Load(true, Registers.Arguments[i + 1], OutSlot(i));
        }
        Masm.Load(true, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.Builtins));
        Masm.CallIndirect(new Mem(Reg.Rax, 8 * (int)id));
        Masm.Bind(returnAddress);
        RecordSafepoint(liveSlots);
        // Reloading with movs keeps eax (the result or status) and the flags. (Without any, the label binds
        // to what the caller emits next: it always emits something.)
        RestorePinnedAfterCall();
    }

    /// <summary>Stores rbp and the return address of the next call in the store context (exit frame).</summary>
    private void EmitRecordExitFrame(out MLabel returnAddress)
    {
        returnAddress = Masm.CreateLabel();
        Masm.Load(true, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.StoreContext));
        Masm.Store(true, new Mem(Reg.Rax, VMOffsets.StoreExitFp), Reg.Rbp);
        Masm.LeaLabel(Reg.R11, returnAddress);
        Masm.Store(true, new Mem(Reg.Rax, VMOffsets.StoreExitPc), Reg.R11);
    }

    // ---- finishing ----

    public CompiledFunction Finish()
    {
        // Out-of-line code: slow paths, then trap stubs, then the shared trap handler, then the epilogue.
        if (!_unreachable)
        {
            Masm.Jump(_epilogue);
        }
        for (int i = 0; i < _outOfLine.Count; i++)
        {
            _outOfLine[i]();
        }
        foreach (TrapStub stub in _trapStubs)
        {
            Masm.Bind(stub.Label);
            MarkOffset(stub.WasmOffset);
            Masm.MovImm(false, Reg.Rsi, (int)stub.Code);
            Masm.CallLabel(_trapHandler);
            _trapSites.Add((Masm.Position, stub.Code, stub.WasmOffset));
        }
        if (_trapSites.Count > 0)
        {
            // [rsp] = the stub's return address, the pc of the trap; rsp is the frame's bottom again after the pop.
            Masm.Bind(_trapHandler);
            Masm.Pop(Reg.R11);
            Masm.Load(true, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.StoreContext));
            Masm.Store(true, new Mem(Reg.Rax, VMOffsets.StoreExitFp), Reg.Rbp);
            Masm.Store(true, new Mem(Reg.Rax, VMOffsets.StoreExitPc), Reg.R11);
            Masm.Mov(true, Reg.Rdi, Registers.Vmctx);
            Masm.Load(true, Reg.Rax, new Mem(Registers.Vmctx, VMOffsets.Builtins));
            Masm.CallIndirect(new Mem(Reg.Rax, 8 * (int)BuiltinId.Trap));
        }
        // Epilogue: eax holds the status (0 after a normal return).
        Masm.Bind(_epilogue);
        for (int i = 0; i < _calleeSavedPinned.Count; i++)
        {
            Masm.Load(true, _calleeSavedPinned[i], new Mem(Reg.Rbp, -32 - 8 * i));
        }
        Masm.Lea(Reg.Rsp, new Mem(Reg.Rbp, -16));
        Masm.Pop(Registers.MemoryBase);
        Masm.Pop(Registers.Vmctx);
        Masm.Pop(Reg.Rbp);
        Masm.Ret();

        // Frame: everything below the saved area, keeping rsp 16-byte aligned (entry rsp is 8 mod 16).
        int frame = HomesOffset + _homeStride * _maxHeight;
        if ((frame + _savedAreaSize) % 16 != 0)
        {
            frame += 8;
        }
        foreach (int patch in _framePatches)
        {
            Masm.PatchImm32(patch, frame);
        }

        MacroAssembler.Output output = Masm.Assemble();
        var stackMaps = new StackMapBuilder();
        foreach (var (position, slots) in _safepoints)
        {
            stackMaps.Add((uint)output.OffsetOf(position), slots);
        }
        var offsetMap = new List<OffsetMapping>(_offsetMarks.Count);
        foreach (var (position, wasmOffset) in _offsetMarks)
        {
            int native = output.OffsetOf(position);
            if (offsetMap.Count > 0 && offsetMap[^1].NativeOffset == native)
            {
                offsetMap[^1] = new OffsetMapping(native, wasmOffset);
            }
            else
            {
                offsetMap.Add(new OffsetMapping(native, wasmOffset));
            }
        }
        var trapSites = new TrapSite[_trapSites.Count];
        for (int i = 0; i < trapSites.Length; i++)
        {
            trapSites[i] = new TrapSite(output.OffsetOf(_trapSites[i].Position), _trapSites[i].Code, _trapSites[i].WasmOffset);
        }
        var osr = new OsrEntry[_osrEntries.Count];
        for (int i = 0; i < osr.Length; i++)
        {
            osr[i] = new OsrEntry(_osrEntries[i].LoopOffset, output.LabelOffset(_osrEntries[i].Entry), _osrEntries[i].State);
        }
        FunctionBody body = _module.Body(_functionIndex);
        return new CompiledFunction(_functionIndex, output.Code, [], stackMaps.Build().Bytes.ToArray(), trapSites,
            offsetMap.ToArray(), frame + _savedAreaSize, osr, body.End - body.Start);
    }
}
