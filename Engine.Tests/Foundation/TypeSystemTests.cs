using Engine.Core;
using Engine.Runtime;
using Engine.Text;
using NUnit.Framework;

namespace Engine.Tests.Foundation;

/// <summary>
/// The 3.0 type representation: reference types in one <see cref="ValType"/> word, recursive groups and declared
/// subtypes in the type section, iso-recursive canonical ids across modules, subtyping in validation and linking.
/// </summary>
[TestFixture]
public sealed class TypeSystemTests
{
    [Test]
    public void ReferenceTypesKeepThe20EncodingsAndTakeApart()
    {
        Assert.That(RefTypes.Ref(AbstractHeapType.Func, nullable: true), Is.EqualTo(ValType.FuncRef));
        Assert.That(RefTypes.Ref(AbstractHeapType.Extern, nullable: true), Is.EqualTo(ValType.ExternRef));
        ValType typed = RefTypes.Ref(5, nullable: false);
        Assert.That(typed.IsReference() && typed.IsConcrete() && !typed.IsNullable(), Is.True);
        Assert.That(typed.TypeIndex(), Is.EqualTo(5u));
        Assert.That(typed.ToWatName(), Is.EqualTo("(ref 5)"));
        Assert.That(typed.Erased(), Is.EqualTo(ValType.FuncRef));
        Assert.That(RefTypes.Ref(AbstractHeapType.NoExtern, nullable: false).Erased(), Is.EqualTo(ValType.ExternRef));
        Assert.That(ValType.I32.IsReference(), Is.False);
    }

    private const string Group = """
        (rec
          (type $a (func (param (ref null $b)) (result i32)))
          (type $b (func (param (ref $a)))))
        """;

    [Test]
    public void EqualRecursiveGroupsGetOneCanonicalIdAcrossModules()
    {
        var engine = new WasmEngine();
        Module first = Module.FromText(engine, $"(module {Group})");
        // Other types before it shift its type indices; the group is the same type.
        Module second = Module.FromText(engine, $"(module (type (func)) (type (func (param i64))) {Group})");
        Assert.That(second.CanonicalTypeIds[2..], Is.EqualTo(first.CanonicalTypeIds));
        // The same function types in another group structure are other types.
        Module swapped = Module.FromText(engine, """
            (module (rec (type $b (func (param (ref $a)))) (type $a (func (param (ref null $b)) (result i32)))))
            """);
        Assert.That(swapped.CanonicalTypeIds, Is.Not.EqualTo(first.CanonicalTypeIds));
        Module alone = Module.FromText(engine, "(module (type (func (param i64))))");
        Assert.That(alone.CanonicalTypeIds[0], Is.EqualTo(second.CanonicalTypeIds[1]));
    }

    [Test]
    public void ImportsMatchDeclaredSubtypesAndNothingElse()
    {
        var engine = new WasmEngine();
        var store = new Store(engine);
        var linker = new Linker(engine);
        Instance exporter = linker.Instantiate(store, Module.FromText(engine, """
            (module
              (type $super (sub (func (param i32))))
              (type $sub (sub final $super (func (param i32))))
              (func (export "sub") (type $sub))
              (func (export "plain") (param i32)))
            """));
        linker.DefineInstance("m", exporter);
        const string importer = """
            (module
              (type $super (sub (func (param i32))))
              (import "m" "{0}" (func (type $super))))
            """;
        Assert.DoesNotThrow(() => linker.Instantiate(store, Module.FromText(engine, string.Format(importer, "sub"))));
        // A plain (final) type is not the open $super, though both are [i32] -> [].
        Assert.Throws<LinkException>(() => linker.Instantiate(store, Module.FromText(engine, string.Format(importer, "plain"))));
    }

    [TestCase("(type $f (func)) (type (sub $f (func)))", "final")]
    [TestCase("(type (sub 1 (func))) (type (sub (func)))", "supertype")]
    [TestCase("(type $f (sub (func (result i32)))) (type (sub $f (func (result i64))))", "does not match")]
    [TestCase("(type (func (param (ref 3))))", "unknown type")]
    public void InvalidTypeSectionsAreRejected(string types, string message)
    {
        var error = Assert.Throws<InvalidModuleException>(() => ModuleLoader.DecodeAndValidate(WatParser.ParseModule($"(module {types})")));
        Assert.That(error!.Message, Does.Contain(message));
    }

    [Test]
    public void ValuesOfSubtypesPassWhereTheirSupertypesAreExpected()
    {
        Assert.DoesNotThrow(() => ModuleLoader.DecodeAndValidate(WatParser.ParseModule("""
            (module
              (type $t (func))
              (func $f (param (ref null $t)) (result funcref) (local.get 0))
              (func (param (ref null nofunc)) (result (ref null $t)) (local.get 0)))
            """)));
        Assert.Throws<InvalidModuleException>(() => ModuleLoader.DecodeAndValidate(WatParser.ParseModule("""
            (module (type $t (func)) (func (param funcref) (result (ref null $t)) (local.get 0)))
            """)));
        Assert.Throws<InvalidModuleException>(() => ModuleLoader.DecodeAndValidate(WatParser.ParseModule("""
            (module (type $t (func)) (func (param (ref null $t)) (result (ref $t)) (local.get 0)))
            """)));
    }

    [Test]
    public void The20RulesRejectTypedReferences()
    {
        byte[] binary = WatParser.ParseModule("(module (type $t (func)) (func (param (ref null $t))))");
        Assert.Throws<MalformedModuleException>(() => ModuleLoader.DecodeAndValidate(binary, WasmFeatures.Wasm2));
        Assert.DoesNotThrow(() => ModuleLoader.DecodeAndValidate(binary));
    }

    [Test]
    public void AnInlineSignatureNamesAPlainTypeOutsideRecursiveGroups()
    {
        ModuleInfo module = ModuleLoader.DecodeAndValidate(WatParser.ParseModule("""
            (module (rec (type (func)) (type (func (param i32)))) (type (sub (func))) (func (param i32)) (func))
            """));
        // Neither the group's types nor the open subtype are the inline signatures' types: new ones are appended.
        Assert.That(module.FunctionTypeIndices, Is.EqualTo(new uint[] { 3, 4 }));
    }

    [Test]
    public void RecursiveGroupsAndSubtypesPrintAndParseBack()
    {
        byte[] binary = WatParser.ParseModule($"(module {Group} (type $s (sub (func))) (type (sub final $s (func))))");
        string printed = WatPrinter.Print(binary);
        Assert.That(printed, Does.Contain("(rec").And.Contain("(sub final 2 (func"));
        Assert.That(WatParser.ParseModule(printed), Is.EqualTo(binary));
    }
}
