using System.Diagnostics;
using Engine.Core;

namespace Engine.Baseline;

/// <summary>
/// The baseline compiler: one pass over a validated function body, straight to x86-64 machine code
/// (the Liftoff / Winch design). Layers: <see cref="BaselineVisitor"/> (one short method per operator)
/// over <see cref="CodeGen"/> (lazy value stack, register allocation, frame, control) over
/// <see cref="MacroAssembler"/> (the only user of Iced). Thread-safe: every call compiles with its own state.
/// </summary>
public sealed class BaselineCompiler : IFunctionCompiler
{
    [ThreadStatic]
    private static CodeGen? t_codeGen;

    /// <inheritdoc/>
    public string Name => "baseline";

    /// <summary>True on machines where the tier can run (x86-64).</summary>
    public static bool IsSupported => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64;

    /// <inheritdoc/>
    public CompileResult Compile(ModuleInfo module, uint functionIndex, CompilerOptions options)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(options);
        // One context per thread, reused: its buffers (instructions, stacks, lists) stay allocated.
        CodeGen cg = t_codeGen ??= new CodeGen();
        try
        {
            cg.Begin(module, functionIndex, options);
            if (cg.Unsupported is { } early)
            {
                return new CompileResult(null, early);
            }
            FunctionBody body = module.Body(functionIndex);
            var reader = new WasmReader(module.Bytes, body.CodeStart, body.End);
            var visitor = new BaselineVisitor(cg);
            while (cg.ControlDepth > 0)
            {
                cg.WasmOffset = reader.Position;
                reader.ReadOperator(ref visitor);
                if (cg.Unsupported is { } reason)
                {
                    return new CompileResult(null, reason);
                }
            }
            Debug.Assert(reader.AtEnd);
            return new CompileResult(cg.Finish(), null);
        }
        finally
        {
            cg.Forget();
        }
    }
}
