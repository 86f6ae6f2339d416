
using Engine.Core;

namespace Engine.Text;

/// <summary>
/// Maps text-format instruction names to opcodes, built from the one operator table
/// (<see cref="OperatorInfo.All"/> and <see cref="OperatorInfo.Name"/>), so the text format knows exactly
/// the operators the rest of the engine knows.
/// </summary>
internal static class OperatorNames
{
    private static readonly Dictionary<string, Opcode> s_byName = Build();
    private static readonly Dictionary<string, Opcode>.AlternateLookup<ReadOnlySpan<char>> s_lookup =
        s_byName.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Looks up an instruction name.</summary>
    public static bool TryGet(ReadOnlySpan<char> name, out Opcode opcode) => s_lookup.TryGetValue(name, out opcode);

    private static Dictionary<string, Opcode> Build()
    {
        var names = new Dictionary<string, Opcode>(StringComparer.Ordinal);
        foreach (Opcode opcode in OperatorInfo.All)
        {
            // The typed select shares the text name "select"; the parser picks it when a (result ...) follows.
            if (OperatorInfo.Kind(opcode) != OperatorKind.SelectTyped)
            {
                names.Add(OperatorInfo.Name(opcode), opcode);
            }
        }
        return names;
    }
}
