using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Engine.Core;

namespace Engine.Benchmarks;

/// <summary>
/// Decode + validate throughput (MB/s of module bytes, one thread) over large modules: a 4 MB
/// clang-compiled program, a 2.2 MB binaryen fuzz module, and the largest modules of the spec suite.
/// Goal: at least 100 MB/s.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class DecodeValidateBenchmarks : IBytesPerOperation
{
    private byte[] _bytes = [];

    /// <summary>The module: a path relative to the repository's benchmark folder, or "spec:NAME/FILE".</summary>
    [Params("Modules/large.wasm", "Modules/fuzz.wasm", "spec:br_table/br_table.0.wasm", "spec:skip-stack-guard-page/skip-stack-guard-page.0.wasm")]
    public string Module { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _bytes = Load(Module);

    [Benchmark]
    public ModuleInfo DecodeAndValidate() => ModuleLoader.DecodeAndValidate(_bytes);

    [Benchmark]
    public ModuleInfo DecodeOnly() => ModuleDecoder.Decode(_bytes);

    public long BytesFor(BenchmarkCase benchmarkCase) => Load(Module).Length;

    private static byte[] Load(string module) => File.ReadAllBytes(module.StartsWith("spec:", StringComparison.Ordinal)
        ? Path.Combine(BenchmarkFiles.TestSuite, "json", module["spec:".Length..])
        : BenchmarkFiles.Project(module));
}

/// <summary>Adds the MB/s column.</summary>
public sealed class ThroughputConfig : BenchmarkDotNet.Configs.ManualConfig
{
    public ThroughputConfig()
    {
        AddColumn(new ThroughputColumn());
    }
}
