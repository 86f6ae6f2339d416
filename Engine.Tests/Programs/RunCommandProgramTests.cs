using Engine.Tests.Cli;
using NUnit.Framework;

namespace Engine.Tests.Programs;

/// <summary>
/// Programs of Programs/toolchains run end to end through the command line (`wasm-engine run`, a child
/// process): --dir, --env, arguments after FILE, stdin, stdout, and the process exit code for proc_exit and
/// for a trap. The programs chosen do not print argv[0] (run passes FILE's name, the manifest the bare name).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class RunCommandProgramTests
{
    private static string Folder => Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Programs", "toolchains");

    [TestCase("rust_fs", 0)]
    [TestCase("zig_compute", 0)]
    [TestCase("cxx_algo_em", 92)]
    [TestCase("as_gc", 1)] // proc_exit(255): refused by the command line, as by wasmtime
    [TestCase("rust_panic", 134)]
    public void RunsLikeTheEmbeddingApi(string name, int exitCode)
    {
        string sandbox = Directory.CreateTempSubdirectory("wasi-run-").FullName;
        try
        {
            var arguments = new List<string> { "run" };
            if (File.Exists(Path.Combine(Folder, name + ".preopen")))
            {
                arguments.AddRange(["--dir", sandbox + "::/sandbox"]);
            }
            if (File.Exists(Path.Combine(Folder, name + ".env")))
            {
                foreach (string line in File.ReadAllLines(Path.Combine(Folder, name + ".env")))
                {
                    arguments.AddRange(["--env", line]);
                }
            }
            arguments.Add(Path.Combine(Folder, name + ".wasm"));
            arguments.AddRange(File.ReadAllLines(Path.Combine(Folder, name + ".args")).Skip(1));
            string stdin = Path.Combine(Folder, name + ".stdin");

            CliResult result = CliProcess.Run(arguments, stdin: File.Exists(stdin) ? File.ReadAllBytes(stdin) : null);

            Assert.That(result.Output, Is.EqualTo(File.ReadAllText(Path.Combine(Folder, name + ".expected"))), () => result.Error);
            Assert.That(result.ExitCode, Is.EqualTo(exitCode), () => result.Error);
        }
        finally
        {
            Directory.Delete(sandbox, recursive: true);
        }
    }
}
