using Iced.Intel;

namespace Engine.CodeGen.X64;

/// <summary>
/// The instruction stream: every instruction is encoded when it is emitted, straight into one reused byte buffer, with its
/// offset recorded by instruction index (<see cref="Position"/>). The commonest forms (moves, loads and stores, integer
/// ALU, shifts, compares, <c>lea</c>, push/pop, branches and calls) are written by a small encoder of their own; every
/// other instruction is built with Iced's <see cref="Assembler"/> and encoded with Iced's <see cref="Encoder"/> before
/// the next instruction is emitted. The hand-written forms give the bytes Iced gives for the same instruction code
/// (checked byte for byte over every register and addressing form by <c>MacroAssemblerEncodingTests</c>, and over whole
/// modules against <see cref="ReferenceEncoding"/>, which routes every instruction through Iced). Label operands are
/// rel32 (or rip-relative disp32) fields patched once the code is complete.
/// </summary>
public sealed partial class MacroAssembler
{
    /// <summary>
    /// When set on a thread, assemblers reset on it afterwards encode every instruction with Iced's encoder, none by hand
    /// (the reference the tests compare the hand-written forms with).
    /// </summary>
    [ThreadStatic]
    internal static bool ReferenceEncoding;

    private readonly CodeWriterImpl _writer = new(256);
    private Encoder? _encoder;
    private uint[] _offsets = new uint[256];
    // Instructions encoded so far (the index of the next one).
    private int _count;
    // How many of the Iced assembler's instructions are encoded already.
    private int _drained;
    // The instruction index each label is bound to, or -1.
    private int[] _labelAt = new int[64];
    private int _labelCount;
    // The instruction index a label was last bound to (a label at the very end needs an instruction to stand on).
    private int _lastBind = -1;
    private readonly List<(int Field, int End, int Label)> _fixups = new();
    private readonly List<(int Instruction, int Field)> _patchable = new();
    private readonly List<int> _heapAccessPositions = new();
    // Every instruction through Iced (ReferenceEncoding when the assembler was reset).
    private bool _icedOnly;

    private void ResetStream()
    {
        _asm.Reset();
        _drained = 0;
        _count = 0;
        _writer.Reset(256);
        _labelCount = 0;
        _lastBind = -1;
        _fixups.Clear();
        _patchable.Clear();
        _heapAccessPositions.Clear();
        _icedOnly = ReferenceEncoding;
    }

    /// <summary>The number of instructions emitted so far (a mark of the current position).</summary>
    public int Position
    {
        get
        {
            Drain();
            return _count;
        }
    }

    /// <summary>
    /// Adds to <paramref name="positions"/> the position of every instruction emitted so far that reads or writes memory
    /// through <see cref="Registers.MemoryBase"/> (r15: nothing but wasm heap accesses use it; <c>lea</c> computes an
    /// address and accesses nothing). A guard-page tier records each as a trap site: the list cannot miss an access,
    /// whichever sequence emitted it.
    /// </summary>
    public void CollectHeapAccesses(List<int> positions)
    {
        Drain();
        positions.AddRange(_heapAccessPositions);
    }

    // ---- labels ----

    /// <summary>A new, unbound label.</summary>
    public MLabel CreateLabel()
    {
        if (_labelCount == _labelAt.Length)
        {
            Array.Resize(ref _labelAt, 2 * _labelCount);
        }
        _labelAt[_labelCount] = -1;
        return new MLabel(_labelCount++);
    }

    /// <summary>Binds <paramref name="label"/> to the next instruction emitted.</summary>
    public void Bind(MLabel label)
    {
        Drain();
        _labelAt[label.Id] = _count;
        _lastBind = _count;
    }

    // ---- the stream ----

    /// <summary>Encodes the instructions the Iced assembler holds that are not encoded yet.</summary>
    private void Drain()
    {
        // Called before every instruction: the common case (nothing new from Iced) is one count compared.
        InstructionList instructions = _icedInstructions ??= (InstructionList)_asm.Instructions;
        int n = instructions.Count;
        if (_drained == n)
        {
            return;
        }
        for (int i = _drained; i < n; i++)
        {
            EncodeIced(instructions[i]);
        }
        _drained = n;
    }

    // The Iced assembler's instruction list (the same list object for the assembler's life; Reset clears it).
    private InstructionList? _icedInstructions;

    /// <summary>Starts an instruction: records its offset and returns its index.</summary>
    private int NewInstruction()
    {
        if (_count == _offsets.Length)
        {
            Array.Resize(ref _offsets, 2 * _count);
        }
        _offsets[_count] = (uint)_writer.Length;
        return _count++;
    }

    /// <summary>Encodes one instruction with Iced (no label operands: those are emitted by <see cref="EncodeIcedToLabel"/>).</summary>
    private void EncodeIced(in Instruction instruction)
    {
        int index = NewInstruction();
        int position = _writer.Length;
        if (instruction.MemoryBase == Register.R15 && instruction.Mnemonic != Mnemonic.Lea)
        {
            _heapAccessPositions.Add(index);
        }
        if (instruction.Code == Code.DeclareDword)
        {
            for (int k = 0; k < instruction.DeclareDataCount; k++)
            {
                _writer.WriteInt32((int)instruction.GetDeclareDwordValue(k));
            }
            return;
        }
        if (instruction.Code == Code.DeclareQword)
        {
            for (int k = 0; k < instruction.DeclareDataCount; k++)
            {
                ulong value = instruction.GetDeclareQwordValue(k);
                _writer.WriteInt32((int)value);
                _writer.WriteInt32((int)(value >> 32));
            }
            return;
        }
        IcedEncoder().Encode(instruction, (ulong)position);
    }

    private Encoder IcedEncoder() => _encoder ??= Iced.Intel.Encoder.Create(64, _writer);

    /// <summary>
    /// Encodes with Iced an instruction whose branch target (a near branch) or rip-relative memory operand is
    /// <paramref name="label"/>: encoded against its own address, the field patched at <see cref="Assemble"/>.
    /// </summary>
    private void EncodeIcedToLabel(Instruction instruction, MLabel label)
    {
        Drain();
        NewInstruction();
        int position = _writer.Length;
        if (instruction.Op0Kind == OpKind.NearBranch64)
        {
            instruction.NearBranch64 = (ulong)position;
            int length = (int)IcedEncoder().Encode(instruction, (ulong)position);
            _fixups.Add((position + length - 4, position + length, label.Id));
            return;
        }
        instruction.MemoryDisplacement64 = (ulong)position;
        int size = (int)IcedEncoder().Encode(instruction, (ulong)position);
        _fixups.Add((position + IcedEncoder().GetConstantOffsets().DisplacementOffset, position + size, label.Id));
    }

    /// <summary>Emits <paramref name="emit"/> through the Iced assembler and returns the byte offset of its 32-bit immediate (to patch later).</summary>
    private int PatchableThroughIced(Action<Assembler> emit)
    {
        Drain();
        int at = _count;
        emit(_asm);
        Drain();
        ConstantOffsets c = IcedEncoder().GetConstantOffsets();
        if (_count != at + 1 || c.ImmediateSize != 4)
        {
            throw new InvalidOperationException("patchable immediate not 32 bits");
        }
        _patchable.Add((at, (int)_offsets[at] + c.ImmediateOffset));
        return at;
    }

    // ---- the hand encoder: the commonest forms (each gives Iced's bytes for the Code named in its comment) ----

    /// <summary>Starts a hand-encoded instruction: room for its longest form (15 bytes), its offset recorded.</summary>
    private byte[] Open(out int p, out int index)
    {
        Drain();
        index = NewInstruction();
        p = _writer.Length;
        return _writer.Reserve(16);
    }

    private void Close(int p) => _writer.Length = p;

    /// <summary>A memory operand the hand encoder takes: a general-purpose base, an optional index other than rsp.</summary>
    private static bool Plain(in Mem m) => m.Base.Number < 16 && !m.Base.IsFloat && (!m.HasIndex || m.Index.Number < 16 && m.Index.Number != 4 && !m.Index.IsFloat);

    private static void Rex(byte[] b, ref int p, bool w, int reg, int index, int rm, bool force = false)
    {
        int rex = (w ? 8 : 0) | ((reg >> 3) & 1) << 2 | ((index >> 3) & 1) << 1 | ((rm >> 3) & 1);
        if (rex != 0 || force)
        {
            b[p++] = (byte)(0x40 | rex);
        }
    }

    // An opcode of one byte, or two (0x0Fxx).
    private static void Opcode(byte[] b, ref int p, int opcode)
    {
        if (opcode > 0xFF)
        {
            b[p++] = (byte)(opcode >> 8);
        }
        b[p++] = (byte)opcode;
    }

    private static void Imm32(byte[] b, ref int p, int value)
    {
        b[p] = (byte)value;
        b[p + 1] = (byte)(value >> 8);
        b[p + 2] = (byte)(value >> 16);
        b[p + 3] = (byte)(value >> 24);
        p += 4;
    }

    /// <summary>opcode with ModRM reg = <paramref name="reg"/> (a register or an opcode extension), rm = register <paramref name="rm"/>.</summary>
    private void EmitRR(bool w, int opcode, int reg, int rm, bool byteRegs = false, byte prefix = 0)
    {
        byte[] b = Open(out int p, out _);
        if (prefix != 0)
        {
            b[p++] = prefix;
        }
        Rex(b, ref p, w, reg, 0, rm, byteRegs && (reg is >= 4 and < 8 || rm is >= 4 and < 8));
        Opcode(b, ref p, opcode);
        b[p++] = (byte)(0xC0 | (reg & 7) << 3 | (rm & 7));
        Close(p);
    }

    /// <summary>opcode reg, rm imm8/imm32 (<paramref name="immBytes"/> 1 or 4).</summary>
    private void EmitRRImm(bool w, int opcode, int reg, int rm, int imm, int immBytes)
    {
        byte[] b = Open(out int p, out _);
        Rex(b, ref p, w, reg, 0, rm);
        Opcode(b, ref p, opcode);
        b[p++] = (byte)(0xC0 | (reg & 7) << 3 | (rm & 7));
        if (immBytes == 1)
        {
            b[p++] = (byte)imm;
        }
        else
        {
            Imm32(b, ref p, imm);
        }
        Close(p);
    }

    /// <summary>[prefix] opcode with ModRM reg = <paramref name="reg"/>, rm = the memory operand <paramref name="m"/> (then an immediate of <paramref name="immBytes"/>).</summary>
    private void EmitRM(bool w, int opcode, int reg, in Mem m, bool lea = false, int immBytes = 0, int imm = 0, byte prefix = 0, bool byteReg = false)
    {
        byte[] b = Open(out int p, out int index);
        if (prefix != 0)
        {
            b[p++] = prefix;
        }
        int baseNumber = m.Base.Number;
        Rex(b, ref p, w, reg, m.HasIndex ? m.Index.Number : 0, baseNumber, byteReg && reg is >= 4 and < 8);
        Opcode(b, ref p, opcode);
        int low = baseNumber & 7;
        int d = m.Displacement;
        int mod = d == 0 && low != 5 ? 0 : d == (sbyte)d ? 1 : 2;
        if (!m.HasIndex && low != 4)
        {
            b[p++] = (byte)(mod << 6 | (reg & 7) << 3 | low);
        }
        else
        {
            b[p++] = (byte)(mod << 6 | (reg & 7) << 3 | 4);
            int scale = m.Scale switch { 1 => 0, 2 => 1, 4 => 2, _ => 3 };
            b[p++] = (byte)(scale << 6 | (m.HasIndex ? m.Index.Number & 7 : 4) << 3 | low);
        }
        if (mod == 1)
        {
            b[p++] = (byte)d;
        }
        else if (mod == 2)
        {
            Imm32(b, ref p, d);
        }
        if (immBytes == 1)
        {
            b[p++] = (byte)imm;
        }
        else if (immBytes == 4)
        {
            Imm32(b, ref p, imm);
        }
        Close(p);
        if (baseNumber == Registers.MemoryBase.Number && !lea)
        {
            _heapAccessPositions.Add(index);
        }
    }

    /// <summary>A rel32 branch or call (<paramref name="opcode"/>: E9 jmp, E8 call, 0F8x jcc) to <paramref name="label"/>.</summary>
    private void EmitRel32(int opcode, MLabel label)
    {
        byte[] b = Open(out int p, out _);
        Opcode(b, ref p, opcode);
        _fixups.Add((p, p + 4, label.Id));
        Imm32(b, ref p, 0);
        Close(p);
    }

    private sealed class CodeWriterImpl(int capacity) : CodeWriter
    {
        private byte[] _bytes = new byte[Math.Max(capacity, 64)];

        public int Length;

        /// <summary>Forgets the bytes written, keeping room for at least <paramref name="capacity"/>.</summary>
        public void Reset(int capacity)
        {
            Length = 0;
            if (_bytes.Length < capacity)
            {
                _bytes = new byte[Math.Max(capacity, 2 * _bytes.Length)];
            }
        }

        /// <summary>The buffer, with room for <paramref name="bytes"/> more bytes after <see cref="Length"/>.</summary>
        public byte[] Reserve(int bytes)
        {
            if (Length + bytes > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(2 * _bytes.Length, Length + bytes));
            }
            return _bytes;
        }

        public override void WriteByte(byte value)
        {
            byte[] bytes = _bytes;
            int length = Length;
            if ((uint)length < (uint)bytes.Length)
            {
                bytes[length] = value;
                Length = length + 1;
                return;
            }
            Array.Resize(ref _bytes, _bytes.Length * 2);
            _bytes[Length++] = value;
        }

        public void WriteInt32(int value)
        {
            for (int i = 0; i < 4; i++)
            {
                WriteByte((byte)(value >> (8 * i)));
            }
        }

        public void Patch(int at, int value) => BitConverter.TryWriteBytes(_bytes.AsSpan(at), value);

        public byte[] ToArray() => _bytes.AsSpan(0, Length).ToArray();
    }
}
