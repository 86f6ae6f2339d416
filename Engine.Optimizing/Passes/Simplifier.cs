using System.Numerics;
using Engine.Core;
using Engine.Optimizing.Ir;

namespace Engine.Optimizing.Passes;

/// <summary>
/// Constant folding and algebraic simplification of one instruction whose operands are already simplified:
/// it either rewrites the instruction in place (into a constant, or a cheaper or canonical form: constants
/// on the right of commutative operations and compares, <c>x - c</c> as <c>x + -c</c>, multiplication and
/// unsigned division by powers of two as shifts, reassociated constant additions) or says which existing
/// value it equals. Integer folding follows wasm exactly; float folding only where the result is an
/// ordinary number (NaN bit patterns are left to the machine, as in every other tier); a division that would
/// trap is left to trap at run time.
/// </summary>
internal static class Simplifier
{
    /// <summary>Simplifies <paramref name="id"/>: returns the value it equals (another instruction), or -1 when it stays (possibly rewritten).</summary>
    public static int Simplify(IrFunction f, int id)
    {
        ref Inst inst = ref f[id];
        switch (inst.Op)
        {
            case Op.Iadd:
            case Op.Imul:
            case Op.Iand:
            case Op.Ior:
            case Op.Ixor:
                Commute(f, ref inst);
                return IntBinary(f, id);
            case Op.Isub:
            case Op.Ishl:
            case Op.Isshr:
            case Op.Iushr:
            case Op.Irotl:
            case Op.Irotr:
            case Op.IdivS:
            case Op.IdivU:
            case Op.IremS:
            case Op.IremU:
                return IntBinary(f, id);
            case Op.Iclz:
            case Op.Ictz:
            case Op.Ipopcnt:
                return IntUnary(f, id);
            case Op.Icmp:
                return IntCompare(f, id);
            case Op.Sext:
            case Op.Zext32:
            case Op.Wrap:
                return Extend(f, id);
            case Op.Select:
                return Select(f, id);
            case Op.Fadd:
            case Op.Fsub:
            case Op.Fmul:
            case Op.Fdiv:
                return FloatBinary(f, id);
            case Op.Bitcast:
                if (IsConst(f, inst.A, out long bits))
                {
                    MakeConst(ref inst, bits & Mask(inst.Type));
                }
                return -1;
            default:
                return -1;
        }
    }

    public static bool IsConst(IrFunction f, int value, out long bits)
    {
        if (value >= 0 && f[value].Op == Op.Const)
        {
            bits = f[value].Imm;
            return true;
        }
        bits = 0;
        return false;
    }

    private static bool IsConst(IrFunction f, int value, long bits) => value >= 0 && f[value].Op == Op.Const && f[value].Imm == bits;

    private static long Mask(ValType type) => type is ValType.I32 or ValType.F32 ? 0xFFFF_FFFFL : -1L;

    private static void MakeConst(ref Inst inst, long bits)
    {
        inst.Op = Op.Const;
        inst.Imm = bits;
        inst.A = inst.B = inst.C = -1;
        inst.Aux = 0;
    }

    /// <summary>A new constant placed right before <paramref name="before"/>.</summary>
    private static int NewConst(IrFunction f, ValType type, long bits, int before)
    {
        int c = f.NewInst(Op.Const, type, imm: bits & Mask(type), wasmOffset: f[before].WasmOffset);
        f.InsertBefore(c, before);
        return c;
    }

    /// <summary>Sets operand B (after creating an instruction, which may have moved the array a ref pointed into).</summary>
    private static void SetB(IrFunction f, int id, int value) => f[id].B = value;

    /// <summary>Puts a constant operand of a commutative operation on the right.</summary>
    private static void Commute(IrFunction f, ref Inst inst)
    {
        if (f[inst.A].Op == Op.Const && f[inst.B].Op != Op.Const)
        {
            (inst.A, inst.B) = (inst.B, inst.A);
        }
    }

    private static int IntBinary(IrFunction f, int id)
    {
        ref Inst inst = ref f[id];
        bool wide = inst.Type == ValType.I64;
        int width = wide ? 64 : 32;
        long mask = Mask(inst.Type);
        int x = inst.A;
        bool aConst = IsConst(f, inst.A, out long a);
        bool bConst = IsConst(f, inst.B, out long b);
        if (aConst && bConst && Fold(inst.Op, wide, a, b, out long folded))
        {
            MakeConst(ref inst, folded & mask);
            return -1;
        }
        if (inst.A == inst.B)
        {
            switch (inst.Op)
            {
                case Op.Isub:
                case Op.Ixor:
                    MakeConst(ref inst, 0);
                    return -1;
                case Op.Iand:
                case Op.Ior:
                    return x;
            }
        }
        if (!bConst)
        {
            return -1;
        }
        long sb = wide ? b : (int)b;
        switch (inst.Op)
        {
            case Op.Iadd:
                if (b == 0)
                {
                    return x;
                }
                // (y + c1) + c2 => y + (c1 + c2)
                if (f[x].Op == Op.Iadd && IsConst(f, f[x].B, out long c1))
                {
                    inst.A = f[x].A;
                    SetB(f, id, NewConst(f, inst.Type, c1 + b, id));
                }
                return -1;
            case Op.Isub:
                if (b == 0)
                {
                    return x;
                }
                inst.Op = Op.Iadd;
                SetB(f, id, NewConst(f, inst.Type, -sb, id));
                return IntBinary(f, id);
            case Op.Imul:
                if (b == 0)
                {
                    MakeConst(ref inst, 0);
                    return -1;
                }
                if (b == 1)
                {
                    return x;
                }
                if (IsPowerOfTwo(b & mask, out int log))
                {
                    inst.Op = Op.Ishl;
                    SetB(f, id, NewConst(f, inst.Type, log, id));
                }
                return -1;
            case Op.Iand:
                if (b == 0)
                {
                    MakeConst(ref inst, 0);
                    return -1;
                }
                return (b & mask) == mask ? x : -1;
            case Op.Ior:
                if (b == 0)
                {
                    return x;
                }
                if ((b & mask) == mask)
                {
                    MakeConst(ref inst, mask);
                }
                return -1;
            case Op.Ixor:
                return b == 0 ? x : -1;
            case Op.Ishl:
            case Op.Isshr:
            case Op.Iushr:
            case Op.Irotl:
            case Op.Irotr:
                {
                    long count = b & (width - 1);
                    if (count == 0)
                    {
                        return x;
                    }
                    if (count != b)
                    {
                        SetB(f, id, NewConst(f, inst.Type, count, id));
                    }
                    return -1;
                }
            case Op.IdivS:
            case Op.IdivU:
                if (b == 1)
                {
                    return x;
                }
                if (inst.Op == Op.IdivU && IsPowerOfTwo(b & mask, out int shift))
                {
                    inst.Op = Op.Iushr;
                    SetB(f, id, NewConst(f, inst.Type, shift, id));
                }
                return -1;
            case Op.IremS:
            case Op.IremU:
                if (b == 1 || (inst.Op == Op.IremS && sb == -1))
                {
                    MakeConst(ref inst, 0);
                    return -1;
                }
                if (inst.Op == Op.IremU && IsPowerOfTwo(b & mask, out _))
                {
                    inst.Op = Op.Iand;
                    SetB(f, id, NewConst(f, inst.Type, (b & mask) - 1, id));
                }
                return -1;
        }
        return -1;
    }

    private static bool IsPowerOfTwo(long value, out int log)
    {
        ulong v = (ulong)value;
        if (v != 0 && (v & (v - 1)) == 0)
        {
            log = BitOperations.TrailingZeroCount(v);
            return true;
        }
        log = 0;
        return false;
    }

    /// <summary>Folds an integer operation of constants; false when it would trap (left for run time).</summary>
    public static bool Fold(Op op, bool wide, long a, long b, out long result)
    {
        result = 0;
        if (wide)
        {
            ulong ua = (ulong)a, ub = (ulong)b;
            switch (op)
            {
                case Op.Iadd: result = a + b; return true;
                case Op.Isub: result = a - b; return true;
                case Op.Imul: result = a * b; return true;
                case Op.Iand: result = a & b; return true;
                case Op.Ior: result = a | b; return true;
                case Op.Ixor: result = a ^ b; return true;
                case Op.Ishl: result = a << (int)(b & 63); return true;
                case Op.Isshr: result = a >> (int)(b & 63); return true;
                case Op.Iushr: result = (long)(ua >> (int)(b & 63)); return true;
                case Op.Irotl: result = (long)BitOperations.RotateLeft(ua, (int)(b & 63)); return true;
                case Op.Irotr: result = (long)BitOperations.RotateRight(ua, (int)(b & 63)); return true;
                case Op.IdivS:
                    if (b == 0 || (a == long.MinValue && b == -1))
                    {
                        return false;
                    }
                    result = a / b;
                    return true;
                case Op.IdivU:
                    if (b == 0)
                    {
                        return false;
                    }
                    result = (long)(ua / ub);
                    return true;
                case Op.IremS:
                    if (b == 0)
                    {
                        return false;
                    }
                    result = b == -1 ? 0 : a % b;
                    return true;
                case Op.IremU:
                    if (b == 0)
                    {
                        return false;
                    }
                    result = (long)(ua % ub);
                    return true;
            }
            return false;
        }
        int ia = (int)a, ib = (int)b;
        uint xa = (uint)a, xb = (uint)b;
        switch (op)
        {
            case Op.Iadd: result = (uint)(ia + ib); return true;
            case Op.Isub: result = (uint)(ia - ib); return true;
            case Op.Imul: result = (uint)(ia * ib); return true;
            case Op.Iand: result = xa & xb; return true;
            case Op.Ior: result = xa | xb; return true;
            case Op.Ixor: result = xa ^ xb; return true;
            case Op.Ishl: result = xa << (ib & 31); return true;
            case Op.Isshr: result = (uint)(ia >> (ib & 31)); return true;
            case Op.Iushr: result = xa >> (ib & 31); return true;
            case Op.Irotl: result = BitOperations.RotateLeft(xa, ib & 31); return true;
            case Op.Irotr: result = BitOperations.RotateRight(xa, ib & 31); return true;
            case Op.IdivS:
                if (ib == 0 || (ia == int.MinValue && ib == -1))
                {
                    return false;
                }
                result = (uint)(ia / ib);
                return true;
            case Op.IdivU:
                if (xb == 0)
                {
                    return false;
                }
                result = xa / xb;
                return true;
            case Op.IremS:
                if (ib == 0)
                {
                    return false;
                }
                result = ib == -1 ? 0 : (uint)(ia % ib);
                return true;
            case Op.IremU:
                if (xb == 0)
                {
                    return false;
                }
                result = xa % xb;
                return true;
        }
        return false;
    }

    private static int IntUnary(IrFunction f, int id)
    {
        ref Inst inst = ref f[id];
        if (!IsConst(f, inst.A, out long a))
        {
            return -1;
        }
        bool wide = inst.Type == ValType.I64;
        long result = inst.Op switch
        {
            Op.Iclz => wide ? BitOperations.LeadingZeroCount((ulong)a) : BitOperations.LeadingZeroCount((uint)a),
            // TrailingZeroCount gives the width for 0, as wasm's ctz does.
            Op.Ictz => wide ? BitOperations.TrailingZeroCount((ulong)a) : BitOperations.TrailingZeroCount((uint)a),
            _ => wide ? BitOperations.PopCount((ulong)a) : BitOperations.PopCount((uint)a),
        };
        MakeConst(ref inst, result);
        return -1;
    }

    private static bool CompareConstants(IrCond cond, bool wide, long a, long b)
    {
        long sa = wide ? a : (int)a, sb = wide ? b : (int)b;
        ulong ua = wide ? (ulong)a : (uint)a, ub = wide ? (ulong)b : (uint)b;
        return cond switch
        {
            IrCond.Eq => ua == ub,
            IrCond.Ne => ua != ub,
            IrCond.LtS => sa < sb,
            IrCond.LtU => ua < ub,
            IrCond.GtS => sa > sb,
            IrCond.GtU => ua > ub,
            IrCond.LeS => sa <= sb,
            IrCond.LeU => ua <= ub,
            IrCond.GeS => sa >= sb,
            _ => ua >= ub,
        };
    }

    private static int IntCompare(IrFunction f, int id)
    {
        ref Inst inst = ref f[id];
        var cond = (IrCond)inst.Imm;
        bool wide = f[inst.A].Type != ValType.I32;
        if (f[inst.A].Op == Op.Const && f[inst.B].Op != Op.Const)
        {
            (inst.A, inst.B) = (inst.B, inst.A);
            cond = cond.Swap();
            inst.Imm = (long)cond;
        }
        bool aConst = IsConst(f, inst.A, out long a);
        bool bConst = IsConst(f, inst.B, out long b);
        if (aConst && bConst)
        {
            MakeConst(ref inst, CompareConstants(cond, wide, a, b) ? 1 : 0);
            return -1;
        }
        if (inst.A == inst.B)
        {
            MakeConst(ref inst, cond is IrCond.Eq or IrCond.LeS or IrCond.LeU or IrCond.GeS or IrCond.GeU ? 1 : 0);
            return -1;
        }
        if (!bConst)
        {
            return -1;
        }
        if (b == 0)
        {
            switch (cond)
            {
                case IrCond.LtU:
                    MakeConst(ref inst, 0);
                    return -1;
                case IrCond.GeU:
                    MakeConst(ref inst, 1);
                    return -1;
            }
            // A comparison of a 0/1 value with zero: ne is the value itself, eq its inversion.
            ref Inst inner = ref f[inst.A];
            if (inner.Op == Op.Icmp || (inner.Op == Op.Fcmp && (IrCond)inner.Imm is IrCond.Eq or IrCond.Ne))
            {
                if (cond == IrCond.Ne)
                {
                    return inst.A;
                }
                if (cond == IrCond.Eq)
                {
                    inst.Op = inner.Op;
                    inst.Imm = (long)((IrCond)inner.Imm).Invert();
                    inst.B = inner.B;
                    inst.A = inner.A;
                    return -1;
                }
            }
        }
        return -1;
    }

    private static int Extend(IrFunction f, int id)
    {
        ref Inst inst = ref f[id];
        ref Inst operand = ref f[inst.A];
        if (operand.Op == Op.Const)
        {
            long a = operand.Imm;
            long result = inst.Op switch
            {
                Op.Zext32 => (uint)a,
                Op.Wrap => (uint)a,
                _ => inst.Imm switch
                {
                    8 => (sbyte)a,
                    16 => (short)a,
                    _ => (int)a,
                },
            };
            MakeConst(ref inst, result & Mask(inst.Type));
            return -1;
        }
        // wrap(zext32 x) and wrap(sext32 x) of an i32 x are x.
        if (inst.Op == Op.Wrap && (operand.Op == Op.Zext32 || (operand.Op == Op.Sext && operand.Imm == 32 && f[operand.A].Type == ValType.I32)))
        {
            return operand.A;
        }
        return -1;
    }

    private static int Select(IrFunction f, int id)
    {
        ref Inst inst = ref f[id];
        if (IsConst(f, inst.A, out long c))
        {
            return (uint)c != 0 ? inst.B : inst.C;
        }
        return inst.B == inst.C ? inst.B : -1;
    }

    private static int FloatBinary(IrFunction f, int id)
    {
        ref Inst inst = ref f[id];
        if (!IsConst(f, inst.A, out long a) || !IsConst(f, inst.B, out long b))
        {
            return -1;
        }
        if (inst.Type == ValType.F64)
        {
            double x = BitConverter.Int64BitsToDouble(a), y = BitConverter.Int64BitsToDouble(b);
            double r = inst.Op switch
            {
                Op.Fadd => x + y,
                Op.Fsub => x - y,
                Op.Fmul => x * y,
                _ => x / y,
            };
            if (!double.IsNaN(r))
            {
                MakeConst(ref inst, BitConverter.DoubleToInt64Bits(r));
            }
        }
        else
        {
            float x = BitConverter.Int32BitsToSingle((int)a), y = BitConverter.Int32BitsToSingle((int)b);
            float r = inst.Op switch
            {
                Op.Fadd => x + y,
                Op.Fsub => x - y,
                Op.Fmul => x * y,
                _ => x / y,
            };
            if (!float.IsNaN(r))
            {
                MakeConst(ref inst, (uint)BitConverter.SingleToInt32Bits(r));
            }
        }
        return -1;
    }
}
