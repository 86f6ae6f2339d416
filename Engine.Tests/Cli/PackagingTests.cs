using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary>
/// What users install: the NuGet packages and the dotnet tool (<c>dotnet pack</c>, then <c>dotnet tool install
/// --add-source</c>), and the native binary (<c>dotnet publish -r linux-x64</c>, NativeAOT; opt-in with
/// <c>WASM_ENGINE_AOT_TEST=1</c>: it takes minutes). Each runs <c>examples/hello</c> and a trapping module.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PackagingTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private string _folder = "";

    [OneTimeSetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("wasm-engine-packaging-").FullName;

    [OneTimeTearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string Hello => Path.Combine(TestPaths.RepositoryRoot, "examples", "hello", "hello.wasm");

    private string TrapModule
    {
        get
        {
            string path = Path.Combine(_folder, "trap.wat");
            File.WriteAllText(path, """(module (func (export "_start") (drop (i32.div_s (i32.const 1) (i32.const 0)))))""");
            return path;
        }
    }

    private static (int ExitCode, string Output, string Error) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = TestPaths.RepositoryRoot,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // The dotnet tool and "dotnet publish" must not see the test host's MSBuild and runtime settings.
        foreach (string variable in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "DOTNET_HOST_PATH" })
        {
            start.Environment.Remove(variable);
        }
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(15)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish in 15 minutes");
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>The installed command line runs hello and reports a trap as the built one does.</summary>
    private void AssertRunsHelloAndTraps(string wasmEngine)
    {
        var hello = Run(wasmEngine, "run", Hello, "Ada", "Lovelace");
        Assert.That(hello.ExitCode, Is.Zero, hello.Error);
        Assert.That(hello.Output, Is.EqualTo(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "examples", "hello", "hello.expected"))));
        var trap = Run(wasmEngine, "run", TrapModule);
        Assert.That(trap.ExitCode, Is.EqualTo(134), trap.Error);
        Assert.That(trap.Error, Does.StartWith("error: wasm trap: integer divide by zero"));
    }

    [Test]
    public void PackagesCarryTheirDocsAndDependenciesAndTheToolInstalls()
    {
        string packages = Path.Combine(_folder, "packages");
        var pack = Run("dotnet", "pack", Path.Combine(TestPaths.RepositoryRoot, "Engine.sln"), "-c", Configuration, "--no-build", "-o", packages);
        Assert.That(pack.ExitCode, Is.Zero, pack.Output + pack.Error);
        Assert.That(pack.Output, Does.Not.Contain("warning"));
        string[] names = [.. Directory.GetFiles(packages, "*.nupkg").Select(Path.GetFileName).Order()!];
        Assert.That(names, Is.SupersetOf(new[]
        {
            "WasmEngine.Baseline.0.1.0.nupkg", "WasmEngine.CodeGen.X64.0.1.0.nupkg", "WasmEngine.Core.0.1.0.nupkg", "WasmEngine.Gc.0.1.0.nupkg",
            "WasmEngine.Interpreter.0.1.0.nupkg", "WasmEngine.Runtime.0.1.0.nupkg", "WasmEngine.Text.0.1.0.nupkg", "WasmEngine.Wasi.0.1.0.nupkg",
            "wasm-engine.0.1.0.nupkg",
        }));
        foreach (var (package, assembly, dependencies) in new[]
        {
            ("WasmEngine.Runtime", "Engine.Runtime", new[] { "WasmEngine.Core", "WasmEngine.Interpreter", "WasmEngine.Baseline", "WasmEngine.CodeGen.X64", "WasmEngine.Text" }),
            ("WasmEngine.Wasi", "Engine.Wasi", new[] { "WasmEngine.Core", "WasmEngine.Runtime" }),
        })
        {
            using ZipArchive zip = ZipFile.OpenRead(Path.Combine(packages, $"{package}.0.1.0.nupkg"));
            string[] entries = [.. zip.Entries.Select(e => e.FullName)];
            Assert.That(entries, Does.Contain($"lib/net10.0/{assembly}.dll").And.Contain($"lib/net10.0/{assembly}.xml"), package);
            using Stream nuspec = zip.GetEntry($"{package}.nuspec")!.Open();
            string[] declared = [.. XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!)];
            Assert.That(declared, Is.SupersetOf(dependencies), package);
        }
        string tools = Path.Combine(_folder, "tools");
        var install = Run("dotnet", "tool", "install", "--tool-path", tools, "--add-source", packages, "wasm-engine", "--version", "0.1.0");
        Assert.That(install.ExitCode, Is.Zero, install.Output + install.Error);
        AssertRunsHelloAndTraps(Path.Combine(tools, "wasm-engine"));
    }

    [Test]
    public void TheNativeBinaryPublishesWithoutWarningsAndRuns()
    {
        if (Environment.GetEnvironmentVariable("WASM_ENGINE_AOT_TEST") != "1")
        {
            Assert.Ignore("set WASM_ENGINE_AOT_TEST=1 to publish the NativeAOT binary (several minutes)");
        }
        string output = Path.Combine(_folder, "aot");
        var publish = Run("dotnet", "publish", Path.Combine(TestPaths.RepositoryRoot, "Engine.Cli"), "-c", "Release", "-r", "linux-x64", "-o", output);
        Assert.That(publish.ExitCode, Is.Zero, publish.Output + publish.Error);
        Assert.That(publish.Output + publish.Error, Does.Not.Contain("warning"), "NativeAOT and trimming analysis stay clean");
        AssertRunsHelloAndTraps(Path.Combine(output, "wasm-engine"));
        var version = Run(Path.Combine(output, "wasm-engine"), "--version");
        Assert.That(version.Output, Does.StartWith("wasm-engine 0.1.0"));
    }
}
