using System.Text.Json;
using Engine.Core;
using Engine.Runtime;
using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Programs;

/// <summary>
/// The C programs of Programs/wasi and Programs/large (clang, wasi-libc) and the programs of Programs/toolchains
/// (Rust, Zig, AssemblyScript, ... built by other toolchains), compiled for wasm32-wasi, run through
/// the embedding API with WASI: stdout must equal the output recorded under wasmtime byte for byte, and the
/// exit code (or the trap) must match, in the interpreter, the baseline tier, the optimizing tier and tiered mode
/// (through the first hop, and through both).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class WasiProgramTests
{
    public sealed record ProgramCase(string Folder, JsonElement Test)
    {
        public override string ToString() => $"{Folder}/{Test.GetProperty("name").GetString()}";
    }

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (string folder in new[] { "wasi", "large", "toolchains" })
        {
            string manifest = Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Programs", folder, "tests.json");
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(manifest));
            foreach (JsonElement test in document.RootElement.GetProperty("tests").EnumerateArray())
            {
                var @case = new ProgramCase(folder, test.Clone());
                foreach (string tier in new[] { "interpreter", "baseline", "optimizing", "tiered-1", "tiered-1-full" })
                {
                    yield return new TestCaseData(@case, tier).SetName($"Runs({@case}, {tier})");
                }
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Runs(ProgramCase program, string tier)
    {
        JsonElement test = program.Test;
        string folder = Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Programs", program.Folder);
        string temp = Directory.CreateTempSubdirectory("wasi-test-").FullName;
        try
        {
            var stdout = new MemoryStream();
            var config = new WasiConfig()
                .WithArgs(test.GetProperty("args").EnumerateArray().Select(a => a.GetString()!))
                .WithStdout(stdout)
                .WithStderr(Stream.Null);
            foreach (JsonProperty variable in test.GetProperty("env").EnumerateObject())
            {
                config.WithEnvironmentVariable(variable.Name, variable.Value.GetString()!);
            }
            if (test.GetProperty("stdin").ValueKind == JsonValueKind.String)
            {
                config.WithStdin(new MemoryStream(File.ReadAllBytes(Path.Combine(folder, test.GetProperty("stdin").GetString()!))));
            }
            else
            {
                config.WithStdin(new MemoryStream());
            }
            var hostDirectories = new Dictionary<string, string>();
            foreach (JsonElement preopen in test.GetProperty("preopens").EnumerateArray())
            {
                string guest = preopen.GetString()!;
                string host = Directory.CreateDirectory(Path.Combine(temp, guest.Trim('/').Replace('/', '_'))).FullName;
                hostDirectories[guest] = host;
                config.WithPreopenedDirectory(host, guest);
            }
            foreach (JsonElement symlink in test.GetProperty("symlinks").EnumerateArray())
            {
                string link = symlink.GetProperty("link").GetString()!;
                string guestDirectory = hostDirectories.Keys.Single(g => link.StartsWith(g + "/", StringComparison.Ordinal));
                string hostLink = Path.Combine(hostDirectories[guestDirectory], link[(guestDirectory.Length + 1)..]);
                File.CreateSymbolicLink(hostLink, symlink.GetProperty("target").GetString()!);
            }

            var engine = new WasmEngine(Baseline.TierModes.Config(tier));
            Module module = Module.FromFile(engine, Path.Combine(folder, test.GetProperty("wasm").GetString()!));
            using var wasi = new WasiContext(config);
            using var store = new Store(engine);
            Instance instance = new Linker(engine).DefineWasi(wasi).Instantiate(store, module);
            int? exitCode = null;
            TrapException? trap = null;
            try
            {
                instance.GetFunction("_start")!.Invoke();
                exitCode = 0;
            }
            catch (WasiExitException e)
            {
                exitCode = e.ExitCode;
            }
            catch (TrapException e)
            {
                trap = e;
            }

            string expected = File.ReadAllText(Path.Combine(folder, test.GetProperty("expectedStdout").GetString()!));
            Assert.That(System.Text.Encoding.UTF8.GetString(stdout.ToArray()), Is.EqualTo(expected));
            if (test.TryGetProperty("expectTrap", out JsonElement expectTrap))
            {
                Assert.That(trap, Is.Not.Null, "the program must trap");
                Assert.That(trap!.Message, Does.StartWith(expectTrap.GetString()!));
                Assert.That(trap.WasmBacktrace, Is.Not.Empty);
            }
            else
            {
                Assert.That(trap, Is.Null, () => $"unexpected trap: {trap}");
                Assert.That(exitCode, Is.EqualTo(test.GetProperty("exitCode").GetInt32()));
            }
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
