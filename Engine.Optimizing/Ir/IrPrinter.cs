using System.Globalization;
using System.Text;
using Engine.Core;

namespace Engine.Optimizing.Ir;

/// <summary>
/// Prints a function in a Cranelift-like text form, blocks in layout order:
/// <code>
/// block0 [entry]:
///     v0 = param.i32 0
///     v1 = iconst... 
///     v2 = iadd.i32 v0, v1
///     brif v2, block1(v2), block2
/// </code>
/// Used by tests (expected IR after passes) and by <c>disasm --tier optimizing --ir</c>.
/// </summary>
public static class IrPrinter
{
    /// <summary>The whole function.</summary>
    public static string Print(IrFunction f)
    {
        var text = new StringBuilder();
        for (int b = f.LayoutFirst; b >= 0; b = f.Blocks[b].LayoutNext)
        {
            PrintBlock(f, b, text);
        }
        return text.ToString();
    }

    private static void PrintBlock(IrFunction f, int block, StringBuilder text)
    {
        ref Block b = ref f.Blocks[block];
        text.Append("block").Append(block);
        if (b.ParamCount > 0)
        {
            text.Append('(');
            int p = b.First;
            for (int i = 0; i < b.ParamCount; i++, p = f[p].Next)
            {
                if (i > 0)
                {
                    text.Append(", ");
                }
                text.Append('v').Append(p).Append(": ").Append(f[p].Type.ToWatName());
            }
            text.Append(')');
        }
        if (b.IsEntry && block == 0)
        {
            text.Append(" [entry]");
        }
        else if (b.IsEntry)
        {
            text.Append(CultureInfo.InvariantCulture, $" [osr entry @0x{b.LoopOffset:x}]");
        }
        else if (b.IsLoopHeader)
        {
            text.Append(CultureInfo.InvariantCulture, $" [loop @0x{b.LoopOffset:x}]");
        }
        text.AppendLine(":");
        int id = b.First;
        for (int i = 0; i < b.ParamCount; i++)
        {
            id = f[id].Next;
        }
        for (; id >= 0; id = f[id].Next)
        {
            text.Append("    ");
            PrintInst(f, id, text);
            text.AppendLine();
        }
    }

    /// <summary>One instruction, without indentation or newline.</summary>
    public static void PrintInst(IrFunction f, int id, StringBuilder text)
    {
        ref Inst inst = ref f[id];
        if (inst.Type != ValType.Bottom)
        {
            text.Append('v').Append(id).Append(" = ");
        }
        text.Append(OpInfo.Name(inst.Op));
        if (inst.Type != ValType.Bottom && inst.Op != Op.Icmp && inst.Op != Op.Fcmp)
        {
            text.Append('.').Append(inst.Type.ToWatName());
        }
        switch (inst.Op)
        {
            case Op.Const:
                text.Append(' ').Append(ConstText(inst.Type, inst.Imm));
                break;
            case Op.V128Const:
                text.Append(' ').Append(f.V128Constants[(int)inst.Imm].ToString());
                break;
            case Op.Param:
                text.Append(' ').Append(inst.Aux);
                break;
            case Op.OsrValue:
                text.Append(" slot ").Append(inst.Imm);
                break;
            case Op.BoundsLimit:
                text.Append(' ').Append(inst.Imm);
                break;
            case Op.Icmp:
            case Op.Fcmp:
                text.Append('.').Append(((IrCond)inst.Imm).Name(inst.Op == Op.Fcmp)).Append(' ');
                Values(text, inst.A, inst.B);
                break;
            case Op.Sext:
                text.Append(' ');
                Values(text, inst.A);
                text.Append(", ").Append(inst.Imm);
                break;
            case Op.Convert:
            case Op.TruncTrap:
            case Op.Simd:
                text.Append(' ').Append(OperatorInfo.Name((Opcode)inst.Aux)).Append(' ');
                Values(text, inst.A, inst.B, inst.C);
                if (inst.Op == Op.Simd && (OperatorInfo.LaneCount((Opcode)inst.Aux) > 0))
                {
                    text.Append(", lane ").Append(inst.Imm);
                }
                else if (inst.Op == Op.Simd && (Opcode)inst.Aux == Opcode.I8x16Shuffle)
                {
                    text.Append(", ").Append(f.V128Constants[(int)inst.Imm].ToString());
                }
                break;
            case Op.BoundsCheck:
                text.Append(' ');
                if (inst.A >= 0)
                {
                    Values(text, inst.A);
                    text.Append(" + ");
                }
                text.Append(inst.Imm);
                if (inst.Aux == OpInfo.GuardedCheck)
                {
                    text.Append(" (guard pages)");
                }
                if (inst.B >= 0)
                {
                    text.Append(", limit ");
                    Values(text, inst.B);
                }
                break;
            case Op.Load:
            case Op.Store:
                text.Append(' ').Append(OperatorInfo.Name((Opcode)(inst.Aux & 0xFFFF))).Append(" [");
                Values(text, inst.A);
                text.Append(" + ").Append(inst.Imm).Append(']');
                if (inst.B >= 0)
                {
                    text.Append(", ");
                    Values(text, inst.B);
                }
                if (inst.Aux >> 16 != 0 || OperatorInfo.LaneCount((Opcode)(inst.Aux & 0xFFFF)) > 0)
                {
                    text.Append(", lane ").Append(inst.Aux >> 16);
                }
                break;
            case Op.HeapAddress:
                text.Append(" memory ").Append(inst.Aux & 0xFFFFFF).Append(" [");
                Values(text, inst.A);
                text.Append(" + ").Append((ulong)inst.Imm).Append("], size ").Append(inst.Aux >> 24);
                break;
            case Op.MemorySize:
                if (inst.Imm != 0)
                {
                    // Memory 0 goes unnamed, as in the text format.
                    text.Append(' ').Append(inst.Imm);
                }
                break;
            case Op.GlobalGet:
            case Op.TableSize:
            case Op.RefFunc:
                text.Append(' ').Append(inst.Imm);
                break;
            case Op.GlobalSet:
            case Op.TableGet:
            case Op.TableSet:
                text.Append(' ').Append(inst.Imm).Append(", ");
                Values(text, inst.A, inst.B);
                break;
            case Op.Call:
                text.Append(" f").Append(inst.Imm).Append('(');
                PoolValues(f, text, inst.A, inst.B);
                text.Append(')');
                break;
            case Op.CallIndirect:
                text.Append(" type ").Append(inst.Imm).Append(" table ").Append(inst.Aux).Append('(');
                PoolValues(f, text, inst.A, inst.B);
                text.Append(')');
                break;
            case Op.ReturnCall:
                text.Append(" f").Append(inst.Imm).Append('(');
                PoolValues(f, text, inst.A, inst.B);
                text.Append(')');
                break;
            case Op.ReturnCallIndirect:
                text.Append(" type ").Append(inst.Imm).Append(" table ").Append(inst.Aux).Append('(');
                PoolValues(f, text, inst.A, inst.B);
                text.Append(')');
                break;
            case Op.CallBuiltin:
                text.Append(' ').Append(((BuiltinId)inst.Imm).ToString()).Append(" [").Append(inst.C).Append(", ").Append(inst.Aux).Append("](");
                PoolValues(f, text, inst.A, inst.B);
                text.Append(')');
                break;
            case Op.CallResult:
                text.Append(" v").Append(inst.A).Append('#').Append(inst.Imm);
                break;
            case Op.InterruptCheck:
                text.Append((inst.Aux & 1) != 0 ? " epoch" : "").Append((inst.Aux & 2) != 0 ? " fuel" : "");
                break;
            case Op.Jump:
                text.Append(' ');
                Edge(f, text, inst.A);
                break;
            case Op.Branch:
                text.Append(' ');
                Values(text, inst.A);
                text.Append(", ");
                Edge(f, text, inst.B);
                text.Append(", ");
                Edge(f, text, inst.C);
                break;
            case Op.BrTable:
                text.Append(' ');
                Values(text, inst.A);
                text.Append(", [");
                for (int i = 0; i < inst.C; i++)
                {
                    if (i > 0)
                    {
                        text.Append(", ");
                    }
                    Edge(f, text, f.Pool[inst.B + i]);
                }
                text.Append(']');
                break;
            case Op.Return:
                if (inst.B > 0)
                {
                    text.Append(' ');
                    PoolValues(f, text, inst.A, inst.B);
                }
                break;
            case Op.Trap:
                text.Append(' ').Append(((TrapCode)inst.Imm).ToString());
                break;
            default:
                if (inst.A >= 0)
                {
                    text.Append(' ');
                    Values(text, inst.A, inst.B, inst.C);
                }
                break;
        }
    }

    /// <summary>A constant's bits as text: integers in decimal, floats as their value and bits.</summary>
    public static string ConstText(ValType type, long bits) => type switch
    {
        ValType.I32 => ((int)bits).ToString(CultureInfo.InvariantCulture),
        ValType.I64 => bits.ToString(CultureInfo.InvariantCulture),
        ValType.F32 => $"{BitConverter.Int32BitsToSingle((int)bits).ToString("R", CultureInfo.InvariantCulture)} (0x{(uint)bits:x8})",
        ValType.F64 => $"{BitConverter.Int64BitsToDouble(bits).ToString("R", CultureInfo.InvariantCulture)} (0x{bits:x16})",
        _ => bits == 0 ? "null" : bits.ToString(CultureInfo.InvariantCulture),
    };

    private static void Values(StringBuilder text, int a, int b = -1, int c = -1)
    {
        bool first = true;
        foreach (int v in new[] { a, b, c })
        {
            if (v < 0)
            {
                continue;
            }
            if (!first)
            {
                text.Append(", ");
            }
            text.Append('v').Append(v);
            first = false;
        }
    }

    private static void PoolValues(IrFunction f, StringBuilder text, int start, int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }
            text.Append('v').Append(f.Pool[start + i]);
        }
    }

    private static void Edge(IrFunction f, StringBuilder text, int call)
    {
        ref BlockCall c = ref f.Calls[call];
        text.Append("block").Append(c.Block);
        if (c.ArgCount > 0)
        {
            text.Append('(');
            PoolValues(f, text, c.ArgStart, c.ArgCount);
            text.Append(')');
        }
    }
}
