using System.Diagnostics;
using Engine.Baseline;
using Engine.Core;
using Engine.Interpreter;
using Engine.Runtime.Vm;

namespace Engine.Runtime.Native;

/// <summary>
/// The compiled code of one module: per defined function, its native code (shared by every instance, as
/// compiled code reaches its instance only through the VMContext) or why it stays interpreted. Publishing
/// a function updates every live instance of the module; instances created later pick it up at creation.
/// </summary>
internal sealed class ModuleCode
{
    private readonly ModuleInfo _module;
    private readonly NativeFunction?[] _functions;
    private readonly string?[] _fallbacks;
    private readonly List<WeakReference<InstanceState>> _instances = new();
    private readonly object _lock = new();

    public ModuleCode(ModuleInfo module, CompilerOptions options)
    {
        _module = module;
        Options = options;
        _functions = new NativeFunction?[module.Bodies.Count];
        _fallbacks = new string?[module.Bodies.Count];
    }

    /// <summary>What the compiler is asked to emit (epoch checks, fuel).</summary>
    public CompilerOptions Options { get; }

    /// <summary>The compiler of the baseline tier.</summary>
    public static BaselineCompiler Compiler { get; } = new();

    /// <summary>Functions that stay in the interpreter because the tier cannot compile them (function index, reason).</summary>
    public IReadOnlyList<(uint Function, string Reason)> Fallbacks
    {
        get
        {
            var list = new List<(uint, string)>();
            for (int i = 0; i < _fallbacks.Length; i++)
            {
                if (_fallbacks[i] is { } reason)
                {
                    list.Add(((uint)(i + _module.ImportedFunctionCount), reason));
                }
            }
            return list;
        }
    }

    /// <summary>The number of functions compiled so far.</summary>
    public int CompiledCount => _functions.Count(f => f != null);

    /// <summary>The compiled code of <paramref name="functionIndex"/>, or null.</summary>
    public NativeFunction? Get(uint functionIndex) => Volatile.Read(ref _functions[(int)functionIndex - _module.ImportedFunctionCount]);

    /// <summary>Compiles every defined function (those the tier cannot compile are recorded) and places the code in one region.</summary>
    public void CompileAll()
    {
        var compiled = new List<(CompiledFunction Artifact, TimeSpan Time)>();
        int total = 0;
        for (int i = 0; i < _functions.Length; i++)
        {
            if (_functions[i] != null)
            {
                continue;
            }
            uint index = (uint)(i + _module.ImportedFunctionCount);
            long start = Stopwatch.GetTimestamp();
            CompileResult result = Compiler.Compile(_module, index, Options);
            TimeSpan time = Stopwatch.GetElapsedTime(start);
            if (result.Function is null)
            {
                _fallbacks[i] = result.Unsupported;
                continue;
            }
            compiled.Add((result.Function, time));
            total += Align(result.Function.Code.Length);
        }
        if (compiled.Count == 0)
        {
            return;
        }
        byte[] code = new byte[total];
        int offset = 0;
        var offsets = new int[compiled.Count];
        for (int i = 0; i < compiled.Count; i++)
        {
            offsets[i] = offset;
            compiled[i].Artifact.Code.CopyTo(code, offset);
            offset += Align(compiled[i].Artifact.Code.Length);
        }
        var region = new CodeRegion(code);
        for (int i = 0; i < compiled.Count; i++)
        {
            var function = new NativeFunction(_module, compiled[i].Artifact, region, offsets[i], Compiler.Name, compiled[i].Time);
            CodeMap.Register(function);
            Publish(function);
        }
    }

    private static int Align(int size) => (size + 15) & ~15;

    /// <summary>Makes <paramref name="function"/> the code of its function in every live instance, now and later.</summary>
    public void Publish(NativeFunction function)
    {
        List<InstanceState> live = new();
        lock (_lock)
        {
            Volatile.Write(ref _functions[(int)function.FunctionIndex - _module.ImportedFunctionCount], function);
            _instances.RemoveAll(w => !w.TryGetTarget(out _));
            foreach (WeakReference<InstanceState> weak in _instances)
            {
                if (weak.TryGetTarget(out InstanceState? instance))
                {
                    live.Add(instance);
                }
            }
        }
        foreach (InstanceState instance in live)
        {
            instance.PublishCompiled(function);
        }
    }

    /// <summary>Registers a new instance and gives it every function compiled so far.</summary>
    public void Attach(InstanceState instance)
    {
        lock (_lock)
        {
            _instances.Add(new WeakReference<InstanceState>(instance));
        }
        foreach (NativeFunction? function in _functions)
        {
            if (function != null)
            {
                instance.PublishCompiled(function);
            }
        }
    }
}
