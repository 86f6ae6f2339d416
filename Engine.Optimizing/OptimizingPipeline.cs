using Engine.Core;
using Engine.Optimizing.Analysis;
using Engine.Optimizing.Ir;
using Engine.Optimizing.Lir;
using Engine.Optimizing.Passes;
using Engine.Optimizing.RegAlloc;

namespace Engine.Optimizing;

/// <summary>
/// The state one compiler thread reuses from function to function (IR arrays, analyses, pass scratch), and the
/// steps of the optimizing tier, callable one by one (tests and the IR listing use them).
/// </summary>
internal sealed class OptimizingPipeline
{
    public readonly IrFunction Function = new();
    public readonly ControlFlow Cfg = new();
    private readonly IrBuilder _builder = new();
    private readonly ValueNumbering _gvn = new();
    private readonly DeadCode _dce = new();
    private readonly LoopInvariantCodeMotion _licm = new();
    private readonly InstructionSelector _isel = new();
    public readonly LirFunction Lir = new();
    public readonly LinearScan Allocator = new();

    /// <summary>Verify the IR after every pass (tests; debug builds).</summary>
    public bool VerifyEachPass { get; set; }
#if DEBUG
        = true;
#endif

    /// <summary>
    /// Passes to skip, for bisecting miscompilations: a comma-separated list in the environment variable
    /// <c>WASM_ENGINE_OPT_DISABLE</c> of <c>gvn</c>, <c>loads</c> (redundant-load elimination and store
    /// forwarding inside value numbering), <c>bounds</c> (bounds-check elimination), <c>simplify</c>, <c>dce</c>,
    /// <c>merge</c> (block merging), <c>licm</c>, <c>fold</c> (loads folded into their user), <c>fusecmp</c>
    /// (compares fused into their branch or select). Read once per process.
    /// </summary>
    internal static readonly HashSet<string> DisabledPasses = new(
        (Environment.GetEnvironmentVariable("WASM_ENGINE_OPT_DISABLE") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>The environment variable <c>WASM_ENGINE_OPT_VERIFY=1</c> turns <see cref="VerifyEachPass"/> on everywhere.</summary>
    internal static readonly bool VerifyFromEnvironment = Environment.GetEnvironmentVariable("WASM_ENGINE_OPT_VERIFY") == "1";

    internal static bool PassEnabled(string name) => DisabledPasses.Count == 0 || !DisabledPasses.Contains(name);

    /// <summary>Builds the SSA form of a defined function.</summary>
    public void BuildIr(ModuleInfo module, uint functionIndex, CompilerOptions options)
    {
        _builder.Build(Function, module, functionIndex, options);
        _builder.Forget();
        Cfg.Compute(Function);
        Verify("building");
    }

    /// <summary>Runs the optimization passes, in order of payoff.</summary>
    public void Optimize()
    {
        IrFunction f = Function;
        if (DeadCode.RemoveUnreachable(f, Cfg))
        {
            Cfg.Compute(f);
        }
        if (PassEnabled("gvn"))
        {
            _gvn.Run(f, Cfg);
        }
        if (PassEnabled("gvn") && _gvn.ChangedControlFlow)
        {
            Cfg.Compute(f);
            DeadCode.RemoveUnreachable(f, Cfg);
            Cfg.Compute(f);
        }
        Verify("value numbering");
        if (PassEnabled("dce"))
        {
            _dce.Run(f, Cfg);
        }
        Verify("dead-code elimination");
        if (PassEnabled("merge") && _dce.MergeBlocks(f, Cfg))
        {
            Cfg.Compute(f);
            Verify("block merging");
        }
        if (PassEnabled("licm") && _licm.Run(f, Cfg) > 0)
        {
            Verify("loop-invariant code motion");
        }
    }

    /// <summary>Instruction selection into <see cref="Lir"/>.</summary>
    public void SelectInstructions() => _isel.Run(Function, Cfg, Lir);

    /// <summary>The size of the outgoing area (arguments and results of calls and builtins), in bytes.</summary>
    public int OutgoingBytes => 8 * _isel.OutgoingSlots;

    /// <summary>Register allocation of <see cref="Lir"/>; spill slots start right after the outgoing area.</summary>
    public void AllocateRegisters()
    {
        Allocator.Run(Lir, OutgoingBytes);
        if (VerifyEachPass)
        {
            AllocationChecker.Check(Lir, Allocator.Moves);
        }
    }

    /// <summary>Drops the module references of the function last compiled.</summary>
    public void Forget() => Function.Forget();

    private void Verify(string after)
    {
        if (!VerifyEachPass)
        {
            return;
        }
        try
        {
            IrVerifier.Verify(Function, Cfg);
        }
        catch (IrVerificationException e)
        {
            throw new IrVerificationException($"after {after}: {e.Message}");
        }
    }
}
