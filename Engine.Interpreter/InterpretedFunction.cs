using Engine.Core;

namespace Engine.Interpreter;

/// <summary>
/// A wasm function of one instance, run by the interpreter. Its code is translated on first call and
/// shared through <see cref="ModuleTranslation"/> with every other instance of the module.
/// </summary>
public sealed class InterpretedFunction : FunctionInstance
{
    private readonly ModuleTranslation _translation;
    private InterpretedCode? _code;
    // What new activations run: the translation, or a stub that calls the compiled code once published.
    private InterpretedCode? _entryCode;
    private FunctionInstance? _compiled;

    /// <summary>Creates the function <paramref name="index"/> of <paramref name="instance"/>, running on <paramref name="stack"/>.</summary>
    public InterpretedFunction(VMInstance instance, uint index, int typeId, ModuleTranslation translation, ExecutionStack stack)
        : base(instance.Module.FunctionType(index), typeId)
    {
        Instance = instance;
        FunctionIndex = index;
        _translation = translation;
        Stack = stack;
    }

    /// <summary>The instance the function belongs to.</summary>
    public VMInstance Instance { get; }

    /// <summary>The function's index in its module.</summary>
    public uint FunctionIndex { get; }

    /// <summary>The stack of the store the instance lives in.</summary>
    public ExecutionStack Stack { get; }

    /// <inheritdoc/>
    public override int Index => (int)FunctionIndex;

    /// <inheritdoc/>
    public override string? Name => Instance.Module.FunctionName(FunctionIndex);

    /// <summary>The translated code, or null before the first call.</summary>
    internal InterpretedCode? Code => _code;

    /// <summary>The code a new activation starts in: the translation, or (once compiled code is published) a stub calling it; null before the first call.</summary>
    internal InterpretedCode? EntryCode => _entryCode;

    /// <summary>Translates the function (or takes the module's existing translation) and returns the code new activations run.</summary>
    internal InterpretedCode Translate()
    {
        _code = _translation.Get(FunctionIndex);
        InterpretedCode entry = _compiled is null ? _code : InterpretedCode.CompiledStub(ParamSlots, SlotCount);
        _entryCode = entry;
        return entry;
    }

    /// <summary>True once the code was translated.</summary>
    public bool IsTranslated => _code != null;

    /// <summary>The compiled code every later call runs (set by <see cref="PublishCompiled"/>), or null while the function is interpreted.</summary>
    public FunctionInstance? Compiled => Volatile.Read(ref _compiled);

    /// <summary>
    /// Makes later calls from any tier run <paramref name="compiled"/> (same type, same slots). Activations
    /// already running keep interpreting; new interpreted calls go through a stub that calls it. Safe from
    /// any thread: each field is swapped atomically, the compiled code first.
    /// </summary>
    public void PublishCompiled(FunctionInstance compiled)
    {
        ArgumentNullException.ThrowIfNull(compiled);
        Volatile.Write(ref _compiled, compiled);
        Volatile.Write(ref _entryCode, InterpretedCode.CompiledStub(ParamSlots, SlotCount));
    }

    /// <inheritdoc/>
    public override void Invoke(Span<ulong> slots)
    {
        FunctionInstance? compiled = Volatile.Read(ref _compiled);
        if (compiled is not null)
        {
            compiled.Invoke(slots);
            return;
        }
        Stack.Invoke(this, slots);
    }
}
