namespace Engine.Core;

/// <summary>
/// Decodes a WebAssembly binary into a <see cref="ModuleInfo"/>: the preamble, every section in the
/// spec's order with its exact size, and every entry. Function bodies and constant expressions are
/// kept as byte ranges; the validator reads them again. Structure only: see <see cref="ModuleValidator"/>.
/// </summary>
public static class ModuleDecoder
{
    /// <summary>The most locals a function may declare. The spec allows up to 2^32-1; like other engines we set an implementation limit.</summary>
    public const int MaxLocals = 50_000;

    private const byte CustomSectionId = 0;
    private const byte DataCountSectionId = 12;
    private const byte TagSectionId = 13;

    /// <summary>True when <paramref name="bytes"/> start with the binary format's magic <c>\0asm</c> (what tells a binary module from a text one).</summary>
    public static bool StartsWithMagic(ReadOnlySpan<byte> bytes) => bytes.StartsWith("\0asm"u8);

    /// <summary>Decodes the binary; throws <see cref="MalformedModuleException"/> when it is not well formed.</summary>
    public static ModuleInfo Decode(byte[] bytes) => Decode(bytes, WasmFeatures.Default);

    /// <summary>Decodes the binary of a module that may use <paramref name="features"/> (which the validator then enforces).</summary>
    public static ModuleInfo Decode(byte[] bytes, WasmFeatures features)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var module = new ModuleInfo(bytes) { Features = features };
        var reader = new WasmReader(bytes);
        ReadPreamble(ref reader);

        int lastOrder = 0;
        int functionCount = -1; // declared in the function section; -1 = no section
        bool sawCode = false;
        while (!reader.AtEnd)
        {
            int sectionStart = reader.Position;
            byte id = reader.ReadByte();
            if (id > DataCountSectionId && !(id == TagSectionId && (features & WasmFeatures.Exceptions) != 0))
            {
                WasmReader.ThrowMalformed("malformed section id" + (id == TagSectionId ? WasmFeatures.Exceptions.Disabled("the tag section") : ""), sectionStart);
            }
            int sizeAt = reader.Position;
            uint size = reader.ReadVarU32();
            if (size > (uint)(reader.End - reader.Position))
            {
                WasmReader.ThrowMalformed("length out of bounds", sizeAt);
            }
            int contentStart = reader.Position;
            int contentEnd = contentStart + (int)size;
            if (id != CustomSectionId)
            {
                int order = SectionOrder(id);
                if (order <= lastOrder)
                {
                    WasmReader.ThrowMalformed("unexpected content after last section", sectionStart);
                }
                lastOrder = order;
            }

            var section = new WasmReader(bytes, contentStart, contentEnd) { Features = features };
            switch (id)
            {
                case CustomSectionId:
                    ReadCustomSection(ref section, module);
                    break;
                case 1:
                    ReadTypeSection(ref section, module);
                    break;
                case 2:
                    ReadImportSection(ref section, module);
                    break;
                case 3:
                    functionCount = ReadFunctionSection(ref section, module);
                    break;
                case 4:
                    ReadVector(ref section, module, static (ref WasmReader r, ModuleInfo m) =>
                    {
                        m.DefinitionOffsets[ExternKind.Table].Add(r.Position);
                        // 3.0: 0x40 0x00 announces a table with an initialiser expression.
                        if ((r.Features & WasmFeatures.FunctionReferences) != 0 && r.PeekByte() == 0x40)
                        {
                            r.ReadByte();
                            int at = r.Position;
                            if (r.ReadByte() != 0)
                            {
                                WasmReader.ThrowMalformed("malformed table", at);
                            }
                            m.Tables.Add(ReadTableType(ref r));
                            m.TableInits.Add((uint)(m.Tables.Count - 1), ReadConstExpr(ref r));
                            return;
                        }
                        m.Tables.Add(ReadTableType(ref r));
                    });
                    break;
                case 5:
                    ReadVector(ref section, module, static (ref WasmReader r, ModuleInfo m) =>
                    {
                        m.DefinitionOffsets[ExternKind.Memory].Add(r.Position);
                        m.Memories.Add(new MemoryType(ReadLimits(ref r)));
                    });
                    break;
                case 6:
                    ReadVector(ref section, module, static (ref WasmReader r, ModuleInfo m) =>
                    {
                        m.Globals.Add(ReadGlobalType(ref r));
                        m.GlobalInits.Add(ReadConstExpr(ref r));
                    });
                    break;
                case 7:
                    ReadVector(ref section, module, static (ref WasmReader r, ModuleInfo m) =>
                    {
                        int entryAt = r.Position;
                        string name = r.ReadName();
                        int kindAt = r.Position;
                        byte kind = r.ReadByte();
                        if (kind > 3 && !(kind == 4 && (r.Features & WasmFeatures.Exceptions) != 0))
                        {
                            WasmReader.ThrowMalformed("malformed export kind" + (kind == 4 ? WasmFeatures.Exceptions.Disabled("a tag export") : ""), kindAt);
                        }
                        m.Exports.Add(new Export(name, (ExternKind)kind, r.ReadVarU32()) { Offset = entryAt });
                    });
                    break;
                case 8:
                    module.StartOffset = section.Position;
                    module.StartFunction = section.ReadVarU32();
                    break;
                case 9:
                    ReadVector(ref section, module, static (ref WasmReader r, ModuleInfo m) => m.Elements.Add(ReadElementSegment(ref r)));
                    break;
                case 10:
                    sawCode = true;
                    ReadCodeSection(ref section, module, functionCount);
                    break;
                case 11:
                    ReadDataSection(ref section, module);
                    break;
                case DataCountSectionId:
                    module.DataCount = section.ReadVarU32();
                    break;
                case TagSectionId:
                    ReadVector(ref section, module, static (ref WasmReader r, ModuleInfo m) =>
                    {
                        m.DefinitionOffsets[ExternKind.Tag].Add(r.Position);
                        m.TagTypeIndices.Add(ReadTagType(ref r));
                    });
                    break;
            }
            if (section.Position != contentEnd)
            {
                WasmReader.ThrowMalformed("section size mismatch", section.Position);
            }
            reader.Position = contentEnd;
        }

        if (!sawCode && functionCount > 0)
        {
            WasmReader.ThrowMalformed("function and code section have inconsistent lengths", bytes.Length);
        }
        if (module.DataCount is uint dataCount && dataCount != module.Data.Count)
        {
            WasmReader.ThrowMalformed("data count and data section have inconsistent lengths", bytes.Length);
        }
        return module;
    }

    private static void ReadPreamble(ref WasmReader reader)
    {
        ReadOnlySpan<byte> data = reader.Data;
        if (data.Length < 4)
        {
            WasmReader.ThrowMalformed("unexpected end", data.Length);
        }
        if (!StartsWithMagic(data))
        {
            WasmReader.ThrowMalformed("magic header not detected", 0);
        }
        if (data.Length < 8)
        {
            WasmReader.ThrowMalformed("unexpected end", data.Length);
        }
        if (data[4] != 1 || data[5] != 0 || data[6] != 0 || data[7] != 0)
        {
            WasmReader.ThrowMalformed("unknown binary version", 4);
        }
        reader.Position = 8;
    }

    /// <summary>The position of a non-custom section in the required order (data count sits between element and code).</summary>
    private static int SectionOrder(byte id) => id switch
    {
        TagSectionId => 2 * 5 + 1, // between memory and global
        DataCountSectionId => 2 * 10 - 1, // between element and code
        _ => 2 * id,
    };

    /// <summary>A tag's type: the attribute 0 (an exception) and a function type index.</summary>
    private static uint ReadTagType(ref WasmReader reader)
    {
        int at = reader.Position;
        if (reader.ReadByte() != 0)
        {
            WasmReader.ThrowMalformed("malformed tag attribute", at);
        }
        return reader.ReadVarU32();
    }

    private delegate void EntryReader(ref WasmReader reader, ModuleInfo module);

    private static void ReadVector(ref WasmReader reader, ModuleInfo module, EntryReader entry)
    {
        uint count = reader.ReadCount();
        for (uint i = 0; i < count; i++)
        {
            entry(ref reader, module);
        }
    }

    private static void ReadCustomSection(ref WasmReader reader, ModuleInfo module)
    {
        string name = reader.ReadName();
        int start = reader.Position;
        var section = new CustomSection(name, start, reader.End - start);
        module.CustomSections.Add(section);
        if (name == "name")
        {
            module.Names = NameSectionDecoder.TryDecode(module.Bytes, start, reader.End);
        }
        reader.Position = reader.End;
    }

    /// <summary>
    /// The type section: recursive groups (<c>0x4E</c> vec(subtype), 3.0) and single subtypes; a subtype is
    /// <c>0x50</c>/<c>0x4F</c> (final) vec(typeidx) and a composite type, or just the composite type (final, no
    /// supertypes). Only function types are composite types so far (struct and array come with GC).
    /// </summary>
    private static void ReadTypeSection(ref WasmReader reader, ModuleInfo module)
    {
        uint count = reader.ReadCount();
        bool typedReferences = (reader.Features & WasmFeatures.FunctionReferences) != 0;
        for (uint i = 0; i < count; i++)
        {
            int start = module.Types.Count;
            if (typedReferences && reader.Position < reader.End && reader.Data[reader.Position] == 0x4E)
            {
                reader.Position++;
                uint members = reader.ReadCount();
                for (uint m = 0; m < members; m++)
                {
                    module.Types.Add(ReadSubType(ref reader, typedReferences));
                }
            }
            else
            {
                module.Types.Add(ReadSubType(ref reader, typedReferences));
            }
            module.RecGroups.Add(new RecGroup(start, module.Types.Count - start));
        }
        foreach (FuncType type in module.Types)
        {
            if (!type.IsPlain || type.Params.Any(RefTypes.IsTyped) || type.Results.Any(RefTypes.IsTyped))
            {
                module.UsesTypedReferences = true;
            }
        }
    }

    private static FuncType ReadSubType(ref WasmReader reader, bool typedReferences)
    {
        int at = reader.Position;
        byte form = reader.ReadByte();
        bool isFinal = true;
        uint[] supers = [];
        if (typedReferences && form is 0x50 or 0x4F)
        {
            isFinal = form == 0x4F;
            supers = new uint[reader.ReadCount()];
            for (int s = 0; s < supers.Length; s++)
            {
                supers[s] = reader.ReadVarU32();
            }
            at = reader.Position;
            form = reader.ReadByte();
        }
        if (form != 0x60)
        {
            // 2.0 reads a function type's form as an s7 (hence the message); struct (0x5F) and array (0x5E) are GC types.
            WasmReader.ThrowMalformed(form is 0x5F or 0x5E ? "struct and array types (GC) are not supported" : "integer representation too long", at);
        }
        ValType[] parameters = ReadValTypes(ref reader);
        ValType[] results = ReadValTypes(ref reader);
        return new FuncType(parameters, results) { IsFinal = isFinal, SuperTypes = supers };
    }

    private static ValType[] ReadValTypes(ref WasmReader reader)
    {
        uint count = reader.ReadCount();
        if (count == 0)
        {
            return Array.Empty<ValType>();
        }
        var types = new ValType[count];
        for (int i = 0; i < types.Length; i++)
        {
            types[i] = reader.ReadValType();
        }
        return types;
    }

    private static void ReadImportSection(ref WasmReader reader, ModuleInfo module)
    {
        uint count = reader.ReadCount();
        for (uint i = 0; i < count; i++)
        {
            int at = reader.Position;
            string moduleName = reader.ReadName();
            string name = reader.ReadName();
            int kindAt = reader.Position;
            byte kind = reader.ReadByte();
            Import import;
            switch (kind)
            {
                case 0:
                    import = new Import { Module = moduleName, Name = name, Kind = ExternKind.Func, FuncTypeIndex = reader.ReadVarU32(), Offset = at };
                    module.FunctionTypeIndices.Add(import.FuncTypeIndex);
                    module.ImportedFunctionCount++;
                    break;
                case 1:
                    import = new Import { Module = moduleName, Name = name, Kind = ExternKind.Table, Table = ReadTableType(ref reader), Offset = at };
                    module.Tables.Add(import.Table);
                    module.ImportedTableCount++;
                    break;
                case 2:
                    import = new Import { Module = moduleName, Name = name, Kind = ExternKind.Memory, Memory = new MemoryType(ReadLimits(ref reader)), Offset = at };
                    module.Memories.Add(import.Memory);
                    module.ImportedMemoryCount++;
                    break;
                case 3:
                    import = new Import { Module = moduleName, Name = name, Kind = ExternKind.Global, Global = ReadGlobalType(ref reader), Offset = at };
                    module.Globals.Add(import.Global);
                    module.ImportedGlobalCount++;
                    break;
                case 4 when (reader.Features & WasmFeatures.Exceptions) != 0:
                    import = new Import { Module = moduleName, Name = name, Kind = ExternKind.Tag, FuncTypeIndex = ReadTagType(ref reader), Offset = at };
                    module.TagTypeIndices.Add(import.FuncTypeIndex);
                    module.ImportedTagCount++;
                    break;
                default:
                    WasmReader.ThrowMalformed("malformed import kind" + (kind == 4 ? WasmFeatures.Exceptions.Disabled("a tag import") : ""), kindAt);
                    return;
            }
            module.Imports.Add(import);
        }
    }

    private static int ReadFunctionSection(ref WasmReader reader, ModuleInfo module)
    {
        uint count = reader.ReadCount();
        for (uint i = 0; i < count; i++)
        {
            module.DefinitionOffsets[ExternKind.Func].Add(reader.Position);
            module.FunctionTypeIndices.Add(reader.ReadVarU32());
        }
        return (int)count;
    }

    private static TableType ReadTableType(ref WasmReader reader)
    {
        ValType element = reader.ReadRefType();
        return new TableType(element, ReadLimits(ref reader));
    }

    private static Limits ReadLimits(ref WasmReader reader)
    {
        int at = reader.Position;
        byte flags = reader.ReadByte();
        // 3.0 (with 64-bit memories and tables) reads every limit as a u64 and validation bounds it by the address type.
        bool wide = (reader.Features & WasmFeatures.Memory64) != 0;
        switch (flags)
        {
            case 0:
                return new Limits(wide ? reader.ReadVarU64() : reader.ReadVarU32(), null);
            case 1:
                ulong min = wide ? reader.ReadVarU64() : reader.ReadVarU32();
                return new Limits(min, wide ? reader.ReadVarU64() : reader.ReadVarU32());
            case 4 when (reader.Features & WasmFeatures.Memory64) != 0:
                return new Limits(reader.ReadVarU64(), null) { Is64 = true };
            case 5 when (reader.Features & WasmFeatures.Memory64) != 0:
                ulong min64 = reader.ReadVarU64();
                return new Limits(min64, reader.ReadVarU64()) { Is64 = true };
            default:
                // The flags are one byte; an LEB128-style continuation bit makes it an overlong integer.
                WasmReader.ThrowMalformed((flags & 0x80) != 0 ? "integer representation too long"
                    : "integer too large" + (flags is 4 or 5 ? WasmFeatures.Memory64.Disabled("a 64-bit memory or table") : ""), at);
                return default;
        }
    }

    private static GlobalType ReadGlobalType(ref WasmReader reader)
    {
        ValType type = reader.ReadValType();
        int at = reader.Position;
        byte mutability = reader.ReadByte();
        if (mutability > 1)
        {
            WasmReader.ThrowMalformed("malformed mutability", at);
        }
        return new GlobalType(type, mutability == 1);
    }

    /// <summary>Reads a constant expression up to and including its final <c>end</c>; its operators are checked by the validator.</summary>
    internal static ConstExpr ReadConstExpr(ref WasmReader reader)
    {
        int start = reader.Position;
        var scanner = new ExpressionScanner();
        while (!scanner.Done)
        {
            reader.ReadOperator(ref scanner);
        }
        return new ConstExpr(start, reader.Position);
    }

    private static ElementSegment ReadElementSegment(ref WasmReader reader)
    {
        int at = reader.Position;
        uint flags = reader.ReadVarU32();
        if (flags > 7)
        {
            WasmReader.ThrowMalformed("malformed elements segment kind", at);
        }
        // Bit 0: passive or declarative (else active); bit 1: explicit table index (active) or declarative;
        // bit 2: items are expressions (else function indices).
        bool notActive = (flags & 1) != 0;
        bool bit1 = (flags & 2) != 0;
        bool expressions = (flags & 4) != 0;
        SegmentMode mode = !notActive ? SegmentMode.Active : bit1 ? SegmentMode.Declarative : SegmentMode.Passive;
        uint table = 0;
        ConstExpr offset = default;
        if (mode == SegmentMode.Active)
        {
            if (bit1)
            {
                table = reader.ReadVarU32();
            }
            offset = ReadConstExpr(ref reader);
        }
        ValType elementType = ValType.FuncRef;
        bool hasKind = notActive || bit1;
        if (hasKind)
        {
            if (expressions)
            {
                elementType = reader.ReadRefType();
            }
            else
            {
                int kindAt = reader.Position;
                if (reader.ReadByte() != 0)
                {
                    WasmReader.ThrowMalformed("malformed element kind", kindAt);
                }
            }
        }
        uint count = reader.ReadCount();
        if (expressions)
        {
            var items = new ConstExpr[count];
            for (int i = 0; i < items.Length; i++)
            {
                items[i] = ReadConstExpr(ref reader);
            }
            return new ElementSegment { Mode = mode, TableIndex = table, Offset = offset, ElementType = elementType, Expressions = items, Offset0 = at };
        }
        var functions = new uint[count];
        for (int i = 0; i < functions.Length; i++)
        {
            functions[i] = reader.ReadVarU32();
        }
        return new ElementSegment { Mode = mode, TableIndex = table, Offset = offset, ElementType = elementType, FunctionIndices = functions, Offset0 = at };
    }

    private static void ReadCodeSection(ref WasmReader reader, ModuleInfo module, int functionCount)
    {
        int countAt = reader.Position;
        uint count = reader.ReadCount();
        if (count != (uint)Math.Max(functionCount, 0))
        {
            WasmReader.ThrowMalformed("function and code section have inconsistent lengths", countAt);
        }
        var locals = new List<ValType>();
        for (uint i = 0; i < count; i++)
        {
            int sizeAt = reader.Position;
            uint size = reader.ReadVarU32();
            if (size > (uint)(reader.End - reader.Position))
            {
                WasmReader.ThrowMalformed("length out of bounds", sizeAt);
            }
            int start = reader.Position;
            int end = start + (int)size;
            var body = new WasmReader(reader.Data, start, end) { Features = reader.Features };
            uint groups = body.ReadCount();
            long total = 0;
            locals.Clear();
            for (uint g = 0; g < groups; g++)
            {
                int groupAt = body.Position;
                uint n = body.ReadVarU32();
                total += n;
                if (total > MaxLocals)
                {
                    WasmReader.ThrowMalformed("too many locals", groupAt);
                }
                ValType type = body.ReadValType();
                for (uint k = 0; k < n; k++)
                {
                    locals.Add(type);
                }
            }
            module.Bodies.Add(new FunctionBody { Start = start, CodeStart = body.Position, End = end, Locals = locals.ToArray() });
            reader.Position = end;
        }
    }

    private static void ReadDataSection(ref WasmReader reader, ModuleInfo module)
    {
        uint count = reader.ReadCount();
        for (uint i = 0; i < count; i++)
        {
            int at = reader.Position;
            uint flags = reader.ReadVarU32();
            SegmentMode mode;
            uint memory = 0;
            ConstExpr offset = default;
            switch (flags)
            {
                case 0:
                    mode = SegmentMode.Active;
                    offset = ReadConstExpr(ref reader);
                    break;
                case 1:
                    mode = SegmentMode.Passive;
                    break;
                case 2:
                    mode = SegmentMode.Active;
                    memory = reader.ReadVarU32();
                    offset = ReadConstExpr(ref reader);
                    break;
                default:
                    WasmReader.ThrowMalformed("malformed data segment kind", at);
                    return;
            }
            int lengthAt = reader.Position;
            uint length = reader.ReadVarU32();
            if (length > (uint)(reader.End - reader.Position))
            {
                WasmReader.ThrowMalformed("unexpected end of section or function", lengthAt);
            }
            int dataStart = reader.Position;
            reader.Position += (int)length;
            module.Data.Add(new DataSegment { Mode = mode, MemoryIndex = memory, Offset = offset, DataStart = dataStart, DataLength = (int)length, Offset0 = at });
        }
    }
}
