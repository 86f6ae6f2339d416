using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.Intrinsics;
using System.Text;
using Engine.Core;

namespace Engine.Text;

/// <summary>
/// Prints a binary module in the text format, with flat (unfolded) instructions and numeric indices
/// (each definition's index in a <c>(;N;)</c> comment). The output parses back with
/// <see cref="WatParser"/> into an equivalent module.
/// </summary>
/// <remarks>
/// Equivalent, not always byte-identical: the text format cannot say how the binary chose among equal
/// encodings, so the printer states the meaning and the parser picks its encoding. To make "decode and
/// print" a faithful equality test, the printer normalizes those choices: a block type given by a type
/// index whose type has no parameters and at most one result prints as <c>(result t)</c>; an element
/// segment of <c>funcref</c> whose items are all lone <c>ref.func</c> prints as <c>func x*</c>; an active
/// segment always names its table. Custom sections (the <c>name</c> section included) are not printed;
/// the 2.0 text format has no syntax for them. One thing valid text cannot say at all: a memory
/// alignment exponent of 32 or more (invalid anyway) prints but does not parse back.
/// </remarks>
public static class WatPrinter
{
    /// <summary>Decodes <paramref name="module"/> and prints it.</summary>
    /// <param name="module">A module in the binary format.</param>
    /// <returns>The module in the text format.</returns>
    /// <exception cref="MalformedModuleException">The binary cannot be decoded.</exception>
    public static string Print(byte[] module) => Print(ModuleDecoder.Decode(module));

    /// <summary>Prints a decoded module (it need not be valid).</summary>
    /// <param name="module">The decoded module.</param>
    /// <returns>The module in the text format.</returns>
    /// <exception cref="MalformedModuleException">A function body or constant expression cannot be decoded.</exception>
    public static string Print(ModuleInfo module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var printer = new ModulePrinter(module);
        printer.PrintModule();
        return printer.ToString();
    }

    /// <summary>The text of an f32 bit pattern: shortest round-trip decimal, <c>inf</c>, or <c>nan</c> / <c>nan:0x...</c>.</summary>
    public static string FormatF32(uint bits) =>
        FormatNanOrInfinity(bits, NumberParser.Single) ?? BitConverter.UInt32BitsToSingle(bits).ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The text of an f64 bit pattern (see <see cref="FormatF32"/>).</summary>
    public static string FormatF64(ulong bits) =>
        FormatNanOrInfinity(bits, NumberParser.Double) ?? BitConverter.UInt64BitsToDouble(bits).ToString("R", CultureInfo.InvariantCulture);

    /// <summary><c>inf</c> or <c>nan</c> / <c>nan:0x...</c> (the canonical NaN without its payload), signed; null for a finite value.</summary>
    private static string? FormatNanOrInfinity(ulong bits, FloatLayout layout)
    {
        string sign = (bits & layout.SignBit) != 0 ? "-" : "";
        ulong magnitude = bits & ~layout.SignBit;
        if (magnitude > layout.ExponentMask)
        {
            ulong payload = magnitude & layout.MantissaMask;
            return payload == layout.QuietBit ? sign + "nan" : $"{sign}nan:0x{payload:x}";
        }
        return magnitude == layout.ExponentMask ? sign + "inf" : null;
    }

    /// <summary>A string literal for raw bytes: printable ASCII as is, everything else as <c>\hh</c>.</summary>
    public static string FormatString(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length + 2);
        text.Append('"');
        foreach (byte b in bytes)
        {
            if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('\\').Append(b.ToString("x2", CultureInfo.InvariantCulture));
            }
        }
        return text.Append('"').ToString();
    }

    /// <summary>Prints the fields of one module; holds the output and the indentation.</summary>
    private sealed class ModulePrinter
    {
        private readonly ModuleInfo _module;
        private readonly StringBuilder _out = new();

        public ModulePrinter(ModuleInfo module)
        {
            _module = module;
        }

        /// <summary>The indentation depth of the next instruction line.</summary>
        public int Depth { get; set; }

        /// <summary>The offset of the operator being printed (for immediates the visitor does not pass on).</summary>
        public int OperatorStart { get; set; }

        public ModuleInfo Module => _module;

        public override string ToString() => _out.ToString();

        public void PrintModule()
        {
            _out.Append("(module\n");
            PrintTypes();
            PrintImports();
            PrintFunctions();
            PrintTables();
            PrintMemories();
            PrintTags();
            PrintGlobals();
            PrintExports();
            if (_module.StartFunction is uint start)
            {
                _out.Append("  (start ").Append(start).Append(")\n");
            }
            PrintElementSegments();
            PrintDataSegments();
            _out.Append(")\n");
        }

        /// <summary>The types: a group of several as <c>(rec ...)</c>, a declared subtype as <c>(sub final? super? (func ...))</c>.</summary>
        private void PrintTypes()
        {
            var groupStarts = _module.RecGroups.Where(g => g.Count > 1).ToDictionary(g => g.Start, g => g.End);
            int groupEnd = -1;
            for (int i = 0; i < _module.Types.Count; i++)
            {
                if (groupStarts.TryGetValue(i, out int end))
                {
                    _out.Append("  (rec\n");
                    groupEnd = end;
                }
                FuncType type = _module.Types[i];
                _out.Append(groupEnd > i ? "    " : "  ").Append("(type (;").Append(i).Append(";) ");
                if (!type.IsPlain)
                {
                    _out.Append(type.IsFinal ? "(sub final" : "(sub");
                    foreach (uint super in type.SuperTypes)
                    {
                        _out.Append(' ').Append(super);
                    }
                    _out.Append(' ');
                }
                _out.Append("(func");
                AppendSignature(type);
                _out.Append(type.IsPlain ? "))\n" : ")))\n");
                if (i + 1 == groupEnd)
                {
                    _out.Append("  )\n");
                }
            }
        }

        private void AppendSignature(FuncType type)
        {
            AppendTypeList("param", type.Params);
            AppendTypeList("result", type.Results);
        }

        private void AppendTypeList(string keyword, ValType[] types)
        {
            if (types.Length == 0)
            {
                return;
            }
            _out.Append(" (").Append(keyword);
            foreach (ValType type in types)
            {
                _out.Append(' ').Append(type.ToWatName());
            }
            _out.Append(')');
        }

        /// <summary><c>(type N)</c>, followed by the signature when the index is valid.</summary>
        private void AppendTypeUse(uint typeIndex)
        {
            _out.Append(" (type ").Append(typeIndex).Append(')');
            if (typeIndex < _module.Types.Count)
            {
                AppendSignature(_module.Types[(int)typeIndex]);
            }
        }

        private void PrintImports()
        {
            int functions = 0, tables = 0, memories = 0, globals = 0, tags = 0;
            foreach (Import import in _module.Imports)
            {
                _out.Append("  (import ").Append(FormatName(import.Module)).Append(' ').Append(FormatName(import.Name)).Append(' ');
                switch (import.Kind)
                {
                    case ExternKind.Func:
                        _out.Append("(func (;").Append(functions++).Append(";)");
                        AppendTypeUse(import.FuncTypeIndex);
                        break;
                    case ExternKind.Table:
                        _out.Append("(table (;").Append(tables++).Append(";) ");
                        AppendTableType(import.Table);
                        break;
                    case ExternKind.Memory:
                        _out.Append("(memory (;").Append(memories++).Append(";) ").Append(import.Memory.Limits);
                        break;
                    case ExternKind.Tag:
                        _out.Append("(tag (;").Append(tags++).Append(";)");
                        AppendTypeUse(import.FuncTypeIndex);
                        break;
                    default:
                        _out.Append("(global (;").Append(globals++).Append(";) ").Append(import.Global);
                        break;
                }
                _out.Append("))\n");
            }
        }

        private void AppendTableType(TableType table) => _out.Append(table.Limits).Append(' ').Append(table.ElementType.ToWatName());

        private void PrintFunctions()
        {
            for (int i = 0; i < _module.Bodies.Count; i++)
            {
                uint index = (uint)(_module.ImportedFunctionCount + i);
                _out.Append("  (func (;").Append(index).Append(";)");
                AppendTypeUse(_module.FunctionTypeIndices[(int)index]);
                _out.Append('\n');
                FunctionBody body = _module.Bodies[i];
                if (body.Locals.Length > 0)
                {
                    _out.Append("    (local");
                    foreach (ValType local in body.Locals)
                    {
                        _out.Append(' ').Append(local.ToWatName());
                    }
                    _out.Append(")\n");
                }
                PrintInstructions(body.CodeStart, body.End, depth: 2);
                _out.Append("  )\n");
            }
        }

        private void PrintTables()
        {
            for (int i = _module.ImportedTableCount; i < _module.Tables.Count; i++)
            {
                _out.Append("  (table (;").Append(i).Append(";) ");
                AppendTableType(_module.Tables[i]);
                if (_module.TableInits.TryGetValue((uint)i, out ConstExpr init))
                {
                    // 3.0: the initialiser of every element.
                    AppendConstantExpression(init);
                }
                _out.Append(")\n");
            }
        }

        private void PrintMemories()
        {
            for (int i = _module.ImportedMemoryCount; i < _module.Memories.Count; i++)
            {
                _out.Append("  (memory (;").Append(i).Append(";) ").Append(_module.Memories[i].Limits).Append(")\n");
            }
        }

        private void PrintTags()
        {
            for (int i = _module.ImportedTagCount; i < _module.TagTypeIndices.Count; i++)
            {
                _out.Append("  (tag (;").Append(i).Append(";)");
                AppendTypeUse(_module.TagTypeIndices[i]);
                _out.Append(")\n");
            }
        }

        private void PrintGlobals()
        {
            for (int i = _module.ImportedGlobalCount; i < _module.Globals.Count; i++)
            {
                _out.Append("  (global (;").Append(i).Append(";) ").Append(_module.Globals[i]);
                AppendConstantExpression(_module.GlobalInits[i - _module.ImportedGlobalCount]);
                _out.Append(")\n");
            }
        }

        private void PrintExports()
        {
            foreach (Export export in _module.Exports)
            {
                string kind = export.Kind switch
                {
                    ExternKind.Func => "func",
                    ExternKind.Table => "table",
                    ExternKind.Memory => "memory",
                    ExternKind.Tag => "tag",
                    _ => "global",
                };
                _out.Append("  (export ").Append(FormatName(export.Name)).Append(" (").Append(kind).Append(' ').Append(export.Index).Append("))\n");
            }
        }

        private void PrintElementSegments()
        {
            for (int i = 0; i < _module.Elements.Count; i++)
            {
                ElementSegment segment = _module.Elements[i];
                _out.Append("  (elem (;").Append(i).Append(";)");
                if (segment.Mode == SegmentMode.Declarative)
                {
                    _out.Append(" declare");
                }
                else if (segment.Mode == SegmentMode.Active)
                {
                    _out.Append(" (table ").Append(segment.TableIndex).Append(") (offset");
                    AppendConstantExpression(segment.Offset);
                    _out.Append(')');
                }
                AppendElementItems(segment);
                _out.Append(")\n");
            }
        }

        /// <summary><c>func x*</c> when every item is a function reference of a funcref segment, else <c>reftype (item ...)*</c>.</summary>
        private void AppendElementItems(ElementSegment segment)
        {
            uint[]? functions = segment.FunctionIndices ?? LoneFunctionReferences(segment);
            if (functions != null)
            {
                _out.Append(" func");
                foreach (uint function in functions)
                {
                    _out.Append(' ').Append(function);
                }
                return;
            }
            _out.Append(' ').Append(segment.ElementType.ToWatName());
            foreach (ConstExpr item in segment.Expressions!)
            {
                _out.Append(" (item");
                AppendConstantExpression(item);
                _out.Append(')');
            }
        }

        private uint[]? LoneFunctionReferences(ElementSegment segment)
        {
            if (segment.ElementType != ValType.FuncRef)
            {
                return null;
            }
            var functions = new uint[segment.Expressions!.Length];
            for (int i = 0; i < functions.Length; i++)
            {
                ConstExpr item = segment.Expressions[i];
                var reader = new WasmReader(_module.Bytes, item.Start, item.End);
                if (reader.ReadByte() != (byte)Opcode.RefFunc)
                {
                    return null;
                }
                functions[i] = reader.ReadVarU32();
                if (reader.Position != item.End - 1)
                {
                    return null;
                }
            }
            return functions;
        }

        private void PrintDataSegments()
        {
            for (int i = 0; i < _module.Data.Count; i++)
            {
                DataSegment segment = _module.Data[i];
                _out.Append("  (data (;").Append(i).Append(";)");
                if (segment.Mode == SegmentMode.Active)
                {
                    _out.Append(" (memory ").Append(segment.MemoryIndex).Append(") (offset");
                    AppendConstantExpression(segment.Offset);
                    _out.Append(')');
                }
                _out.Append(' ').Append(FormatString(_module.Bytes.AsSpan(segment.DataStart, segment.DataLength))).Append(")\n");
            }
        }

        private static string FormatName(string name) => FormatString(Encoding.UTF8.GetBytes(name));

        // ---- Instructions ----

        /// <summary>A constant expression on the current line: its instructions, flat, without the final <c>end</c>.</summary>
        private void AppendConstantExpression(ConstExpr expression)
        {
            var line = new ModulePrinter(_module) { Depth = -1 };
            line.PrintInstructions(expression.Start, expression.End, depth: -1);
            _out.Append(line._out);
        }

        /// <summary>Prints the operators in [start, end) one per line (or inline when <paramref name="depth"/> is -1).</summary>
        public void PrintInstructions(int start, int end, int depth)
        {
            Depth = depth;
            var reader = new WasmReader(_module.Bytes, start, end);
            var visitor = new InstructionPrinter(this);
            while (!reader.AtEnd)
            {
                OperatorStart = reader.Position;
                reader.ReadOperator(ref visitor);
            }
        }

        /// <summary>Starts an instruction: a new indented line, or a space when printing inline.</summary>
        public StringBuilder Begin(string name, int depthChange = 0)
        {
            if (Depth < 0)
            {
                return _out.Append(' ').Append(name);
            }
            int depth = Depth + depthChange;
            return _out.Append(' ', depth * 2).Append(name);
        }

        public void EndLine()
        {
            if (Depth >= 0)
            {
                _out.Append('\n');
            }
        }

        public void Append(string text) => _out.Append(text);

        public void Append(ulong value) => _out.Append(value);
    }

    /// <summary>Prints each operator the reader passes it.</summary>
    private struct InstructionPrinter : IOperatorVisitor
    {
        private readonly ModulePrinter _p;

        /// <summary>The number of blocks opened in this body; the <c>end</c> at nesting zero closes the body and is not printed.</summary>
        private int _openBlocks;

        public InstructionPrinter(ModulePrinter printer)
        {
            _p = printer;
            _openBlocks = 0;
        }

        private readonly void Simple(Opcode opcode)
        {
            _p.Begin(OperatorInfo.Name(opcode));
            _p.EndLine();
        }

        /// <summary>An operator with a memory index, which the text format leaves out for memory 0.</summary>
        private readonly void WithMemory(Opcode opcode, uint memoryIndex)
        {
            if (memoryIndex == 0)
            {
                Simple(opcode);
            }
            else
            {
                WithIndex(opcode, memoryIndex);
            }
        }

        private readonly void WithIndex(Opcode opcode, ulong index)
        {
            _p.Begin(OperatorInfo.Name(opcode)).Append(' ').Append(index);
            _p.EndLine();
        }

        private readonly void WithText(Opcode opcode, string text)
        {
            _p.Begin(OperatorInfo.Name(opcode)).Append(' ').Append(text);
            _p.EndLine();
        }

        private void OpenBlock(Opcode opcode, BlockType type)
        {
            StringBuilder line = _p.Begin(OperatorInfo.Name(opcode));
            AppendBlockType(line, type);
            _p.EndLine();
            _openBlocks++;
            if (_p.Depth >= 0)
            {
                _p.Depth++;
            }
        }

        /// <summary>A block type; an index naming a type with no parameters and at most one result is printed in the short form.</summary>
        private readonly void AppendBlockType(StringBuilder line, BlockType type)
        {
            if (type.IsEmpty)
            {
                return;
            }
            if (!type.IsTypeIndex)
            {
                line.Append(" (result ").Append(type.ValueType.ToWatName()).Append(')');
                return;
            }
            List<FuncType> types = _p.Module.Types;
            if (type.TypeIndex < types.Count && types[type.TypeIndex].Params.Length == 0 && types[type.TypeIndex].Results.Length <= 1)
            {
                FuncType shortForm = types[type.TypeIndex];
                if (shortForm.Results.Length == 1)
                {
                    line.Append(" (result ").Append(shortForm.Results[0].ToWatName()).Append(')');
                }
                return;
            }
            line.Append(" (type ").Append(type.TypeIndex).Append(')');
        }

        private readonly void AppendMemArg(StringBuilder line, Opcode opcode, MemArg memArg)
        {
            if (memArg.MemoryIndex != 0)
            {
                line.Append(' ').Append(memArg.MemoryIndex);
            }
            if (memArg.Offset != 0)
            {
                line.Append(" offset=").Append(memArg.Offset);
            }
            if (memArg.AlignLog2 != (uint)OperatorInfo.NaturalAlignmentLog2(opcode))
            {
                // Text gives the alignment in bytes as a u32, so an exponent of 32 or more (always invalid) cannot parse back.
                line.Append(" align=").Append(memArg.AlignLog2 < 64 ? (1UL << (int)memArg.AlignLog2).ToString(CultureInfo.InvariantCulture) : $"2^{memArg.AlignLog2}");
            }
        }

        public void VisitUnreachable() => Simple(Opcode.Unreachable);

        public void VisitNop() => Simple(Opcode.Nop);

        public void VisitBlock(BlockType blockType) => OpenBlock(Opcode.Block, blockType);

        public void VisitLoop(BlockType blockType) => OpenBlock(Opcode.Loop, blockType);

        public void VisitIf(BlockType blockType) => OpenBlock(Opcode.If, blockType);

        public void VisitTryTable(BlockType blockType, TryTableCatch[] catches)
        {
            StringBuilder line = _p.Begin("try_table");
            AppendBlockType(line, blockType);
            foreach (TryTableCatch clause in catches)
            {
                line.Append(clause.Kind switch
                {
                    CatchKind.Catch => " (catch ",
                    CatchKind.CatchRef => " (catch_ref ",
                    CatchKind.CatchAll => " (catch_all ",
                    _ => " (catch_all_ref ",
                });
                if (clause.HasTag)
                {
                    line.Append(clause.Tag).Append(' ');
                }
                line.Append(clause.Label).Append(')');
            }
            _p.EndLine();
            _openBlocks++;
            if (_p.Depth >= 0)
            {
                _p.Depth++;
            }
        }

        public void VisitThrow(uint tagIndex) => WithIndex(Opcode.Throw, tagIndex);

        public void VisitThrowRef() => Simple(Opcode.ThrowRef);

        public void VisitTry(BlockType blockType) => OpenBlock(Opcode.Try, blockType);

        public void VisitCatch(uint tagIndex)
        {
            _p.Begin("catch", depthChange: -1).Append(' ').Append(tagIndex);
            _p.EndLine();
        }

        public void VisitCatchAll()
        {
            _p.Begin("catch_all", depthChange: -1);
            _p.EndLine();
        }

        /// <summary><c>delegate</c> closes its try as <c>end</c> does.</summary>
        public void VisitDelegate(uint relativeDepth)
        {
            if (_openBlocks > 0)
            {
                _openBlocks--;
                if (_p.Depth >= 0)
                {
                    _p.Depth--;
                }
            }
            WithIndex(Opcode.Delegate, relativeDepth);
        }

        public void VisitRethrow(uint relativeDepth) => WithIndex(Opcode.Rethrow, relativeDepth);

        public void VisitElse()
        {
            _p.Begin("else", depthChange: -1);
            _p.EndLine();
        }

        public void VisitEnd()
        {
            if (_openBlocks == 0)
            {
                return;
            }
            _openBlocks--;
            if (_p.Depth >= 0)
            {
                _p.Depth--;
            }
            Simple(Opcode.End);
        }

        public void VisitBr(uint relativeDepth) => WithIndex(Opcode.Br, relativeDepth);

        public void VisitBrIf(uint relativeDepth) => WithIndex(Opcode.BrIf, relativeDepth);

        public void VisitBrTable(BrTable table)
        {
            StringBuilder line = _p.Begin("br_table");
            foreach (uint target in table)
            {
                line.Append(' ').Append(target);
            }
            line.Append(' ').Append(table.Default);
            _p.EndLine();
        }

        public void VisitReturn() => Simple(Opcode.Return);

        public void VisitCall(uint functionIndex) => WithIndex(Opcode.Call, functionIndex);

        public void VisitCallIndirect(uint typeIndex, uint tableIndex) => CallIndirect("call_indirect", typeIndex, tableIndex);

        public void VisitReturnCall(uint functionIndex) => WithIndex(Opcode.ReturnCall, functionIndex);

        public void VisitReturnCallIndirect(uint typeIndex, uint tableIndex) => CallIndirect("return_call_indirect", typeIndex, tableIndex);

        private void CallIndirect(string name, uint typeIndex, uint tableIndex)
        {
            StringBuilder line = _p.Begin(name);
            if (tableIndex != 0)
            {
                line.Append(' ').Append(tableIndex);
            }
            line.Append(" (type ").Append(typeIndex).Append(')');
            _p.EndLine();
        }

        public void VisitCallRef(uint typeIndex) => WithIndex(Opcode.CallRef, typeIndex);

        public void VisitReturnCallRef(uint typeIndex) => WithIndex(Opcode.ReturnCallRef, typeIndex);

        public void VisitRefAsNonNull() => Simple(Opcode.RefAsNonNull);

        public void VisitBrOnNull(uint relativeDepth) => WithIndex(Opcode.BrOnNull, relativeDepth);

        public void VisitBrOnNonNull(uint relativeDepth) => WithIndex(Opcode.BrOnNonNull, relativeDepth);

        public void VisitDrop() => Simple(Opcode.Drop);

        public void VisitSelect() => Simple(Opcode.Select);

        /// <summary>Re-reads the type vector from the code: the visitor is only given the first type.</summary>
        public void VisitSelectTyped(ValType type, uint typeCount)
        {
            StringBuilder line = _p.Begin("select (result");
            var reader = new WasmReader(_p.Module.Bytes, _p.OperatorStart + 1, _p.Module.Bytes.Length);
            uint count = reader.ReadVarU32();
            for (uint i = 0; i < count; i++)
            {
                line.Append(' ').Append(reader.ReadValType().ToWatName());
            }
            line.Append(')');
            _p.EndLine();
        }

        public void VisitLocalGet(uint localIndex) => WithIndex(Opcode.LocalGet, localIndex);

        public void VisitLocalSet(uint localIndex) => WithIndex(Opcode.LocalSet, localIndex);

        public void VisitLocalTee(uint localIndex) => WithIndex(Opcode.LocalTee, localIndex);

        public void VisitGlobalGet(uint globalIndex) => WithIndex(Opcode.GlobalGet, globalIndex);

        public void VisitGlobalSet(uint globalIndex) => WithIndex(Opcode.GlobalSet, globalIndex);

        public void VisitTableGet(uint tableIndex) => WithIndex(Opcode.TableGet, tableIndex);

        public void VisitTableSet(uint tableIndex) => WithIndex(Opcode.TableSet, tableIndex);

        public void VisitLoad(Opcode opcode, MemArg memArg)
        {
            AppendMemArg(_p.Begin(OperatorInfo.Name(opcode)), opcode, memArg);
            _p.EndLine();
        }

        public void VisitStore(Opcode opcode, MemArg memArg) => VisitLoad(opcode, memArg);

        public void VisitMemorySize(uint memoryIndex) => WithMemory(Opcode.MemorySize, memoryIndex);

        public void VisitMemoryGrow(uint memoryIndex) => WithMemory(Opcode.MemoryGrow, memoryIndex);

        public void VisitI32Const(int value) => WithText(Opcode.I32Const, value.ToString(CultureInfo.InvariantCulture));

        public void VisitI64Const(long value) => WithText(Opcode.I64Const, value.ToString(CultureInfo.InvariantCulture));

        public void VisitF32Const(uint bits) => WithText(Opcode.F32Const, FormatF32(bits));

        public void VisitF64Const(ulong bits) => WithText(Opcode.F64Const, FormatF64(bits));

        public void VisitPlain(Opcode opcode) => Simple(opcode);

        public void VisitRefNull(ValType type) => WithText(Opcode.RefNull, type.HeapName());

        public void VisitRefIsNull() => Simple(Opcode.RefIsNull);

        public void VisitRefFunc(uint functionIndex) => WithIndex(Opcode.RefFunc, functionIndex);

        public void VisitMemoryInit(uint dataIndex, uint memoryIndex) => WithText(Opcode.MemoryInit, memoryIndex == 0 ? $"{dataIndex}" : $"{memoryIndex} {dataIndex}");

        public void VisitDataDrop(uint dataIndex) => WithIndex(Opcode.DataDrop, dataIndex);

        public void VisitMemoryCopy(uint destinationMemory, uint sourceMemory)
        {
            if (destinationMemory == 0 && sourceMemory == 0)
            {
                Simple(Opcode.MemoryCopy);
            }
            else
            {
                WithText(Opcode.MemoryCopy, $"{destinationMemory} {sourceMemory}");
            }
        }

        public void VisitMemoryFill(uint memoryIndex) => WithMemory(Opcode.MemoryFill, memoryIndex);

        public void VisitTableInit(uint elemIndex, uint tableIndex) => WithText(Opcode.TableInit, $"{tableIndex} {elemIndex}");

        public void VisitElemDrop(uint elemIndex) => WithIndex(Opcode.ElemDrop, elemIndex);

        public void VisitTableCopy(uint destinationTable, uint sourceTable) => WithText(Opcode.TableCopy, $"{destinationTable} {sourceTable}");

        public void VisitTableGrow(uint tableIndex) => WithIndex(Opcode.TableGrow, tableIndex);

        public void VisitTableSize(uint tableIndex) => WithIndex(Opcode.TableSize, tableIndex);

        public void VisitTableFill(uint tableIndex) => WithIndex(Opcode.TableFill, tableIndex);

        public void VisitV128Const(Vector128<byte> value)
        {
            Span<byte> bytes = stackalloc byte[16];
            value.CopyTo(bytes);
            var lanes = new StringBuilder("i32x4");
            for (int i = 0; i < 4; i++)
            {
                lanes.Append(" 0x").Append(BinaryPrimitives.ReadUInt32LittleEndian(bytes[(i * 4)..]).ToString("x8", CultureInfo.InvariantCulture));
            }
            WithText(Opcode.V128Const, lanes.ToString());
        }

        public void VisitI8x16Shuffle(Vector128<byte> lanes)
        {
            StringBuilder line = _p.Begin(OperatorInfo.Name(Opcode.I8x16Shuffle));
            for (int i = 0; i < 16; i++)
            {
                line.Append(' ').Append(lanes[i]);
            }
            _p.EndLine();
        }

        public void VisitExtractLane(Opcode opcode, byte lane) => WithIndex(opcode, lane);

        public void VisitReplaceLane(Opcode opcode, byte lane) => WithIndex(opcode, lane);

        public void VisitLoadLane(Opcode opcode, MemArg memArg, byte lane)
        {
            StringBuilder line = _p.Begin(OperatorInfo.Name(opcode));
            AppendMemArg(line, opcode, memArg);
            line.Append(' ').Append(lane);
            _p.EndLine();
        }

        public void VisitStoreLane(Opcode opcode, MemArg memArg, byte lane) => VisitLoadLane(opcode, memArg, lane);
    }
}
