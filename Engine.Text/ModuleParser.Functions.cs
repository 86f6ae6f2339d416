using System.Runtime.CompilerServices;
using Engine.Core;

namespace Engine.Text;

internal sealed partial class ModuleParser
{
    private readonly IndexSpace _localIds = new("local");
    private readonly List<ValType> _localTypes = new();
    private readonly ByteWriter _body = new(1024);

    /// <summary>
    /// The enclosing blocks of the instruction being parsed, innermost last: the token index of each
    /// block's label identifier, or -1 for an unnamed block.
    /// </summary>
    private readonly List<int> _labels = new();

    /// <summary>The locals of the function being parsed; null in constant expressions.</summary>
    private IndexSpace? _locals;

    /// <summary><c>(func id? export* import? typeuse local* instr*)</c>.</summary>
    private void EncodeFunction()
    {
        _in.TryId(out _);
        uint index = _nextFunc++;
        EncodeInlineExports(ExternKind.Func, index);
        _localIds.Clear();
        if (TryInlineImport(ExternKind.Func))
        {
            _importSection.Body.U32(ParseTypeUse(ParamIds.Allowed, _localIds));
            return;
        }
        _functionSection.Body.U32(ParseTypeUse(ParamIds.Allowed, _localIds));
        _functionSection.Count++;
        ParseLocals();

        _body.Clear();
        _sourceMap?.BeginFunction();
        Mark(_body, _fieldStart);
        WriteLocalGroups(_body);
        _locals = _localIds;
        _labels.Clear();
        ParseInstructionList(_body);
        ExpectListEnd();
        _locals = null;
        Mark(_body, _in.Position);
        _body.Byte(0x0B);
        _codeSection.Body.Vector(_body.Span);
        _sourceMap?.EndFunction(_codeSection.Body, _codeSection.Body.Length - _body.Length);
        _codeSection.Count++;
    }

    /// <summary>
    /// Records that the next byte written to <paramref name="w"/> (an instruction's first) comes from token
    /// <paramref name="token"/>, when a source map is being built: in a function body, or a constant expression
    /// written straight into a section.
    /// </summary>
    private void Mark(ByteWriter w, int token)
    {
        if (_sourceMap is null)
        {
            return;
        }
        int text = _in.OffsetOf(Math.Min(token, _in.List.Count - 1));
        if (ReferenceEquals(w, _body))
        {
            _sourceMap.MarkFunction(w.Length, text);
        }
        else
        {
            _sourceMap.Mark(w, w.Length, text);
        }
    }

    private void ParseLocals()
    {
        _localTypes.Clear();
        while (_in.TryEnterForm("local"))
        {
            int idAt = _in.Position;
            if (_in.TryId(out ReadOnlySpan<char> id))
            {
                if (!_localIds.TryAdd(id))
                {
                    throw _in.ErrorAt(idAt, $"duplicate local {id}");
                }
                _localTypes.Add(ParseValueType());
            }
            else
            {
                while (!_in.AtRightParen)
                {
                    _localTypes.Add(ParseValueType());
                    _localIds.TryAdd(default);
                }
            }
            _in.ExpectRightParen();
        }
    }

    /// <summary>The local declarations, consecutive locals of one type grouped (as wabt writes them).</summary>
    private void WriteLocalGroups(ByteWriter w)
    {
        int groups = 0;
        for (int i = 0; i < _localTypes.Count; i++)
        {
            if (i == 0 || _localTypes[i] != _localTypes[i - 1])
            {
                groups++;
            }
        }
        w.U32((uint)groups);
        int start = 0;
        for (int i = 1; i <= _localTypes.Count; i++)
        {
            if (i == _localTypes.Count || _localTypes[i] != _localTypes[start])
            {
                w.U32((uint)(i - start));
                WriteValType(w, _localTypes[start]);
                start = i;
            }
        }
    }

    /// <summary>A constant expression (global initializer, segment offset, element item): instructions up to ")", then <c>end</c>.</summary>
    private void EncodeConstantExpression(ByteWriter w)
    {
        _labels.Clear();
        ParseInstructionList(w);
        ExpectListEnd();
        w.Byte(0x0B);
    }

    /// <summary>After an instruction list at the level of a form: the next token must close it (a stray "end" or "else" is an error).</summary>
    private void ExpectListEnd()
    {
        if (!_in.AtRightParen)
        {
            throw _in.Unexpected("an instruction or \")\"");
        }
    }

    // ---- Instruction sequences, flat and folded ----

    /// <summary>
    /// Instructions up to ")" or a flat <c>end</c> / <c>else</c> (or a legacy try's <c>catch</c>, <c>catch_all</c>,
    /// <c>delegate</c>), which the caller handles.
    /// </summary>
    private void ParseInstructionList(ByteWriter w)
    {
        while (true)
        {
            switch (_in.Kind)
            {
                case TokenKind.LeftParen:
                    ParseFoldedInstruction(w);
                    break;
                case TokenKind.Atom:
                    if (_in.AtKeyword("end") || _in.AtKeyword("else") || _in.AtKeyword("catch") || _in.AtKeyword("catch_all") ||
                        _in.AtKeyword("delegate"))
                    {
                        return;
                    }
                    ParseFlatInstruction(w);
                    break;
                case TokenKind.RightParen:
                case TokenKind.End:
                    return;
                default:
                    throw _in.Unexpected("an instruction");
            }
        }
    }

    private void ParseFlatInstruction(ByteWriter w)
    {
        Opcode opcode = ReadOpcode();
        switch (OperatorInfo.Kind(opcode))
        {
            case OperatorKind.Block:
            case OperatorKind.Loop:
            case OperatorKind.If:
                EnsureStack();
                Mark(w, _in.Position - 1);
                w.Byte((byte)opcode);
                PushLabel();
                EncodeBlockType(w);
                ParseInstructionList(w);
                if (opcode == Opcode.If && _in.TryKeyword("else"))
                {
                    CheckClosingLabel();
                    ParseElseBranch(w);
                }
                ExpectEnd(w);
                break;
            case OperatorKind.TryTable:
                EnsureStack();
                Mark(w, _in.Position - 1);
                w.Byte((byte)opcode);
                EncodeTryTableHeader(w);
                ParseInstructionList(w);
                ExpectEnd(w);
                break;
            case OperatorKind.Try:
                EnsureStack();
                ParseFlatTry(w);
                break;
            default:
                EncodeInstruction(opcode, w);
                break;
        }
    }

    /// <summary>
    /// <c>try_table label? blocktype catch*</c>: the label is pushed after the catch clauses, whose labels are those
    /// around the try_table (as in the binary format).
    /// </summary>
    private void EncodeTryTableHeader(ByteWriter w)
    {
        int labelAt = _in.Position;
        bool named = _in.TryId(out _);
        EncodeBlockType(w);
        var clauses = new ByteWriter(16);
        uint count = 0;
        while (true)
        {
            if (_in.TryEnterForm("catch"))
            {
                clauses.Byte((byte)CatchKind.Catch);
                clauses.U32(ReadIndex(_tagIds));
            }
            else if (_in.TryEnterForm("catch_ref"))
            {
                clauses.Byte((byte)CatchKind.CatchRef);
                clauses.U32(ReadIndex(_tagIds));
            }
            else if (_in.TryEnterForm("catch_all"))
            {
                clauses.Byte((byte)CatchKind.CatchAll);
            }
            else if (_in.TryEnterForm("catch_all_ref"))
            {
                clauses.Byte((byte)CatchKind.CatchAllRef);
            }
            else
            {
                break;
            }
            clauses.U32(ReadLabel());
            _in.ExpectRightParen();
            count++;
        }
        w.U32(count);
        w.Bytes(clauses.Span);
        _labels.Add(named ? labelAt : -1);
    }

    /// <summary>
    /// Legacy <c>try label? blocktype instr* (catch x instr*)* (catch_all instr*)? end</c>, or
    /// <c>try label? blocktype instr* delegate l</c>, after "try".
    /// </summary>
    private void ParseFlatTry(ByteWriter w)
    {
        Mark(w, _in.Position - 1);
        w.Byte((byte)Opcode.Try);
        PushLabel();
        EncodeBlockType(w);
        ParseInstructionList(w);
        if (_in.AtKeyword("delegate"))
        {
            EncodeDelegate(w);
            return;
        }
        while (_in.AtKeyword("catch"))
        {
            Mark(w, _in.Position);
            _in.Advance();
            w.Byte((byte)Opcode.Catch);
            w.U32(ReadIndex(_tagIds));
            ParseInstructionList(w);
        }
        if (_in.AtKeyword("catch_all"))
        {
            Mark(w, _in.Position);
            _in.Advance();
            w.Byte((byte)Opcode.CatchAll);
            ParseInstructionList(w);
        }
        ExpectEnd(w);
    }

    /// <summary>
    /// Legacy <c>(try label? blocktype (do instr*) (catch x instr*)* (catch_all instr*)?)</c>, or
    /// <c>(try label? blocktype (do instr*) (delegate l))</c>, after "(try".
    /// </summary>
    private void ParseFoldedTry(ByteWriter w)
    {
        Mark(w, _in.Position - 1);
        w.Byte((byte)Opcode.Try);
        PushLabel();
        EncodeBlockType(w);
        _in.EnterForm("do");
        ParseFormInstructions(w);
        if (_in.TryEnterForm("delegate"))
        {
            _in.Position--;
            EncodeDelegate(w);
            _in.ExpectRightParen();
            return;
        }
        while (_in.TryEnterForm("catch"))
        {
            Mark(w, _in.Position - 1);
            w.Byte((byte)Opcode.Catch);
            w.U32(ReadIndex(_tagIds));
            ParseFormInstructions(w);
        }
        if (_in.TryEnterForm("catch_all"))
        {
            Mark(w, _in.Position - 1);
            w.Byte((byte)Opcode.CatchAll);
            ParseFormInstructions(w);
        }
        EndFoldedBlock(w);
    }

    /// <summary><c>delegate l</c>, which closes the try: its label counts from the labels around the try.</summary>
    private void EncodeDelegate(ByteWriter w)
    {
        Mark(w, _in.Position);
        _in.ExpectKeyword("delegate");
        _labels.RemoveAt(_labels.Count - 1);
        w.Byte((byte)Opcode.Delegate);
        w.U32(ReadLabel());
    }

    /// <summary>The instructions of an else branch; an empty one is left out, as wabt does (same meaning).</summary>
    private void ParseElseBranch(ByteWriter w)
    {
        // After "else" (flat) or "(else" (folded).
        Mark(w, _in.Position - 1);
        int elseAt = w.Length;
        w.Byte((byte)Opcode.Else);
        ParseInstructionList(w);
        if (w.Length == elseAt + 1)
        {
            w.Length = elseAt;
        }
    }

    /// <summary>The flat <c>end</c> of a block, with its optional label, which must match the block's.</summary>
    private void ExpectEnd(ByteWriter w)
    {
        Mark(w, _in.Position);
        _in.ExpectKeyword("end");
        CheckClosingLabel();
        _labels.RemoveAt(_labels.Count - 1);
        w.Byte((byte)Opcode.End);
    }

    private void CheckClosingLabel()
    {
        int at = _in.Position;
        if (!_in.TryId(out ReadOnlySpan<char> id))
        {
            return;
        }
        int label = _labels[^1];
        if (label < 0 || !_in.TextAt(label).SequenceEqual(id))
        {
            throw _in.ErrorAt(at, $"mismatching label {id}");
        }
    }

    /// <summary>A folded instruction <c>( ... )</c>: operands first, then the instruction itself.</summary>
    private void ParseFoldedInstruction(ByteWriter w)
    {
        EnsureStack();
        _in.ExpectLeftParen();
        Opcode opcode = ReadOpcode();
        switch (OperatorInfo.Kind(opcode))
        {
            case OperatorKind.Block:
            case OperatorKind.Loop:
                Mark(w, _in.Position - 1);
                w.Byte((byte)opcode);
                PushLabel();
                EncodeBlockType(w);
                ParseInstructionList(w);
                ExpectListEnd();
                EndFoldedBlock(w);
                break;
            case OperatorKind.If:
                ParseFoldedIf(w);
                break;
            case OperatorKind.TryTable:
                Mark(w, _in.Position - 1);
                w.Byte((byte)opcode);
                EncodeTryTableHeader(w);
                ParseInstructionList(w);
                ExpectListEnd();
                EndFoldedBlock(w);
                break;
            case OperatorKind.Try:
                ParseFoldedTry(w);
                break;
            default:
                ParseFoldedPlain(opcode, w);
                break;
        }
        _in.ExpectRightParen();
    }

    /// <summary>
    /// <c>(if label? blocktype folded* (then instr*) (else instr*)?)</c>. The conditions are parsed before
    /// the block type is resolved, matching the flat order (which decides where implicit types go).
    /// </summary>
    private void ParseFoldedIf(ByteWriter w)
    {
        int labelAt = _in.Position;
        _in.TryId(out _);
        int blockTypeAt = _in.Position;
        SkipTypeUseForms();
        int conditionsAt = _in.Position;
        while (_in.AtLeftParen && !_in.AtForm("then"))
        {
            ParseFoldedInstruction(w);
        }
        int thenAt = _in.Position;

        _in.Position = blockTypeAt;
        Mark(w, labelAt - 1);
        w.Byte((byte)Opcode.If);
        EncodeBlockType(w);
        if (_in.Position != conditionsAt)
        {
            throw _in.Unexpected("a condition in parentheses or \"(then\"");
        }
        _labels.Add(_in.List.Tokens[labelAt].Kind == TokenKind.Id ? labelAt : -1);
        _in.Position = thenAt;
        _in.EnterForm("then");
        ParseFormInstructions(w);
        if (_in.TryEnterForm("else"))
        {
            ParseElseBranch(w);
            ExpectListEnd();
            _in.ExpectRightParen();
        }
        EndFoldedBlock(w);
    }

    /// <summary>The rest of a folded block's part (<c>(then</c>, <c>(do</c>, <c>(catch x</c>, ...): its instructions and ")".</summary>
    private void ParseFormInstructions(ByteWriter w)
    {
        ParseInstructionList(w);
        ExpectListEnd();
        _in.ExpectRightParen();
    }

    /// <summary>The end of a folded block: its label goes out of scope, and <c>end</c> is written.</summary>
    private void EndFoldedBlock(ByteWriter w)
    {
        _labels.RemoveAt(_labels.Count - 1);
        Mark(w, _in.Position);
        w.Byte((byte)Opcode.End);
    }

    /// <summary>
    /// <c>(op immediates folded*)</c>: the operands are encoded first; then the parser returns to the
    /// immediates, so implicit types are resolved in flat order too.
    /// </summary>
    private void ParseFoldedPlain(Opcode opcode, ByteWriter w)
    {
        int immediatesAt = _in.Position;
        SkipImmediates();
        int operandsAt = _in.Position;
        while (_in.AtLeftParen)
        {
            ParseFoldedInstruction(w);
        }
        int afterOperands = _in.Position;
        _in.Position = immediatesAt;
        EncodeInstruction(opcode, w);
        if (_in.Position != operandsAt)
        {
            throw _in.Unexpected("an operand in parentheses or \")\"");
        }
        _in.Position = afterOperands;
    }

    /// <summary>Skips the tokens of an instruction's immediates: atoms and type-use forms, up to the first operand or ")".</summary>
    private void SkipImmediates()
    {
        while (true)
        {
            if (_in.AtRightParen)
            {
                return;
            }
            if (_in.AtLeftParen)
            {
                if (!IsTypeUseForm())
                {
                    return;
                }
                _in.SkipForm();
            }
            else
            {
                _in.Advance();
            }
        }
    }

    private void SkipTypeUseForms()
    {
        while (IsTypeUseForm())
        {
            _in.SkipForm();
        }
    }

    private bool IsTypeUseForm() => _in.FormKeyword is "type" or "param" or "result";

    private Opcode ReadOpcode()
    {
        if (_in.Kind == TokenKind.Atom && OperatorNames.TryGet(_in.Text, out Opcode opcode))
        {
            _in.Advance();
            return opcode;
        }
        if (_in.Kind is TokenKind.Atom or TokenKind.Reserved)
        {
            throw _in.Error($"unknown operator {_in.Describe(_in.Position)}");
        }
        throw _in.Unexpected("an instruction");
    }

    private void PushLabel()
    {
        int at = _in.Position;
        _labels.Add(_in.TryId(out _) ? at : -1);
    }

    /// <summary>Guards the recursive descent: deeply nested input fails cleanly instead of overflowing the stack.</summary>
    private void EnsureStack()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw _in.Error("nesting too deep");
        }
    }

    /// <summary>
    /// A block type: <c>(type x)</c> and/or inline <c>(param ...)(result ...)</c> without parameter names.
    /// Written as 0x40 or one value type when it has no parameters and at most one result, else as a
    /// type index (appending an implicit type when needed).
    /// </summary>
    private void EncodeBlockType(ByteWriter w)
    {
        bool hasTypeUse = IsTypeUseForm();
        if (!hasTypeUse)
        {
            w.Byte(0x40);
            return;
        }
        if (!_in.AtForm("type"))
        {
            FuncType inline = ParseSignature(ParamIds.Forbidden, locals: null);
            WriteBlockType(w, inline, inline.Params.Length == 0 && inline.Results.Length <= 1 ? 0 : FindOrAddType(inline));
            return;
        }
        uint index = ParseTypeUse(ParamIds.Forbidden, locals: null, out FuncType? type);
        WriteBlockType(w, type, index);
    }

    private static void WriteBlockType(ByteWriter w, FuncType? type, uint index)
    {
        if (type != null && type.Params.Length == 0 && type.Results.Length <= 1)
        {
            if (type.Results.Length == 0)
            {
                w.Byte(0x40);
            }
            else
            {
                WriteValType(w, type.Results[0]);
            }
            return;
        }
        w.S64(index);
    }
}
