using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Engine.Baseline;
using Engine.Core;

namespace Engine.Benchmarks;

/// <summary>
/// Compile throughput of the machine-code tiers: MB/s of function bodies compiled on one thread (every defined function
/// of the module the tier compiles), and the code size per wasm byte (printed in the setup). Goals: baseline at least
/// 10 MB/s, optimizing at least 5 MB/s.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class CompileBenchmarks : IBytesPerOperation
{
    private ModuleInfo _module = null!;
    private uint[] _functions = [];
    private IFunctionCompiler _compiler = new BaselineCompiler();
    private static readonly CompilerOptions s_options = CompilerOptions.Default with { CpuFeatures = Runtime.HostCpu.Features };

    /// <summary>The module: a path relative to the benchmark folder.</summary>
    [Params("Modules/large.wasm", "Programs/nbody.wasm", "lisp")]
    public string Module { get; set; } = "";

    /// <summary>The tier: baseline or optimizing.</summary>
    [Params("baseline", "optimizing")]
    public string Tier { get; set; } = "baseline";

    private static IFunctionCompiler CompilerOf(string tier) =>
        tier == "optimizing" ? new Engine.Optimizing.OptimizingCompiler() : new BaselineCompiler();

    [GlobalSetup]
    public void Setup()
    {
        _compiler = CompilerOf(Tier);
        _module = ModuleLoader.DecodeAndValidate(File.ReadAllBytes(PathOf(Module)));
        var compiled = new List<uint>();
        long wasm = 0, code = 0;
        for (int i = _module.ImportedFunctionCount; i < _module.FunctionTypeIndices.Count; i++)
        {
            CompileResult result = _compiler.Compile(_module, (uint)i, s_options);
            if (result.Function is { } function)
            {
                compiled.Add((uint)i);
                wasm += function.WasmBodySize;
                code += function.Code.Length;
            }
        }
        _functions = compiled.ToArray();
        Console.WriteLine($"// {Module}: {_functions.Length} functions, {wasm} wasm bytes -> {code} code bytes ({(double)code / wasm:F2} per wasm byte)");
    }

    [Benchmark]
    public int CompileAll()
    {
        int size = 0;
        foreach (uint index in _functions)
        {
            size += _compiler.Compile(_module, index, s_options).Function!.Code.Length;
        }
        return size;
    }

    public long BytesFor(BenchmarkCase benchmarkCase)
    {
        string module = (string)benchmarkCase.Parameters["Module"];
        IFunctionCompiler compiler = CompilerOf((string)benchmarkCase.Parameters["Tier"]);
        ModuleInfo info = ModuleLoader.DecodeAndValidate(File.ReadAllBytes(PathOf(module)));
        long bytes = 0;
        for (int i = info.ImportedFunctionCount; i < info.FunctionTypeIndices.Count; i++)
        {
            if (compiler.Compile(info, (uint)i, s_options).Function is { } function)
            {
                bytes += function.WasmBodySize;
            }
        }
        return bytes;
    }

    private static string PathOf(string module) => module == "lisp"
        ? Path.Combine(BenchmarkFiles.RepositoryRoot, "Engine.Tests", "Programs", "large", "lisp.wasm")
        : BenchmarkFiles.Project(module);
}
