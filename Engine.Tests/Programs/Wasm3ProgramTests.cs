using System.Text;
using Engine.Core;
using Engine.Runtime;
using Engine.Tests.Baseline;
using Engine.Tests.Cli;
using Engine.Text;
using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Programs;

/// <summary>
/// The WebAssembly 3.0 programs of Programs/wasm3 run end to end in every tier mode: a C++ program's exception
/// handling written in try_table/throw/throw_ref (its C++ original's native output is the expected output), and a C
/// program built with clang's -mtail-call whose millions of musttail calls (return_call, return_call_indirect) need
/// constant stack, run through the command line.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class Wasm3ProgramTests
{
    private static string Folder => Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Programs", "wasm3");

    /// <summary>The interpreter, each compiler alone, and tiered with thresholds of 1 (first hop, both hops).</summary>
    public static IEnumerable<string> Tiers() => ["interpreter", "baseline", "optimizing", "tiered-1", "tiered-1-full"];

    [TestCaseSource(nameof(Tiers))]
    public void TheExceptionsProgramPrintsWhatItsCxxOriginalPrints(string tier)
    {
        var engine = new WasmEngine(TierModes.Config(tier));
        var stdout = new MemoryStream();
        using var wasi = new WasiContext(new WasiConfig().WithArgs(["exceptions"]).WithStdout(stdout)
            .WithStderr(Stream.Null).WithStdin(new MemoryStream()));
        using var store = new Store(engine);
        Instance? instance = null;
        var jobs = new List<int>();
        var failures = new List<int>();
        // host.call(job, arg): the host calls the program's run_job back; its exceptions cross this frame, and the
        // host sees them as the TagException they are on the way.
        Linker linker = new Linker(engine).DefineWasi(wasi);
        linker.DefineFunction("host", "call", (int job, int arg) =>
        {
            jobs.Add(job);
            try
            {
                return instance!.GetFunction("run_job")!.Invoke(Value.I32(job), Value.I32(arg))[0].AsI32();
            }
            catch (TagException e)
            {
                failures.Add(job);
                Assert.That(e.Payload, Has.Length.EqualTo(1), "a JobFailed: one field");
                throw;
            }
        });
        instance = linker.Instantiate(store, Module.FromFile(engine, Path.Combine(Folder, "exceptions.wasm")));

        instance.GetFunction("_start")!.Invoke();

        Assert.That(Encoding.UTF8.GetString(stdout.ToArray()), Is.EqualTo(File.ReadAllText(Path.Combine(Folder, "exceptions.expected"))));
        Assert.That(jobs, Is.EqualTo(new[] { 0, 1, 2, 1, 3 }), "job 2 calls the host again, for job 1");
        Assert.That(failures, Is.EqualTo(new[] { 1, 1, 2, 3 }), "the exceptions of jobs 1, 2 (twice: inner and outer call) and 3 crossed the host");
        if (tier is "baseline" or "optimizing")
        {
            Assert.That(engine.TierStatistics.Fallbacks, Is.Empty, "every function, try_tables and throws included, ran compiled");
        }
        // The store goes on working after all that unwinding.
        Assert.That(instance.GetFunction("run_job")!.Invoke(Value.I32(0), Value.I32(21))[0].AsI32(), Is.EqualTo(42));
    }

    [Test]
    public void TheCommittedExceptionsWasmIsItsWat() =>
        Assert.That(File.ReadAllBytes(Path.Combine(Folder, "exceptions.wasm")),
            Is.EqualTo(WatParser.ParseModule(File.ReadAllText(Path.Combine(Folder, "exceptions.wat")))));

    /// <summary>The command line's tier options for each mode of <see cref="Tiers"/>.</summary>
    private static string[] TierArguments(string tier) => tier switch
    {
        "tiered-1" => ["--tier", "tiered", "--tier-up-threshold", "1", "--tier-up-optimize", "0", "--sync-compile"],
        "tiered-1-full" => ["--tier", "tiered", "--tier-up-threshold", "1", "--sync-compile"],
        _ => ["--tier", tier],
    };

    [TestCaseSource(nameof(Tiers))]
    public void TheTailCallProgramRunsInConstantStackThroughTheCommandLine(string tier)
    {
        CliResult result = CliProcess.Run(["run", .. TierArguments(tier), Path.Combine(Folder, "tailcall.wasm")]);

        Assert.That(result.Output, Is.EqualTo(File.ReadAllText(Path.Combine(Folder, "tailcall.expected"))), () => result.Error);
        Assert.That(result.ExitCode, Is.EqualTo(0), () => result.Error);
    }

    [Test]
    public void TheTailCallProgramIsRefusedWithTailCallsSwitchedOff()
    {
        CliResult result = CliProcess.Run(["run", "-W", "tail-call=n", Path.Combine(Folder, "tailcall.wasm")]);

        Assert.That(result.ExitCode, Is.EqualTo(1), () => result.ToString());
        Assert.That(result.Output, Is.Empty);
        Assert.That(result.Error, Does.Contain("invalid module at offset 0x").And.Contain("return_call needs the tail-call feature, which is disabled"));
    }
}
