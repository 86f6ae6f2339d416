using NUnit.Framework;

namespace Engine.Tests.Foundation;

/// <summary>The generated operator files are what the generator makes from the operator table today.</summary>
[TestFixture]
public sealed class GeneratedCodeTests
{
    [Test]
    public void OperatorFilesAreUpToDate()
    {
        string root = TestPaths.RepositoryRoot;
        string table = File.ReadAllText(Path.Combine(root, "Engine.Core", "Operators", "operators.txt"));
        foreach (var (name, content) in Engine.Generator.OperatorGenerator.Generate(table))
        {
            string path = Path.Combine(root, "Engine.Core", "Operators", "Generated", name);
            Assert.That(File.Exists(path), Is.True, $"{name} is missing; run: dotnet run --project Engine.Generator");
            Assert.That(File.ReadAllText(path), Is.EqualTo(content), $"{name} is stale; run: dotnet run --project Engine.Generator");
        }
    }

    [Test]
    public void InterpreterFilesAreUpToDate()
    {
        string root = TestPaths.RepositoryRoot;
        string table = File.ReadAllText(Path.Combine(root, "Engine.Interpreter", "Instructions.def"));
        string operators = File.ReadAllText(Path.Combine(root, "Engine.Core", "Operators", "operators.txt"));
        foreach (var (name, content) in Engine.Generator.InstructionGenerator.Generate(table, operators))
        {
            string path = Path.Combine(root, "Engine.Interpreter", "Generated", name);
            Assert.That(File.Exists(path), Is.True, $"{name} is missing; run: dotnet run --project Engine.Generator");
            Assert.That(File.ReadAllText(path), Is.EqualTo(content), $"{name} is stale; run: dotnet run --project Engine.Generator");
        }
    }
}
