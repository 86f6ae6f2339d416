using Engine.Core;
using Engine.Text;
using Engine.Optimizing;
using Engine.Optimizing.Ir;

namespace Engine.Tests.Optimizing;

/// <summary>Builds the IR of functions of small text modules.</summary>
internal static class IrTestSupport
{
    public static ModuleInfo Module(string wat) => ModuleLoader.DecodeAndValidate(WatParser.ParseModule(wat, null, emitNames: true));

    public static uint FunctionIndex(ModuleInfo module, string name) =>
        module.Names!.FunctionNames.Single(pair => pair.Value == name).Key;

    /// <summary>The IR of function <paramref name="name"/> as built (verified), or after the passes when <paramref name="optimize"/>.</summary>
    public static IrFunction Build(string wat, string name, CompilerOptions? options = null, bool optimize = false)
    {
        ModuleInfo module = Module(wat);
        var pipeline = new OptimizingPipeline { VerifyEachPass = true };
        pipeline.BuildIr(module, FunctionIndex(module, name), options ?? CompilerOptions.Default);
        if (optimize)
        {
            pipeline.Optimize();
        }
        return pipeline.Function;
    }

    /// <summary>The printed IR after the passes.</summary>
    public static string Optimized(string wat, string name, CompilerOptions? options = null) =>
        IrPrinter.Print(Build(wat, name, options, optimize: true));
}
