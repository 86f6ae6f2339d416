// Records expected outputs under the real wasmtime (NuGet Wasmtime 50.0.1, Linker.DefineWasi()).
//   dotnet run -c Release -- record DIR [NAME...]
//       for each NAME.args in DIR (same input files as ../README.md): run NAME.wasm, write NAME.expected
//       and NAME.exitcode (or NAME.trap); preopens are fresh empty temp directories, symlinks are created.
//   dotnet run -c Release -- run [--dir HOST::GUEST] [--env K=V] [--stdin FILE] [--trap-unknown-imports] FILE ARGS...
//       runs FILE like `wasmtime run` (stdio inherited unless --stdin) and exits with its exit code (trap: 134).
//   dotnet run -c Release -- ruby RUBY.wasm SCRIPT.rb [--dir HOST::GUEST] [--env K=V]   (see ../runtimes/README.md)
//   dotnet run -c Release -- gofmt GOFMT.wasm FILE.go   (see ../gofmt/README.md)
using System.Text;
using Wasmtime;

static (int? code, string? trap, byte[] stdout) Run(string wasm, IEnumerable<string> args, IEnumerable<(string, string)> env,
    string? stdinFile, IEnumerable<(string host, string guest)> dirs, bool passthroughStdout, bool trapUnknownImports = false)
{
    using var engine = new Wasmtime.Engine();
    using var module = Load(engine, wasm);
    using var linker = new Linker(engine);
    linker.DefineWasi();
    if (trapUnknownImports) linker.DefineUnknownImportsAsTraps(module);
    using var store = new Store(engine);
    string outFile = Path.GetTempFileName();
    var config = new WasiConfiguration().WithArgs(args).WithInheritedStandardError();
    foreach (var (k, v) in env) config.WithEnvironmentVariable(k, v);
    if (stdinFile != null) config.WithStandardInput(stdinFile);
    else if (passthroughStdout) config.WithInheritedStandardInput();
    if (passthroughStdout) config.WithInheritedStandardOutput(); else config.WithStandardOutput(outFile);
    foreach (var (h, g) in dirs) config.WithPreopenedDirectory(h, g, true);
    store.SetWasiConfiguration(config);
    int? code = null; string? trap = null;
    try
    {
        var instance = linker.Instantiate(store, module);
        instance.GetAction("_start")!();
        code = 0;
    }
    catch (WasmtimeException e) when (e.ExitCode is int c) { code = c; }
    catch (TrapException e) { trap = e.Type.ToString().ToLowerInvariant(); Console.Error.WriteLine(e.Message); }
    catch (WasmtimeException e) { trap = "error: " + e.Message; }
    byte[] stdout = File.ReadAllBytes(outFile);
    File.Delete(outFile);
    return (code, trap, stdout);
}

// Compiling a large module takes Cranelift most of a minute: with WTREF_CACHE=DIR set, compiled
// modules are kept there, keyed by the SHA-256 of the wasm file.
static Wasmtime.Module Load(Wasmtime.Engine engine, string wasm)
{
    string? cache = Environment.GetEnvironmentVariable("WTREF_CACHE");
    if (string.IsNullOrEmpty(cache)) return Wasmtime.Module.FromFile(engine, wasm);
    string key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(wasm)));
    string compiled = Path.Combine(cache, key + ".cwasm");
    if (File.Exists(compiled)) return Wasmtime.Module.DeserializeFile(engine, Path.GetFileName(wasm), compiled);
    var module = Wasmtime.Module.FromFile(engine, wasm);
    Directory.CreateDirectory(cache);
    File.WriteAllBytes(compiled, module.Serialize());
    return module;
}

static List<string> Lines(string path) => File.Exists(path) ? File.ReadAllText(path).Split('\n')[..^1].ToList() : new();

if (args[0] == "ruby")
{
    // ruby RUBY.wasm SCRIPT.rb [--dir HOST::GUEST] [--env K=V]: drives the reactor ruby.wasm of npm
    // @ruby/3.3-wasm-wasi like its JS glue (cabi_realloc, ruby-init, rb-eval-string-protect), with
    // the canonical-ABI resource imports as identity functions and every other non-WASI import trapping.
    using var engine = new Wasmtime.Engine();
    using var module = Load(engine, args[1]);
    string script = File.ReadAllText(args[2]);
    using var linker = new Linker(engine);
    linker.DefineWasi();
    foreach (var import in module.Imports)
    {
        if (import.ModuleName == "canonical_abi" && import.Name.StartsWith("resource_drop_")) linker.DefineFunction(import.ModuleName, import.Name, (int _) => { });
        else if (import.ModuleName == "canonical_abi") linker.DefineFunction(import.ModuleName, import.Name, (int x) => x);
    }
    linker.DefineUnknownImportsAsTraps(module);
    using var store = new Store(engine);
    var config = new WasiConfiguration().WithArgs("ruby.wasm").WithInheritedStandardOutput().WithInheritedStandardError();
    for (int k = 3; k < args.Length; k++)
    {
        if (args[k] == "--dir") { var d = args[++k].Split("::"); config.WithPreopenedDirectory(d[0], d[1], true); }
        else if (args[k] == "--env") { var e = args[++k]; int eq = e.IndexOf('='); config.WithEnvironmentVariable(e[..eq], e[(eq + 1)..]); }
    }
    store.SetWasiConfiguration(config);
    var instance = linker.Instantiate(store, module);
    var memory = instance.GetMemory("memory")!;
    var realloc = instance.GetFunction<int, int, int, int, int>("cabi_realloc")!;
    int Str(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        int ptr = realloc(0, 0, 1, bytes.Length);
        bytes.CopyTo(memory.GetSpan(ptr, bytes.Length));
        return ptr;
    }
    instance.GetAction("_initialize")!();
    string[] rubyArgs = ["ruby.wasm", "-EUTF-8", "-e_=0"];
    int list = realloc(0, 0, 4, rubyArgs.Length * 8);
    for (int k = 0; k < rubyArgs.Length; k++)
    {
        string a = rubyArgs[k] + "\0";
        memory.WriteInt32(list + 8 * k, Str(a));
        memory.WriteInt32(list + 8 * k + 4, Encoding.UTF8.GetByteCount(a));
    }
    instance.GetAction<int, int>("ruby-init: func(args: list<string>) -> ()")!(list, rubyArgs.Length);
    var eval = instance.GetFunction<int, int, int>("rb-eval-string-protect: func(str: string) -> tuple<handle<rb-abi-value>, s32>")!;
    string code = script + "\0";
    int ret = eval(Str(code), Encoding.UTF8.GetByteCount(code));
    int state = memory.ReadInt32(ret + 4);
    Console.Out.Flush();
    Console.Error.WriteLine($"eval state {state}");
    return state;
}
if (args[0] == "gofmt")
{
    // gofmt GOFMT.wasm FILE.go: the TinyGo-built formatter of npm @wasm-fmt/gofmt (a reactor without
    // imports), driven as its JS binding does; prints "<result code>\n" then the output text.
    using var engine = new Wasmtime.Engine();
    using var module = Load(engine, args[1]);
    using var linker = new Linker(engine);
    using var store = new Store(engine);
    var instance = linker.Instantiate(store, module);
    var memory = instance.GetMemory("memory")!;
    instance.GetAction("_initialize")!();
    byte[] source = File.ReadAllBytes(args[2]);
    int pointer = instance.GetFunction<int, int>("alloc")!(source.Length);
    source.CopyTo(memory.GetSpan(pointer, source.Length));
    int result = instance.GetFunction<int>("format")!();
    int outPointer = instance.GetFunction<int>("output_ptr")!();
    int outLength = instance.GetFunction<int>("output_len")!();
    Console.Out.Write($"{result}\n" + Encoding.UTF8.GetString(memory.GetSpan(outPointer, outLength)));
    instance.GetAction("dispose")!();
    return 0;
}
if (args[0] == "record")
{
    string dir = args[1];
    var names = args.Length > 2 ? args[2..] : Directory.GetFiles(dir, "*.args").Select(f => Path.GetFileNameWithoutExtension(f)).Order().ToArray();
    foreach (var n in names)
    {
        string p(string ext) => Path.Combine(dir, n + ext);
        string temp = Directory.CreateTempSubdirectory("wtref-").FullName;
        var hosts = new Dictionary<string, string>();
        foreach (var g in Lines(p(".preopen")))
            hosts[g] = Directory.CreateDirectory(Path.Combine(temp, g.Trim('/').Replace('/', '_'))).FullName;
        foreach (var l in Lines(p(".symlinks")))
        {
            var parts = l.Split(" -> ", 2);
            var gd = hosts.Keys.Single(g => parts[0].StartsWith(g + "/"));
            File.CreateSymbolicLink(Path.Combine(hosts[gd], parts[0][(gd.Length + 1)..]), parts[1]);
        }
        var env = Lines(p(".env")).Select(l => { var i = l.IndexOf('='); return (l[..i], l[(i + 1)..]); });
        var (code, trap, stdout) = Run(p(".wasm"), Lines(p(".args")), env, File.Exists(p(".stdin")) ? p(".stdin") : null,
            hosts.Select(kv => (kv.Value, kv.Key)), false);
        File.WriteAllBytes(p(".expected"), stdout);
        if (trap != null) { File.WriteAllText(p(".trap"), trap.Split('\n')[0] + "\n"); File.Delete(p(".exitcode")); }
        else { File.WriteAllText(p(".exitcode"), code + "\n"); File.Delete(p(".trap")); }
        Console.WriteLine($"{n}: {(trap ?? "exit " + code)} ({stdout.Length} bytes)");
        Directory.Delete(temp, true);
    }
    return 0;
}
else
{
    int i = 1; var dirs = new List<(string, string)>(); var env = new List<(string, string)>(); string? stdin = null; bool trapUnknown = false;
    for (; i < args.Length && args[i].StartsWith("--"); i++)
    {
        if (args[i] == "--dir") { var s = args[++i].Split("::"); dirs.Add((s[0], s.Length > 1 ? s[1] : s[0])); }
        else if (args[i] == "--env") { var s = args[++i]; var k = s.IndexOf('='); env.Add((s[..k], s[(k + 1)..])); }
        else if (args[i] == "--stdin") stdin = args[++i];
        else if (args[i] == "--trap-unknown-imports") trapUnknown = true;
    }
    string file = args[i];
    var (code, trap, _) = Run(file, new[] { Path.GetFileName(file) }.Concat(args[(i + 1)..]), env, stdin, dirs, true, trapUnknown);
    if (trap != null) { Console.Error.WriteLine("trap: " + trap); return 134; }
    return code ?? 0;
}
