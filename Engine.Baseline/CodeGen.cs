using System.Numerics;
using System.Runtime.InteropServices;
using Engine.Core;

namespace Engine.Baseline;

/// <summary>
/// The code-generation context of the baseline compiler: the lazy value stack, the register allocator,
/// the frame, control frames, and the bookkeeping the artifact needs (stack maps, trap sites, the offset
/// map). Operator methods (<see cref="BaselineVisitor"/>) call it; it calls the shared x86-64 layer
/// (<see cref="FunctionEmitter"/>: frame, traps, calls, the wasm-semantic sequences, the artifact; and its
/// <see cref="MacroAssembler"/>).
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
internal sealed partial class CodeGen : ICallerSavedValues
{
    private readonly FunctionEmitter _emitter = new();
    private BaselineOptions _baselineOptions = BaselineOptions.Default;

    // Locals pinned in a register for the whole function (Reg.None when in their frame slot), the
    // callee-saved registers the prologue saves for them, and the caller-saved ones saved around calls.
    private Reg[] _localRegs = [];
    private readonly List<Reg> _calleeSavedPinned = new();
    private readonly List<(int Local, Reg Reg)> _callerSavedPinned = new();
    // The registers of pinned locals (bit n of each mask: register n), which no operand owns.
    private uint _pinnedGprs;
    private uint _pinnedXmms;

    /// <summary>The shared layer's assembler.</summary>
    public MacroAssembler Masm => _emitter.Masm;

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

    private readonly ControlStack<Control> _controls = new();
    private bool _unreachable;

    private readonly List<int> _liveRefs = new();

    /// <summary>Set when the function uses something the tier does not compile.</summary>
    public CompileFailure? Failure { get; private set; }

    public bool Unreachable => _unreachable;

    /// <summary>The module offset of the operator being compiled.</summary>
    public int WasmOffset
    {
        get => _emitter.WasmOffset;
        set => _emitter.WasmOffset = value;
    }

    // ---- set-up ----

    /// <summary>Drops the references to the module just compiled, so the reused context keeps no module alive.</summary>
    public void Forget()
    {
        _module = null!;
        _type = null!;
        _options = null!;
        _emitter.Forget();
    }

    public void Begin(ModuleInfo module, uint functionIndex, CompilerOptions options, BaselineOptions baselineOptions)
    {
        Failure = null;
        KeepFlags = false;
        _module = module;
        _functionIndex = functionIndex;
        _options = options;
        _baselineOptions = baselineOptions;
        _emitter.Begin(module, functionIndex, options, this);
        _type = module.FunctionType(functionIndex);
        FunctionBody body = module.Body(functionIndex);
        _localCount = _type.Params.Length + body.Locals.Length;
        _localTypes = new ValType[_localCount];
        _type.Params.CopyTo(_localTypes, 0);
        body.Locals.CopyTo(_localTypes, _type.Params.Length);
        for (int i = 0; i < _localCount; i++)
        {
            _localTypes[i] = _localTypes[i].Erased();
        }
        bool usesV128 = UsesV128(module, body, _localTypes);
        if (usesV128 && !_emitter.Has(SimdFeatures))
        {
            Fail(CompileFailureReason.MissingCpuFeature, "SIMD needs AVX2");
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
        foreach (Reg r in AllocatableGprs)
        {
            _freeGprs |= 1u << r.Number;
        }
        _freeXmms = 0;
        foreach (Reg r in AllocatableXmms)
        {
            _freeXmms |= 1u << r.Number;
        }
        ChoosePinnedLocals(module, functionIndex);
        _controls.Clear();
        _unreachable = false;
        _emitter.SetCalleeSaved(_calleeSavedPinned);
        EmitPrologue();
        Control function = PushControl(ControlKind.Function, [], _type.Results);
        function.Label = _emitter.Epilogue;
        _emitter.EmitTierUpCheck(-1, LiveRefSlots());
        EmitInterruptChecks();
    }

    /// <summary>General-purpose registers the allocator hands out (all caller-saved: everything is spilled at calls).</summary>
    private static readonly Reg[] AllocatableGprs = [Reg.Rcx, Reg.Rdx, Reg.Rsi, Reg.Rdi, Reg.R8, Reg.R9, Reg.R10];

    /// <summary>SSE registers the allocator hands out (xmm15 is the shared layer's scratch).</summary>
    private static readonly Reg[] AllocatableXmms =
        [Reg.Xmm(0), Reg.Xmm(1), Reg.Xmm(2), Reg.Xmm(3), Reg.Xmm(4), Reg.Xmm(5), Reg.Xmm(6), Reg.Xmm(7),
         Reg.Xmm(8), Reg.Xmm(9), Reg.Xmm(10), Reg.Xmm(11), Reg.Xmm(12), Reg.Xmm(13), Reg.Xmm(14)];

    /// <summary>What the SIMD code uses: VEX-encoded AVX (three-operand SSE up to SSE4.2) and AVX2 (vpbroadcast).</summary>
    public const CpuFeatures SimdFeatures = CpuFeatures.Avx | CpuFeatures.Avx2;

    /// <summary>Records why the function cannot be compiled (the first reason wins).</summary>
    public void Fail(CompileFailureReason reason, string detail) => Failure ??= new CompileFailure(reason, detail);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ModuleInfo, System.Runtime.CompilerServices.StrongBox<int>> s_outgoingSlots = new();

    /// <summary>The outgoing area's size: any call's arguments and results (the largest type of the module), at least 6 builtin arguments. Computed once per module.</summary>
    private static int OutgoingSlots(ModuleInfo module) => s_outgoingSlots.GetValue(module, m =>
    {
        int slots = Math.Max(6, Builtins.ExceptionAreaSlots(m));
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
            Masm.Load(S64, Reg.Rax, src);
            Masm.Store(S64, dst, Reg.Rax);
        }
    }

    private static Mem OutSlot(int slot) => FunctionEmitter.OutgoingSlot(slot);

    public ValType LocalType(uint index) => _localTypes[index];

    /// <summary>The register local <paramref name="index"/> is pinned in, or false when it lives in its frame slot.</summary>
    public bool IsPinned(int index, out Reg reg)
    {
        reg = _localRegs[index];
        return reg != Reg.None;
    }

    /// <summary>True when <paramref name="reg"/> holds a pinned local (no operand owns it: consumers must not free or overwrite it).</summary>
    private bool IsPinnedRegister(Reg reg) => ((reg.IsFloat ? _pinnedXmms : _pinnedGprs) & (1u << reg.Number)) != 0;

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
        _pinnedGprs = 0;
        _pinnedXmms = 0;
        if (_localCount == 0 || !_baselineOptions.PinLocals)
        {
            return;
        }
        var weights = new long[_localCount];
        FunctionBody body = module.Body(functionIndex);
        var reader = new WasmReader(module.Bytes, body.CodeStart, body.End);
        var scan = new LocalAccessVisitor<LocalUsageScan>(new LocalUsageScan(weights));
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
            if (reg.IsFloat)
            {
                _pinnedXmms |= 1u << reg.Number;
            }
            else
            {
                _pinnedGprs |= 1u << reg.Number;
            }
            if (Registers.IsCalleeSaved(reg))
            {
                _calleeSavedPinned.Add(reg);
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

    private void EmitPrologue()
    {
        _emitter.EmitEntry(_module.Body(_functionIndex).CodeStart);
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
                    Masm.MovImm(S32, reg, 0);
                }
            }
        }
        ZeroLocals(_type.Params.Length, _localCount);
    }

    /// <summary>Stores the caller-saved pinned locals to their slots (before a call).</summary>
    void ICallerSavedValues.SaveBeforeCall()
    {
        foreach (var (local, reg) in _callerSavedPinned)
        {
            StoreValue(LocalSlot(local), _localTypes[local], reg);
        }
    }

    /// <summary>
    /// Stores the locals pinned in callee-saved registers to their slots (a loop's tier-up check, before its builtin call,
    /// which stores the caller-saved ones itself): every local is then in its frame slot, where the state at the loop
    /// header is read from for on-stack replacement into the next tier. The registers keep their values.
    /// </summary>
    private void StoreCalleeSavedPinned()
    {
        for (int i = 0; i < _localCount; i++)
        {
            if (IsPinned(i, out Reg reg) && Registers.IsCalleeSaved(reg))
            {
                StoreValue(LocalSlot(i), _localTypes[i], reg);
            }
        }
    }

    /// <summary>Reloads the caller-saved pinned locals from their slots (after a call).</summary>
    void ICallerSavedValues.RestoreAfterCall()
    {
        foreach (var (local, reg) in _callerSavedPinned)
        {
            LoadValue(reg, _localTypes[local], LocalSlot(local));
        }
    }

    private void ZeroLocals(int from, int to)
    {
        if (from >= to)
        {
            return;
        }
        if (to - from <= 16)
        {
            Masm.MovImm(S32, Reg.Rax, 0);
            for (int i = from; i < to; i++)
            {
                if (!IsPinned(i, out _))
                {
                    Masm.Store(S64, LocalSlot(i), Reg.Rax);
                    if (_localTypes[i] == ValType.V128)
                    {
                        Masm.Store(S64, LocalSlot(i).Plus(8), Reg.Rax);
                    }
                }
            }
            return;
        }
        // A loop for many locals (to is the last local): rax = 0, r11 walks the slots.
        Masm.MovImm(S32, Reg.Rax, 0);
        Masm.Lea(Reg.R11, LocalSlot(from));
        Masm.Lea(Reg.Rdi, Mem.Frame(LocalsOffset + 8 * _localSlots));
        MLabel loop = Masm.CreateLabel();
        Masm.Bind(loop);
        Masm.Store(S64, new Mem(Reg.R11, 0), Reg.Rax);
        Masm.AluImm(AluOp.Add, S64, Reg.R11, 8);
        Masm.Alu(AluOp.Cmp, S64, Reg.R11, Reg.Rdi);
        Masm.JumpIf(Cond.Below, loop);
    }

    /// <summary>Epoch and fuel checks at function entry and loop headers, as the interpreter does them.</summary>
    private void EmitInterruptChecks()
    {
        if (_options.EpochChecks || _options.Fuel)
        {
            _emitter.EmitInterruptChecks(LiveRefSlots());
        }
    }

    // ---- offsets, safepoints, traps ----

    /// <summary>Records that the code from here on belongs to the wasm instruction at <paramref name="wasmOffset"/>.</summary>
    public void MarkOffset(int wasmOffset) => _emitter.MarkOffset(wasmOffset);

    /// <summary>
    /// The frame slots (8-byte units from rsp) holding externrefs live now: externref locals and externref entries at
    /// home. Funcrefs are VMFuncRef addresses, which the collector must never count.
    /// </summary>
    private int[] LiveRefSlots() => LiveRefSlots(_height);

    /// <summary><see cref="LiveRefSlots()"/> counting the operand stack only below <paramref name="height"/>.</summary>
    private int[] LiveRefSlots(int height)
    {
        _liveRefs.Clear();
        for (int i = 0; i < _localCount; i++)
        {
            if (_localTypes[i] == ValType.ExternRef)
            {
                _liveRefs.Add(_localOffsets[i] / 8);
            }
        }
        for (int i = 0; i < height; i++)
        {
            if (_stack[i].Kind == ValueKind.Home && _stack[i].Type == ValType.ExternRef)
            {
                _liveRefs.Add((HomesOffset + _homeStride * i) / 8);
            }
        }
        return _liveRefs.Count == 0 ? [] : _liveRefs.ToArray();
    }

    /// <summary>Traps unconditionally.</summary>
    public void Trap(TrapCode code) => _emitter.Trap(code);

    // ---- finishing ----

    public CompiledFunction Finish()
    {
        if (!_unreachable)
        {
            Masm.Jump(_emitter.Epilogue);
        }
        return _emitter.Finish(HomesOffset + _homeStride * _maxHeight);
    }
}
