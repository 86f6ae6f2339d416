using Engine.Core;
using Engine.Text;
using Engine.Interpreter;
using Engine.Runtime;

namespace Engine.Tests.Baseline;

/// <summary>Helpers for tests of the machine-code tier: engines per tier, modules from text, and whether a function runs compiled.</summary>
internal static class BaselineTestSupport
{
    public static WasmEngine NewEngine(TierMode tier, bool epoch = false, bool fuel = false) =>
        new(new EngineConfig { Tier = tier, EpochInterruption = epoch, ConsumeFuel = fuel });

    public static Instance Instantiate(Store store, string wat, Linker? linker = null)
    {
        Module module = Module.FromBytes(store.Engine, WatParser.ParseModule(wat));
        return (linker ?? new Linker(store.Engine)).Instantiate(store, module);
    }

    /// <summary>True when the exported function runs compiled code.</summary>
    public static bool IsCompiled(Function function) => function.Instance is InterpretedFunction { Compiled: not null };
}
