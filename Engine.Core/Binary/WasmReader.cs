using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Unicode;

namespace Engine.Core;

/// <summary>
/// Reads the primitives of the binary format (LEB128 integers with the spec's exact limits, fixed-size
/// floats, names, value types) and, through the generated <see cref="ReadOperator{TVisitor}"/>, operators.
/// Positions are absolute offsets in the module's bytes, so every error carries the module offset.
/// </summary>
public ref partial struct WasmReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;
    private int _end;
    private readonly bool _window;

    /// <summary>A reader over <paramref name="data"/>[start..end): a section, a function body or an expression.</summary>
    public WasmReader(ReadOnlySpan<byte> data, int start, int end)
    {
        _data = data;
        _position = start;
        _end = end;
        _window = true;
    }

    /// <summary>A reader over all of <paramref name="data"/>: the module's top level.</summary>
    public WasmReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
        _end = data.Length;
        _window = false;
    }

    /// <summary>The absolute offset of the next byte.</summary>
    public int Position
    {
        readonly get => _position;
        set => _position = value;
    }

    /// <summary>The absolute offset one past the last readable byte.</summary>
    public int End
    {
        readonly get => _end;
        set => _end = value;
    }

    /// <summary>True when every byte up to <see cref="End"/> was read.</summary>
    public readonly bool AtEnd => _position >= _end;

    /// <summary>The whole underlying buffer (not only the readable window).</summary>
    public readonly ReadOnlySpan<byte> Data => _data;

    /// <summary>Reads one byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte ReadByte()
    {
        if ((uint)_position >= (uint)_end)
        {
            ThrowUnexpectedEnd();
        }
        return _data[_position++];
    }

    /// <summary>The next byte without reading it; -1 at the end.</summary>
    public readonly int PeekByte() => (uint)_position < (uint)_end ? _data[_position] : -1;

    /// <summary>Reads <paramref name="count"/> raw bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > _end - _position)
        {
            ThrowUnexpectedEnd();
        }
        ReadOnlySpan<byte> result = _data.Slice(_position, count);
        _position += count;
        return result;
    }

    /// <summary>Reads an unsigned LEB128 of at most 32 bits (at most 5 bytes, unused bits zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadVarU32()
    {
        if (_position < _end)
        {
            byte b = _data[_position];
            if (b < 0x80)
            {
                _position++;
                return b;
            }
        }
        return ReadVarU32Slow();
    }

    private uint ReadVarU32Slow()
    {
        uint result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = ReadByte();
            if (shift == 28)
            {
                if ((b & 0x80) != 0)
                {
                    ThrowMalformed("integer representation too long", _position - 1);
                }
                if ((b & 0x70) != 0)
                {
                    ThrowMalformed("integer too large", _position - 1);
                }
            }
            result |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }
    }

    /// <summary>Reads a signed LEB128 of at most 32 bits.</summary>
    public int ReadVarS32()
    {
        int result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = ReadByte();
            if (shift == 28)
            {
                if ((b & 0x80) != 0)
                {
                    ThrowMalformed("integer representation too long", _position - 1);
                }
                // The unused high bits must all equal the sign bit (bit 3 of the last byte).
                int high = b & 0x70;
                if (high != 0 && high != 0x70 || (high == 0x70) != ((b & 0x08) != 0))
                {
                    ThrowMalformed("integer too large", _position - 1);
                }
                return result | (b << 28);
            }
            result |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                int unused = 32 - (shift + 7);
                return (result << unused) >> unused;
            }
        }
    }

    /// <summary>Reads an unsigned LEB128 of at most 64 bits.</summary>
    public ulong ReadVarU64()
    {
        ulong result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = ReadByte();
            if (shift == 63)
            {
                if ((b & 0x80) != 0)
                {
                    ThrowMalformed("integer representation too long", _position - 1);
                }
                if (b > 1)
                {
                    ThrowMalformed("integer too large", _position - 1);
                }
                return result | ((ulong)b << 63);
            }
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }
    }

    /// <summary>Reads a signed LEB128 of at most 64 bits.</summary>
    public long ReadVarS64()
    {
        long result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = ReadByte();
            if (shift == 63)
            {
                if ((b & 0x80) != 0)
                {
                    ThrowMalformed("integer representation too long", _position - 1);
                }
                // Only bit 0 is payload; the rest must equal it (sign extension).
                if (b != 0 && b != 0x7F)
                {
                    ThrowMalformed("integer too large", _position - 1);
                }
                return result | ((long)b << 63);
            }
            result |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                int unused = 64 - (shift + 7);
                return (result << unused) >> unused;
            }
        }
    }

    /// <summary>Reads a signed LEB128 of at most 33 bits (block types).</summary>
    public long ReadVarS33()
    {
        long result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = ReadByte();
            if (shift == 28)
            {
                if ((b & 0x80) != 0)
                {
                    ThrowMalformed("integer representation too long", _position - 1);
                }
                int high = b & 0x60;
                if (high != 0 && high != 0x60 || (high == 0x60) != ((b & 0x10) != 0))
                {
                    ThrowMalformed("integer too large", _position - 1);
                }
                result |= (long)(b & 0x7F) << 28;
                return (result << 29) >> 29;
            }
            result |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                int unused = 64 - (shift + 7);
                return (result << unused) >> unused;
            }
        }
    }

    /// <summary>Reads a little-endian 32-bit word (f32 bits).</summary>
    public uint ReadFixedU32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

    /// <summary>Reads a little-endian 64-bit word (f64 bits).</summary>
    public ulong ReadFixedU64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));

    /// <summary>Reads 16 bytes as a v128.</summary>
    public Vector128<byte> ReadV128() => Vector128.Create(ReadBytes(16));

    /// <summary>Reads a byte that must be zero (reserved memory indices).</summary>
    public void ReadZeroByte()
    {
        if (ReadByte() != 0)
        {
            ThrowMalformed("zero byte expected", _position - 1);
        }
    }

    /// <summary>
    /// Reads the memory index of <c>memory.size</c>, <c>grow</c>, <c>init</c>, <c>copy</c> and <c>fill</c>: a u32 with
    /// <see cref="WasmFeatures.MultiMemory"/>, else the zero byte 2.0 reserves there.
    /// </summary>
    public uint ReadMemoryIndex()
    {
        if ((Features & WasmFeatures.MultiMemory) != 0)
        {
            return ReadVarU32();
        }
        ReadZeroByte();
        return 0;
    }

    /// <summary>Reads a vector length, checking it can fit in the remaining bytes (one byte per element at least).</summary>
    public uint ReadCount()
    {
        int at = _position;
        uint count = ReadVarU32();
        if (count > (uint)(_end - _position))
        {
            ThrowMalformed("unexpected end of section or function", at);
        }
        return count;
    }

    /// <summary>Reads a name: a byte vector holding valid UTF-8.</summary>
    public string ReadName()
    {
        int at = _position;
        uint length = ReadVarU32();
        if (length > (uint)(_end - _position))
        {
            ThrowMalformed("length out of bounds", at);
        }
        ReadOnlySpan<byte> bytes = ReadBytes((int)length);
        if (!Utf8.IsValid(bytes))
        {
            ThrowMalformed("malformed UTF-8 encoding", at);
        }
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Reads a value type: a numeric type, a reference type shorthand, or <c>(ref null? ht)</c> (0x63/0x64, 3.0).</summary>
    public ValType ReadValType()
    {
        byte b = ReadByte();
        if (b is 0x7F or 0x7E or 0x7D or 0x7C or 0x7B or 0x70 or 0x6F)
        {
            return (ValType)b;
        }
        if ((Features & WasmFeatures.FunctionReferences) != 0 && (b is 0x63 or 0x64 || IsTypedShorthand(b)) || IsExceptionShorthand(b))
        {
            return FinishRefType(b);
        }
        ThrowMalformed("malformed value type" + DisabledTypeHint(b), _position - 1);
        return default;
    }

    /// <summary>Reads a reference type (funcref or externref; with function references any <c>(ref null? ht)</c>).</summary>
    public ValType ReadRefType()
    {
        byte b = ReadByte();
        if (b is 0x70 or 0x6F)
        {
            return (ValType)b;
        }
        if ((Features & WasmFeatures.FunctionReferences) != 0 && (b is 0x63 or 0x64 || IsTypedShorthand(b)) || IsExceptionShorthand(b))
        {
            return FinishRefType(b);
        }
        ThrowMalformed("malformed reference type" + DisabledTypeHint(b), _position - 1);
        return default;
    }

    /// <summary>Reads the heap type of <c>ref.null</c> and gives the nullable reference type <c>(ref null ht)</c>.</summary>
    public ValType ReadNullRefType()
    {
        int at = _position;
        if ((Features & WasmFeatures.FunctionReferences) == 0)
        {
            byte b = ReadByte();
            if (b is not (0x70 or 0x6F))
            {
                ThrowMalformed("malformed reference type" + DisabledTypeHint(b), at);
            }
            return (ValType)b;
        }
        return ReadHeapType(nullable: true);
    }

    /// <summary>The shorthands of 3.0's abstract reference types that 2.0 lacks (only the function and extern hierarchies so far).</summary>
    private static bool IsTypedShorthand(byte b) => b is 0x73 or 0x72;

    /// <summary>
    /// For a type byte this reader refuses: which disabled feature would have made it a type (typed references, 0x63/0x64
    /// and the new shorthands; exnref and nullexnref), to add to the 2.0 error; else nothing.
    /// </summary>
    private string DisabledTypeHint(byte b) =>
        b is 0x69 or 0x74 && (Features & WasmFeatures.Exceptions) == 0 ? WasmFeatures.Exceptions.Disabled("exnref")
        : (b is 0x63 or 0x64 || IsTypedShorthand(b)) && (Features & WasmFeatures.FunctionReferences) == 0
            ? WasmFeatures.FunctionReferences.Disabled("a typed reference type")
            : "";

    /// <summary>exnref and nullexnref, with exception handling.</summary>
    private bool IsExceptionShorthand(byte b) => (Features & WasmFeatures.Exceptions) != 0 && b is 0x69 or 0x74;

    private ValType FinishRefType(byte b) => b switch
    {
        0x63 => ReadHeapType(nullable: true),
        0x64 => ReadHeapType(nullable: false),
        _ => (ValType)b,
    };

    /// <summary>A heap type (s33: an abstract type's code as a negative number, or a type index) as a reference type.</summary>
    private ValType ReadHeapType(bool nullable)
    {
        int at = _position;
        long value = ReadVarS33();
        if (value >= 0)
        {
            if (value > RefTypes.MaxTypeIndex)
            {
                ThrowMalformed("type index too large", at);
            }
            return RefTypes.Ref((uint)value, nullable);
        }
        byte code = (byte)(value & 0x7F);
        // The function and extern hierarchies; GC and exception heap types come with their proposals.
        if (value < -0x40 || !(code is 0x70 or 0x6F or 0x73 or 0x72 || IsExceptionShorthand(code)))
        {
            ThrowMalformed("malformed heap type", at);
        }
        return RefTypes.Ref((AbstractHeapType)code, nullable);
    }

    /// <summary>Reads a block type.</summary>
    public BlockType ReadBlockType()
    {
        if (_position < _end)
        {
            byte b = _data[_position];
            if (b == 0x40)
            {
                _position++;
                return BlockType.Empty;
            }
            if (b is 0x7F or 0x7E or 0x7D or 0x7C or 0x7B or 0x70 or 0x6F)
            {
                _position++;
                return BlockType.FromValue((ValType)b);
            }
            if ((Features & WasmFeatures.FunctionReferences) != 0 && (b is 0x63 or 0x64 || IsTypedShorthand(b)) || IsExceptionShorthand(b))
            {
                _position++;
                return BlockType.FromValue(FinishRefType(b));
            }
        }
        int at = _position;
        long index = ReadVarS33();
        if (index < 0)
        {
            ThrowMalformed("malformed block type", at);
        }
        return BlockType.FromTypeIndex((uint)index);
    }

    /// <summary>
    /// The 3.0 features the binary may use (default: <see cref="WasmFeatures.Default"/>): without
    /// <see cref="WasmFeatures.MemArg64"/> memory immediates are read as 2.0 defines them (a u32 alignment and a u32
    /// offset), without <see cref="WasmFeatures.FunctionReferences"/> only 2.0's value types are. Set by the decoder
    /// and the validator from the module's features; readers of validated code leave it.
    /// </summary>
    public WasmFeatures Features { get; set; } = WasmFeatures.Default;

    /// <summary>
    /// Reads a memory immediate (3.0): flags (the alignment's log2 below bit 6; bit 6 set: a memory index follows),
    /// then the offset as a u64 (the validator limits it to 32 bits for a 32-bit memory).
    /// </summary>
    public MemArg ReadMemArg()
    {
        int at = _position;
        uint flags = ReadVarU32();
        if ((Features & WasmFeatures.MemArg64) != 0)
        {
            if (flags >= 0x80)
            {
                ThrowMalformed("malformed memop flags", at);
            }
            uint memoryIndex = (flags & 0x40) != 0 ? ReadVarU32() : 0;
            return new MemArg(flags & 0x3F, ReadVarU64()) { MemoryIndex = memoryIndex };
        }
        return new MemArg(flags, ReadVarU32());
    }

    /// <summary>Reads the targets of a br_table.</summary>
    /// <summary>Reads the catch clauses of a <c>try_table</c>.</summary>
    public TryTableCatch[] ReadTryTableCatches()
    {
        uint count = ReadCount();
        var catches = count == 0 ? [] : new TryTableCatch[count];
        for (uint i = 0; i < count; i++)
        {
            int at = _position;
            byte kind = ReadByte();
            if (kind > 3)
            {
                ThrowMalformed("malformed catch clause", at);
            }
            var catchKind = (CatchKind)kind;
            uint tag = catchKind is CatchKind.Catch or CatchKind.CatchRef ? ReadVarU32() : 0;
            catches[i] = new TryTableCatch(catchKind, tag, ReadVarU32());
        }
        return catches;
    }

    public BrTable ReadBrTable()
    {
        uint count = ReadCount();
        int start = _position;
        for (uint i = 0; i < count; i++)
        {
            ReadVarU32();
        }
        ReadOnlySpan<byte> targets = _data[start.._position];
        uint defaultTarget = ReadVarU32();
        return new BrTable(targets, count, defaultTarget);
    }

    /// <summary>Reads the type vector of a typed select; returns the first type (or Bottom) and the count.</summary>
    public ValType ReadSelectTypes(out uint count)
    {
        count = ReadCount();
        ValType first = ValType.Bottom;
        for (uint i = 0; i < count; i++)
        {
            ValType t = ReadValType();
            if (i == 0)
            {
                first = t;
            }
        }
        return first;
    }

    /// <summary>Throws <see cref="MalformedModuleException"/> for reading past the end.</summary>
    [DoesNotReturn]
    public readonly void ThrowUnexpectedEnd() =>
        throw new MalformedModuleException(_window ? "unexpected end of section or function" : "unexpected end", _position);

    /// <summary>Throws <see cref="MalformedModuleException"/>.</summary>
    [DoesNotReturn]
    public static void ThrowMalformed(string reason, long offset) => throw new MalformedModuleException(reason, offset);
}
