namespace Engine.Core;

/// <summary>
/// Facts about every operator, from the operator table: its text name, its kind (which visitor
/// method receives it), its fixed signature where it has one, its natural alignment and lane count,
/// whether constant expressions allow it, and the proposal that brought it.
/// </summary>
public static partial class OperatorInfo
{
    /// <summary>The operator's dense index (0 .. <see cref="Count"/>-1) in table order, or -1 if the value is no operator.</summary>
    public static int Index(Opcode opcode)
    {
        int value = (int)opcode;
        int prefix = value >> 8;
        int code = value & 0xFF;
        return prefix switch
        {
            0 => SingleByteIndex[code],
            0xFC => PrefixFCIndex[code],
            0xFD => PrefixFDIndex[code],
            0xFE => PrefixFDIndex[0x100 | code], // 0xFD sub-opcodes from 0x100 (relaxed SIMD)
            _ => -1,
        };
    }

    /// <summary>True for the relaxed SIMD operators (3.0; 0xFD sub-opcodes from 0x100).</summary>
    public static bool IsRelaxedSimd(Opcode opcode) => (int)opcode >> 8 == 0xFE;

    /// <summary>The text-format name, for example <c>i32.add</c>.</summary>
    public static string Name(Opcode opcode) => s_names[Index(opcode)];

    /// <summary>Which visitor method receives the operator.</summary>
    public static OperatorKind Kind(Opcode opcode) => (OperatorKind)Kinds[Index(opcode)];

    /// <summary>The operand types popped, for operators with a fixed signature; empty otherwise.</summary>
    public static ReadOnlySpan<ValType> Params(Opcode opcode) => s_params[Index(opcode)];

    /// <summary>The result types pushed, for operators with a fixed signature; empty otherwise.</summary>
    public static ReadOnlySpan<ValType> Results(Opcode opcode) => s_results[Index(opcode)];

    /// <summary>True when the operator's stack effect is fixed (see <see cref="Params"/>).</summary>
    public static bool HasFixedSignature(Opcode opcode) => s_params[Index(opcode)] != null;

    /// <summary>Log2 of the natural alignment in bytes of a memory operator; -1 for others.</summary>
    public static int NaturalAlignmentLog2(Opcode opcode) => AlignLog2s[Index(opcode)];

    /// <summary>The access size in bytes of a memory operator (1 &lt;&lt; natural alignment); 0 for others.</summary>
    public static int AccessSize(Opcode opcode)
    {
        int log2 = AlignLog2s[Index(opcode)];
        return log2 < 0 ? 0 : 1 << log2;
    }

    /// <summary>The number of lanes a lane-index immediate selects from; 0 for operators without one.</summary>
    public static int LaneCount(Opcode opcode) => LaneCounts[Index(opcode)];

    /// <summary>True when the operator may appear in a constant expression (global initialisers, segment offsets and items).</summary>
    public static bool IsConstant(Opcode opcode) => Constants[Index(opcode)];

    /// <summary>The proposal that brought the operator into 2.0: mvp, signext, satconv, bulk, reftypes or simd.</summary>
    public static string Feature(Opcode opcode) => s_features[Index(opcode)];
}
