namespace Engine.Optimizing;

/// <summary>
/// The optimizing tier's passes that can be turned off one by one (<see cref="OptimizingCompiler.Passes"/>): for
/// bisecting a miscompilation to the pass that causes it. The default is <see cref="All"/>.
/// </summary>
[Flags]
public enum OptimizingPasses
{
    /// <summary>No optional pass.</summary>
    None = 0,

    /// <summary>Global value numbering (and with it constant folding of branches).</summary>
    ValueNumbering = 1 << 0,

    /// <summary>Redundant-load elimination and store-to-load forwarding inside value numbering.</summary>
    RedundantLoads = 1 << 1,

    /// <summary>Redundant bounds-check elimination inside value numbering.</summary>
    BoundsChecks = 1 << 2,

    /// <summary>Algebraic simplification inside value numbering.</summary>
    Simplify = 1 << 3,

    /// <summary>Dead-code elimination.</summary>
    DeadCode = 1 << 4,

    /// <summary>Merging a block into its only predecessor.</summary>
    MergeBlocks = 1 << 5,

    /// <summary>Loop-invariant code motion.</summary>
    LoopInvariantCodeMotion = 1 << 6,

    /// <summary>Loads folded into the instruction that uses them (memory operands).</summary>
    FoldLoads = 1 << 7,

    /// <summary>Compares fused into their branch or select.</summary>
    FuseCompares = 1 << 8,

    /// <summary>Inlining of small direct callees (<see cref="Passes.Inliner"/>).</summary>
    Inlining = 1 << 9,

    /// <summary>Every pass.</summary>
    All = (1 << 10) - 1,
}

/// <summary>The names <see cref="OptimizingPasses"/> go by in a comma-separated list (the command line's debugging variable).</summary>
public static class OptimizingPassNames
{
    private static readonly (string Name, OptimizingPasses Pass)[] s_names =
    [
        ("gvn", OptimizingPasses.ValueNumbering), ("loads", OptimizingPasses.RedundantLoads),
        ("bounds", OptimizingPasses.BoundsChecks), ("simplify", OptimizingPasses.Simplify), ("dce", OptimizingPasses.DeadCode),
        ("merge", OptimizingPasses.MergeBlocks), ("licm", OptimizingPasses.LoopInvariantCodeMotion),
        ("fold", OptimizingPasses.FoldLoads), ("fusecmp", OptimizingPasses.FuseCompares),
        ("inline", OptimizingPasses.Inlining),
    ];

    /// <summary>The passes named in <paramref name="list"/> (gvn, loads, bounds, simplify, dce, merge, licm, fold, fusecmp, inline).</summary>
    /// <exception cref="FormatException">A name that is none of those.</exception>
    public static OptimizingPasses Parse(string list)
    {
        OptimizingPasses passes = OptimizingPasses.None;
        foreach (string name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int i = Array.FindIndex(s_names, n => n.Name == name);
            passes |= i >= 0 ? s_names[i].Pass
                : throw new FormatException($"no optimizing pass '{name}' ({string.Join(", ", s_names.Select(n => n.Name))})");
        }
        return passes;
    }
}
