using Engine.Core;
using Engine.Optimizing;
using NUnit.Framework;

namespace Engine.Tests.Optimizing;

/// <summary>
/// Every function of every valid module of the spec suite through the optimizing tier's pipeline step by step, with
/// the IR verified after each pass and the allocation checked by symbolic execution, then compiled whole: no function
/// may fail.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class PipelineStressTests
{
    [TestCaseSource(typeof(TestPaths), nameof(TestPaths.ScriptNames))]
    public void CompilesEveryFunction(string name)
    {
        string folder = Path.Combine(TestPaths.TestSuite, "json", name);
        int functions = 0;
        foreach (string file in Directory.GetFiles(folder, "*.wasm").Order(StringComparer.Ordinal))
        {
            functions += CompileVerified(file);
        }
        TestContext.Out.WriteLine($"{functions} functions");
    }

    private static string ReproducerDirectory => Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Optimizing", "Reproducers");

    public static IEnumerable<TestCaseData> Reproducers() =>
        Directory.GetFiles(ReproducerDirectory, "*.wasm").Order(StringComparer.Ordinal)
            .Select(f => new TestCaseData(Path.GetFileName(f)).SetName($"Reproducer({Path.GetFileName(f)})"));

    /// <summary>
    /// Modules on which the optimizing tier was found wrong (Reproducers/README.md says what each was), compiled
    /// with verification: the allocation checker catches each of them.
    /// </summary>
    [TestCaseSource(nameof(Reproducers))]
    public void FuzzerFindingsCompileVerified(string file) =>
        Assert.That(CompileVerified(Path.Combine(ReproducerDirectory, file)), Is.GreaterThan(0));

    public static IEnumerable<TestCaseData> Programs() =>
        new[] { "wasi", "large", "toolchains" }
            .SelectMany(folder => Directory.GetFiles(Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Programs", folder), "*.wasm")
                .Order(StringComparer.Ordinal)
                .Select(f => $"{folder}/{Path.GetFileName(f)}"))
            .Select(f => new TestCaseData(f).SetName($"Program({f})"));

    /// <summary>
    /// Every function of the toolchain and WASI programs (Engine.Tests/Programs) with verification: the register
    /// allocation bugs they exposed (a block-start split's move in the same parallel move as the edge moves; a reload
    /// queued behind the scan position; an evicted inactive interval dropped from the scan with ranges still ahead; a
    /// reload and an eviction at one instruction in one parallel move) are caught by the allocation checker.
    /// </summary>
    [TestCaseSource(nameof(Programs))]
    public void ProgramCompilesVerified(string file)
    {
        int functions = CompileVerified(Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Programs", file));
        TestContext.Out.WriteLine($"{functions} functions");
    }

    public static IEnumerable<TestCaseData> ExceptionScripts() =>
        new[] { "tag", "throw", "throw_ref", "try_table" }.Select(name => new TestCaseData(name).SetName($"Spec30({name})"));

    /// <summary>
    /// The modules of the 3.0 exception-handling scripts (their landing paths, the status branches after calls, throws and
    /// the Unwind terminator), with verification, also with every loop an OSR entry (the landing edges then merge the
    /// whole state).
    /// </summary>
    [TestCaseSource(nameof(ExceptionScripts))]
    public void ExceptionHandlingCompilesVerified(string name)
    {
        string path = Engine.Tests.Spec.Spec30Suite.ScriptPath(name);
        if (!File.Exists(path))
        {
            Assert.Ignore($"the 3.0 suite is not at {path}");
        }
        int functions = 0;
        foreach (var command in Engine.Wast.Scripts.WastParser.ParseScript(File.ReadAllText(path), path, keepGoing: true))
        {
            if (command.Kind == Engine.Wast.Scripts.ScriptCommandKind.Module && command.Module?.Binary is { } binary)
            {
                functions += CompileVerified(binary, name);
            }
        }
        Assert.That(functions, name == "tag" ? Is.GreaterThanOrEqualTo(0) : Is.GreaterThan(0));
    }

    /// <summary>Compiles every function of <paramref name="file"/> (when valid) with verification, without and with every check; returns how many.</summary>
    private static int CompileVerified(string file) => CompileVerified(File.ReadAllBytes(file), Path.GetFileName(file));

    private static int CompileVerified(byte[] bytes, string fileName)
    {
        var pipeline = new OptimizingPipeline { VerifyEachPass = true };
        var compiler = new OptimizingCompiler { Verify = true };
        ModuleInfo module;
        try
        {
            module = ModuleLoader.DecodeAndValidate(bytes);
        }
        catch (WasmException)
        {
            return 0;
        }
        int functions = 0;
        foreach (var options in new[] { CompilerOptions.Default, new CompilerOptions { OsrAllLoops = true, Fuel = true, EpochChecks = true } })
        {
            for (int i = 0; i < module.Bodies.Count; i++)
            {
                uint index = (uint)(module.ImportedFunctionCount + i);
                try
                {
                    pipeline.BuildIr(module, index, options);
                    pipeline.Optimize();
                    pipeline.SelectInstructions();
                    pipeline.AllocateRegisters();
                    CompileResult result = compiler.Compile(module, index, options);
                    // Register-convention functions making tail calls stay in the baseline tier (after verification above).
                    Assert.That(result.Failure is null || result.Failure.Value.Detail == "tail calls in a function of the register convention",
                        $"{fileName} function {index}: {result.Failure}");
                }
                catch (Exception e) when (e is not AssertionException)
                {
                    Assert.Fail($"{fileName} function {index}: {e}");
                }
                functions++;
            }
        }
        return functions;
    }
}
