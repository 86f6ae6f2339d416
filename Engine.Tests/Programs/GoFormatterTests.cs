using System.Text;
using Engine.Runtime;
using NUnit.Framework;

namespace Engine.Tests.Programs;

/// <summary>
/// Go code compiled by TinyGo: the formatter of npm @wasm-fmt/gofmt (go/format and its parser and printer,
/// TinyGo's garbage collector and runtime), a reactor without imports, driven as its JS binding does. The
/// result code and text must equal what wasmtime produced (Programs/toolchains/gofmt/README.md).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class GoFormatterTests
{
    private static string Folder => Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Programs", "toolchains", "gofmt");

    [TestCase("small")]
    [TestCase("large")]
    [TestCase("broken")]
    public void FormatsLikeWasmtime(string name)
    {
        var engine = new WasmEngine();
        Module module = Module.FromFile(engine, Path.Combine(Folder, "gofmt.wasm"));
        using var store = new Store(engine);
        Instance instance = new Linker(engine).Instantiate(store, module);
        instance.GetFunction("_initialize")!.Invoke();
        string expected = File.ReadAllText(Path.Combine(Folder, name + ".expected"));
        byte[] source = File.ReadAllBytes(Path.Combine(Folder, name + ".go"));
        // several rounds in one instance: the collector reclaims what the previous round left
        for (int round = 0; round < 3; round++)
        {
            Assert.That(Format(instance, source), Is.EqualTo(expected), $"round {round}");
        }
    }

    private static string Format(Instance instance, byte[] source)
    {
        Memory memory = instance.GetMemory("memory")!;
        int pointer = instance.GetFunction("alloc")!.Invoke(source.Length)[0].AsI32();
        source.CopyTo(memory.GetSpan(pointer, source.Length));
        int result = instance.GetFunction("format")!.Invoke()[0].AsI32();
        int outputPointer = instance.GetFunction("output_ptr")!.Invoke()[0].AsI32();
        int outputLength = instance.GetFunction("output_len")!.Invoke()[0].AsI32();
        string text = Encoding.UTF8.GetString(memory.GetSpan(outputPointer, outputLength));
        instance.GetFunction("dispose")!.Invoke();
        return $"{result}\n{text}";
    }
}
