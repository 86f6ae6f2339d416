using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;

namespace Engine.Tests.Api;

/// <summary>
/// The embedding example of README.md compiles as pasted and runs: the test takes the README's <c>```csharp</c>
/// block itself and compiles it with Roslyn as the program of a new console project would be (top-level
/// statements, nullable enabled, warnings as errors, no implicit usings, references: the .NET shared framework
/// and the engine's assemblies only), then runs it and checks what it prints.
/// </summary>
/// <remarks>
/// Roslyn in memory rather than <c>dotnet build</c> of a project in a temporary folder: one or two seconds instead
/// of ten or more (a restore and a build), no network or NuGet cache involved, and its diagnostics point at the
/// README's lines. The compiler comes from Microsoft.CodeAnalysis.CSharp, which BenchmarkDotNet already brings.
/// </remarks>
[TestFixture]
public sealed class ReadmeExampleTests
{
    private static string ReadmeExample()
    {
        string readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md")).ReplaceLineEndings("\n");
        const string start = "```csharp\n";
        int from = readme.IndexOf(start, StringComparison.Ordinal);
        Assert.That(from, Is.GreaterThanOrEqualTo(0), "README.md has a ```csharp block");
        from += start.Length;
        return readme[from..readme.IndexOf("```", from, StringComparison.Ordinal)];
    }

    private static readonly Lazy<MetadataReference[]> s_references = new(() => References().ToArray());

    private static IEnumerable<MetadataReference> References()
    {
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        IEnumerable<string> frameworkAssemblies = Directory.GetFiles(framework, "*.dll")
            .Where(path => Path.GetFileName(path).StartsWith("System.") || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll");
        // What a project referencing Engine.Runtime and Engine.Wasi gets: them and the engine's assemblies they
        // depend on, nothing of the tests.
        var engineNames = new HashSet<string>();
        var pending = new Stack<AssemblyName>([typeof(Engine.Runtime.WasmEngine).Assembly.GetName(), typeof(Engine.Wasi.WasiConfig).Assembly.GetName()]);
        while (pending.TryPop(out AssemblyName? name))
        {
            if (name.Name!.StartsWith("Engine.", StringComparison.Ordinal) && engineNames.Add(name.Name))
            {
                foreach (AssemblyName dependency in Assembly.Load(name).GetReferencedAssemblies())
                {
                    pending.Push(dependency);
                }
            }
        }
        IEnumerable<string> engineAssemblies = engineNames.Select(name => Path.Combine(AppContext.BaseDirectory, name + ".dll"));
        return frameworkAssemblies.Concat(engineAssemblies)
            .Where(path => IsManagedAssembly(path))
            .Select(path => MetadataReference.CreateFromFile(path));
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    /// <summary>The program's assembly, or null with the compiler's errors and warnings.</summary>
    private static (Assembly? Assembly, List<string> Problems) Compile(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest), path: "README.md");
        var compilation = CSharpCompilation.Create("ReadmeExample", [tree], s_references.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToList();
        if (!result.Success || problems.Count > 0)
        {
            return (null, problems);
        }
        image.Position = 0;
        return (new AssemblyLoadContext("ReadmeExample", isCollectible: true).LoadFromStream(image), problems);
    }

    [Test]
    public void TheReadmeExampleCompilesAsPastedAndRuns()
    {
        string code = ReadmeExample();
        var (example, problems) = Compile(code);
        Assert.That(problems, Is.Empty, "the README example compiles as pasted, without warnings:\n" + code);

        var output = new StringWriter();
        TextWriter original = Console.Out;
        Console.SetOut(output);
        try
        {
            MethodInfo main = example!.EntryPoint!;
            main.Invoke(null, main.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
        }
        finally
        {
            Console.SetOut(original);
        }
        string[] lines = output.ToString().ReplaceLineEndings("\n").Split('\n');
        Assert.That(lines[..4], Is.EqualTo(new[] { "hello from wasm, 42", "fib(20) = 6765", "trap: integer divide by zero", "wasm backtrace:" }),
            output.ToString());
        Assert.That(lines[4], Does.Match(@"^  0: divide @ 0x[0-9a-f]+$"));
    }

    [Test]
    public void AMissingUsingIsCaught()
    {
        var (assembly, problems) = Compile("var engine = new WasmEngine();");
        Assert.That(assembly, Is.Null);
        Assert.That(problems, Has.Some.Contain("CS0246").And.Some.Contain("WasmEngine"));
    }
}
