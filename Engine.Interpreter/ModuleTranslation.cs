using Engine.Core;
using Microsoft.Extensions.ObjectPool;

namespace Engine.Interpreter;

/// <summary>Settings that change what the translator emits.</summary>
/// <param name="EpochChecks">Emit an interruption check at function entries and loop headers.</param>
/// <param name="Fuel">Emit fuel accounting.</param>
/// <param name="CallThreshold">Count calls and ask <see cref="ModuleTranslation.TierUp"/> to compile the function after this many (0: no counting).</param>
/// <param name="LoopThreshold">Count loop iterations and ask to continue in compiled code after this many at one loop header (0: no counting).</param>
public readonly record struct TranslationOptions(bool EpochChecks, bool Fuel, int CallThreshold = 0, int LoopThreshold = 0);

/// <summary>
/// What the interpreter asks of the machine-code tiers when code gets hot (implemented by the runtime's
/// tier manager). Called on the store's thread, at a safepoint of the interpreter.
/// </summary>
public interface ITierUpHooks
{
    /// <summary>
    /// The function's call counter expired, in a call from an interpreted frame (<paramref name="interpretedCaller"/>)
    /// or from outside the interpreter (the host, compiled code). True when compiled code is published now (the
    /// call then runs it).
    /// </summary>
    bool OnHotFunction(InterpretedFunction function, bool interpretedCaller);

    /// <summary>
    /// The counter of the loop at <paramref name="point"/> expired. True when compiled code with an
    /// on-stack-replacement entry at that loop, taking the state the point describes, is ready now.
    /// </summary>
    bool OnHotLoop(InterpretedFunction function, OsrPoint point);

    /// <summary>
    /// Runs the rest of the activation in compiled code from the loop's header: <paramref name="state"/> holds
    /// the wasm state there (every local, then every operand, see <c>OsrState</c>) and receives the results
    /// from slot 0. Traps and host exceptions come out as exceptions.
    /// </summary>
    void RunFromLoop(InterpretedFunction function, OsrPoint point, Span<ulong> state);
}

/// <summary>Told about each function the interpreter translated (the runtime turns it into engine events).</summary>
/// <param name="functionIndex">The function's index in its module.</param>
/// <param name="wasmBytes">Size of its wasm body.</param>
/// <param name="codeBytes">Size of its interpreter code (4 bytes a word).</param>
/// <param name="duration">Time the translation took.</param>
public delegate void TranslationObserver(uint functionIndex, int wasmBytes, int codeBytes, TimeSpan duration);

/// <summary>
/// The interpreter's code for one module: each function translated on first use, once, and shared by
/// every instance of the module on every thread.
/// </summary>
public sealed class ModuleTranslation
{
    private static readonly ObjectPool<Translator> s_translators =
        new DefaultObjectPool<Translator>(new DefaultPooledObjectPolicy<Translator>(), Environment.ProcessorCount * 2);

    private readonly InterpretedCode?[] _codes;
    private long _translatedBytes;
    private int _translatedFunctions;
    private long _translationTicks;

    /// <summary>Creates the (empty) translation of a validated module.</summary>
    public ModuleTranslation(ModuleInfo module, TranslationOptions options)
    {
        Module = module;
        Options = options;
        _codes = new InterpretedCode?[module.Bodies.Count];
    }

    /// <summary>The module.</summary>
    public ModuleInfo Module { get; }

    /// <summary>What the translator emits.</summary>
    public TranslationOptions Options { get; }

    /// <summary>Where hot code goes (set by the runtime in tiered mode; counters do nothing without it).</summary>
    public ITierUpHooks? TierUp { get; set; }

    /// <summary>Bytes of wasm function bodies translated so far.</summary>
    public long TranslatedBytes => Interlocked.Read(ref _translatedBytes);

    /// <summary>Functions translated so far.</summary>
    public int TranslatedFunctions => Volatile.Read(ref _translatedFunctions);

    /// <summary>Told about every translation this object makes (once per function); null for nobody.</summary>
    public TranslationObserver? Observer { get; init; }

    /// <summary>Time spent translating so far.</summary>
    public TimeSpan TranslationTime => TimeSpan.FromTicks(Interlocked.Read(ref _translationTicks));

    /// <summary>The code of defined function <paramref name="functionIndex"/>, translating it if this is its first use.</summary>
    internal InterpretedCode Get(uint functionIndex)
    {
        int defined = (int)functionIndex - Module.ImportedFunctionCount;
        InterpretedCode? code = Volatile.Read(ref _codes[defined]);
        if (code != null)
        {
            return code;
        }
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        Translator translator = s_translators.Get();
        try
        {
            code = translator.Translate(Module, functionIndex, Options);
        }
        finally
        {
            translator.Release();
            s_translators.Return(translator);
        }
        TimeSpan duration = System.Diagnostics.Stopwatch.GetElapsedTime(start);
        Interlocked.Add(ref _translationTicks, duration.Ticks);
        // Two threads may translate the same function; both results are equal, the first one wins.
        InterpretedCode? existing = Interlocked.CompareExchange(ref _codes[defined], code, null);
        if (existing != null)
        {
            return existing;
        }
        Interlocked.Add(ref _translatedBytes, code.WasmBodySize);
        Interlocked.Increment(ref _translatedFunctions);
        Observer?.Invoke(functionIndex, code.WasmBodySize, code.Words.Length * sizeof(int), duration);
        return code;
    }

    /// <summary>Translates every function now (for benchmarks and eager modes).</summary>
    public void TranslateAll()
    {
        for (int i = 0; i < _codes.Length; i++)
        {
            Get((uint)(i + Module.ImportedFunctionCount));
        }
    }
}
