
using Engine.Core;

namespace Engine.Text;

/// <summary>
/// Parses one text-format module and encodes it straight into the binary format.
/// </summary>
/// <remarks>
/// <para>Two passes over the module's fields (spec: text/modules). The first binds every identifier of
/// the module-level index spaces (types, functions, tables, memories, globals, element and data
/// segments), parses the explicit type definitions, and enforces the text-only rules: no duplicate
/// identifiers, imports before definitions, at most one start function. The second pass parses each
/// field fully and appends its encoding to the buffer of its section; the sections are concatenated at
/// the end. Because identifiers are known after the first pass, forward references need no fix-ups.</para>
/// <para>Abbreviations are expanded the way the spec defines them, and where the spec leaves a choice
/// the encoding follows wabt's (the reference <c>wast2json</c> output), so the usual result is
/// byte-identical to it: implicit function types are appended after the explicit ones in order of
/// first use (the flat instruction order, so folded operands come before their instruction); a block
/// type that fits the short form is written short even when given as <c>(type x)</c>; element segments
/// use the function-index encoding when every item is a lone <c>ref.func</c>; the data count section
/// is written only when code uses <c>memory.init</c> or <c>data.drop</c>.</para>
/// </remarks>
internal sealed partial class ModuleParser
{
    private const uint PageSize = 65536;

    private readonly TokenCursor _in;

    // Identifiers of the module-level index spaces, bound in the first pass.
    private readonly IndexSpace _typeIds = new("type");
    private readonly IndexSpace _funcIds = new("func");
    private readonly IndexSpace _tableIds = new("table");
    private readonly IndexSpace _memoryIds = new("memory");
    private readonly IndexSpace _globalIds = new("global");
    private readonly IndexSpace _tagIds = new("tag");
    private readonly IndexSpace _elemIds = new("elem");
    private readonly IndexSpace _dataIds = new("data");

    // All function types: the explicit definitions, then the implicit ones as they are first used.
    private readonly List<FuncType> _types = new();
    private readonly Dictionary<FuncType, uint> _firstTypeIndex = new();

    /// <summary>The token index of each field's "(", in order.</summary>
    private readonly List<int> _fields = new();
    private string? _firstDefinitionKind;
    private bool _sawStart;

    // Section contents with their entry counts (second pass).
    private readonly Section _importSection = new(2);
    private readonly Section _functionSection = new(3);
    private readonly Section _tableSection = new(4);
    private readonly Section _memorySection = new(5);
    private readonly Section _globalSection = new(6);
    private readonly Section _tagSection = new(13);
    private readonly Section _exportSection = new(7);
    private readonly Section _elementSection = new(9);
    private readonly Section _codeSection = new(10);
    private readonly Section _dataSection = new(11);
    private uint? _startFunction;
    private bool _codeUsesDataSegments;

    // Running indices of the second pass (they follow the first pass's order of binding).
    private uint _nextFunc;
    private uint _nextTable;
    private uint _nextMemory;
    private uint _nextGlobal;
    private uint _nextTag;

    private readonly ByteWriter _nameScratch = new(64);

    private ModuleParser(TokenCursor cursor)
    {
        _in = cursor;
    }

    // Write a "name" custom section with the function identifiers (for backtraces), as wat2wasm --debug-names.
    private bool _emitNames;

    // Where each instruction of the code section came from, when asked for (null otherwise).
    private TextSourceMap.Builder? _sourceMap;

    // The token of the field being encoded (its "(").
    private int _fieldStart;

    /// <summary>
    /// Parses a module at the cursor: a <c>(module ...)</c> form (also <c>binary</c> and <c>quote</c>), or
    /// bare module fields up to the end of the text. Leaves the cursor after the module.
    /// </summary>
    public static byte[] Parse(TokenCursor cursor, bool emitNames = false) => Parse(cursor, emitNames, sourceMap: null);

    /// <summary>
    /// As <see cref="Parse(TokenCursor, bool)"/>; a text module's instructions are recorded in <paramref name="sourceMap"/>
    /// (left empty for a <c>binary</c> or <c>quote</c> module).
    /// </summary>
    public static byte[] Parse(TokenCursor cursor, bool emitNames, TextSourceMap.Builder? sourceMap)
    {
        if (!cursor.AtForm("module"))
        {
            var bare = new ModuleParser(cursor) { _emitNames = emitNames, _sourceMap = sourceMap };
            return bare.ParseFields(cursor.List.Count - 1);
        }
        int end = cursor.AfterForm - 1;
        cursor.Position += 2;
        cursor.TryKeyword("definition");
        cursor.TryId(out _);
        if (cursor.TryKeyword("binary"))
        {
            return ParseBinaryModule(cursor);
        }
        if (cursor.TryKeyword("quote"))
        {
            return ParseQuotedModule(cursor);
        }
        byte[] module = new ModuleParser(cursor) { _emitNames = emitNames, _sourceMap = sourceMap }.ParseFields(end);
        cursor.ExpectRightParen();
        return module;
    }

    /// <summary>The bytes of <c>(module binary "..."*)</c>, after the keyword; consumes the closing parenthesis.</summary>
    public static byte[] ParseBinaryModule(TokenCursor cursor)
    {
        var bytes = new ByteWriter();
        while (cursor.Kind == TokenKind.String)
        {
            cursor.ReadString(bytes);
        }
        cursor.ExpectRightParen();
        return bytes.ToArray();
    }

    /// <summary>The text of <c>(module quote "..."*)</c>, after the keyword; consumes the closing parenthesis.</summary>
    public static string ReadQuotedText(TokenCursor cursor)
    {
        // The strings are concatenated as they are (like the spec interpreter and wast2json do).
        var bytes = new ByteWriter();
        while (cursor.Kind == TokenKind.String)
        {
            cursor.ReadString(bytes);
        }
        cursor.ExpectRightParen();
        return DecodeSourceText(bytes.Span);
    }

    /// <summary>
    /// Source text from UTF-8 bytes. Each byte of an invalid sequence becomes a lone surrogate
    /// (U+DC80-U+DCFF, as Python's "surrogateescape" does), which is no Unicode scalar value, so the
    /// lexer rejects it wherever it appears, as the spec rejects malformed UTF-8 source.
    /// </summary>
    public static string DecodeSourceText(ReadOnlySpan<byte> utf8)
    {
        if (System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return System.Text.Encoding.UTF8.GetString(utf8);
        }
        var text = new System.Text.StringBuilder(utf8.Length);
        while (!utf8.IsEmpty)
        {
            if (System.Text.Rune.DecodeFromUtf8(utf8, out System.Text.Rune rune, out int consumed) == System.Buffers.OperationStatus.Done)
            {
                text.Append(rune.ToString());
            }
            else
            {
                for (int i = 0; i < consumed; i++)
                {
                    text.Append((char)(0xDC00 | utf8[i]));
                }
            }
            utf8 = utf8[consumed..];
        }
        return text.ToString();
    }

    private static byte[] ParseQuotedModule(TokenCursor cursor)
    {
        int at = cursor.Position;
        return ParseQuotedText(cursor, at, ReadQuotedText(cursor));
    }

    /// <summary>Parses the text of a quoted module; an error is reported at the quote, with the position inside the quoted text.</summary>
    public static byte[] ParseQuotedText(TokenCursor cursor, int quoteAt, string text)
    {
        try
        {
            return WatParser.ParseModule(text, cursor.List.FileName);
        }
        catch (TextFormatException e)
        {
            throw cursor.ErrorAt(quoteAt, $"in quoted module: {e.Reason} (quoted text line {e.Line}, column {e.Column})");
        }
    }

    /// <summary>Parses the fields from the cursor up to token <paramref name="end"/> (a ")" or the end of the text) and leaves the cursor there.</summary>
    private byte[] ParseFields(int end)
    {
        while (_in.Position < end)
        {
            ScanField();
        }
        ParseTypeDefinitions();
        foreach (int field in _fields)
        {
            _in.Position = field;
            EncodeField();
        }
        _in.Position = end;
        return Assemble();
    }

    // ---- First pass: identifiers, explicit types, ordering rules ----

    private void ScanField()
    {
        int start = _in.Position;
        ReadOnlySpan<char> keyword = _in.FormKeyword;
        if (keyword.IsEmpty)
        {
            throw _in.Unexpected("a module field such as \"(func\"");
        }
        _in.Position += 2;
        switch (keyword)
        {
            case "type":
                BindOptionalId(_typeIds);
                _typeDefinitions.Add((start, InRec: false));
                break;
            case "rec":
                // (rec (type $id? ...)*): bind each member's id now, parse the definitions once every id is known.
                while (_in.AtForm("type"))
                {
                    int open = _in.Position;
                    _in.Position += 2;
                    BindOptionalId(_typeIds);
                    _in.Position = open;
                    _in.SkipForm();
                }
                _typeDefinitions.Add((start, InRec: true));
                break;
            case "import":
                ScanImport();
                break;
            case "func":
                ScanDefinition(_funcIds, "function");
                break;
            case "table":
                ScanDefinition(_tableIds, "table");
                break;
            case "memory":
                ScanDefinition(_memoryIds, "memory");
                break;
            case "global":
                ScanDefinition(_globalIds, "global");
                break;
            case "tag":
                ScanDefinition(_tagIds, "tag");
                break;
            case "elem":
                BindOptionalId(_elemIds);
                break;
            case "data":
                BindOptionalId(_dataIds);
                break;
            case "start":
                if (_sawStart)
                {
                    throw _in.ErrorAt(start, "multiple start sections");
                }
                _sawStart = true;
                break;
            case "export":
                break;
            default:
                throw _in.ErrorAt(start + 1, $"unexpected token {_in.Describe(start + 1)}: expected a module field (type, import, func, table, memory, global, tag, export, start, elem, data)");
        }
        _fields.Add(start);
        _in.Position = start;
        _in.SkipForm();
    }

    /// <summary>The <c>type</c> and <c>rec</c> fields (their first token), in order: parsed after the first pass, so that types may refer to later ones.</summary>
    private readonly List<(int Position, bool InRec)> _typeDefinitions = new();

    /// <summary>The recursive groups of explicit types (start, count) that are written as <c>rec</c>.</summary>
    private readonly List<(int Start, int Count)> _recGroups = new();

    private void ParseTypeDefinitions()
    {
        foreach ((int position, bool inRec) in _typeDefinitions)
        {
            _in.Position = position + 2;
            if (!inRec)
            {
                ParseTypeDefinition(inRec: false);
                continue;
            }
            int start = _types.Count;
            while (_in.AtForm("type"))
            {
                _in.Position += 2;
                ParseTypeDefinition(inRec: true);
            }
            _in.ExpectRightParen();
            _recGroups.Add((start, _types.Count - start));
        }
    }

    /// <summary><c>$id? (func ...))</c> or <c>$id? (sub final? $super* (func ...)))</c>, after <c>(type</c>.</summary>
    private void ParseTypeDefinition(bool inRec)
    {
        _in.TryId(out _);
        bool isFinal = true;
        uint[] supers = [];
        bool sub = _in.TryEnterForm("sub");
        if (sub)
        {
            isFinal = _in.TryKeyword("final");
            var superList = new List<uint>();
            while (TryReadIndex(_typeIds, out uint super))
            {
                superList.Add(super);
            }
            supers = superList.ToArray();
        }
        _in.EnterForm("func");
        FuncType signature = ParseSignature(ParamIds.Allowed, locals: null);
        FuncType type = new(signature.Params, signature.Results) { IsFinal = isFinal, SuperTypes = supers };
        _in.ExpectRightParen();
        if (sub)
        {
            _in.ExpectRightParen();
        }
        _in.ExpectRightParen();
        if (type.IsPlain && !inRec)
        {
            // An inline signature stands for a plain type in a group of its own: only those are found for it.
            _firstTypeIndex.TryAdd(type, (uint)_types.Count);
        }
        _types.Add(type);
    }

    private void ScanImport()
    {
        if (_in.Kind != TokenKind.String || _in.KindAhead(1) != TokenKind.String)
        {
            throw _in.Unexpected("the module and field names of the import");
        }
        _in.Position += 2;
        ReadOnlySpan<char> kind = _in.FormKeyword;
        IndexSpace space = kind switch
        {
            "func" => _funcIds,
            "table" => _tableIds,
            "memory" => _memoryIds,
            "global" => _globalIds,
            "tag" => _tagIds,
            _ => throw _in.Unexpected("an import description: (func, (table, (memory, (global or (tag"),
        };
        _in.Position += 2;
        CheckImportOrder();
        BindOptionalId(space);
    }

    /// <summary>A func, table, memory or global field: an inline import or a definition (<paramref name="kind"/> names it in messages).</summary>
    private void ScanDefinition(IndexSpace space, string kind)
    {
        BindOptionalId(space);
        while (_in.AtForm("export"))
        {
            _in.SkipForm();
        }
        if (_in.AtForm("import"))
        {
            CheckImportOrder();
            return;
        }
        _firstDefinitionKind ??= kind;
        if (kind == "table" && _in.Kind == TokenKind.Atom && IsRefTypeKeyword(_in.Text) && _in.KindAhead(1) == TokenKind.LeftParen)
        {
            _in.Advance();
            if (_in.AtForm("elem"))
            {
                _elemIds.TryAdd(default);
            }
        }
        else if (kind == "memory" && _in.AtForm("data"))
        {
            _dataIds.TryAdd(default);
        }
    }

    private void CheckImportOrder()
    {
        if (_firstDefinitionKind != null)
        {
            throw _in.Error($"import after {_firstDefinitionKind}");
        }
    }

    private void BindOptionalId(IndexSpace space)
    {
        int at = _in.Position;
        _in.TryId(out ReadOnlySpan<char> id);
        if (!space.TryAdd(id))
        {
            throw _in.ErrorAt(at, $"duplicate {space.Kind} {id}");
        }
    }

    // ---- Second pass: encode each field ----

    private void EncodeField()
    {
        _fieldStart = _in.Position;
        if (_sourceMap is not null)
        {
            // Whatever this field writes to any section starts here in the text.
            foreach (Section section in (ReadOnlySpan<Section>)[_importSection, _functionSection, _tableSection, _memorySection,
                _globalSection, _tagSection, _exportSection, _elementSection, _codeSection, _dataSection])
            {
                _sourceMap.Mark(section.Body, section.Body.Length, _in.OffsetOf(_fieldStart));
            }
        }
        ReadOnlySpan<char> keyword = _in.FormKeyword;
        if (keyword is "type" or "rec")
        {
            // Parsed in the first pass.
            _in.SkipForm();
            return;
        }
        _in.Position += 2;
        switch (keyword)
        {
            case "import":
                EncodeImport();
                break;
            case "func":
                EncodeFunction();
                break;
            case "table":
                EncodeTable();
                break;
            case "memory":
                EncodeMemory();
                break;
            case "global":
                EncodeGlobal();
                break;
            case "tag":
                EncodeTag();
                break;
            case "export":
                EncodeExport();
                break;
            case "start":
                _startFunction = ReadIndex(_funcIds);
                break;
            case "elem":
                EncodeElementSegment();
                break;
            case "data":
                EncodeDataSegment();
                break;
        }
        _in.ExpectRightParen();
    }

    private void EncodeImport()
    {
        ByteWriter w = _importSection.Body;
        _in.ReadNameInto(w, _nameScratch, "the import's module name");
        _in.ReadNameInto(w, _nameScratch, "the import's field name");
        ReadOnlySpan<char> kind = _in.FormKeyword;
        _in.Position += 2;
        _in.TryId(out _);
        switch (kind)
        {
            case "func":
                _nextFunc++;
                w.Byte((byte)ExternKind.Func);
                _localIds.Clear(); // only to catch duplicate parameter names
                w.U32(ParseTypeUse(ParamIds.Allowed, _localIds));
                break;
            case "table":
                _nextTable++;
                w.Byte((byte)ExternKind.Table);
                EncodeTableType(w);
                break;
            case "memory":
                _nextMemory++;
                w.Byte((byte)ExternKind.Memory);
                EncodeLimits(w);
                break;
            case "tag":
                _nextTag++;
                w.Byte((byte)ExternKind.Tag);
                EncodeTagType(w);
                break;
            default:
                _nextGlobal++;
                w.Byte((byte)ExternKind.Global);
                EncodeGlobalType(w);
                break;
        }
        _in.ExpectRightParen();
        _importSection.Count++;
    }

    /// <summary>Reads <c>(import "module" "name")</c> of an inline import when present and writes the names.</summary>
    private bool TryInlineImport(ExternKind kind)
    {
        if (!_in.TryEnterForm("import"))
        {
            return false;
        }
        ByteWriter w = _importSection.Body;
        _in.ReadNameInto(w, _nameScratch, "the import's module name");
        _in.ReadNameInto(w, _nameScratch, "the import's field name");
        _in.ExpectRightParen();
        w.Byte((byte)kind);
        _importSection.Count++;
        return true;
    }

    /// <summary>Inline <c>(export "name")</c> forms of a definition, exporting <paramref name="index"/>.</summary>
    private void EncodeInlineExports(ExternKind kind, uint index)
    {
        while (_in.TryEnterForm("export"))
        {
            ByteWriter w = _exportSection.Body;
            _in.ReadNameInto(w, _nameScratch, "the export name");
            w.Byte((byte)kind);
            w.U32(index);
            _exportSection.Count++;
            _in.ExpectRightParen();
        }
    }

    private void EncodeExport()
    {
        ByteWriter w = _exportSection.Body;
        _in.ReadNameInto(w, _nameScratch, "the export name");
        ReadOnlySpan<char> kind = _in.FormKeyword;
        _in.Position += 2;
        switch (kind)
        {
            case "func":
                w.Byte((byte)ExternKind.Func);
                w.U32(ReadIndex(_funcIds));
                break;
            case "table":
                w.Byte((byte)ExternKind.Table);
                w.U32(ReadIndex(_tableIds));
                break;
            case "memory":
                w.Byte((byte)ExternKind.Memory);
                w.U32(ReadIndex(_memoryIds));
                break;
            case "global":
                w.Byte((byte)ExternKind.Global);
                w.U32(ReadIndex(_globalIds));
                break;
            case "tag":
                w.Byte((byte)ExternKind.Tag);
                w.U32(ReadIndex(_tagIds));
                break;
            default:
                _in.Position -= 2;
                throw _in.Unexpected("an export description: (func, (table, (memory, (global or (tag");
        }
        _in.ExpectRightParen();
        _exportSection.Count++;
    }

    private void EncodeTable()
    {
        _in.TryId(out _);
        uint index = _nextTable++;
        EncodeInlineExports(ExternKind.Table, index);
        if (TryInlineImport(ExternKind.Table))
        {
            EncodeTableType(_importSection.Body);
            return;
        }
        _tableSection.Count++;
        bool is64 = ParseAddressType();
        if ((_in.Kind == TokenKind.Atom && IsRefTypeKeyword(_in.Text)) || _in.AtForm("ref"))
        {
            EncodeTableWithInlineElements(index, is64);
            return;
        }
        ParseLimits(is64, out ulong min, out ulong? max, out bool limits64);
        ValType elementType = ParseRefType();
        ByteWriter w = _tableSection.Body;
        if (!_in.AtRightParen)
        {
            // 3.0: an initialiser expression for every element (0x40 0x00 tabletype expr).
            w.Byte(0x40);
            w.Byte(0x00);
            WriteValType(w, elementType);
            WriteLimits(w, min, max, limits64);
            EncodeConstantExpression(w);
            return;
        }
        WriteValType(w, elementType);
        WriteLimits(w, min, max, limits64);
    }

    /// <summary><c>(table reftype (elem ...))</c>: a table exactly as large as its active segment at offset 0.</summary>
    private void EncodeTableWithInlineElements(uint tableIndex, bool is64)
    {
        ValType elementType = ParseRefType();
        _in.EnterForm("elem");
        var segment = new ElementSegmentSyntax { Mode = SegmentMode.Active, TableIndex = tableIndex, ElementType = elementType };
        segment.Offset.Byte(is64 ? (byte)0x42 : (byte)0x41); // i32.const 0 or i64.const 0
        segment.Offset.S64(0);
        segment.Offset.Byte(0x0B);
        if (_in.AtLeftParen)
        {
            ParseElementExpressions(segment);
        }
        else
        {
            ParseFunctionIndices(segment);
        }
        _in.ExpectRightParen();
        ByteWriter w = _tableSection.Body;
        WriteValType(w, elementType);
        WriteLimits(w, segment.Count, segment.Count, is64);
        EncodeElementSegment(segment);
    }

    private void EncodeMemory()
    {
        _in.TryId(out _);
        uint index = _nextMemory++;
        EncodeInlineExports(ExternKind.Memory, index);
        if (TryInlineImport(ExternKind.Memory))
        {
            EncodeLimits(_importSection.Body);
            return;
        }
        _memorySection.Count++;
        bool is64 = ParseAddressType();
        if (_in.TryEnterForm("data"))
        {
            EncodeMemoryWithInlineData(index, is64);
            return;
        }
        ParseLimits(is64, out ulong min, out ulong? max, out _);
        WriteLimits(_memorySection.Body, min, max, is64);
    }

    /// <summary><c>(memory (data ...))</c>: a memory exactly large enough for its active segment at offset 0.</summary>
    private void EncodeMemoryWithInlineData(uint memoryIndex, bool is64)
    {
        ByteWriter data = _dataSection.Body;
        WriteDataSegmentHeader(data, memoryIndex);
        data.Byte(is64 ? (byte)0x42 : (byte)0x41); // i32.const 0 or i64.const 0
        data.S64(0);
        data.Byte(0x0B);
        uint length = EncodeDataStrings(data);
        _in.ExpectRightParen();
        _dataSection.Count++;
        uint pages = (uint)(((ulong)length + PageSize - 1) / PageSize);
        WriteLimits(_memorySection.Body, pages, pages, is64);
    }

    private void EncodeGlobal()
    {
        _in.TryId(out _);
        uint index = _nextGlobal++;
        EncodeInlineExports(ExternKind.Global, index);
        if (TryInlineImport(ExternKind.Global))
        {
            EncodeGlobalType(_importSection.Body);
            return;
        }
        ByteWriter w = _globalSection.Body;
        EncodeGlobalType(w);
        EncodeConstantExpression(w);
        _globalSection.Count++;
    }

    private void EncodeTag()
    {
        _in.TryId(out _);
        uint index = _nextTag++;
        EncodeInlineExports(ExternKind.Tag, index);
        if (TryInlineImport(ExternKind.Tag))
        {
            EncodeTagType(_importSection.Body);
            return;
        }
        EncodeTagType(_tagSection.Body);
        _tagSection.Count++;
    }

    /// <summary>A tag's type: the exception attribute 0 and a type use.</summary>
    private void EncodeTagType(ByteWriter w)
    {
        w.Byte(0);
        _localIds.Clear(); // only to catch duplicate parameter names
        w.U32(ParseTypeUse(ParamIds.Allowed, _localIds));
    }

    // ---- Types ----

    /// <summary>A table type: <c>min max? reftype</c>, written reference type first as the binary format wants.</summary>
    private void EncodeTableType(ByteWriter w)
    {
        ParseLimits(ParseAddressType(), out ulong min, out ulong? max, out bool is64);
        WriteValType(w, ParseRefType());
        WriteLimits(w, min, max, is64);
    }

    private void EncodeLimits(ByteWriter w)
    {
        ParseLimits(ParseAddressType(), out ulong min, out ulong? max, out bool is64);
        WriteLimits(w, min, max, is64);
    }

    /// <summary>The address type of a memory or table (<c>i32</c>, the default, or <c>i64</c>): true for i64.</summary>
    private bool ParseAddressType()
    {
        if (_in.Kind == TokenKind.Atom && (_in.Text is "i64" or "i32"))
        {
            bool is64 = _in.Text is "i64";
            _in.Advance();
            return is64;
        }
        return false;
    }

    /// <summary>
    /// Limits: u64 numbers, written as u64 whatever the address type (3.0's binary limits are u64; a 32-bit memory's or
    /// table's beyond u32 is then a validation error, or malformed for a 2.0 decoder).
    /// </summary>
    private void ParseLimits(bool is64, out ulong min, out ulong? max, out bool limits64)
    {
        min = ReadUnsigned("the minimum size (a u64)", 64);
        max = _in.Kind == TokenKind.Atom && IsNatStart(_in.Text) ? ReadUnsigned("the maximum size", 64) : null;
        limits64 = is64;
    }

    private static void WriteLimits(ByteWriter w, ulong min, ulong? max, bool is64 = false)
    {
        w.Byte((byte)((max.HasValue ? 1 : 0) | (is64 ? 4 : 0)));
        w.U64(min);
        if (max is ulong bound)
        {
            w.U64(bound);
        }
    }

    private void EncodeGlobalType(ByteWriter w)
    {
        if (_in.TryEnterForm("mut"))
        {
            WriteValType(w, ParseValueType());
            w.Byte(1);
            _in.ExpectRightParen();
            return;
        }
        WriteValType(w, ParseValueType());
        w.Byte(0);
    }

    private ValType ParseValueType()
    {
        if (_in.Kind == TokenKind.Atom && ValTypeExtensions.TryParseWatName(_in.Text, out ValType type))
        {
            _in.Advance();
            return type;
        }
        if (_in.AtForm("ref"))
        {
            return ParseRefForm();
        }
        throw _in.Unexpected("a value type (i32, i64, f32, f64, v128, funcref, externref, (ref null? heaptype))");
    }

    private ValType ParseRefType()
    {
        if (_in.Kind == TokenKind.Atom && ValTypeExtensions.TryParseWatName(_in.Text, out ValType type) && type.IsReference())
        {
            _in.Advance();
            return type;
        }
        if (_in.AtForm("ref"))
        {
            return ParseRefForm();
        }
        throw _in.Unexpected("a reference type (funcref, externref or (ref null? heaptype))");
    }

    /// <summary><c>(ref null? heaptype)</c>.</summary>
    private ValType ParseRefForm()
    {
        _in.EnterForm("ref");
        bool nullable = _in.TryKeyword("null");
        ValType type = ParseHeapType(nullable);
        _in.ExpectRightParen();
        return type;
    }

    /// <summary>A heap type (an abstract one's keyword or a type index), as the reference type <c>(ref null? heaptype)</c>.</summary>
    private ValType ParseHeapType(bool nullable = true)
    {
        if (_in.Kind == TokenKind.Atom && RefTypes.TryParseHeapName(_in.Text, out AbstractHeapType heap))
        {
            _in.Advance();
            return RefTypes.Ref(heap, nullable);
        }
        if (TryReadIndex(_typeIds, out uint index))
        {
            return RefTypes.Ref(index, nullable);
        }
        throw _in.Unexpected("a heap type (func, extern, any, eq, i31, struct, array, exn, none, nofunc, noextern, noexn, or a type index)");
    }

    /// <summary>Writes a value type: its one-byte code (numeric types, nullable abstract references), else 0x63/0x64 and the heap type.</summary>
    internal static void WriteValType(ByteWriter w, ValType type)
    {
        if ((uint)type <= 0xFF && !type.IsConcrete())
        {
            w.Byte((byte)type);
            return;
        }
        w.Byte(type.IsNullable() ? (byte)0x63 : (byte)0x64);
        WriteHeapType(w, type);
    }

    /// <summary>Writes the heap type of a reference type (s33: a type index, or an abstract type's one-byte code).</summary>
    internal static void WriteHeapType(ByteWriter w, ValType type)
    {
        if (type.IsConcrete())
        {
            w.S64(type.TypeIndex());
        }
        else
        {
            w.Byte((byte)type.AbstractHeap());
        }
    }

    private static bool IsRefTypeKeyword(ReadOnlySpan<char> text) => text is "funcref" or "externref";

    /// <summary>Whether <c>(param $x ...)</c> may name parameters: in functions and type definitions, not in blocks or call_indirect.</summary>
    private enum ParamIds
    {
        Allowed,
        Forbidden,
    }

    /// <summary>
    /// Parses <c>(param ...)* (result ...)*</c>. Parameter identifiers are bound in <paramref name="locals"/>
    /// when given (duplicates are an error).
    /// </summary>
    private FuncType ParseSignature(ParamIds paramIds, IndexSpace? locals)
    {
        List<ValType> parameters = _paramScratch;
        parameters.Clear();
        while (_in.TryEnterForm("param"))
        {
            int idAt = _in.Position;
            if (_in.TryId(out ReadOnlySpan<char> id))
            {
                if (paramIds == ParamIds.Forbidden)
                {
                    throw _in.ErrorAt(idAt, $"unexpected token {_in.Describe(idAt)}: parameters cannot be named here");
                }
                if (locals != null && !locals.TryAdd(id))
                {
                    throw _in.ErrorAt(idAt, $"duplicate local {id}");
                }
                parameters.Add(ParseValueType());
            }
            else
            {
                while (!_in.AtRightParen)
                {
                    parameters.Add(ParseValueType());
                    locals?.TryAdd(default);
                }
            }
            _in.ExpectRightParen();
        }
        ValType[] results = ParseResults();
        return new FuncType(parameters.Count == 0 ? Array.Empty<ValType>() : parameters.ToArray(), results);
    }

    private readonly List<ValType> _paramScratch = new();
    private readonly List<ValType> _resultScratch = new();

    private ValType[] ParseResults()
    {
        List<ValType> results = _resultScratch;
        results.Clear();
        while (_in.TryEnterForm("result"))
        {
            while (!_in.AtRightParen)
            {
                results.Add(ParseValueType());
            }
            _in.ExpectRightParen();
        }
        return results.Count == 0 ? Array.Empty<ValType>() : results.ToArray();
    }

    /// <summary>
    /// Parses a type use (spec: typeuse): <c>(type x)</c>, inline <c>(param ...) (result ...)</c>, or both,
    /// which must then agree. Without <c>(type x)</c> the index of the first equal type is used, and a new
    /// type is appended when there is none.
    /// </summary>
    private uint ParseTypeUse(ParamIds paramIds, IndexSpace? locals) => ParseTypeUse(paramIds, locals, out _);

    private uint ParseTypeUse(ParamIds paramIds, IndexSpace? locals, out FuncType? type)
    {
        int at = _in.Position;
        uint? explicitIndex = null;
        if (_in.TryEnterForm("type"))
        {
            explicitIndex = ReadIndex(_typeIds);
            _in.ExpectRightParen();
        }
        bool hasInline = _in.AtForm("param") || _in.AtForm("result");
        FuncType inline = ParseSignature(paramIds, locals);
        if (explicitIndex is not uint index)
        {
            type = inline;
            return FindOrAddType(inline);
        }
        type = index < _types.Count ? _types[(int)index] : null;
        if (hasInline)
        {
            if (type == null)
            {
                throw _in.ErrorAt(at, $"unknown type {index}");
            }
            if (!type.Equals(inline))
            {
                throw _in.ErrorAt(at, $"inline function type {inline} does not match type {index}: {type}");
            }
        }
        else if (type != null && locals != null)
        {
            // The parameters come from the referenced type; they are unnamed locals.
            for (int i = 0; i < type.Params.Length; i++)
            {
                locals.TryAdd(default);
            }
        }
        return index;
    }

    private uint FindOrAddType(FuncType type)
    {
        if (_firstTypeIndex.TryGetValue(type, out uint index))
        {
            return index;
        }
        index = (uint)_types.Count;
        _types.Add(type);
        _firstTypeIndex.Add(type, index);
        return index;
    }

    // ---- Indices and numbers ----

    /// <summary>Reads an index: a u32 literal or an identifier bound in <paramref name="space"/>.</summary>
    private uint ReadIndex(IndexSpace space)
    {
        if (TryReadIndex(space, out uint index))
        {
            return index;
        }
        throw _in.Unexpected($"a {space.Kind} index or identifier");
    }

    private bool TryReadIndex(IndexSpace space, out uint index)
    {
        if (_in.Kind == TokenKind.Id)
        {
            if (!space.TryResolve(_in.Text, out index))
            {
                throw _in.Error($"unknown {space.Kind} {_in.Text}");
            }
            _in.Advance();
            return true;
        }
        if (_in.Kind == TokenKind.Atom && IsNatStart(_in.Text))
        {
            index = ReadU32($"a {space.Kind} index");
            return true;
        }
        index = 0;
        return false;
    }

    /// <summary>True when the token could be a natural number (it starts with a digit).</summary>
    private static bool IsNatStart(ReadOnlySpan<char> text) => text.Length > 0 && char.IsAsciiDigit(text[0]);

    private uint ReadU32(string expected) => (uint)ReadUnsigned(expected, 32);

    /// <summary>An unsigned integer literal of at most <paramref name="bits"/> bits.</summary>
    private ulong ReadUnsigned(string expected, int bits)
    {
        if (_in.Kind != TokenKind.Atom)
        {
            throw _in.Unexpected(expected);
        }
        LiteralStatus status = NumberParser.ParseUnsigned(_in.Text, bits, out ulong value);
        if (status == LiteralStatus.Malformed)
        {
            throw _in.Unexpected(expected);
        }
        if (status == LiteralStatus.OutOfRange)
        {
            throw _in.Error($"i{bits} constant out of range: {_in.Describe(_in.Position)}");
        }
        _in.Advance();
        return value;
    }

    // ---- Assembly ----

    private byte[] Assemble()
    {
        var module = new ByteWriter(1024);
        module.Bytes([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]);
        WriteTypeSection(module);
        _importSection.WriteTo(module, _sourceMap);
        _functionSection.WriteTo(module, _sourceMap);
        _tableSection.WriteTo(module, _sourceMap);
        _memorySection.WriteTo(module, _sourceMap);
        _tagSection.WriteTo(module, _sourceMap);
        _globalSection.WriteTo(module, _sourceMap);
        _exportSection.WriteTo(module, _sourceMap);
        if (_startFunction is uint start)
        {
            var content = new ByteWriter(8);
            content.U32(start);
            WriteSection(module, 8, content.Span);
        }
        _elementSection.WriteTo(module, _sourceMap);
        if (_codeUsesDataSegments && _dataSection.Count > 0)
        {
            var content = new ByteWriter(8);
            content.U32(_dataSection.Count);
            WriteSection(module, 12, content.Span);
        }
        _codeSection.WriteTo(module, _sourceMap);
        _dataSection.WriteTo(module, _sourceMap);
        if (_emitNames)
        {
            WriteNameSection(module);
        }
        return module.ToArray();
    }

    /// <summary>The name section's function-names subsection: each named function's identifier without its '$'.</summary>
    private void WriteNameSection(ByteWriter module)
    {
        var names = _funcIds.Entries.OrderBy(e => e.Index).ToList();
        if (names.Count == 0)
        {
            return;
        }
        var map = new ByteWriter(names.Count * 8);
        map.U32((uint)names.Count);
        foreach (var (index, id) in names)
        {
            map.U32(index);
            WriteName(map, id.StartsWith('$') ? id[1..] : id);
        }
        var content = new ByteWriter(map.Span.Length + 16);
        WriteName(content, "name");
        content.Byte(1);
        content.Vector(map.Span);
        WriteSection(module, 0, content.Span);
    }

    private static void WriteName(ByteWriter writer, string name) => writer.Vector(System.Text.Encoding.UTF8.GetBytes(name));

    private void WriteTypeSection(ByteWriter module)
    {
        if (_types.Count == 0)
        {
            return;
        }
        var content = new ByteWriter(_types.Count * 6);
        // Each rec group is one entry of the section; every other type is an entry of its own.
        content.U32((uint)(_types.Count - _recGroups.Sum(g => g.Count) + _recGroups.Count));
        int nextGroup = 0;
        for (int i = 0; i < _types.Count; i++)
        {
            if (nextGroup < _recGroups.Count && _recGroups[nextGroup].Start == i)
            {
                content.Byte(0x4E);
                content.U32((uint)_recGroups[nextGroup].Count);
                for (int m = 0; m < _recGroups[nextGroup].Count; m++)
                {
                    WriteSubType(content, _types[i + m]);
                }
                i += _recGroups[nextGroup].Count - 1;
                nextGroup++;
                continue;
            }
            WriteSubType(content, _types[i]);
        }
        WriteSection(module, 1, content.Span);
    }

    private static void WriteValueTypes(ByteWriter w, ValType[] types)
    {
        w.U32((uint)types.Length);
        foreach (ValType type in types)
        {
            WriteValType(w, type);
        }
    }

    /// <summary>A type definition: <c>0x50</c>/<c>0x4F</c> (final) and its supertypes unless it is plain, then the function type.</summary>
    private static void WriteSubType(ByteWriter w, FuncType type)
    {
        if (!type.IsPlain)
        {
            w.Byte(type.IsFinal ? (byte)0x4F : (byte)0x50);
            w.U32((uint)type.SuperTypes.Length);
            foreach (uint super in type.SuperTypes)
            {
                w.U32(super);
            }
        }
        w.Byte(0x60);
        WriteValueTypes(w, type.Params);
        WriteValueTypes(w, type.Results);
    }

    private static void WriteSection(ByteWriter module, byte id, ReadOnlySpan<byte> content)
    {
        module.Byte(id);
        module.Vector(content);
    }

    /// <summary>The entries of one section being built.</summary>
    private sealed class Section
    {
        private readonly byte _id;

        public Section(byte id)
        {
            _id = id;
        }

        public ByteWriter Body { get; } = new();

        public uint Count { get; set; }

        /// <summary>Writes the section (nothing when it has no entries), telling <paramref name="sourceMap"/> where its body went.</summary>
        public void WriteTo(ByteWriter module, TextSourceMap.Builder? sourceMap)
        {
            if (Count == 0)
            {
                return;
            }
            var countBytes = new ByteWriter(8);
            countBytes.U32(Count);
            module.Byte(_id);
            module.U32((uint)(countBytes.Length + Body.Length));
            module.Bytes(countBytes.Span);
            int bodyStart = module.Length;
            module.Bytes(Body.Span);
            sourceMap?.Placed(Body, bodyStart, module.Length);
        }
    }
}
