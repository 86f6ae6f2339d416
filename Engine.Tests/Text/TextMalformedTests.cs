using Engine.Text;
using NUnit.Framework;

namespace Engine.Tests.Text;

/// <summary>
/// The spec suite's text-format <c>assert_malformed</c> modules (the <c>.wat</c> files wast2json wrote
/// for <c>module_type: "text"</c>): the parser must reject every one with a <see cref="TextFormatException"/>.
/// Many are malformed only at the text level ("unknown operator", "mismatching label", "inline function
/// type", "duplicate func", "import after function", "constant out of range", ...).
/// </summary>
[TestFixture]
public class TextMalformedTests
{
    private static IEnumerable<string> Scripts() => SpecSuite.ScriptNames();

    /// <summary>
    /// Text the 2.0 suite calls malformed and 3.0 made well formed: offsets, and memory and table limits, of 2^32 and
    /// more (u64 in 3.0; the validator rejects them for a 32-bit memory or table, and 2.0 decoding rejects their binary
    /// as malformed, which the spec fixtures check).
    /// </summary>
    private static readonly HashSet<string> s_validIn3 =
        ["address:214", "simd_address:144", "simd_address:152", "memory:80", "memory:84", "memory:88", "table:28", "table:32", "table:36"];

    [TestCaseSource(nameof(Scripts))]
    public void TextAssertMalformedModulesAreRejected(string name)
    {
        int rejected = 0;
        foreach (JsonCommand command in SpecSuite.LoadCommands(name))
        {
            if (command.Type != "assert_malformed" || command.ModuleType != "text" || s_validIn3.Contains($"{name}:{command.Line}"))
            {
                continue;
            }
            string text = File.ReadAllText(Path.Combine(SpecSuite.JsonFolder(name), command.FileName!));
            string where = $"{name}.wast:{command.Line} (expected \"{command.Text}\")";
            TextFormatException? error = Assert.Throws<TextFormatException>(() => WatParser.ParseModule(text, command.FileName), where);
            Assert.That(error!.Line, Is.GreaterThanOrEqualTo(1), where);
            Assert.That(error.Column, Is.GreaterThanOrEqualTo(1), where);
            TestContext.Out.WriteLine($"{where}: {error.Message}");
            rejected++;
        }
        TestContext.Out.WriteLine($"{name}: {rejected} text-format malformed modules rejected");
    }

    [Test]
    public void AllTextAssertMalformedModulesAreCounted()
    {
        SpecSuite.RequireRoot();
        int total = SpecSuite.ScriptNames()
            .SelectMany(SpecSuite.LoadCommands)
            .Count(c => c.Type == "assert_malformed" && c.ModuleType == "text");
        Assert.That(total, Is.EqualTo(1077));
    }
}
