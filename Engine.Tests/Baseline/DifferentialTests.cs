using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Engine.Core;
using Engine.Runtime;
using NUnit.Framework;

namespace Engine.Tests.Baseline;

/// <summary>
/// Differential testing: random valid modules (binaryen's <c>wasm-opt --translate-to-fuzz</c>, see
/// <c>Fuzz/generate.sh</c>) run in the interpreter (the oracle) and in the machine-code modes; every export is
/// called in order (after the fuzzer's hang-limit reset) with zero arguments, and the results, traps, the
/// values logged through the imports, the globals and the memory must be identical. NaN bit patterns are
/// compared as "a NaN" (wasm leaves NaN payloads nondeterministic). The committed modules run in the normal
/// suite; <c>WASM_DIFFERENTIAL_COUNT=N</c> generates and runs N more with wasm-opt (the long, opt-in run).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class DifferentialTests
{
    private static string FuzzDirectory => Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Baseline", "Fuzz");

    public static IEnumerable<string> CommittedModules() =>
        Directory.Exists(FuzzDirectory)
            ? Directory.GetFiles(FuzzDirectory, "*.wasm").Select(Path.GetFileName).Order(StringComparer.Ordinal)!
            : [];

    [TestCaseSource(nameof(CommittedModules))]
    public void CompiledCodeBehavesLikeTheInterpreter(string file)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(FuzzDirectory, file));
        CompareAllModes(bytes);
    }

    [Test]
    [Explicit("long run: set WASM_DIFFERENTIAL_COUNT and have wasm-opt (binaryen) on PATH")]
    public void ManyGeneratedModules()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("WASM_DIFFERENTIAL_COUNT"), out int n) ? n : 200;
        int firstSeed = int.TryParse(Environment.GetEnvironmentVariable("WASM_DIFFERENTIAL_SEED"), out int s) ? s : 100_000;
        string work = Path.Combine(Path.GetTempPath(), $"wasm-differential-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        try
        {
            for (int i = 0; i < count; i++)
            {
                int seed = firstSeed + i;
                var random = new Random(seed);
                byte[] input = new byte[random.Next(500, 20_000)];
                random.NextBytes(input);
                string inputPath = Path.Combine(work, "in.dat"), output = Path.Combine(work, "out.wasm");
                File.WriteAllBytes(inputPath, input);
                using (Process process = Process.Start(new ProcessStartInfo("wasm-opt",
                    $"-ttf {inputPath} -o {output} --mvp-features --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int " +
                    "--enable-bulk-memory --enable-multivalue" + (i % 2 == 1 ? " --enable-simd" : "")) { RedirectStandardError = true })!)
                {
                    process.WaitForExit();
                    Assert.That(process.ExitCode, Is.Zero, $"wasm-opt failed for seed {seed}");
                }
                byte[] bytes = File.ReadAllBytes(output);
                try
                {
                    CompareAllModes(bytes);
                }
                catch (Exception e) when (e is AssertionException)
                {
                    string kept = Path.Combine(Path.GetTempPath(), $"differential-failure-{seed}.wasm");
                    File.WriteAllBytes(kept, bytes);
                    throw new AssertionException($"seed {seed} (module kept at {kept}): {e.Message}");
                }
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Test]
    [Explicit("debugging: WASM_DIFFERENTIAL_FILE names a module; prints what each mode did")]
    public void OneFile()
    {
        byte[] bytes = File.ReadAllBytes(Environment.GetEnvironmentVariable("WASM_DIFFERENTIAL_FILE")!);
        foreach (string mode in new[] { "interpreter", "baseline" })
        {
            TestContext.Out.WriteLine($"---- {mode}");
            foreach (string e in Run(bytes, mode, memoryAfterEachCall: true))
            {
                TestContext.Out.WriteLine(e);
            }
        }
        CompareAllModes(bytes);
    }

    private static void CompareAllModes(byte[] bytes)
    {
        List<string> oracle = Run(bytes, "interpreter");
        foreach (string mode in new[] { "baseline", "baseline-unpinned", "baseline-x64v2", "optimizing", "tiered-1", "tiered-sync" })
        {
            List<string> observed = Run(bytes, mode);
            int count = Math.Min(oracle.Count, observed.Count);
            for (int i = 0; i < count; i++)
            {
                Assert.That(observed[i], Is.EqualTo(oracle[i]), $"{mode}: event {i} differs (after: {string.Join(" | ", oracle.Take(i).TakeLast(5))})");
            }
            Assert.That(observed.Count, Is.EqualTo(oracle.Count), $"{mode}: number of events");
        }
    }

    /// <summary>Runs every export; returns what happened, one line per event.</summary>
    private static List<string> Run(byte[] bytes, string mode, bool memoryAfterEachCall = false)
    {
        var events = new List<string>();
        var engine = new WasmEngine(TierModes.Config(mode));
        using var store = new Store(engine);
        Module module = Module.FromBytes(engine, bytes);
        var linker = new Linker(engine);
        foreach (ImportType import in module.Imports)
        {
            if (import.Type is FunctionExternType { Type: var type })
            {
                string name = import.Name;
                linker.DefineFunction(import.Module, import.Name, type, (_, args, results) =>
                {
                    events.Add($"{name}({string.Join(", ", args.ToArray().Select(Describe))})");
                    for (int i = 0; i < results.Length; i++)
                    {
                        results[i] = Value.Default(type.Results[i]);
                    }
                });
            }
        }
        Instance instance;
        try
        {
            instance = linker.Instantiate(store, module);
        }
        catch (TrapException e)
        {
            events.Add($"instantiation trap {e.Code}");
            return events;
        }
        Function? resetHangLimit = instance.GetFunction("hangLimitInitializer");
        foreach (ExportType export in module.Exports)
        {
            if (export.Type is not FunctionExternType { Type: var type } || export.Name == "hangLimitInitializer")
            {
                continue;
            }
            resetHangLimit?.Invoke();
            Function function = instance.GetFunction(export.Name)!;
            Value[] arguments = type.Params.Select(Value.Default).ToArray();
            try
            {
                Value[] results = function.Invoke(arguments);
                events.Add($"{export.Name} -> {string.Join(", ", results.Select(Describe))}");
            }
            catch (TrapException e) when (e.Code == TrapCode.StackExhausted)
            {
                // The tiers' stack limits differ: how far the recursion got (and its side effects) is not comparable.
                events.Add($"{export.Name} stack exhausted");
                return events;
            }
            catch (TrapException e)
            {
                events.Add($"{export.Name} trap {e.Code}: {e.Message}");
            }
            if (memoryAfterEachCall && instance.GetMemory("memory") is { } memory)
            {
                events.Add($"  memory sha256 {Convert.ToHexString(SHA256.HashData(memory.Span))[..16]}");
            }
        }
        foreach (var (name, item) in instance.Exports)
        {
            switch (item)
            {
                case Global global:
                    events.Add($"global {name} = {Describe(global.Value)}");
                    break;
                case Memory memory:
                    events.Add($"memory {name}: {memory.Pages} pages, sha256 {Convert.ToHexString(SHA256.HashData(memory.Span))}");
                    break;
                case Table table:
                    events.Add($"table {name}: {table.Length} elements");
                    break;
            }
        }
        return events;
    }

    private static string Describe(Value value) => value.Type switch
    {
        ValType.F32 when float.IsNaN(value.AsF32()) => "f32 nan",
        ValType.F64 when double.IsNaN(value.AsF64()) => "f64 nan",
        ValType.F32 or ValType.F64 or ValType.I32 or ValType.I64 => $"{value.Type.ToWatName()} {value.Bits:x}",
        ValType.FuncRef => value.IsNull ? "funcref null" : $"funcref {value.AsFuncRef()!.Name ?? "?"}",
        ValType.ExternRef => value.IsNull ? "externref null" : "externref",
        _ => value.ToString(),
    };
}
