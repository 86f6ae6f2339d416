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

    /// <summary>Translates the function (or takes the module's existing translation) and returns its code.</summary>
    internal InterpretedCode Translate() => _code = _translation.Get(FunctionIndex);

    /// <summary>True once the code was translated.</summary>
    public bool IsTranslated => _code != null;

    /// <inheritdoc/>
    public override void Invoke(Span<ulong> slots) => Stack.Invoke(this, slots);
}
