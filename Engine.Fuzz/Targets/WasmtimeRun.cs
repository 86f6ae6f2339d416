using System.Security.Cryptography;
using Engine.Core;
using Engine.Runtime;

namespace Engine.Fuzz.Targets;

/// <summary>
/// The same run as <see cref="EngineRun"/> in wasmtime (the reference, restricted to the WebAssembly 2.0
/// features plus multiple memories, 64-bit memories, typed function references, tail calls and exceptions; relaxed
/// SIMD stays off, the diff target never gives it such modules), with events described identically so the lists
/// compare line by line (an uncaught exception without its tag and values, which wasmtime's .NET API does not give).
/// </summary>
public static class WasmtimeRun
{
    // The 2.0 engine (the decode target's verdicts) and the one that runs the diff target's modules.
    private static readonly Lazy<Wasmtime.Engine> s_engine2 = new(() => NewEngine(wasm3: false));
    private static readonly Lazy<Wasmtime.Engine> s_engine = new(() => NewEngine(wasm3: true));

    private static Wasmtime.Engine NewEngine(bool wasm3) => new(new Wasmtime.Config()
        .WithReferenceTypes(true).WithSIMD(true).WithBulkMemory(true).WithMultiValue(true)
        .WithRelaxedSIMD(false, false).WithMultiMemory(wasm3).WithMemory64(wasm3).WithTailCalls(wasm3)
        .WithFunctionReferences(wasm3).WithGc(false).WithWasmThreads(false).WithExceptions(wasm3).WithWideArithmetic(false)
        .WithMaximumStackSize(2 << 20));

    /// <summary>
    /// Null when wasmtime accepts the module; else its error. With 2.0's features, or with <paramref name="wasm3"/>
    /// those <see cref="Run"/> has on too (multiple memories, 64-bit memories, typed function references, tail calls,
    /// exceptions).
    /// </summary>
    public static string? Validate(byte[] bytes, bool wasm3 = false) => Wasmtime.Module.Validate(wasm3 ? s_engine.Value : s_engine2.Value, bytes);

    /// <summary>The events of running <paramref name="bytes"/> in wasmtime.</summary>
    public static List<string> Run(byte[] bytes)
    {
        var events = new List<string>();
        // Our module gives the import and export lists with their types (the binary is the same).
        var ourEngine = new WasmEngine();
        Engine.Runtime.Module ours = Engine.Runtime.Module.FromBytes(ourEngine, bytes);
        Wasmtime.Engine engine = s_engine.Value;
        using var module = Wasmtime.Module.FromBytes(engine, "fuzz", bytes);
        using var store = new Wasmtime.Store(engine);
        using var linker = new Wasmtime.Linker(engine);
        var defined = new HashSet<(string, string)>();
        foreach (ImportType import in ours.Imports)
        {
            if (import.Type is not FunctionExternType { Type: var type } || !defined.Add((import.Module, import.Name)))
            {
                continue;
            }
            string name = import.Name;
            bool makeRef = import.Module == "fuzz" && name == "make_ref";
            bool refId = import.Module == "fuzz" && name == "ref_id";
            Wasmtime.Function function = Wasmtime.Function.FromCallback(store, (caller, args, results) =>
            {
                if (makeRef)
                {
                    results[0] = Wasmtime.ValueBox.AsBox<object>(new HostRef(args[0].AsInt32()));
                    return;
                }
                if (refId)
                {
                    results[0] = args[0].As<object>() is HostRef r ? r.Id : -1;
                    return;
                }
                var described = new List<string>();
                for (int i = 0; i < type.Params.Length; i++)
                {
                    described.Add(DiffTarget.Describe(type.Params[i], Unbox(type.Params[i], args[i], store)));
                }
                events.Add($"{name}({string.Join(", ", described)})");
                for (int i = 0; i < type.Results.Length; i++)
                {
                    results[i] = Default(type.Results[i]);
                }
            }, type.Params.Select(Kind).ToArray(), type.Results.Select(Kind).ToArray());
            linker.Define(import.Module, import.Name, function);
        }
        Wasmtime.Instance instance;
        try
        {
            instance = linker.Instantiate(store, module);
        }
        catch (Wasmtime.TrapException e)
        {
            events.Add($"instantiation trap {TrapName(e)}");
            return events;
        }
        Wasmtime.Function? reset = instance.GetFunction("hangLimitInitializer");
        foreach (ExportType export in ours.Exports)
        {
            if (export.Type is not FunctionExternType { Type: var type } || export.Name == "hangLimitInitializer")
            {
                continue;
            }
            reset?.Invoke();
            List<object?> arguments = DiffTarget.Arguments(bytes, export.Name, type.Params);
            Wasmtime.ValueBox[] boxes = arguments.Select((a, i) => Box(type.Params[i], a)).ToArray();
            try
            {
                object? result = instance.GetFunction(export.Name)!.Invoke(boxes);
                object?[] results = type.Results.Length switch
                {
                    0 => [],
                    1 => [result],
                    _ => (object?[])result!,
                };
                events.Add($"{export.Name} -> {string.Join(", ", results.Select((r, i) => DiffTarget.Describe(type.Results[i], Normalize(type.Results[i], r))))}");
            }
            catch (Wasmtime.TrapException e) when (e.Type == Wasmtime.TrapCode.StackOverflow)
            {
                events.Add($"{export.Name} stack exhausted");
                return events;
            }
            catch (Wasmtime.TrapException e) when (e.Message.Contains("thrown Wasm exception", StringComparison.Ordinal))
            {
                // wasmtime's .NET API does not give the exception's tag and values: DiffTarget compares this event only.
                events.Add($"{export.Name} {EngineRun.UncaughtException}");
            }
            catch (Wasmtime.TrapException e)
            {
                events.Add($"{export.Name} trap {TrapName(e)}");
            }
        }
        foreach (ExportType export in ours.Exports)
        {
            switch (export.Type)
            {
                case GlobalExternType g:
                    events.Add($"global {export.Name} = {DiffTarget.Describe(g.Type.Type, Normalize(g.Type.Type, instance.GetGlobal(export.Name)!.GetValue()))}");
                    break;
                case MemoryExternType:
                {
                    Wasmtime.Memory memory = instance.GetMemory(export.Name)!;
                    long length = memory.GetLength();
                    byte[] hash = SHA256.HashData(memory.GetSpan(0, (int)length));
                    EngineRun.DumpMemory?.Invoke(memory.GetSpan(0, (int)length).ToArray());
                    events.Add($"memory {export.Name}: {length / 65536} pages, sha256 {Convert.ToHexString(hash)[..32]}");
                    break;
                }
                case TableExternType t:
                {
                    Wasmtime.Table table = instance.GetTable(export.Name)!;
                    ulong size = table.GetSize();
                    IEnumerable<string> elements = Enumerable.Range(0, (int)Math.Min(size, 64)).Select(i =>
                    {
                        object? element = table.GetElement((uint)i);
                        return EngineRun.ShortDescribe(t.Type.ElementType == ValType.FuncRef && element is Wasmtime.Function { IsNull: true } ? null : element);
                    });
                    events.Add($"table {export.Name}: {size} [{string.Join(' ', elements)}]");
                    break;
                }
            }
        }
        return events;
    }

    private static string TrapName(Wasmtime.TrapException e) => e.Type switch
    {
        Wasmtime.TrapCode.MemoryOutOfBounds or Wasmtime.TrapCode.HeapMisaligned => nameof(TrapCode.MemoryOutOfBounds),
        Wasmtime.TrapCode.TableOutOfBounds => nameof(TrapCode.TableOutOfBounds),
        Wasmtime.TrapCode.IndirectCallToNull => nameof(TrapCode.UninitializedElement),
        Wasmtime.TrapCode.BadSignature => nameof(TrapCode.IndirectCallTypeMismatch),
        Wasmtime.TrapCode.IntegerOverflow => nameof(TrapCode.IntegerOverflow),
        Wasmtime.TrapCode.IntegerDivisionByZero => nameof(TrapCode.IntegerDivideByZero),
        Wasmtime.TrapCode.BadConversionToInteger => nameof(TrapCode.InvalidConversionToInteger),
        Wasmtime.TrapCode.Unreachable => nameof(TrapCode.Unreachable),
        Wasmtime.TrapCode.NullReference => nameof(TrapCode.NullReference),
        var other => $"wasmtime-{other}",
    };

    private static Wasmtime.ValueKind Kind(ValType type) => type switch
    {
        ValType.I32 => Wasmtime.ValueKind.Int32,
        ValType.I64 => Wasmtime.ValueKind.Int64,
        ValType.F32 => Wasmtime.ValueKind.Float32,
        ValType.F64 => Wasmtime.ValueKind.Float64,
        ValType.V128 => Wasmtime.ValueKind.V128,
        ValType.ExternRef => Wasmtime.ValueKind.ExternRef,
        _ => Wasmtime.ValueKind.FuncRef,
    };

    private static Wasmtime.ValueBox Default(ValType type) => type switch
    {
        ValType.I32 => 0,
        ValType.I64 => 0L,
        ValType.F32 => 0f,
        ValType.F64 => 0d,
        ValType.V128 => new Wasmtime.V128(new byte[16]),
        ValType.ExternRef => Wasmtime.ValueBox.AsBox<object>(null),
        _ => Wasmtime.Function.Null,
    };

    private static Wasmtime.ValueBox Box(ValType type, object? value) => type switch
    {
        ValType.I32 => (int)value!,
        ValType.I64 => (long)value!,
        ValType.F32 => (float)value!,
        ValType.F64 => (double)value!,
        ValType.V128 => new Wasmtime.V128((byte[])value!),
        ValType.ExternRef => Wasmtime.ValueBox.AsBox(value),
        _ => Wasmtime.Function.Null,
    };

    private static object? Unbox(ValType type, Wasmtime.ValueBox box, Wasmtime.Store store) => type switch
    {
        ValType.I32 => box.AsInt32(),
        ValType.I64 => box.AsInt64(),
        ValType.F32 => box.AsSingle(),
        ValType.F64 => box.AsDouble(),
        ValType.V128 => box.AsV128().AsSpan().ToArray(),
        ValType.ExternRef => box.As<object>(),
        _ => box.AsFunction(store) is { IsNull: false } f ? f : null,
    };

    private static object? Normalize(ValType type, object? value) => type switch
    {
        ValType.V128 => value is Wasmtime.V128 v ? v.AsSpan().ToArray() : value,
        ValType.FuncRef => value is Wasmtime.Function { IsNull: false } ? value : null,
        _ => value,
    };
}
