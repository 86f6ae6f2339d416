using System.Text;
using Engine.Core;
using Iced.Intel;

namespace Engine.CodeGen.X64;

/// <summary>Prints compiled code as x86-64 assembly (for <c>disasm --tier baseline</c> and golden tests; any tier's artifact).</summary>
public static class CodeListing
{
    /// <summary>
    /// One line per instruction: its offset, its bytes and the instruction (Intel syntax), with the wasm
    /// offset of the instruction it belongs to at each change, and the trap sites marked (a stub's call, or an access whose fault is the trap).
    /// </summary>
    public static string Format(CompiledFunction function)
    {
        var text = new StringBuilder();
        var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(function.Code));
        var formatter = new IntelFormatter();
        formatter.Options.FirstOperandCharIndex = 8;
        var output = new StringOutput();
        int map = 0;
        // A stub's site is its call's return address (the instruction's end); a fault site is the faulting instruction.
        var traps = function.TrapSites.Where(t => t.Kind == TrapSiteKind.Call).ToDictionary(t => t.NativeOffset, t => t.Code);
        var faults = function.TrapSites.Where(t => t.Kind == TrapSiteKind.Fault).ToDictionary(t => t.NativeOffset, t => t.Code);
        int end = function.LiteralsOffset >= 0 ? function.LiteralsOffset : function.Code.Length;
        while (decoder.IP < (ulong)end)
        {
            int offset = (int)decoder.IP;
            while (map < function.OffsetMap.Length && function.OffsetMap[map].NativeOffset <= offset)
            {
                OffsetMapping mark = function.OffsetMap[map];
                text.Append($"            ;; wasm @0x{mark.WasmOffset:x}");
                // Inlined code: each inlined call it lies in, innermost first (the callee, and the call's offset in its caller).
                for (int inlined = mark.InlinedFrame; inlined >= 0; inlined = function.InlinedFrames[inlined].Parent)
                {
                    InlinedFrame frame = function.InlinedFrames[inlined];
                    text.Append($" in func[{frame.FunctionIndex}] inlined at @0x{frame.CallerWasmOffset:x}");
                }
                text.AppendLine();
                map++;
            }
            decoder.Decode(out Instruction instruction);
            formatter.Format(instruction, output);
            text.Append($"  {offset,6:x}  ").Append(output.ToStringAndReset());
            if (traps.TryGetValue((int)decoder.IP, out TrapCode code))
            {
                text.Append($"    ; trap {code}");
            }
            else if (faults.TryGetValue(offset, out code))
            {
                text.Append($"    ; faults: {code}");
            }
            text.AppendLine();
        }
        for (int offset = end; offset + 16 <= function.Code.Length; offset += 16)
        {
            text.AppendLine($"  {offset,6:x}  dq      {BitConverter.ToUInt64(function.Code, offset):X16}h,{BitConverter.ToUInt64(function.Code, offset + 8):X16}h");
        }
        return text.ToString();
    }
}
