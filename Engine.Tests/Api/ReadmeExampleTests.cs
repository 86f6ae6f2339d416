using Engine.Runtime;
using NUnit.Framework;

namespace Engine.Tests.Api;

/// <summary>The embedding example of README.md compiles and runs (the README shows exactly the code between the markers).</summary>
[TestFixture]
public sealed class ReadmeExampleTests
{
    [Test]
    public void ExampleRuns()
    {
        var output = new StringWriter();
        Console.SetOut(output);
        try
        {
            Example();
        }
        finally
        {
            Console.SetOut(new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true });
        }
        Assert.That(output.ToString(), Is.EqualTo("hello from wasm, 42" + Environment.NewLine + "fib(20) = 6765" + Environment.NewLine));
    }

    [Test]
    public void ReadmeShowsThisExample()
    {
        string source = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Api", "ReadmeExampleTests.cs"));
        string example = Between(source, "// README example begin\n", "        // README example end");
        string readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md"));
        string shown = Between(readme, "```csharp\n", "```");
        Assert.That(Normalize(shown), Is.EqualTo(Normalize(example)));
    }

    private static string Between(string text, string start, string end)
    {
        int from = text.IndexOf(start, StringComparison.Ordinal) + start.Length;
        return text[from..text.IndexOf(end, from, StringComparison.Ordinal)];
    }

    private static string Normalize(string code) =>
        string.Join('\n', code.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0));

    private static void Example()
    {
        // README example begin
        var engine = new WasmEngine();
        using var store = new Store(engine);
        var module = Module.FromText(engine, """
            (module
              (import "host" "log" (func $log (param i32)))
              (func (export "greet") (call $log (i32.const 42)))
              (func $fib (export "fib") (param i32) (result i32)
                (if (result i32) (i32.lt_s (local.get 0) (i32.const 2))
                  (then (local.get 0))
                  (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                                 (call $fib (i32.sub (local.get 0) (i32.const 2))))))))
            """);
        var linker = new Linker(engine);
        linker.DefineFunction("host", "log", (int value) => Console.WriteLine($"hello from wasm, {value}"));
        Instance instance = linker.Instantiate(store, module);
        instance.GetFunction("greet")!.Invoke();
        Func<int, int> fib = instance.GetFunction("fib")!.AsFunc<int, int>();
        Console.WriteLine($"fib(20) = {fib(20)}");
        // README example end
    }
}
