using System.Text;
using Engine.Core;

namespace Engine.Interpreter;

/// <summary>Prints translated code, one instruction per line: <c>position: Name operand=value ...</c>.</summary>
public static class Disassembler
{
    /// <summary>The listing of defined function <paramref name="functionIndex"/> of a validated module.</summary>
    public static string Disassemble(ModuleInfo module, uint functionIndex)
    {
        var translation = new ModuleTranslation(module, default);
        return Disassemble(translation.Get(functionIndex));
    }

    internal static string Disassemble(InterpretedCode code)
    {
        var text = new StringBuilder();
        text.Append($"; params {code.ParamSlots} slots, locals to {code.LocalSlots}, frame {code.FrameSlots} slots\n");
        ReadOnlySpan<int> words = code.Words;
        foreach (int start in code.InstructionStarts)
        {
            Op op = (Op)words[start];
            text.Append($"{start,5}: {OpInfo.Name(op)}");
            int word = start + 1;
            foreach (string operand in OpInfo.Operands(op))
            {
                string[] parts = operand.Split(':');
                switch (parts[1])
                {
                    case "i64":
                        text.Append($" {parts[0]}={(long)(uint)words[word] | ((long)words[word + 1] << 32)}");
                        word += 2;
                        break;
                    case "v128":
                        text.Append($" {parts[0]}=0x{words[word + 3]:x8}{words[word + 2]:x8}{words[word + 1]:x8}{words[word]:x8}");
                        word += 4;
                        break;
                    case "table":
                        int count = words[word];
                        text.Append($" [{string.Join(' ', words.Slice(word + 1, count + 1).ToArray())}]");
                        word += count + 2;
                        break;
                    case "slot":
                        text.Append($" {parts[0]}=s{words[word++]}");
                        break;
                    case "target":
                        text.Append($" ->{words[word++]}");
                        break;
                    default:
                        text.Append($" {parts[0]}={words[word++]}");
                        break;
                }
            }
            text.Append('\n');
        }
        return text.ToString();
    }
}
