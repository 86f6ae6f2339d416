using System.Globalization;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary>
/// Bad input through the real command line, in a child process: each ends in one line on stderr (no .NET stack
/// trace, no abort) and the documented exit code; and the options a wasmtime user expects. Placeholders in the
/// cases (<c>{hello}</c>, <c>{empty}</c>...) name the files <see cref="CreateFiles"/> writes.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class CliProcessTests
{
    private string _folder = "";
    private readonly Dictionary<string, string> _files = new();

    /// <summary>$f (interpreted) and $g (compiled with --function-tier g=baseline) call each other; $f traps at 0.</summary>
    private const string PingPong = """
        (module
          (func $f (export "f") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0))
              (then unreachable)
              (else (call $g (i32.sub (local.get 0) (i32.const 1))))))
          (func $g (param i32) (result i32)
            (i32.add (call $f (local.get 0)) (i32.const 1))))
        """;

    private const string Exit = """
        (module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "exit") (param i32) (call $exit (local.get 0)))
          (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
        """;

    [OneTimeSetUp]
    public void CreateFiles()
    {
        _folder = Directory.CreateTempSubdirectory("wasm-engine-cli-").FullName;
        void Add(string key, string name, byte[] content)
        {
            string path = Path.Combine(_folder, name);
            File.WriteAllBytes(path, content);
            _files[key] = path;
        }
        Add("empty", "empty.wasm", []);
        // Not the magic, not '(' or whitespace: random bytes as a user's mistake produces them.
        Add("random", "random.bin", [0xC3, 0x28, 0x00, 0x9F, .. new Random(7).GetItems<byte>(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), 200)]);
        Add("text", "notes.txt", "hello world\n"u8.ToArray());
        Add("truncated", "truncated.wasm", [0x00, 0x61, 0x73]);
        Add("exit", "exit.wat", System.Text.Encoding.UTF8.GetBytes(Exit));
        Add("pingpong", "pingpong.wat", System.Text.Encoding.UTF8.GetBytes(PingPong));
        Add("file", "a-file", "not a directory"u8.ToArray());
        _files["hello"] = Path.Combine(TestPaths.RepositoryRoot, "examples", "hello", "hello.wasm");
        _files["args_env"] = Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Programs", "wasi", "args_env.wasm");
    }

    [OneTimeTearDown]
    public void DeleteFiles() => Directory.Delete(_folder, recursive: true);

    private string[] Expand(string[] args) =>
        args.Select(a => a.StartsWith('{') && a.EndsWith('}') ? _files[a[1..^1]] : a).ToArray();

    private CliResult Run(params string[] args) => CliProcess.Run(Expand(args));

    /// <summary>One line on stderr, no stack trace, the expected exit code and words.</summary>
    private static void AssertOneLineError(CliResult result, int exitCode, string words)
    {
        Assert.That(result.ExitCode, Is.EqualTo(exitCode), result.ToString());
        Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.StartWith("error: ").And.Contain(words));
        Assert.That(result.Error, Does.Not.Contain("   at ").And.Not.Contain("Unhandled"));
    }

    [TestCase("run --dir /nonexistent {hello}", 2, "--dir '/nonexistent': no such directory '/nonexistent'")]
    [TestCase("run --dir {file} {hello}", 2, "is a file, not a directory")]
    [TestCase("run --dir \"\" {hello}", 2, "--dir needs a directory, got ''")]
    [TestCase("run --dir :: {hello}", 2, "--dir '::': the host directory (before '::') is empty")]
    [TestCase("run --dir /tmp:: {hello}", 2, "--dir '/tmp::': the guest directory (after '::') is empty")]
    [TestCase("run --timeout NaNs {hello}", 2, "--timeout expects a duration such as 500ms, 10s, 1.5m or 2h, got 'NaNs'")]
    [TestCase("run --timeout Infinitys {hello}", 2, "got 'Infinitys'")]
    [TestCase("run --timeout 1e400s {hello}", 2, "got '1e400s'")]
    [TestCase("run --timeout 1e300s {hello}", 2, "--timeout '1e300s' is too long: at most 49.7 days")]
    [TestCase("run --fuel 18446744073709551616 {hello}", 2, "--fuel expects an integer from 0 to 18446744073709551615")]
    [TestCase("run --fuel -1 {hello}", 2, "--fuel expects an integer")]
    [TestCase("run --function-tier nosuch=baseline {hello}", 2, "--function-tier nosuch: ")]
    [TestCase("run --function-tier 0=baseline {hello}", 2, "--function-tier 0: func[0] is imported")]
    [TestCase("run --invoke nosuch {exit}", 2, "--invoke nosuch: the module exports no function of that name")]
    [TestCase("run --invoke add {exit} 1", 2, "--invoke add: the function takes 2 arguments [i32 i32] -> [i32], got 1")]
    [TestCase("run --invoke add {exit} 1 x", 2, "--invoke add: argument 2 'x' is not a valid i32")]
    [TestCase("run --frobnicate {hello}", 2, "unknown option '--frobnicate' (see 'wasm-engine run --help')")]
    [TestCase("run -S inherit-network {hello}", 2, "-S inherit-network: the only WASI option is inherit-env")]
    [TestCase("run --profile guest {hello}", 2, "--profile guest: the profiling strategy here is perfmap")]
    [TestCase("run", 2, "missing FILE")]
    [TestCase("run /no/such/file.wasm", 2, "cannot read '/no/such/file.wasm'")]
    [TestCase("run /tmp", 2, "cannot read '/tmp': it is a directory")]
    [TestCase("disasm --func nosuch {hello}", 2, "--func nosuch: the module has no function of that name or index (its defined functions are func[9] to func[71])")]
    [TestCase("disasm --func 99 {hello}", 2, "--func 99: the module has no function")]
    [TestCase("disasm --func 0 {hello}", 2, "--func 0: func[0] is imported: it has no code to print")]
    [TestCase("frobnicate", 2, "unknown command 'frobnicate'")]
    [TestCase("validate {empty}", 1, "empty.wasm: not a WebAssembly module: the file is empty")]
    [TestCase("validate {random}", 1, "random.bin: not a WebAssembly module: it starts with neither the binary format's magic number")]
    [TestCase("validate {text}", 1, "notes.txt: not a WebAssembly module")]
    [TestCase("validate {truncated}", 1, "truncated.wasm: not a WebAssembly module")]
    [TestCase("run {random}", 1, "random.bin: not a WebAssembly module")]
    [TestCase("run {empty}", 1, "empty.wasm: not a WebAssembly module: the file is empty")]
    [TestCase("disasm {random}", 1, "random.bin: not a WebAssembly module")]
    [TestCase("wast {random}", 1, "random.bin: not a WebAssembly script")]
    [TestCase("wast {hello}", 1, "hello.wasm: a WebAssembly binary module, not a script")]
    [TestCase("run {exit}", 1, "the module exports no _start function")]
    [TestCase("run --invoke exit {exit} 256", 1, "the program called proc_exit(256), outside the exit statuses a program may give (0 to 125")]
    [TestCase("run --invoke exit {exit} 126", 1, "the program called proc_exit(126), outside the exit statuses")]
    [TestCase("run --invoke exit {exit} 134", 1, "the program called proc_exit(134), outside the exit statuses")]
    [TestCase("run --invoke exit {exit} -- -1", 1, "the program called proc_exit(4294967295), outside the exit statuses")]
    public void BadInputIsOneLineAndAnExitCode(string commandLine, int exitCode, string words)
    {
        string[] args = commandLine.Split(' ').Select(a => a == "\"\"" ? "" : a).ToArray();
        AssertOneLineError(Run(args), exitCode, words);
    }

    [TestCase(0)]
    [TestCase(3)]
    [TestCase(125)]
    public void ProcExitCodesUpTo125AreTheExitCode(int code)
    {
        CliResult result = Run("run", "--invoke", "exit", "{exit}", code.ToString());
        Assert.That((result.ExitCode, result.Error), Is.EqualTo((code, "")));
    }

    /// <summary>
    /// A directory this user may not read. Root reads everything, so as root the child runs under
    /// <c>setpriv</c> without the capabilities that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH): then a
    /// mode-000 directory is as closed to it as to any user. (CheckDirectoryReportsAPermissionError covers the
    /// message in-process where neither is possible.)
    /// </summary>
    [Test]
    public void AnUnreadableDirectoryIsAUsageError()
    {
        string locked = Path.Combine(_folder, "locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.None);
        string? prefix = null;
        if (Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root" || IsRoot())
        {
            if (!File.Exists("/usr/bin/setpriv"))
            {
                Assert.Ignore("running as root without setpriv: root can read a mode-000 directory (see CheckDirectoryReportsAPermissionError)");
            }
            prefix = "exec /usr/bin/setpriv --bounding-set=-dac_override,-dac_read_search ";
        }
        CliResult result = CliProcess.Run(["run", "--dir", locked, _files["hello"]], shellPrefix: prefix);
        AssertOneLineError(result, 2, $"--dir '{locked}': permission denied: this user may not read '{locked}'");
    }

    private static bool IsRoot() => File.ReadAllText("/proc/self/status").Split('\n')
        .FirstOrDefault(line => line.StartsWith("Uid:"))?.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0";

    /// <summary>With stderr unwritable the message is lost, but the exit code still tells what happened.</summary>
    [TestCase("run --dir /nonexistent {hello}", 2)]
    [TestCase("validate {empty}", 1)]
    [TestCase("run --invoke f --function-tier g=baseline {pingpong} 10", 134)]
    [TestCase("frobnicate", 2)]
    [TestCase("run --invoke exit {exit} 7", 7)]
    public void AnUnwritableStderrKeepsTheExitCode(string commandLine, int exitCode)
    {
        CliResult result = CliProcess.Run(Expand(commandLine.Split(' ')), redirect: "2>/dev/full");
        Assert.That(result.ExitCode, Is.EqualTo(exitCode), result.ToString());
    }

    [Test]
    public void AnUnwritableStdoutIsAnError()
    {
        CliResult result = CliProcess.Run(Expand(["validate", "{hello}"]), redirect: ">/dev/full");
        AssertOneLineError(result, 1, "error: cannot write the output: No space left on device");
    }

    /// <summary>
    /// --stats times the start from the process's start (never before it: the kernel's start tick is rounded down and
    /// the boot clock read exactly), and times promotions from _start, not from some earlier clock.
    /// </summary>
    [Test]
    public void StatisticsTimeTheStartFromTheProcessAndPromotionsFromStart()
    {
        CliResult result = Run("run", "--stats", "--tier-up-threshold", "1", "--sync-compile", "{hello}");
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Match startUp = Regex.Match(result.Error, @"start-up: +(-?\d+) ms from the process's start to _start .*, of which ([\d.]+) ms in main");
        Assert.That(startUp.Success, Is.True, result.Error);
        double total = double.Parse(startUp.Groups[1].Value, CultureInfo.InvariantCulture);
        double inMain = double.Parse(startUp.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.That(total, Is.GreaterThanOrEqualTo(Math.Floor(inMain)), "the process started before Main");
        Assert.That(result.Error, Does.Match(@"load: +[\d.]+ ms \(decode, validate\), instantiate [\d.]+ ms"));
        Assert.That(result.Error, Does.Match(@"run: +[\d.]+ ms in the program"));
        MatchCollection promotions = Regex.Matches(result.Error, @"running (-?[\d.]+) ms after _start started");
        Assert.That(promotions, Is.Not.Empty, result.Error);
        Assert.That(promotions.Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)), Has.All.GreaterThanOrEqualTo(0),
            "threshold 1 and synchronous compilation: every promotion happens while the program runs");
    }

    [Test]
    public void FuelTakesTheWholeU64Range()
    {
        CliResult result = Run("run", "--fuel", "18446744073709551615", "{hello}");
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("Hello"));
        Assert.That(Run("run", "--fuel", "0", "{hello}").ExitCode, Is.EqualTo(134), "no fuel: the first instruction traps");
    }

    /// <summary>
    /// A trap under 6,001 frames alternating between the interpreter and compiled code: reported quickly (it took
    /// seconds, quadratic in depth), as the innermost and outermost frames and the count left out.
    /// </summary>
    [Test]
    public void ADeepMixedTierTrapPrintsAnElidedBacktrace()
    {
        CliResult result = Run("run", "--timeout", "60s", "--invoke", "f", "--function-tier", "g=baseline", "{pingpong}", "3000");

        Assert.That(result.ExitCode, Is.EqualTo(134), result.ToString());
        string[] lines = result.ErrorLines;
        Assert.That(lines[0], Is.EqualTo("error: wasm trap: unreachable"));
        Assert.That(lines[1], Is.EqualTo("wasm backtrace:"));
        Assert.That(lines, Has.Length.EqualTo(2 + 20 + 1 + 10));
        Assert.That(lines[2], Does.StartWith("  0: f @ 0x"));
        Assert.That(lines[22], Is.EqualTo("  ... 5,971 frames left out (6,001 in all) ..."));
        Assert.That(lines[^1], Does.StartWith("  6000: f @ 0x"));
    }

    [Test]
    public void EnvironmentArgv0AndInheritEnv()
    {
        var environment = new Dictionary<string, string> { ["GREETING"] = "from the host", ["UNICODE"] = "ü" };
        CliResult result = CliProcess.Run(Expand(["run", "--env", "GREETING", "--env", "EMPTY=", "--env", "MISSING",
            "--argv0", "tool", "{args_env}", "a", "--", "--help"]), environment);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("argv[0]=[tool]").And.Contain("argv[2]=[--]").And.Contain("argv[3]=[--help]"),
            "after FILE everything is the program's, -- included");
        Assert.That(result.Output, Does.Contain("getenv(GREETING)=[from the host]").And.Contain("getenv(EMPTY)=[]")
            .And.Contain("getenv(MISSING)=(null)").And.Contain("getenv(UNICODE)=(null)").And.Contain("environ count=2"));

        foreach (string[] inherit in new[] { new[] { "--inherit-env" }, ["-S", "inherit-env"] })
        {
            result = CliProcess.Run(Expand(["run", .. inherit, "--env", "GREETING=override", "{args_env}"]), environment);
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Output, Does.Contain("getenv(UNICODE)=[ü]").And.Contain("getenv(GREETING)=[override]")
                .And.Contain($"env: PATH={Environment.GetEnvironmentVariable("PATH")}"));
        }
    }

    [Test]
    public void DoubleDashBeforeFileAndBeforeInvokeArguments()
    {
        Assert.That(Run("run", "--invoke", "add", "{exit}", "--", "-1", "-2"), Is.EqualTo(new CliResult(0, "-3\n", "")));
        Assert.That(Run("run", "--invoke", "add", "--", "{exit}", "2", "3"), Is.EqualTo(new CliResult(0, "5\n", "")));
    }

    /// <summary>WebAssembly feature switches: <c>--wasm</c>, or <c>-W</c> as in wasmtime.</summary>
    [Test]
    public void FeatureFlagsTakeWasmtimesShortForm()
    {
        Assert.That(Run("run", "-W", "2.0", "--invoke", "add", "{exit}", "1", "2"), Is.EqualTo(new CliResult(0, "3\n", "")));
        Assert.That(Run("run", "--wasm", "3.0,memarg64=n", "--invoke", "add", "{exit}", "1", "2"), Is.EqualTo(new CliResult(0, "3\n", "")));
        AssertOneLineError(Run("run", "-W", "nosuch=y", "{hello}"), 2, "unknown WebAssembly feature 'nosuch'");
    }

    [Test]
    public void VersionNamesTheEngineTheCommitAndTheRuntime()
    {
        CliResult result = Run("--version");
        Assert.That(result.ExitCode, Is.Zero);
        Assert.That(result.Output, Does.Match(@"^wasm-engine \d+\.\d+\.\d+.*, \.NET \d+\.\d+.*, linux-x64\n$"));
        Assert.That(Run("-V").Output, Is.EqualTo(result.Output));
    }

    /// <summary><c>--profile perfmap</c> names the compiled functions in perf's map of the process.</summary>
    [Test]
    public void ProfilePerfmapNamesCompiledFunctions()
    {
        var environment = new Dictionary<string, string> { ["DOTNET_PerfMapEnabled"] = "0" };
        string marker = Path.Combine(_folder, "pid");
        // The child's pid names its map: print it through a shell that then becomes the engine.
        CliResult result = CliProcess.Run(Expand(["run", "--profile", "perfmap", "--tier", "baseline", "--invoke", "add", "{exit}", "1", "2"]),
            environment, shellPrefix: $"echo $$ > {CliProcess.Quote(marker)}; exec ");
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        string map = $"/tmp/perf-{File.ReadAllText(marker).Trim()}.map";
        try
        {
            Assert.That(result.Error, Does.Contain($"profile: compiled functions are named in {map}"));
            Assert.That(File.ReadAllLines(map), Has.Some.Match(@"^[0-9a-f]+ [0-9a-f]+ wasm func\[2\] \(baseline\)$"));
        }
        finally
        {
            File.Delete(map);
        }
    }
}
