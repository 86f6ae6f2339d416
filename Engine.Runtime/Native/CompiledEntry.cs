using Engine.Core;
using Engine.Interpreter;

namespace Engine.Runtime.Native;

/// <summary>
/// A function of an instance whose compiled code is published: calling it from C# (the host, the
/// interpreter's call stub, the exit stub's trampoline) enters the code its VMFuncRef points to.
/// </summary>
internal sealed unsafe class CompiledEntry : FunctionInstance
{
    private readonly NativeContext _context;
    private readonly InterpretedFunction _function;
    private readonly nint _vmctx;
    private readonly nint _funcRef;

    public CompiledEntry(NativeContext context, InterpretedFunction function, NativeFunction code)
        : base(function.Type, function.TypeId)
    {
        _context = context;
        _function = function;
        _vmctx = ((VMFuncRef*)function.FuncRef)->Vmctx;
        _funcRef = function.FuncRef;
        Code = code;
        FuncRef = function.FuncRef;
    }

    /// <summary>The compiled code.</summary>
    public NativeFunction Code { get; }

    /// <inheritdoc/>
    public override string? Name => _function.Name;

    /// <inheritdoc/>
    public override int Index => _function.Index;

    /// <summary>Enters the code at <paramref name="entry"/> (an OSR entry of this function) with <paramref name="state"/> as its argument area.</summary>
    public void Call(nint entry, Span<ulong> state)
    {
        fixed (ulong* args = state)
        {
            _context.Call(entry, _vmctx, args, _funcRef);
        }
    }

    /// <inheritdoc/>
    public override FunctionInstance? InvokeOrTailCall(Span<ulong> slots)
    {
        fixed (ulong* args = slots)
        {
            return _context.CallOrTailCall(((VMFuncRef*)_funcRef)->NativeCode, _vmctx, args, _funcRef);
        }
    }

    /// <inheritdoc/>
    public override void Invoke(Span<ulong> slots)
    {
        fixed (ulong* args = slots)
        {
            _context.Call(((VMFuncRef*)_funcRef)->NativeCode, _vmctx, args, _funcRef);
        }
    }
}
