using CliCommandLine = Engine.Cli.CommandLine;
using Engine.Cli;
using Engine.Tools;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary>The command line's commands, options and errors.</summary>
[TestFixture]
public sealed class CliTests
{
    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = CliCommandLine.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static string Example(string name) => Path.Combine(TestPaths.RepositoryRoot, "examples", name);

    [Test]
    public void ValidateListsImportsAndExports()
    {
        var (exitCode, output, _) = Run("validate", Example("hello/hello.wasm"));

        Assert.That(exitCode, Is.Zero);
        Assert.That(output, Does.Contain("\"wasi_snapshot_preview1\" \"fd_write\": func [i32 i32 i32 i32] -> [i32]"));
        Assert.That(output, Does.Contain("\"_start\": func [] -> []"));
        Assert.That(output, Does.Contain("\"memory\": memory"));
    }

    [Test]
    public void ValidateReportsAnInvalidModuleWithItsOffset()
    {
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "invalid-test.wasm");
        // (module (func (result i32) (i64.const 0))): a type mismatch at the function's end.
        File.WriteAllBytes(path, [0, 0x61, 0x73, 0x6D, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7F, 3, 2, 1, 0, 10, 6, 1, 4, 0, 0x42, 0, 0x0B]);

        var (exitCode, _, error) = Run("validate", path);

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(error, Does.Contain("invalid module at offset 0x").And.Contain("type mismatch"));
    }

    [Test]
    public void ValidateReportsAnInvalidTextModuleAtItsLineAndColumn()
    {
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "invalid-test.wat");
        File.WriteAllText(path, "(module\n  (func (param i32) (result i32)\n    (i32.add (local.get 0) (i64.const 1))))\n");

        var (exitCode, _, error) = Run("validate", path);

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(error, Is.EqualTo("error: invalid-test.wat:3:6: invalid module: type mismatch: expected i32, got i64" + Environment.NewLine));
    }

    [Test]
    public void ValidateReportsAMalformedModule()
    {
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "malformed-test.wasm");
        File.WriteAllBytes(path, [0, 0x61, 0x73, 0x6D, 2, 0, 0, 0]);

        var (exitCode, _, error) = Run("validate", path);

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(error, Does.Contain("malformed module at offset 0x4: unknown binary version"));
    }

    [Test]
    public void TierNamesAreTheSameForTierAndFunctionTier()
    {
        RunOptions options = RunOptions.Parse(["--tier", "interp", "--function-tier", "main=interp", "--function-tier", "3=interpreter",
            "--function-tier", "f=baseline", "x.wasm"]);
        Assert.That(options.Tier, Is.EqualTo(Engine.Runtime.TierMode.Interpreter));
        Assert.That(options.Tiering.Apply(new Engine.Runtime.EngineConfig()).FunctionTiers, Is.EquivalentTo(new Dictionary<string, Engine.Runtime.TierMode>
        {
            ["main"] = Engine.Runtime.TierMode.Interpreter, ["3"] = Engine.Runtime.TierMode.Interpreter, ["f"] = Engine.Runtime.TierMode.Baseline,
        }));
        Assert.Throws<UsageException>(() => RunOptions.Parse(["--function-tier", "main=jit", "x.wasm"]));
        Assert.Throws<UsageException>(() => RunOptions.Parse(["--tier", "jit", "x.wasm"]));
    }

    /// <summary>The message for a directory this user may not read, whoever runs the test (root reads everything: see CliProcessTests).</summary>
    [Test]
    public void CheckDirectoryReportsAPermissionError()
    {
        string directory = TestContext.CurrentContext.WorkDirectory;
        var preopen = RunOptions.ParseDirectory(directory + "::/data");
        var e = Assert.Throws<UsageException>(() => RunOptions.CheckDirectory(preopen, _ => throw new UnauthorizedAccessException("denied")))!;
        Assert.That(e.Message, Is.EqualTo($"--dir '{directory}::/data': permission denied: this user may not read '{directory}'"));
        Assert.DoesNotThrow(() => RunOptions.CheckDirectory(preopen, _ => { }));
    }

    [Test]
    public void DurationsAreFiniteNonNegativeAndAtMost49Days()
    {
        Assert.That(RunOptions.ParseDuration("500ms"), Is.EqualTo(TimeSpan.FromMilliseconds(500)));
        Assert.That(RunOptions.ParseDuration("10s"), Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(RunOptions.ParseDuration("1.5m"), Is.EqualTo(TimeSpan.FromSeconds(90)));
        Assert.That(RunOptions.ParseDuration("2h"), Is.EqualTo(TimeSpan.FromHours(2)));
        Assert.That(RunOptions.ParseDuration("7"), Is.EqualTo(TimeSpan.FromSeconds(7)));
        Assert.That(RunOptions.ParseDuration("0s"), Is.EqualTo(TimeSpan.Zero));
        Assert.That(RunOptions.ParseDuration("1000h"), Is.EqualTo(TimeSpan.FromHours(1000)));
        foreach (string bad in new[] { "NaNs", "NaN", "Infinitys", "-Infinitys", "1e400s", "-1s", "", "s", "ms", "10x", "1,5s", "1e300s", "1200h" })
        {
            Assert.Throws<UsageException>(() => RunOptions.ParseDuration(bad), bad);
        }
    }

    [Test]
    public void EnvAndDirectoryOptions()
    {
        RunOptions options = RunOptions.Parse(["--env", "A=1", "--env", "B", "--env", "C=x=y", "--inherit-env", "--dir", "/tmp",
            "--dir", "/a::/b::c", "--argv0", "tool", "x.wasm", "p"]);
        Assert.That(options.Environment, Is.EqualTo(new (string, string?)[] { ("A", "1"), ("B", null), ("C", "x=y") }));
        Assert.That(options.InheritEnvironment, Is.True);
        Assert.That(options.Directories.Select(d => (d.Host, d.Guest)), Is.EqualTo(new[] { ("/tmp", "/tmp"), ("/a", "/b::c") }));
        Assert.That((options.Argv0, options.File, options.ProgramArguments.Single()), Is.EqualTo(("tool", "x.wasm", "p")));
        Assert.That(RunOptions.Parse(["-S", "inherit-env=n", "x.wasm"]).InheritEnvironment, Is.False);
        Assert.Throws<UsageException>(() => RunOptions.Parse(["--env", "=1", "x.wasm"]));
        Assert.Throws<UsageException>(() => RunOptions.Parse(["--dir", "::x", "x.wasm"]));
        Assert.That(RunOptions.Parse(["--fuel", "18446744073709551615", "x.wasm"]).Fuel, Is.EqualTo(ulong.MaxValue));
        Assert.That(RunOptions.IndexOfFile(["--function-tier", "f=baseline", "--tier-up-calls", "3", "-S", "inherit-env", "x.wasm", "-h"]), Is.EqualTo(6));
        Assert.That(RunOptions.IndexOfFile(["--tier-up-optimize", "0", "--wasm", "2.0", "--program-thread-compile-size", "0",
            "--program-thread-compile-ms", "2.5", "x.wasm"]), Is.EqualTo(8));
    }

    [Test]
    public void ProgramThreadCompileOptionsSetTheirSettings()
    {
        var defaults = new Engine.Runtime.EngineConfig();
        Assert.That((defaults.ProgramThreadCompileSize, defaults.ProgramThreadCompileBudget), Is.EqualTo((300, TimeSpan.FromMilliseconds(5))));
        Engine.Runtime.EngineConfig config = RunOptions.Parse(["--program-thread-compile-size", "0", "--program-thread-compile-ms", "2.5", "x.wasm"])
            .Tiering.Apply(defaults);
        Assert.That((config.ProgramThreadCompileSize, config.ProgramThreadCompileBudget), Is.EqualTo((0, TimeSpan.FromMilliseconds(2.5))));
        config = RunOptions.Parse(["x.wasm"]).Tiering.Apply(defaults);
        Assert.That((config.ProgramThreadCompileSize, config.ProgramThreadCompileBudget), Is.EqualTo((300, TimeSpan.FromMilliseconds(5))), "unchanged when not given");
        Assert.That(defaults.CompileWaitLimit, Is.EqualTo(TimeSpan.FromMilliseconds(20)));
        Assert.That(RunOptions.Parse(["--compile-wait-ms", "0", "x.wasm"]).Tiering.Apply(defaults).CompileWaitLimit, Is.EqualTo(TimeSpan.Zero));
        Assert.That(RunOptions.Parse(["--compile-wait-ms", "7.5", "x.wasm"]).Tiering.Apply(defaults).CompileWaitLimit,
            Is.EqualTo(TimeSpan.FromMilliseconds(7.5)));
        Assert.That(RunOptions.IndexOfFile(["--compile-wait-ms", "3", "x.wasm"]), Is.EqualTo(2));
        foreach (string[] bad in new[] { new[] { "--program-thread-compile-size", "-1" }, ["--program-thread-compile-ms", "-1"],
            ["--program-thread-compile-ms", "NaN"], ["--program-thread-compile-ms", "1e300"], ["--compile-wait-ms", "-1"] })
        {
            Assert.Throws<UsageException>(() => RunOptions.Parse([.. bad, "x.wasm"]), string.Join(' ', bad));
        }
    }

    [Test]
    public void MissingFileAndUnknownOptionsAreUsageErrors()
    {
        Assert.That(Run("validate", "no-such-file.wasm").ExitCode, Is.EqualTo(CliCommandLine.UsageError));
        Assert.That(Run("validate", "no-such-file.wasm").Error, Does.Contain("cannot read 'no-such-file.wasm'"));
        Assert.That(Run("validate", "--frobnicate", "x.wasm").Error, Does.Contain("unknown option '--frobnicate'"));
        Assert.That(Run("validate").Error, Does.Contain("missing FILE"));
        Assert.That(Run("wast").ExitCode, Is.EqualTo(CliCommandLine.UsageError));
        Assert.That(Run("frobnicate").Error, Does.Contain("unknown command 'frobnicate'"));
        Assert.That(Run().ExitCode, Is.EqualTo(CliCommandLine.UsageError));
    }

    /// <summary>A WASI reactor's <c>_initialize</c> runs before the invoked export (and before <c>_start</c>), as in wasmtime.</summary>
    [Test]
    public void RunCallsAReactorsInitializeFirst()
    {
        string file = Path.Combine(Path.GetTempPath(), $"reactor-{Guid.NewGuid():N}.wat");
        File.WriteAllText(file, """
            (module
              (global $value (mut i32) (i32.const 0))
              (func (export "_initialize") (global.set $value (i32.add (global.get $value) (i32.const 42))))
              (func (export "get") (param i32) (result i32) (i32.add (global.get $value) (local.get 0)))
              (func (export "_start") (if (i32.ne (global.get $value) (i32.const 42)) (then unreachable)))
              (memory (export "memory") 1))
            """);
        try
        {
            var (exitCode, output, error) = Run("run", "--invoke", "get", file, "1");
            Assert.That((exitCode, output, error), Is.EqualTo((0, "43" + Environment.NewLine, "")));
            Assert.That(Run("run", file).ExitCode, Is.Zero, "_start sees the initialized global");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// A function of the legacy exception instructions runs (interpreted) in every tier mode, and <c>disasm</c> of a
    /// compiler's code or IR says why the tier does not compile it instead of failing.
    /// </summary>
    [Test]
    public void LegacyExceptionFunctionsRunAndDisassembleInEveryTier()
    {
        string file = Path.Combine(Path.GetTempPath(), $"legacy-{Guid.NewGuid():N}.wat");
        File.WriteAllText(file, """
            (module
              (tag $e (param i32))
              (func (export "f") (param i32) (result i32)
                (try (result i32)
                  (do (throw $e (local.get 0)))
                  (catch $e (i32.add (i32.const 1))))))
            """);
        try
        {
            foreach (string tier in new[] { "interpreter", "baseline", "optimizing", "tiered" })
            {
                var (exitCode, output, error) = Run("run", "--tier", tier, "--invoke", "f", file, "41");
                Assert.That((exitCode, output, error), Is.EqualTo((0, "42" + Environment.NewLine, "")), tier);
            }
            foreach (string[] disasm in new[] { new[] { "disasm", "--tier", "baseline", file }, new[] { "disasm", "--ir", file } })
            {
                var (exitCode, output, _) = Run(disasm);
                Assert.That(exitCode, Is.Zero, string.Join(' ', disasm));
                Assert.That(output, Does.Contain("not compiled by the tier: UnsupportedFeature"), string.Join(' ', disasm));
            }
            Assert.That(Run("run", "--wasm", "legacy-exceptions=n", "--invoke", "f", file, "41").ExitCode, Is.Not.Zero);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Arguments after FILE are the program's, even when they look like run's own options.</summary>
    [Test]
    public void RunPassesHelpAfterTheFileToTheProgram()
    {
        string hello = Path.Combine(Example("hello"), "hello.wasm");
        Assert.That(Run("run", "--help").Output, Does.StartWith("usage: wasm-engine run"));
        Assert.That(Run("run", "--env", "A=1", "-h").Output, Does.StartWith("usage: wasm-engine run"));
        Assert.That(Run("run", "--dir", "--help", "-h").Output, Does.StartWith("usage: wasm-engine run"), "an option's value is not FILE");
        Assert.That(RunOptions.IndexOfFile(["--env", "A=1", "--stats", hello, "--help"]), Is.EqualTo(3));
        Assert.That(RunOptions.IndexOfFile(["--", "--help"]), Is.EqualTo(1));
        Assert.That(RunOptions.IndexOfFile(["--dir"]), Is.EqualTo(1));

        var (exitCode, output, _) = Run("run", hello, "--help", "-h");
        Assert.That(exitCode, Is.Zero);
        Assert.That(output, Does.Not.Contain("usage: wasm-engine run"), "the program ran instead of run's help");
    }

    [Test]
    public void EveryCommandHasHelp()
    {
        foreach (string command in new[] { "run", "validate", "wast", "disasm" })
        {
            var (exitCode, output, _) = Run(command, "--help");
            Assert.That(exitCode, Is.Zero);
            Assert.That(output, Does.StartWith($"usage: wasm-engine {command}"));
            Assert.That(output, Does.Contain("exit codes:").And.Contain("134"), "every command lists the exit codes");
        }
        Assert.That(Run("--help").Output, Does.Contain("validate").And.Contain("wast"));
    }

    [Test]
    public void WastPrintsCountsPerFileAndKindAndATotalLine()
    {
        // The 2.0 suite's scripts, under the 2.0 rules they check.
        var (exitCode, output, _) = Run("wast", "--wasm", "2.0", TestPaths.ScriptPath("i32"), TestPaths.ScriptPath("binary-leb128"));

        string[] lines = output.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.That(exitCode, Is.Zero, output);
        Assert.That(lines[0], Does.Match(@"^i32\.json: \d+ passed, 0 failed, \d+ skipped$"));
        Assert.That(lines, Has.Some.Match(@"^assert_malformed: \d+ passed, 0 failed, \d+ skipped$"));
        Assert.That(lines[^1], Does.Match(@"^\d+ passed, 0 failed, \d+ skipped$"));
    }
}
