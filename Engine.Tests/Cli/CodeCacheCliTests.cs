using Engine.Runtime.Caching;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary>
/// <c>compile</c>, <c>run FILE.cwasm</c> and <c>run --cache</c> through the real command line, in child processes: the
/// output never changes, a second run of a module starts with its compiled functions, two processes share an entry, and
/// a precompiled module that is damaged or of another engine build is refused with one line and exit 1.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class CodeCacheCliTests
{
    private static string Hello => Path.Combine(TestPaths.RepositoryRoot, "examples", "hello", "hello.wasm");

    private static string HelloExpected => File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "examples", "hello", "hello.expected"));

    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("wasm-engine-cache-cli-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private string Cache => Path.Combine(_folder, "cache");

    /// <summary>hello with thresholds of 1: every function it calls is compiled, so the run has something to cache.</summary>
    private CliResult RunHelloCached() =>
        CliProcess.Run(["run", "--stats", "--cache-dir", Cache, "--tier-up-threshold", "1", "--sync-compile", Hello, .. HelloArguments]);

    /// <summary>The arguments hello.expected was recorded with (argv[0] is the file's name: hello.wasm for a .cwasm too).</summary>
    private static readonly string[] HelloArguments = ["Ada", "Lovelace"];

    [Test]
    public void ASecondRunStartsWithTheCompiledFunctionsAndPrintsTheSame()
    {
        CliResult first = RunHelloCached();
        CliResult second = RunHelloCached();
        Assert.That(first.ExitCode, Is.Zero, first.ToString());
        Assert.That(first.Output, Is.EqualTo(HelloExpected));
        Assert.That(second.Output, Is.EqualTo(first.Output));
        Assert.That(first.Error, Does.Contain("cache:        compiled code not used: no entry yet; wrote "));
        Assert.That(second.Error, Does.Match(@"cache:        [1-9]\d* functions loaded compiled from the cache in "));
        Assert.That(second.Error, Does.Contain("by cache"));
    }

    [Test]
    public void TwoProcessesWritingOneEntryAtOnceLeaveAGoodOne()
    {
        CliResult[] results = [.. Task.WhenAll(Task.Run(RunHelloCached), Task.Run(RunHelloCached)).Result];
        Assert.That(results.Select(r => r.ExitCode), Is.All.Zero);
        Assert.That(results.Select(r => r.Output), Is.All.EqualTo(HelloExpected));
        string[] files = Directory.GetFiles(Cache);
        Assert.That(files, Has.Length.EqualTo(1), "one entry, no temporary file left");
        Assert.That(() => CodeFile.Read(File.ReadAllBytes(files[0])), Throws.Nothing);
        CliResult third = RunHelloCached();
        Assert.That(third.Output, Is.EqualTo(HelloExpected));
        Assert.That(third.Error, Does.Contain("functions loaded compiled from the cache"));
    }

    [Test]
    public void ADamagedEntryIsIgnoredAndTheOutputStaysTheSame()
    {
        RunHelloCached();
        string entry = Directory.GetFiles(Cache).Single();
        byte[] bytes = File.ReadAllBytes(entry);
        bytes[bytes.Length / 3] ^= 0x04;
        File.WriteAllBytes(entry, bytes);
        CliResult result = RunHelloCached();
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Is.EqualTo(HelloExpected));
        Assert.That(result.Error, Does.Contain("compiled code not used: the entry is ignored (corrupted: its checksum does not match"));
    }

    /// <summary>Either compiler precompiles, and the default (tiered) run places its code (the tier list is the same).</summary>
    [TestCase("baseline")]
    [TestCase("optimizing")]
    public void APrecompiledModuleRunsAsTheModuleDoes(string tier)
    {
        string cwasm = Path.Combine(_folder, "hello.cwasm");
        CliResult compile = CliProcess.Run(["compile", "--tier", tier, Hello, "-o", cwasm]);
        Assert.That(compile.ExitCode, Is.Zero, compile.ToString());
        Assert.That(compile.Output, Does.Match($@"hello\.cwasm: 63 of 63 functions compiled \({tier}\) in \d+ ms, \d+ KiB"));
        CliResult run = CliProcess.Run(["run", "--stats", "--argv0", "hello.wasm", cwasm, .. HelloArguments]);
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Output, Is.EqualTo(HelloExpected));
        Assert.That(run.Error, Does.Contain("precompiled:  63 functions loaded compiled from the precompiled module"));
        Assert.That(run.Error, Does.Contain("translation:  0 of 63 functions translated"));
        // validate and disasm take the module it came from, and say so.
        CliResult validate = CliProcess.Run(["validate", cwasm]);
        Assert.That(validate.ExitCode, Is.EqualTo(1));
        Assert.That(validate.Error, Does.Contain("a precompiled module (made by 'wasm-engine compile')"));
    }

    [Test]
    public void APrecompiledModuleTrapsAsTheModuleDoes()
    {
        string wat = Path.Combine(_folder, "trap.wat");
        File.WriteAllText(wat, """
            (module
              (func $inner (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
              (func (export "outer") (param i32) (result i32) (call $inner (local.get 0))))
            """);
        string cwasm = Path.Combine(_folder, "trap.cwasm");
        Assert.That(CliProcess.Run(["compile", wat, "-o", cwasm]).ExitCode, Is.Zero);
        CliResult fromText = CliProcess.Run(["run", "--invoke", "outer", wat, "0"]);
        CliResult precompiled = CliProcess.Run(["run", "--invoke", "outer", cwasm, "0"]);
        Assert.That(precompiled.ExitCode, Is.EqualTo(134), precompiled.ToString());
        Assert.That(precompiled.Error, Is.EqualTo(fromText.Error));
        Assert.That(precompiled.Error, Does.Contain("integer divide by zero"));
    }

    [Test]
    public void APrecompiledModuleOfAnotherEngineBuildIsRefused()
    {
        string cwasm = Path.Combine(_folder, "hello.cwasm");
        Assert.That(CliProcess.Run(["compile", Hello, "-o", cwasm]).ExitCode, Is.Zero);
        CodeFileContents contents = CodeFile.Read(File.ReadAllBytes(cwasm));
        File.WriteAllBytes(cwasm, CodeFile.Write(contents with { Settings = contents.Settings with { EngineBuild = "0.9.0+0123456789ab build 0123456789abcdef" } }));
        CliResult run = CliProcess.Run(["run", cwasm]);
        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.Output, Is.Empty);
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(run.Error, Does.StartWith($"error: {cwasm}: made by another engine build (0.9.0+0123456789ab build 0123456789abcdef; this is "));
        Assert.That(run.Error, Does.Contain("compile the module again"));
    }

    [Test]
    public void ADamagedPrecompiledModuleIsRefusedBeforeAnyOfItsCodeRuns()
    {
        string cwasm = Path.Combine(_folder, "hello.cwasm");
        Assert.That(CliProcess.Run(["compile", Hello, "-o", cwasm]).ExitCode, Is.Zero);
        byte[] bytes = File.ReadAllBytes(cwasm);
        bytes[bytes.Length - 5000] ^= 0x01; // inside the last function's code
        File.WriteAllBytes(cwasm, bytes);
        CliResult run = CliProcess.Run(["run", cwasm]);
        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.Output, Is.Empty, "nothing ran");
        Assert.That(run.Error, Is.EqualTo($"error: {cwasm}: corrupted: its checksum does not match its contents (truncated, or changed since it was written)\n"));
    }

    [Test]
    public void APrecompiledModuleOfOtherSettingsCompilesAsUsualAndSaysWhy()
    {
        string cwasm = Path.Combine(_folder, "hello.cwasm");
        Assert.That(CliProcess.Run(["compile", Hello, "-o", cwasm]).ExitCode, Is.Zero);
        CliResult run = CliProcess.Run(["run", "--stats", "--fuel", "100000000", "--argv0", "hello.wasm", cwasm, .. HelloArguments]);
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Output, Is.EqualTo(HelloExpected));
        Assert.That(run.Error, Does.Contain("precompiled:  compiled code not used: compiled with other settings"));
        CliResult fuel = CliProcess.Run(["compile", "--consume-fuel", Hello, "-o", cwasm]);
        Assert.That(fuel.ExitCode, Is.Zero);
        Assert.That(CliProcess.Run(["run", "--stats", "--fuel", "100000000", cwasm]).Error, Does.Contain("63 functions loaded compiled"));
    }

    [TestCase("compile", 2, "missing FILE")]
    [TestCase("compile --tier interp {hello}", 2, "--tier interp: compile takes a machine-code tier: baseline or optimizing")]
    [TestCase("compile --tier tiered {hello}", 2, "--tier tiered: compile takes a machine-code tier: baseline or optimizing")]
    [TestCase("compile --frobnicate {hello}", 2, "unknown option '--frobnicate'")]
    [TestCase("compile {hello} -o /nonexistent-dir/x.cwasm", 1, "cannot write '/nonexistent-dir/x.cwasm'")]
    [TestCase("run --cache-dir", 2, "--cache-dir needs a value")]
    public void BadUsageIsOneLine(string command, int exitCode, string message)
    {
        CliResult result = CliProcess.Run(command.Replace("{hello}", Hello).Split(' '));
        Assert.That(result.ExitCode, Is.EqualTo(exitCode), result.ToString());
        Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain(message));
    }
}
