using Engine.Core;
using Engine.Optimizing.Ir;

namespace Engine.Optimizing;

/// <summary>The steps of the optimizing tier, callable one by one (tests and the IR listing use them).</summary>
internal static class OptimizingPipeline
{
    /// <summary>Builds the SSA form of a defined function into <paramref name="f"/>.</summary>
    public static void BuildIr(IrFunction f, ModuleInfo module, uint functionIndex, CompilerOptions options)
    {
        var builder = new IrBuilder();
        builder.Build(f, module, functionIndex, options);
        builder.Forget();
    }
}
