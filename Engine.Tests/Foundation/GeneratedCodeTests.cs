using NUnit.Framework;

namespace Engine.Tests.Foundation;

/// <summary>The generated files are what Engine.Generator makes from its tables today (the CI check Iced runs on its *.g.cs).</summary>
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
    public void TypedOverloadsAreUpToDate()
    {
        string path = Path.Combine(TestPaths.RepositoryRoot, "Engine.Runtime", Engine.Generator.TypedOverloadGenerator.FileName);
        Assert.That(File.ReadAllText(path), Is.EqualTo(Engine.Generator.TypedOverloadGenerator.Generate()),
            "TypedOverloads.g.cs is stale; run: dotnet run --project Engine.Generator");
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
