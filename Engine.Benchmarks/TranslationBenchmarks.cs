using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Engine.Core;
using Engine.Interpreter;

namespace Engine.Benchmarks;

/// <summary>
/// Interpreter translation throughput: MB/s of function bodies turned into interpreter code (every
/// function of the module, one thread), over a 4 MB clang-compiled module and a 2.2 MB fuzz module.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class TranslationBenchmarks : IBytesPerOperation
{
    private ModuleInfo _module = null!;

    /// <summary>The module, relative to the benchmark project.</summary>
    [Params("Modules/large.wasm", "Modules/fuzz.wasm")]
    public string Module { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _module = ModuleLoader.DecodeAndValidate(File.ReadAllBytes(BenchmarkFiles.Project(Module)));

    [Benchmark]
    public long TranslateAll()
    {
        var translation = new ModuleTranslation(_module, default);
        translation.TranslateAll();
        return translation.TranslatedBytes;
    }

    public long BytesFor(BenchmarkCase benchmarkCase)
    {
        ModuleInfo module = ModuleLoader.DecodeAndValidate(File.ReadAllBytes(BenchmarkFiles.Project(Module)));
        return module.Bodies.Sum(b => (long)(b.End - b.Start));
    }
}
