using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Engine.Runtime;
using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Wasi;

/// <summary>
/// The race of issue 19. Guests share one preopened directory: one keeps swapping a real
/// subdirectory <c>d</c> with a symlink it made itself (<c>evil_d -> ../outside</c>); the others
/// keep using <c>d/a/b/...</c> (reading, creating, truncating, unlinking, renaming, hard-linking).
/// A sandbox that checks a path and then hands the kernel a path string loses this race within a
/// fraction of a second in every mode (the resolver before this test did, every run); one that
/// resolves every component against an open directory handle never does. The guests run
/// in-process, each in its own store on its own thread; the program is <c>Guests/race.c</c>.
/// </summary>
[TestFixture]
public sealed class SandboxRaceTests
{
    /// <summary>Victims per race, next to the one swapper: more guests than the 2 cores CI has, so
    /// victims get preempted inside whatever window a sandbox leaves.</summary>
    private const int Victims = 3;

    private const string OutsideSecret = "OUTSIDE-SECRET\n";

    /// <summary>How long each mode races (<c>WASI_RACE_MILLISECONDS</c> for a longer stress run).</summary>
    private static readonly int RaceMilliseconds =
        int.TryParse(Environment.GetEnvironmentVariable("WASI_RACE_MILLISECONDS"), out int milliseconds) ? milliseconds : 600;

    private string _root = "";

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("engine-wasi-race-").FullName;

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, recursive: true);

    [TestCase("read")]
    [TestCase("create")]
    [TestCase("truncate")]
    [TestCase("unlink")]
    [TestCase("rename")]
    [TestCase("link")]
    public void TheSandboxHoldsWhileAnotherGuestSwapsADirectoryForAnEscapingLink(string mode)
    {
        string sandbox = Path.Combine(_root, "sandbox"), outside = Path.Combine(_root, "outside");
        CreateTree(sandbox, outside, mode);
        string outsideBefore = Snapshot(outside);
        var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline });
        Module module = Module.FromFile(engine, Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Wasi", "Guests", "race.wasm"));

        Task<string> swapper = Start(engine, module, sandbox, "swap", 0);
        Task<string>[] victims = Enumerable.Range(1, Victims).Select(id => Start(engine, module, sandbox, mode, id)).ToArray();
        string[] victimLines = victims.Select(v => v.Result.TrimEnd('\n')).ToArray();
        string swapperLine = swapper.Result.TrimEnd('\n');
        TestContext.Out.WriteLine($"{swapperLine}; {string.Join("; ", victimLines)}");

        // The race really ran: d was swapped back and forth, and the victims got through d.
        Assert.That(swapperLine, Does.Match(@"^swap: cycles [1-9]\d*, failed renames 0$"));
        Assert.That(victimLines, Has.All.Match($@"^{mode}: attempts \d+, succeeded [1-9]\d*, outside \d+$"));
        // And it never reached outside.
        Assert.That(victimLines, Has.All.EndWith(", outside 0"), "nothing outside was read");
        Assert.That(Snapshot(outside), Is.EqualTo(outsideBefore), "nothing outside changed");
    }

    /// <summary>
    /// The same race against a host process (here a thread of the host) that swaps at native speed,
    /// faster than any guest can: with descriptors, even that cannot redirect a guest's call.
    /// </summary>
    [TestCase("read")]
    [TestCase("create")]
    public void TheSandboxHoldsWhileTheHostSwapsADirectoryForAnEscapingLink(string mode)
    {
        string sandbox = Path.Combine(_root, "sandbox"), outside = Path.Combine(_root, "outside");
        CreateTree(sandbox, outside, mode);
        string outsideBefore = Snapshot(outside);
        var engine = new WasmEngine(new EngineConfig { Tier = TierMode.Baseline });
        Module module = Module.FromFile(engine, Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Wasi", "Guests", "race.wasm"));
        string d = Path.Combine(sandbox, "d"), real = Path.Combine(sandbox, "d_real"), evil = Path.Combine(sandbox, "evil_d");
        File.CreateSymbolicLink(evil, "../outside");
        using var stop = new CancellationTokenSource();
        long cycles = 0, failed = 0;
        var swapper = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                failed += (Rename(d, real) | Rename(evil, d) | Rename(d, evil) | Rename(real, d)) != 0 ? 1 : 0;
                cycles++;
            }
        });
        swapper.Start();
        string[] victimLines;
        try
        {
            Task<string>[] victims = Enumerable.Range(1, Victims).Select(id => Start(engine, module, sandbox, mode, id)).ToArray();
            victimLines = victims.Select(v => v.Result.TrimEnd('\n')).ToArray();
        }
        finally
        {
            stop.Cancel();
            swapper.Join();
        }
        TestContext.Out.WriteLine($"host swap: cycles {cycles}, failed {failed}; {string.Join("; ", victimLines)}");

        Assert.That(cycles, Is.GreaterThan(0), "the host swapped");
        Assert.That(failed, Is.Zero, "every swap went through");
        Assert.That(victimLines, Has.All.Match($@"^{mode}: attempts \d+, succeeded [1-9]\d*, outside \d+$"));
        Assert.That(victimLines, Has.All.EndWith(", outside 0"), "nothing outside was read");
        Assert.That(Snapshot(outside), Is.EqualTo(outsideBefore), "nothing outside changed");
    }

    /// <summary><c>sandbox/d/a/b/secret.txt</c>, and <c>outside/a/b/{secret.txt,x}</c> that the guests
    /// must neither read nor change; for rename, each victim's file on both sides.</summary>
    private static void CreateTree(string sandbox, string outside, string mode)
    {
        string inside = Directory.CreateDirectory(Path.Combine(sandbox, "d", "a", "b")).FullName;
        string outsideB = Directory.CreateDirectory(Path.Combine(outside, "a", "b")).FullName;
        File.WriteAllText(Path.Combine(inside, "secret.txt"), "inside\n");
        File.WriteAllText(Path.Combine(outsideB, "secret.txt"), OutsideSecret);
        File.WriteAllText(Path.Combine(outsideB, "x"), "outside x\n");
        for (int id = 1; id <= Victims && mode == "rename"; id++)
        {
            File.WriteAllText(Path.Combine(inside, $"rename-{id}"), "inside\n");
            File.WriteAllText(Path.Combine(outsideB, $"rename-{id}"), "outside\n");
        }
    }

    /// <summary>rename(2), which .NET's moves are not (they look at what a link points to).</summary>
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string from,
        [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string to);

    private static Task<string> Start(WasmEngine engine, Module module, string sandbox, string role, int id) =>
        Task.Factory.StartNew(() => Run(engine, module, sandbox, role, id), TaskCreationOptions.LongRunning);

    private static string Run(WasmEngine engine, Module module, string sandbox, string role, int id)
    {
        var stdout = new MemoryStream();
        using var wasi = new WasiContext(new WasiConfig()
            .WithArgs("race", role, RaceMilliseconds.ToString(CultureInfo.InvariantCulture), id.ToString(CultureInfo.InvariantCulture))
            .WithPreopenedDirectory(sandbox, "/sandbox")
            .WithStdout(stdout));
        using var store = new Store(engine);
        Instance instance = new Linker(engine).DefineWasi(wasi).Instantiate(store, module);
        try
        {
            instance.GetFunction("_start")!.Invoke();
        }
        catch (WasiExitException e) when (e.ExitCode == 0)
        {
        }
        return Encoding.UTF8.GetString(stdout.ToArray());
    }

    /// <summary>Every entry of a directory tree with its type, content hash and modification time, and
    /// the tree's own modification time (which any entry created or removed changes).</summary>
    private static string Snapshot(string directory)
    {
        var lines = new StringBuilder();
        lines.AppendLine($". {Directory.GetLastWriteTimeUtc(directory):O}");
        foreach (string entry in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(entry);
            string content = info.Attributes.HasFlag(FileAttributes.Directory) || info.LinkTarget is not null
                ? info.LinkTarget ?? "directory"
                : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(entry)));
            lines.AppendLine($"{Path.GetRelativePath(directory, entry)} {info.Attributes} {content} {info.LastWriteTimeUtc:O}");
        }
        return lines.ToString();
    }
}
