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

    /// <summary>
    /// Every operator of the table parses and prints (the parser and the printer dispatch on the operator's kind; an
    /// operator or kind they miss fails here rather than in a user's module). Text only: the snippets need not validate.
    /// </summary>
    [Test]
    public void EveryOperatorOfTheTableParsesAndPrints()
    {
        foreach (Opcode opcode in OperatorInfo.All)
        {
            string name = OperatorInfo.Name(opcode);
            string? instruction = OperatorInfo.Kind(opcode) switch
            {
                OperatorKind.Block or OperatorKind.Loop or OperatorKind.If => $"{name} end",
                OperatorKind.Else or OperatorKind.End => null, // structure, covered by block and if
                OperatorKind.SelectTyped => "select (result i32)",
                OperatorKind.Br or OperatorKind.BrIf or OperatorKind.Call or OperatorKind.RefFunc or OperatorKind.LocalGet
                    or OperatorKind.CallRef or OperatorKind.ReturnCallRef or OperatorKind.BrOnNull or OperatorKind.BrOnNonNull
                    or OperatorKind.LocalSet or OperatorKind.LocalTee or OperatorKind.GlobalGet or OperatorKind.GlobalSet
                    or OperatorKind.TableGet or OperatorKind.TableSet or OperatorKind.TableGrow or OperatorKind.TableSize
                    or OperatorKind.TableFill or OperatorKind.MemoryInit or OperatorKind.DataDrop or OperatorKind.ElemDrop
                    or OperatorKind.I32Const or OperatorKind.I64Const or OperatorKind.F32Const or OperatorKind.F64Const
                    or OperatorKind.ExtractLane or OperatorKind.ReplaceLane => $"{name} 0",
                OperatorKind.BrTable or OperatorKind.TableInit or OperatorKind.TableCopy => $"{name} 0 0",
                OperatorKind.LoadLane or OperatorKind.StoreLane => $"{name} 0",
                OperatorKind.CallIndirect or OperatorKind.ReturnCallIndirect => $"{name} (type 0)",
                OperatorKind.ReturnCall or OperatorKind.Throw => $"{name} 0",
                OperatorKind.TryTable => $"{name} (catch 0 0) (catch_ref 0 0) (catch_all 0) (catch_all_ref 0) end",
                // The legacy try: catch, rethrow and catch_all inside one, delegate closing another.
                OperatorKind.Try => "try catch 0 rethrow 0 catch_all end",
                OperatorKind.Delegate => "try delegate 0",
                OperatorKind.Catch or OperatorKind.CatchAll or OperatorKind.Rethrow => null, // covered by try
                OperatorKind.RefNull => $"{name} func",
                OperatorKind.V128Const => $"{name} i32x4 0 0 0 0",
                OperatorKind.I8x16Shuffle => $"{name} {string.Join(' ', Enumerable.Repeat("0", 16))}",
                _ => name,
            };
            if (instruction is null)
            {
                continue;
            }
            string text = $"(module (type (func)) (memory 1) (table 1 funcref) (global (mut i32) (i32.const 0)) (tag) " +
                          $"(func (local i32) {instruction}) (elem declare func 0) (data \"\"))";
            byte[] binary = ParseOrFail(text, name);
            Assert.That(WatPrinter.Print(binary), Does.Contain(instruction.Split(' ')[0]), name);
        }
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
