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
    private readonly Inliner _inliner = new();
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

    /// <summary>The passes that run (<see cref="OptimizingCompiler.Passes"/>; all by default).</summary>
    public OptimizingPasses Passes { get; set; } = OptimizingPasses.All;

    private bool PassEnabled(OptimizingPasses pass) => (Passes & pass) != 0;

    /// <summary>Where each phase's time is added (<see cref="OptimizingCompiler.PhaseTimes"/>), or null.</summary>
    public OptimizingPhaseTimes? Times { get; set; }

    private long _lap;

    private void StartLap()
    {
        if (Times is not null)
        {
            _lap = System.Diagnostics.Stopwatch.GetTimestamp();
        }
    }

    private void Lap(OptimizingPhase phase) => Times?.Lap(phase, ref _lap);

    /// <summary>Builds the SSA form of a defined function.</summary>
    public void BuildIr(ModuleInfo module, uint functionIndex, CompilerOptions options)
    {
        StartLap();
        _builder.Build(Function, module, functionIndex, options);
        _builder.Forget();
        Cfg.Compute(Function);
        Lap(OptimizingPhase.BuildIr);
        Verify("building");
        if (PassEnabled(OptimizingPasses.Inlining))
        {
            StartLap();
            int inlined = _inliner.Run(Function, options);
            if (inlined > 0)
            {
                Cfg.Compute(Function);
            }
            Lap(OptimizingPhase.BuildIr);
            if (inlined > 0)
            {
                Verify("inlining");
            }
        }
    }

    /// <summary>Runs the optimization passes, in order of payoff.</summary>
    public void Optimize()
    {
        IrFunction f = Function;
        StartLap();
        if (DeadCode.RemoveUnreachable(f, Cfg))
        {
            Cfg.Compute(f);
        }
        Lap(OptimizingPhase.DeadCode);
        if (PassEnabled(OptimizingPasses.ValueNumbering))
        {
            _gvn.EnabledPasses = Passes;
            _gvn.Run(f, Cfg);
        }
        if (PassEnabled(OptimizingPasses.ValueNumbering) && _gvn.ChangedControlFlow)
        {
            Cfg.Compute(f);
            DeadCode.RemoveUnreachable(f, Cfg);
            Cfg.Compute(f);
        }
        Lap(OptimizingPhase.ValueNumbering);
        Verify("value numbering");
        StartLap();
        if (PassEnabled(OptimizingPasses.DeadCode))
        {
            _dce.Run(f, Cfg);
        }
        Lap(OptimizingPhase.DeadCode);
        Verify("dead-code elimination");
        StartLap();
        bool merged = PassEnabled(OptimizingPasses.MergeBlocks) && _dce.MergeBlocks(f, Cfg);
        if (merged)
        {
            Cfg.Compute(f);
        }
        Lap(OptimizingPhase.DeadCode);
        if (merged)
        {
            Verify("block merging");
        }
        StartLap();
        int hoisted = PassEnabled(OptimizingPasses.LoopInvariantCodeMotion) ? _licm.Run(f, Cfg) : 0;
        Lap(OptimizingPhase.LoopInvariantCodeMotion);
        if (hoisted > 0)
        {
            Verify("loop-invariant code motion");
        }
    }

    /// <summary>Instruction selection into <see cref="Lir"/>.</summary>
    public void SelectInstructions()
    {
        _isel.EnabledPasses = Passes;
        StartLap();
        _isel.Run(Function, Cfg, Lir);
        Lap(OptimizingPhase.InstructionSelection);
    }

    /// <summary>The size of the outgoing area (arguments and results of calls and builtins), in bytes.</summary>
    public int OutgoingBytes => 8 * _isel.OutgoingSlots;

    /// <summary>Register allocation of <see cref="Lir"/>; spill slots start right after the outgoing area.</summary>
    public void AllocateRegisters()
    {
        Allocator.CheckScanOrder = VerifyEachPass;
        Allocator.Times = Times;
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
