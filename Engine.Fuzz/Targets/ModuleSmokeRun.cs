using Engine.Core;
using Engine.Runtime;

namespace Engine.Fuzz.Targets;

/// <summary>
/// Instantiates an arbitrary valid module with stand-ins for its imports (host functions that return zeros,
/// fresh memories, tables and globals of the required types) and calls each exported function once with zero
/// arguments, under fuel and small store limits. Only the engine's typed errors may come out.
/// </summary>
public static class ModuleSmokeRun
{
    private static readonly StoreLimits s_limits = new() { MemoryPages = 512, TableElements = 100_000, Instances = 10 };

    /// <summary>Fuel per exported call: one unit is one call or one loop iteration.</summary>
    public const long FuelPerCall = 20_000;

    /// <summary>Runs the module in <paramref name="tier"/>; returns the failure, or null.</summary>
    public static Finding? Run(byte[] bytes, TierMode tier, FuzzTarget counters)
    {
        string stage = tier == TierMode.Interpreter ? "run" : $"run-{tier.ToString().ToLowerInvariant()}";
        var engine = new WasmEngine(new EngineConfig
        {
            Tier = tier, ConsumeFuel = true, MaxCallDepth = 10_000, BackgroundCompilation = false,
            Features = WasmFeatures.Wasm2, // as the decode verdict (and wasmtime's) were reached
        });
        try
        {
            using var store = new Store(engine, s_limits);
            Module module;
            try
            {
                module = Module.FromBytes(engine, bytes);
            }
            catch (ImplementationLimitException)
            {
                Report(counters, "implementation limit");
                return null;
            }
            var linker = new Linker(engine);
            foreach (ImportType import in module.Imports)
            {
                Extern? standIn = StandIn(store, import.Type);
                if (standIn is not null && linker.Get(store, import.Module, import.Name) is null)
                {
                    linker.Define(import.Module, import.Name, standIn);
                }
            }
            Instance instance;
            try
            {
                store.SetFuel(FuelPerCall);
                instance = linker.Instantiate(store, module);
            }
            catch (Exception e) when (IsTyped(e))
            {
                Report(counters, $"instantiate: {e.GetType().Name}");
                return null;
            }
            foreach (ExportType export in module.Exports)
            {
                if (export.Type is not FunctionExternType { Type: var type })
                {
                    continue;
                }
                Function function = instance.GetFunction(export.Name)!;
                Value[] arguments = type.Params.Select(Value.Default).ToArray();
                try
                {
                    store.SetFuel(FuelPerCall);
                    function.Invoke(arguments);
                    Report(counters, "call returned");
                }
                catch (Exception e) when (IsTyped(e))
                {
                    Report(counters, e is TrapException trap ? $"call trapped" : $"call: {e.GetType().Name}");
                }
            }
            return null;
        }
        catch (Exception e)
        {
            return Finding.Unexpected(stage, e);
        }
    }

    /// <summary>The errors the engine promises: its own exception types.</summary>
    public static bool IsTyped(Exception e) => e is WasmException;

    private static void Report(FuzzTarget counters, string what) => counters.Counters[what] = counters.Counters.GetValueOrDefault(what) + 1;

    /// <summary>A stand-in for an import: zero-returning host function, or a fresh memory, table or global.</summary>
    public static Extern? StandIn(Store store, ExternType type)
    {
        try
        {
            return type switch
            {
                FunctionExternType f => Function.FromCallback(store, f.Type, (_, _, results) =>
                {
                    for (int i = 0; i < results.Length; i++)
                    {
                        results[i] = Value.Default(f.Type.Results[i]);
                    }
                }),
                MemoryExternType m => new Memory(store, m.Type),
                TableExternType t => new Table(store, t.Type, Value.Null(t.Type.ElementType)),
                GlobalExternType g => new Global(store, g.Type, Value.Default(g.Type.Type)),
                _ => null,
            };
        }
        catch (WasmException)
        {
            // Too large for the store's limits: left undefined, so instantiation reports a link error.
            return null;
        }
    }
}
