// wasmtime-runner [--cache FILE.cwasm] [--invoke NAME] [--dir HOST::GUEST]... FILE.wasm ARGS...: runs a WASI command
// in wasmtime (Cranelift) through its C API, inheriting stdio, or with --invoke calls NAME(i32) -> i32 with the first
// ARG and prints the result; with --cache, the compiled module is kept in FILE.cwasm (serialized at the first run,
// deserialized afterwards: wasmtime's cached start). A measuring tool: no error handling beyond wasmtime's own.
using Wasmtime;

string? cache = null;
string? invoke = null;
var dirs = new List<(string Host, string Guest)>();
int i = 0;
for (; i < args.Length && args[i].StartsWith("--"); i++)
{
    if (args[i] == "--cache") cache = args[++i];
    else if (args[i] == "--invoke") invoke = args[++i];
    else if (args[i] == "--dir")
    {
        string d = args[++i];
        int sep = d.IndexOf("::");
        dirs.Add(sep < 0 ? (d, d) : (d[..sep], d[(sep + 2)..]));
    }
}
string file = args[i];
string[] programArgs = args[(i + 1)..];
using var engine = new Engine(new Config().WithOptimizationLevel(OptimizationLevel.Speed));
Module module;
if (cache is not null && File.Exists(cache))
{
    module = Module.DeserializeFile(engine, Path.GetFileName(file), cache);
}
else
{
    module = Module.FromFile(engine, file);
    if (cache is not null)
    {
        File.WriteAllBytes(cache, module.Serialize());
    }
}
var wasi = new WasiConfiguration().WithArgs([Path.GetFileName(file), .. programArgs]).WithInheritedStandardInput()
    .WithInheritedStandardOutput().WithInheritedStandardError();
foreach (var (host, guest) in dirs)
{
    wasi = wasi.WithPreopenedDirectory(host, guest, true);
}
using var linker = new Linker(engine);
linker.DefineWasi();
using var store = new Store(engine);
store.SetWasiConfiguration(wasi);
Instance instance = linker.Instantiate(store, module);
if (invoke is not null)
{
    Console.WriteLine(instance.GetFunction<int, int>(invoke)!(int.Parse(programArgs[0])));
    return 0;
}
try
{
    instance.GetAction("_start")!();
}
catch (WasmtimeException e) when (e.InnerException is null && e.Message.Contains("exit status"))
{
    // proc_exit
}
return 0;
