using System.Runtime.Intrinsics;
using Engine.Core;

namespace Engine.Interpreter;

public sealed partial class Translator
{
    /// <summary>How a plain wasm operator (fixed signature, no immediates) is translated.</summary>
    private readonly struct PlainRule(Op op, bool valid = true, Op immediate = Op.Unreachable, bool commutative = false, Op mirrored = Op.Unreachable, bool retag = false)
    {
        /// <summary>The instruction over slots.</summary>
        public readonly Op Op = op;
        /// <summary>False for operators the interpreter does not implement.</summary>
        public readonly bool Valid = valid;
        /// <summary>The variant taking the right operand as an immediate (Unreachable when none).</summary>
        public readonly Op Immediate = immediate;
        /// <summary>Operands may swap.</summary>
        public readonly bool Commutative = commutative;
        /// <summary>For a compare: the immediate variant with the operands swapped (a &lt; c is c &gt; a).</summary>
        public readonly Op Mirrored = mirrored;
        /// <summary>A reinterpretation: the bits stay, only the type changes.</summary>
        public readonly bool Retag = retag;
    }

    private static readonly PlainRule[] s_plainRules = BuildPlainRules();

    // compare -> (branch when true, branch when false), for compare-and-branch fusion.
    private static readonly Dictionary<Op, (Op WhenTrue, Op WhenFalse)> s_branchFusions = new()
    {
        [Op.I32Eq] = (Op.BrI32Eq, Op.BrI32Ne),
        [Op.I32Ne] = (Op.BrI32Ne, Op.BrI32Eq),
        [Op.I32LtS] = (Op.BrI32LtS, Op.BrI32GeS),
        [Op.I32LtU] = (Op.BrI32LtU, Op.BrI32GeU),
        [Op.I32GtS] = (Op.BrI32GtS, Op.BrI32LeS),
        [Op.I32GtU] = (Op.BrI32GtU, Op.BrI32LeU),
        [Op.I32LeS] = (Op.BrI32LeS, Op.BrI32GtS),
        [Op.I32LeU] = (Op.BrI32LeU, Op.BrI32GtU),
        [Op.I32GeS] = (Op.BrI32GeS, Op.BrI32LtS),
        [Op.I32GeU] = (Op.BrI32GeU, Op.BrI32LtU),
        [Op.I32EqImm] = (Op.BrI32EqImm, Op.BrI32NeImm),
        [Op.I32NeImm] = (Op.BrI32NeImm, Op.BrI32EqImm),
        [Op.I32LtSImm] = (Op.BrI32LtSImm, Op.BrI32GeSImm),
        [Op.I32LtUImm] = (Op.BrI32LtUImm, Op.BrI32GeUImm),
        [Op.I32GtSImm] = (Op.BrI32GtSImm, Op.BrI32LeSImm),
        [Op.I32GtUImm] = (Op.BrI32GtUImm, Op.BrI32LeUImm),
        [Op.I32LeSImm] = (Op.BrI32LeSImm, Op.BrI32GtSImm),
        [Op.I32LeUImm] = (Op.BrI32LeUImm, Op.BrI32GtUImm),
        [Op.I32GeSImm] = (Op.BrI32GeSImm, Op.BrI32LtSImm),
        [Op.I32GeUImm] = (Op.BrI32GeUImm, Op.BrI32LtUImm),
        [Op.I64Eq] = (Op.BrI64Eq, Op.BrI64Ne),
        [Op.I64Ne] = (Op.BrI64Ne, Op.BrI64Eq),
        [Op.I64LtS] = (Op.BrI64LtS, Op.BrI64GeS),
        [Op.I64LtU] = (Op.BrI64LtU, Op.BrI64GeU),
        [Op.I64GtS] = (Op.BrI64GtS, Op.BrI64LeS),
        [Op.I64GtU] = (Op.BrI64GtU, Op.BrI64LeU),
        [Op.I64LeS] = (Op.BrI64LeS, Op.BrI64GtS),
        [Op.I64LeU] = (Op.BrI64LeU, Op.BrI64GtU),
        [Op.I64GeS] = (Op.BrI64GeS, Op.BrI64LtS),
        [Op.I64GeU] = (Op.BrI64GeU, Op.BrI64LtU),
        [Op.I32Eqz] = (Op.BrIfZero, Op.BrIfNonZero),
        [Op.F64Eq] = (Op.BrF64Eq, Op.BrF64Ne),
        [Op.F64Ne] = (Op.BrF64Ne, Op.BrF64Eq),
        [Op.F64Lt] = (Op.BrF64Lt, Op.BrF64NotLt),
        [Op.F64Gt] = (Op.BrF64Gt, Op.BrF64NotGt),
        [Op.F64Le] = (Op.BrF64Le, Op.BrF64NotLe),
        [Op.F64Ge] = (Op.BrF64Ge, Op.BrF64NotGe),
        [Op.I64Eqz] = (Op.BrI64EqZero, Op.BrI64NeZero),
    };

    private static PlainRule[] BuildPlainRules()
    {
        var rules = new PlainRule[OperatorInfo.All.Length];
        foreach (Opcode opcode in OperatorInfo.All)
        {
            rules[OperatorInfo.Index(opcode)] = new PlainRule(Op.Unreachable, valid: false);
        }
        void Set(Opcode opcode, PlainRule rule) => rules[OperatorInfo.Index(opcode)] = rule;
        void Simple(Opcode opcode, Op op) => Set(opcode, new PlainRule(op));
        void WithImm(Opcode opcode, Op op, Op imm, bool commutative) => Set(opcode, new PlainRule(op, immediate: imm, commutative: commutative));
        void Compare(Opcode opcode, Op op, Op imm, Op mirrored) => Set(opcode, new PlainRule(op, immediate: imm, mirrored: mirrored));
        void Retag(Opcode opcode) => Set(opcode, new PlainRule(Op.Nop, retag: true));

        Simple(Opcode.I32Eqz, Op.I32Eqz);
        Compare(Opcode.I32Eq, Op.I32Eq, Op.I32EqImm, Op.I32EqImm);
        Compare(Opcode.I32Ne, Op.I32Ne, Op.I32NeImm, Op.I32NeImm);
        Compare(Opcode.I32LtS, Op.I32LtS, Op.I32LtSImm, Op.I32GtSImm);
        Compare(Opcode.I32LtU, Op.I32LtU, Op.I32LtUImm, Op.I32GtUImm);
        Compare(Opcode.I32GtS, Op.I32GtS, Op.I32GtSImm, Op.I32LtSImm);
        Compare(Opcode.I32GtU, Op.I32GtU, Op.I32GtUImm, Op.I32LtUImm);
        Compare(Opcode.I32LeS, Op.I32LeS, Op.I32LeSImm, Op.I32GeSImm);
        Compare(Opcode.I32LeU, Op.I32LeU, Op.I32LeUImm, Op.I32GeUImm);
        Compare(Opcode.I32GeS, Op.I32GeS, Op.I32GeSImm, Op.I32LeSImm);
        Compare(Opcode.I32GeU, Op.I32GeU, Op.I32GeUImm, Op.I32LeUImm);
        Simple(Opcode.I64Eqz, Op.I64Eqz);
        Simple(Opcode.I64Eq, Op.I64Eq);
        Simple(Opcode.I64Ne, Op.I64Ne);
        Simple(Opcode.I64LtS, Op.I64LtS);
        Simple(Opcode.I64LtU, Op.I64LtU);
        Simple(Opcode.I64GtS, Op.I64GtS);
        Simple(Opcode.I64GtU, Op.I64GtU);
        Simple(Opcode.I64LeS, Op.I64LeS);
        Simple(Opcode.I64LeU, Op.I64LeU);
        Simple(Opcode.I64GeS, Op.I64GeS);
        Simple(Opcode.I64GeU, Op.I64GeU);
        Simple(Opcode.F32Eq, Op.F32Eq);
        Simple(Opcode.F32Ne, Op.F32Ne);
        Simple(Opcode.F32Lt, Op.F32Lt);
        Simple(Opcode.F32Gt, Op.F32Gt);
        Simple(Opcode.F32Le, Op.F32Le);
        Simple(Opcode.F32Ge, Op.F32Ge);
        Simple(Opcode.F64Eq, Op.F64Eq);
        Simple(Opcode.F64Ne, Op.F64Ne);
        Simple(Opcode.F64Lt, Op.F64Lt);
        Simple(Opcode.F64Gt, Op.F64Gt);
        Simple(Opcode.F64Le, Op.F64Le);
        Simple(Opcode.F64Ge, Op.F64Ge);

        Simple(Opcode.I32Clz, Op.I32Clz);
        Simple(Opcode.I32Ctz, Op.I32Ctz);
        Simple(Opcode.I32Popcnt, Op.I32Popcnt);
        WithImm(Opcode.I32Add, Op.I32Add, Op.I32AddImm, true);
        Simple(Opcode.I32Sub, Op.I32Sub);
        WithImm(Opcode.I32Mul, Op.I32Mul, Op.I32MulImm, true);
        Simple(Opcode.I32DivS, Op.I32DivS);
        Simple(Opcode.I32DivU, Op.I32DivU);
        Simple(Opcode.I32RemS, Op.I32RemS);
        Simple(Opcode.I32RemU, Op.I32RemU);
        WithImm(Opcode.I32And, Op.I32And, Op.I32AndImm, true);
        WithImm(Opcode.I32Or, Op.I32Or, Op.I32OrImm, true);
        WithImm(Opcode.I32Xor, Op.I32Xor, Op.I32XorImm, true);
        WithImm(Opcode.I32Shl, Op.I32Shl, Op.I32ShlImm, false);
        WithImm(Opcode.I32ShrS, Op.I32ShrS, Op.I32ShrSImm, false);
        WithImm(Opcode.I32ShrU, Op.I32ShrU, Op.I32ShrUImm, false);
        Simple(Opcode.I32Rotl, Op.I32Rotl);
        Simple(Opcode.I32Rotr, Op.I32Rotr);

        Simple(Opcode.I64Clz, Op.I64Clz);
        Simple(Opcode.I64Ctz, Op.I64Ctz);
        Simple(Opcode.I64Popcnt, Op.I64Popcnt);
        WithImm(Opcode.I64Add, Op.I64Add, Op.I64AddImm, true);
        Simple(Opcode.I64Sub, Op.I64Sub);
        Simple(Opcode.I64Mul, Op.I64Mul);
        Simple(Opcode.I64DivS, Op.I64DivS);
        Simple(Opcode.I64DivU, Op.I64DivU);
        Simple(Opcode.I64RemS, Op.I64RemS);
        Simple(Opcode.I64RemU, Op.I64RemU);
        WithImm(Opcode.I64And, Op.I64And, Op.I64AndImm, true);
        Simple(Opcode.I64Or, Op.I64Or);
        Simple(Opcode.I64Xor, Op.I64Xor);
        WithImm(Opcode.I64Shl, Op.I64Shl, Op.I64ShlImm, false);
        WithImm(Opcode.I64ShrS, Op.I64ShrS, Op.I64ShrSImm, false);
        WithImm(Opcode.I64ShrU, Op.I64ShrU, Op.I64ShrUImm, false);
        Simple(Opcode.I64Rotl, Op.I64Rotl);
        Simple(Opcode.I64Rotr, Op.I64Rotr);

        Simple(Opcode.F32Abs, Op.F32Abs);
        Simple(Opcode.F32Neg, Op.F32Neg);
        Simple(Opcode.F32Ceil, Op.F32Ceil);
        Simple(Opcode.F32Floor, Op.F32Floor);
        Simple(Opcode.F32Trunc, Op.F32Trunc);
        Simple(Opcode.F32Nearest, Op.F32Nearest);
        Simple(Opcode.F32Sqrt, Op.F32Sqrt);
        Simple(Opcode.F32Add, Op.F32Add);
        Simple(Opcode.F32Sub, Op.F32Sub);
        Simple(Opcode.F32Mul, Op.F32Mul);
        Simple(Opcode.F32Div, Op.F32Div);
        Simple(Opcode.F32Min, Op.F32Min);
        Simple(Opcode.F32Max, Op.F32Max);
        Simple(Opcode.F32Copysign, Op.F32Copysign);
        Simple(Opcode.F64Abs, Op.F64Abs);
        Simple(Opcode.F64Neg, Op.F64Neg);
        Simple(Opcode.F64Ceil, Op.F64Ceil);
        Simple(Opcode.F64Floor, Op.F64Floor);
        Simple(Opcode.F64Trunc, Op.F64Trunc);
        Simple(Opcode.F64Nearest, Op.F64Nearest);
        Simple(Opcode.F64Sqrt, Op.F64Sqrt);
        // f64 add and mul are not commutative here: when both operands are NaNs, x86 (and so every tier and
        // wasmtime) returns the first one's NaN, so a constant or a just-loaded value on the left must stay on the
        // left (fusing it as the immediate or memory operand, which is the right one, would return the other NaN).
        WithImm(Opcode.F64Add, Op.F64Add, Op.F64AddImm, false);
        WithImm(Opcode.F64Sub, Op.F64Sub, Op.F64SubImm, false);
        WithImm(Opcode.F64Mul, Op.F64Mul, Op.F64MulImm, false);
        WithImm(Opcode.F64Div, Op.F64Div, Op.F64DivImm, false);
        Simple(Opcode.F64Min, Op.F64Min);
        Simple(Opcode.F64Max, Op.F64Max);
        Simple(Opcode.F64Copysign, Op.F64Copysign);

        Simple(Opcode.I32WrapI64, Op.I32WrapI64);
        Simple(Opcode.I32TruncF32S, Op.I32TruncF32S);
        Simple(Opcode.I32TruncF32U, Op.I32TruncF32U);
        Simple(Opcode.I32TruncF64S, Op.I32TruncF64S);
        Simple(Opcode.I32TruncF64U, Op.I32TruncF64U);
        Simple(Opcode.I64ExtendI32S, Op.I64ExtendI32S);
        Simple(Opcode.I64ExtendI32U, Op.I64ExtendI32U);
        Simple(Opcode.I64TruncF32S, Op.I64TruncF32S);
        Simple(Opcode.I64TruncF32U, Op.I64TruncF32U);
        Simple(Opcode.I64TruncF64S, Op.I64TruncF64S);
        Simple(Opcode.I64TruncF64U, Op.I64TruncF64U);
        Simple(Opcode.F32ConvertI32S, Op.F32ConvertI32S);
        Simple(Opcode.F32ConvertI32U, Op.F32ConvertI32U);
        Simple(Opcode.F32ConvertI64S, Op.F32ConvertI64S);
        Simple(Opcode.F32ConvertI64U, Op.F32ConvertI64U);
        Simple(Opcode.F32DemoteF64, Op.F32DemoteF64);
        Simple(Opcode.F64ConvertI32S, Op.F64ConvertI32S);
        Simple(Opcode.F64ConvertI32U, Op.F64ConvertI32U);
        Simple(Opcode.F64ConvertI64S, Op.F64ConvertI64S);
        Simple(Opcode.F64ConvertI64U, Op.F64ConvertI64U);
        Simple(Opcode.F64PromoteF32, Op.F64PromoteF32);
        Retag(Opcode.I32ReinterpretF32);
        Retag(Opcode.I64ReinterpretF64);
        Retag(Opcode.F32ReinterpretI32);
        Retag(Opcode.F64ReinterpretI64);
        Simple(Opcode.I32Extend8S, Op.I32Extend8S);
        Simple(Opcode.I32Extend16S, Op.I32Extend16S);
        Simple(Opcode.I64Extend8S, Op.I64Extend8S);
        Simple(Opcode.I64Extend16S, Op.I64Extend16S);
        Simple(Opcode.I64Extend32S, Op.I64Extend32S);
        Simple(Opcode.I32TruncSatF32S, Op.I32TruncSatF32S);
        Simple(Opcode.I32TruncSatF32U, Op.I32TruncSatF32U);
        Simple(Opcode.I32TruncSatF64S, Op.I32TruncSatF64S);
        Simple(Opcode.I32TruncSatF64U, Op.I32TruncSatF64U);
        Simple(Opcode.I64TruncSatF32S, Op.I64TruncSatF32S);
        Simple(Opcode.I64TruncSatF32U, Op.I64TruncSatF32U);
        Simple(Opcode.I64TruncSatF64S, Op.I64TruncSatF64S);
        Simple(Opcode.I64TruncSatF64U, Op.I64TruncSatF64U);
        AddSimdRules(rules);
        return rules;
    }

    static partial void AddSimdRules(PlainRule[] rules);

    private void Plain(Opcode opcode)
    {
        if (_unreachable)
        {
            return;
        }
        PlainRule rule = s_plainRules[OperatorInfo.Index(opcode)];
        if (!rule.Valid)
        {
            throw new NotSupportedException($"the interpreter does not implement {OperatorInfo.Name(opcode)}");
        }
        ReadOnlySpan<ValType> parameters = OperatorInfo.Params(opcode);
        ValType result = OperatorInfo.Results(opcode).Length > 0 ? OperatorInfo.Results(opcode)[0] : ValType.Bottom;
        if (rule.Retag)
        {
            Peek().Type = result;
            return;
        }
        switch (parameters.Length)
        {
            case 1:
            {
                Entry a = Pop();
                int sa = Operand(a);
                Emit(rule.Op, PushTemp(result), sa);
                break;
            }
            case 2:
                Binary(rule, opcode, result);
                break;
            case 3:
            {
                Entry c = Pop(), b = Pop(), a = Pop();
                int sa = Operand(a), sb = Operand(b), sc = Operand(c);
                Emit(rule.Op, PushTemp(result), sa, sb, sc);
                break;
            }
            default:
                throw new InvalidOperationException($"unexpected arity of {OperatorInfo.Name(opcode)}");
        }
    }

    private void Binary(PlainRule rule, Opcode opcode, ValType result)
    {
        Entry b = Pop(), a = Pop();
        bool wide = OperatorInfo.Params(opcode)[0] == ValType.I64;
        if (TryFuseLoadOperand(opcode, result, a, b))
        {
            return;
        }
        if (OperatorInfo.Params(opcode)[0] == ValType.F64 && rule.Immediate != Op.Unreachable)
        {
            // f64 immediates take the whole 64-bit pattern (a right-hand constant only: see the f64 rules).
            if (b.Kind == EntryKind.Const && a.Kind != EntryKind.Const)
            {
                int sa = Operand(a);
                Begin(rule.Immediate);
                Put(PushTemp(result));
                Put(sa);
                PutLong(b.Value);
                return;
            }
        }
        else if (b.Kind == EntryKind.Const && a.Kind != EntryKind.Const && FitsImmediate(b.Value, wide))
        {
            if (rule.Immediate != Op.Unreachable)
            {
                int sa = Operand(a);
                Emit(rule.Immediate, PushTemp(result), sa, (int)b.Value);
                return;
            }
            if (rule.Op == Op.I32Sub && (int)b.Value != int.MinValue)
            {
                int sa = Operand(a);
                Emit(Op.I32AddImm, PushTemp(result), sa, -(int)b.Value);
                return;
            }
            if (rule.Op == Op.I64Sub && b.Value != int.MinValue)
            {
                int sa = Operand(a);
                Emit(Op.I64AddImm, PushTemp(result), sa, -(int)b.Value);
                return;
            }
        }
        if (a.Kind == EntryKind.Const && b.Kind != EntryKind.Const && FitsImmediate(a.Value, wide) && OperatorInfo.Params(opcode)[0] != ValType.F64)
        {
            Op swapped = rule.Commutative ? rule.Immediate : rule.Mirrored;
            if (swapped != Op.Unreachable)
            {
                int sb = Operand(b);
                Emit(swapped, PushTemp(result), sb, (int)a.Value);
                return;
            }
        }
        int left = Operand(a), right = Operand(b);
        Emit(rule.Op, PushTemp(result), left, right);
    }

    /// <summary>
    /// f64 add/sub/mul whose right operand was just loaded from memory become one instruction that reads memory
    /// itself: the load is dropped and its address taken over. Never the left operand, not even of add and mul:
    /// with two NaNs the result is the left one's NaN, so the operands keep their order.
    /// </summary>
    private bool TryFuseLoadOperand(Opcode opcode, ValType result, in Entry a, in Entry b)
    {
        Op fused = opcode switch
        {
            Opcode.F64Add => Op.F64AddLoad,
            Opcode.F64Sub => Op.F64SubLoad,
            Opcode.F64Mul => Op.F64MulLoad,
            _ => Op.Unreachable,
        };
        if (fused == Op.Unreachable || a.Kind == EntryKind.Const || b.Kind == EntryKind.Const)
        {
            return false;
        }
        if (b.Kind != EntryKind.Temp || !LastWrote(b.Slot) || (Op)_words[_lastStart] != Op.F64Load)
        {
            return false;
        }
        // F64Load d address k off
        int address = _words[_lastStart + 2], addend = _words[_lastStart + 3], offset = _words[_lastStart + 4];
        int loadOffset = _wasmOffsets[^1];
        DropLastInstruction();
        Emit(fused, PushTemp(result), Operand(a), address, addend, offset);
        // Its only trap is the load's: a backtrace shows the load's offset, as the compiled tiers do (not the add's).
        _wasmOffsets[^1] = loadOffset;
        return true;
    }

    private static bool FitsImmediate(long value, bool wide) => !wide || value == (int)value;

    /// <summary>Replaces the compare just emitted (whose result is the branch condition) by a compare-and-branch.</summary>
    private bool TryFuseCompare(bool branchIfTrue, out int patch)
    {
        Op compare = (Op)_words[_lastStart];
        if (!s_branchFusions.TryGetValue(compare, out var fused))
        {
            patch = -1;
            return false;
        }
        Op branch = branchIfTrue ? fused.WhenTrue : fused.WhenFalse;
        int a = _words[_lastStart + 2];
        bool unary = compare is Op.I32Eqz or Op.I64Eqz;
        int b = unary ? 0 : _words[_lastStart + 3];
        DropLastInstruction();
        if (unary)
        {
            Emit(branch, a, 0);
        }
        else
        {
            Emit(branch, a, b, 0);
        }
        patch = _length - 1;
        return true;
    }

    // ---- locals, globals, stack ----

    private void LocalSet(uint index, bool tee)
    {
        if (_unreachable)
        {
            return;
        }
        int slot = _localSlots[index];
        ref Entry top = ref Peek();
        if (top.Kind == EntryKind.Temp && LastWrote(top.Slot) && !HasReadersOf(slot))
        {
            // The instruction that produced the value writes the local directly.
            _words[_lastStart + 1] = slot;
            Pop();
        }
        else
        {
            Entry value = Pop();
            MaterializeReadersOf(slot);
            EmitMove(value, slot);
        }
        if (tee)
        {
            PushLocal(index);
        }
    }

    private void GlobalGet(uint index)
    {
        if (_unreachable)
        {
            return;
        }
        ValType type = _module.Globals[(int)index].Type.Erased();
        int d = PushTemp(type);
        switch (type)
        {
            case ValType.V128:
                Emit(Op.GlobalGetV128, d, (int)index);
                break;
            case ValType.ExternRef:
                Begin(Op.GlobalGetExternRef, fixedInPlace: true);
                Put(d);
                Put((int)index);
                RecordSafepoint(_height);
                break;
            default:
                Emit(Op.GlobalGet, d, (int)index);
                break;
        }
    }

    private void GlobalSet(uint index)
    {
        if (_unreachable)
        {
            return;
        }
        ValType type = _module.Globals[(int)index].Type.Erased();
        Entry value = Pop();
        int slot = Operand(value);
        switch (type)
        {
            case ValType.V128:
                Emit(Op.GlobalSetV128, (int)index, slot);
                break;
            case ValType.ExternRef:
                Begin(Op.GlobalSetExternRef, fixedInPlace: true);
                Put((int)index);
                Put(slot);
                RecordSafepoint(_height);
                break;
            default:
                Emit(Op.GlobalSet, (int)index, slot);
                break;
        }
    }

    private void Select()
    {
        if (_unreachable)
        {
            return;
        }
        Entry c = Pop(), b = Pop(), a = Pop();
        int sa = Operand(a), sb = Operand(b), sc = Operand(c);
        ValType type = a.Type;
        Emit(type == ValType.V128 ? Op.SelectV128 : Op.Select, PushTemp(type), sa, sb, sc);
    }

    // ---- calls ----

    private void Call(uint functionIndex)
    {
        if (_unreachable)
        {
            return;
        }
        FuncType type = _module.FunctionType(functionIndex);
        int arguments = type.Params.Length;
        MaterializeTop(arguments);
        int argumentHeight = _height - arguments;
        int argumentBase = HomeOf(argumentHeight);
        Begin(Op.Call, fixedInPlace: true);
        Put((int)functionIndex);
        Put(argumentBase);
        RecordSafepoint(argumentHeight);
        _height = argumentHeight;
        foreach (ValType result in type.Results)
        {
            PushTemp(result);
        }
    }

    /// <summary><c>call_indirect</c> through table <paramref name="tableIndex"/>, or <c>call_ref</c> (-1): the callee operand (index or reference) on top of the arguments.</summary>
    private void CallThrough(uint typeIndex, int tableIndex)
    {
        if (_unreachable)
        {
            return;
        }
        Entry callee = Pop();
        FuncType type = _module.Types[(int)typeIndex];
        int arguments = type.Params.Length;
        MaterializeTop(arguments);
        int calleeSlot = tableIndex < 0 ? Operand(callee) : TableOperand(callee, IsTable64((uint)tableIndex));
        int argumentHeight = _height - arguments;
        int argumentBase = HomeOf(argumentHeight);
        if (tableIndex < 0)
        {
            Begin(Op.CallRef, fixedInPlace: true);
        }
        else
        {
            Begin(Op.CallIndirect, fixedInPlace: true);
            Put((int)typeIndex);
            Put(tableIndex);
        }
        Put(calleeSlot);
        Put(argumentBase);
        RecordSafepoint(argumentHeight);
        _height = argumentHeight;
        foreach (ValType result in type.Results)
        {
            PushTemp(result);
        }
    }

    private void ReturnCall(uint functionIndex)
    {
        if (_unreachable)
        {
            return;
        }
        FuncType type = _module.FunctionType(functionIndex);
        int arguments = type.Params.Length;
        MaterializeTop(arguments);
        int argumentBase = HomeOf(_height - arguments);
        Begin(Op.ReturnCall, fixedInPlace: true);
        Put((int)functionIndex);
        Put(argumentBase);
        _unreachable = true;
    }

    private void ReturnCallIndirect(uint typeIndex, uint tableIndex)
    {
        if (_unreachable)
        {
            return;
        }
        Entry index = Pop();
        FuncType type = _module.Types[(int)typeIndex];
        int arguments = type.Params.Length;
        MaterializeTop(arguments);
        int indexSlot = TableOperand(index, IsTable64(tableIndex));
        int argumentBase = HomeOf(_height - arguments);
        Begin(Op.ReturnCallIndirect, fixedInPlace: true);
        Put((int)typeIndex);
        Put((int)tableIndex);
        Put(indexSlot);
        Put(argumentBase);
        _unreachable = true;
    }

    /// <summary><c>return_call_ref</c>: the function reference on top of the arguments; null traps.</summary>
    private void ReturnCallRef(uint typeIndex)
    {
        if (_unreachable)
        {
            return;
        }
        Entry reference = Pop();
        FuncType type = _module.Types[(int)typeIndex];
        int arguments = type.Params.Length;
        MaterializeTop(arguments);
        int referenceSlot = Operand(reference);
        int argumentBase = HomeOf(_height - arguments);
        Begin(Op.ReturnCallRef, fixedInPlace: true);
        Put(referenceSlot);
        Put(argumentBase);
        _unreachable = true;
    }

    // ---- exceptions ----

    private void Throw(uint tagIndex)
    {
        if (_unreachable)
        {
            return;
        }
        int arguments = _module.TagType(tagIndex).Params.Length;
        MaterializeTop(arguments);
        int argumentHeight = _height - arguments;
        int argumentBase = HomeOf(argumentHeight);
        Begin(Op.Throw, fixedInPlace: true);
        Put((int)tagIndex);
        Put(argumentBase);
        RecordSafepoint(argumentHeight);
        _unreachable = true;
    }

    private void ThrowRef()
    {
        if (_unreachable)
        {
            return;
        }
        int reference = Operand(Pop());
        Begin(Op.ThrowRef, fixedInPlace: true);
        Put(reference);
        RecordSafepoint(_height);
        _unreachable = true;
    }

    // ---- memory ----

    private void Load(Opcode opcode, MemArg memArg)
    {
        if (_unreachable)
        {
            return;
        }
        Op? scalar = ScalarLoad(opcode);
        ValType result = OperatorInfo.Results(opcode)[0];
        Entry address = Pop();
        if (!IsMemoryZero32(memArg.MemoryIndex))
        {
            SelectMemory(Operand(address), opcode, memArg);
            if (scalar is Op access)
            {
                Emit(access, PushTemp(result), _zeroSlot, 0, 0);
            }
            else
            {
                Emit(SimdLoad(opcode), PushTemp(result), _zeroSlot, 0);
            }
            Emit(Op.MemRestore);
            return;
        }
        if (scalar is Op op)
        {
            var (slot, addend) = Address(address);
            Emit(op, PushTemp(result), slot, addend, (int)(uint)memArg.Offset);
        }
        else
        {
            int slot = Operand(address);
            Emit(SimdLoad(opcode), PushTemp(result), slot, (int)(uint)memArg.Offset);
        }
    }

    /// <summary>The instruction of a load that takes a slot + addend address (the others are SIMD loads); null for none.</summary>
    private static Op? ScalarLoad(Opcode opcode) => opcode switch
    {
        Opcode.I32Load => Op.I32Load,
        Opcode.I64Load => Op.I64Load,
        Opcode.F32Load => Op.F32Load,
        Opcode.F64Load => Op.F64Load,
        Opcode.I32Load8S => Op.I32Load8S,
        Opcode.I32Load8U => Op.I32Load8U,
        Opcode.I32Load16S => Op.I32Load16S,
        Opcode.I32Load16U => Op.I32Load16U,
        Opcode.I64Load8S => Op.I64Load8S,
        Opcode.I64Load8U => Op.I64Load8U,
        Opcode.I64Load16S => Op.I64Load16S,
        Opcode.I64Load16U => Op.I64Load16U,
        Opcode.I64Load32S => Op.I64Load32S,
        Opcode.I64Load32U => Op.I64Load32U,
        Opcode.V128Load => Op.V128Load,
        _ => null,
    };

    private void Store(Opcode opcode, MemArg memArg)
    {
        if (_unreachable)
        {
            return;
        }
        Op op = StoreInstruction(opcode) ?? throw new NotSupportedException($"the interpreter does not implement {OperatorInfo.Name(opcode)}");
        Entry value = Pop(), address = Pop();
        if (!IsMemoryZero32(memArg.MemoryIndex))
        {
            int addressSlot = Operand(address), valueSlot = Operand(value);
            SelectMemory(addressSlot, opcode, memArg);
            Emit(op, _zeroSlot, valueSlot, 0, 0);
            Emit(Op.MemRestore);
            return;
        }
        var (slot, addend) = Address(address);
        int sv = Operand(value);
        Emit(op, slot, sv, addend, (int)(uint)memArg.Offset);
    }

    /// <summary>
    /// True for memory 0 when it is 32-bit: the accesses the instructions above make themselves (the fast path, through the
    /// executor's cached base and length). Any other memory goes through <see cref="SelectMemory"/>.
    /// </summary>
    private bool IsMemoryZero32(uint memoryIndex) => memoryIndex == 0 && !_module.Memories[0].Limits.Is64;

    /// <summary>
    /// Emits <c>MemSelect</c>: the access instruction emitted next (at the zero slot, no offset) touches the checked address
    /// of <paramref name="memArg"/>'s memory; <c>MemRestore</c> must follow it.
    /// </summary>
    private void SelectMemory(int addressSlot, Opcode opcode, MemArg memArg)
    {
        int size = 1 << OperatorInfo.NaturalAlignmentLog2(opcode);
        bool wide = _module.Memories[(int)memArg.MemoryIndex].Limits.Is64;
        Begin(Op.MemSelect);
        Put(addressSlot);
        Put((int)memArg.MemoryIndex);
        PutLong((long)memArg.Offset);
        Put(size | (wide ? 0x100 : 0));
    }

    /// <summary>True when memory <paramref name="memoryIndex"/> is 64-bit (its addresses are i64).</summary>
    private bool IsMemory64(uint memoryIndex) => _module.Memories[(int)memoryIndex].Limits.Is64;

    /// <summary>True when table <paramref name="tableIndex"/> is 64-bit (its index operands are clamped to u32 first).</summary>
    private bool IsTable64(uint tableIndex) => _module.Tables[(int)tableIndex].Limits.Is64;

    /// <summary>
    /// A popped 64-bit table operand clamped to u32 in its home slot (every index, size and count past 2^32 - 1 is out
    /// of any table's bounds, so the 32-bit instructions then trap or fail exactly as the spec says); else its slot.
    /// </summary>
    private int TableOperand(in Entry entry, bool wide)
    {
        int slot = Operand(entry);
        if (!wide)
        {
            return slot;
        }
        Emit(Op.SaturateU32, entry.Slot, slot);
        return entry.Slot;
    }

    /// <summary>The instruction of a store (they write the low bytes of a slot: one per access size); null for none.</summary>
    private static Op? StoreInstruction(Opcode opcode) => opcode switch
    {
        Opcode.I32Store or Opcode.F32Store or Opcode.I64Store32 => Op.I32Store,
        Opcode.I64Store or Opcode.F64Store => Op.I64Store,
        Opcode.I32Store8 or Opcode.I64Store8 => Op.Store8,
        Opcode.I32Store16 or Opcode.I64Store16 => Op.Store16,
        Opcode.V128Store => Op.V128Store,
        _ => null,
    };

    /// <summary>
    /// The operators whose translation would be missing from the tables above (plain rules, loads, stores) and the
    /// SIMD instructions named after their operators. A test keeps this empty, so an operator added to operators.txt
    /// without an instruction fails the tests, not a program; the other kinds each have a visitor method of their
    /// own, which the compiler holds to <see cref="IOperatorVisitor"/>.
    /// </summary>
    internal static List<Opcode> OperatorsWithoutInstruction()
    {
        var missing = new List<Opcode>();
        foreach (Opcode opcode in OperatorInfo.All)
        {
            bool translated = OperatorInfo.Kind(opcode) switch
            {
                OperatorKind.Plain => s_plainRules[OperatorInfo.Index(opcode)].Valid,
                OperatorKind.Load => ScalarLoad(opcode) is not null || SimdOp(opcode) != Op.Unreachable,
                OperatorKind.Store => StoreInstruction(opcode) is not null,
                OperatorKind.ExtractLane or OperatorKind.ReplaceLane or OperatorKind.LoadLane or OperatorKind.StoreLane =>
                    SimdOp(opcode) != Op.Unreachable,
                _ => true,
            };
            if (!translated)
            {
                missing.Add(opcode);
            }
        }
        return missing;
    }

    /// <summary>
    /// A memory access's address as slot + addend (wrapped to 32 bits before the static offset is added):
    /// a constant address reads the zero slot, and an <c>i32.add</c> of a constant just before (how
    /// compilers write negative offsets) folds into the access.
    /// </summary>
    private (int Slot, int Addend) Address(in Entry address)
    {
        if (address.Kind == EntryKind.Const)
        {
            return (_zeroSlot, (int)address.Value);
        }
        if (address.Kind == EntryKind.Temp && LastWrote(address.Slot) && (Op)_words[_lastStart] == Op.I32AddImm)
        {
            int source = _words[_lastStart + 2], addend = _words[_lastStart + 3];
            DropLastInstruction();
            return (source, addend);
        }
        return (Operand(address), 0);
    }

    /// <summary>Pops <paramref name="count"/> operands into slots (materializing constants) and returns them in order.</summary>
    private (int A, int B, int C) PopOperands(int count)
    {
        Entry c = count >= 3 ? Pop() : default;
        Entry b = count >= 2 ? Pop() : default;
        Entry a = Pop();
        int sa = Operand(a);
        int sb = count >= 2 ? Operand(b) : 0;
        int sc = count >= 3 ? Operand(c) : 0;
        return (sa, sb, sc);
    }

    private void EmitSafepoint(Op op, params ReadOnlySpan<int> operands)
    {
        Begin(op, fixedInPlace: true);
        foreach (int operand in operands)
        {
            Put(operand);
        }
        RecordSafepoint(_height);
    }

    /// <summary>Receives operators from the reader and hands them to the translator.</summary>
    private readonly struct Visitor(Translator t) : IOperatorVisitor
    {
        public void VisitUnreachable()
        {
            if (!t._unreachable)
            {
                t.Emit(Op.Unreachable);
                t._unreachable = true;
            }
        }

        public void VisitNop() { }
        public void VisitBlock(BlockType blockType) => t.EnterBlock(ControlKind.Block, blockType);
        public void VisitLoop(BlockType blockType) => t.EnterBlock(ControlKind.Loop, blockType);
        public void VisitIf(BlockType blockType) => t.If(blockType);
        public void VisitElse() => t.Else();
        public void VisitEnd() => t.End();
        public void VisitBr(uint relativeDepth) => t.Br(relativeDepth);
        public void VisitBrIf(uint relativeDepth) => t.BrIf(relativeDepth);
        public void VisitBrTable(BrTable table) => t.BrTable(table);

        public void VisitReturn()
        {
            if (!t._unreachable)
            {
                t.EmitReturn();
                t._unreachable = true;
            }
        }

        public void VisitCall(uint functionIndex) => t.Call(functionIndex);
        public void VisitCallIndirect(uint typeIndex, uint tableIndex) => t.CallThrough(typeIndex, (int)tableIndex);
        public void VisitCallRef(uint typeIndex) => t.CallThrough(typeIndex, -1);
        public void VisitReturnCall(uint functionIndex) => t.ReturnCall(functionIndex);
        public void VisitReturnCallIndirect(uint typeIndex, uint tableIndex) => t.ReturnCallIndirect(typeIndex, tableIndex);
        public void VisitReturnCallRef(uint typeIndex) => t.ReturnCallRef(typeIndex);
        public void VisitThrow(uint tagIndex) => t.Throw(tagIndex);
        public void VisitThrowRef() => t.ThrowRef();
        public void VisitTryTable(BlockType blockType, TryTableCatch[] catches) => t.TryTable(blockType, catches);
        public void VisitTry(BlockType blockType) => t.Try(blockType);
        public void VisitCatch(uint tagIndex) => t.Catch(tagIndex);
        public void VisitCatchAll() => t.Catch(null);
        public void VisitDelegate(uint relativeDepth) => t.Delegate(relativeDepth);
        public void VisitRethrow(uint relativeDepth) => t.Rethrow(relativeDepth);
        public void VisitBrOnNull(uint relativeDepth) => t.BrOnNull(relativeDepth);
        public void VisitBrOnNonNull(uint relativeDepth) => t.BrOnNonNull(relativeDepth);

        public void VisitRefAsNonNull()
        {
            if (t._unreachable)
            {
                return;
            }
            ValType type = t.Peek().Type.WithNullable(false);
            var (a, _, _) = t.PopOperands(1);
            t.Emit(Op.RefAsNonNull, t.PushTemp(type), a);
        }

        public void VisitDrop()
        {
            if (!t._unreachable)
            {
                t.Pop();
            }
        }

        public void VisitSelect() => t.Select();
        public void VisitSelectTyped(ValType type, uint typeCount) => t.Select();

        public void VisitLocalGet(uint localIndex)
        {
            if (!t._unreachable)
            {
                t.PushLocal(localIndex);
            }
        }

        public void VisitLocalSet(uint localIndex) => t.LocalSet(localIndex, tee: false);
        public void VisitLocalTee(uint localIndex) => t.LocalSet(localIndex, tee: true);
        public void VisitGlobalGet(uint globalIndex) => t.GlobalGet(globalIndex);
        public void VisitGlobalSet(uint globalIndex) => t.GlobalSet(globalIndex);

        public void VisitTableGet(uint tableIndex)
        {
            if (t._unreachable)
            {
                return;
            }
            ValType type = t._module.Tables[(int)tableIndex].ElementType;
            int i = t.TableOperand(t.Pop(), t.IsTable64(tableIndex));
            int d = t.PushTemp(type);
            if (type.Erased() == ValType.ExternRef)
            {
                t.EmitSafepoint(Op.TableGetExternRef, d, (int)tableIndex, i);
            }
            else
            {
                t.Emit(Op.TableGet, d, (int)tableIndex, i);
            }
        }

        public void VisitTableSet(uint tableIndex)
        {
            if (t._unreachable)
            {
                return;
            }
            Entry value = t.Pop(), index = t.Pop();
            int i = t.TableOperand(index, t.IsTable64(tableIndex)), v = t.Operand(value);
            if (t._module.Tables[(int)tableIndex].ElementType.Erased() == ValType.ExternRef)
            {
                t.EmitSafepoint(Op.TableSetExternRef, (int)tableIndex, i, v);
            }
            else
            {
                t.Emit(Op.TableSet, (int)tableIndex, i, v);
            }
        }

        public void VisitLoad(Opcode opcode, MemArg memArg) => t.Load(opcode, memArg);
        public void VisitStore(Opcode opcode, MemArg memArg) => t.Store(opcode, memArg);

        public void VisitMemorySize(uint memoryIndex)
        {
            if (t._unreachable)
            {
                return;
            }
            if (t.IsMemoryZero32(memoryIndex))
            {
                t.Emit(Op.MemorySize, t.PushTemp(ValType.I32));
            }
            else
            {
                t.Emit(Op.MemorySizeAny, t.PushTemp(t._module.Memories[(int)memoryIndex].Limits.AddressType), (int)memoryIndex);
            }
        }

        public void VisitMemoryGrow(uint memoryIndex)
        {
            if (t._unreachable)
            {
                return;
            }
            var (a, _, _) = t.PopOperands(1);
            if (t.IsMemoryZero32(memoryIndex))
            {
                t.EmitSafepoint(Op.MemoryGrow, t.PushTemp(ValType.I32), a);
            }
            else
            {
                ValType type = t._module.Memories[(int)memoryIndex].Limits.AddressType;
                t.EmitSafepoint(Op.MemoryGrowAny, t.PushTemp(type), a, (int)memoryIndex, type == ValType.I64 ? 1 : 0);
            }
        }

        public void VisitI32Const(int value)
        {
            if (!t._unreachable)
            {
                t.PushConst(ValType.I32, value);
            }
        }

        public void VisitI64Const(long value)
        {
            if (!t._unreachable)
            {
                t.PushConst(ValType.I64, value);
            }
        }

        public void VisitF32Const(uint bits)
        {
            if (!t._unreachable)
            {
                t.PushConst(ValType.F32, (int)bits);
            }
        }

        public void VisitF64Const(ulong bits)
        {
            if (!t._unreachable)
            {
                t.PushConst(ValType.F64, (long)bits);
            }
        }

        public void VisitPlain(Opcode opcode) => t.Plain(opcode);

        public void VisitRefNull(ValType type)
        {
            if (!t._unreachable)
            {
                t.PushConst(type, 0);
            }
        }

        public void VisitRefIsNull()
        {
            if (t._unreachable)
            {
                return;
            }
            var (a, _, _) = t.PopOperands(1);
            t.Emit(Op.RefIsNull, t.PushTemp(ValType.I32), a);
        }

        public void VisitRefFunc(uint functionIndex)
        {
            if (!t._unreachable)
            {
                t.Emit(Op.RefFunc, t.PushTemp(ValType.FuncRef), (int)functionIndex);
            }
        }

        public void VisitMemoryInit(uint dataIndex, uint memoryIndex)
        {
            if (t._unreachable)
            {
                return;
            }
            var (a, b, c) = t.PopOperands(3);
            if (t.IsMemoryZero32(memoryIndex))
            {
                t.EmitSafepoint(Op.MemoryInit, (int)dataIndex, a, b, c);
            }
            else
            {
                t.EmitSafepoint(Op.MemoryInitAny, (int)dataIndex, a, b, c, (int)memoryIndex, t.IsMemory64(memoryIndex) ? 1 : 0);
            }
        }

        public void VisitDataDrop(uint dataIndex)
        {
            if (!t._unreachable)
            {
                t.EmitSafepoint(Op.DataDrop, (int)dataIndex);
            }
        }

        public void VisitMemoryCopy(uint destinationMemory, uint sourceMemory)
        {
            if (t._unreachable)
            {
                return;
            }
            var (a, b, c) = t.PopOperands(3);
            if (t.IsMemoryZero32(destinationMemory) && t.IsMemoryZero32(sourceMemory))
            {
                t.Emit(Op.MemoryCopy, a, b, c);
            }
            else
            {
                bool d64 = t.IsMemory64(destinationMemory), s64 = t.IsMemory64(sourceMemory);
                int wide = (d64 ? 1 : 0) | (s64 ? 2 : 0) | (d64 && s64 ? 4 : 0);
                t.EmitSafepoint(Op.MemoryCopyAny, a, b, c, (int)destinationMemory, (int)sourceMemory, wide);
            }
        }

        public void VisitMemoryFill(uint memoryIndex)
        {
            if (t._unreachable)
            {
                return;
            }
            var (a, b, c) = t.PopOperands(3);
            if (t.IsMemoryZero32(memoryIndex))
            {
                t.Emit(Op.MemoryFill, a, b, c);
            }
            else
            {
                t.EmitSafepoint(Op.MemoryFillAny, a, b, c, (int)memoryIndex, t.IsMemory64(memoryIndex) ? 1 : 0);
            }
        }

        public void VisitTableInit(uint elemIndex, uint tableIndex)
        {
            if (t._unreachable)
            {
                return;
            }
            Entry ec = t.Pop(), eb = t.Pop(), ea = t.Pop();
            int a = t.TableOperand(ea, t.IsTable64(tableIndex)), b = t.Operand(eb), c = t.Operand(ec);
            t.EmitSafepoint(Op.TableInit, (int)elemIndex, (int)tableIndex, a, b, c);
        }

        public void VisitElemDrop(uint elemIndex)
        {
            if (!t._unreachable)
            {
                t.EmitSafepoint(Op.ElemDrop, (int)elemIndex);
            }
        }

        public void VisitTableCopy(uint destinationTable, uint sourceTable)
        {
            if (t._unreachable)
            {
                return;
            }
            Entry ec = t.Pop(), eb = t.Pop(), ea = t.Pop();
            bool d64 = t.IsTable64(destinationTable), s64 = t.IsTable64(sourceTable);
            int a = t.TableOperand(ea, d64), b = t.TableOperand(eb, s64), c = t.TableOperand(ec, d64 && s64);
            t.EmitSafepoint(Op.TableCopy, (int)destinationTable, (int)sourceTable, a, b, c);
        }

        public void VisitTableGrow(uint tableIndex)
        {
            if (t._unreachable)
            {
                return;
            }
            bool wide = t.IsTable64(tableIndex);
            Entry en = t.Pop(), ev = t.Pop();
            int v = t.Operand(ev), n = t.TableOperand(en, wide);
            int d = t.PushTemp(wide ? ValType.I64 : ValType.I32);
            t.EmitSafepoint(Op.TableGrow, d, (int)tableIndex, v, n);
            if (wide)
            {
                // The old size, or -1: sign extension keeps both.
                t.Emit(Op.I64ExtendI32S, d, d);
            }
        }

        public void VisitTableSize(uint tableIndex)
        {
            if (!t._unreachable)
            {
                bool wide = t.IsTable64(tableIndex);
                int d = t.PushTemp(wide ? ValType.I64 : ValType.I32);
                t.Emit(Op.TableSize, d, (int)tableIndex);
                if (wide)
                {
                    t.Emit(Op.I64ExtendI32U, d, d);
                }
            }
        }

        public void VisitTableFill(uint tableIndex)
        {
            if (t._unreachable)
            {
                return;
            }
            bool wide = t.IsTable64(tableIndex);
            Entry en = t.Pop(), ev = t.Pop(), ei = t.Pop();
            int i = t.TableOperand(ei, wide), v = t.Operand(ev), n = t.TableOperand(en, wide);
            t.EmitSafepoint(Op.TableFill, (int)tableIndex, i, v, n);
        }

        public void VisitV128Const(Vector128<byte> value)
        {
            if (t._unreachable)
            {
                return;
            }
            int d = t.PushTemp(ValType.V128);
            t.Begin(Op.ConstV128);
            t.Put(d);
            Vector128<int> words = value.AsInt32();
            for (int i = 0; i < 4; i++)
            {
                t.Put(words.GetElement(i));
            }
        }

        public void VisitI8x16Shuffle(Vector128<byte> lanes) => t.Shuffle(lanes);
        public void VisitExtractLane(Opcode opcode, byte lane) => t.ExtractLane(opcode, lane);
        public void VisitReplaceLane(Opcode opcode, byte lane) => t.ReplaceLane(opcode, lane);
        public void VisitLoadLane(Opcode opcode, MemArg memArg, byte lane) => t.LoadLane(opcode, memArg, lane);
        public void VisitStoreLane(Opcode opcode, MemArg memArg, byte lane) => t.StoreLane(opcode, memArg, lane);
    }
}
