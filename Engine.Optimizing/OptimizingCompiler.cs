using Engine.Core;
using Engine.Optimizing.Emit;

namespace Engine.Optimizing;

/// <summary>
/// The optimizing compiler (the Cranelift / TurboFan role): a function's body becomes SSA form over a control-flow
/// graph (<see cref="Ir.IrBuilder"/>), is optimized (value numbering with redundant-load and bounds-check elimination,
/// constant folding, dead-code elimination, loop-invariant code motion), lowered to machine instructions over
/// virtual registers (<see cref="Lir.InstructionSelector"/>), given registers by linear scan
/// (<see cref="RegAlloc.LinearScan"/>), and emitted through the shared x86-64 layer, which also builds the artifact
/// (<see cref="Emit.LirEmitter"/>). Same native ABI, frame discipline, traps, stack maps and OSR entries as the
/// baseline (tiers.md section 4). Thread-safe: each thread compiles with its own reused state.
/// </summary>
public sealed class OptimizingCompiler : IFunctionCompiler
{
    [ThreadStatic]
    private static State? t_state;

    private sealed class State
    {
        public readonly OptimizingPipeline Pipeline = new();
        public readonly LirEmitter Emitter = new();
    }

    /// <summary>The tier's name ("optimizing").</summary>
    public const string TierName = "optimizing";

    /// <inheritdoc/>
    public string Name => TierName;

    /// <summary>Verify the IR after each pass and check the register allocation (slow; for tests and debugging).</summary>
    public bool Verify { get; init; }

    /// <summary>The passes that run: all by default; fewer to bisect a miscompilation to the pass that causes it.</summary>
    public OptimizingPasses Passes { get; init; } = OptimizingPasses.All;

    /// <summary>When set, the time of each phase of every compilation is added to it (compile-speed measurements; <c>quick-compile --phases</c>).</summary>
    public OptimizingPhaseTimes? PhaseTimes { get; init; }

    /// <summary>The function's SSA form after the optimization passes, as text (<c>disasm --ir</c>).</summary>
    public static string OptimizedIr(ModuleInfo module, uint functionIndex, CompilerOptions options, OptimizingPasses passes = OptimizingPasses.All)
    {
        if (CompilerLimits.Refused(module, functionIndex) is { } refused)
        {
            return $"  (not compiled by the tier: {refused})";
        }
        var pipeline = new OptimizingPipeline { Passes = passes };
        pipeline.BuildIr(module, functionIndex, options);
        pipeline.Optimize();
        string text = Ir.IrPrinter.Print(pipeline.Function);
        pipeline.Forget();
        return text;
    }

    /// <inheritdoc/>
    public CompileResult Compile(ModuleInfo module, uint functionIndex, CompilerOptions options)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(options);
        if (CompilerLimits.Refused(module, functionIndex) is { } refused)
        {
            return new CompileResult(null, refused);
        }
        if (CpuFeatures.Missing(module, functionIndex) is { } missing)
        {
            return CompileResult.Failed(CompileFailureReason.MissingCpuFeature, missing);
        }
        State state = t_state ??= new State();
        OptimizingPipeline pipeline = state.Pipeline;
        pipeline.VerifyEachPass = Verify;
        pipeline.Passes = Passes;
        pipeline.Times = PhaseTimes;
        try
        {
            pipeline.BuildIr(module, functionIndex, options);
            pipeline.Optimize();
            pipeline.SelectInstructions();
            pipeline.AllocateRegisters();
            return CompileResult.Compiled(state.Emitter.Emit(pipeline.Function, pipeline.Lir, pipeline.Allocator, pipeline.OutgoingBytes, options, PhaseTimes));
        }
        finally
        {
            pipeline.Forget();
        }
    }
}
