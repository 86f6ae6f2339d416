
using Engine.Core;

namespace Engine.Text;

internal sealed partial class ModuleParser
{
    private readonly ByteWriter _dataScratch = new(256);

    /// <summary>An element segment being parsed: its mode and items, encoded at the end in the smallest form.</summary>
    private sealed class ElementSegmentSyntax
    {
        public SegmentMode Mode { get; init; }
        public uint TableIndex { get; set; }
        public ValType ElementType { get; set; } = ValType.FuncRef;
        /// <summary>The offset expression of an active segment, with its <c>end</c>.</summary>
        public ByteWriter Offset { get; } = new(16);
        /// <summary>Every item as an expression with its <c>end</c> (expression items only).</summary>
        public ByteWriter Expressions { get; } = new(16);
        /// <summary>The function index of every item, valid while <see cref="AllFunctionReferences"/>.</summary>
        public List<uint> Functions { get; } = new();
        /// <summary>True while every item is a function index or a lone <c>ref.func</c>.</summary>
        public bool AllFunctionReferences { get; set; } = true;
        public uint Count { get; set; }
    }

    /// <summary>
    /// <c>(elem id? declare? (table x)? offset? elemlist)</c>, with the offset as <c>(offset instr*)</c> or
    /// one folded instruction and the list as <c>func x*</c>, <c>reftype item*</c>, or (after an offset)
    /// bare function indices.
    /// </summary>
    private void EncodeElementSegment()
    {
        _in.TryId(out _);
        SegmentMode mode = _in.TryKeyword("declare") ? SegmentMode.Declarative
            : _in.AtLeftParen && !_in.AtForm("ref") ? SegmentMode.Active
            : SegmentMode.Passive;
        var segment = new ElementSegmentSyntax { Mode = mode };
        if (mode == SegmentMode.Active)
        {
            if (_in.TryEnterForm("table"))
            {
                segment.TableIndex = ReadIndex(_tableIds);
                _in.ExpectRightParen();
            }
            EncodeOffset(segment.Offset);
        }
        if (_in.TryKeyword("func"))
        {
            ParseFunctionIndices(segment);
        }
        else if ((_in.Kind == TokenKind.Atom && IsRefTypeKeyword(_in.Text)) || _in.AtForm("ref"))
        {
            segment.ElementType = ParseRefType();
            ParseElementExpressions(segment);
        }
        else if (mode == SegmentMode.Active)
        {
            ParseFunctionIndices(segment);
        }
        else
        {
            throw _in.Unexpected("\"func\" or a reference type");
        }
        EncodeElementSegment(segment);
    }

    /// <summary>An active segment's offset: <c>(offset instr*)</c> or a single folded instruction.</summary>
    private void EncodeOffset(ByteWriter w)
    {
        if (_in.TryEnterForm("offset"))
        {
            EncodeConstantExpression(w);
            _in.ExpectRightParen();
            return;
        }
        if (!_in.AtLeftParen)
        {
            throw _in.Unexpected("an offset: \"(offset\" or a folded instruction");
        }
        _labels.Clear();
        ParseFoldedInstruction(w);
        w.Byte((byte)Opcode.End);
    }

    private void ParseFunctionIndices(ElementSegmentSyntax segment)
    {
        while (TryReadIndex(_funcIds, out uint function))
        {
            segment.Functions.Add(function);
            segment.Count++;
        }
    }

    /// <summary>Item expressions: <c>(item instr*)</c> or one folded instruction each.</summary>
    private void ParseElementExpressions(ElementSegmentSyntax segment)
    {
        ByteWriter w = segment.Expressions;
        while (_in.AtLeftParen)
        {
            int start = w.Length;
            if (_in.TryEnterForm("item"))
            {
                EncodeConstantExpression(w);
                _in.ExpectRightParen();
            }
            else
            {
                _labels.Clear();
                ParseFoldedInstruction(w);
                w.Byte((byte)Opcode.End);
            }
            if (TryReadLoneRefFunc(w.Span[start..], out uint function))
            {
                segment.Functions.Add(function);
            }
            else
            {
                segment.AllFunctionReferences = false;
            }
            segment.Count++;
        }
    }

    /// <summary>True when an encoded expression is exactly <c>ref.func x end</c>.</summary>
    private static bool TryReadLoneRefFunc(ReadOnlySpan<byte> expression, out uint function)
    {
        function = 0;
        if (expression.Length < 3 || expression[0] != (byte)Opcode.RefFunc || expression[^1] != (byte)Opcode.End)
        {
            return false;
        }
        int shift = 0;
        for (int i = 1; i < expression.Length - 1; i++)
        {
            byte b = expression[i];
            function |= (uint)(b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0)
            {
                return i == expression.Length - 2;
            }
        }
        return false;
    }

    /// <summary>
    /// Writes the segment (binary flags 0-7): function indices when every item is a function reference of
    /// a funcref segment, else expressions; an explicit table index only when it is not table 0 of funcref.
    /// </summary>
    private void EncodeElementSegment(ElementSegmentSyntax segment)
    {
        // Items written as expressions stay expressions: 3.0 types function indices as (ref func), expressions as declared.
        bool indices = segment.ElementType == ValType.FuncRef && segment.AllFunctionReferences && segment.Expressions.Length == 0;
        bool explicitTable = segment.Mode == SegmentMode.Active && (segment.TableIndex != 0 || segment.ElementType != ValType.FuncRef);
        uint flags = segment.Mode switch
        {
            SegmentMode.Active => explicitTable ? 2u : 0u,
            SegmentMode.Passive => 1u,
            _ => 3u,
        };
        if (!indices)
        {
            flags |= 4;
        }
        ByteWriter w = _elementSection.Body;
        w.U32(flags);
        if (segment.Mode == SegmentMode.Active)
        {
            if (explicitTable)
            {
                w.U32(segment.TableIndex);
            }
            w.Bytes(segment.Offset.Span);
        }
        if ((flags & 3) != 0)
        {
            if (indices)
            {
                w.Byte(0x00);
            }
            else
            {
                WriteValType(w, segment.ElementType);
            }
        }
        w.U32(segment.Count);
        if (indices)
        {
            foreach (uint function in segment.Functions)
            {
                w.U32(function);
            }
        }
        else if (segment.Expressions.Length == 0)
        {
            // Function indices in a segment of a typed reference type (3.0): each item becomes ref.func.
            foreach (uint function in segment.Functions)
            {
                w.Byte((byte)Opcode.RefFunc);
                w.U32(function);
                w.Byte((byte)Opcode.End);
            }
        }
        else
        {
            w.Bytes(segment.Expressions.Span);
        }
        _elementSection.Count++;
    }

    /// <summary><c>(data id? (memory x)? offset? string*)</c>: active when it has an offset, else passive.</summary>
    private void EncodeDataSegment()
    {
        _in.TryId(out _);
        ByteWriter w = _dataSection.Body;
        if (_in.AtLeftParen)
        {
            uint memory = 0;
            if (_in.TryEnterForm("memory"))
            {
                memory = ReadIndex(_memoryIds);
                _in.ExpectRightParen();
            }
            WriteDataSegmentHeader(w, memory);
            EncodeOffset(w);
        }
        else
        {
            w.U32(1);
        }
        EncodeDataStrings(w);
        _dataSection.Count++;
    }

    private static void WriteDataSegmentHeader(ByteWriter w, uint memory)
    {
        if (memory == 0)
        {
            w.U32(0);
            return;
        }
        w.U32(2);
        w.U32(memory);
    }

    /// <summary>The concatenated strings of a data segment, as a byte vector; returns their length.</summary>
    private uint EncodeDataStrings(ByteWriter w)
    {
        _dataScratch.Clear();
        while (_in.Kind == TokenKind.String)
        {
            _in.ReadString(_dataScratch);
        }
        w.Vector(_dataScratch.Span);
        return (uint)_dataScratch.Length;
    }
}
