using System.Numerics;
using Engine.Core;

namespace Engine.Text;

internal sealed partial class ModuleParser
{
    /// <summary>Encodes a non-block instruction: its opcode, then its immediates as its operator kind says.</summary>
    private void EncodeInstruction(Opcode opcode, ByteWriter w)
    {
        // The cursor is just past the operator's keyword (flat, or back at a folded one's immediates).
        Mark(w, _in.Position - 1);
        OperatorKind kind = OperatorInfo.Kind(opcode);
        if (kind == OperatorKind.Select)
        {
            EncodeSelect(w);
            return;
        }
        WriteOpcode(w, opcode);
        switch (kind)
        {
            case OperatorKind.Unreachable:
            case OperatorKind.Nop:
            case OperatorKind.Drop:
            case OperatorKind.Return:
            case OperatorKind.Plain:
            case OperatorKind.RefIsNull:
                break;
            case OperatorKind.Br:
            case OperatorKind.BrIf:
            case OperatorKind.BrOnNull:
            case OperatorKind.BrOnNonNull:
                w.U32(ReadLabel());
                break;
            case OperatorKind.CallRef:
            case OperatorKind.ReturnCallRef:
                w.U32(ReadIndex(_typeIds));
                break;
            case OperatorKind.RefAsNonNull:
                break;
            case OperatorKind.BrTable:
                EncodeBrTable(w);
                break;
            case OperatorKind.Call:
            case OperatorKind.ReturnCall:
            case OperatorKind.RefFunc:
                w.U32(ReadIndex(_funcIds));
                break;
            case OperatorKind.Throw:
                w.U32(ReadIndex(_tagIds));
                break;
            case OperatorKind.ThrowRef:
                break;
            case OperatorKind.Rethrow:
                w.U32(ReadLabel());
                break;
            case OperatorKind.CallIndirect:
            case OperatorKind.ReturnCallIndirect:
                EncodeCallIndirect(w);
                break;
            case OperatorKind.LocalGet:
            case OperatorKind.LocalSet:
            case OperatorKind.LocalTee:
                w.U32(ReadLocal());
                break;
            case OperatorKind.GlobalGet:
            case OperatorKind.GlobalSet:
                w.U32(ReadIndex(_globalIds));
                break;
            case OperatorKind.TableGet:
            case OperatorKind.TableSet:
            case OperatorKind.TableGrow:
            case OperatorKind.TableSize:
            case OperatorKind.TableFill:
                w.U32(TryReadIndex(_tableIds, out uint table) ? table : 0);
                break;
            case OperatorKind.Load:
            case OperatorKind.Store:
                EncodeMemArg(opcode, w);
                break;
            case OperatorKind.MemorySize:
            case OperatorKind.MemoryGrow:
            case OperatorKind.MemoryFill:
                w.U32(TryReadIndex(_memoryIds, out uint memory) ? memory : 0);
                break;
            case OperatorKind.MemoryCopy:
                if (TryReadIndex(_memoryIds, out uint destinationMemory))
                {
                    w.U32(destinationMemory);
                    w.U32(ReadIndex(_memoryIds));
                }
                else
                {
                    w.Byte(0);
                    w.Byte(0);
                }
                break;
            case OperatorKind.I32Const:
                w.S64((int)(uint)ReadInteger(32));
                break;
            case OperatorKind.I64Const:
                w.S64((long)ReadInteger(64));
                break;
            case OperatorKind.F32Const:
                w.F32((uint)ReadFloat(NumberParser.Single));
                break;
            case OperatorKind.F64Const:
                w.F64(ReadFloat(NumberParser.Double));
                break;
            case OperatorKind.RefNull:
                WriteHeapType(w, ParseHeapType());
                break;
            case OperatorKind.MemoryInit:
            {
                // memory.init memory? data: with two indices the first is the memory.
                uint initMemory = IsIndexToken(_in.Position) && IsIndexToken(_in.Position + 1) ? ReadIndex(_memoryIds) : 0;
                w.U32(ReadIndex(_dataIds));
                w.U32(initMemory);
                _codeUsesDataSegments = true;
                break;
            }
            case OperatorKind.DataDrop:
                w.U32(ReadIndex(_dataIds));
                _codeUsesDataSegments = true;
                break;
            case OperatorKind.TableInit:
                EncodeTableInit(w);
                break;
            case OperatorKind.ElemDrop:
                w.U32(ReadIndex(_elemIds));
                break;
            case OperatorKind.TableCopy:
                EncodeTableCopy(w);
                break;
            case OperatorKind.V128Const:
                EncodeV128Const(w);
                break;
            case OperatorKind.I8x16Shuffle:
                for (int i = 0; i < 16; i++)
                {
                    w.Byte(ReadLaneIndex());
                }
                break;
            case OperatorKind.ExtractLane:
            case OperatorKind.ReplaceLane:
                w.Byte(ReadLaneIndex());
                break;
            case OperatorKind.LoadLane:
            case OperatorKind.StoreLane:
                EncodeMemArg(opcode, w);
                w.Byte(ReadLaneIndex());
                break;
            default:
                // else, end and the block instructions are structure, handled by the sequence parsers.
                _in.Position--;
                throw _in.Error($"unexpected token {_in.Describe(_in.Position)}: not inside a matching block");
        }
    }

    private static void WriteOpcode(ByteWriter w, Opcode opcode)
    {
        int value = (int)opcode;
        if (value < 0x100)
        {
            w.Byte((byte)value);
            return;
        }
        if (OperatorInfo.IsRelaxedSimd(opcode))
        {
            w.Byte(0xFD);
            w.U32((uint)(0x100 | (value & 0xFF)));
            return;
        }
        w.Byte((byte)(value >> 8));
        w.U32((uint)(value & 0xFF));
    }

    /// <summary><c>select</c>, or <c>select (result t*)*</c> with types.</summary>
    private void EncodeSelect(ByteWriter w)
    {
        if (!_in.AtForm("result"))
        {
            w.Byte((byte)Opcode.Select);
            return;
        }
        w.Byte((byte)Opcode.SelectTyped);
        WriteValueTypes(w, ParseResults());
    }

    private void EncodeBrTable(ByteWriter w)
    {
        _labelScratch.Clear();
        while (TryReadLabel(out uint depth))
        {
            _labelScratch.Add(depth);
        }
        if (_labelScratch.Count == 0)
        {
            throw _in.Unexpected("a label");
        }
        w.U32((uint)_labelScratch.Count - 1);
        foreach (uint depth in _labelScratch)
        {
            w.U32(depth);
        }
    }

    private readonly List<uint> _labelScratch = new();

    private void EncodeCallIndirect(ByteWriter w)
    {
        uint table = TryReadIndex(_tableIds, out uint index) ? index : 0;
        w.U32(ParseTypeUse(ParamIds.Forbidden, locals: null));
        w.U32(table);
    }

    /// <summary><c>table.init table? elem</c>: written element segment first.</summary>
    private void EncodeTableInit(ByteWriter w)
    {
        uint table = 0;
        if (IsIndexToken(_in.Position) && IsIndexToken(_in.Position + 1))
        {
            table = ReadIndex(_tableIds);
        }
        w.U32(ReadIndex(_elemIds));
        w.U32(table);
    }

    /// <summary>True when token <paramref name="index"/> can be an index: an identifier or a number.</summary>
    private bool IsIndexToken(int index)
    {
        TokenKind kind = _in.List.Tokens[Math.Min(index, _in.List.Count - 1)].Kind;
        return kind == TokenKind.Id || (kind == TokenKind.Atom && IsNatStart(_in.TextAt(index)));
    }

    /// <summary><c>table.copy</c> with no indices (0 0) or destination then source.</summary>
    private void EncodeTableCopy(ByteWriter w)
    {
        if (!TryReadIndex(_tableIds, out uint destination))
        {
            w.U32(0);
            w.U32(0);
            return;
        }
        w.U32(destination);
        w.U32(ReadIndex(_tableIds));
    }

    /// <summary>
    /// <c>memory? offset=N? align=N?</c>: alignment written as its log2 and defaulting to the natural one; a memory
    /// other than 0 sets bit 6 of the flags and follows them (3.0). Offsets are u64 (the validator limits them by the
    /// memory's address type), alignments powers of two up to 2^63.
    /// </summary>
    private void EncodeMemArg(Opcode opcode, ByteWriter w)
    {
        // Before a lane index, a lone number is the lane: a number is the memory only when more immediates follow.
        bool laneFollows = OperatorInfo.Kind(opcode) is OperatorKind.LoadLane or OperatorKind.StoreLane;
        bool memoryGiven = _in.Kind == TokenKind.Id
            || (!laneFollows && IsIndexToken(_in.Position))
            || (IsIndexToken(_in.Position) && (IsIndexToken(_in.Position + 1) || IsMemArgKey(_in.Position + 1)));
        uint memory = memoryGiven && TryReadIndex(_memoryIds, out uint index) ? index : 0;
        ulong offset = 0;
        if (_in.Kind == TokenKind.Atom && _in.Text.StartsWith("offset="))
        {
            offset = ReadKeyValue("offset=".Length, "offset=<u64>");
        }
        int alignLog2 = OperatorInfo.NaturalAlignmentLog2(opcode);
        if (_in.Kind == TokenKind.Atom && _in.Text.StartsWith("align="))
        {
            int at = _in.Position;
            ulong align = ReadKeyValue("align=".Length, "align=<u64>");
            if (!BitOperations.IsPow2(align))
            {
                throw _in.ErrorAt(at, $"alignment must be a power of two: {align}");
            }
            alignLog2 = BitOperations.Log2(align);
        }
        if (memory != 0)
        {
            w.U32((uint)alignLog2 | 0x40);
            w.U32(memory);
        }
        else
        {
            w.U32((uint)alignLog2);
        }
        w.U64(offset);
    }

    private bool IsMemArgKey(int index) =>
        _in.List.Tokens[Math.Min(index, _in.List.Count - 1)].Kind == TokenKind.Atom
        && (_in.TextAt(index).StartsWith("offset=") || _in.TextAt(index).StartsWith("align="));

    /// <summary>The u64 after <c>offset=</c> or <c>align=</c> in the current atom.</summary>
    private ulong ReadKeyValue(int prefixLength, string expected)
    {
        LiteralStatus status = NumberParser.ParseUnsigned(_in.Text[prefixLength..], 64, out ulong value);
        if (status == LiteralStatus.Malformed)
        {
            throw _in.Error($"unknown operator {_in.Describe(_in.Position)}: expected {expected}");
        }
        if (status == LiteralStatus.OutOfRange)
        {
            throw _in.Error($"i64 constant out of range: {_in.Describe(_in.Position)}");
        }
        _in.Advance();
        return value;
    }

    private byte ReadLaneIndex()
    {
        if (_in.Kind != TokenKind.Atom)
        {
            throw _in.Unexpected("a lane index");
        }
        LiteralStatus status = NumberParser.ParseUnsigned(_in.Text, 8, out ulong lane);
        if (status != LiteralStatus.Ok)
        {
            throw _in.Error($"malformed lane index {_in.Describe(_in.Position)}: expected a number from 0 to 255");
        }
        _in.Advance();
        return (byte)lane;
    }

    /// <summary>An integer literal for an N-bit integer, as its N-bit pattern.</summary>
    private ulong ReadInteger(int bits)
    {
        string expected = $"an i{bits} literal";
        if (_in.Kind != TokenKind.Atom)
        {
            throw _in.Unexpected(expected);
        }
        LiteralStatus status = NumberParser.ParseInteger(_in.Text, bits, out ulong value);
        if (status == LiteralStatus.Malformed)
        {
            throw _in.Error($"unknown operator {_in.Describe(_in.Position)}: expected {expected}");
        }
        if (status == LiteralStatus.OutOfRange)
        {
            throw _in.Error($"constant out of range: {_in.Describe(_in.Position)} does not fit i{bits}");
        }
        _in.Advance();
        return value;
    }

    private ulong ReadFloat(FloatLayout layout)
    {
        string expected = layout == NumberParser.Single ? "an f32 literal" : "an f64 literal";
        if (_in.Kind != TokenKind.Atom)
        {
            throw _in.Unexpected(expected);
        }
        LiteralStatus status = NumberParser.ParseFloat(_in.Text, layout, out ulong bits);
        if (status == LiteralStatus.Malformed)
        {
            throw _in.Error($"unknown operator {_in.Describe(_in.Position)}: expected {expected}");
        }
        if (status == LiteralStatus.OutOfRange)
        {
            throw _in.Error($"constant out of range: {_in.Describe(_in.Position)}");
        }
        _in.Advance();
        return bits;
    }

    /// <summary><c>v128.const shape lane*</c>: 16 little-endian bytes.</summary>
    private void EncodeV128Const(ByteWriter w)
    {
        ReadOnlySpan<char> shape = _in.Kind == TokenKind.Atom ? _in.Text : default;
        (int laneBits, FloatLayout? layout) = shape switch
        {
            "i8x16" => (8, null),
            "i16x8" => (16, null),
            "i32x4" => (32, null),
            "i64x2" => (64, null),
            "f32x4" => (32, NumberParser.Single),
            "f64x2" => (64, NumberParser.Double),
            _ => throw _in.Unexpected("a vector shape (i8x16, i16x8, i32x4, i64x2, f32x4, f64x2)"),
        };
        _in.Advance();
        int lanes = 128 / laneBits;
        for (int i = 0; i < lanes; i++)
        {
            if (_in.Kind != TokenKind.Atom)
            {
                throw _in.Error($"wrong number of lane literals: expected {lanes} for {shape}, found {i}");
            }
            ulong lane = layout == null ? ReadInteger(laneBits) : ReadFloat(layout);
            for (int b = 0; b < laneBits / 8; b++)
            {
                w.Byte((byte)(lane >> (8 * b)));
            }
        }
    }

    // ---- Labels and locals ----

    private uint ReadLabel()
    {
        if (TryReadLabel(out uint depth))
        {
            return depth;
        }
        throw _in.Unexpected("a label");
    }

    /// <summary>Reads a label reference: a relative depth, or the identifier of an enclosing block.</summary>
    private bool TryReadLabel(out uint depth)
    {
        if (_in.Kind == TokenKind.Id)
        {
            ReadOnlySpan<char> id = _in.Text;
            for (int i = _labels.Count - 1; i >= 0; i--)
            {
                if (_labels[i] >= 0 && _in.TextAt(_labels[i]).SequenceEqual(id))
                {
                    depth = (uint)(_labels.Count - 1 - i);
                    _in.Advance();
                    return true;
                }
            }
            throw _in.Error($"unknown label {id}");
        }
        if (_in.Kind == TokenKind.Atom && IsNatStart(_in.Text))
        {
            depth = ReadU32("a label");
            return true;
        }
        depth = 0;
        return false;
    }

    private uint ReadLocal()
    {
        if (_in.Kind == TokenKind.Id && _locals == null)
        {
            throw _in.Error($"unknown local {_in.Text}");
        }
        return ReadIndex(_locals ?? _localIds);
    }
}
