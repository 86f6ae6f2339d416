using System.Diagnostics;
using Engine.Core;

namespace Engine.Baseline;

/// <summary>Settings of the baseline compiler itself (what every compiler is asked is <see cref="CompilerOptions"/>).</summary>
public sealed record BaselineOptions
{
    /// <summary>
    /// Keep the most used numeric locals in registers for the whole function (default). Off, every local lives in its
    /// frame slot: for experiments measuring what pinning buys, and for tests of the unpinned code paths.
    /// </summary>
    public bool PinLocals { get; init; } = true;

    /// <summary>The defaults.</summary>
    public static BaselineOptions Default { get; } = new();
}

/// <summary>
/// The baseline compiler: one pass over a validated function body, straight to x86-64 machine code
/// (the Liftoff / Winch design). Layers: <see cref="BaselineVisitor"/> (one short method per operator)
/// over <see cref="CodeGen"/> (lazy value stack, register allocation, control) over the shared x86-64 layer
/// (<c>Engine.CodeGen.X64</c>: the native frame and calling convention, traps, calls, the wasm-semantic
/// sequences, the artifact, and the macro assembler, the only user of Iced). Thread-safe: every call compiles
/// with its own state.
/// </summary>
public sealed class BaselineCompiler : IFunctionCompiler
{
    [ThreadStatic]
    private static CodeGen? t_codeGen;

    /// <summary>A baseline compiler with the given settings (the defaults when null).</summary>
    public BaselineCompiler(BaselineOptions? options = null) => Options = options ?? BaselineOptions.Default;

    /// <summary>The compiler's own settings.</summary>
    public BaselineOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "baseline";

    /// <inheritdoc/>
    public string Settings => Options.ToString();

    /// <inheritdoc/>
    public CompileResult Compile(ModuleInfo module, uint functionIndex, CompilerOptions options)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(options);
        if (CompilerLimits.Refused(module, functionIndex) is { } refused)
        {
            return new CompileResult(null, refused);
        }
        // One context per thread, reused: its buffers (instructions, stacks, lists) stay allocated.
        CodeGen cg = t_codeGen ??= new CodeGen();
        try
        {
            cg.Begin(module, functionIndex, options, Options);
            if (cg.Failure is { } early)
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
                if (cg.Failure is { } failure)
                {
                    return new CompileResult(null, failure);
                }
            }
            Debug.Assert(reader.AtEnd);
            return CompileResult.Compiled(cg.Finish());
        }
        finally
        {
            cg.Forget();
        }
    }
}
