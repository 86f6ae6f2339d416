using Engine.Runtime;

namespace Engine.Benchmarks;

/// <summary>Runs a corpus program in our engine: load once, instantiate, call <c>run(n)</c>.</summary>
public sealed class EngineRunner : IDisposable
{
    private readonly Store _store;
    private readonly Function _run;
    private readonly bool _returnsI64;

    public EngineRunner(CorpusProgram program, EngineConfig? config = null)
    {
        var engine = new WasmEngine(config);
        Engine = engine;
        Module module = Module.FromFile(engine, program.Path);
        _store = new Store(engine);
        Instance instance = new Linker(engine).Instantiate(_store, module);
        _run = instance.GetFunction(program.Export) ?? throw new InvalidOperationException($"{program.Name} exports no {program.Export}");
        _returnsI64 = program.Result == "i64";
    }

    /// <summary>The engine the program runs in.</summary>
    public WasmEngine Engine { get; }

    /// <summary>Calls run(<paramref name="argument"/>) and returns its result as a 64-bit value.</summary>
    public long Run(int argument)
    {
        Value result = _run.Invoke(Value.I32(argument))[0];
        return _returnsI64 ? result.AsI64() : result.AsI32();
    }

    public void Dispose() => _store.Dispose();
}
