using Engine.Core;
using NUnit.Framework;

namespace Engine.Tests.Foundation;

/// <summary>
/// Feeds truncated, bit-flipped and byte-inserted variants of every module of the spec suite (2.0, and 3.0 with the
/// generator's 3.0 modules) through decode and validate: only success or our two exception types may come out,
/// whatever the input. A module using a 3.0 feature that is switched off is refused with an error naming the feature.
/// </summary>
[TestFixture]
public sealed class DecoderMutationTests
{
    /// <summary>Variants of each kind per module: 3, or <c>WASM_MUTATION_VARIANTS</c> (a longer run by hand).</summary>
    private static readonly int s_variantsPerKind =
        int.TryParse(Environment.GetEnvironmentVariable("WASM_MUTATION_VARIANTS"), out int n) && n > 0 ? n : 3;

    [Test]
    public void OnlyOurExceptionTypesEscapeDecodeAndValidate()
    {
        string[] files = Directory.GetFiles(Path.Combine(TestPaths.TestSuite, "json"), "*.wasm", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        var random = new Random(20261130);
        int variants = 0, accepted = 0, malformed = 0, invalid = 0;
        foreach (string file in files)
        {
            byte[] original = File.ReadAllBytes(file);
            foreach (byte[] variant in Mutations(original, random))
            {
                variants++;
                try
                {
                    ModuleLoader.DecodeAndValidate(variant);
                    accepted++;
                }
                catch (MalformedModuleException e)
                {
                    malformed++;
                    Assert.That(e.Offset, Is.InRange(0, variant.Length), $"{file}: offset outside the binary");
                }
                catch (InvalidModuleException e)
                {
                    invalid++;
                    Assert.That(e.Offset, Is.InRange(0, variant.Length), $"{file}: offset outside the binary");
                }
                catch (Exception e)
                {
                    Assert.Fail($"{Path.GetFileName(file)}: {e.GetType().Name} escaped for a mutated binary: {e}");
                }
            }
        }
        TestContext.Out.WriteLine($"{variants} variants of {files.Length} modules: {accepted} accepted, {malformed} malformed, {invalid} invalid");
        Assert.That(variants, Is.GreaterThan(10_000));
        Assert.That(malformed, Is.GreaterThan(0));
        Assert.That(invalid, Is.GreaterThan(0));
    }

    /// <summary>
    /// The same over WebAssembly 3.0 modules: every module of the 3.0 scripts that pass (typed references, tail calls,
    /// exceptions, the legacy exception instructions, multiple and 64-bit memories, 64-bit tables, relaxed SIMD; the modules that must be valid and the
    /// binary ones that must not) and modules of the fuzz generator with all its 3.0 options. What still validates is
    /// also loaded by a baseline and an optimizing engine (which compile every function at load): a compiler may refuse
    /// a function for a known reason (it stays interpreted), but not fail (<see cref="CompileFailureReason.CompilerError"/>),
    /// and nothing else may come out.
    /// </summary>
    [Test]
    public void OnlyOurExceptionTypesEscapeFor30Modules()
    {
        List<(string Name, byte[] Bytes)> modules = Wasm3Modules();
        var random = new Random(20261207);
        var compiled = new[] { new Runtime.WasmEngine(new Runtime.EngineConfig { Tier = Runtime.TierMode.Baseline }),
            new Runtime.WasmEngine(new Runtime.EngineConfig { Tier = Runtime.TierMode.Optimizing }) };
        int variants = 0, accepted = 0, malformed = 0, invalid = 0;
        var fallbacks = new Dictionary<CompileFailureReason, int>();
        foreach ((string name, byte[] original) in modules)
        {
            foreach (byte[] variant in Mutations(original, random))
            {
                variants++;
                try
                {
                    ModuleLoader.DecodeAndValidate(variant);
                    accepted++;
                }
                catch (MalformedModuleException e)
                {
                    malformed++;
                    Assert.That(e.Offset, Is.InRange(0, variant.Length), $"{name}: offset outside the binary");
                    continue;
                }
                catch (InvalidModuleException e)
                {
                    invalid++;
                    Assert.That(e.Offset, Is.InRange(0, variant.Length), $"{name}: offset outside the binary");
                    continue;
                }
                catch (Exception e)
                {
                    Assert.Fail($"{name}: {e.GetType().Name} escaped for a mutated binary: {e}");
                }
                // Valid: through the compilers too (they compile each function at load).
                foreach (Runtime.WasmEngine engine in compiled)
                {
                    try
                    {
                        var loaded = Runtime.Module.FromBytes(engine, variant);
                        foreach ((uint function, CompileFailure failure) in loaded.TierFallbacks)
                        {
                            Assert.That(failure.Reason, Is.Not.EqualTo(CompileFailureReason.CompilerError),
                                $"{name}: the {engine.Config.Tier} compiler failed on function {function} of a mutated valid binary: {failure.Detail}");
                            fallbacks[failure.Reason] = fallbacks.GetValueOrDefault(failure.Reason) + 1;
                        }
                    }
                    catch (WasmException)
                    {
                        // An implementation limit (say) is a typed refusal.
                    }
                    catch (Exception e)
                    {
                        Assert.Fail($"{name}: {e.GetType().Name} escaped compiling a mutated valid binary ({engine.Config.Tier}): {e}");
                    }
                }
            }
        }
        TestContext.Out.WriteLine($"{variants} variants of {modules.Count} 3.0 modules: {accepted} accepted, {malformed} malformed, {invalid} invalid; " +
                                  $"functions left to the interpreter: {string.Join(", ", fallbacks.Select(p => $"{p.Key} {p.Value}"))}");
        Assert.That(modules.Count, Is.GreaterThan(1000));
        Assert.That(malformed, Is.GreaterThan(0));
        Assert.That(invalid, Is.GreaterThan(0));
    }

    /// <summary>The binary modules of the 3.0 scripts that pass whole (Spec30Passing.txt), and 100 of the generator's.</summary>
    private static List<(string Name, byte[] Bytes)> Wasm3Modules()
    {
        var modules = new List<(string, byte[])>();
        string core = Path.Combine(Spec.Spec30Suite.Root, "core");
        if (!Directory.Exists(core))
        {
            Assert.Fail($"The WebAssembly 3.0 spec test suite was not found at '{Spec.Spec30Suite.Root}' (set WASM_TESTSUITE_3 to its folder).");
        }
        // The passing core scripts and the legacy exception scripts (try, catch, delegate, rethrow).
        string legacy = Path.Combine(Spec.Spec30Suite.Root, "legacy");
        IEnumerable<string> paths = Spec.Spec30Suite.Passing.Order(StringComparer.Ordinal).Select(Spec.Spec30Suite.ScriptPath)
            .Concat(Directory.Exists(legacy) ? Directory.GetFiles(legacy, "*.wast").Order(StringComparer.Ordinal) : []);
        foreach (string path in paths)
        {
            string script = Path.GetFileNameWithoutExtension(path);
            foreach (Engine.Wast.Scripts.ScriptCommand command in Engine.Wast.Scripts.WastParser.ParseScript(File.ReadAllText(path), script + ".wast", keepGoing: true))
            {
                if (command.Module is not { } module)
                {
                    continue;
                }
                byte[]? bytes = module.Binary;
                if (bytes is null && module.Text is not null && command.Kind != Engine.Wast.Scripts.ScriptCommandKind.AssertMalformed)
                {
                    try
                    {
                        bytes = Engine.Text.WatParser.ParseModule(module.Text);
                    }
                    catch (Engine.Text.TextFormatException)
                    {
                        // A text module that must be invalid may not even parse: nothing to mutate.
                    }
                }
                if (bytes is not null)
                {
                    modules.Add(($"{script}:{command.Line}", bytes));
                }
            }
        }
        for (int seed = 0; seed < 100; seed++)
        {
            string text = new Engine.Fuzz.Generation.ModuleGenerator(new Random(seed), simd: seed % 2 == 0, canonicalNaNs: false,
                Engine.Fuzz.Generation.ModuleGenerator.Options.All).Generate();
            modules.Add(($"generator {seed}", Engine.Text.WatParser.ParseModule(text)));
        }
        return modules;
    }

    /// <summary>
    /// Modules each using one 3.0 feature, by its command-line name (<c>--wasm NAME=n</c>): with that feature switched off
    /// they are refused with our typed error, and its message names the feature.
    /// </summary>
    private static readonly (string Feature, WasmFeatures Flag, string Module)[] s_featureModules =
    [
        ("extended-const", WasmFeatures.ExtendedConst, "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))"),
        ("extended-const", WasmFeatures.ExtendedConst, "(module (global i64 (i64.mul (i64.const 3) (i64.const 2))))"),
        ("extended-const", WasmFeatures.ExtendedConst, "(module (global i32 (i32.const 1)) (global i32 (global.get 0)))"),
        ("function-references", WasmFeatures.FunctionReferences, "(module (type $t (func)) (func (param (ref null $t))))"),
        ("function-references", WasmFeatures.FunctionReferences, "(module (type $t (func)) (func (local (ref null $t)) (call_ref $t (local.get 0))))"),
        ("function-references", WasmFeatures.FunctionReferences, "(module (func (param funcref) (drop (ref.as_non_null (local.get 0)))))"),
        ("function-references", WasmFeatures.FunctionReferences, "(module (func (param funcref) (block (br_on_null 0 (local.get 0)) (drop))))"),
        ("function-references", WasmFeatures.FunctionReferences, "(module (type $t (func)) (table 1 (ref null $t)))"),
        ("multi-memory", WasmFeatures.MultiMemory, "(module (memory 1) (memory $m 1))"),
        ("multi-memory", WasmFeatures.MultiMemory, "(module (import \"m\" \"a\" (memory 1)) (memory 1))"),
        ("memory64", WasmFeatures.Memory64, "(module (memory i64 1))"),
        ("memory64", WasmFeatures.Memory64, "(module (table i64 1 funcref))"),
        ("memory64", WasmFeatures.Memory64, "(module (import \"m\" \"a\" (memory i64 1)))"),
        ("relaxed-simd", WasmFeatures.RelaxedSimd, "(module (func (param v128 v128) (result v128) (i8x16.relaxed_swizzle (local.get 0) (local.get 1))))"),
        ("relaxed-simd", WasmFeatures.RelaxedSimd, "(module (func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))"),
        ("tail-call", WasmFeatures.TailCall, "(module (func $f (return_call $f)))"),
        ("tail-call", WasmFeatures.TailCall, "(module (type $t (func)) (table 1 funcref) (func (return_call_indirect (type $t) (i32.const 0))))"),
        ("tail-call", WasmFeatures.TailCall, "(module (type $t (func)) (func (param (ref null $t)) (return_call_ref $t (local.get 0))))"),
        ("exceptions", WasmFeatures.Exceptions, "(module (tag))"),
        ("exceptions", WasmFeatures.Exceptions, "(module (import \"m\" \"t\" (tag)))"),
        ("exceptions", WasmFeatures.Exceptions, "(module (tag $e (param i32)) (func (throw $e (i32.const 1))))"),
        ("exceptions", WasmFeatures.Exceptions, "(module (func (block (try_table (catch_all 0)))))"),
        ("exceptions", WasmFeatures.Exceptions, "(module (func (param exnref) (throw_ref (local.get 0))))"),
        ("exceptions", WasmFeatures.Exceptions, "(module (func (local exnref)))"),
        ("exceptions", WasmFeatures.Exceptions, "(module (func (result exnref) (ref.null exn)))"),
        ("legacy-exceptions", WasmFeatures.LegacyExceptions, "(module (func (try (do) (catch_all))))"),
        ("legacy-exceptions", WasmFeatures.LegacyExceptions, "(module (func (try (do) (delegate 0))))"),
        ("legacy-exceptions", WasmFeatures.LegacyExceptions, "(module (tag) (func (try (do) (catch 0 (rethrow 0)))))"),
    ];

    public static IEnumerable<TestCaseData> FeatureModules() =>
        s_featureModules.Select((m, i) => new TestCaseData(i).SetName($"DisabledFeatureIsNamed({m.Feature} {i}: {m.Module[8..Math.Min(m.Module.Length, 60)]})"));

    [TestCaseSource(nameof(FeatureModules))]
    public void DisabledFeatureIsNamed(int index)
    {
        (string feature, WasmFeatures flag, string text) = s_featureModules[index];
        byte[] module = Engine.Text.WatParser.ParseModule(text);
        Assert.That(() => ModuleLoader.DecodeAndValidate(module), Throws.Nothing, "valid with every feature on");
        WasmException? error = null;
        try
        {
            ModuleLoader.DecodeAndValidate(module, WasmFeatures.Default & ~flag);
        }
        catch (Exception e) when (e is MalformedModuleException or InvalidModuleException)
        {
            error = (WasmException)e;
        }
        Assert.That(error, Is.Not.Null, $"accepted with {feature} off");
        Assert.That(error!.Message, Does.Contain(feature), $"the error does not name the feature");
    }

    private static IEnumerable<byte[]> Mutations(byte[] original, Random random)
    {
        if (original.Length == 0)
        {
            yield break;
        }
        for (int i = 0; i < s_variantsPerKind; i++)
        {
            yield return original[..random.Next(original.Length)];

            byte[] flipped = (byte[])original.Clone();
            int at = random.Next(flipped.Length);
            flipped[at] ^= (byte)(1 << random.Next(8));
            yield return flipped;

            int insertAt = random.Next(original.Length + 1);
            byte[] inserted = new byte[original.Length + 1];
            original.AsSpan(0, insertAt).CopyTo(inserted);
            inserted[insertAt] = (byte)random.Next(256);
            original.AsSpan(insertAt).CopyTo(inserted.AsSpan(insertAt + 1));
            yield return inserted;
        }
    }
}
