using System.Runtime.Intrinsics;
using Engine.Core;
using Engine.Runtime;
using NUnit.Framework;

namespace Engine.Tests.Api;

/// <summary>The embedding API: modules, host functions of every type, typed wrappers, memories, tables, globals, errors.</summary>
[TestFixture]
public sealed class EmbeddingApiTests
{
    private static (Store Store, Instance Instance) Instantiate(string wat, Action<Linker>? define = null, EngineConfig? config = null)
    {
        var engine = new WasmEngine(config);
        var store = new Store(engine);
        var linker = new Linker(engine);
        define?.Invoke(linker);
        return (store, linker.Instantiate(store, Module.FromText(engine, wat)));
    }

    [Test]
    public void ModuleDescribesItsImportsAndExports()
    {
        var engine = new WasmEngine();
        Module module = Module.FromText(engine, """
            (module
              (import "env" "f" (func (param i32 f64) (result i64)))
              (import "env" "t" (table 1 funcref))
              (memory (export "mem") 1 3)
              (global (export "g") (mut f32) (f32.const 1))
              (func (export "h") (param externref) (result funcref) ref.null func))
            """);

        Assert.That(module.Imports.Select(i => $"{i.Module}.{i.Name}: {i.Type}"),
            Is.EqualTo(new[] { "env.f: func [i32 f64] -> [i64]", "env.t: table 1 funcref" }));
        Assert.That(module.Exports.Select(e => $"{e.Name}: {e.Type}"),
            Is.EqualTo(new[] { "mem: memory 1 3", "g: global (mut f32)", "h: func [externref] -> [funcref]" }));
    }

    [Test]
    public void HostFunctionsTakeAndReturnEveryValueType()
    {
        object token = new();
        var (store, instance) = Instantiate("""
            (module
              (import "host" "i32" (func $i32 (param i32) (result i32)))
              (import "host" "i64" (func $i64 (param i64) (result i64)))
              (import "host" "f32" (func $f32 (param f32) (result f32)))
              (import "host" "f64" (func $f64 (param f64) (result f64)))
              (import "host" "v128" (func $v128 (param v128) (result v128)))
              (import "host" "extern" (func $extern (param externref) (result externref)))
              (import "host" "func" (func $func (param funcref) (result funcref)))
              (import "host" "multi" (func $multi (param i32 i64) (result i64 i32)))
              (func (export "i32") (param i32) (result i32) (call $i32 (local.get 0)))
              (func (export "i64") (param i64) (result i64) (call $i64 (local.get 0)))
              (func (export "f32") (param f32) (result f32) (call $f32 (local.get 0)))
              (func (export "f64") (param f64) (result f64) (call $f64 (local.get 0)))
              (func (export "v128") (param v128) (result v128) (call $v128 (local.get 0)))
              (func (export "extern") (param externref) (result externref) (call $extern (local.get 0)))
              (func (export "func") (param funcref) (result funcref) (call $func (local.get 0)))
              (func (export "multi") (param i32 i64) (result i64 i32) (call $multi (local.get 0) (local.get 1))))
            """, linker => linker
            .DefineFunction("host", "i32", (int x) => x + 1)
            .DefineFunction("host", "i64", (long x) => x * 2)
            .DefineFunction("host", "f32", (float x) => x / 2)
            .DefineFunction("host", "f64", (double x) => -x)
            .DefineFunction("host", "v128", (Vector128<byte> v) => v ^ Vector128<byte>.AllBitsSet)
            .DefineFunction("host", "extern", (object? o) => o)
            .DefineFunction("host", "func", (Function? f) => f)
            .DefineFunction("host", "multi", (int a, long b) => (b + a, a - 1)));
        using (store)
        {
            Assert.That(instance.GetFunction("i32")!.AsFunc<int, int>()(41), Is.EqualTo(42));
            Assert.That(instance.GetFunction("i64")!.AsFunc<long, long>()(1L << 40), Is.EqualTo(1L << 41));
            Assert.That(instance.GetFunction("f32")!.AsFunc<float, float>()(3f), Is.EqualTo(1.5f));
            Assert.That(instance.GetFunction("f64")!.AsFunc<double, double>()(2.5), Is.EqualTo(-2.5));
            Assert.That(instance.GetFunction("v128")!.AsFunc<Vector128<byte>, Vector128<byte>>()(Vector128<byte>.Zero), Is.EqualTo(Vector128<byte>.AllBitsSet));
            Assert.That(instance.GetFunction("extern")!.AsFunc<object?, object?>()(token), Is.SameAs(token));
            Assert.That(instance.GetFunction("extern")!.Invoke(Value.ExternRef(null))[0].IsNull, Is.True);
            Function self = instance.GetFunction("i32")!;
            Assert.That(instance.GetFunction("func")!.Invoke(Value.FuncRef(self))[0].AsFuncRef(), Is.EqualTo(self));
            Assert.That(instance.GetFunction("multi")!.AsFunc<int, long, (long, int)>()(5, 10), Is.EqualTo((15L, 4)));
            Value[] results = instance.GetFunction("multi")!.Invoke(Value.I32(1), Value.I64(2));
            Assert.That(results.Select(r => r.ToString()), Is.EqualTo(new[] { "i64:3", "i32:0" }));
        }
    }

    /// <summary>
    /// Value tuples of every kind of element, references among numbers, in both directions: the typed API builds them
    /// without generating code at run time (what a NativeAOT program can run).
    /// </summary>
    [Test]
    public void TuplesOfEveryKindCrossBothWays()
    {
        var (store, instance) = Instantiate("""
            (module
              (import "host" "mixed" (func $mixed (param i32) (result f32 externref i64 v128 funcref f64 i32)))
              (func $self (export "self") (param i32) (result f32 externref i64 v128 funcref f64 i32) (call $mixed (local.get 0)))
              (func (export "refs") (param externref externref) (result externref externref i32)
                (local.get 1) (local.get 0) (i32.const 7)))
            """, linker => linker.DefineFunction("host", "mixed", (Caller caller, uint x) =>
                (x / 2f, $"s{x}", -(long)x, Vector128.Create((byte)x), caller.Instance!.GetFunction("self"), x * 0.25, x + 1)));
        using (store)
        {
            var mixed = instance.GetFunction("self")!.AsFunc<uint, (float, string, long, Vector128<byte>, Function?, double, uint)>();
            var (f, s, l, v, fn, d, u) = mixed(6);
            Assert.That((f, s, l, v, d, u), Is.EqualTo((3f, "s6", -6L, Vector128.Create((byte)6), 1.5, 7u)));
            Assert.That(fn, Is.EqualTo(instance.GetFunction("self")));
            var refs = instance.GetFunction("refs")!.AsFunc<string, object, (object, string, int)>();
            var list = new List<int>();
            Assert.That(refs("a", list), Is.EqualTo(((object)list, "a", 7)));
            Assert.That(() => refs("a", "b"), Throws.Nothing);
            var wrong = instance.GetFunction("refs")!.AsFunc<string, object, (string, string, int)>();
            Assert.That(() => wrong("a", list), Throws.InstanceOf<InvalidCastException>());
        }
    }

    [Test]
    public void UntypedHostFunctionsSeeTheirCaller()
    {
        Instance? seen = null;
        var (store, instance) = Instantiate("""
            (module
              (import "host" "peek" (func $peek (param i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "hello")
              (func (export "run") (result i32) (call $peek (i32.const 16))))
            """, linker => linker.DefineFunction("host", "peek", new FuncType([ValType.I32], [ValType.I32]), (caller, args, results) =>
            {
                seen = caller.Instance;
                results[0] = Value.I32(caller.GetMemory()!.ReadString(args[0].AsI32(), 5) == "hello" ? 1 : 0);
            }));
        using (store)
        {
            Assert.That(instance.GetFunction("run")!.Invoke()[0].AsI32(), Is.EqualTo(1));
            Assert.That(seen, Is.SameAs(instance));
        }
    }

    [Test]
    public void WrongArgumentsAreReportedNotCrashing()
    {
        var (store, instance) = Instantiate("""(module (func (export "f") (param i32) (result i32) local.get 0))""");
        using (store)
        {
            Function f = instance.GetFunction("f")!;
            Assert.Throws<ArgumentException>(() => f.Invoke());
            Assert.Throws<ArgumentException>(() => f.Invoke(Value.I64(1)));
            Assert.Throws<InvalidOperationException>(() => f.AsFunc<long, long>());
            Assert.That(f.Invoke(Value.I32(7))[0].AsI32(), Is.EqualTo(7), "the store stays usable");
        }
    }

    [Test]
    public void MissingAndMistypedImportsFailToLink()
    {
        var engine = new WasmEngine();
        using var store = new Store(engine);
        Module module = Module.FromText(engine, """(module (import "env" "f" (func (param i32))))""");
        var e1 = Assert.Throws<LinkException>(() => new Linker(engine).Instantiate(store, module))!;
        Assert.That(e1.Reason, Is.EqualTo("unknown import"));
        var linker = new Linker(engine).DefineFunction("env", "f", (long x) => { });
        var e2 = Assert.Throws<LinkException>(() => linker.Instantiate(store, module))!;
        Assert.That(e2.Reason, Is.EqualTo("incompatible import type"));
        Assert.That(e2.Message, Does.Contain("func [i32] -> [] required"));
    }

    [Test]
    public void MemoryApiReadsWritesAndGrows()
    {
        var (store, instance) = Instantiate("""
            (module (memory (export "memory") 1 4)
              (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
            """);
        using (store)
        {
            Memory memory = instance.GetMemory("memory")!;
            memory.WriteInt32(100, 12345);
            Assert.That(instance.GetFunction("load")!.AsFunc<int, int>()(100), Is.EqualTo(12345));
            Assert.That(memory.Grow(1), Is.EqualTo(1));
            Assert.That(memory.Length, Is.EqualTo(2 * 65536));
            Assert.That(instance.GetFunction("grow")!.AsFunc<int, int>()(2), Is.EqualTo(2));
            Assert.That(instance.GetFunction("grow")!.AsFunc<int, int>()(1), Is.EqualTo(-1), "past the maximum");
            Assert.That(memory.Pages, Is.EqualTo(4));
            memory.Span[4 * 65536 - 1] = 7;
            Assert.That(memory.Read<byte>(4 * 65536 - 1), Is.EqualTo(7));
            Assert.Throws<ArgumentOutOfRangeException>(() => memory.Read<int>(4 * 65536 - 2));
        }
    }

    [Test]
    public void TablesAndGlobalsAreReadableAndWritable()
    {
        var (store, instance) = Instantiate("""
            (module
              (table (export "t") 2 externref)
              (global (export "g") (mut i64) (i64.const 5))
              (global (export "c") i32 (i32.const 1))
              (func (export "get") (param i32) (result externref) (table.get (local.get 0)))
              (func (export "read") (result i64) global.get 0))
            """);
        using (store)
        {
            Table table = instance.GetTable("t")!;
            var payload = new List<int> { 1 };
            table.Set(1, Value.ExternRef(payload));
            Assert.That(instance.GetFunction("get")!.AsFunc<int, object?>()(1), Is.SameAs(payload));
            Assert.That(table.Get(0).IsNull, Is.True);
            Assert.That(table.Grow(3, Value.ExternRef("x")), Is.EqualTo(2));
            Assert.That(table.Get(4).AsExternRef(), Is.EqualTo("x"));

            Global g = instance.GetGlobal("g")!;
            g.Value = Value.I64(99);
            Assert.That(instance.GetFunction("read")!.AsFunc<long>()(), Is.EqualTo(99));
            Assert.Throws<InvalidOperationException>(() => instance.GetGlobal("c")!.Value = Value.I32(2));
        }
    }
}
