using Engine.Core;
using Engine.Optimizing.Analysis;
using Engine.Optimizing.Ir;

namespace Engine.Optimizing.Lir;

/// <summary>Operand sizes as the shared assembler numbers them (bytes = 1 &lt;&lt; size).</summary>
internal static class Sizes
{
    public const int S32 = 2;
    public const int S64 = 3;

    public static int Of(ValType type) => type is ValType.I32 or ValType.F32 ? S32 : S64;
}

/// <summary>Integer operations of <see cref="LOp.Alu"/> (the shared assembler's AluOp order).</summary>
internal enum LAlu : byte
{
    Add,
    Sub,
    And,
    Or,
    Xor,
}

/// <summary>Shifts of <see cref="LOp.Shift"/> (the shared assembler's ShiftOp order).</summary>
internal enum LShift : byte
{
    Shl,
    Sar,
    Shr,
    Rol,
    Ror,
}

/// <summary>Float operations of <see cref="LOp.FloatBinary"/> (the shared assembler's SseOp order).</summary>
internal enum LSse : byte
{
    Add,
    Sub,
    Mul,
    Div,
}

/// <summary>
/// Instruction selection: turns the optimized IR into LIR, block by block in layout order. Patterns: a compare
/// used only by the branch or select after it in its block is fused into that (compare-and-branch, cmov);
/// constant operands become immediates where x86 has the form (ALU, compares, shifts, stores, outgoing
/// arguments); <c>x + c</c> becomes a three-operand <c>lea</c>; multiplication by a constant a three-operand
/// <c>imul</c>; x86's two-operand instructions get a copy into a fresh destination (<c>mov d, a; op d, b</c>),
/// which the allocator coalesces when <c>a</c> dies there; fixed registers (the shift count in cl, rdx for
/// division) are explicit moves to physical registers. Constants not used as immediates are made right
/// before each use (never kept in a register across the function). Block parameters become parallel moves
/// on the edges; critical edges get a block of their own.
/// </summary>
internal sealed class InstructionSelector
{
    private IrFunction _f = null!;
    private ControlFlow _cfg = null!;
    private LirFunction _lir = null!;
    private int[] _vreg = new int[256];
    private int[] _useCount = new int[256];
    private bool[] _fused = new bool[256];
    // Integer adds selected as one lea of base + index * scale + displacement (PlanLeas), by value.
    private readonly Dictionary<int, LeaPlan> _leaPlans = new();
    // Loads and stores whose guarded bounds check was dropped: their own fault is the check (guard pages).
    private bool[] _faultingAccess = new bool[256];
    // Per IR block: the number of predecessors (edges), for critical-edge splitting.
    private int _currentBlock;

    /// <summary>The size in 8-byte slots of the outgoing area the function's calls and builtins need.</summary>
    public int OutgoingSlots { get; private set; }

    /// <summary>Which of its fusions run (load folding, compare fusion).</summary>
    public OptimizingPasses EnabledPasses { get; set; } = OptimizingPasses.All;

    public void Run(IrFunction f, ControlFlow cfg, LirFunction lir)
    {
        _f = f;
        _cfg = cfg;
        _lir = lir;
        lir.Reset(f.BlockCount);
        int n = f.InstCount;
        if (_vreg.Length < n)
        {
            int size = Math.Max(n, _vreg.Length * 2);
            _vreg = new int[size];
            _useCount = new int[size];
            _fused = new bool[size];
            _faultingAccess = new bool[size];
        }
        Array.Fill(_vreg, -1, 0, n);
        Array.Clear(_useCount, 0, n);
        Array.Clear(_fused, 0, n);
        Array.Clear(_faultingAccess, 0, n);
        _leaPlans.Clear();
        // Grows to what the calls and builtins need; a leaf function has none.
        OutgoingSlots = 0;
        lir.RegisterEntry = RegisterConvention.Fits(f.Type);
        CountUses();
        // LIR blocks for the IR blocks first (same order), edge blocks appended as they are made.
        int count = 0;
        for (int b = f.LayoutFirst; b >= 0; b = f.Blocks[b].LayoutNext)
        {
            lir.BlockOfIr[b] = count++;
        }
        EnsureBlocks(count);
        lir.BlockCount = count;
        _pendingEdgeBlocks.Clear();
        for (int b = f.LayoutFirst; b >= 0; b = f.Blocks[b].LayoutNext)
        {
            SelectBlock(b);
        }
        Relayout();
        ComputeEdges();
        _f = null!;
        _cfg = null!;
        _lir = null!;
    }

    private void EnsureBlocks(int count)
    {
        if (_lir.Blocks.Length < count)
        {
            Array.Resize(ref _lir.Blocks, Math.Max(count, _lir.Blocks.Length * 2));
        }
    }

    private void CountUses()
    {
        IrFunction f = _f;
        for (int b = f.LayoutFirst; b >= 0; b = f.Blocks[b].LayoutNext)
        {
            for (int id = f.Blocks[b].First; id >= 0; id = f[id].Next)
            {
                ref Inst inst = ref f[id];
                int mask = OpInfo.ValueFieldMask(inst.Op);
                if ((mask & 1) != 0 && inst.A >= 0)
                {
                    _useCount[inst.A]++;
                }
                if ((mask & 2) != 0 && inst.B >= 0)
                {
                    _useCount[inst.B]++;
                }
                if ((mask & 4) != 0 && inst.C >= 0)
                {
                    _useCount[inst.C]++;
                }
                if ((OpInfo.Flags(inst.Op) & OpFlags.PoolOperands) != 0)
                {
                    foreach (int v in f.PoolOperands(id))
                    {
                        _useCount[v]++;
                    }
                }
                if (OpInfo.IsTerminator(inst.Op))
                {
                    int succs = f.SuccessorCount(id);
                    for (int s = 0; s < succs; s++)
                    {
                        foreach (int v in f.CallArgs(f.SuccessorCall(id, s)))
                        {
                            _useCount[v]++;
                        }
                    }
                }
            }
        }
    }

    // ---- building blocks ----

    // Edge blocks made while selecting an IR block, placed right after it: (LIR block, edge call).
    private readonly List<(int Block, int Call)> _pendingEdgeBlocks = new();
    // LIR instruction ranges are contiguous per block in the final order; blocks are built in IR order with
    // their edge blocks after them, which is also the final order.
    private readonly List<int> _order = new();

    private void SelectBlock(int irBlock)
    {
        int lb = _lir.BlockOfIr[irBlock];
        _currentBlock = irBlock;
        ref Block b = ref _f.Blocks[irBlock];
        _lir.Blocks[lb] = new LBlock
        {
            First = _lir.InstCount,
            IrBlock = irBlock,
            LoopDepth = _cfg.LoopDepth[irBlock],
            LoopHeader = -1,
            IsLoopHeader = b.IsLoopHeader,
            IsEntry = b.IsEntry,
        };
        _order.Add(lb);
        if (irBlock == 0 && _lir.RegisterEntry)
        {
            DefineArguments();
        }
        PlanLeas(irBlock);
        for (int id = b.First; id >= 0; id = _f[id].Next)
        {
            Select(id);
        }
        _lir.Blocks[lb].End = _lir.InstCount;
        foreach (var (edgeBlock, call) in _pendingEdgeBlocks)
        {
            ref BlockCall c = ref _f.Calls[call];
            _lir.Blocks[edgeBlock] = new LBlock
            {
                First = _lir.InstCount,
                IrBlock = -1,
                LoopDepth = Math.Min(_cfg.LoopDepth[irBlock], _cfg.LoopDepth[c.Block]),
                LoopHeader = -1,
            };
            EmitEdgeMoves(call);
            int jump = _lir.Add(LOp.Jump);
            _lir.Insts[jump].T1 = _lir.BlockOfIr[c.Block];
            _lir.Blocks[edgeBlock].End = _lir.InstCount;
            _order.Add(edgeBlock);
        }
        _pendingEdgeBlocks.Clear();
    }

    /// <summary>The blocks were numbered IR blocks first, edge blocks after; renumber them in the order built (the code order).</summary>
    private void Relayout()
    {
        int n = _lir.BlockCount;
        if (_renumber.Length < n)
        {
            _renumber = new int[Math.Max(n, 2 * _renumber.Length)];
            _blockCopy = new LBlock[_renumber.Length];
        }
        int[] renumber = _renumber;
        LBlock[] blocks = _blockCopy;
        for (int i = 0; i < _order.Count; i++)
        {
            renumber[_order[i]] = i;
            blocks[i] = _lir.Blocks[_order[i]];
        }
        Array.Copy(blocks, _lir.Blocks, n);
        for (int i = 0; i < _lir.InstCount; i++)
        {
            ref LInst inst = ref _lir.Insts[i];
            if (inst.Op is LOp.Jump or LOp.Branch or LOp.CmpBranch or LOp.CmpImmBranch or LOp.FloatCmpBranch)
            {
                inst.T1 = renumber[inst.T1];
                if (inst.Op != LOp.Jump)
                {
                    inst.T2 = renumber[inst.T2];
                }
            }
            else if (inst.Op == LOp.BrTable)
            {
                for (int k = 0; k < inst.Aux; k++)
                {
                    _lir.Data[inst.Imm2 + k] = renumber[_lir.Data[inst.Imm2 + k]];
                }
            }
        }
        for (int b = 0; b < _f.BlockCount; b++)
        {
            if (_lir.BlockOfIr[b] >= 0)
            {
                _lir.BlockOfIr[b] = renumber[_lir.BlockOfIr[b]];
            }
        }
        _order.Clear();
    }

    // Reused by Relayout and ComputeEdges.
    private int[] _renumber = new int[64];
    private LBlock[] _blockCopy = new LBlock[64];
    private int[] _succStart = new int[65];
    private int[] _predFill = new int[64];
    private int[] _seenBy = new int[64];
    private int[] _succ = new int[128];
    private int _succCount;

    private void AddSuccessor(int s)
    {
        if (_succCount == _succ.Length)
        {
            Array.Resize(ref _succ, 2 * _succ.Length);
        }
        _succ[_succCount++] = s;
    }

    private void ComputeEdges()
    {
        LirFunction lir = _lir;
        int n = lir.BlockCount;
        if (_predFill.Length < n)
        {
            int size = Math.Max(n, 2 * _predFill.Length);
            _predFill = new int[size];
            _seenBy = new int[size];
            _succStart = new int[size + 1];
        }
        // The successors of every block, one after another (a br_table's targets once each), and the predecessor counts.
        int[] predCount = _predFill;
        Array.Clear(predCount, 0, n);
        Array.Fill(_seenBy, -1, 0, n);
        _succCount = 0;
        for (int b = 0; b < n; b++)
        {
            _succStart[b] = _succCount;
            ref LInst t = ref lir.Insts[lir.Blocks[b].End - 1];
            switch (t.Op)
            {
                case LOp.Jump:
                    AddSuccessor(t.T1);
                    break;
                case LOp.Branch:
                case LOp.CmpBranch:
                case LOp.CmpImmBranch:
                case LOp.FloatCmpBranch:
                    AddSuccessor(t.T1);
                    if (t.T2 != t.T1)
                    {
                        AddSuccessor(t.T2);
                    }
                    break;
                case LOp.BrTable:
                    for (int k = 0; k < t.Aux; k++)
                    {
                        int target = lir.Data[t.Imm2 + k];
                        if (_seenBy[target] != b)
                        {
                            _seenBy[target] = b;
                            AddSuccessor(target);
                        }
                    }
                    break;
            }
            for (int k = _succStart[b]; k < _succCount; k++)
            {
                predCount[_succ[k]]++;
            }
        }
        _succStart[n] = _succCount;
        int total = 2 * _succCount;
        if (lir.Edges.Length < total)
        {
            lir.Edges = new int[Math.Max(total, lir.Edges.Length * 2)];
        }
        // Successor lists first (in block order), then the predecessor lists.
        Array.Copy(_succ, lir.Edges, _succCount);
        for (int b = 0; b < n; b++)
        {
            lir.Blocks[b].SuccStart = _succStart[b];
            lir.Blocks[b].SuccCount = _succStart[b + 1] - _succStart[b];
        }
        int at = _succCount;
        int[] fill = predCount;
        for (int b = 0; b < n; b++)
        {
            int count = predCount[b];
            lir.Blocks[b].PredStart = at;
            lir.Blocks[b].PredCount = count;
            fill[b] = at;
            at += count;
        }
        for (int b = 0; b < n; b++)
        {
            for (int k = _succStart[b]; k < _succStart[b + 1]; k++)
            {
                lir.Edges[fill[_succ[k]]++] = b;
            }
        }
        lir.EdgeCount = at;
    }

    // ---- operands ----

    private int Offset(int id) => _f[id].WasmOffset;

    private bool IsConst(int value, out long bits) => Passes.Simplifier.IsConst(_f, value, out bits);

    private static bool FitsImm32(long bits, ValType type) =>
        type == ValType.I32 || (bits >= int.MinValue && bits <= int.MaxValue);

    /// <summary>The virtual register holding value <paramref name="value"/> (a constant is made into a fresh one here).</summary>
    private int Use(int value)
    {
        ref Inst inst = ref _f[value];
        if (inst.Op is Op.Const or Op.V128Const)
        {
            int temp = _lir.NewVReg(inst.Type);
            _lir.Add(LOp.Const, aux: (int)inst.Type, imm: inst.Imm, wasmOffset: inst.WasmOffset);
            _lir.AddOperand(temp, OperandKind.Def);
            return temp;
        }
        int v = _vreg[value];
        if (v < 0)
        {
            v = _lir.NewVReg(inst.Type, value);
            _vreg[value] = v;
        }
        return v;
    }

    /// <summary>The virtual register value <paramref name="value"/> is defined into.</summary>
    private int Def(int value)
    {
        int v = _vreg[value];
        if (v < 0)
        {
            v = _lir.NewVReg(_f[value].Type, value);
            _vreg[value] = v;
        }
        return v;
    }

    /// <summary>Starts a two-operand instruction: dst = copy of <paramref name="source"/> (coalesced by the allocator when the source dies).</summary>
    private int CopyInto(int value, int source)
    {
        int dst = Def(value);
        int src = Use(source);
        _lir.Add(LOp.Move, wasmOffset: Offset(value));
        _lir.AddOperand(dst, OperandKind.Def);
        _lir.AddOperand(src, OperandKind.Use, allowStack: true);
        return dst;
    }

    private void Emit(LOp op, int id, int aux = 0, long imm = 0, int imm2 = 0) =>
        _lir.Add(op, aux, imm, imm2, Offset(id));

    // ---- selection ----

    private void Select(int id)
    {
        ref Inst inst = ref _f[id];
        if (_fused[id])
        {
            return;
        }
        switch (inst.Op)
        {
            case Op.Const:
            case Op.V128Const:
            case Op.BlockParam:
                // Constants are made at their uses; parameters are defined by the edges' moves.
                return;
            case Op.Param when _lir.RegisterEntry:
                // Defined from its register at the entry (DefineArguments).
                return;
            case Op.Param:
            case Op.OsrValue:
                Emit(LOp.LoadArg, id, aux: (int)inst.Type, imm: inst.Op == Op.Param ? inst.Imm : inst.Imm);
                _lir.AddOperand(Def(id), OperandKind.Def);
                return;
            case Op.Iadd:
            case Op.Isub:
            case Op.Iand:
            case Op.Ior:
            case Op.Ixor:
                IntAlu(id);
                return;
            case Op.Imul:
                IntMul(id);
                return;
            case Op.Ishl:
            case Op.Isshr:
            case Op.Iushr:
            case Op.Irotl:
            case Op.Irotr:
                IntShift(id);
                return;
            case Op.IdivS:
            case Op.IdivU:
            case Op.IremS:
            case Op.IremU:
                DivRem(id);
                return;
            case Op.Iclz:
            case Op.Ictz:
            case Op.Ipopcnt:
                {
                    int dst = CopyInto(id, inst.A);
                    Emit(LOp.BitCount, id, aux: Sizes.Of(inst.Type), imm: inst.Op - Op.Iclz);
                    _lir.AddOperand(dst, OperandKind.UseDef);
                    return;
                }
            case Op.Icmp:
                if ((EnabledPasses & OptimizingPasses.FuseCompares) != 0 && FuseCompare(id))
                {
                    return;
                }
                IntSetCc(id);
                return;
            case Op.Fcmp:
                if ((EnabledPasses & OptimizingPasses.FuseCompares) != 0 && FuseCompare(id))
                {
                    return;
                }
                {
                    int a = Use(inst.A), b = Use(inst.B);
                    Emit(LOp.FloatSetCc, id, aux: (int)inst.Imm | (Sizes.Of(_f[inst.A].Type) << 8));
                    _lir.AddOperand(Def(id), OperandKind.Def);
                    _lir.AddOperand(a, OperandKind.Use);
                    _lir.AddOperand(b, OperandKind.Use);
                    return;
                }
            case Op.Sext:
            case Op.Zext32:
            case Op.Wrap:
                Extend(id);
                return;
            case Op.Fadd:
            case Op.Fsub:
            case Op.Fmul:
            case Op.Fdiv:
                {
                    if (IsFoldedLoad(inst.B))
                    {
                        OpWithLoad(id, CopyInto(id, inst.A), inst.B, (inst.Op - Op.Fadd) | (Sizes.Of(inst.Type) << 8), kind: 1);
                        return;
                    }
                    int right = Use(inst.B);
                    int dst = CopyInto(id, inst.A);
                    Emit(LOp.FloatBinary, id, aux: (inst.Op - Op.Fadd) | (Sizes.Of(inst.Type) << 8));
                    _lir.AddOperand(dst, OperandKind.UseDef);
                    _lir.AddOperand(right, OperandKind.Use, allowStack: true);
                    return;
                }
            case Op.Fmin:
            case Op.Fmax:
            case Op.Fcopysign:
            case Op.Fabs:
            case Op.Fneg:
            case Op.Fsqrt:
            case Op.Fceil:
            case Op.Ffloor:
            case Op.Ftrunc:
            case Op.Fnearest:
                Generic(id, FloatOpcode(inst.Op, inst.Type));
                return;
            case Op.Convert:
            case Op.TruncTrap:
            case Op.Simd:
                Generic(id, (Opcode)inst.Aux);
                return;
            case Op.Bitcast:
                Generic(id, inst.Type switch
                {
                    ValType.I32 => Opcode.I32ReinterpretF32,
                    ValType.I64 => Opcode.I64ReinterpretF64,
                    ValType.F32 => Opcode.F32ReinterpretI32,
                    _ => Opcode.F64ReinterpretI64,
                });
                return;
            case Op.Select:
                SelectValue(id);
                return;
            case Op.BoundsCheck when inst.B >= 0:
                {
                    int address = Use(inst.A);
                    int limit = Use(inst.B);
                    Emit(LOp.BoundsCheckLimit, id);
                    _lir.AddOperand(address, OperandKind.Use);
                    _lir.AddOperand(limit, OperandKind.Use, allowStack: true);
                    return;
                }
            case Op.BoundsLimit:
                Emit(LOp.BoundsLimit, id, imm: inst.Imm);
                _lir.AddOperand(Def(id), OperandKind.Def);
                return;
            case Op.BoundsCheck:
                if (inst.Aux == OpInfo.GuardedCheck && GuardedAccess(id) is var access and >= 0)
                {
                    // Guard pages: the access right after the check faults where the check would trap.
                    _faultingAccess[access] = true;
                    return;
                }
                if (inst.A < 0 || IsConst(inst.A, out _))
                {
                    long end = inst.A < 0 ? inst.Imm : (uint)_f[inst.A].Imm + inst.Imm;
                    Emit(LOp.BoundsCheck, id, imm: end);
                    return;
                }
                {
                    int address = Use(inst.A);
                    Emit(LOp.BoundsCheck, id, imm: inst.Imm);
                    _lir.AddOperand(address, OperandKind.Use);
                    return;
                }
            case Op.Load:
                if ((EnabledPasses & OptimizingPasses.FoldLoads) != 0 && FuseLoad(id))
                {
                    return;
                }
                MemoryLoad(id);
                return;
            case Op.Store:
                MemoryStore(id);
                return;
            case Op.MemorySize:
                Emit(LOp.MemorySize, id, imm: inst.Imm);
                _lir.AddOperand(Def(id), OperandKind.Def);
                return;
            case Op.HeapAddress:
                {
                    int address = Use(inst.A);
                    Emit(LOp.HeapAddress, id, aux: inst.Aux, imm: inst.Imm);
                    _lir.AddOperand(Def(id), OperandKind.Def);
                    _lir.AddOperand(address, OperandKind.Use);
                    return;
                }
            case Op.GlobalGet:
                Emit(LOp.GlobalGet, id, aux: (int)inst.Type, imm: inst.Imm);
                _lir.AddOperand(Def(id), OperandKind.Def);
                return;
            case Op.GlobalSet:
                {
                    int value = Use(inst.A);
                    Emit(LOp.GlobalSet, id, aux: (int)_f[inst.A].Type, imm: inst.Imm);
                    _lir.AddOperand(value, OperandKind.Use);
                    return;
                }
            case Op.TableGet:
                {
                    int index = Use(inst.A);
                    Emit(LOp.TableGet, id, imm: inst.Imm);
                    _lir.AddOperand(Def(id), OperandKind.Def);
                    _lir.AddOperand(index, OperandKind.Use);
                    return;
                }
            case Op.TableSet:
                {
                    int index = Use(inst.A), value = Use(inst.B);
                    Emit(LOp.TableSet, id, imm: inst.Imm);
                    _lir.AddOperand(index, OperandKind.Use);
                    _lir.AddOperand(value, OperandKind.Use);
                    return;
                }
            case Op.TableSize:
                Emit(LOp.TableSize, id, imm: inst.Imm);
                _lir.AddOperand(Def(id), OperandKind.Def);
                return;
            case Op.RefFunc:
                Emit(LOp.RefFunc, id, imm: inst.Imm);
                _lir.AddOperand(Def(id), OperandKind.Def);
                return;
            case Op.RootRef:
                {
                    OutgoingSlots = Math.Max(OutgoingSlots, 1);
                    int value = Use(inst.A);
                    Emit(LOp.RootRef, id);
                    _lir.AddOperand(value, OperandKind.Use, allowStack: true);
                }
                Emit(LOp.LoadOut, id, aux: (int)ValType.ExternRef, imm: 0);
                _lir.AddOperand(Def(id), OperandKind.Def);
                return;
            case Op.Call:
            case Op.CallIndirect:
                Call(id);
                return;
            case Op.CallBuiltin:
                CallBuiltin(id);
                return;
            case Op.CallResult when inst.Imm < 0:
                // The status of a call inside a try_table, which the call stored to its slot.
                Emit(LOp.LoadOut, id, aux: (int)ValType.I32, imm: StatusSlot(inst.A));
                _lir.AddOperand(Def(id), OperandKind.Def);
                return;
            case Op.CallResult when _f[inst.A].Op == Op.CallBuiltin:
                // A value the catch builtin delivered (Imm: its outgoing slot).
                Emit(LOp.LoadOut, id, aux: (int)inst.Type, imm: inst.Imm);
                _lir.AddOperand(Def(id), OperandKind.Def);
                return;
            case Op.CallResult when IsRegisterCall(inst.A):
                // Copied from the result register at the call (RegisterCall).
                return;
            case Op.CallResult:
                Emit(LOp.LoadOut, id, aux: (int)inst.Type, imm: ResultSlot(id));
                _lir.AddOperand(Def(id), OperandKind.Def);
                return;
            case Op.InterruptCheck:
                Emit(LOp.InterruptCheck, id, aux: inst.Aux);
                return;
            case Op.Jump:
                Jump(id);
                return;
            case Op.Branch:
                Branch(id);
                return;
            case Op.BrTable:
                BrTable(id);
                return;
            case Op.Return:
                {
                    Span<int> values = _f.PoolOperands(id);
                    if (_lir.RegisterEntry)
                    {
                        ReturnInRegister(id, values);
                        return;
                    }
                    Span<int> regs = values.Length <= 64 ? stackalloc int[values.Length] : new int[values.Length];
                    for (int k = 0; k < values.Length; k++)
                    {
                        regs[k] = Use(values[k]);
                    }
                    Emit(LOp.Return, id);
                    foreach (int r in regs)
                    {
                        _lir.AddOperand(r, OperandKind.Use, allowStack: true);
                    }
                    return;
                }
            case Op.Trap:
                Emit(LOp.Trap, id, aux: (int)inst.Imm);
                return;
            case Op.Unwind:
                Emit(LOp.Unwind, id);
                return;
            case Op.ReturnCall:
            case Op.ReturnCallIndirect:
                ReturnCall(id);
                return;
            default:
                throw new InvalidOperationException($"instruction selection: no pattern for {OpInfo.Name(inst.Op)}");
        }
    }

    private static Opcode FloatOpcode(Op op, ValType type)
    {
        bool d = type == ValType.F64;
        return op switch
        {
            Op.Fmin => d ? Opcode.F64Min : Opcode.F32Min,
            Op.Fmax => d ? Opcode.F64Max : Opcode.F32Max,
            Op.Fcopysign => d ? Opcode.F64Copysign : Opcode.F32Copysign,
            Op.Fabs => d ? Opcode.F64Abs : Opcode.F32Abs,
            Op.Fneg => d ? Opcode.F64Neg : Opcode.F32Neg,
            Op.Fsqrt => d ? Opcode.F64Sqrt : Opcode.F32Sqrt,
            Op.Fceil => d ? Opcode.F64Ceil : Opcode.F32Ceil,
            Op.Ffloor => d ? Opcode.F64Floor : Opcode.F32Floor,
            Op.Ftrunc => d ? Opcode.F64Trunc : Opcode.F32Trunc,
            _ => d ? Opcode.F64Nearest : Opcode.F32Nearest,
        };
    }

    // ---- guard pages ----

    /// <summary>
    /// The load or store of exactly the range guarded bounds check <paramref name="check"/> checks, when only pure
    /// instructions lie between them (so its fault is the check's trap, at the same point: nothing observable happened
    /// in between); -1 otherwise (the access was removed as dead or redundant, or something else comes first), and the
    /// check stays.
    /// </summary>
    private int GuardedAccess(int check)
    {
        ref Inst c = ref _f[check];
        for (int next = c.Next; next >= 0; next = _f[next].Next)
        {
            ref Inst access = ref _f[next];
            if (access.Op is Op.Load or Op.Store)
            {
                long end = access.Imm + OperatorInfo.AccessSize((Opcode)(access.Aux & 0xFFFF));
                bool same = IsConst(access.A, out long address)
                    ? (c.A < 0 ? c.Imm : IsConst(c.A, out long checkAddress) ? (uint)checkAddress + c.Imm : -1) == (uint)address + end
                    : c.A == access.A && c.Imm == end;
                return same ? next : -1;
            }
            if (!OpInfo.IsPure(access.Op))
            {
                return -1;
            }
        }
        return -1;
    }

    // ---- loads folded into the operation using them ----

    /// <summary>
    /// A full-width load whose only use is the second operand of an ALU, multiply or float operation later in its block,
    /// with nothing between them that writes memory or calls: the operation reads memory itself (the bounds check
    /// stays where it was). A commutative integer operation with the load as its first operand has its operands swapped.
    /// </summary>
    private bool FuseLoad(int id)
    {
        ref Inst load = ref _f[id];
        if (_useCount[id] != 1 || load.B >= 0 || load.Imm > int.MaxValue || IsHostAddress(load.A))
        {
            return false;
        }
        var opcode = (Opcode)(load.Aux & 0xFFFF);
        for (int next = load.Next; next >= 0; next = _f[next].Next)
        {
            ref Inst user = ref _f[next];
            if (user.A == id || user.B == id || user.C == id)
            {
                if (_fused[next] || _leaPlans.ContainsKey(next))
                {
                    // Its user is (or is folded into) a lea, which reads no memory.
                    return false;
                }
                bool intOp = user.Op is Op.Iadd or Op.Isub or Op.Iand or Op.Ior or Op.Ixor or Op.Imul;
                bool floatOp = user.Op is Op.Fadd or Op.Fsub or Op.Fmul or Op.Fdiv;
                bool width = (intOp && ((user.Type == ValType.I32 && opcode == Opcode.I32Load) || (user.Type == ValType.I64 && opcode == Opcode.I64Load)))
                    || (floatOp && ((user.Type == ValType.F32 && opcode == Opcode.F32Load) || (user.Type == ValType.F64 && opcode == Opcode.F64Load)));
                if (!width || user.C == id || user.A == user.B || IsFoldedLoad(user.B))
                {
                    // (Only one operand can be memory: a load folded already as the second operand stays the one.)
                    return false;
                }
                if (user.A == id)
                {
                    // Only commutative integer operations may take the load second (float NaN propagation follows the order).
                    if (user.Op is not (Op.Iadd or Op.Iand or Op.Ior or Op.Ixor or Op.Imul))
                    {
                        return false;
                    }
                    (user.A, user.B) = (user.B, user.A);
                }
                _fused[id] = true;
                return true;
            }
            if ((OpInfo.Flags(user.Op) & (OpFlags.Writes | OpFlags.IsCall)) != 0 || user.Op is Op.Call or Op.CallIndirect or Op.CallBuiltin)
            {
                return false;
            }
            if (_faultingAccess[id] && ((OpInfo.Flags(user.Op) & OpFlags.CanTrap) != 0 || user.Op == Op.Load))
            {
                // The load is its own bounds check: it must fault before anything else that may trap.
                return false;
            }
        }
        return false;
    }

    /// <summary>True when <paramref name="value"/> is a load folded into its user.</summary>
    private bool IsFoldedLoad(int value) => value >= 0 && _fused[value] && _f[value].Op == Op.Load;

    /// <summary>Emits dst op= [the folded load's address]: <paramref name="kind"/> 0 ALU, 1 float, 2 multiply.</summary>
    private void OpWithLoad(int id, int dst, int load, int aux, int kind)
    {
        ref Inst l = ref _f[load];
        bool constant = IsConst(l.A, out long address);
        long offset = constant ? (uint)address + l.Imm : l.Imm;
        int addressReg = constant ? -1 : Use(l.A);
        // A load that is its own bounds check keeps its wasm offset (for the trap's backtrace; the operation cannot trap).
        _lir.Add(LOp.OpWithLoad, aux, offset, (constant ? 1 : 0) | (kind == 1 ? 2 : 0) | (kind == 2 ? 4 : 0),
            Offset(_faultingAccess[load] ? load : id));
        _lir.AddOperand(dst, OperandKind.UseDef);
        if (!constant)
        {
            _lir.AddOperand(addressReg, OperandKind.Use);
        }
    }

    /// <summary>
    /// For a commutative integer operation whose first operand lives on and whose second dies here: the operands
    /// swapped, so the copy into the destination is of the one that dies (and the allocator coalesces it away).
    /// </summary>
    private void PreferDyingFirst(int id)
    {
        ref Inst inst = ref _f[id];
        if (inst.Op is Op.Iadd or Op.Iand or Op.Ior or Op.Ixor or Op.Imul && _useCount[inst.A] > 1 && _useCount[inst.B] == 1
            && _f[inst.B].Op != Op.Const && !IsFoldedLoad(inst.B))
        {
            (inst.A, inst.B) = (inst.B, inst.A);
        }
    }

    // ---- integer arithmetic ----

    private readonly record struct LeaPlan(int Base, int Index, int Scale, int Displacement);

    /// <summary>
    /// Plans the adds of <paramref name="irBlock"/> that become one <c>lea</c> (users first, so an add folded into another
    /// is never planned itself): <c>p + (y &lt;&lt; k)</c> (k 1-3) as <c>lea d, [p + y * 2^k]</c>, and <c>(p + q) + c</c>
    /// as <c>lea d, [p + q * s + c]</c> with q scaled the same way when it is such a shift. A folded add or shift is used
    /// only by its lea, in the same block, and is not selected (<c>_fused</c>); wrap-around is the operation's own (a
    /// 32-bit lea sums modulo 2^32 and zero-extends, as i32.add).
    /// </summary>
    private void PlanLeas(int irBlock)
    {
        for (int id = _f.Blocks[irBlock].Last; id >= 0; id = _f[id].Prev)
        {
            ref Inst inst = ref _f[id];
            if (inst.Op != Op.Iadd || _fused[id] || inst.Type is not (ValType.I32 or ValType.I64)
                || IsConst(inst.A, out _))
            {
                continue;
            }
            if (IsConst(inst.B, out long c))
            {
                if (!FitsImm32(c, inst.Type) || !FoldableInto(inst.A, Op.Iadd, inst.Type, irBlock)
                    || IsConst(_f[inst.A].A, out _) || IsConst(_f[inst.A].B, out _))
                {
                    continue;
                }
                int inner = inst.A;
                _fused[inner] = true;
                _leaPlans[id] = Terms(_f[inner].A, _f[inner].B, inst.Type, irBlock, (int)c);
                continue;
            }
            if (IsScaled(inst.B, inst.Type, irBlock, out _, out _) || IsScaled(inst.A, inst.Type, irBlock, out _, out _))
            {
                _leaPlans[id] = Terms(inst.A, inst.B, inst.Type, irBlock, 0);
            }
        }
    }

    /// <summary>p + q as base and scaled index, folding a shift of either (marked fused).</summary>
    private LeaPlan Terms(int p, int q, ValType type, int irBlock, int displacement)
    {
        if (IsScaled(q, type, irBlock, out int y, out int scale))
        {
            _fused[q] = true;
            return new LeaPlan(p, y, scale, displacement);
        }
        if (IsScaled(p, type, irBlock, out y, out scale))
        {
            _fused[p] = true;
            return new LeaPlan(q, y, scale, displacement);
        }
        return new LeaPlan(p, q, 1, displacement);
    }

    /// <summary>True when <paramref name="value"/> is <c>y &lt;&lt; k</c> (k 1-3) that only one lea of this block may fold.</summary>
    private bool IsScaled(int value, ValType type, int irBlock, out int y, out int scale)
    {
        y = -1;
        scale = 1;
        if (!FoldableInto(value, Op.Ishl, type, irBlock) || !IsConst(_f[value].B, out long count) || IsConst(_f[value].A, out _))
        {
            return false;
        }
        int k = (int)(count & (type == ValType.I32 ? 31 : 63));
        if (k is < 1 or > 3)
        {
            return false;
        }
        y = _f[value].A;
        scale = 1 << k;
        return true;
    }

    /// <summary>True when <paramref name="value"/> is an <paramref name="op"/> of <paramref name="type"/> in this block used once, not folded yet.</summary>
    private bool FoldableInto(int value, Op op, ValType type, int irBlock) =>
        value >= 0 && _f[value].Op == op && _f[value].Type == type && _f[value].Block == irBlock && _useCount[value] == 1
        && !_fused[value] && !_leaPlans.ContainsKey(value);

    private void IntAlu(int id)
    {
        ref Inst inst = ref _f[id];
        int size = Sizes.Of(inst.Type);
        if (_leaPlans.TryGetValue(id, out LeaPlan plan))
        {
            int baseReg = Use(plan.Base);
            int indexReg = Use(plan.Index);
            Emit(LOp.Lea, id, aux: size | (plan.Scale << 8) | (1 << 16), imm: plan.Displacement);
            _lir.AddOperand(Def(id), OperandKind.Def);
            _lir.AddOperand(baseReg, OperandKind.Use);
            _lir.AddOperand(indexReg, OperandKind.Use);
            return;
        }
        var op = inst.Op switch
        {
            Op.Iadd => LAlu.Add,
            Op.Isub => LAlu.Sub,
            Op.Iand => LAlu.And,
            Op.Ior => LAlu.Or,
            _ => LAlu.Xor,
        };
        if (IsConst(inst.B, out long b) && FitsImm32(b, inst.Type))
        {
            if (op == LAlu.Add)
            {
                // x + c in one lea: no copy, x stays.
                int x = Use(inst.A);
                Emit(LOp.Lea, id, aux: size | (1 << 8), imm: (int)b);
                _lir.AddOperand(Def(id), OperandKind.Def);
                _lir.AddOperand(x, OperandKind.Use);
                return;
            }
            int d = CopyInto(id, inst.A);
            Emit(LOp.AluImm, id, aux: (int)op | (size << 8), imm: (int)b);
            _lir.AddOperand(d, OperandKind.UseDef);
            return;
        }
        if (IsFoldedLoad(inst.B))
        {
            OpWithLoad(id, CopyInto(id, inst.A), inst.B, (int)op | (size << 8), kind: 0);
            return;
        }
        PreferDyingFirst(id);
        inst = ref _f[id];
        int right = Use(inst.B);
        int dst = CopyInto(id, inst.A);
        Emit(LOp.Alu, id, aux: (int)op | (size << 8));
        _lir.AddOperand(dst, OperandKind.UseDef);
        _lir.AddOperand(right, OperandKind.Use, allowStack: true);
    }

    private void IntMul(int id)
    {
        ref Inst inst = ref _f[id];
        int size = Sizes.Of(inst.Type);
        if (IsConst(inst.B, out long b) && FitsImm32(b, inst.Type))
        {
            int x = Use(inst.A);
            Emit(LOp.ImulImm, id, aux: size, imm: (int)b);
            _lir.AddOperand(Def(id), OperandKind.Def);
            _lir.AddOperand(x, OperandKind.Use);
            return;
        }
        if (IsFoldedLoad(inst.B))
        {
            OpWithLoad(id, CopyInto(id, inst.A), inst.B, size, kind: 2);
            return;
        }
        PreferDyingFirst(id);
        inst = ref _f[id];
        int right = Use(inst.B);
        int dst = CopyInto(id, inst.A);
        Emit(LOp.Imul, id, aux: size);
        _lir.AddOperand(dst, OperandKind.UseDef);
        _lir.AddOperand(right, OperandKind.Use, allowStack: true);
    }

    private void IntShift(int id)
    {
        ref Inst inst = ref _f[id];
        int size = Sizes.Of(inst.Type);
        var op = inst.Op switch
        {
            Op.Ishl => LShift.Shl,
            Op.Isshr => LShift.Sar,
            Op.Iushr => LShift.Shr,
            Op.Irotl => LShift.Rol,
            _ => LShift.Ror,
        };
        if (IsConst(inst.B, out long count))
        {
            int d = CopyInto(id, inst.A);
            Emit(LOp.ShiftImm, id, aux: (int)op | (size << 8), imm: count & (size == Sizes.S64 ? 63 : 31));
            _lir.AddOperand(d, OperandKind.UseDef);
            return;
        }
        int countReg = Use(inst.B);
        int dst = CopyInto(id, inst.A);
        _lir.Add(LOp.Move, wasmOffset: Offset(id));
        _lir.AddOperand(PhysicalRegisters.Rcx, OperandKind.Def);
        _lir.AddOperand(countReg, OperandKind.Use, allowStack: true);
        Emit(LOp.Shift, id, aux: (int)op | (size << 8));
        _lir.AddOperand(dst, OperandKind.UseDef);
        _lir.AddOperand(PhysicalRegisters.Rcx, OperandKind.Use);
    }

    private void DivRem(int id)
    {
        ref Inst inst = ref _f[id];
        bool signed = inst.Op is Op.IdivS or Op.IremS;
        bool remainder = inst.Op is Op.IremS or Op.IremU;
        int divisor = Use(inst.B);
        int dst = CopyInto(id, inst.A);
        Emit(LOp.DivRem, id, aux: Sizes.Of(inst.Type) | ((signed ? 1 : 0) << 8) | ((remainder ? 1 : 0) << 9));
        _lir.AddOperand(dst, OperandKind.UseDef);
        _lir.AddOperand(divisor, OperandKind.Use);
        _lir.AddOperand(PhysicalRegisters.Rdx, OperandKind.Temp);
    }

    private void Extend(int id)
    {
        ref Inst inst = ref _f[id];
        // Sext: the low Imm bits; Zext32 and Wrap: a 32-bit move (zero-extends).
        long bits = inst.Op == Op.Sext ? inst.Imm : 0;
        int source = Use(inst.A);
        Emit(LOp.Extend, id, aux: Sizes.Of(inst.Type), imm: bits);
        _lir.AddOperand(Def(id), OperandKind.Def);
        _lir.AddOperand(source, OperandKind.Use, allowStack: true);
    }

    private void IntSetCc(int id)
    {
        ref Inst inst = ref _f[id];
        int size = Sizes.Of(_f[inst.A].Type);
        if (IsConst(inst.B, out long b) && FitsImm32(b, _f[inst.B].Type))
        {
            int x = Use(inst.A);
            Emit(LOp.SetCcImm, id, aux: (int)inst.Imm | (size << 8), imm: (int)b);
            _lir.AddOperand(Def(id), OperandKind.Def);
            _lir.AddOperand(x, OperandKind.Use, allowStack: true);
            return;
        }
        int left = Use(inst.A), right = Use(inst.B);
        Emit(LOp.SetCc, id, aux: (int)inst.Imm | (size << 8));
        _lir.AddOperand(Def(id), OperandKind.Def);
        _lir.AddOperand(left, OperandKind.Use);
        _lir.AddOperand(right, OperandKind.Use, allowStack: true);
    }

    /// <summary>
    /// A compare whose only use is the branch ending its block or a later select of its block is not computed
    /// on its own: the consumer compares (the compare's operands then live a little longer).
    /// </summary>
    private bool FuseCompare(int id)
    {
        if (_useCount[id] != 1)
        {
            return false;
        }
        int block = _f[id].Block;
        for (int next = _f[id].Next; next >= 0; next = _f[next].Next)
        {
            ref Inst user = ref _f[next];
            if ((user.Op == Op.Branch && user.A == id) || (user.Op == Op.Select && user.A == id))
            {
                _fused[id] = true;
                return true;
            }
            if (user.A == id || user.B == id || user.C == id)
            {
                return false;
            }
        }
        _ = block;
        return false;
    }

    /// <summary>Adds the operands of a (possibly fused) condition; returns the condition kind for Select (0 test, 1 int, 2 int imm, 3 float) and its Aux bits.</summary>
    private (int Kind, int Aux, long Imm) Condition(int condition, List<(int Reg, bool AllowStack)> operands)
    {
        ref Inst c = ref _f[condition];
        if (_fused[condition])
        {
            int size = Sizes.Of(_f[c.A].Type);
            if (c.Op == Op.Fcmp)
            {
                operands.Add((Use(c.A), false));
                operands.Add((Use(c.B), false));
                return (3, (int)c.Imm | (size << 8), 0);
            }
            if (IsConst(c.B, out long b) && FitsImm32(b, _f[c.B].Type))
            {
                operands.Add((Use(c.A), true));
                return (2, (int)c.Imm | (size << 8), (int)b);
            }
            operands.Add((Use(c.A), false));
            operands.Add((Use(c.B), true));
            return (1, (int)c.Imm | (size << 8), 0);
        }
        operands.Add((Use(condition), false));
        return (0, (int)IrCond.Ne | (Sizes.S32 << 8), 0);
    }

    private readonly List<(int Reg, bool AllowStack)> _conditionOperands = new();

    private void SelectValue(int id)
    {
        ref Inst inst = ref _f[id];
        _conditionOperands.Clear();
        int other = Use(inst.C);
        int dst = CopyInto(id, inst.B);
        var (kind, aux, imm) = Condition(inst.A, _conditionOperands);
        bool xmm = inst.Type is ValType.F32 or ValType.F64 or ValType.V128;
        Emit(LOp.Select, id, aux: aux | (Sizes.Of(inst.Type) << 12) | ((xmm ? 1 : 0) << 16), imm: imm, imm2: kind);
        _lir.AddOperand(dst, OperandKind.UseDef);
        _lir.AddOperand(other, OperandKind.Use);
        foreach (var (reg, allowStack) in _conditionOperands)
        {
            _lir.AddOperand(reg, OperandKind.Use, allowStack);
        }
    }

    // ---- memory ----

    /// <summary>True when <paramref name="value"/> is a checked host address (<see cref="Op.HeapAddress"/>): an access of any memory but a 32-bit memory 0.</summary>
    private bool IsHostAddress(int value) => value >= 0 && _f[value].Op == Op.HeapAddress;

    private void MemoryLoad(int id)
    {
        ref Inst inst = ref _f[id];
        bool constant = IsConst(inst.A, out long address);
        long offset = constant ? (uint)address + inst.Imm : inst.Imm;
        int lane = inst.Aux >> 16;
        int addressReg = constant ? -1 : Use(inst.A);
        int flags = constant ? 1 : IsHostAddress(inst.A) ? 8 : 0;
        if (inst.B >= 0)
        {
            // load_lane: the result is a copy of the vector with one lane loaded.
            int dst = CopyInto(id, inst.B);
            Emit(LOp.Load, id, aux: inst.Aux, imm: offset, imm2: flags);
            _lir.AddOperand(dst, OperandKind.UseDef);
        }
        else
        {
            Emit(LOp.Load, id, aux: inst.Aux, imm: offset, imm2: flags);
            _lir.AddOperand(Def(id), OperandKind.Def);
        }
        if (!constant)
        {
            _lir.AddOperand(addressReg, OperandKind.Use);
        }
        _ = lane;
    }

    private void MemoryStore(int id)
    {
        ref Inst inst = ref _f[id];
        bool constant = IsConst(inst.A, out long address);
        long offset = constant ? (uint)address + inst.Imm : inst.Imm;
        int addressReg = constant ? -1 : Use(inst.A);
        int value = Use(inst.B);
        Emit(LOp.Store, id, aux: inst.Aux, imm: offset, imm2: constant ? 1 : IsHostAddress(inst.A) ? 8 : 0);
        if (!constant)
        {
            _lir.AddOperand(addressReg, OperandKind.Use);
        }
        _lir.AddOperand(value, OperandKind.Use);
    }

    // ---- calls ----

    private int SlotsOf(ValType type) => type == ValType.V128 ? 2 : 1;

    /// <summary>The outgoing slot of a call result: the slots of the results before it.</summary>
    private int ResultSlot(int id)
    {
        ref Inst inst = ref _f[id];
        ref Inst call = ref _f[inst.A];
        FuncType type = call.Op == Op.Call ? _f.Module.FunctionType((uint)call.Imm) : _f.Module.Types[(int)call.Imm];
        int slot = 0;
        for (int k = 0; k < inst.Imm; k++)
        {
            slot += SlotsOf(type.Results[k]);
        }
        return slot;
    }

    /// <summary>
    /// The outgoing slot where call <paramref name="call"/>, inside a try_table, stores its status: past its arguments and
    /// results (and past what its register-convention slow path stores there).
    /// </summary>
    private int StatusSlot(int call)
    {
        ref Inst inst = ref _f[call];
        FuncType type = inst.Op == Op.Call ? _f.Module.FunctionType((uint)inst.Imm) : _f.Module.Types[(int)inst.Imm];
        return Math.Max(FunctionInstance.SlotsOf(type.Params), FunctionInstance.SlotsOf(type.Results));
    }

    /// <summary>True when call <paramref name="call"/> is inside a try_table: a <see cref="Op.CallResult"/> after it takes its status.</summary>
    private bool HasStatus(int call)
    {
        for (int next = _f[call].Next; next >= 0 && _f[next].Op == Op.CallResult; next = _f[next].Next)
        {
            if (_f[next].A == call && _f[next].Imm < 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Marks the call just emitted as one that stores its status (<see cref="LInst.T2"/> = 1 + the slot) instead of leaving on failure.</summary>
    private void MarkStatus(int id)
    {
        if (HasStatus(id))
        {
            int slot = StatusSlot(id);
            OutgoingSlots = Math.Max(OutgoingSlots, slot + 1);
            _lir.Insts[_lir.InstCount - 1].T2 = slot + 1;
        }
    }

    /// <summary>Stores a value to an outgoing slot (a constant as an immediate when it fits).</summary>
    private void StoreOut(int value, int slot, int id)
    {
        ValType type = _f[value].Type;
        if (IsConst(value, out long bits) && type is ValType.I32 or ValType.I64 or ValType.FuncRef or ValType.ExternRef
            && bits >= int.MinValue && bits <= int.MaxValue)
        {
            Emit(LOp.StoreOutImm, id, imm: slot, imm2: (int)bits);
            return;
        }
        int reg = Use(value);
        Emit(LOp.StoreOut, id, aux: (int)type, imm: slot);
        _lir.AddOperand(reg, OperandKind.Use, allowStack: true);
    }

    private void Call(int id)
    {
        ref Inst inst = ref _f[id];
        bool indirect = inst.Op == Op.CallIndirect;
        FuncType type = indirect ? _f.Module.Types[(int)inst.Imm] : _f.Module.FunctionType((uint)inst.Imm);
        if (IsRegisterCall(id))
        {
            RegisterCall(id, type);
            return;
        }
        Span<int> args = _f.PoolOperands(id);
        int argCount = indirect ? args.Length - 1 : args.Length;
        int slot = 0;
        for (int k = 0; k < argCount; k++)
        {
            StoreOut(args[k], slot, id);
            slot += SlotsOf(_f[args[k]].Type);
        }
        int resultSlots = 0;
        foreach (ValType r in type.Results)
        {
            resultSlots += SlotsOf(r);
        }
        OutgoingSlots = Math.Max(OutgoingSlots, Math.Max(slot, resultSlots));
        inst = ref _f[id];
        if (indirect)
        {
            int index = Use(args[argCount]);
            Emit(LOp.CallIndirect, id, imm: inst.Imm, imm2: inst.Aux);
            _lir.AddOperand(index, OperandKind.Use, allowStack: true);
        }
        else
        {
            bool same = inst.Imm >= _f.Module.ImportedFunctionCount;
            Emit(LOp.Call, id, aux: same ? 1 : 0, imm: inst.Imm);
        }
        MarkStatus(id);
    }

    /// <summary>
    /// True for a call in the register convention: a direct call of a function of this module, or a <c>call_indirect</c>
    /// (not a <c>call_ref</c>), whose type fits it.
    /// </summary>
    private bool IsRegisterCall(int call)
    {
        ref Inst inst = ref _f[call];
        return inst.Op switch
        {
            Op.Call => CalleeTakesRegisters(ref inst, indirect: false),
            Op.CallIndirect => CalleeTakesRegisters(ref inst, indirect: true),
            _ => false,
        };
    }

    /// <summary>
    /// The callee of a call or tail call takes the register convention: a function of this module, or through a table
    /// (not a <c>call_ref</c>) a final type, whose type fits it.
    /// </summary>
    private bool CalleeTakesRegisters(ref Inst inst, bool indirect) =>
        indirect
            // A call_ref (table CallRefTable) keeps the native convention: its reference may be any instance's function.
            ? inst.Aux != IrBuilder.CallRefTable && RegisterConvention.Fits(_f.Module.Types[(int)inst.Imm])
                // A non-final type's subtype check calls a builtin between the argument moves and the call.
                && _f.Module.Types[(int)inst.Imm].IsFinal
            : inst.Imm >= _f.Module.ImportedFunctionCount && RegisterConvention.Fits(_f.Module.FunctionType((uint)inst.Imm));

    /// <summary>
    /// A direct call of a function of this module whose type fits the register convention: the arguments are moved to
    /// their registers, the call reads them there and defines the result register, which is copied to the result's
    /// value (its <see cref="Op.CallResult"/> is then selected here).
    /// </summary>
    private void RegisterCall(int id, FuncType type)
    {
        bool indirect = _f[id].Op == Op.CallIndirect;
        Span<int> operands = _f.PoolOperands(id);
        Span<int> args = indirect ? operands[..^1] : operands;
        Span<int> regs = stackalloc int[args.Length];
        RegisterConvention.ArgumentRegisters(type, regs);
        for (int k = 0; k < args.Length; k++)
        {
            int value = Use(args[k]);
            _lir.Add(LOp.Move, wasmOffset: Offset(id));
            _lir.AddOperand(regs[k], OperandKind.Def);
            _lir.AddOperand(value, OperandKind.Use, allowStack: true);
        }
        // The out-of-line path through the native entry passes them in the outgoing area.
        OutgoingSlots = Math.Max(OutgoingSlots, Math.Max(args.Length, type.Results.Length));
        if (indirect)
        {
            // [Use index, Use argument registers..., (Def result register)]: the index in a register the arguments leave
            // free, or a frame slot.
            int index = Use(_f.PoolOperands(id)[^1]);
            ref Inst call = ref _f[id];
            Emit(LOp.CallIndirect, id, aux: 1, imm: call.Imm, imm2: call.Aux);
            _lir.AddOperand(index, OperandKind.Use, allowStack: true);
        }
        else
        {
            Emit(LOp.Call, id, aux: 1, imm: _f[id].Imm, imm2: 1);
        }
        MarkStatus(id);
        foreach (int r in regs)
        {
            _lir.AddOperand(r, OperandKind.Use);
        }
        if (type.Results.Length == 0)
        {
            return;
        }
        int resultReg = RegisterConvention.ResultRegister(type.Results[0]);
        _lir.AddOperand(resultReg, OperandKind.Def);
        for (int next = _f[id].Next; next >= 0 && _f[next].Op == Op.CallResult; next = _f[next].Next)
        {
            if (_f[next].A == id && _f[next].Imm >= 0)
            {
                _lir.Add(LOp.Move, wasmOffset: Offset(id));
                _lir.AddOperand(Def(next), OperandKind.Def);
                _lir.AddOperand(resultReg, OperandKind.Use);
            }
        }
    }

    /// <summary>The parameters of a function with a register entry: defined by the entry in their registers, copied to their values.</summary>
    private void DefineArguments()
    {
        FuncType type = _f.Type;
        Span<int> regs = stackalloc int[type.Params.Length];
        RegisterConvention.ArgumentRegisters(type, regs);
        _lir.Add(LOp.Arguments);
        foreach (int r in regs)
        {
            _lir.AddOperand(r, OperandKind.Def);
        }
        for (int id = _f.Blocks[0].First; id >= 0; id = _f[id].Next)
        {
            if (_f[id].Op == Op.Param)
            {
                _lir.Add(LOp.Move, wasmOffset: Offset(id));
                _lir.AddOperand(Def(id), OperandKind.Def);
                _lir.AddOperand(regs[_f[id].Aux], OperandKind.Use);
            }
        }
    }

    /// <summary>The return of a function with a register entry: its result (at most one) in the result register.</summary>
    private void ReturnInRegister(int id, Span<int> values)
    {
        int reg = -1;
        if (values.Length == 1)
        {
            reg = RegisterConvention.ResultRegister(_f[values[0]].Type);
            int value = Use(values[0]);
            _lir.Add(LOp.Move, wasmOffset: Offset(id));
            _lir.AddOperand(reg, OperandKind.Def);
            _lir.AddOperand(value, OperandKind.Use, allowStack: true);
        }
        Emit(LOp.Return, id, imm2: 1);
        if (reg >= 0)
        {
            _lir.AddOperand(reg, OperandKind.Use);
        }
    }

    /// <summary>
    /// A tail call: the arguments to the outgoing area (as for a call), then the terminator that replaces the frame. From a
    /// register frame, a tail call in the register convention (<see cref="IsRegisterTailCall"/>) moves its arguments to
    /// their registers instead, which the terminator uses (its Imm2 is then <see cref="RegisterTailCall"/>).
    /// </summary>
    private void ReturnCall(int id)
    {
        ref Inst inst = ref _f[id];
        bool indirect = inst.Op == Op.ReturnCallIndirect;
        if (IsRegisterTailCall(id))
        {
            RegisterReturnCall(id, indirect);
            return;
        }
        Span<int> args = _f.PoolOperands(id);
        int argCount = indirect ? args.Length - 1 : args.Length;
        int slot = 0;
        for (int k = 0; k < argCount; k++)
        {
            StoreOut(args[k], slot, id);
            slot += SlotsOf(_f[args[k]].Type);
        }
        OutgoingSlots = Math.Max(OutgoingSlots, slot);
        inst = ref _f[id];
        if (indirect)
        {
            int index = Use(args[argCount]);
            Emit(LOp.ReturnCallIndirect, id, aux: inst.Aux, imm: inst.Imm, imm2: slot);
            _lir.AddOperand(index, OperandKind.Use, allowStack: true);
        }
        else
        {
            bool same = inst.Imm >= _f.Module.ImportedFunctionCount;
            Emit(LOp.ReturnCall, id, aux: same ? 1 : 0, imm: inst.Imm, imm2: slot);
        }
    }

    /// <summary>Imm2 of a tail call's LIR whose arguments are in the register convention's registers (its operands).</summary>
    public const int RegisterTailCall = -1;

    /// <summary>
    /// True for a tail call from a register frame whose callee takes the register convention: a <c>return_call</c> of a
    /// function of this module, or a <c>return_call_indirect</c> of a final type, whose type fits it. (Another
    /// instance's function, a <c>return_call_ref</c> and a non-final type, whose subtype check calls a builtin, pass their
    /// arguments in the outgoing area; the emitter still jumps to a register entry of this instance from there.)
    /// </summary>
    private bool IsRegisterTailCall(int id)
    {
        if (!_lir.RegisterEntry)
        {
            return false;
        }
        ref Inst inst = ref _f[id];
        return inst.Op switch
        {
            Op.ReturnCall => CalleeTakesRegisters(ref inst, indirect: false),
            Op.ReturnCallIndirect => CalleeTakesRegisters(ref inst, indirect: true),
            _ => false,
        };
    }

    /// <summary>
    /// A tail call in the register convention: the arguments to their registers, then the terminator using them (and the
    /// index first, for <c>return_call_indirect</c>, in a register the arguments leave free or a frame slot). The outgoing
    /// area still holds them when the callee has no register entry (the call is then left to the caller).
    /// </summary>
    private void RegisterReturnCall(int id, bool indirect)
    {
        ref Inst inst = ref _f[id];
        FuncType type = indirect ? _f.Module.Types[(int)inst.Imm] : _f.Module.FunctionType((uint)inst.Imm);
        Span<int> operands = _f.PoolOperands(id);
        Span<int> args = indirect ? operands[..^1] : operands;
        Span<int> regs = stackalloc int[args.Length];
        RegisterConvention.ArgumentRegisters(type, regs);
        for (int k = 0; k < args.Length; k++)
        {
            int value = Use(args[k]);
            _lir.Add(LOp.Move, wasmOffset: Offset(id));
            _lir.AddOperand(regs[k], OperandKind.Def);
            _lir.AddOperand(value, OperandKind.Use, allowStack: true);
        }
        OutgoingSlots = Math.Max(OutgoingSlots, args.Length);
        inst = ref _f[id];
        if (indirect)
        {
            int index = Use(_f.PoolOperands(id)[^1]);
            inst = ref _f[id];
            Emit(LOp.ReturnCallIndirect, id, aux: inst.Aux, imm: inst.Imm, imm2: RegisterTailCall);
            _lir.AddOperand(index, OperandKind.Use, allowStack: true);
        }
        else
        {
            Emit(LOp.ReturnCall, id, aux: 1, imm: inst.Imm, imm2: RegisterTailCall);
        }
        foreach (int r in regs)
        {
            _lir.AddOperand(r, OperandKind.Use);
        }
    }

    private void CallBuiltin(int id)
    {
        ref Inst inst = ref _f[id];
        var builtin = (BuiltinId)inst.Imm;
        int immediates = ImmediateCount(builtin);
        if (immediates > 0)
        {
            Emit(LOp.StoreOutImm, id, imm: 0, imm2: inst.C);
        }
        if (immediates > 1)
        {
            Emit(LOp.StoreOutImm, id, imm: 1, imm2: inst.Aux);
        }
        Span<int> args = _f.PoolOperands(id);
        int slot = immediates;
        for (int k = 0; k < args.Length; k++)
        {
            StoreOut(args[k], slot, id);
            slot += SlotsOf(_f[args[k]].Type);
        }
        bool returnsValue = _f[id].Type != ValType.Bottom;
        OutgoingSlots = Math.Max(OutgoingSlots, Math.Max(1, slot));
        // A builtin taking the outgoing area (throw's values, the catch's delivery) gets its immediates in registers, the
        // rest through the area.
        int registerArguments = Builtins.TakesOutgoingArea(builtin) ? immediates : slot;
        bool throws = builtin is BuiltinId.Throw or BuiltinId.ThrowRef;
        if (throws || builtin == BuiltinId.CatchException)
        {
            OutgoingSlots = Math.Max(OutgoingSlots, Builtins.ExceptionAreaSlots(_f.Module));
        }
        // Imm2: 1 for a status, 0 for an i32 result, 2 for an i64 one (memory.grow and table.grow of 64-bit ones), 3 for a
        // throw (it always fails; the terminator after it goes on).
        Emit(LOp.CallBuiltin, id, aux: registerArguments, imm: (long)builtin,
            imm2: throws ? 3 : !returnsValue ? 1 : _f[id].Type == ValType.I64 ? 2 : 0);
        if (returnsValue)
        {
            Emit(LOp.LoadOut, id, aux: (int)_f[id].Type, imm: 0);
            _lir.AddOperand(Def(id), OperandKind.Def);
        }
    }

    private static int ImmediateCount(BuiltinId id) => id switch
    {
        BuiltinId.MemoryInit or BuiltinId.DataDrop or BuiltinId.TableGrow or BuiltinId.TableFill
            or BuiltinId.ElemDrop or BuiltinId.TableSetExternRef or BuiltinId.GlobalSetExternRef
            or BuiltinId.MemoryGrowAny or BuiltinId.MemoryFillAny or BuiltinId.Throw or BuiltinId.CatchException => 1,
        BuiltinId.TableCopy or BuiltinId.TableInit or BuiltinId.MemoryCopyAny or BuiltinId.MemoryInitAny => 2,
        _ => 0,
    };

    // ---- control ----

    /// <summary>The LIR target of an IR edge from the current block: the target block, or a new edge block when the edge needs moves and is not the block's only exit, or is critical.</summary>
    private int EdgeTarget(int call, bool onlyExit)
    {
        ref BlockCall c = ref _f.Calls[call];
        bool critical = _cfg.PredecessorsOf(c.Block).Length > 1;
        if (onlyExit || (c.ArgCount == 0 && !critical))
        {
            return _lir.BlockOfIr[c.Block];
        }
        foreach (var (edgeBlock, existing) in _pendingEdgeBlocks)
        {
            if (existing == call)
            {
                return edgeBlock;
            }
        }
        int block = _lir.BlockCount++;
        EnsureBlocks(_lir.BlockCount);
        _pendingEdgeBlocks.Add((block, call));
        return block;
    }

    /// <summary>The moves of an edge's arguments into the target's parameters.</summary>
    private void EmitEdgeMoves(int call)
    {
        ref BlockCall c = ref _f.Calls[call];
        if (c.ArgCount == 0)
        {
            return;
        }
        // Uses first (constants made before the move), then the move itself.
        Span<int> args = _f.CallArgs(call);
        Span<int> sources = args.Length <= 64 ? stackalloc int[args.Length] : new int[args.Length];
        for (int k = 0; k < args.Length; k++)
        {
            sources[k] = Use(args[k]);
        }
        _lir.Add(LOp.ParallelMove);
        int param = _f.Blocks[c.Block].First;
        for (int k = 0; k < args.Length; k++)
        {
            // Both sides may be frame slots: a block with more parameters than registers takes some in their slots.
            _lir.AddOperand(Def(param), OperandKind.Def, allowStack: true);
            _lir.AddOperand(sources[k], OperandKind.Use, allowStack: true);
            param = _f[param].Next;
        }
    }

    private void Jump(int id)
    {
        int call = _f[id].A;
        EmitEdgeMoves(call);
        Emit(LOp.Jump, id);
        _lir.Insts[_lir.InstCount - 1].T1 = _lir.BlockOfIr[_f.Calls[call].Block];
    }

    private void Branch(int id)
    {
        ref Inst inst = ref _f[id];
        int t1 = EdgeTarget(inst.B, onlyExit: false);
        int t2 = EdgeTarget(inst.C, onlyExit: false);
        _conditionOperands.Clear();
        var (kind, aux, imm) = Condition(inst.A, _conditionOperands);
        LOp op = kind switch
        {
            0 => LOp.Branch,
            1 => LOp.CmpBranch,
            2 => LOp.CmpImmBranch,
            _ => LOp.FloatCmpBranch,
        };
        Emit(op, id, aux: kind == 0 ? 0 : aux, imm: imm);
        _lir.Insts[_lir.InstCount - 1].T1 = t1;
        _lir.Insts[_lir.InstCount - 1].T2 = t2;
        foreach (var (reg, allowStack) in _conditionOperands)
        {
            _lir.AddOperand(reg, OperandKind.Use, allowStack);
        }
    }

    private void BrTable(int id)
    {
        ref Inst inst = ref _f[id];
        int count = inst.C;
        int start = _lir.DataCount;
        for (int k = 0; k < count; k++)
        {
            _lir.AddData(0);
        }
        for (int k = 0; k < count; k++)
        {
            _lir.Data[start + k] = EdgeTarget(_f.Pool[inst.B + k], onlyExit: false);
        }
        inst = ref _f[id];
        int index = Use(inst.A);
        Emit(LOp.BrTable, id, aux: count, imm2: start);
        _lir.AddOperand(index, OperandKind.Use);
    }

    // ---- the operators emitted by shared sequences ----

    private void Generic(int id, Opcode opcode)
    {
        ref Inst inst = ref _f[id];
        WasmShape shape = WasmShapes.Of(opcode);
        int a = inst.A, b = inst.B, c = inst.C;
        int imm2 = 0;
        long imm = inst.Imm;
        if (WasmShapes.IsVectorShift(opcode) && IsConst(b, out long count))
        {
            // A constant count: an immediate.
            imm2 = 1;
            imm = count;
            b = -1;
        }
        Span<int> sources = stackalloc int[3];
        int sourceCount = 0;
        if (!shape.InPlace && a >= 0)
        {
            sources[sourceCount++] = Use(a);
        }
        if (b >= 0)
        {
            sources[sourceCount++] = Use(b);
        }
        if (c >= 0)
        {
            sources[sourceCount++] = Use(c);
        }
        int dst = shape.InPlace ? CopyInto(id, a) : Def(id);
        Emit(LOp.Wasm, id, aux: (int)opcode, imm: imm, imm2: imm2);
        _lir.AddOperand(dst, shape.InPlace ? OperandKind.UseDef : OperandKind.Def);
        for (int k = 0; k < sourceCount; k++)
        {
            // The second operand may be a frame slot where allowed: an in-place operator's first source here, a new value's second.
            _lir.AddOperand(sources[k], OperandKind.Use, allowStack: shape.SecondMayBeMemory && k == (shape.InPlace ? 0 : 1));
        }
        for (int k = 0; k < shape.XmmTemps; k++)
        {
            _lir.AddOperand(_lir.NewVReg(ValType.V128), OperandKind.Temp);
        }
        for (int k = 0; k < shape.GprTemps; k++)
        {
            _lir.AddOperand(_lir.NewVReg(ValType.I64), OperandKind.Temp);
        }
    }
}
