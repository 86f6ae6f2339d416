using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.Intrinsics;
using Engine.Core;

namespace Engine.Tests.Simd;

/// <summary>What running one script's straight-line assertions found.</summary>
internal sealed class SpecFileResult
{
    public required string Name { get; init; }

    /// <summary><c>assert_return</c> commands evaluated.</summary>
    public int AssertReturns { get; set; }

    /// <summary><c>assert_trap</c> commands evaluated.</summary>
    public int AssertTraps { get; set; }

    /// <summary>Evaluated assertions in which at least one operator went through <c>SimdOps</c>.</summary>
    public int SimdAssertions { get; set; }

    /// <summary>Evaluated assertions in which at least one operator went through <c>Numerics</c>.</summary>
    public int NumericsAssertions { get; set; }

    /// <summary><c>action</c> commands evaluated (they must not trap).</summary>
    public int Actions { get; set; }

    /// <summary>Commands not evaluated (the function is not straight-line, a reference is involved, ...).</summary>
    public int Skipped { get; set; }

    /// <summary>Why commands were skipped, with counts.</summary>
    public Dictionary<string, int> SkipReasons { get; } = new();

    /// <summary>Every operator that went through <c>SimdOps</c> or <c>Numerics</c> in this script.</summary>
    public HashSet<Opcode> Exercised { get; } = new();

    /// <summary>One line per failed assertion.</summary>
    public List<string> Failures { get; } = new();

    /// <summary>Evaluated assertions.</summary>
    public int Assertions => AssertReturns + AssertTraps;
}

/// <summary>
/// Runs a wast2json script's <c>assert_return</c>, <c>assert_trap</c> and <c>action</c> commands whose
/// function is straight-line (see <see cref="StraightLineFunction"/>), evaluating them with
/// <see cref="SpecEvaluator"/>, and compares the results as the suite's README says: bit patterns,
/// with <c>nan:canonical</c> and <c>nan:arithmetic</c> per value or per float lane.
/// </summary>
internal static class SpecScriptRunner
{
    private static readonly ConcurrentDictionary<string, SpecFileResult> s_results = new();

    /// <summary>The result of script <paramref name="name"/>, computed once per test run.</summary>
    public static SpecFileResult Run(string name) => s_results.GetOrAdd(name, RunUncached);

    private static SpecFileResult RunUncached(string name)
    {
        var result = new SpecFileResult { Name = name };
        string folder = SpecScript.ScriptFolder(name);
        var named = new Dictionary<string, SpecInstance>();
        var all = new List<SpecInstance>();
        SpecInstance? current = null;
        foreach (SpecCommand command in SpecScript.Read(name))
        {
            switch (command.Type)
            {
                case "module":
                    {
                        ModuleInfo module = ModuleDecoder.Decode(File.ReadAllBytes(Path.Combine(folder, command.FileName!)));
                        if (module.Imports.Any(i => i.Kind is ExternKind.Memory or ExternKind.Global or ExternKind.Table))
                        {
                            // Shared state: anything this module does may change other instances.
                            all.ForEach(instance => instance.StateUnknown = true);
                        }
                        current = SpecInstance.Create(module);
                        all.Add(current);
                        if (command.Name != null)
                        {
                            named[command.Name] = current;
                        }
                        break;
                    }
                case "action":
                case "assert_return":
                case "assert_trap":
                    {
                        SpecInstance? target = command.Action?.Module is { } moduleName ? named.GetValueOrDefault(moduleName) : current;
                        string? skipReason = "unknown module";
                        if (target == null || !TryEvaluate(target, command, out Outcome? outcome, out HashSet<Opcode>? calls, out skipReason))
                        {
                            result.Skipped++;
                            result.SkipReasons[skipReason!] = result.SkipReasons.GetValueOrDefault(skipReason!) + 1;
                            break;
                        }
                        Check(name, command, outcome!, calls!, result);
                        break;
                    }
            }
        }
        return result;
    }

    private static bool TryEvaluate(SpecInstance instance, SpecCommand command, out Outcome? outcome, out HashSet<Opcode>? calls, out string? skipReason)
    {
        outcome = null;
        calls = null;
        skipReason = null;
        SpecAction action = command.Action!;
        if (action.Type != "invoke")
        {
            skipReason = "get action";
            return false;
        }
        Export? export = instance.Module.Exports.FirstOrDefault(e => e.Name == action.Field && e.Kind == ExternKind.Func);
        StraightLineFunction? function = null;
        WasmValue?[] args = action.Args.Select(ToValue).ToArray();
        if (export == null)
        {
            skipReason = "no such export";
        }
        else if ((function = instance.Function(export.Index, out string? notStraightLine)) == null)
        {
            skipReason = notStraightLine;
        }
        else if (args.Any(a => a == null) || function.Type.Results.Any(t => t.IsReference()))
        {
            skipReason = "reference values";
        }
        else if (function.UsesMemory && (instance.Memory == null || instance.StateUnknown))
        {
            skipReason = "memory not known";
        }
        else if (function.UsesGlobals && (instance.StateUnknown || function.Steps.Any(s => s.Opcode is Opcode.GlobalGet or Opcode.GlobalSet && instance.Globals[s.Index] == null)))
        {
            skipReason = "globals not known";
        }
        if (skipReason != null)
        {
            // The function runs in the real harness and may change memory or globals we then cannot know.
            if (export == null || StraightLineFunction.MayWriteState(instance.Module, export.Index))
            {
                instance.StateUnknown = true;
            }
            return false;
        }
        calls = new HashSet<Opcode>();
        outcome = SpecEvaluator.Run(function!, args.Select(a => a!.Value).ToArray(), instance, calls);
        return true;
    }

    private static void Check(string name, SpecCommand command, Outcome outcome, HashSet<Opcode> calls, SpecFileResult result)
    {
        string where = $"{name}.wast:{command.Line} {command.Action!.Field}({string.Join(", ", command.Action.Args.Select(Describe))})";
        if (command.Type == "action")
        {
            if (outcome.Trap != null)
            {
                result.Failures.Add($"{where}: trapped ({outcome.Trap}) in an action");
            }
            result.Actions++;
            return;
        }

        result.Exercised.UnionWith(calls);
        if (calls.Any(op => OperatorInfo.Feature(op) == "simd"))
        {
            result.SimdAssertions++;
        }
        if (calls.Any(op => OperatorInfo.Feature(op) != "simd"))
        {
            result.NumericsAssertions++;
        }

        if (command.Type == "assert_trap")
        {
            result.AssertTraps++;
            if (outcome.Trap is not { } trap || !command.Text!.StartsWith(trap.Message(), StringComparison.Ordinal))
            {
                result.Failures.Add($"{where}: expected trap \"{command.Text}\", got {Describe(outcome)}");
            }
            return;
        }

        result.AssertReturns++;
        if (outcome.Results is not { } results)
        {
            result.Failures.Add($"{where}: expected [{string.Join(", ", command.Expected.Select(Describe))}], trapped ({outcome.Trap})");
            return;
        }
        bool matches = results.Length == command.Expected.Length &&
            results.Zip(command.Expected).All(pair => Matches(pair.Second, pair.First));
        if (!matches)
        {
            result.Failures.Add($"{where}: expected [{string.Join(", ", command.Expected.Select(Describe))}], got {Describe(outcome)}");
        }
    }

    /// <summary>A script value as a <see cref="WasmValue"/>; null for references.</summary>
    private static WasmValue? ToValue(SpecValue value)
    {
        switch (value.Type)
        {
            case "i32":
                return WasmValue.FromBits(ValType.I32, ulong.Parse(value.Values[0], CultureInfo.InvariantCulture));
            case "f32":
                return WasmValue.FromBits(ValType.F32, ulong.Parse(value.Values[0], CultureInfo.InvariantCulture));
            case "i64":
                return WasmValue.FromBits(ValType.I64, ulong.Parse(value.Values[0], CultureInfo.InvariantCulture));
            case "f64":
                return WasmValue.FromBits(ValType.F64, ulong.Parse(value.Values[0], CultureInfo.InvariantCulture));
            case "v128":
                {
                    int laneSize = 16 / value.Values.Length;
                    Span<byte> bytes = stackalloc byte[16];
                    for (int lane = 0; lane < value.Values.Length; lane++)
                    {
                        ulong bits = ulong.Parse(value.Values[lane], CultureInfo.InvariantCulture);
                        for (int i = 0; i < laneSize; i++)
                        {
                            bytes[lane * laneSize + i] = (byte)(bits >> (8 * i));
                        }
                    }
                    return WasmValue.V128(Vector128.Create((ReadOnlySpan<byte>)bytes));
                }
            default:
                return null;
        }
    }

    /// <summary>Whether <paramref name="actual"/> is what the script expects, NaN patterns included.</summary>
    internal static bool Matches(SpecValue expected, WasmValue actual)
    {
        if (expected.Type != actual.Type.ToWatName())
        {
            return false;
        }
        switch (expected.Type)
        {
            case "i32":
            case "i64":
                return actual.Low == ulong.Parse(expected.Values[0], CultureInfo.InvariantCulture);
            case "f32":
                return LaneMatches(expected.Values[0], actual.Low, 32);
            case "f64":
                return LaneMatches(expected.Values[0], actual.Low, 64);
            case "v128":
                {
                    int laneBits = 128 / expected.Values.Length;
                    bool isFloat = expected.LaneType is "f32" or "f64";
                    for (int lane = 0; lane < expected.Values.Length; lane++)
                    {
                        ulong bits = LaneBits(actual.Bits, lane, laneBits);
                        bool laneMatches = isFloat
                            ? LaneMatches(expected.Values[lane], bits, laneBits)
                            : bits == ulong.Parse(expected.Values[lane], CultureInfo.InvariantCulture);
                        if (!laneMatches)
                        {
                            return false;
                        }
                    }
                    return true;
                }
            default:
                return false;
        }
    }

    private static bool LaneMatches(string expected, ulong bits, int width)
    {
        // Canonical: only the top mantissa bit set (either sign); arithmetic: the top mantissa bit set.
        ulong quietNaN = width == 32 ? 0x7FC0_0000ul : 0x7FF8_0000_0000_0000ul;
        ulong magnitude = width == 32 ? 0x7FFF_FFFFul : 0x7FFF_FFFF_FFFF_FFFFul;
        return expected switch
        {
            "nan:canonical" => (bits & magnitude) == quietNaN,
            "nan:arithmetic" => (bits & quietNaN) == quietNaN,
            _ => bits == ulong.Parse(expected, CultureInfo.InvariantCulture),
        };
    }

    private static ulong LaneBits(Vector128<byte> vector, int lane, int laneBits) => laneBits switch
    {
        8 => vector.GetElement(lane),
        16 => vector.AsUInt16().GetElement(lane),
        32 => vector.AsUInt32().GetElement(lane),
        _ => vector.AsUInt64().GetElement(lane),
    };

    private static string Describe(SpecValue value) =>
        value.Type == "v128" ? $"v128 {value.LaneType} [{string.Join(" ", value.Values)}]" : $"{value.Type}:{string.Join("", value.Values)}";

    private static string Describe(Outcome outcome) =>
        outcome.Trap is { } trap ? $"trap {trap}" : $"[{string.Join(", ", outcome.Results!.Select(DescribeResult))}]";

    private static string DescribeResult(WasmValue value) => value.Type == ValType.V128
        ? "v128 i32 [" + string.Join(" ", Enumerable.Range(0, 4).Select(i => value.Bits.AsUInt32().GetElement(i))) + "]"
        : $"{value.Type.ToWatName()}:{value.Low}";
}
