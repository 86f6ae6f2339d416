using Engine.Core;
using Engine.Optimizing.Analysis;
using Engine.Optimizing.Ir;

namespace Engine.Optimizing.Passes;

/// <summary>
/// Global value numbering over the dominator tree, with simplification, redundant-load elimination and
/// redundant bounds-check elimination, in one walk.
/// </summary>
/// <remarks>
/// <para>Each instruction is first simplified (<see cref="Simplifier"/>); then a pure one is looked up by what
/// it computes (operation, type, operands, immediates): an equal instruction in a dominating position
/// replaces it. Deterministic trapping operations (division, truncation) merge the same way: the dominating
/// one would have trapped first.</para>
/// <para><b>Loads</b> are keyed by their address and the <i>version</i> of their alias class
/// (<see cref="AliasClasses"/>): a write to a class gives it a new version, and so does any path into a block
/// that may write it (found by walking back from the block's predecessors to its immediate dominator).
/// A store is remembered as a load of the same address at the new version, so a following load of it gets
/// the stored value; <c>global.set</c> likewise.</para>
/// <para><b>Bounds checks</b>: memories never shrink, so a check of address a up to end e stays true for
/// the rest of the function; a dominated check of the same address up to an end &lt;= e is removed.</para>
/// <para>Conditional branches on constants become jumps; the caller removes what became unreachable.</para>
/// </remarks>
internal sealed class ValueNumbering
{
    private const int Classes = 64;
    // A merge region larger than this is assumed to write everything (bounds the walks in huge functions).
    private const int WalkBudget = 2000;

    private readonly ScopedValueTable _table = new();
    private int[] _replace = new int[256];
    private ulong[] _blockWrites = new ulong[32];
    private int[] _versions = new int[16 * Classes];
    private int _nextVersion;
    private int[] _walkStamp = new int[32];
    private int _walkGeneration;
    private int[] _walkStack = new int[32];
    private int[] _domStack = new int[64];
    private IrFunction _f = null!;
    private ControlFlow _cfg = null!;

    /// <summary>True when the last run turned a conditional branch into a jump (unreachable blocks may remain).</summary>
    public bool ChangedControlFlow { get; private set; }

    /// <summary>Which of its parts run (redundant loads, bounds checks, simplification).</summary>
    public OptimizingPasses EnabledPasses { get; set; } = OptimizingPasses.All;

    public void Run(IrFunction f, ControlFlow cfg)
    {
        _f = f;
        _cfg = cfg;
        ChangedControlFlow = false;
        // The simplifier makes at most one constant per instruction: no ref into Insts moves during the pass.
        f.ReserveInsts(f.InstCount + 16);
        if (_replace.Length < f.Insts.Length)
        {
            _replace = new int[f.Insts.Length];
        }
        Array.Fill(_replace, -1, 0, f.Insts.Length);
        _table.Reset(f.InstCount + 16);
        ComputeBlockWrites();
        _nextVersion = 1;
        WalkDominatorTree();
        _f = null!;
        _cfg = null!;
    }

    private void ComputeBlockWrites()
    {
        int n = _f.BlockCount;
        if (_blockWrites.Length < n)
        {
            _blockWrites = new ulong[Math.Max(n, _blockWrites.Length * 2)];
            _walkStamp = new int[_blockWrites.Length];
            _walkStack = new int[_blockWrites.Length];
            _walkGeneration = 0;
        }
        for (int b = 0; b < n; b++)
        {
            ulong writes = 0;
            if (!_f.Blocks[b].Removed)
            {
                for (int id = _f.Blocks[b].First; id >= 0; id = _f[id].Next)
                {
                    writes |= AliasClasses.Writes(_f, id);
                }
            }
            _blockWrites[b] = writes;
        }
    }

    private int Resolve(int value) => DeadCode.Resolve(_replace, value);

    private void WalkDominatorTree()
    {
        // Stack entries: block, next child index, table mark, depth.
        int sp = 0;
        for (int i = 0; i < _cfg.RpoCount; i++)
        {
            int root = _cfg.Rpo[i];
            if (_cfg.Idom[root] != -1)
            {
                continue;
            }
            EnterBlock(root, 0, ref sp);
            while (sp > 0)
            {
                int top = sp - 4;
                int block = _domStack[top];
                int next = _domStack[top + 1];
                int childEnd = _cfg.ChildStart[block + 1];
                if (_cfg.ChildStart[block] + next < childEnd)
                {
                    _domStack[top + 1] = next + 1;
                    int child = _cfg.Children[_cfg.ChildStart[block] + next];
                    EnterBlock(child, _domStack[top + 3] + 1, ref sp);
                }
                else
                {
                    _table.PopTo(_domStack[top + 2]);
                    sp -= 4;
                }
            }
        }
    }

    private void EnterBlock(int block, int depth, ref int sp)
    {
        if (sp + 4 > _domStack.Length)
        {
            Array.Resize(ref _domStack, _domStack.Length * 2);
        }
        _domStack[sp] = block;
        _domStack[sp + 1] = 0;
        _domStack[sp + 2] = _table.Mark;
        _domStack[sp + 3] = depth;
        sp += 4;
        if ((depth + 1) * Classes > _versions.Length)
        {
            Array.Resize(ref _versions, Math.Max(_versions.Length * 2, (depth + 1) * Classes));
        }
        Span<int> versions = _versions.AsSpan(depth * Classes, Classes);
        if (depth == 0)
        {
            for (int c = 0; c < Classes; c++)
            {
                versions[c] = _nextVersion++;
            }
        }
        else
        {
            _versions.AsSpan((depth - 1) * Classes, Classes).CopyTo(versions);
            ulong written = WritesIntoBlock(block);
            for (int c = 0; written != 0 && c < Classes; c++)
            {
                if ((written & (1UL << c)) != 0)
                {
                    versions[c] = _nextVersion++;
                }
            }
        }
        ProcessBlock(block, versions);
    }

    /// <summary>
    /// The classes written on some path from <paramref name="block"/>'s immediate dominator to it (excluding the
    /// dominator itself): nothing when its only predecessor is the dominator.
    /// </summary>
    private ulong WritesIntoBlock(int block)
    {
        int idom = _cfg.Idom[block];
        ReadOnlySpan<int> preds = _cfg.PredecessorsOf(block);
        if (preds.Length == 1 && preds[0] == idom)
        {
            return 0;
        }
        int generation = ++_walkGeneration;
        ulong written = 0;
        int sp = 0;
        int visited = 0;
        foreach (int p in preds)
        {
            if (p != idom && _walkStamp[p] != generation)
            {
                _walkStamp[p] = generation;
                _walkStack[sp++] = p;
            }
        }
        while (sp > 0)
        {
            int b = _walkStack[--sp];
            written |= _blockWrites[b];
            if (++visited > WalkBudget || written == AliasClasses.All)
            {
                return AliasClasses.All;
            }
            foreach (int p in _cfg.PredecessorsOf(b))
            {
                if (p != idom && _walkStamp[p] != generation && _cfg.IsReachable(p))
                {
                    _walkStamp[p] = generation;
                    _walkStack[sp++] = p;
                }
            }
        }
        return written;
    }

    private static int ClassIndex(ulong classBit) => System.Numerics.BitOperations.TrailingZeroCount(classBit);

    private void Bump(Span<int> versions, ulong written)
    {
        for (int c = 0; written != 0 && c < Classes; c++)
        {
            if ((written & (1UL << c)) != 0)
            {
                versions[c] = _nextVersion++;
                written &= ~(1UL << c);
            }
        }
    }

    private void ProcessBlock(int block, Span<int> versions)
    {
        IrFunction f = _f;
        int id = f.Blocks[block].First;
        while (id >= 0)
        {
            int next = f[id].Next;
            ProcessInst(block, id, versions);
            id = next;
        }
    }

    private void ResolveOperands(int id) => DeadCode.RewriteOperands(_f, id, _replace);

    /// <summary>A branch or br_table whose selector is a constant becomes a jump to the edge it always takes.</summary>
    private void FoldToJump(ref Inst inst, int edge)
    {
        inst.Op = Op.Jump;
        inst.A = edge;
        inst.B = inst.C = -1;
        ChangedControlFlow = true;
    }

    private void Replace(int id, int by)
    {
        _replace[id] = by;
        _f.Remove(id);
    }

    private static ValueKey KeyOf(in Inst inst, int version) => new()
    {
        OpAndType = (int)inst.Op | ((int)inst.Type << 8),
        A = inst.A,
        B = inst.B,
        C = inst.C,
        Imm = inst.Imm,
        Aux = inst.Aux,
        Version = version,
    };

    /// <summary>Looks <paramref name="id"/> up by <paramref name="key"/>: replaces it by an equal dominating value, or records it.</summary>
    private void Number(int id, in ValueKey key)
    {
        if (_table.TryGet(key, out int existing))
        {
            Replace(id, existing);
        }
        else
        {
            _table.Set(key, id);
        }
    }

    private void ProcessInst(int block, int id, Span<int> versions)
    {
        ResolveOperands(id);
        ref Inst inst = ref _f[id];
        switch (inst.Op)
        {
            case Op.BlockParam:
                TrivialParam(block, id);
                return;
            case Op.Param:
            case Op.OsrValue:
            case Op.CallResult:
            case Op.RootRef:
            case Op.InterruptCheck:
            case Op.Return:
            case Op.Jump:
            case Op.Trap:
            case Op.Unwind:
            case Op.Call:
            case Op.CallIndirect:
            case Op.CallBuiltin:
            case Op.ReturnCall:
            case Op.ReturnCallIndirect:
                Bump(versions, AliasClasses.Writes(_f, id));
                return;
            case Op.Branch:
                if (Simplifier.IsConst(_f, inst.A, out long condition))
                {
                    FoldToJump(ref inst, (uint)condition != 0 ? inst.B : inst.C);
                }
                return;
            case Op.BrTable:
                if (Simplifier.IsConst(_f, inst.A, out long index))
                {
                    FoldToJump(ref inst, (ulong)(uint)index < (ulong)(inst.C - 1) ? _f.Pool[inst.B + (int)(uint)index] : _f.Pool[inst.B + inst.C - 1]);
                }
                return;
            case Op.BoundsCheck:
                if ((EnabledPasses & OptimizingPasses.BoundsChecks) != 0)
                {
                    BoundsCheck(id);
                }
                return;
            case Op.Load when (EnabledPasses & OptimizingPasses.RedundantLoads) == 0:
                return;
            case Op.Load:
                Number(id, KeyOf(inst, versions[ClassIndex(AliasClasses.Memory)]));
                return;
            case Op.MemorySize:
                Number(id, KeyOf(inst, versions[ClassIndex(AliasClasses.MemoryLength)]));
                return;
            case Op.GlobalGet:
                Number(id, KeyOf(inst, versions[ClassIndex(AliasClasses.Global(inst.Imm))]));
                return;
            case Op.TableGet:
            case Op.TableSize:
                Number(id, KeyOf(inst, versions[ClassIndex(AliasClasses.Tables)]));
                return;
            case Op.Store:
                Bump(versions, AliasClasses.Memory);
                if ((EnabledPasses & OptimizingPasses.RedundantLoads) != 0)
                {
                    ForwardStore(id, versions);
                }
                return;
            case Op.GlobalSet:
                {
                    ulong cls = AliasClasses.Global(inst.Imm);
                    Bump(versions, cls);
                    var key = new ValueKey
                    {
                        OpAndType = (int)Op.GlobalGet | ((int)_f[inst.A].Type << 8),
                        A = -1,
                        B = -1,
                        C = -1,
                        Imm = inst.Imm,
                        Version = versions[ClassIndex(cls)],
                    };
                    _table.Set(key, inst.A);
                    return;
                }
            case Op.TableSet:
                Bump(versions, AliasClasses.Tables);
                return;
        }
        int simpler = (EnabledPasses & OptimizingPasses.Simplify) != 0 ? Simplifier.Simplify(_f, id) : -1;
        if (simpler >= 0)
        {
            Replace(id, simpler);
            return;
        }
        inst = ref _f[id];
        if ((OpInfo.Flags(inst.Op) & (OpFlags.Pure | OpFlags.CanTrap)) != 0)
        {
            Number(id, KeyOf(inst, 0));
        }
    }

    /// <summary>A later load of what a full-width store wrote gets the stored value.</summary>
    private void ForwardStore(int id, Span<int> versions)
    {
        ref Inst store = ref _f[id];
        Opcode load = (Opcode)store.Aux switch
        {
            Opcode.I32Store => Opcode.I32Load,
            Opcode.I64Store => Opcode.I64Load,
            Opcode.F32Store => Opcode.F32Load,
            Opcode.F64Store => Opcode.F64Load,
            Opcode.V128Store => Opcode.V128Load,
            _ => 0,
        };
        if (load == 0)
        {
            return;
        }
        var key = new ValueKey
        {
            OpAndType = (int)Op.Load | ((int)_f[store.B].Type << 8),
            A = store.A,
            B = -1,
            C = -1,
            Imm = store.Imm,
            Aux = (int)load,
            Version = versions[ClassIndex(AliasClasses.Memory)],
        };
        _table.Set(key, store.B);
    }

    private void BoundsCheck(int id)
    {
        ref Inst inst = ref _f[id];
        var key = new ValueKey { OpAndType = (int)Op.BoundsCheck, A = inst.A, B = -1, C = -1 };
        if (_table.TryGet(key, out int existing) && _f[existing].Imm >= inst.Imm)
        {
            _f.Remove(id);
            return;
        }
        _table.Set(key, id);
    }

    /// <summary>A parameter every edge passes the same value for (or itself) is that value.</summary>
    private void TrivialParam(int block, int id)
    {
        int position = _f[id].Aux;
        int same = -1;
        foreach (int pred in _cfg.PredecessorsOf(block))
        {
            int t = _f.Terminator(pred);
            int count = _f.SuccessorCount(t);
            for (int s = 0; s < count; s++)
            {
                int call = _f.SuccessorCall(t, s);
                if (_f.Calls[call].Block != block)
                {
                    continue;
                }
                int arg = Resolve(_f.Pool[_f.Calls[call].ArgStart + position]);
                if (arg == id || arg == same)
                {
                    continue;
                }
                if (same >= 0)
                {
                    return;
                }
                same = arg;
            }
        }
        if (same >= 0)
        {
            // The parameter stays (with no uses) until dead-code elimination removes it and its arguments.
            _replace[id] = same;
        }
    }
}
