namespace Engine.Core;

/// <summary>What opened a control frame.</summary>
public enum ControlKind : byte
{
    /// <summary><c>block</c>.</summary>
    Block,
    /// <summary><c>loop</c>: branches to it go back to its header and carry its parameters.</summary>
    Loop,
    /// <summary><c>if</c>, before its <c>else</c>.</summary>
    If,
    /// <summary>The <c>else</c> half of an <c>if</c>.</summary>
    Else,
    /// <summary>The function body itself: the outermost frame; a branch to it returns.</summary>
    Function,
    /// <summary>A legacy <c>try</c>, before its first <c>catch</c> or <c>catch_all</c>: its body, covered by its handlers.</summary>
    Try,
    /// <summary>A legacy <c>catch</c> of a <c>try</c> (a <c>rethrow</c> may name it).</summary>
    Catch,
    /// <summary>A legacy <c>catch_all</c> of a <c>try</c>: the last handler (a <c>rethrow</c> may name it).</summary>
    CatchAll,
}

/// <summary>
/// One open block of a function body as every consumer of the operator stream sees it: what opened it,
/// its block type, and the operand-stack height below its parameters. Each consumer extends it with what
/// it tracks per block (the validator its reachability, the translator its patch lists, a compiler its
/// labels), and keeps its frames in a <see cref="ControlStack{TFrame}"/>: the decoder's <c>ControlBase</c>
/// that Liftoff and TurboFan's graph builder extend alike.
/// </summary>
public class ControlFrame
{
    /// <summary>What opened the frame.</summary>
    public ControlKind Kind { get; set; }

    /// <summary>The types the block takes from the operand stack.</summary>
    public ValType[] Params { get; set; } = [];

    /// <summary>The types the block leaves on the operand stack.</summary>
    public ValType[] Results { get; set; } = [];

    /// <summary>The operand-stack height at block entry, below the block's parameters.</summary>
    public int Height { get; set; }

    /// <summary>
    /// Opened in unreachable code (only for consumers that skip unreachable code, such as the translator and
    /// the compilers): nothing of the block is generated; only its <c>end</c> is matched.
    /// </summary>
    public bool Dead { get; set; }

    /// <summary>The types a branch to this frame carries: the parameters of a loop, the results of anything else.</summary>
    public ValType[] LabelTypes => Kind == ControlKind.Loop ? Params : Results;
}

/// <summary>
/// The open blocks of a function body, innermost last. Frame objects are reused from one block (and one
/// function) to the next, so a consumer that validates or compiles many functions allocates them once;
/// <see cref="Push"/> sets the <see cref="ControlFrame"/> part and the consumer resets its own fields.
/// </summary>
/// <typeparam name="TFrame">The consumer's frame type.</typeparam>
public sealed class ControlStack<TFrame> where TFrame : ControlFrame, new()
{
    private TFrame[] _frames = new TFrame[16];
    private int _depth;

    /// <summary>The number of open frames (the function's own included).</summary>
    public int Depth => _depth;

    /// <summary>The frame <paramref name="depth"/> levels out from the innermost (0), as branch depths count.</summary>
    public TFrame this[uint depth] => _frames[_depth - 1 - (int)depth];

    /// <summary>The innermost frame.</summary>
    public TFrame Innermost => _frames[_depth - 1];

    /// <summary>Opens a frame of the given block type whose parameters start at operand-stack height <paramref name="height"/>.</summary>
    public TFrame Push(ControlKind kind, ValType[] parameters, ValType[] results, int height)
    {
        TFrame[] frames = _frames;
        int depth = _depth;
        TFrame frame = (uint)depth < (uint)frames.Length && frames[depth] is { } reused ? reused : AddFrame();
        _depth = depth + 1;
        frame.Kind = kind;
        frame.Params = parameters;
        frame.Results = results;
        frame.Height = height;
        frame.Dead = false;
        return frame;
    }

    /// <summary>A new frame object at the first unused place (the slow path of <see cref="Push"/>, kept out of it so it inlines).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private TFrame AddFrame()
    {
        if (_depth == _frames.Length)
        {
            Array.Resize(ref _frames, _frames.Length * 2);
        }
        return _frames[_depth] = new TFrame();
    }

    /// <summary>Opens a frame in unreachable code (see <see cref="ControlFrame.Dead"/>).</summary>
    public TFrame PushDead(int height)
    {
        TFrame frame = Push(ControlKind.Block, [], [], height);
        frame.Dead = true;
        return frame;
    }

    /// <summary>Closes the innermost frame and returns it (valid until the next <see cref="Push"/>).</summary>
    public TFrame Pop() => _frames[--_depth];

    /// <summary>Closes every frame.</summary>
    public void Clear() => _depth = 0;
}

/// <summary>What a <see cref="BlockType"/> stands for in a module.</summary>
public static class BlockTypes
{
    private static readonly ValType[] s_i32 = [ValType.I32];
    private static readonly ValType[] s_i64 = [ValType.I64];
    private static readonly ValType[] s_f32 = [ValType.F32];
    private static readonly ValType[] s_f64 = [ValType.F64];
    private static readonly ValType[] s_v128 = [ValType.V128];
    private static readonly ValType[] s_funcref = [ValType.FuncRef];
    private static readonly ValType[] s_externref = [ValType.ExternRef];

    /// <summary>
    /// The parameters and results of <paramref name="blockType"/> (shared arrays: never write to them); false when
    /// it names a type index the module does not have (which validation rejects as "unknown type").
    /// </summary>
    public static bool TryResolve(ModuleInfo module, BlockType blockType, out ValType[] parameters, out ValType[] results)
    {
        parameters = [];
        results = [];
        if (blockType.IsEmpty)
        {
            return true;
        }
        if (!blockType.IsTypeIndex)
        {
            results = Single(blockType.ValueType);
            return true;
        }
        if ((uint)blockType.TypeIndex >= (uint)module.Types.Count)
        {
            return false;
        }
        FuncType type = module.Types[blockType.TypeIndex];
        parameters = type.Params;
        results = type.Results;
        return true;
    }

    /// <summary>The parameters and results of <paramref name="blockType"/> in a validated module.</summary>
    public static (ValType[] Params, ValType[] Results) Resolve(ModuleInfo module, BlockType blockType)
    {
        bool known = TryResolve(module, blockType, out ValType[] parameters, out ValType[] results);
        System.Diagnostics.Debug.Assert(known, "an unknown block type index in a validated module");
        return (parameters, results);
    }

    /// <summary>A one-element type list (shared for the 2.0 types: never write to it).</summary>
    public static ValType[] Single(ValType type) => type switch
    {
        ValType.I32 => s_i32,
        ValType.I64 => s_i64,
        ValType.F32 => s_f32,
        ValType.F64 => s_f64,
        ValType.V128 => s_v128,
        ValType.FuncRef => s_funcref,
        ValType.ExternRef => s_externref,
        _ => [type],
    };
}
