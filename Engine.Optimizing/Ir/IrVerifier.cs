using System.Text;
using Engine.Core;
using Engine.Optimizing.Analysis;

namespace Engine.Optimizing.Ir;

/// <summary>A broken invariant of the IR found by <see cref="IrVerifier"/> (a compiler bug).</summary>
public sealed class IrVerificationException : Exception
{
    /// <summary>Creates the exception with the problems found and the printed function.</summary>
    public IrVerificationException(string message) : base(message)
    {
    }
}

/// <summary>
/// Checks the invariants every pass must keep: well-formed block lists (parameters first, one terminator,
/// last), every operand a live value defined before its use in a dominating position, edges passing one
/// argument of the right type per target parameter, and the operand types of each operation. Run after
/// every pass in debug builds and in the tests.
/// </summary>
public static class IrVerifier
{
    /// <summary>Throws <see cref="IrVerificationException"/> listing every problem found.</summary>
    public static void Verify(IrFunction f)
    {
        var cfg = new ControlFlow();
        cfg.Compute(f);
        Verify(f, cfg);
    }

    internal static void Verify(IrFunction f, ControlFlow cfg)
    {
        var errors = new List<string>();
        // Position of each instruction in its block, to order uses and definitions in one block.
        var position = new int[f.InstCount];
        var inLayout = new bool[f.BlockCount];
        for (int b = f.LayoutFirst; b >= 0; b = f.Blocks[b].LayoutNext)
        {
            inLayout[b] = true;
        }
        for (int b = 0; b < f.BlockCount; b++)
        {
            if (!f.Blocks[b].Removed && !inLayout[b] && cfg.IsReachable(b))
            {
                errors.Add($"block{b} is reachable but not in the layout");
            }
        }
        if (f.BlockCount == 0 || !f.Blocks[0].IsEntry)
        {
            errors.Add("block0 is not the entry");
        }
        for (int b = f.LayoutFirst; b >= 0; b = f.Blocks[b].LayoutNext)
        {
            CheckBlockList(f, b, position, errors);
            if (f.Blocks[b].IsEntry && cfg.PredecessorsOf(b).Length > 0)
            {
                errors.Add($"entry block{b} has predecessors");
            }
        }
        for (int b = f.LayoutFirst; b >= 0; b = f.Blocks[b].LayoutNext)
        {
            if (!cfg.IsReachable(b))
            {
                continue;
            }
            for (int id = f.Blocks[b].First; id >= 0; id = f[id].Next)
            {
                CheckInst(f, cfg, id, position, errors);
            }
        }
        if (errors.Count > 0)
        {
            var text = new StringBuilder();
            text.AppendLine($"IR of function {f.FunctionIndex} is invalid:");
            foreach (string e in errors.Take(20))
            {
                text.Append("  ").AppendLine(e);
            }
            text.AppendLine(IrPrinter.Print(f));
            throw new IrVerificationException(text.ToString());
        }
    }

    private static void CheckBlockList(IrFunction f, int block, int[] position, List<string> errors)
    {
        ref Block b = ref f.Blocks[block];
        if (b.Removed)
        {
            errors.Add($"block{block} is removed but in the layout");
            return;
        }
        int prev = -1;
        int index = 0;
        for (int id = b.First; id >= 0; id = f[id].Next, index++)
        {
            ref Inst inst = ref f[id];
            position[id] = index;
            if (inst.Removed || inst.Op == Op.Nop)
            {
                errors.Add($"v{id} in block{block} is removed");
            }
            if (inst.Block != block)
            {
                errors.Add($"v{id} is in block{block}'s list but says block{inst.Block}");
            }
            if (inst.Prev != prev)
            {
                errors.Add($"v{id} has a broken back link");
            }
            bool isParam = inst.Op == Op.BlockParam;
            if (isParam != (index < b.ParamCount))
            {
                errors.Add($"v{id}: block parameters must be exactly the first {b.ParamCount} instructions of block{block}");
            }
            if (isParam && inst.Aux != index)
            {
                errors.Add($"v{id}: parameter position {inst.Aux}, expected {index}");
            }
            bool isTerminator = OpInfo.IsTerminator(inst.Op);
            if (isTerminator != (inst.Next < 0))
            {
                errors.Add(isTerminator ? $"v{id}: terminator in the middle of block{block}" : $"block{block} does not end with a terminator");
            }
            if (inst.Op is Op.Param && block != 0)
            {
                errors.Add($"v{id}: param outside the entry block");
            }
            if (inst.Op is Op.OsrValue && !b.IsEntry)
            {
                errors.Add($"v{id}: OSR value outside an entry block");
            }
            prev = id;
        }
        if (b.Last != prev)
        {
            errors.Add($"block{block}: last instruction is v{b.Last}, list ends at v{prev}");
        }
        if (b.First < 0)
        {
            errors.Add($"block{block} is empty");
        }
    }

    private static void CheckUse(IrFunction f, ControlFlow cfg, int user, int value, int[] position, List<string> errors, int atBlock = -1)
    {
        if (value < 0 || value >= f.InstCount)
        {
            errors.Add($"v{user}: operand v{value} does not exist");
            return;
        }
        ref Inst def = ref f[value];
        if (def.Removed || def.Block < 0)
        {
            errors.Add($"v{user}: operand v{value} was removed");
            return;
        }
        if (def.Type == ValType.Bottom)
        {
            errors.Add($"v{user}: operand v{value} defines no value");
            return;
        }
        int useBlock = atBlock >= 0 ? atBlock : f[user].Block;
        if (def.Block == useBlock)
        {
            if (atBlock < 0 && position[value] >= position[user])
            {
                errors.Add($"v{user}: operand v{value} is defined after its use");
            }
        }
        else if (!cfg.IsReachable(def.Block) || !cfg.Dominates(def.Block, useBlock))
        {
            errors.Add($"v{user}: operand v{value} (block{def.Block}) does not dominate its use (block{useBlock})");
        }
    }

    private static void CheckInst(IrFunction f, ControlFlow cfg, int id, int[] position, List<string> errors)
    {
        ref Inst inst = ref f[id];
        int mask = OpInfo.ValueFieldMask(inst.Op);
        if ((mask & 1) != 0 && inst.A >= 0)
        {
            CheckUse(f, cfg, id, inst.A, position, errors);
        }
        if ((mask & 2) != 0 && inst.B >= 0)
        {
            CheckUse(f, cfg, id, inst.B, position, errors);
        }
        if ((mask & 4) != 0 && inst.C >= 0)
        {
            CheckUse(f, cfg, id, inst.C, position, errors);
        }
        if ((OpInfo.Flags(inst.Op) & OpFlags.PoolOperands) != 0)
        {
            foreach (int v in f.PoolOperands(id))
            {
                CheckUse(f, cfg, id, v, position, errors);
            }
        }
        if (OpInfo.IsTerminator(inst.Op))
        {
            int count = f.SuccessorCount(id);
            for (int i = 0; i < count; i++)
            {
                CheckEdge(f, cfg, id, f.SuccessorCall(id, i), position, errors);
            }
        }
        CheckTypes(f, id, errors);
    }

    private static void CheckEdge(IrFunction f, ControlFlow cfg, int user, int call, int[] position, List<string> errors)
    {
        ref BlockCall c = ref f.Calls[call];
        if (c.Block < 0 || c.Block >= f.BlockCount || f.Blocks[c.Block].Removed)
        {
            errors.Add($"v{user}: edge to a missing block{c.Block}");
            return;
        }
        ref Block target = ref f.Blocks[c.Block];
        if (target.IsEntry)
        {
            errors.Add($"v{user}: edge into entry block{c.Block}");
        }
        if (c.ArgCount != target.ParamCount)
        {
            errors.Add($"v{user}: edge to block{c.Block} passes {c.ArgCount} arguments for {target.ParamCount} parameters");
            return;
        }
        int param = target.First;
        for (int i = 0; i < c.ArgCount; i++, param = f[param].Next)
        {
            int arg = f.Pool[c.ArgStart + i];
            CheckUse(f, cfg, user, arg, position, errors, f[user].Block);
            if (arg >= 0 && arg < f.InstCount && f[arg].Type != f[param].Type)
            {
                errors.Add($"v{user}: edge to block{c.Block} passes v{arg} ({f[arg].Type.ToWatName()}) for v{param} ({f[param].Type.ToWatName()})");
            }
        }
    }

    private static void Expect(IrFunction f, int id, int operand, ValType type, List<string> errors)
    {
        if (operand >= 0 && operand < f.InstCount && f[operand].Type != type)
        {
            errors.Add($"v{id}: operand v{operand} is {f[operand].Type.ToWatName()}, expected {type.ToWatName()}");
        }
    }

    private static void CheckTypes(IrFunction f, int id, List<string> errors)
    {
        ref Inst inst = ref f[id];
        ValType t = inst.Type;
        switch (inst.Op)
        {
            case >= Op.Iadd and <= Op.IremU:
                if (t is not (ValType.I32 or ValType.I64))
                {
                    errors.Add($"v{id}: integer operation of type {t.ToWatName()}");
                }
                Expect(f, id, inst.A, t, errors);
                Expect(f, id, inst.B, t, errors);
                break;
            case Op.Iclz or Op.Ictz or Op.Ipopcnt:
                Expect(f, id, inst.A, t, errors);
                break;
            case Op.Icmp:
                if (t != ValType.I32)
                {
                    errors.Add($"v{id}: icmp must give i32");
                }
                if (inst.A >= 0 && inst.B >= 0 && f[inst.A].Type != f[inst.B].Type)
                {
                    errors.Add($"v{id}: icmp of v{inst.A} and v{inst.B} of different types");
                }
                break;
            case Op.Zext32:
                Expect(f, id, inst.A, ValType.I32, errors);
                break;
            case Op.Wrap:
                Expect(f, id, inst.A, ValType.I64, errors);
                break;
            case >= Op.Fadd and <= Op.Fcopysign:
                Expect(f, id, inst.A, t, errors);
                Expect(f, id, inst.B, t, errors);
                break;
            case >= Op.Fabs and <= Op.Fnearest:
                Expect(f, id, inst.A, t, errors);
                break;
            case Op.Fcmp:
                if (inst.A >= 0 && inst.B >= 0 && f[inst.A].Type != f[inst.B].Type)
                {
                    errors.Add($"v{id}: fcmp of v{inst.A} and v{inst.B} of different types");
                }
                break;
            case Op.Select:
                Expect(f, id, inst.A, ValType.I32, errors);
                Expect(f, id, inst.B, t, errors);
                Expect(f, id, inst.C, t, errors);
                break;
            case Op.Branch:
            case Op.BrTable:
                Expect(f, id, inst.A, ValType.I32, errors);
                break;
            case Op.Load:
            case Op.Store:
                Expect(f, id, inst.A, inst.A >= 0 && f[inst.A].Op == Op.HeapAddress ? ValType.I64 : ValType.I32, errors);
                break;
            case Op.BoundsCheck:
                Expect(f, id, inst.A, ValType.I32, errors);
                if (inst.B >= 0 && (f[inst.B].Op != Op.BoundsLimit || f[inst.B].Imm != inst.Imm))
                {
                    errors.Add($"v{id}: a bounds check's limit must be a bounds_limit of its end {inst.Imm}");
                }
                break;
            case Op.Return:
                {
                    ValType[] results = f.Type.Results;
                    if (inst.B != results.Length)
                    {
                        errors.Add($"v{id}: returns {inst.B} values for {results.Length} results");
                        break;
                    }
                    for (int i = 0; i < inst.B; i++)
                    {
                        // Values of typed references are of the top of their hierarchy (IrFunction.NewInst).
                        Expect(f, id, f.Pool[inst.A + i], results[i].Erased(), errors);
                    }
                    break;
                }
        }
    }
}
