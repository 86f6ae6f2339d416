namespace Engine.Core;

/// <summary>An import of a module.</summary>
public sealed class Import
{
    /// <summary>The module name to import from.</summary>
    public required string Module { get; init; }
    /// <summary>The field name.</summary>
    public required string Name { get; init; }
    /// <summary>What is imported.</summary>
    public required ExternKind Kind { get; init; }
    /// <summary>For a function or a tag: its type index.</summary>
    public uint FuncTypeIndex { get; init; }
    /// <summary>For a table: its type.</summary>
    public TableType Table { get; init; }
    /// <summary>For a memory: its type.</summary>
    public MemoryType Memory { get; init; }
    /// <summary>For a global: its type.</summary>
    public GlobalType Global { get; init; }
    /// <summary>Byte offset of the import entry.</summary>
    public int Offset { get; init; }
}

/// <summary>An export of a module.</summary>
/// <param name="Name">The export name (unique in the module).</param>
/// <param name="Kind">What is exported.</param>
/// <param name="Index">The index in the kind's index space (imports first).</param>
public sealed record Export(string Name, ExternKind Kind, uint Index)
{
    /// <summary>Byte offset of the export entry.</summary>
    public int Offset { get; init; }
}

/// <summary>
/// A constant expression (global initialiser, segment offset, element item): the byte range of its
/// operators in the module, ending with (and including) <c>end</c>. Evaluated by the runtime through
/// the same operator reader; validated by the validator.
/// </summary>
/// <param name="Start">Offset of the first operator.</param>
/// <param name="End">Offset one past the final <c>end</c>.</param>
public readonly record struct ConstExpr(int Start, int End);

/// <summary>How a segment is used.</summary>
public enum SegmentMode : byte
{
    /// <summary>Copied into a table or memory at instantiation.</summary>
    Active,
    /// <summary>Used by <c>table.init</c> / <c>memory.init</c>.</summary>
    Passive,
    /// <summary>Only declares function references (element segments).</summary>
    Declarative,
}

/// <summary>An element segment.</summary>
public sealed class ElementSegment
{
    /// <summary>Active, passive or declarative.</summary>
    public required SegmentMode Mode { get; init; }
    /// <summary>The table of an active segment.</summary>
    public uint TableIndex { get; init; }
    /// <summary>The offset of an active segment.</summary>
    public ConstExpr Offset { get; init; }
    /// <summary>The reference type of the items.</summary>
    public required ValType ElementType { get; init; }
    /// <summary>The items as function indices (the funcidx-vector encodings), or null.</summary>
    public uint[]? FunctionIndices { get; init; }
    /// <summary>The items as constant expressions (the expression encodings), or null.</summary>
    public ConstExpr[]? Expressions { get; init; }
    /// <summary>The number of items.</summary>
    public int Count => FunctionIndices?.Length ?? Expressions!.Length;
    /// <summary>Byte offset of the segment.</summary>
    public int Offset0 { get; init; }
}

/// <summary>A data segment.</summary>
public sealed class DataSegment
{
    /// <summary>Active or passive.</summary>
    public required SegmentMode Mode { get; init; }
    /// <summary>The memory of an active segment.</summary>
    public uint MemoryIndex { get; init; }
    /// <summary>The offset of an active segment.</summary>
    public ConstExpr Offset { get; init; }
    /// <summary>Offset of the data bytes in the module.</summary>
    public int DataStart { get; init; }
    /// <summary>Length of the data bytes.</summary>
    public int DataLength { get; init; }
    /// <summary>Byte offset of the segment.</summary>
    public int Offset0 { get; init; }
}

/// <summary>The body of a defined function.</summary>
public sealed class FunctionBody
{
    /// <summary>Offset of the body's first byte (its local declarations), after the size.</summary>
    public int Start { get; init; }
    /// <summary>Offset of the first operator.</summary>
    public int CodeStart { get; init; }
    /// <summary>Offset one past the body's last byte.</summary>
    public int End { get; init; }
    /// <summary>The declared locals (not the parameters), expanded.</summary>
    public required ValType[] Locals { get; init; }

    /// <summary>
    /// True when the function holds a v128 value anywhere: a parameter, a local, or an operand of one of its
    /// instructions. Set by validation (<see cref="ModuleValidator.Validate"/>), which sees every operand's type,
    /// so a compiler that lays out frames differently for v128 values asks here instead of scanning the body.
    /// </summary>
    public bool UsesV128 { get; internal set; }
}

/// <summary>A custom section.</summary>
/// <param name="Name">The section name.</param>
/// <param name="Start">Offset of the content after the name.</param>
/// <param name="Length">Length of that content.</param>
public sealed record CustomSection(string Name, int Start, int Length);

/// <summary>The decoded <c>name</c> section.</summary>
public sealed class NameSection
{
    /// <summary>The module name, if given.</summary>
    public string? ModuleName { get; set; }
    /// <summary>Function names by function index.</summary>
    public Dictionary<uint, string> FunctionNames { get; } = new();
    /// <summary>Local names by function index, then local index.</summary>
    public Dictionary<uint, Dictionary<uint, string>> LocalNames { get; } = new();
}

/// <summary>
/// A decoded module: everything the binary says, in the spec's index spaces (imports first in each).
/// Function bodies and constant expressions stay as byte ranges into <see cref="Bytes"/>, read again
/// by each consumer through <see cref="WasmReader"/>.
/// </summary>
public sealed class ModuleInfo
{
    /// <summary>Creates an empty module over its binary.</summary>
    public ModuleInfo(byte[] bytes)
    {
        Bytes = bytes;
    }

    /// <summary>The module's binary.</summary>
    public byte[] Bytes { get; }

    /// <summary>The 3.0 features the module may use (what it was decoded and is validated with).</summary>
    public WasmFeatures Features { get; init; } = WasmFeatures.Default;
    /// <summary>The type section (every type index, across recursive groups).</summary>
    public List<FuncType> Types { get; } = new();

    /// <summary>The recursive type groups, in order, covering <see cref="Types"/> (a type outside <c>rec</c> is a group of one).</summary>
    public List<RecGroup> RecGroups { get; } = new();

    /// <summary>
    /// For each type index, a number that is equal for two indices exactly when their types are the same type
    /// (iso-recursive equivalence, module-local; set by the validator). Null before validation.
    /// </summary>
    public int[]? TypeEquivalence { get; set; }

    /// <summary>True when the module uses 3.0 reference types beyond funcref and externref anywhere (set by the decoder and the validator).</summary>
    public bool UsesTypedReferences { get; set; }

    /// <summary>The functions whose bodies make tail calls (set by the validator; the inliner leaves them alone).</summary>
    public HashSet<uint> FunctionsWithTailCalls { get; } = new();

    /// <summary>
    /// The functions whose bodies use the legacy exception instructions (<c>try</c>, <c>catch</c>, <c>catch_all</c>,
    /// <c>delegate</c>, <c>rethrow</c>; set by the validator): the interpreter runs them, the compilers refuse them.
    /// </summary>
    public HashSet<uint> FunctionsWithLegacyExceptions { get; } = new();

    /// <summary>True when a body uses exception handling (<c>throw</c>, <c>throw_ref</c>, <c>try_table</c>; set by the validator).</summary>
    public bool UsesExceptions { get; set; }
    /// <summary>The imports, in order.</summary>
    public List<Import> Imports { get; } = new();
    /// <summary>Type index of every function (imported first, then defined).</summary>
    public List<uint> FunctionTypeIndices { get; } = new();
    /// <summary>Every table (imported first).</summary>
    public List<TableType> Tables { get; } = new();
    /// <summary>Every memory (imported first).</summary>
    public List<MemoryType> Memories { get; } = new();
    /// <summary>Every global's type (imported first).</summary>
    public List<GlobalType> Globals { get; } = new();
    /// <summary>Initialisers of the defined globals (index = global index - imported global count).</summary>
    public List<ConstExpr> GlobalInits { get; } = new();
    /// <summary>
    /// The initialisers of defined tables that have one (3.0: <c>0x40 0x00 tabletype expr</c>, needed by non-nullable
    /// tables), by table index; a table without one starts filled with null.
    /// </summary>
    public Dictionary<uint, ConstExpr> TableInits { get; } = new();
    /// <summary>The exports.</summary>
    public List<Export> Exports { get; } = new();
    /// <summary>
    /// Byte offsets of the entries that define functions (function section), tables and memories, in
    /// definition order (index - imported count), for error messages.
    /// </summary>
    public Dictionary<ExternKind, List<int>> DefinitionOffsets { get; } = new()
    {
        [ExternKind.Func] = new(),
        [ExternKind.Table] = new(),
        [ExternKind.Memory] = new(),
        [ExternKind.Global] = new(),
        [ExternKind.Tag] = new(),
    };

    /// <summary>The type index of every tag (3.0 exception handling), imports first: a function type with no results.</summary>
    public List<uint> TagTypeIndices { get; } = new();

    /// <summary>The number of imported tags (the first entries of <see cref="TagTypeIndices"/>).</summary>
    public int ImportedTagCount { get; set; }

    /// <summary>The type of tag <paramref name="tagIndex"/> (its parameters are the exception's values).</summary>
    public FuncType TagType(uint tagIndex) => Types[(int)TagTypeIndices[(int)tagIndex]];

    /// <summary>Byte offset of the start section's function index.</summary>
    public int StartOffset { get; set; }

    /// <summary>The start function, if any.</summary>
    public uint? StartFunction { get; set; }
    /// <summary>The element segments.</summary>
    public List<ElementSegment> Elements { get; } = new();
    /// <summary>The data segments.</summary>
    public List<DataSegment> Data { get; } = new();
    /// <summary>The data count section's value, if present.</summary>
    public uint? DataCount { get; set; }
    /// <summary>The bodies of the defined functions.</summary>
    public List<FunctionBody> Bodies { get; } = new();
    /// <summary>The custom sections, in order.</summary>
    public List<CustomSection> CustomSections { get; } = new();
    /// <summary>The decoded name section, or null.</summary>
    public NameSection? Names { get; set; }

    /// <summary>Number of imported functions.</summary>
    public int ImportedFunctionCount { get; set; }
    /// <summary>Number of imported tables.</summary>
    public int ImportedTableCount { get; set; }
    /// <summary>Number of imported memories.</summary>
    public int ImportedMemoryCount { get; set; }
    /// <summary>Number of imported globals.</summary>
    public int ImportedGlobalCount { get; set; }

    /// <summary>The type of function <paramref name="functionIndex"/>.</summary>
    public FuncType FunctionType(uint functionIndex) => Types[(int)FunctionTypeIndices[(int)functionIndex]];

    /// <summary>The body of function <paramref name="functionIndex"/>, which must be defined (not imported).</summary>
    public FunctionBody Body(uint functionIndex) => Bodies[(int)functionIndex - ImportedFunctionCount];

    /// <summary>The name of function <paramref name="functionIndex"/> from the name section, or null.</summary>
    public string? FunctionName(uint functionIndex) =>
        Names != null && Names.FunctionNames.TryGetValue(functionIndex, out string? name) ? name : null;

    /// <summary>
    /// Functions that may be referenced by <c>ref.func</c> in function bodies: those named in element
    /// segments, exports and global initialisers (computed by the validator).
    /// </summary>
    public HashSet<uint> DeclaredFunctionReferences { get; } = new();
}
