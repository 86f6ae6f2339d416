using Engine.Core;
using Engine.Core.Text;
using Engine.Optimizing;
using Engine.Optimizing.Ir;

namespace Engine.Tests.Optimizing;

/// <summary>Builds the IR of functions of small text modules.</summary>
internal static class IrTestSupport
{
    public static ModuleInfo Module(string wat) => ModuleLoader.DecodeAndValidate(WatParser.ParseModule(wat, null, emitNames: true));

    public static uint FunctionIndex(ModuleInfo module, string name) =>
        module.Names!.FunctionNames.Single(pair => pair.Value == name).Key;

    /// <summary>The IR of function <paramref name="name"/> as built, verified.</summary>
    public static IrFunction Build(string wat, string name, CompilerOptions? options = null)
    {
        ModuleInfo module = Module(wat);
        var f = new IrFunction();
        OptimizingPipeline.BuildIr(f, module, FunctionIndex(module, name), options ?? CompilerOptions.Default);
        IrVerifier.Verify(f);
        return f;
    }
}
