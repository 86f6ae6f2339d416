using Engine.Core;
using Engine.Text;
using NUnit.Framework;

namespace Engine.Tests.Text;

/// <summary>
/// binary -> <see cref="WatPrinter"/> -> <see cref="WatParser"/> -> binary over every module of the spec
/// suite that decodes (those of module, assert_invalid, assert_unlinkable and assert_uninstantiable
/// commands): the result must print the same as the original (the printer normalizes the encoding
/// choices text cannot express; see its remarks).
/// </summary>
[TestFixture]
public class RoundTripTests
{
    private static IEnumerable<string> Scripts() => SpecSuite.ScriptNames();

    [TestCaseSource(nameof(Scripts))]
    public void PrintedModulesParseBackToTheSameModule(string name)
    {
        int modules = 0;
        int identical = 0;
        foreach (JsonCommand command in SpecSuite.LoadCommands(name))
        {
            if (command.FileName == null || command.Type == "assert_malformed")
            {
                continue;
            }
            string where = $"{name}.wast:{command.Line} ({command.FileName})";
            byte[] original = File.ReadAllBytes(Path.Combine(SpecSuite.JsonFolder(name), command.FileName));
            string printed = WatPrinter.Print(original);
            byte[] reparsed = ParseOrFail(printed, where);
            Assert.That(WatPrinter.Print(reparsed), Is.EqualTo(printed), where);
            modules++;
            if (reparsed.AsSpan().SequenceEqual(original))
            {
                identical++;
            }
        }
        TestContext.Out.WriteLine($"{name}: {modules} modules round-tripped, {identical} byte-identical");
    }

    private static IEnumerable<string> RepositoryModules()
    {
        if (SpecSuite.RepositoryRoot is not string root)
        {
            return [];
        }
        string[] folders = ["Engine.Benchmarks/Modules", "Engine.Benchmarks/Programs", "Engine.Tests/Programs"];
        return folders
            .Select(folder => Path.Combine(root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.GetFiles(folder, "*.wasm", SearchOption.AllDirectories))
            .Select(path => Path.GetRelativePath(root, path))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>The compiled programs and benchmark modules of the repository (clang output, a binaryen fuzz module): real-world code.</summary>
    [TestCaseSource(nameof(RepositoryModules))]
    public void RepositoryModulesRoundTrip(string relativePath)
    {
        string printed = WatPrinter.Print(File.ReadAllBytes(Path.Combine(SpecSuite.RepositoryRoot!, relativePath)));
        byte[] reparsed = ParseOrFail(printed, relativePath);
        Assert.That(WatPrinter.Print(reparsed), Is.EqualTo(printed), relativePath);
        Assert.DoesNotThrow(() => ModuleLoader.DecodeAndValidate(reparsed));
    }

    private static byte[] ParseOrFail(string text, string where)
    {
        try
        {
            return WatParser.ParseModule(text, where);
        }
        catch (TextFormatException e)
        {
            Assert.Fail($"{where}: the printed module does not parse: {e.Message}\n{text}");
            throw;
        }
    }
}
