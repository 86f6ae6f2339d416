using System.Text;
using Engine.Core;
using Engine.Runtime;
using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Wasi;

/// <summary>
/// WASI through the public embedding API: bound to one context, or to the store (one linker for
/// many stores, each with its own program and output), and the public pieces it is built on
/// (<see cref="Linker.DefineFunctionUnchecked"/>, <see cref="Caller.DefaultMemory"/>).
/// </summary>
[TestFixture]
public sealed class WasiEmbeddingTests
{
    private static string Hello => Path.Combine(TestPaths.RepositoryRoot, "examples", "hello", "hello.wasm");

    [Test]
    public void OneLinkerServesManyStoresEachWithItsOwnContext()
    {
        var engine = new WasmEngine();
        Module module = Module.FromFile(engine, Hello);
        Linker linker = new Linker(engine).DefineWasi();
        var outputs = new List<string>();
        foreach (string name in new[] { "first", "second", "third" })
        {
            var stdout = new MemoryStream();
            using var wasi = new WasiContext(new WasiConfig().WithArgs("hello", name).WithStdout(stdout));
            using var store = new Store(engine);
            store.SetWasi(wasi);
            Assert.That(store.GetWasi(), Is.SameAs(wasi));
            linker.Instantiate(store, module).GetFunction("_start")!.Invoke();
            outputs.Add(Encoding.UTF8.GetString(stdout.ToArray()));
        }
        Assert.That(outputs.Select(o => o.Split('\n')[0]), Is.EqualTo(new[]
        {
            "Hello, first! This is WebAssembly running on .NET.",
            "Hello, second! This is WebAssembly running on .NET.",
            "Hello, third! This is WebAssembly running on .NET.",
        }));
    }

    [Test]
    public void StoresRunInParallelThroughOneLinker()
    {
        var engine = new WasmEngine();
        Module module = Module.FromFile(engine, Hello);
        Linker linker = new Linker(engine).DefineWasi();
        string[] outputs = Enumerable.Range(0, 4).AsParallel().Select(i =>
        {
            var stdout = new MemoryStream();
            using var wasi = new WasiContext(new WasiConfig().WithArgs("hello", $"store{i}").WithStdout(stdout));
            using var store = new Store(engine);
            store.SetWasi(wasi);
            for (int run = 0; run < 3; run++)
            {
                linker.Instantiate(store, module).GetFunction("_start")!.Invoke();
            }
            return Encoding.UTF8.GetString(stdout.ToArray());
        }).ToArray();
        for (int i = 0; i < outputs.Length; i++)
        {
            Assert.That(outputs[i].Split('\n').Count(line => line.StartsWith($"Hello, store{i}!", StringComparison.Ordinal)), Is.EqualTo(3));
        }
    }

    [Test]
    public void TheContextCanComeFromTheEmbeddersStoreData()
    {
        var engine = new WasmEngine();
        Module module = Module.FromFile(engine, Hello);
        Linker linker = new Linker(engine).DefineWasi(store => ((HostState)store.Data!).Wasi);
        var stdout = new MemoryStream();
        using var wasi = new WasiContext(new WasiConfig().WithArgs("hello", "data").WithStdout(stdout));
        using var store = new Store(engine, data: new HostState(wasi));
        linker.Instantiate(store, module).GetFunction("_start")!.Invoke();
        Assert.That(Encoding.UTF8.GetString(stdout.ToArray()), Does.StartWith("Hello, data!"));
    }

    [Test]
    public void AStoreWithoutAContextFailsClearly()
    {
        var engine = new WasmEngine();
        Module module = Module.FromFile(engine, Hello);
        using var store = new Store(engine);
        Instance instance = new Linker(engine).DefineWasi().Instantiate(store, module);
        var e = Assert.Throws<InvalidOperationException>(() => instance.GetFunction("_start")!.Invoke());
        Assert.That(e!.Message, Does.Contain("SetWasi"));
        Assert.That(store.GetWasi(), Is.Null);
    }

    [Test]
    public void ProcExitReachesTheEmbedderInEveryShape()
    {
        var engine = new WasmEngine();
        Module module = Module.FromText(engine, """
            (module
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory 1)
              (func (export "_start") (call $exit (i32.const 3))))
            """);
        using var wasi = new WasiContext(new WasiConfig());
        foreach (Linker linker in new[] { new Linker(engine).DefineWasi(wasi), new Linker(engine).DefineWasi(), new Linker(engine).DefineWasi(_ => wasi) })
        {
            using var store = new Store(engine);
            store.SetWasi(wasi);
            Instance instance = linker.Instantiate(store, module);
            Assert.That(Assert.Throws<WasiExitException>(() => instance.GetFunction("_start")!.Invoke())!.ExitCode, Is.EqualTo(3));
        }
    }

    /// <summary>WASI reads memory 0 whether or not the module exports it, as before (wasmtime requires
    /// an export named "memory"; every toolchain makes one).</summary>
    [Test]
    public void CallerDefaultMemoryIsMemoryZeroExportedOrNot()
    {
        var engine = new WasmEngine();
        Module module = Module.FromText(engine, """
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
              (memory 1)
              (data (i32.const 0) "\08\00\00\00\03\00\00\00hi\0a")
              (func (export "_start") (result i32) (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16))))
            """);
        var stdout = new MemoryStream();
        using var wasi = new WasiContext(new WasiConfig().WithStdout(stdout));
        using var store = new Store(engine);
        Instance instance = new Linker(engine).DefineWasi(wasi).Instantiate(store, module);
        Assert.That(instance.GetFunction("_start")!.Invoke()[0].AsI32(), Is.EqualTo(0));
        Assert.That(Encoding.UTF8.GetString(stdout.ToArray()), Is.EqualTo("hi\n"));
    }

    [Test]
    public void UncheckedHostFunctionsTakeAndReturnRawSlots()
    {
        var engine = new WasmEngine();
        Module module = Module.FromText(engine, """
            (module
              (import "host" "mix" (func $mix (param i32 i64 f64) (result i64)))
              (import "host" "peek" (func $peek (result i32)))
              (memory 1)
              (data (i32.const 4) "\2a")
              (func (export "mix") (result i64) (call $mix (i32.const -1) (i64.const 10) (f64.const 0.5)))
              (func (export "peek") (result i32) (call $peek)))
            """);
        var linker = new Linker(engine);
        linker.DefineFunctionUnchecked("host", "mix", new FuncType([ValType.I32, ValType.I64, ValType.F64], [ValType.I64]), (caller, slots) =>
        {
            int a = (int)slots[0];
            long b = (long)slots[1];
            double c = BitConverter.UInt64BitsToDouble(slots[2]);
            slots[0] = (ulong)(a + b + (long)(c * 10));
        });
        linker.DefineFunctionUnchecked("host", "peek", new FuncType([], [ValType.I32]), (caller, slots) =>
            slots[0] = caller.DefaultMemory!.Span[4]);
        using var store = new Store(engine);
        Instance instance = linker.Instantiate(store, module);
        Assert.That(instance.GetFunction("mix")!.Invoke()[0].AsI64(), Is.EqualTo(14));
        Assert.That(instance.GetFunction("peek")!.Invoke()[0].AsI32(), Is.EqualTo(42));
        Assert.Throws<ArgumentException>(() => linker.DefineFunctionUnchecked("host", "ref", new FuncType([ValType.ExternRef], []), (_, _) => { }));
    }

    private sealed record HostState(WasiContext Wasi);
}
