namespace Engine.Benchmarks;

/// <summary>Runs a corpus program in the real wasmtime (Cranelift), the reference we measure against.</summary>
public sealed class WasmtimeRunner : IDisposable
{
    private readonly Wasmtime.Engine _engine;
    private readonly Wasmtime.Module _module;
    private readonly Wasmtime.Store _store;
    private readonly Func<int, long> _run;

    public WasmtimeRunner(CorpusProgram program)
    {
        _engine = new Wasmtime.Engine();
        _module = Wasmtime.Module.FromFile(_engine, program.Path);
        _store = new Wasmtime.Store(_engine);
        var instance = new Wasmtime.Linker(_engine).Instantiate(_store, _module);
        if (program.Result == "i64")
        {
            Func<int, long> run = instance.GetFunction<int, long>(program.Export)!;
            _run = run;
        }
        else
        {
            Func<int, int> run = instance.GetFunction<int, int>(program.Export)!;
            _run = n => run(n);
        }
    }

    /// <summary>Calls run(<paramref name="argument"/>).</summary>
    public long Run(int argument) => _run(argument);

    public void Dispose()
    {
        _store.Dispose();
        _module.Dispose();
        _engine.Dispose();
    }
}
