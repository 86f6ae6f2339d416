using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Engine.Core;
using Engine.Text;
using Engine.Fuzz.Generation;
using Engine.Runtime;

namespace Engine.Fuzz.Targets;

/// <summary>
/// <c>diff</c>: random valid modules run in every tier of ours (the interpreter is the oracle; the baseline
/// compiler; the optimizing compiler without and with fuel and epoch checks; tiered interpreter -> optimizing with
/// thresholds of 2 and the checks; the full tiered pipeline with thresholds of 2, 2 and 3) and in wasmtime, which must all do the same: results, traps (by kind),
/// the values passed to the imports, uncaught wasm exceptions (tag and values among our tiers; only that one escaped
/// with wasmtime), the final globals, tables and memory. NaN bit patterns are compared as "a
/// NaN" (wasm leaves NaN payloads nondeterministic); after a stack exhaustion nothing more is compared (the tiers'
/// stack limits differ). Our tiers must agree bit for bit in memory even where NaN bits flow into it, wasmtime need not
/// (x86 and Cranelift make NaNs of other signs and payloads): it is compared on the half of the modules that turn
/// every NaN made by arithmetic into a canonical one (or 0, binaryen's --denan), marked by a custom section. Among our
/// tiers a trap's wasm backtrace (functions and offsets, inlined frames included) and which function a funcref is are
/// compared too. Modules come from <see cref="ModuleGenerator"/> (SIMD in half of them; multiple memories, 64-bit memories, typed
/// function references, tail calls, exceptions and call-heavy code each in half; relaxed SIMD in half of the SIMD modules that are not NaN-canonical, so only our tiers compare them) and, when
/// binaryen's <c>wasm-opt</c> is on PATH, from <c>wasm-opt --translate-to-fuzz</c> for every other case.
/// </summary>
public sealed class DiffTarget : FuzzTarget
{
    /// <summary>Our configurations, the first being the oracle.</summary>
    public static readonly string[] Modes = ["interpreter", "baseline", "optimizing", "optimizing-checked", "tiered-opt-2", "tiered-full"];

    private readonly bool _wasmtime;
    private readonly string? _wasmOpt;

    /// <summary>Compares with wasmtime when <paramref name="wasmtime"/>; uses wasm-opt when <paramref name="wasmOpt"/> and it is installed.</summary>
    public DiffTarget(bool wasmtime = true, bool wasmOpt = true)
    {
        _wasmtime = wasmtime;
        _wasmOpt = wasmOpt ? FindOnPath("wasm-opt") : null;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(WorkDirectory);
    }

    /// <summary>Where wasm-opt's input and output go (one folder per process, deleted at exit).</summary>
    private static string WorkDirectory => Path.Combine(Path.GetTempPath(), $"wasm-fuzz-{Environment.ProcessId}");

    /// <summary>Deletes a folder of this process's scratch files, if it is there.</summary>
    internal static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <inheritdoc/>
    public override string Name => "diff";

    /// <inheritdoc/>
    public override string Extension => ".wasm";

    /// <summary>True when wasm-opt makes half the inputs.</summary>
    public bool UsesWasmOpt => _wasmOpt is not null;

    /// <inheritdoc/>
    public override byte[] Generate(Random random)
    {
        bool simd = random.Next(2) == 0;
        // Half the modules keep NaN bits from escaping (they are compared with wasmtime too); the other half let
        // them flow into memory and integers, where only our own tiers must agree bit for bit.
        bool canonical = random.Next(2) == 0;
        if (_wasmOpt is not null && random.Next(2) == 0)
        {
            byte[] seedBytes = new byte[random.Next(4) switch { 0 => 800, 1 => 2000, 2 => 5000, _ => 12000 }];
            random.NextBytes(seedBytes);
            // binaryen's --denan leaves v128 lanes alone, so only its scalar modules can be NaN-canonical.
            canonical &= !simd;
            byte[]? module = TranslateToFuzz(seedBytes, simd, canonical);
            if (module is not null)
            {
                return canonical ? MarkCanonical(module) : module;
            }
        }
        // The 3.0 features, each in half the modules. Relaxed SIMD only where wasmtime is not asked (its choices are
        // implementation-defined): in the modules that are not NaN-canonical, which only our tiers compare.
        var options = new ModuleGenerator.Options(
            MultiMemory: random.Next(2) == 0, Memory64: random.Next(2) == 0, FunctionReferences: random.Next(2) == 0,
            RelaxedSimd: simd && !canonical && random.Next(2) == 0, TailCalls: random.Next(2) == 0, Exceptions: random.Next(2) == 0,
            Calls: random.Next(2) == 0);
        string text = new ModuleGenerator(random, simd, canonical, options).Generate();
        Count("generator modules");
        foreach ((bool on, string name) in new[] { (simd, "simd"), (options.MultiMemory, "multi-memory"), (options.Memory64, "memory64"),
                     (options.FunctionReferences, "function-references"), (options.RelaxedSimd, "relaxed-simd"),
                     (options.TailCalls, "tail-calls"), (options.Exceptions, "exceptions"), (options.Calls, "calls") })
        {
            if (on)
            {
                Count($"generator modules with {name}");
            }
        }
        try
        {
            byte[] module = WatParser.ParseModule(text);
            return canonical ? MarkCanonical(module) : module;
        }
        catch (WasmException)
        {
            // The generator made text our parser refuses: keep the text, so the case shows the problem.
            return Encoding.UTF8.GetBytes(text);
        }
    }

    /// <inheritdoc/>
    public override Finding? Run(byte[] input)
    {
        byte[] bytes = input;
        if (!Engine.Runtime.Module.IsBinary(input))
        {
            try
            {
                bytes = WatParser.ParseModule(Encoding.UTF8.GetString(input));
            }
            catch (Exception e)
            {
                return new Finding($"generated text refused: {e.GetType().Name}", $"generated module refused by the text parser: {Finding.OneLine(e.Message)}");
            }
        }
        try
        {
            ModuleLoader.DecodeAndValidate(bytes);
        }
        catch (Exception e) when (e is MalformedModuleException or InvalidModuleException)
        {
            string? wasmtimeVerdict = _wasmtime ? WasmtimeRun.Validate(bytes, wasm3: true) : "not asked";
            return wasmtimeVerdict is null
                ? new Finding($"valid module refused: {(e as InvalidModuleException)?.Reason ?? (e as MalformedModuleException)!.Reason}",
                    $"a module wasmtime accepts is refused: {Finding.OneLine(e.Message)}")
                : new Finding("generated module invalid", $"the generated module is invalid for both engines: {Finding.OneLine(e.Message)} / wasmtime: {Finding.OneLine(wasmtimeVerdict)}");
        }
        catch (Exception e)
        {
            return Finding.Unexpected("decode", e);
        }
        Count("modules");
        List<string> oracle;
        try
        {
            oracle = EngineRun.Run(bytes, Modes[0]);
        }
        catch (Exception e)
        {
            return Finding.Unexpected(Modes[0], e);
        }
        Count(oracle.Any(e => e.Contains(" trap ", StringComparison.Ordinal)) ? "modules with a trap" : "modules without a trap");
        if (oracle.Any(e => e.Contains(" " + EngineRun.UncaughtException, StringComparison.Ordinal)))
        {
            Count("modules with an uncaught exception");
        }
        foreach (string mode in Modes.Skip(1))
        {
            List<string> observed;
            try
            {
                observed = EngineRun.Run(bytes, mode);
            }
            catch (Exception e)
            {
                return Finding.Unexpected(mode, e);
            }
            if (Compare(oracle, observed, mode) is { } finding)
            {
                return finding;
            }
        }
        if (_wasmtime && !IsCanonical(bytes))
        {
            Count("not compared with wasmtime (NaN bits may differ)");
        }
        else if (_wasmtime)
        {
            List<string> reference;
            try
            {
                reference = WasmtimeRun.Run(bytes);
            }
            catch (Exception e)
            {
                return new Finding($"wasmtime harness: {e.GetType().Name}", $"wasmtime could not run the module: {Finding.OneLine(e.Message)}");
            }
            if (Compare(reference, WithoutOurDetails(oracle), "interpreter vs wasmtime") is { } finding)
            {
                return finding;
            }
        }
        return null;
    }

    /// <summary>
    /// The events with what wasmtime's .NET API does not tell left out: an uncaught exception's tag and values, a trap's
    /// backtrace and which function a funcref is (our tiers compare those among themselves).
    /// </summary>
    public static List<string> WithoutOurDetails(List<string> events) =>
        events.Select(e =>
        {
            if (e.IndexOf(" " + EngineRun.UncaughtException, StringComparison.Ordinal) is var at and >= 0)
            {
                return e[..(at + 1 + EngineRun.UncaughtException.Length)];
            }
            if (e.IndexOf(" trap ", StringComparison.Ordinal) >= 0 && e.IndexOf(EngineRun.BacktraceMarker, e.IndexOf(" trap ", StringComparison.Ordinal) + 1, StringComparison.Ordinal) is var bt and >= 0)
            {
                return e[..bt];
            }
            return s_identity.Replace(e, "");
        }).ToList();

    // A funcref's identity after "funcref" (a value) or "f" (a table element).
    private static readonly System.Text.RegularExpressions.Regex s_identity =
        new(@"(?<=\b(funcref|f))" + System.Text.RegularExpressions.Regex.Escape(EngineRun.IdentityMarker) + @"[^\s,\]]+", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>The custom section marking a module whose NaN bits never escape (compared with wasmtime bit for bit).</summary>
    public const string CanonicalMarker = "wasm-fuzz:nan-canonical";

    /// <summary>Appends the <see cref="CanonicalMarker"/> custom section.</summary>
    public static byte[] MarkCanonical(byte[] module)
    {
        byte[] name = Encoding.UTF8.GetBytes(CanonicalMarker);
        byte[] content = [.. BinaryMutator.Leb((ulong)name.Length), .. name];
        return [.. module, 0, .. BinaryMutator.Leb((ulong)content.Length), .. content];
    }

    /// <summary>True when the module carries the <see cref="CanonicalMarker"/> custom section.</summary>
    public static bool IsCanonical(byte[] module)
    {
        byte[] name = Encoding.UTF8.GetBytes(CanonicalMarker);
        return BinaryMutator.Sections(module) is { } sections &&
               sections.Any(s => s.Id == 0 && module.AsSpan(s.ContentStart, s.End - s.ContentStart).EndsWith(name));
    }

    /// <summary>The first difference of two event lists, or null. Events after a stack exhaustion on either side are not compared.</summary>
    public static Finding? Compare(List<string> expected, List<string> observed, string mode)
    {
        int count = Math.Min(expected.Count, observed.Count);
        for (int i = 0; i < count; i++)
        {
            if (expected[i] == observed[i])
            {
                continue;
            }
            if (expected[i].EndsWith(" stack exhausted", StringComparison.Ordinal) || observed[i].EndsWith(" stack exhausted", StringComparison.Ordinal))
            {
                return null;
            }
            string context = string.Join(" | ", expected.Take(i).TakeLast(3));
            return new Finding($"{mode}: {EventKind(expected[i])} vs {EventKind(observed[i])}",
                $"{mode}: event {i} is '{Finding.OneLine(observed[i], 160)}', expected '{Finding.OneLine(expected[i], 160)}' (after: {Finding.OneLine(context, 200)})");
        }
        if (expected.Count != observed.Count)
        {
            if (expected.LastOrDefault()?.EndsWith(" stack exhausted", StringComparison.Ordinal) == true ||
                observed.LastOrDefault()?.EndsWith(" stack exhausted", StringComparison.Ordinal) == true)
            {
                return null;
            }
            return new Finding($"{mode}: number of events", $"{mode}: {observed.Count} events, expected {expected.Count}");
        }
        return null;
    }

    /// <summary>What kind of event a line is, for failure signatures: "result", "trap X", "exception", "log", "global", "memory", "table".</summary>
    private static string EventKind(string line)
    {
        int trap = line.IndexOf(" trap ", StringComparison.Ordinal);
        if (trap >= 0)
        {
            return "trap " + line[(trap + 6)..].Split(' ', ':')[0];
        }
        if (line.Contains(" -> ", StringComparison.Ordinal))
        {
            return "result";
        }
        if (line.Contains(" " + EngineRun.UncaughtException, StringComparison.Ordinal))
        {
            return "exception";
        }
        return line.Split(' ', '(')[0] switch
        {
            "global" => "global",
            "memory" => "memory",
            "table" => "table",
            "instantiation" => "instantiation",
            var other when other.StartsWith("log", StringComparison.Ordinal) => "log",
            _ => "import call",
        };
    }

    /// <summary>Runs <c>wasm-opt -ttf</c> on the bytes; null when it fails.</summary>
    private byte[]? TranslateToFuzz(byte[] seedBytes, bool simd, bool denan)
    {
        string work = WorkDirectory;
        Directory.CreateDirectory(work);
        string input = Path.Combine(work, "in.dat"), output = Path.Combine(work, "out.wasm");
        File.WriteAllBytes(input, seedBytes);
        File.Delete(output);
        var start = new ProcessStartInfo(_wasmOpt!)
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (string a in new[] { "-ttf", input, "-o", output, "--mvp-features", "--enable-sign-ext", "--enable-mutable-globals",
                     "--enable-nontrapping-float-to-int", "--enable-bulk-memory", "--enable-multivalue" })
        {
            start.ArgumentList.Add(a);
        }
        if (simd)
        {
            start.ArgumentList.Add("--enable-simd");
        }
        if (denan)
        {
            // Binaryen's instrumentation turning every NaN into 0 at run time.
            start.ArgumentList.Add("--denan");
        }
        using Process process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || !File.Exists(output))
        {
            Count("wasm-opt failed");
            return null;
        }
        Count(simd ? "wasm-opt modules (simd)" : "wasm-opt modules");
        return File.ReadAllBytes(output);
    }

    private static string? FindOnPath(string program)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            string path = Path.Combine(dir, program);
            if (File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    /// <summary>The argument values of an export: drawn from a hash of the module and the export's name, the same in every engine.</summary>
    public static List<object?> Arguments(byte[] module, string export, ValType[] parameters)
    {
        byte[] hash = SHA256.HashData([.. module.AsSpan(0, Math.Min(module.Length, 4096)), .. Encoding.UTF8.GetBytes(export)]);
        var random = new Random(BitConverter.ToInt32(hash));
        var values = new List<object?>();
        foreach (ValType type in parameters)
        {
            values.Add(type switch
            {
                ValType.I32 => random.Next(3) switch { 0 => 0, 1 => random.Next(-2, 70000), _ => random.Next() },
                ValType.I64 => random.Next(3) switch { 0 => 0L, 1 => (long)random.Next(-2, 70000), _ => random.NextInt64() * 2 },
                ValType.F32 => random.Next(3) switch { 0 => 0f, 1 => -1.5f, _ => (float)(random.NextDouble() * 1e6) },
                ValType.F64 => random.Next(3) switch { 0 => 0d, 1 => 2.5e10, _ => random.NextDouble() * -1e12 },
                ValType.V128 => BitConverter.GetBytes(random.NextInt64()).Concat(BitConverter.GetBytes(random.NextInt64())).ToArray(),
                ValType.ExternRef => random.Next(2) == 0 ? null : new HostRef(random.Next(100)),
                _ => null,
            });
        }
        return values;
    }

    /// <summary>Describes a value the same way for every engine.</summary>
    public static string Describe(ValType type, object? value) => type switch
    {
        ValType.I32 => $"i32 {(uint)(int)value!:x}",
        ValType.I64 => $"i64 {(ulong)(long)value!:x}",
        ValType.F32 => float.IsNaN((float)value!) ? "f32 nan" : $"f32 {BitConverter.SingleToUInt32Bits((float)value!):x}",
        ValType.F64 => double.IsNaN((double)value!) ? "f64 nan" : $"f64 {BitConverter.DoubleToUInt64Bits((double)value!):x}",
        ValType.V128 => $"v128 {Convert.ToHexString((byte[])value!)}",
        ValType.ExternRef => value is null ? "externref null" : value is HostRef r ? $"externref #{r.Id}" : $"externref {value.GetType().Name}",
        ValType.FuncRef => value is null ? "funcref null" : "funcref",
        _ => $"{type} ?",
    };
}

/// <summary>The host object behind an externref made by <c>fuzz.make_ref</c> or passed as an argument.</summary>
public sealed record HostRef(int Id);
