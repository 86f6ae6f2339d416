using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Engine.Benchmarks;

/// <summary>
/// <c>real [--programs flite,yosys,ruby] [--runners LIST] [--rounds N] [--engine PATH] [--engine-args ARGS]
/// [--wasmtime-runner PATH] [--node PATH] [--work DIR]</c>: the real programs (Flite, Yosys, CRuby; the binaries of
/// Engine.Tests/Programs/toolchains/runtimes, named by WASM_FLITE, WASM_YOSYS and WASM_RUBY_COMMAND) with workloads of
/// seconds, as whole processes in our engine (tiered mode, cold and with the code cache), in wasmtime (cold and from
/// its serialized module) and in node, taking turns (round after round, each runner once per program and round), and
/// prints CPU time (user + system of the process) and wall time, medians with their range, with the load average.
/// Every run's result (the WAV, the netlists, Ruby's stdout) must be the same in every runner; a difference, a failed
/// run or a missing runner is reported. See Engine.Benchmarks/RealPrograms/README.md.
/// </summary>
internal static class RealRun
{
    private static readonly string[] AllRunners = ["ours", "ours-cache", "wasmtime", "wasmtime-cache", "node"];

    public static int Run(string[] args)
    {
        CommandOptions options;
        int rounds;
        try
        {
            options = CommandOptions.Parse(args, ["--keep"],
                ["--programs", "--runners", "--rounds", "--engine", "--engine-args", "--wasmtime-runner", "--node", "--work"]);
            if (options.Positional.Count > 0)
            {
                throw new UsageException($"unexpected argument '{options.Positional[0]}'");
            }
            rounds = options.Int("--rounds", 3);
            if (rounds < 1)
            {
                throw new UsageException("--rounds must be at least 1");
            }
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine("usage: real [--programs flite,yosys,ruby] [--runners ours,ours-cache,wasmtime,wasmtime-cache,node] [--rounds N]");
            Console.Error.WriteLine("            [--engine PATH] [--engine-args ARGS] [--wasmtime-runner PATH] [--node PATH] [--work DIR] [--keep]");
            return 2;
        }
        string work = options.Value("--work") ?? Directory.CreateTempSubdirectory("wasm-real-").FullName;
        Directory.CreateDirectory(work);
        var setup = new Setup(
            options.Value("--engine") ?? Path.Combine(BenchmarkFiles.RepositoryRoot, "Engine.Cli", "bin", "Release", "net10.0", "wasm-engine"),
            (options.Value("--engine-args") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
            options.Value("--wasmtime-runner") ?? Environment.GetEnvironmentVariable("WASMTIME_RUNNER"),
            options.Value("--node") ?? "node",
            Path.Combine(BenchmarkFiles.RepositoryRoot, "tools", "node-wasi.mjs"),
            work);

        IReadOnlyList<string> runners = options.List("--runners") is { Count: > 0 } r ? r : AllRunners;
        foreach (string runner in runners.Where(n => !AllRunners.Contains(n)))
        {
            Console.Error.WriteLine($"error: no runner '{runner}' (known: {string.Join(", ", AllRunners)})");
            return 2;
        }
        if (setup.WasmtimeRunner is null && runners.Any(n => n.StartsWith("wasmtime", StringComparison.Ordinal)))
        {
            Console.WriteLine("wasmtime: no runner (publish tools/wasmtime-runner and pass --wasmtime-runner PATH or set WASMTIME_RUNNER); its rows are left out");
            runners = runners.Where(n => !n.StartsWith("wasmtime", StringComparison.Ordinal)).ToArray();
        }

        var programs = new List<RealProgram>();
        foreach (string name in options.List("--programs") is { Count: > 0 } p ? p : ["flite", "yosys", "ruby"])
        {
            if (name is not ("flite" or "yosys" or "ruby"))
            {
                Console.Error.WriteLine($"error: no program '{name}' (known: flite, yosys, ruby)");
                return 2;
            }
            if ((name == "flite" ? RealProgram.Flite() : name == "yosys" ? RealProgram.Yosys() : RealProgram.Ruby()) is { } program)
            {
                programs.Add(program);
            }
        }

        Console.WriteLine($"real programs, {rounds} rounds, runners {string.Join(", ", runners)}; work folder {work}");
        Console.WriteLine($"load average at the start: {LoadAverage()}");
        var samples = new Dictionary<(string Program, string Runner), List<Sample>>();
        var results = new Dictionary<(string Program, string Runner), string>();
        bool failed = false;

        // Warm-up: one unmeasured run of each program in each runner that keeps something between runs (our code
        // cache, wasmtime's serialized module), so that the measured cached runs are the second and later ones.
        foreach (RealProgram program in programs)
        {
            foreach (string runner in runners.Where(n => n.EndsWith("-cache", StringComparison.Ordinal)))
            {
                Sample warm = RunOnce(setup, program, runner, "warm");
                Console.WriteLine($"  warm-up {program.Name,-6} {runner,-15} cpu {warm.Cpu,7:F2} s  wall {warm.Wall,7:F2} s{Failure(warm)}");
                failed |= warm.Error is not null;
            }
        }
        for (int round = 1; round <= rounds; round++)
        {
            foreach (RealProgram program in programs)
            {
                foreach (string runner in runners)
                {
                    Sample sample = RunOnce(setup, program, runner, $"r{round}");
                    Console.WriteLine($"  round {round} {program.Name,-6} {runner,-15} cpu {sample.Cpu,7:F2} s  wall {sample.Wall,7:F2} s  load {LoadAverage()}{Failure(sample)}");
                    if (sample.Error is not null)
                    {
                        failed = true;
                        continue;
                    }
                    (samples.TryGetValue((program.Name, runner), out var list) ? list : samples[(program.Name, runner)] = []).Add(sample);
                    if (results.TryGetValue((program.Name, runner), out string? earlier) && earlier != sample.Result)
                    {
                        Console.WriteLine($"  DIFFERENT RESULT: {program.Name} in {runner} gave {sample.Result}, earlier {earlier}");
                        failed = true;
                    }
                    results[(program.Name, runner)] = sample.Result!;
                }
            }
        }
        Console.WriteLine($"load average at the end: {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("CPU seconds (user + system), median of the rounds [min-max]; wall seconds in brackets (median);");
        Console.WriteLine("ratio = our tiered CPU time / the runner's (ours cold / wasmtime cold, cached / cached, ours cached / node)");
        Console.WriteLine();
        Console.WriteLine($"| program | {string.Join(" | ", runners)} | ours/wasmtime | ours cache/wasmtime cache | ours cache/node |");
        Console.WriteLine($"|---|{string.Concat(runners.Select(_ => "---:|"))}---:|---:|---:|");
        foreach (RealProgram program in programs)
        {
            var cells = runners.Select(runner => samples.TryGetValue((program.Name, runner), out var list) && list.Count > 0
                ? $"{Median(list, s => s.Cpu):F2} [{list.Min(s => s.Cpu):F2}-{list.Max(s => s.Cpu):F2}] ({Median(list, s => s.Wall):F1})"
                : "-");
            Console.WriteLine($"| {program.Title} | {string.Join(" | ", cells)} | {Ratio("ours", "wasmtime")} | {Ratio("ours-cache", "wasmtime-cache")} | {Ratio("ours-cache", "node")} |");

            string Ratio(string a, string b) =>
                samples.TryGetValue((program.Name, a), out var x) && samples.TryGetValue((program.Name, b), out var y) && x.Count > 0 && y.Count > 0
                    ? (Median(x, s => s.Cpu) / Median(y, s => s.Cpu)).ToString("F2", CultureInfo.InvariantCulture)
                    : "-";
        }
        Console.WriteLine();
        foreach (RealProgram program in programs)
        {
            var distinct = results.Where(kv => kv.Key.Program == program.Name).GroupBy(kv => kv.Value).ToArray();
            Console.WriteLine(distinct.Length == 0 ? $"{program.Name}: no successful run"
                : distinct.Length == 1 ? $"{program.Name}: the same result in every runner ({distinct[0].Key})"
                : $"{program.Name}: RESULTS DIFFER: {string.Join("; ", distinct.Select(g => $"{string.Join(",", g.Select(kv => kv.Key.Runner))} -> {g.Key}"))}");
            failed |= distinct.Length > 1;
        }
        if (!options.Has("--keep") && options.Value("--work") is null)
        {
            Directory.Delete(work, recursive: true);
        }
        return failed ? 1 : 0;
    }

    private static string Failure(Sample sample) => sample.Error is null ? "" : $"  FAILED: {sample.Error}";

    private static double Median(List<Sample> list, Func<Sample, double> figure)
    {
        double[] values = list.Select(figure).Order().ToArray();
        return values.Length % 2 == 1 ? values[values.Length / 2] : (values[values.Length / 2 - 1] + values[values.Length / 2]) / 2;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private sealed record Setup(string Engine, string[] EngineArgs, string? WasmtimeRunner, string Node, string NodeScript, string Work);

    private sealed record Sample(double Cpu, double Wall, string? Result, string? Error);

    /// <summary>One run: fresh folders from the program, the runner's command line, the process timed, the result hashed.</summary>
    private static Sample RunOnce(Setup setup, RealProgram program, string runner, string tag)
    {
        string folder = Path.Combine(setup.Work, $"{program.Name}-{runner}-{tag}");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        var preopens = program.Prepare(folder);
        var command = new List<string>();
        string cache = Path.Combine(setup.Work, "cache", $"{program.Name}-{runner}");
        switch (runner)
        {
            case "ours" or "ours-cache":
                command.Add(setup.Engine);
                command.Add("run");
                command.AddRange(setup.EngineArgs);
                if (runner == "ours-cache")
                {
                    command.AddRange(["--cache-dir", cache]);
                    Directory.CreateDirectory(cache);
                }
                command.AddRange(preopens.SelectMany(d => new[] { "--dir", $"{d.Host}::{d.Guest}" }));
                break;
            case "wasmtime" or "wasmtime-cache":
                command.Add(setup.WasmtimeRunner!);
                if (runner == "wasmtime-cache")
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
                    command.AddRange(["--cache", cache + ".cwasm"]);
                }
                command.AddRange(preopens.SelectMany(d => new[] { "--dir", $"{d.Host}::{d.Guest}" }));
                break;
            case "node":
                command.AddRange([setup.Node, "--no-warnings", setup.NodeScript]);
                command.AddRange(preopens.SelectMany(d => new[] { "--dir", $"{d.Host}::{d.Guest}" }));
                break;
        }
        command.Add(program.Wasm);
        command.AddRange(program.Arguments);

        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        foreach (string argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        string stdoutFile = Path.Combine(folder, "stdout.txt");
        double cpuBefore = ChildrenCpuSeconds();
        var clock = Stopwatch.StartNew();
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new Sample(0, 0, null, $"cannot start {command[0]}: {e.Message}");
        }
        using var started = process;
        var stderr = process.StandardError.ReadToEndAsync();
        using (var file = File.Create(stdoutFile))
        {
            process.StandardOutput.BaseStream.CopyTo(file);
        }
        process.WaitForExit();
        double wall = clock.Elapsed.TotalSeconds;
        double cpu = ChildrenCpuSeconds() - cpuBefore;
        if (process.ExitCode != 0)
        {
            string message = stderr.Result.Trim();
            return new Sample(cpu, wall, null, $"exit code {process.ExitCode}: {(message.Length > 400 ? message[^400..] : message)}");
        }
        try
        {
            return new Sample(cpu, wall, program.Result(folder), null);
        }
        catch (IOException e)
        {
            return new Sample(cpu, wall, null, e.Message);
        }
    }

    /// <summary>The user + system time of this process's children that have ended and been waited for (getrusage(RUSAGE_CHILDREN)).</summary>
    private static double ChildrenCpuSeconds()
    {
        if (GetResourceUsage(-1, out ResourceUsage usage) != 0)
        {
            throw new InvalidOperationException($"getrusage failed: errno {Marshal.GetLastPInvokeError()}");
        }
        return usage.UserSeconds + usage.UserMicroseconds / 1e6 + usage.SystemSeconds + usage.SystemMicroseconds / 1e6;
    }

    /// <summary>The head of Linux x86-64's <c>struct rusage</c> (two <c>struct timeval</c>s) and room for the rest.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxRss, Ixrss, Idrss, Isrss, Minflt, Majflt, Nswap, Inblock, Oublock, Msgsnd, Msgrcv, Nsignals, Nvcsw, Nivcsw;
    }

    [DllImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static extern int GetResourceUsage(int who, out ResourceUsage usage);

    /// <summary>A real program: its binary, arguments, the folders it gets (made fresh for each run) and how its result is read.</summary>
    private sealed class RealProgram
    {
        public required string Name { get; init; }
        public required string Title { get; init; }
        public required string Wasm { get; init; }
        public required string[] Arguments { get; init; }

        /// <summary>Makes the run's folders under the given one and returns the preopens (host, guest).</summary>
        public required Func<string, (string Host, string Guest)[]> Prepare { get; init; }

        /// <summary>The run's result, as hashes of what it wrote.</summary>
        public required Func<string, string> Result { get; init; }

        private static string Inputs => BenchmarkFiles.Project("RealPrograms");

        private static string? Binary(string variable, bool directory = false)
        {
            string? path = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(path) || (directory ? !Directory.Exists(path) : !File.Exists(path)))
            {
                Console.WriteLine($"{variable} is {(string.IsNullOrEmpty(path) ? "not set" : $"'{path}', which does not exist")}: its program is left out (Engine.Benchmarks/RealPrograms/README.md)");
                return null;
            }
            return path;
        }

        private static string Hash(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)))[..16];

        /// <summary>Flite reads 20 copies of a paragraph (about 1,800 words) and writes the speech (about 19 MB of WAV).</summary>
        public static RealProgram? Flite() => Binary("WASM_FLITE") is { } wasm ? new RealProgram
        {
            Name = "flite",
            Title = "Flite: 20 paragraphs to speech",
            Wasm = wasm,
            Arguments = ["-f", "/work/text.txt", "--setf", "duration_stretch=1.1", "-o", "/out/speech.wav"],
            Prepare = folder =>
            {
                string text = File.ReadAllText(Path.Combine(Inputs, "flite_paragraph.txt"));
                Directory.CreateDirectory(Path.Combine(folder, "work"));
                Directory.CreateDirectory(Path.Combine(folder, "out"));
                File.WriteAllText(Path.Combine(folder, "work", "text.txt"), string.Concat(Enumerable.Repeat(text, 20)));
                return [(Path.Combine(folder, "work"), "/work"), (Path.Combine(folder, "out"), "/out")];
            },
            Result = folder => "speech.wav " + Hash(Path.Combine(folder, "out", "speech.wav")),
        } : null;

        /// <summary>Yosys synthesizes a 32-bit datapath (ALU with a multiplier, CRC, FIR filter, register file) to gates.</summary>
        public static RealProgram? Yosys() => Binary("WASM_YOSYS", directory: true) is { } yosys ? new RealProgram
        {
            Name = "yosys",
            Title = "Yosys: synthesis of a 32-bit datapath",
            Wasm = Path.Combine(yosys, "yosys.core.wasm"),
            Arguments = ["-q", "-p", "read_verilog /work/design.v; synth -top top -flatten; opt_clean -purge; write_json /work/netlist.json; write_verilog -noattr /work/netlist.v"],
            Prepare = folder =>
            {
                Directory.CreateDirectory(Path.Combine(folder, "work"));
                Directory.CreateDirectory(Path.Combine(folder, "tmp"));
                File.Copy(Path.Combine(Inputs, "yosys_datapath.v"), Path.Combine(folder, "work", "design.v"));
                return [(Path.Combine(folder, "work"), "/work"), (Path.Combine(yosys, "share"), "/share"), (Path.Combine(folder, "tmp"), "/tmp")];
            },
            Result = folder => $"netlist.json {Hash(Path.Combine(folder, "work", "netlist.json"))}, netlist.v {Hash(Path.Combine(folder, "work", "netlist.v"))}",
        } : null;

        /// <summary>CRuby runs a compute-heavy script (ruby_bench.rb) through the command made by make_ruby_command.py.</summary>
        public static RealProgram? Ruby() => Binary("WASM_RUBY_COMMAND") is { } wasm ? new RealProgram
        {
            Name = "ruby",
            Title = "CRuby: ruby_bench.rb",
            Wasm = wasm,
            Arguments = [],
            Prepare = folder =>
            {
                Directory.CreateDirectory(Path.Combine(folder, "script"));
                File.Copy(Path.Combine(Inputs, "ruby_bench.rb"), Path.Combine(folder, "script", "main.rb"));
                return [(Path.Combine(folder, "script"), "/script")];
            },
            Result = folder => "stdout " + Hash(Path.Combine(folder, "stdout.txt")),
        } : null;
    }
}
