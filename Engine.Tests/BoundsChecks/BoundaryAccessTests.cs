using System.Text;
using Engine.Core;
using Engine.Runtime;
using Engine.Tests.Baseline;
using NUnit.Framework;

namespace Engine.Tests.BoundsChecks;

/// <summary>
/// Accesses at every interesting place around the end of memory, in every tier and with both bounds-check strategies:
/// the last valid byte, the first invalid one, accesses straddling the end (i64 and v128 too, and the partial SIMD
/// loads and stores), static offsets just under and over the guard region (where compiled code switches from guard
/// pages to an explicit check) and near 4 GiB, before and after <c>memory.grow</c>. Every call must give the
/// interpreter's result, or its trap with the same wasm backtrace, and the memory must end the same (a store that traps
/// writes nothing, not even the part inside the memory).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class BoundaryAccessTests
{
    private const ulong Guard = MemoryReservation.DefaultGuardSize;

    private sealed record Access(string Name, string Load, string Store, string Type, int Size, string? Lane = null);

    private static readonly Access[] s_accesses =
    [
        new("u8", "i32.load8_u", "i32.store8", "i32", 1),
        new("s16", "i32.load16_s", "i32.store16", "i32", 2),
        new("i32", "i32.load", "i32.store", "i32", 4),
        new("i64", "i64.load", "i64.store", "i64", 8),
        new("u32to64", "i64.load32_u", "i64.store32", "i64", 4),
        new("f32", "f32.load", "f32.store", "f32", 4),
        new("f64", "f64.load", "f64.store", "f64", 8),
        new("v128", "v128.load", "v128.store", "v128", 16),
        new("lane8", "v128.load8_lane", "v128.store8_lane", "v128", 1, "1"),
        new("lane64", "v128.load64_lane", "v128.store64_lane", "v128", 8, "1"),
        new("zero32", "v128.load32_zero", "v128.store32_lane", "v128", 4, "0"),
        new("splat16", "v128.load16_splat", "v128.store16_lane", "v128", 2, "7"),
        new("ext8x8", "v128.load8x8_s", "v128.store64_lane", "v128", 8, "0"),
    ];

    /// <summary>The static offsets of each access: small, around the guard region's end for its size, and near 4 GiB.</summary>
    private static ulong[] OffsetsFor(int size) => new ulong[]
    {
        0, 1, 65535, Guard - (ulong)size - 1, Guard - (ulong)size, Guard - (ulong)size + 1, Guard - (ulong)size + 2, Guard - 1, Guard,
        Guard + 1, 0x7FFF_FFFF, 0x8000_0000, 0x1_0000_0000 - (ulong)size, 0xFFFF_FFFF,
    }.Distinct().ToArray();

    private static string ModuleText()
    {
        var text = new StringBuilder("(module (memory (export \"memory\") 1 3)\n");
        text.Append("  (func (export \"grow\") (result i32) (memory.grow (i32.const 1)))\n");
        foreach (Access access in s_accesses)
        {
            foreach (ulong offset in OffsetsFor(access.Size))
            {
                string lane = access.Lane is null ? "" : $" {access.Lane}";
                // Lane loads take the vector the lane goes into: a known one.
                string laneInput = access.Lane is not null && access.Load.EndsWith("_lane", StringComparison.Ordinal)
                    ? " (v128.const i64x2 0x1111111111111111 0x2222222222222222)" : "";
                string loadImmediate = access.Load.EndsWith("_lane", StringComparison.Ordinal) ? lane : "";
                text.Append($"  (func (export \"load_{access.Name}_{offset}\") (param i32) (result {access.Type}) " +
                            $"({access.Load} offset={offset}{loadImmediate} (local.get 0){laneInput}))\n");
                text.Append($"  (func (export \"store_{access.Name}_{offset}\") (param i32 {access.Type}) " +
                            $"({access.Store} offset={offset}{lane} (local.get 0) (local.get 1)))\n");
            }
        }
        return text.Append(')').ToString();
    }

    private static readonly Lazy<byte[]> s_module = new(() => Engine.Text.WatParser.ParseModule(ModuleText()));

    public static IEnumerable<TestCaseData> Configurations()
    {
        foreach (string mode in TierModes.Compiled())
        {
            foreach (BoundsCheckStrategy strategy in new[] { BoundsCheckStrategy.GuardPages, BoundsCheckStrategy.Explicit })
            {
                yield return new TestCaseData(mode, strategy).SetArgDisplayNames(mode, strategy.ToString());
            }
        }
    }

    private static readonly Lazy<List<string>> s_interpreter = new(() => Run(TierModes.Config("interpreter"), out _));

    [TestCaseSource(nameof(Configurations))]
    public void AccessesAroundTheEndBehaveAsInTheInterpreter(string mode, BoundsCheckStrategy strategy)
    {
        List<string> expected = s_interpreter.Value;
        List<string> actual = Run(TierModes.Config(mode) with { BoundsChecks = strategy }, out BoundsCheckStrategy used);

        Assert.That(used, Is.EqualTo(strategy), "the memory's bounds checks");
        Assert.That(actual, Has.Count.EqualTo(expected.Count));
        var differences = Enumerable.Range(0, expected.Count).Where(i => expected[i] != actual[i])
            .Select(i => $"interpreter: {expected[i]}{Environment.NewLine}   {mode}: {actual[i]}").Take(10).ToList();
        Assert.That(differences, Is.Empty, string.Join(Environment.NewLine, differences));
    }

    /// <summary>Runs every access at every address of interest before and after growth: one line per call, then the memory's hash.</summary>
    private static List<string> Run(EngineConfig config, out BoundsCheckStrategy strategy)
    {
        var engine = new WasmEngine(config);
        using var store = new Store(engine);
        Instance instance = new Linker(engine).Instantiate(store, Module.FromBytes(engine, s_module.Value));
        Engine.Runtime.Memory memory = instance.GetMemory("memory")!;
        strategy = memory.BoundsChecks;
        var lines = new List<string>();
        long value = 0x0102_0304_0506_0708;
        for (int phase = 0; phase < 2; phase++)
        {
            ulong length = (ulong)memory.Length;
            foreach (Access access in s_accesses)
            {
                foreach (ulong offset in OffsetsFor(access.Size))
                {
                    Function load = instance.GetFunction($"load_{access.Name}_{offset}")!;
                    Function storeFunction = instance.GetFunction($"store_{access.Name}_{offset}")!;
                    foreach (uint address in AddressesFor(length, offset, access.Size))
                    {
                        lines.Add($"load_{access.Name} offset={offset} [{address}] -> {Call(load, address)}");
                        value = value * 6364136223846793005 + 1442695040888963407;
                        Value stored = access.Type switch
                        {
                            "i32" => Value.I32((int)value),
                            "i64" => Value.I64(value),
                            "f32" => Value.F32Bits((uint)value & 0xBFFF_FFFF),
                            "f64" => Value.F64Bits((ulong)value & 0x3fff_ffff_ffff_ffff),
                            _ => Value.V128(System.Runtime.Intrinsics.Vector128.AsByte(System.Runtime.Intrinsics.Vector128.Create(value, ~value))),
                        };
                        lines.Add($"store_{access.Name} offset={offset} [{address}] -> {Call(storeFunction, address, stored)}");
                    }
                }
            }
            lines.Add($"memory {memory.Length} bytes, hash {Hash(memory)}");
            lines.Add($"grow -> {instance.GetFunction("grow")!.Invoke()[0].AsI32()}");
        }
        return lines;
    }

    /// <summary>Addresses whose effective address (address + offset) lands around the end, plus a few fixed ones.</summary>
    private static IEnumerable<uint> AddressesFor(ulong length, ulong offset, int size)
    {
        var effective = new ulong[]
        {
            0, length - (ulong)size - 1, length - (ulong)size, length - (ulong)size + 1, length - 1, length, length + 1,
            length + Guard, 0x1_0000_0000 - (ulong)size, 0x1_0000_0000 + Guard - (ulong)size,
        };
        var addresses = new SortedSet<uint> { 0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFF0, 0xFFFF_FFFF };
        foreach (ulong target in effective)
        {
            if (target >= offset && target - offset <= uint.MaxValue)
            {
                addresses.Add((uint)(target - offset));
            }
        }
        return addresses;
    }

    private static string Call(Function function, uint address, Value? stored = null)
    {
        try
        {
            Value[] results = stored is { } v ? function.Invoke(Value.I32((int)address), v) : function.Invoke(Value.I32((int)address));
            return results.Length == 0 ? "ok" : results[0].Type == ValType.V128
                ? $"{results[0].Bits:x16}:{results[0].HighBits:x16}"
                : $"{results[0].Bits:x}";
        }
        catch (TrapException trap)
        {
            return $"trap {trap.Code} at {string.Join(" ", trap.WasmBacktrace.Select(f => $"{f.FunctionIndex}@{f.ModuleOffset:x}"))}";
        }
    }

    private static string Hash(Engine.Runtime.Memory memory) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(memory.GetSpan(0, (int)memory.Length)))[..16];
}
