using System.Security.Cryptography;
using Engine.Core;

namespace Engine.Runtime.Caching;

/// <summary>What a code file holds: a whole precompiled module (<c>.cwasm</c>) or one module's entry in the code cache.</summary>
internal enum CodeFileKind : byte
{
    /// <summary>A precompiled module: the header, the original module, the compiled functions (<c>wasm-engine compile</c>).</summary>
    PrecompiledModule = 1,

    /// <summary>A cache entry: the header and the compiled functions; the module is the one being loaded (its hash is in the header).</summary>
    CacheEntry = 2,
}

/// <summary>A compiled function as stored: the artifact and the tier that compiled it.</summary>
internal sealed record StoredFunction(CompiledFunction Artifact, string Tier);

/// <summary>
/// The contents of a code file (see <see cref="CodeFile"/>): the settings the code assumed, the module's hash, the
/// original module (precompiled modules only) and the functions.
/// </summary>
/// <param name="Kind">A precompiled module or a cache entry.</param>
/// <param name="Settings">What the code assumed.</param>
/// <param name="ModuleHash">SHA-256 of the original module.</param>
/// <param name="Module">The original module (precompiled modules only).</param>
/// <param name="Functions">The compiled functions.</param>
/// <param name="Decoded">The module decoded and validated while reading a precompiled module (not stored).</param>
internal sealed record CodeFileContents(CodeFileKind Kind, CodeSettings Settings, byte[] ModuleHash, byte[]? Module,
    IReadOnlyList<StoredFunction> Functions, ModuleInfo? Decoded = null);

/// <summary>
/// The one binary format of compiled code on disk, for precompiled modules (<c>.cwasm</c>) and code-cache entries
/// alike. Compiled functions are position-independent and carry no relocations (tiers.md section 4), so their bytes
/// are stored as they are and placed anywhere:
/// <code>
///  magic          8 bytes  00 'c' 'w' 'a' 's' 'm' 0D 0A (a NUL first, like a wasm binary: never taken for text)
///  format         u32      <see cref="FormatVersion"/>
///  kind           u8       <see cref="CodeFileKind"/>
///  engine build   string   the engine's version and the identity of the assemblies that make code (CodeSettings)
///  features       u64      the processor features the compilers were allowed (<see cref="CpuFeatures"/>)
///  settings       string   the code-affecting settings: compilers and their settings, epoch checks, fuel, bounds checks, OSR entries
///  module hash    32 bytes SHA-256 of the original module's binary
///  module         u32 length + bytes (precompiled modules only)
///  functions      u32 count, then per function: tier (string) and the artifact (see WriteArtifact)
///  checksum       32 bytes SHA-256 of every byte before it
/// </code>
/// Strings are UTF-8 with a 7-bit-encoded length (<see cref="BinaryWriter"/>), numbers little-endian. A file is read
/// only whole: the checksum is checked before anything after the format word is believed, so a truncated, flipped or
/// half-written file is refused before any of its code is placed in executable memory. The checksum finds accidents,
/// not attacks: a precompiled module is trusted like the engine's own binaries (load only files you made).
/// </summary>
internal static class CodeFile
{
    /// <summary>The format's version: a file of another version is refused (compile it again).</summary>
    public const uint FormatVersion = 5;

    /// <summary>The first bytes of every code file.</summary>
    public static ReadOnlySpan<byte> Magic => "\0cwasm\r\n"u8;

    private const int ChecksumSize = 32;

    // Limits that keep a damaged file (with a matching checksum, say an entry written by a bug) from asking for absurd
    // allocations: far above anything real (the 4 MB large.wasm compiles to about 20 MB of code).
    private const int MaxCodeBytes = 64 << 20;
    private const int MaxEntries = 1 << 24;

    /// <summary>True when <paramref name="bytes"/> start with the code-file magic.</summary>
    public static bool IsCodeFile(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Magic);

    /// <summary>Writes a code file.</summary>
    public static byte[] Write(CodeFileContents contents)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write((byte)contents.Kind);
            writer.Write(contents.Settings.EngineBuild);
            writer.Write((ulong)contents.Settings.Features);
            writer.Write(contents.Settings.Options);
            writer.Write(contents.ModuleHash);
            if (contents.Kind == CodeFileKind.PrecompiledModule)
            {
                writer.Write(contents.Module!.Length);
                writer.Write(contents.Module);
            }
            writer.Write(contents.Functions.Count);
            foreach (StoredFunction function in contents.Functions)
            {
                writer.Write(function.Tier);
                WriteArtifact(writer, function.Artifact);
            }
        }
        byte[] body = stream.ToArray();
        byte[] file = new byte[body.Length + ChecksumSize];
        body.CopyTo(file, 0);
        SHA256.HashData(body, file.AsSpan(body.Length));
        return file;
    }

    /// <summary>
    /// Reads a code file, checking its magic, format version and checksum, then its structure (every artifact within
    /// its own bounds and naming a function <paramref name="module"/> defines, when given). Throws
    /// <see cref="CodeFileException"/> saying what is wrong; nothing of a refused file is used.
    /// </summary>
    /// <param name="file">The whole file.</param>
    /// <param name="moduleOf">Decodes and validates a precompiled module's original module (its functions are checked against it).</param>
    /// <param name="module">The module a cache entry belongs to (its functions are checked against it).</param>
    /// <param name="expectedBuild">When given, a file made by another engine build is refused before its module is decoded.</param>
    public static CodeFileContents Read(byte[] file, Func<byte[], ModuleInfo>? moduleOf = null, ModuleInfo? module = null, string? expectedBuild = null)
    {
        if (!IsCodeFile(file))
        {
            throw new CodeFileException("not a precompiled module (it does not start with the magic bytes \\0cwasm)");
        }
        if (file.Length < Magic.Length + 4 + ChecksumSize)
        {
            throw new CodeFileException("truncated: too short for a header");
        }
        uint format = BitConverter.ToUInt32(file, Magic.Length);
        if (format != FormatVersion)
        {
            throw new CodeFileException($"made in code-file format {format}, this engine reads format {FormatVersion}: compile the module again", incompatible: true);
        }
        Span<byte> checksum = stackalloc byte[ChecksumSize];
        SHA256.HashData(file.AsSpan(0, file.Length - ChecksumSize), checksum);
        if (!checksum.SequenceEqual(file.AsSpan(file.Length - ChecksumSize)))
        {
            throw new CodeFileException("corrupted: its checksum does not match its contents (truncated, or changed since it was written)");
        }
        try
        {
            using var stream = new MemoryStream(file, Magic.Length + 4, file.Length - ChecksumSize - Magic.Length - 4, writable: false);
            using var reader = new BinaryReader(stream);
            var kind = (CodeFileKind)reader.ReadByte();
            if (kind is not (CodeFileKind.PrecompiledModule or CodeFileKind.CacheEntry))
            {
                throw new InvalidDataException($"unknown kind {(byte)kind}");
            }
            string build = reader.ReadString();
            ulong features = reader.ReadUInt64();
            if ((features & ~(ulong)CpuFeatures.All) != 0)
            {
                throw new InvalidDataException($"unknown processor features 0x{features & ~(ulong)CpuFeatures.All:x}");
            }
            var settings = new CodeSettings(build, (CpuFeatures)features, reader.ReadString());
            if (expectedBuild is not null && settings.EngineBuild != expectedBuild)
            {
                throw new CodeFileException($"made by another engine build ({settings.EngineBuild}; this is {expectedBuild}): compile the module again", incompatible: true);
            }
            byte[] moduleHash = reader.ReadBytes(32);
            byte[]? moduleBytes = null;
            if (kind == CodeFileKind.PrecompiledModule)
            {
                moduleBytes = reader.ReadBytes(Count(reader, int.MaxValue));
                if (!Hash(moduleBytes).AsSpan().SequenceEqual(moduleHash))
                {
                    throw new InvalidDataException("the module's hash does not match the module");
                }
                module = moduleOf?.Invoke(moduleBytes);
            }
            int count = Count(reader, MaxEntries);
            var functions = new List<StoredFunction>(Math.Min(count, 1 << 16));
            for (int i = 0; i < count; i++)
            {
                string tier = reader.ReadString();
                functions.Add(new StoredFunction(ReadArtifact(reader, module, settings.Features), tier));
            }
            if (stream.Position != stream.Length)
            {
                throw new InvalidDataException("bytes left after the last function");
            }
            return new CodeFileContents(kind, settings, moduleHash, moduleBytes, functions, kind == CodeFileKind.PrecompiledModule ? module : null);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException or FormatException or OverflowException)
        {
            throw new CodeFileException($"damaged: {e.Message}");
        }
    }

    /// <summary>The SHA-256 of a module's binary, the module's identity in code files and cache keys.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> module) => SHA256.HashData(module);

    private static void WriteArtifact(BinaryWriter writer, CompiledFunction f)
    {
        writer.Write(f.FunctionIndex);
        writer.Write(f.FrameSize);
        writer.Write(f.WasmBodySize);
        writer.Write((uint)f.CpuFeatures);
        writer.Write((byte)f.BoundsChecks);
        writer.Write(f.FaultEntryOffset);
        writer.Write(f.RegisterEntryOffset);
        writer.Write(f.Code.Length);
        writer.Write(f.Code);
        writer.Write(f.StackMap.Length);
        writer.Write(f.StackMap);
        writer.Write(f.Relocations.Length);
        foreach (Relocation r in f.Relocations)
        {
            writer.Write(r.Offset);
            writer.Write((byte)r.Kind);
            writer.Write(r.Target);
        }
        writer.Write(f.TrapSites.Length);
        foreach (TrapSite t in f.TrapSites)
        {
            writer.Write(t.NativeOffset);
            writer.Write((int)t.Code);
            writer.Write(t.WasmOffset);
            writer.Write((byte)t.Kind);
        }
        writer.Write(f.OffsetMap.Length);
        foreach (OffsetMapping m in f.OffsetMap)
        {
            writer.Write(m.NativeOffset);
            writer.Write(m.WasmOffset);
            writer.Write(m.InlinedFrame);
        }
        writer.Write(f.InlinedFrames.Length);
        foreach (InlinedFrame frame in f.InlinedFrames)
        {
            writer.Write(frame.FunctionIndex);
            writer.Write(frame.CallerWasmOffset);
            writer.Write(frame.Parent);
        }
        writer.Write(f.AdapterReturnOffsets.Length);
        foreach (int offset in f.AdapterReturnOffsets)
        {
            writer.Write(offset);
        }
        writer.Write(f.OsrEntries.Length);
        foreach (OsrEntry e in f.OsrEntries)
        {
            writer.Write(e.LoopOffset);
            writer.Write(e.NativeOffset);
            WriteTypes(writer, e.State.LocalTypes);
            WriteTypes(writer, e.State.OperandTypes);
        }
    }

    // allowed: the header's features; an artifact compiled for more than its file says is damaged.
    private static CompiledFunction ReadArtifact(BinaryReader reader, ModuleInfo? module, CpuFeatures allowed)
    {
        uint index = reader.ReadUInt32();
        if (module is not null && (index < module.ImportedFunctionCount || index >= module.FunctionTypeIndices.Count))
        {
            throw new InvalidDataException($"func[{index}] is not a function the module defines");
        }
        int frameSize = reader.ReadInt32();
        int wasmBodySize = reader.ReadInt32();
        var features = (CpuFeatures)reader.ReadUInt32();
        if ((features & ~allowed) != 0)
        {
            throw new InvalidDataException($"func[{index}] was compiled for processor features its file does not name");
        }
        var boundsChecks = (BoundsCheckStrategy)reader.ReadByte();
        if (!Enum.IsDefined(boundsChecks))
        {
            throw new InvalidDataException($"func[{index}]: unknown bounds-check strategy {(byte)boundsChecks}");
        }
        int faultEntry = reader.ReadInt32();
        int registerEntry = reader.ReadInt32();
        int codeLength = Count(reader, MaxCodeBytes);
        if (faultEntry < -1 || faultEntry >= codeLength)
        {
            throw new InvalidDataException($"func[{index}]: fault entry {faultEntry} outside its code");
        }
        if (registerEntry < -1 || registerEntry >= codeLength)
        {
            throw new InvalidDataException($"func[{index}]: register entry {registerEntry} outside its code");
        }
        byte[] code = reader.ReadBytes(codeLength);
        if (code.Length != codeLength)
        {
            throw new EndOfStreamException();
        }
        byte[] stackMap = reader.ReadBytes(Count(reader, MaxCodeBytes));
        var relocations = new Relocation[Count(reader, MaxEntries)];
        if (relocations.Length != 0)
        {
            // Compiled code reaches everything through the VMContext (tiers.md section 4): a relocation means another engine's code.
            throw new InvalidDataException("a function with relocations, which this engine never makes");
        }
        var trapSites = new TrapSite[Count(reader, MaxEntries)];
        for (int i = 0; i < trapSites.Length; i++)
        {
            trapSites[i] = new TrapSite(Offset(reader, codeLength), (TrapCode)reader.ReadInt32(), reader.ReadInt32(), (TrapSiteKind)reader.ReadByte());
            if (!Enum.IsDefined(trapSites[i].Kind) || (trapSites[i].Kind == TrapSiteKind.Fault && (faultEntry < 0 || boundsChecks != BoundsCheckStrategy.GuardPages)))
            {
                throw new InvalidDataException($"func[{index}]: a fault trap site without guard pages or a fault entry");
            }
        }
        var offsetMap = new OffsetMapping[Count(reader, MaxEntries)];
        for (int i = 0; i < offsetMap.Length; i++)
        {
            offsetMap[i] = new OffsetMapping(Offset(reader, codeLength), reader.ReadInt32(), reader.ReadInt32());
        }
        var inlinedFrames = new InlinedFrame[Count(reader, MaxEntries)];
        for (int i = 0; i < inlinedFrames.Length; i++)
        {
            inlinedFrames[i] = new InlinedFrame(reader.ReadUInt32(), reader.ReadInt32(), reader.ReadInt32());
            if (inlinedFrames[i].Parent < -1 || inlinedFrames[i].Parent >= i
                || (module is not null && inlinedFrames[i].FunctionIndex >= module.FunctionTypeIndices.Count))
            {
                throw new InvalidDataException($"func[{index}]: inlined frame {i} is damaged");
            }
        }
        foreach (OffsetMapping m in offsetMap)
        {
            if (m.InlinedFrame < -1 || m.InlinedFrame >= inlinedFrames.Length)
            {
                throw new InvalidDataException($"func[{index}]: an offset-map entry names inlined frame {m.InlinedFrame}, of {inlinedFrames.Length}");
            }
        }
        var adapterReturns = new int[Count(reader, MaxEntries)];
        for (int i = 0; i < adapterReturns.Length; i++)
        {
            adapterReturns[i] = Offset(reader, codeLength);
        }
        var osrEntries = new OsrEntry[Count(reader, MaxEntries)];
        for (int i = 0; i < osrEntries.Length; i++)
        {
            int loopOffset = reader.ReadInt32();
            int nativeOffset = Offset(reader, codeLength - 1);
            osrEntries[i] = new OsrEntry(loopOffset, nativeOffset, new OsrState(ReadTypes(reader), ReadTypes(reader)));
        }
        return new CompiledFunction(index, code, relocations, stackMap, trapSites, offsetMap, frameSize, osrEntries, wasmBodySize, features)
        {
            BoundsChecks = boundsChecks,
            FaultEntryOffset = faultEntry,
            RegisterEntryOffset = registerEntry,
            AdapterReturnOffsets = adapterReturns,
            InlinedFrames = inlinedFrames,
        };
    }

    private static void WriteTypes(BinaryWriter writer, ValType[] types)
    {
        writer.Write(types.Length);
        foreach (ValType type in types)
        {
            writer.Write((byte)type);
        }
    }

    private static ValType[] ReadTypes(BinaryReader reader)
    {
        var types = new ValType[Count(reader, MaxEntries)];
        for (int i = 0; i < types.Length; i++)
        {
            types[i] = (ValType)reader.ReadByte();
            if (types[i] == ValType.Bottom || !Enum.IsDefined(types[i]))
            {
                throw new InvalidDataException($"unknown value type {(byte)types[i]}");
            }
        }
        return types;
    }

    private static int Count(BinaryReader reader, int max)
    {
        int count = reader.ReadInt32();
        return count >= 0 && count <= max ? count : throw new InvalidDataException($"a count of {count}");
    }

    /// <summary>An offset into the function's code: from 0 to <paramref name="max"/> (the length: a return address may be one past the end).</summary>
    private static int Offset(BinaryReader reader, int max)
    {
        int offset = reader.ReadInt32();
        return offset >= 0 && offset <= max ? offset : throw new InvalidDataException($"an offset of {offset} outside the code");
    }
}

/// <summary>
/// A code file (a precompiled module or a cache entry) that cannot be used: not one at all, damaged, or made by another
/// engine or format (<see cref="Incompatible"/>).
/// </summary>
public sealed class CodeFileException : WasmException
{
    /// <summary>Creates the exception.</summary>
    public CodeFileException(string reason, bool incompatible = false) : base(reason)
    {
        Reason = reason;
        Incompatible = incompatible;
    }

    /// <summary>What is wrong.</summary>
    public string Reason { get; }

    /// <summary>True when the file is intact but was made for another engine or format (compile the module again).</summary>
    public bool Incompatible { get; }
}
