using System.Diagnostics;
using Engine.Core;
using Engine.Interpreter;
using Engine.Runtime.Caching;
using Engine.Runtime.Diagnostics;

namespace Engine.Runtime;

/// <summary>The type of an import or export.</summary>
public abstract record ExternType
{
    /// <summary>Which kind of definition this is.</summary>
    public abstract ExternKind Kind { get; }
}

/// <summary>A function's type.</summary>
/// <param name="Type">Parameters and results.</param>
public sealed record FunctionExternType(FuncType Type) : ExternType
{
    /// <inheritdoc/>
    public override ExternKind Kind => ExternKind.Func;

    /// <inheritdoc/>
    public override string ToString() => $"func {Type}";
}

/// <summary>A table's type.</summary>
/// <param name="Type">Element type and limits.</param>
public sealed record TableExternType(TableType Type) : ExternType
{
    /// <inheritdoc/>
    public override ExternKind Kind => ExternKind.Table;

    /// <inheritdoc/>
    public override string ToString() => $"table {Type.Limits} {Type.ElementType.ToWatName()}";
}

/// <summary>A memory's type.</summary>
/// <param name="Type">Limits in pages.</param>
public sealed record MemoryExternType(MemoryType Type) : ExternType
{
    /// <inheritdoc/>
    public override ExternKind Kind => ExternKind.Memory;

    /// <inheritdoc/>
    public override string ToString() => $"memory {Type.Limits}";
}

/// <summary>A global's type.</summary>
/// <param name="Type">Value type and mutability.</param>
public sealed record GlobalExternType(GlobalType Type) : ExternType
{
    /// <inheritdoc/>
    public override ExternKind Kind => ExternKind.Global;

    /// <inheritdoc/>
    public override string ToString() => $"global {Type}";
}

/// <summary>What the tiers did with a module's code.</summary>
/// <param name="DefinedFunctions">Functions the module defines.</param>
/// <param name="TranslatedFunctions">Functions the interpreter translated (on first call).</param>
/// <param name="TranslatedBytes">Bytes of wasm function bodies translated.</param>
/// <param name="TranslationTime">Time spent translating.</param>
public sealed record ModuleStatistics(int DefinedFunctions, int TranslatedFunctions, long TranslatedBytes, TimeSpan TranslationTime);

/// <summary>
/// Where a module's compiled code came from, and where it went: a precompiled module (<c>.cwasm</c>) or the code cache
/// (<see cref="EngineConfig.CacheDirectory"/>).
/// </summary>
/// <param name="Source">"precompiled" (a <c>.cwasm</c> file) or "cache".</param>
/// <param name="Path">The cache entry (null for a precompiled module given as bytes).</param>
/// <param name="FunctionsLoaded">Functions placed at load from the file: cache hits.</param>
/// <param name="LoadTime">Time spent reading, checking and placing them.</param>
/// <param name="NotUsed">Why the file's code was not used (missing, damaged, other settings): the module compiles as usual instead.</param>
/// <param name="FunctionsWritten">Functions written to the cache entry by <see cref="Module.WriteCache"/> (0 when nothing was new).</param>
/// <param name="BytesWritten">The size of the entry written.</param>
/// <param name="WriteError">Why the entry could not be written, or null.</param>
public sealed record CodeCacheReport(string Source, string? Path, int FunctionsLoaded, TimeSpan LoadTime, string? NotUsed,
    int FunctionsWritten = 0, long BytesWritten = 0, string? WriteError = null)
{
    /// <inheritdoc/>
    public override string ToString()
    {
        string from = Source == "cache" ? "the cache" : "the precompiled module";
        string loaded = NotUsed is null
            ? $"{FunctionsLoaded} functions loaded compiled from {from} in {LoadTime.TotalMilliseconds:F1} ms"
            : $"compiled code not used: {NotUsed}";
        string written = Source != "cache" ? ""
            : WriteError is not null ? $"; nothing written: {WriteError}"
            : FunctionsWritten > 0 ? $"; wrote {FunctionsWritten} functions ({BytesWritten / 1024.0:F0} KiB)"
            : "; nothing new to write";
        return loaded + written + (Path is null ? "" : $" ({Path})");
    }
}

/// <summary>An import of a module: where it comes from and what it must be.</summary>
/// <param name="Module">The module name.</param>
/// <param name="Name">The field name.</param>
/// <param name="Type">The required type.</param>
public sealed record ImportType(string Module, string Name, ExternType Type);

/// <summary>An export of a module.</summary>
/// <param name="Name">The export name.</param>
/// <param name="Type">Its type.</param>
public sealed record ExportType(string Name, ExternType Type);

/// <summary>
/// A decoded and validated module: immutable, shareable across stores and threads. Its functions'
/// interpreter code is translated on first use and shared by every instance.
/// </summary>
public sealed class Module
{
    private readonly object _cacheLock = new();
    private CodeCacheReport? _cacheReport;
    private string? _cacheKey;
    private CodeSettings? _cacheSettings;
    private int _cachedFunctions;

    private Module(WasmEngine engine, ModuleInfo info, string? name, CodeFileContents? precompiled = null)
    {
        Engine = engine;
        Info = info;
        CanonicalTypeIds = engine.Types.Canonicalize(info);
        Name = name ?? info.Names?.ModuleName;
        bool tiered = engine.Config.Tier == TierMode.Tiered && engine.NativeCodeEnabled;
        Translation = new ModuleTranslation(info, new TranslationOptions(engine.Config.EpochInterruption, engine.Config.ConsumeFuel,
            tiered ? engine.Config.TierUpCallThreshold : 0, tiered ? engine.Config.TierUpLoopThreshold : 0))
        {
            Observer = (index, wasmBytes, codeBytes, duration) => EngineEvents.FunctionTranslated(this, index, wasmBytes, codeBytes, duration),
        };
        if (engine.NativeCodeEnabled)
        {
            // The code for the memories the engine's stores normally get; code for the other kind comes when an
            // instance with such a memory does (CodeFor).
            Code = CreateCode(engine.MemoryPolicy.GuardPages ? BoundsCheckStrategy.GuardPages : BoundsCheckStrategy.Explicit);
            if (engine.Config.Tier == TierMode.Tiered)
            {
                _tierUp = new Native.TierManager(this, engine.Config);
                Translation.TierUp = Code.TierUp = _tierUp;
            }
            if (precompiled is not null)
            {
                LoadPrecompiled(precompiled);
            }
            else if (engine.Cache is not null)
            {
                LoadFromCache(engine.Cache);
            }
            Code.CompileEager();
        }
        else if (precompiled is not null)
        {
            _cacheReport = new CodeCacheReport("precompiled", null, 0, TimeSpan.Zero,
                engine.Config.Tier == TierMode.Interpreter ? "the interpreter runs it (TierMode.Interpreter)" : "this machine runs no compiled code");
        }
        Imports = info.Imports.Select(i => new ImportType(i.Module, i.Name, ImportTypeOf(info, i))).ToArray();
        Exports = info.Exports.Select(e => new ExportType(e.Name, ExportTypeOf(info, e))).ToArray();
    }

    /// <summary>The engine the module was compiled for.</summary>
    public WasmEngine Engine { get; }

    /// <summary>The engine-wide canonical id of each type index (iso-recursive identity: <see cref="TypeRegistry"/>).</summary>
    internal int[] CanonicalTypeIds { get; }

    /// <summary>The module's name (from the name section, or given), or null.</summary>
    public string? Name { get; }

    /// <summary>The imports, in order.</summary>
    public IReadOnlyList<ImportType> Imports { get; }

    /// <summary>The exports, in order.</summary>
    public IReadOnlyList<ExportType> Exports { get; }

    internal ModuleInfo Info { get; }

    /// <summary>What the tiers did with this module's code so far.</summary>
    public ModuleStatistics Statistics => new(
        Info.Bodies.Count, Translation.TranslatedFunctions, Translation.TranslatedBytes, Translation.TranslationTime);

    internal ModuleTranslation Translation { get; }

    /// <summary>
    /// The module's compiled code for the memories the engine's stores normally get (guard pages, or explicit checks by
    /// setting; null when the engine runs no machine code).
    /// </summary>
    internal Native.ModuleCode? Code { get; }

    // The compiled code of each bounds-check strategy made so far (Code, and the other one once an instance needed it).
    private Native.ModuleCode?[] _codes = new Native.ModuleCode?[2];
    private readonly object _codesLock = new();

    /// <summary>Every compiled code of the module so far (one per bounds-check strategy instances have needed).</summary>
    internal IEnumerable<Native.ModuleCode> CodeVariants => Volatile.Read(ref _codes).OfType<Native.ModuleCode>();

    // Tiered mode's tier-up of this module, shared by every code variant (null in the other modes).
    private Native.TierManager? _tierUp;

    private Native.ModuleCode CreateCode(BoundsCheckStrategy boundsChecks)
    {
        var code = new Native.ModuleCode(this, Engine.Config, Engine.CpuFeatures, Engine.TierStatistics, boundsChecks) { TierUp = _tierUp };
        Native.ModuleCode?[] codes = [.. _codes];
        codes[(int)boundsChecks] = code;
        Volatile.Write(ref _codes, codes);
        return code;
    }

    /// <summary>
    /// The compiled code an instance whose memory 0 is <paramref name="memory"/> (null: none) runs: code compiled for guard
    /// pages only with a guard-page memory whose guard region is at least the one the code assumes, code with explicit
    /// checks with any other memory. Made (and, for tiers compiled at load, compiled) on first need. Null when the engine
    /// runs no machine code.
    /// </summary>
    internal Native.ModuleCode? CodeFor(Vm.LinearMemory? memory)
    {
        if (Code is null)
        {
            return null;
        }
        bool guardPages = memory is null
            ? Code.BoundsChecks == BoundsCheckStrategy.GuardPages
            : memory.BoundsChecks == BoundsCheckStrategy.GuardPages && Engine.MemoryPolicy.GuardPages
              && memory.GuardSize >= Engine.Config.MemoryGuardSize;
        BoundsCheckStrategy wanted = guardPages ? BoundsCheckStrategy.GuardPages : BoundsCheckStrategy.Explicit;
        if (Volatile.Read(ref _codes)[(int)wanted] is { } existing)
        {
            return existing;
        }
        Native.ModuleCode created;
        lock (_codesLock)
        {
            if (_codes[(int)wanted] is { } raced)
            {
                return raced;
            }
            created = CreateCode(wanted);
        }
        created.CompileEager();
        return created;
    }

    /// <summary>The functions that stay in the interpreter because the machine-code tier cannot compile them, with the reason.</summary>
    public IReadOnlyList<(uint Function, CompileFailure Failure)> TierFallbacks => Code?.Fallbacks ?? [];

    /// <summary>The number of functions compiled to machine code so far.</summary>
    public int CompiledFunctionCount => Code?.CompiledCount ?? 0;

    /// <summary>The number of functions whose code is the optimizing tier's (compiled at load or promoted there).</summary>
    public int OptimizedFunctionCount => Code?.OptimizedCount ?? 0;

    /// <summary>
    /// Where the module's compiled code came from (a precompiled module, the code cache) and what <see cref="WriteCache"/>
    /// wrote; null when neither was involved.
    /// </summary>
    public CodeCacheReport? CodeCache
    {
        get
        {
            lock (_cacheLock)
            {
                return _cacheReport;
            }
        }
    }

    /// <summary>
    /// A precompiled module: this module (validated again when loaded) and every function compiled so far, with the
    /// settings the code assumed (engine build, processor features, compilers and code settings), for
    /// <see cref="Deserialize"/>. Compile everything first with <see cref="TierMode.Baseline"/> or <see cref="TierMode.Optimizing"/> (what
    /// <c>wasm-engine compile</c> does); in tiered mode only the functions that got hot are in it.
    /// </summary>
    public byte[] Serialize()
    {
        if (Code is null)
        {
            throw new InvalidOperationException("this engine runs no compiled code (TierMode.Interpreter, or a machine without the compilers' support): there is nothing to serialize");
        }
        return CodeFile.Write(new CodeFileContents(CodeFileKind.PrecompiledModule, CodeSettings.ForPrecompiled(Engine, Code.Options),
            CodeFile.Hash(Info.Bytes), Info.Bytes, Code.Compiled()));
    }

    /// <summary>
    /// Loads a precompiled module made by <see cref="Serialize"/> (<c>wasm-engine compile</c>): the original module is
    /// decoded and validated as usual, and its compiled functions are placed without compiling them. A file that is
    /// not one, is damaged (its checksum does not match: truncated or changed) or was made by another engine build
    /// throws <see cref="CodeFileException"/>, and nothing of it runs. Code compiled under other settings (processor
    /// features this machine lacks, fuel or epoch checks, other compilers) is not used: the module compiles as usual,
    /// and <see cref="CodeCache"/> says why. Precompiled code is trusted like the engine's own binaries: load only files
    /// you made.
    /// </summary>
    public static Module Deserialize(WasmEngine engine, byte[] bytes, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(bytes);
        CodeFileContents contents = CodeFile.Read(bytes, wasm => ModuleLoader.DecodeAndValidate(wasm, engine.Config.Features), expectedBuild: CodeSettings.CurrentBuild);
        if (contents.Kind != CodeFileKind.PrecompiledModule)
        {
            throw new CodeFileException("a code-cache entry, not a precompiled module (make one with 'wasm-engine compile')");
        }
        return new Module(engine, contents.Decoded!, name, contents);
    }

    /// <summary>
    /// Writes the functions compiled so far to the module's code-cache entry (<see cref="EngineConfig.CacheDirectory"/>),
    /// when some are new since it was read or last written; the engine does it for every module when the process exits.
    /// Returns true when it wrote. A failure to write is reported in <see cref="CodeCache"/>, never thrown.
    /// </summary>
    public bool WriteCache()
    {
        if (Engine.Cache is not { } cache || Code is null || _cacheKey is null)
        {
            return false;
        }
        lock (_cacheLock)
        {
            IReadOnlyList<StoredFunction> functions = Code.Compiled();
            if (functions.Count <= _cachedFunctions)
            {
                return false;
            }
            try
            {
                long bytes = cache.Write(_cacheKey, new CodeFileContents(CodeFileKind.CacheEntry, _cacheSettings!, CodeFile.Hash(Info.Bytes), null, functions));
                _cachedFunctions = functions.Count;
                _cacheReport = _cacheReport! with { FunctionsWritten = functions.Count, BytesWritten = bytes, WriteError = null };
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _cacheReport = _cacheReport! with { WriteError = e.Message };
                return false;
            }
        }
    }

    /// <summary>Places a precompiled module's functions, if they were compiled under this engine's settings.</summary>
    private void LoadPrecompiled(CodeFileContents contents)
    {
        long start = Stopwatch.GetTimestamp();
        string? mismatch = contents.Settings.Mismatch(CodeSettings.ForPrecompiled(Engine, Code!.Options));
        int loaded = mismatch is null ? Code.Preload(contents.Functions, "precompiled") : 0;
        _cacheReport = new CodeCacheReport("precompiled", null, loaded, Stopwatch.GetElapsedTime(start), mismatch);
    }

    /// <summary>Places the functions of the module's code-cache entry, if there is a good one, and signs up for writing it at exit.</summary>
    private void LoadFromCache(CodeCache cache)
    {
        long start = Stopwatch.GetTimestamp();
        byte[] hash = CodeFile.Hash(Info.Bytes);
        _cacheSettings = CodeSettings.ForCache(Engine, Code!.Options);
        _cacheKey = _cacheSettings.Key(hash);
        string path = cache.PathOf(_cacheKey);
        string? notUsed = null;
        int loaded = 0;
        try
        {
            if (cache.TryRead(_cacheKey, _cacheSettings, hash, Info) is { } contents)
            {
                loaded = Code.Preload(contents.Functions, "cache");
                _cachedFunctions = contents.Functions.Count;
            }
            else
            {
                notUsed = "no entry yet";
            }
        }
        catch (CodeFileException e)
        {
            notUsed = $"the entry is ignored ({e.Reason})";
        }
        _cacheReport = new CodeCacheReport("cache", path, loaded, Stopwatch.GetElapsedTime(start), notUsed);
        Caching.CodeCache.WriteAtExit(this);
    }

    /// <summary>
    /// Decodes and validates a binary module. Throws <see cref="MalformedModuleException"/> or
    /// <see cref="InvalidModuleException"/> (each with the byte offset) when it is not a valid module.
    /// </summary>
    /// <remarks>A precompiled module (<see cref="Serialize"/>, starting with <c>\0cwasm</c>) is loaded as by <see cref="Deserialize"/>.</remarks>
    public static Module FromBytes(WasmEngine engine, byte[] bytes, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(bytes);
        return IsPrecompiled(bytes) ? Deserialize(engine, bytes, name) : new Module(engine, ModuleLoader.DecodeAndValidate(bytes, engine.Config.Features), name);
    }

    /// <summary>True when <paramref name="bytes"/> start like a precompiled module (<see cref="Serialize"/>).</summary>
    public static bool IsPrecompiled(ReadOnlySpan<byte> bytes) => CodeFile.IsCodeFile(bytes);

    /// <summary>
    /// Parses a module in the text format (<c>.wat</c>) and loads it. Throws
    /// <see cref="global::Engine.Text.TextFormatException"/> (with line and column) for bad text, and
    /// <see cref="InvalidModuleException"/> with the line and column of the instruction at fault (its
    /// <see cref="InvalidModuleException.Line"/>) for text that parses but does not validate.
    /// </summary>
    public static Module FromText(WasmEngine engine, string text, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] binary = global::Engine.Text.WatParser.ParseModule(text, name, emitNames: true, out global::Engine.Text.TextSourceMap sourceMap);
        try
        {
            return FromBytes(engine, binary, name);
        }
        catch (InvalidModuleException e) when (!ReferenceEquals(sourceMap.Locate(e), e))
        {
            // Reported at the line and column of the instruction, not at an offset of a binary the caller never saw.
            throw sourceMap.Locate(e);
        }
    }

    /// <summary>
    /// Reads and loads a module from a file: binary when it starts with the binary magic, precompiled when it starts
    /// with a precompiled module's (<see cref="Deserialize"/>), text when it looks like text (<see cref="IsText"/>); anything else is a <see cref="MalformedModuleException"/> saying it is not a
    /// WebAssembly module.
    /// </summary>
    public static Module FromFile(WasmEngine engine, string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        string name = Path.GetFileNameWithoutExtension(path);
        if (IsBinary(bytes) || IsPrecompiled(bytes))
        {
            return FromBytes(engine, bytes, name);
        }
        return IsText(bytes)
            ? FromText(engine, System.Text.Encoding.UTF8.GetString(bytes), Path.GetFileName(path))
            : throw new MalformedModuleException(NotAModuleReason(bytes), 0);
    }

    /// <summary>True when <paramref name="bytes"/> start with the binary format's magic <c>\0asm</c> (<see cref="ModuleDecoder.StartsWithMagic"/>).</summary>
    public static bool IsBinary(ReadOnlySpan<byte> bytes) => ModuleDecoder.StartsWithMagic(bytes);

    /// <summary>
    /// True when <paramref name="bytes"/> look like a module in the text format: after an optional UTF-8 byte-order
    /// mark, whitespace and <c>;;</c> line comments, a <c>(</c> (which also opens a block comment). An empty file,
    /// other text or random bytes are not taken for text, so they are reported as "not a WebAssembly module"
    /// rather than as a syntax error of a <c>.wat</c> file they never were.
    /// </summary>
    public static bool IsText(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }
        int i = 0;
        while (i < bytes.Length)
        {
            switch (bytes[i])
            {
                case (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r':
                    i++;
                    break;
                case (byte)';' when i + 1 < bytes.Length && bytes[i + 1] == ';':
                    int end = bytes[i..].IndexOf((byte)'\n');
                    i = end < 0 ? bytes.Length : i + end + 1;
                    break;
                default:
                    return bytes[i] == '(';
            }
        }
        return false;
    }

    /// <summary>Why bytes that are neither binary nor text (see <see cref="IsText"/>) are not a module.</summary>
    public static string NotAModuleReason(ReadOnlySpan<byte> bytes) => bytes.IsEmpty
        ? "not a WebAssembly module: the file is empty"
        : "not a WebAssembly module: it starts with neither the binary format's magic number (\\0asm) nor a text module's '('";

    /// <summary>Reads and loads a binary module from a stream.</summary>
    public static Module FromStream(WasmEngine engine, Stream stream, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return FromBytes(engine, buffer.ToArray(), name);
    }

    internal static ExternType ImportTypeOf(ModuleInfo info, Import import) => import.Kind switch
    {
        ExternKind.Func => new FunctionExternType(info.Types[(int)import.FuncTypeIndex]),
        ExternKind.Table => new TableExternType(import.Table),
        ExternKind.Memory => new MemoryExternType(import.Memory),
        ExternKind.Tag => new TagExternType(info.Types[(int)import.FuncTypeIndex]),
        _ => new GlobalExternType(import.Global),
    };

    internal static ExternType ExportTypeOf(ModuleInfo info, Export export) => export.Kind switch
    {
        ExternKind.Func => new FunctionExternType(info.FunctionType(export.Index)),
        ExternKind.Table => new TableExternType(info.Tables[(int)export.Index]),
        ExternKind.Memory => new MemoryExternType(info.Memories[(int)export.Index]),
        ExternKind.Tag => new TagExternType(info.TagType(export.Index)),
        _ => new GlobalExternType(info.Globals[(int)export.Index]),
    };
}
