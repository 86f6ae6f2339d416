using Engine.CodeGen.X64;
using NUnit.Framework;

namespace Engine.Tests.CodeGen;

/// <summary>The macro assembler's label bookkeeping in <see cref="MacroAssembler.Assemble"/>, which reuses its buffers from function to function.</summary>
[TestFixture]
public sealed class MacroAssemblerTests
{
    [Test]
    public void TheFirstLabelBoundAsAnAliasOfALaterOneResolvesInEveryReuse()
    {
        var masm = new MacroAssembler();
        for (int round = 0; round < 3; round++)
        {
            masm.Reset();
            // The function's first label is bound where a later label already waits: both stand on the same
            // instruction, and branches emitted to the first before it was bound reach it.
            MLabel first = masm.CreateLabel();
            MLabel second = masm.CreateLabel();
            masm.Jump(first);    // 0: jmp rel32, to first's own id (bound later)
            masm.Ret();          // 5: ret
            masm.Bind(second);
            masm.Bind(first);
            masm.Jump(first);    // 6: jmp rel32, to the canonical label
            MacroAssembler.Output output = masm.Assemble();
            Assert.That(output.InstructionCount, Is.EqualTo(3));
            Assert.That(output.LabelOffset(first), Is.EqualTo(6));
            Assert.That(output.LabelOffset(second), Is.EqualTo(6));
            Assert.That(output.Code[0], Is.EqualTo(0xE9));
            Assert.That(BitConverter.ToInt32(output.Code, 1), Is.EqualTo(6 - 5));
            Assert.That(output.Code[6], Is.EqualTo(0xE9));
            Assert.That(BitConverter.ToInt32(output.Code, 7), Is.EqualTo(6 - 11));
        }
    }
}
