using Engine.Core;
using Engine.Runtime;

namespace Engine.Benchmarks.Perf;

/// <summary>
/// One engine the perf tools measure: ours in one tier mode, or the wasmtime reference. Prepares the state a phase
/// needs once, and returns the operation that is timed.
/// </summary>
public abstract class EngineVariant
{
    protected EngineVariant(string name, bool isReference)
    {
        Name = name;
        IsReference = isReference;
    }

    /// <summary>The name rows are keyed by (<c>interpreter</c>, <c>wasmtime</c>, ...).</summary>
    public string Name { get; }

    /// <summary>True for the engines every run measures so results carry their own yardstick (wasmtime and our interpreter).</summary>
    public bool IsReference { get; }

    /// <summary>True when the variant has <paramref name="phase"/> at all (whatever the program).</summary>
    public abstract bool Supports(string phase);

    /// <summary>True when <paramref name="phase"/> can be measured for <paramref name="program"/>.</summary>
    public bool Applies(BenchProgram program, string phase) => Supports(phase) && phase switch
    {
        Phases.DecodeValidate or Phases.Compile => true,
        Phases.Instantiate => !program.HasImports,
        _ => program.CanRun,
    };

    /// <summary>Prepares <paramref name="phase"/> of <paramref name="program"/>; the result's <see cref="PhaseOperation.Run"/> is what is timed.</summary>
    public abstract PhaseOperation Prepare(BenchProgram program, string phase, int argument);

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A prepared, repeatable unit of measured work, and what to release afterwards.</summary>
/// <param name="run">The measured work; returns something so nothing can be optimised away.</param>
/// <param name="cleanup">Releases the prepared state.</param>
public sealed class PhaseOperation(Func<long> run, Action? cleanup = null) : IDisposable
{
    /// <summary>Does the measured work once.</summary>
    public long Run() => run();

    /// <inheritdoc/>
    public void Dispose() => cleanup?.Invoke();
}

/// <summary>Our engine in one configuration (today: the interpreter; the baseline branch adds its tier modes).</summary>
/// <param name="name">The variant's name.</param>
/// <param name="config">The engine's settings.</param>
/// <param name="compileAll">
/// Does this tier's work on every function of a loaded module into code that is thrown away, so it can be timed
/// again and again; null when the mode has no up-front work to time (tiered mode compiles on demand).
/// </param>
/// <param name="isReference">True for the interpreter, which every run measures.</param>
public sealed class OurEngineVariant(string name, EngineConfig config, Action<Module>? compileAll, bool isReference = false)
    : EngineVariant(name, isReference)
{
    /// <summary>The engine's settings.</summary>
    public EngineConfig Config { get; } = config;

    /// <inheritdoc/>
    public override bool Supports(string phase) => phase != Phases.Compile || compileAll != null;

    /// <inheritdoc/>
    public override PhaseOperation Prepare(BenchProgram program, string phase, int argument)
    {
        var engine = new WasmEngine(Config);
        byte[] bytes = program.ReadBytes();
        var linker = new Linker(engine);
        switch (phase)
        {
            case Phases.DecodeValidate:
                return new PhaseOperation(() => ModuleLoader.DecodeAndValidate(bytes).Bodies.Count);
            case Phases.Compile:
            {
                Module module = Module.FromBytes(engine, bytes, program.Name);
                return new PhaseOperation(() =>
                {
                    compileAll!(module);
                    return 0;
                });
            }
            case Phases.Instantiate:
            {
                Module module = Module.FromBytes(engine, bytes, program.Name);
                return new PhaseOperation(() =>
                {
                    using var store = new Store(engine);
                    return linker.Instantiate(store, module).Exports.Count;
                });
            }
            case Phases.Execute:
            {
                var store = new Store(engine);
                Func<int, long> run = RunOf(program, linker.Instantiate(store, Module.FromBytes(engine, bytes, program.Name)));
                program.Check(argument, run(argument));
                return new PhaseOperation(() => run(argument), store.Dispose);
            }
            case Phases.FirstResult:
                return new PhaseOperation(() =>
                {
                    using var store = new Store(engine);
                    long result = RunOf(program, linker.Instantiate(store, Module.FromBytes(engine, bytes, program.Name)))(argument);
                    program.Check(argument, result);
                    return result;
                });
            default:
                throw new ArgumentException($"unknown phase {phase}", nameof(phase));
        }
    }

    /// <summary>The typed delegate calling the program's run export.</summary>
    public static Func<int, long> RunOf(BenchProgram program, Instance instance)
    {
        Function function = instance.GetFunction(program.Export!) ?? throw new InvalidOperationException($"{program.Name} exports no {program.Export}");
        if (program.ReturnsI64)
        {
            return function.AsFunc<int, long>();
        }
        Func<int, int> run32 = function.AsFunc<int, int>();
        return argument => run32(argument);
    }
}

/// <summary>The real wasmtime (Cranelift) through its NuGet package: the yardstick carried by every result.</summary>
public sealed class WasmtimeVariant() : EngineVariant("wasmtime", isReference: true)
{
    /// <summary>The version of the wasmtime package.</summary>
    public static string Version => typeof(Wasmtime.Engine).Assembly.GetName().Version?.ToString(3) ?? "?";

    /// <inheritdoc/>
    public override bool Supports(string phase) => phase != Phases.DecodeValidate;

    /// <inheritdoc/>
    public override PhaseOperation Prepare(BenchProgram program, string phase, int argument)
    {
        var engine = new Wasmtime.Engine();
        byte[] bytes = program.ReadBytes();
        var linker = new Wasmtime.Linker(engine);
        switch (phase)
        {
            case Phases.Compile:
                return new PhaseOperation(() =>
                {
                    using var module = Wasmtime.Module.FromBytes(engine, program.Name, bytes);
                    return 0;
                }, engine.Dispose);
            case Phases.Instantiate:
            {
                var module = Wasmtime.Module.FromBytes(engine, program.Name, bytes);
                return new PhaseOperation(() =>
                {
                    using var store = new Wasmtime.Store(engine);
                    linker.Instantiate(store, module);
                    return 0;
                }, () => Dispose(module, engine));
            }
            case Phases.Execute:
            {
                var module = Wasmtime.Module.FromBytes(engine, program.Name, bytes);
                var store = new Wasmtime.Store(engine);
                Func<int, long> run = RunOf(program, linker.Instantiate(store, module));
                program.Check(argument, run(argument));
                return new PhaseOperation(() => run(argument), () => Dispose(store, module, engine));
            }
            case Phases.FirstResult:
                return new PhaseOperation(() =>
                {
                    using var module = Wasmtime.Module.FromBytes(engine, program.Name, bytes);
                    using var store = new Wasmtime.Store(engine);
                    long result = RunOf(program, linker.Instantiate(store, module))(argument);
                    program.Check(argument, result);
                    return result;
                }, engine.Dispose);
            default:
                throw new ArgumentException($"wasmtime has no phase {phase}", nameof(phase));
        }
    }

    private static Func<int, long> RunOf(BenchProgram program, Wasmtime.Instance instance)
    {
        if (program.ReturnsI64)
        {
            return instance.GetFunction<int, long>(program.Export!) ?? throw new InvalidOperationException($"{program.Name} exports no {program.Export}");
        }
        Func<int, int> run32 = instance.GetFunction<int, int>(program.Export!) ?? throw new InvalidOperationException($"{program.Name} exports no {program.Export}");
        return argument => run32(argument);
    }

    private static void Dispose(params IDisposable[] resources)
    {
        foreach (IDisposable resource in resources)
        {
            resource.Dispose();
        }
    }
}
