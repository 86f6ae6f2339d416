using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using Engine.Core;
using Engine.Runtime;

namespace Engine.Fuzz.Targets;

/// <summary>
/// Runs a module in one configuration of our engine and tells what happened, one line per event: each
/// exported function called in order (after the <c>hangLimitInitializer</c> reset) with its arguments, its
/// results or trap, the calls it made to the imports, then the exported globals, tables and memories.
/// </summary>
public static class EngineRun
{
    /// <summary>The engine configuration of a mode name (interpreter, baseline, tiered-1, tiered-2-checked).</summary>
    public static EngineConfig Config(string mode) => mode switch
    {
        "interpreter" => new EngineConfig { Tier = TierMode.Interpreter },
        "baseline" => new EngineConfig { Tier = TierMode.Baseline },
        "tiered-1" => new EngineConfig { Tier = TierMode.Tiered, TierUpCallThreshold = 1, TierUpLoopThreshold = 1, BackgroundCompilation = false },
        // Fuel and epoch checks in every function and loop (never running out): the code with interruption checks.
        "tiered-2-checked" => new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 2, TierUpLoopThreshold = 2, BackgroundCompilation = false,
            ConsumeFuel = true, EpochInterruption = true,
        },
        // For narrowing a difference down (the events command): tiered-2 with one of the checks or none.
        "tiered-2" => Config("tiered-2-checked") with { ConsumeFuel = false, EpochInterruption = false },
        "tiered-2-fuel" => Config("tiered-2-checked") with { EpochInterruption = false },
        "tiered-2-epoch" => Config("tiered-2-checked") with { ConsumeFuel = false },
        "optimizing" => new EngineConfig { Tier = TierMode.Optimizing },
        "optimizing-checked" => new EngineConfig { Tier = TierMode.Optimizing, ConsumeFuel = true, EpochInterruption = true },
        "tiered-opt-2" => new EngineConfig
        {
            Tier = TierMode.Tiered, Compilers = [new Engine.Optimizing.OptimizingCompiler()], TierUpCallThreshold = 2, TierUpLoopThreshold = 2,
            BackgroundCompilation = false, ConsumeFuel = true, EpochInterruption = true,
        },
        // The full pipeline, synchronous, with small thresholds: interpreted, baseline and optimized activations of one
        // function meet in one stack (a recursion chain), loops move from each tier to the next.
        "tiered-full" => new EngineConfig
        {
            Tier = TierMode.Tiered, TierUpCallThreshold = 2, TierUpLoopThreshold = 2, TierUpOptimizeThreshold = 3,
            BackgroundCompilation = false,
        },
        "baseline-checked" => new EngineConfig { Tier = TierMode.Baseline, ConsumeFuel = true, EpochInterruption = true },
        "interpreter-checked" => new EngineConfig { Tier = TierMode.Interpreter, ConsumeFuel = true, EpochInterruption = true },
        _ => throw new ArgumentException($"unknown mode {mode}"),
    };

    /// <summary>Receives the final contents of each exported memory (the <c>events</c> command's --dump-memory).</summary>
    public static Action<byte[]>? DumpMemory { get; set; }

    /// <summary>The events of running <paramref name="bytes"/> in <paramref name="mode"/>.</summary>
    public static List<string> Run(byte[] bytes, string mode) => Run(bytes, Config(mode), DiffOptions);

    /// <summary>What the fuzzer's differential target records: also trap backtraces and which function a funcref is.</summary>
    public static EngineRunOptions DiffOptions => new(Backtraces: true, FunctionIdentities: true);

    /// <summary>
    /// The events of running <paramref name="bytes"/> with <paramref name="config"/>: the one runner of the fuzzer's
    /// differential targets and of the differential tests (which pass <paramref name="options"/>).
    /// </summary>
    public static List<string> Run(byte[] bytes, EngineConfig config, EngineRunOptions options = default)
    {
        var events = new List<string>();
        var engine = new WasmEngine(config);
        using var store = new Store(engine);
        if (config.ConsumeFuel)
        {
            store.SetFuel(long.MaxValue / 2);
        }
        if (config.EpochInterruption)
        {
            store.SetEpochDeadline(long.MaxValue);
        }
        Module module = Module.FromBytes(engine, bytes);
        var linker = new Linker(engine);
        foreach (ImportType import in module.Imports)
        {
            if (import.Type is not FunctionExternType { Type: var type } || linker.Get(store, import.Module, import.Name) is not null)
            {
                continue;
            }
            string name = import.Name;
            linker.DefineFunction(import.Module, import.Name, type, (_, args, results) =>
            {
                if (import.Module == "fuzz" && name == "make_ref")
                {
                    results[0] = Value.ExternRef(new HostRef(args[0].AsI32()));
                    return;
                }
                if (import.Module == "fuzz" && name == "ref_id")
                {
                    results[0] = Value.I32(args[0].AsExternRef() is HostRef r ? r.Id : -1);
                    return;
                }
                events.Add($"{name}({string.Join(", ", args.ToArray().Select(a => DescribeValue(a, null)))})");
                for (int i = 0; i < results.Length; i++)
                {
                    results[i] = Value.Default(type.Results[i]);
                }
            });
        }
        Instance instance;
        try
        {
            instance = linker.Instantiate(store, module);
        }
        catch (TrapException e)
        {
            events.Add($"instantiation trap {TrapName(e.Code)}");
            return events;
        }
        // Which function a funcref is: the name of its export (every defined function of a generated module is
        // exported), else its own name; compared among our tiers only.
        var exported = module.Exports.Where(e => e.Type is FunctionExternType).Select(e => (Function: instance.GetFunction(e.Name)!, e.Name)).ToList();
        string Identity(Function function) => exported.FirstOrDefault(p => p.Function.Equals(function)).Name ?? function.Name ?? "?";
        Func<Function, string>? identity = options.FunctionIdentities ? Identity : null;
        string Describe(Value value) => DescribeValue(value, identity);
        string ShortDescribe(Value value) => ShortDescribeValue(value, identity);
        Function? reset = instance.GetFunction("hangLimitInitializer");
        foreach (ExportType export in module.Exports)
        {
            if (export.Type is not FunctionExternType { Type: var type } || export.Name == "hangLimitInitializer")
            {
                continue;
            }
            reset?.Invoke();
            Value[] values = options.ZeroArguments
                ? type.Params.Select(Value.Default).ToArray()
                : DiffTarget.Arguments(bytes, export.Name, type.Params).Select((a, i) => ToValue(type.Params[i], a)).ToArray();
            try
            {
                Value[] results = instance.GetFunction(export.Name)!.Invoke(values);
                events.Add($"{export.Name} -> {string.Join(", ", results.Select(Describe))}");
            }
            catch (TrapException e) when (e.Code == TrapCode.StackExhausted)
            {
                // The tiers' stack limits differ: how far the recursion got (and its side effects) is not comparable.
                events.Add($"{export.Name} stack exhausted");
                return events;
            }
            catch (TrapException e)
            {
                events.Add((options.TrapMessages ? $"{export.Name} trap {e.Code}: {e.Message}" : $"{export.Name} trap {TrapName(e.Code)}") +
                           (options.Backtraces ? BacktraceMarker + string.Join(' ', e.WasmBacktrace.Select(f => $"{f.FunctionIndex}@{f.ModuleOffset:x}")) : ""));
            }
            catch (TagException e)
            {
                // A wasm exception no try_table caught: its tag (by export name) and values.
                events.Add($"{export.Name} {UncaughtException} {DescribeException(module, instance, e)}");
            }
            if (options.MemoryAfterEachCall && instance.GetMemory("memory") is { } memory)
            {
                events.Add($"  memory sha256 {Convert.ToHexString(SHA256.HashData(memory.Span))[..16]}");
            }
            // Collect between calls: what tables and globals hold must survive it.
            store.Gc();
        }
        foreach (ExportType export in module.Exports)
        {
            switch (instance.GetExport(export.Name))
            {
                case Global global:
                    events.Add($"global {export.Name} = {Describe(global.Value)}");
                    break;
                case Memory memory:
                    DumpMemory?.Invoke(memory.Span.ToArray());
                    events.Add($"memory {export.Name}: {memory.Pages} pages, sha256 {Convert.ToHexString(SHA256.HashData(memory.Span))[..32]}");
                    break;
                case Table table:
                    events.Add($"table {export.Name}: {table.Length} [{string.Join(' ', Enumerable.Range(0, (int)Math.Min(table.Length, 64)).Select(i => ShortDescribe(table.Get((uint)i))))}]");
                    break;
            }
        }
        return events;
    }

    /// <summary>The event of an export call that ends in a wasm exception nobody caught (followed by its tag and values, when known).</summary>
    public const string UncaughtException = "uncaught exception";

    private static string DescribeException(Module module, Instance instance, TagException exception)
    {
        foreach (ExportType export in module.Exports)
        {
            if (export.Type is TagExternType && instance.GetTag(export.Name) is { } tag && ReferenceEquals(tag.Instance, exception.Tag))
            {
                return $"{export.Name}({string.Join(", ", tag.ValuesOf(exception).Select(Describe))})";
            }
        }
        return "of an unexported tag";
    }

    /// <summary>
    /// A trap's name for comparisons: wasmtime does not tell an out-of-range indirect call from any table access out
    /// of bounds, nor a call_ref of null from ref.as_non_null of null (both its NullReference).
    /// </summary>
    public static string TrapName(TrapCode code) => code switch
    {
        TrapCode.UndefinedElement => "TableOutOfBounds",
        TrapCode.NullFunctionReference => "NullReference",
        _ => code.ToString(),
    };

    /// <summary>A table element: "-" for null, "#id" for a host object, "f" for a function.</summary>
    public static string ShortDescribe(object? value) => value switch
    {
        null => "-",
        HostRef r => $"#{r.Id}",
        _ => "f",
    };

    /// <summary>What precedes a trap's backtrace (function index @ module offset, innermost first) in its event.</summary>
    public const string BacktraceMarker = " at ";

    /// <summary>What precedes a funcref's identity (<see cref="EngineRunOptions.FunctionIdentities"/>) in a value or table element.</summary>
    public const string IdentityMarker = "=";

    private static string ShortDescribeValue(Value value, Func<Function, string>? identity) =>
        value.Type == ValType.FuncRef && identity is not null && value.AsFuncRef() is { } function
            ? "f" + IdentityMarker + identity(function)
            : ShortDescribe(value.Type == ValType.ExternRef ? value.AsExternRef() : value.IsNull ? null : "f");

    private static string DescribeValue(Value value, Func<Function, string>? identity) =>
        value.Type == ValType.FuncRef && identity is not null && value.AsFuncRef() is { } function
            ? "funcref" + IdentityMarker + identity(function)
            : DiffTarget.Describe(value.Type, FromValue(value));

    private static string Describe(Value value) => DescribeValue(value, null);

    private static object? FromValue(Value value) => value.Type switch
    {
        ValType.I32 => value.AsI32(),
        ValType.I64 => value.AsI64(),
        ValType.F32 => value.AsF32(),
        ValType.F64 => value.AsF64(),
        ValType.V128 => Bytes(value.AsV128()),
        ValType.ExternRef => value.AsExternRef(),
        ValType.FuncRef => value.AsFuncRef(),
        _ => null,
    };

    private static byte[] Bytes(Vector128<byte> vector)
    {
        byte[] bytes = new byte[16];
        vector.CopyTo(bytes);
        return bytes;
    }

    private static Value ToValue(ValType type, object? value) => type switch
    {
        ValType.I32 => Value.I32((int)value!),
        ValType.I64 => Value.I64((long)value!),
        ValType.F32 => Value.F32((float)value!),
        ValType.F64 => Value.F64((double)value!),
        ValType.V128 => Value.V128(Vector128.Create((byte[])value!)),
        ValType.ExternRef => Value.ExternRef(value),
        _ => Value.Null(type),
    };
}

/// <summary>What <see cref="EngineRun.Run(byte[], EngineConfig, EngineRunOptions)"/> does beyond the fuzzer's defaults.</summary>
/// <param name="ZeroArguments">Call every export with zero arguments instead of <see cref="DiffTarget.Arguments"/>.</param>
/// <param name="TrapMessages">Record a trap's code and message (comparable between our tiers, not with wasmtime).</param>
/// <param name="MemoryAfterEachCall">Record a hash of the memory named <c>memory</c> after each call (for debugging).</param>
/// <param name="Backtraces">Record a trap's wasm backtrace (function index and module offset of each frame, innermost
/// first): every tier must report the same frames (inlined ones included), not only the same trap.</param>
/// <param name="FunctionIdentities">Record which function a non-null funcref is (in results, globals and tables), not only
/// that it is one.</param>
public readonly record struct EngineRunOptions(bool ZeroArguments = false, bool TrapMessages = false, bool MemoryAfterEachCall = false,
    bool Backtraces = false, bool FunctionIdentities = false);
