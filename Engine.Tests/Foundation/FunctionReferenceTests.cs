using Engine.Core;
using Engine.Runtime;
using Engine.Text;
using NUnit.Framework;

namespace Engine.Tests.Foundation;

/// <summary>
/// Typed function references (3.0) through the embedding API: the instructions in every tier (no function left to the
/// interpreter), host functions taking and giving typed references, and linking of typed globals, tables and functions
/// across modules (canonical types, subtyping, clear errors).
/// </summary>
[TestFixture]
public sealed class FunctionReferenceTests
{
    private static IEnumerable<TestCaseData> Tiers()
    {
        yield return new TestCaseData(new EngineConfig { Tier = TierMode.Interpreter }).SetName("{m}(interpreter)");
        yield return new TestCaseData(new EngineConfig { Tier = TierMode.Baseline }).SetName("{m}(baseline)");
        yield return new TestCaseData(new EngineConfig { Tier = TierMode.Optimizing }).SetName("{m}(optimizing)");
        yield return new TestCaseData(new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, TierUpOptimizeThreshold = 1, BackgroundCompilation = false,
        }).SetName("{m}(tiered)");
    }

    private const string Program = """
        (module
          (type $ii (func (param i32) (result i32)))
          (func $double (type $ii) (i32.add (local.get 0) (local.get 0)))
          (func $negate (type $ii) (i32.sub (i32.const 0) (local.get 0)))
          (table $fs 2 (ref $ii) (ref.func $double))
          (elem (table $fs) (i32.const 1) (ref $ii) (ref.func $negate))
          (global $chosen (mut (ref null $ii)) (ref.null $ii))
          (func (export "apply") (param $which i32) (param $x i32) (result i32)
            (local $f (ref $ii))
            (local.set $f (table.get $fs (local.get $which)))
            (call_ref $ii (local.get $x) (local.get $f)))
          (func (export "choose") (param $which i32)
            (global.set $chosen (table.get $fs (local.get $which))))
          (func (export "call-chosen") (param $x i32) (result i32)
            (call_ref $ii (local.get $x) (ref.as_non_null (global.get $chosen))))
          (func (export "or-default") (param $x i32) (result i32)
            (block $null
              (return (call_ref $ii (local.get $x) (br_on_null $null (global.get $chosen)))))
            (i32.const -1))
          (func (export "if-set") (param $x i32) (result i32)
            (call_ref $ii (local.get $x)
              (block $set (result (ref $ii))
                (br_on_non_null $set (global.get $chosen))
                (return (i32.const -2)))))
          (func (export "loop") (param $n i32) (result i32)
            (local $acc i32)
            (loop $again
              (local.set $acc (call_ref $ii (i32.add (local.get $acc) (i32.const 1)) (table.get $fs (i32.const 0))))
              (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
            (local.get $acc))
          (func (export "null-call") (result i32)
            (call_ref $ii (i32.const 1) (ref.null $ii))))
        """;

    [TestCaseSource(nameof(Tiers))]
    public void TheInstructionsRunInEveryTier(EngineConfig config)
    {
        var engine = new WasmEngine(config);
        using var store = new Store(engine);
        Module module = Module.FromText(engine, Program);
        Instance instance = new Linker(engine).Instantiate(store, module);
        int Call(string name, params int[] args) => instance.GetFunction(name)!.Invoke(args.Select(Value.I32).ToArray())[0].AsI32();

        Assert.That(Call("apply", 0, 21), Is.EqualTo(42));
        Assert.That(Call("apply", 1, 5), Is.EqualTo(-5));
        Assert.That(Call("or-default", 5), Is.EqualTo(-1), "br_on_null takes the branch on null");
        Assert.That(Call("if-set", 5), Is.EqualTo(-2), "br_on_non_null falls through on null");
        var trap = Assert.Throws<TrapException>(() => Call("call-chosen", 5))!;
        Assert.That(trap.Code, Is.EqualTo(TrapCode.NullReference));
        trap = Assert.Throws<TrapException>(() => Call("null-call"))!;
        Assert.That(trap.Code, Is.EqualTo(TrapCode.NullFunctionReference));
        Assert.That(trap.Message, Does.Contain("null function reference"));

        instance.GetFunction("choose")!.Invoke(Value.I32(1));
        Assert.That(Call("call-chosen", 5), Is.EqualTo(-5));
        Assert.That(Call("or-default", 7), Is.EqualTo(-7), "br_on_null keeps a non-null reference");
        Assert.That(Call("if-set", 9), Is.EqualTo(-9), "br_on_non_null passes the reference to its label");
        Assert.That(Call("loop", 3), Is.EqualTo(14), "((0+1)*2+1)*2+1)*2");
        Assert.That(module.TierFallbacks, Is.Empty, "no function is left to the interpreter");
    }

    [TestCaseSource(nameof(Tiers))]
    public void HostFunctionsTakeAndGiveTypedReferences(EngineConfig config)
    {
        var engine = new WasmEngine(config);
        using var store = new Store(engine);
        ValType funcNonNull = RefTypes.Ref(AbstractHeapType.Func, nullable: false);
        ValType externNonNull = RefTypes.Ref(AbstractHeapType.Extern, nullable: false);
        Function? received = null;
        object? handBack = "box";
        var linker = new Linker(engine)
            .DefineFunction("host", "take", new FuncType([funcNonNull], []), (caller, args, results) => received = args[0].AsFuncRef())
            .DefineFunction("host", "give", new FuncType([], [externNonNull]), (caller, args, results) => results[0] = Value.ExternRef(handBack));
        Module module = Module.FromText(engine, """
            (module
              (import "host" "take" (func $take (param (ref func))))
              (import "host" "give" (func $give (result (ref extern))))
              (func $f (export "f") (result i32) (i32.const 3))
              (elem declare func $f)
              (func (export "pass") (call $take (ref.func $f)))
              (func (export "get") (result (ref extern)) (call $give)))
            """);
        Instance instance = linker.Instantiate(store, module);
        instance.GetFunction("pass")!.Invoke();
        Assert.That(received, Is.Not.Null);
        Assert.That(received!.Invoke()[0].AsI32(), Is.EqualTo(3));
        Assert.That(instance.GetFunction("get")!.Invoke()[0].AsExternRef(), Is.EqualTo("box"));

        // A null where the type allows none is the host's error, with the type in the message; the store stays usable.
        handBack = null;
        var error = Assert.Throws<ArgumentException>(() => instance.GetFunction("get")!.Invoke())!;
        Assert.That(error.Message, Does.Contain("non-null").And.Contain("(ref extern)"));
        handBack = "again";
        Assert.That(instance.GetFunction("get")!.Invoke()[0].AsExternRef(), Is.EqualTo("again"));
        // Calling a wasm function with null for a non-nullable parameter is refused before it runs.
        Module takes = Module.FromText(engine, "(module (func (export \"f\") (param (ref func))))");
        Instance other = new Linker(engine).Instantiate(store, takes);
        error = Assert.Throws<ArgumentException>(() => other.GetFunction("f")!.Invoke(Value.FuncRef(null)))!;
        Assert.That(error.Message, Does.Contain("non-null"));
    }

    [Test]
    public void TypedGlobalsAndTablesLinkByCanonicalTypeAndSubtyping()
    {
        var engine = new WasmEngine();
        using var store = new Store(engine);
        var linker = new Linker(engine);
        Instance exporter = linker.Instantiate(store, Module.FromText(engine, """
            (module
              (type $t (func (result i32)))
              (func $f (type $t) (i32.const 11))
              (global (export "g") (ref $t) (ref.func $f))
              (global (export "mg") (mut (ref null $t)) (ref.null $t))
              (table (export "tab") 1 (ref null $t)))
            """));
        linker.DefineInstance("m", exporter);
        // Another module's $t at another index is the same type; an immutable global may be imported at a supertype.
        Instance importer = linker.Instantiate(store, Module.FromText(engine, """
            (module
              (type (func))
              (type $t (func (result i32)))
              (import "m" "g" (global $g (ref null $t)))
              (import "m" "mg" (global (mut (ref null $t))))
              (import "m" "tab" (table 1 (ref null $t)))
              (import "m" "g" (global funcref))
              (func (export "call") (result i32) (call_ref $t (global.get $g))))
            """));
        Assert.That(importer.GetFunction("call")!.Invoke()[0].AsI32(), Is.EqualTo(11));

        void Refused(string import, string expected)
        {
            var e = Assert.Throws<LinkException>(() => linker.Instantiate(store, Module.FromText(engine,
                $"(module (type $t (func (result i32))) (type $u (func (result i64))) {import})")))!;
            Assert.That(e.Reason, Is.EqualTo("incompatible import type"));
            Assert.That(e.Message, Does.Contain(expected));
        }
        // Another function type, a mutable global at a supertype (must be exact), a table of another element type.
        Refused("(import \"m\" \"g\" (global (ref $u)))", "\"m\" \"g\"");
        Refused("(import \"m\" \"mg\" (global (mut funcref)))", "global (mut funcref) required");
        Refused("(import \"m\" \"tab\" (table 1 funcref))", "\"m\" \"tab\"");
        Refused("(import \"m\" \"g\" (global (mut (ref $t))))", "\"m\" \"g\"");
    }

    [TestCaseSource(nameof(Tiers))]
    public void CallIndirectAcceptsADeclaredSubtype(EngineConfig config)
    {
        var engine = new WasmEngine(config);
        using var store = new Store(engine);
        Module module = Module.FromText(engine, """
            (module
              (type $super (sub (func (param i32) (result i32))))
              (type $mid (sub $super (func (param i32) (result i32))))
              (type $leaf (sub final $mid (func (param i32) (result i32))))
              (type $other (sub (func (param i32) (result i32) (result i32))))
              (func $s (type $leaf) (i32.add (local.get 0) (i32.const 5)))
              (func $m (type $mid) (i32.mul (local.get 0) (i32.const 3)))
              (func $p (type $super) (i32.sub (local.get 0) (i32.const 1)))
              (table 3 funcref)
              (elem (i32.const 0) $s $m $p)
              (func (export "as-super") (param $i i32) (param $x i32) (result i32)
                (call_indirect (type $super) (local.get $x) (local.get $i)))
              (func (export "as-mid") (param $i i32) (param $x i32) (result i32)
                (call_indirect (type $mid) (local.get $x) (local.get $i)))
              (func (export "as-leaf") (param $i i32) (param $x i32) (result i32)
                (call_indirect (type $leaf) (local.get $x) (local.get $i)))
              (func (export "as-other") (result i32)
                (call_indirect (type $other) (i32.const 1) (i32.const 0)) (drop))
              ;; Locals and operands live across the slow path's builtin call (registers the compilers keep).
              (func (export "sum") (param $n i32) (result i32)
                (local $acc i32) (local $k i32)
                (loop $again
                  (local.set $acc
                    (i32.add (local.get $acc)
                      (i32.add (local.get $k)
                        (call_indirect (type $super) (local.get $n) (i32.rem_u (local.get $n) (i32.const 3))))))
                  (local.set $k (i32.add (local.get $k) (i32.const 1)))
                  (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
                (i32.add (local.get $acc) (i32.mul (local.get $k) (i32.const 1000)))))
            """);
        Instance instance = new Linker(engine).Instantiate(store, module);
        int Call(string name, int i, int x) => instance.GetFunction(name)!.Invoke(Value.I32(i), Value.I32(x))[0].AsI32();
        void Traps(string name, int i, int x) =>
            Assert.That(Assert.Throws<TrapException>(() => Call(name, i, x))!.Code, Is.EqualTo(TrapCode.IndirectCallTypeMismatch), $"{name} {i}");
        for (int round = 0; round < 3; round++)
        {
            Assert.That(Call("as-super", 0, 10), Is.EqualTo(15));
            Assert.That(Call("as-super", 1, 10), Is.EqualTo(30));
            Assert.That(Call("as-super", 2, 10), Is.EqualTo(9));
            Assert.That(Call("as-mid", 0, 10), Is.EqualTo(15));
            Assert.That(Call("as-mid", 1, 10), Is.EqualTo(30));
            Traps("as-mid", 2, 10);
            Assert.That(Call("as-leaf", 0, 10), Is.EqualTo(15));
            // $leaf is final: a callee of any other type fails the exact compare and traps at once.
            Traps("as-leaf", 1, 10);
            Traps("as-leaf", 2, 10);
            var trap = Assert.Throws<TrapException>(() => instance.GetFunction("as-other")!.Invoke())!;
            Assert.That(trap.Code, Is.EqualTo(TrapCode.IndirectCallTypeMismatch));
            int expected = 0;
            for (int n = 20, k = 0; n != 0; n--, k++)
            {
                int r = (n % 3) switch { 0 => n + 5, 1 => n * 3, _ => n - 1 };
                expected += k + r;
            }
            Assert.That(instance.GetFunction("sum")!.Invoke(Value.I32(20))[0].AsI32(), Is.EqualTo(expected + 20 * 1000));
        }
        Assert.That(module.TierFallbacks, Is.Empty, "no function is left to the interpreter");
    }

    [Test]
    public void ThePrinterWritesTypedReferencesAndTableInitialisersBack()
    {
        byte[] binary = WatParser.ParseModule(Program);
        string printed = WatPrinter.Print(binary);
        Assert.That(printed, Does.Contain("(ref 0)").And.Contain("(ref null 0)").And.Contain("call_ref 0")
            .And.Contain("br_on_null").And.Contain("br_on_non_null").And.Contain("ref.as_non_null"));
        Assert.That(printed, Does.Match(@"\(table \(;0;\) 2 \(ref 0\) \(?ref\.func"), "the table's initialiser is printed");
        byte[] reparsed = WatParser.ParseModule(printed);
        Assert.That(WatPrinter.Print(reparsed), Is.EqualTo(printed));
        Assert.DoesNotThrow(() => ModuleLoader.DecodeAndValidate(reparsed));
    }
}
