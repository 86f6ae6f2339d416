using System.Diagnostics;
using System.IO.Pipes;
using System.Net;
using System.Net.Sockets;
using Engine.Core;
using Engine.Runtime;
using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Wasi;

/// <summary>
/// Epoch interruption (the command line's <c>--timeout</c>) stops a guest blocked in a WASI call
/// as it stops running code: the call waits on the store's <see cref="Store.InterruptionToken"/>
/// too, and the guest traps with <see cref="TrapCode.Interrupted"/> within moments of the deadline,
/// whether it sleeps in <c>poll_oneoff</c> or waits for input that never comes.
/// </summary>
[TestFixture]
public sealed class InterruptionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(500);

    /// <summary>How late after the deadline the trap may come (the bar is ~1 s; it takes milliseconds).</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);

    /// <summary>A guest that sleeps 60 s in poll_oneoff (one relative monotonic clock subscription).</summary>
    private const string Sleeper = """
        (module
          (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          ;; subscription at 0: userdata 7, tag 0 (clock), clock id 1 (monotonic) at 16, timeout at 24, flags 0 at 40
          (data (i32.const 0) "\07\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\01\00\00\00\00\00\00\00\00\58\47\f8\0d\00\00\00")
          (func (export "_start") (result i32)
            (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128))))
        """;

    /// <summary>A guest that reads descriptor FD once (fd_read into a 16-byte buffer); the fd is patched in.</summary>
    private const string Reader = """
        (module
          (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "\10\00\00\00\10\00\00\00")
          (func (export "_start") (result i32)
            (call $read (i32.const FD) (i32.const 0) (i32.const 1) (i32.const 64))))
        """;

    [TestCase("interpreter")]
    [TestCase("baseline")]
    public void ASleepInPollOneoffEndsAtTheDeadline(string tier) =>
        AssertInterrupted(tier, Sleeper, new WasiConfig(), "poll_oneoff");

    [Test]
    public void AReadFromAnEmptyPipeEndsAtTheDeadline()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var reader = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        AssertInterrupted("baseline", Reader.Replace("FD", "0"), new WasiConfig().WithStdin(reader), "fd_read");
    }

    [Test]
    public void AReadFromAStreamWithoutADescriptorEndsAtTheDeadline()
    {
        using var never = new NeverStream();
        AssertInterrupted("baseline", Reader.Replace("FD", "0"), new WasiConfig().WithStdin(never), "fd_read");
    }

    [Test]
    public void AReceiveOnASilentSocketEndsAtTheDeadline()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using Socket server = listener.Accept();
        // Stdio 0-2, then the socket at 3.
        AssertInterrupted("baseline", Reader.Replace("FD", "3"), new WasiConfig().WithSocket(server), "fd_read");
    }

    [Test]
    public void WithoutADeadlineTheWaitIsUntouched()
    {
        var engine = new WasmEngine(new EngineConfig { EpochInterruption = true });
        using var store = new Store(engine);
        Assert.That(store.InterruptionToken.CanBeCanceled, Is.False, "no deadline set: nothing to wait for");
        store.SetEpochDeadline(2);
        CancellationToken token = store.InterruptionToken;
        engine.IncrementEpoch();
        Assert.That(token.IsCancellationRequested, Is.False);
        engine.IncrementEpoch();
        Assert.That(token.IsCancellationRequested, Is.True, "cancelled when the deadline is reached");
        store.SetEpochDeadline(1);
        Assert.That(store.InterruptionToken.IsCancellationRequested, Is.False, "a new deadline, a new token");
        engine.IncrementEpoch();
        Assert.That(store.InterruptionToken.IsCancellationRequested, Is.True);
    }

    /// <summary>
    /// Through the command line, in a child process: <c>run --timeout 1s</c> of a guest blocked
    /// reading stdin from a pipe nobody writes, and of one sleeping 60 s. Before, both ran on.
    /// </summary>
    [TestCase("reader")]
    [TestCase("sleeper")]
    public void TheCommandLineTimeoutStopsAGuestBlockedInWasi(string guest)
    {
        string file = Path.Combine(Path.GetTempPath(), $"engine-wasi-{guest}-{Guid.NewGuid():N}.wat");
        File.WriteAllText(file, guest == "reader" ? Reader.Replace("FD", "0") : Sleeper);
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (string argument in new[] { Path.Combine(AppContext.BaseDirectory, "wasm-engine.dll"), "run", "--timeout", "1s", file })
            {
                start.ArgumentList.Add(argument);
            }
            using Process process = Process.Start(start)!;
            Task<string> error = process.StandardError.ReadToEndAsync();
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            var stopwatch = Stopwatch.StartNew();
            // stdin stays open and empty until the process ends.
            Assert.That(process.WaitForExit(TimeSpan.FromSeconds(30)), Is.True, "the timeout ended the run");
            TestContext.Out.WriteLine($"{guest}: ended after {stopwatch.Elapsed.TotalMilliseconds:F0} ms (process start included)");
            process.StandardInput.Close();
            Assert.That(process.ExitCode, Is.EqualTo(134), () => error.Result);
            Assert.That(error.Result, Does.StartWith("error: wasm trap: wasm execution interrupted"));
            Assert.That(output.Result, Is.Empty);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Runs each guest once where it does not block, so that the timed runs do not spend
    /// their half second compiling (the .NET JIT) before they reach the call that blocks.</summary>
    [OneTimeSetUp]
    public void WarmUp()
    {
        foreach (string tier in new[] { "interpreter", "baseline" })
        {
            var engine = new WasmEngine(Baseline.TierModes.Config(tier, epoch: true));
            foreach (string wat in new[] { Sleeper.Replace("\\00\\58\\47\\f8\\0d", "\\01\\00\\00\\00\\00"), Reader.Replace("FD", "0") })
            {
                using var wasi = new WasiContext(new WasiConfig().WithStdin(new MemoryStream([1])));
                using var store = new Store(engine);
                store.SetEpochDeadline(1000);
                new Linker(engine).DefineWasi(wasi).Instantiate(store, Module.FromText(engine, wat)).GetFunction("_start")!.Invoke();
            }
        }
    }

    private static void AssertInterrupted(string tier, string wat, WasiConfig config, string function)
    {
        var engine = new WasmEngine(Baseline.TierModes.Config(tier, epoch: true));
        Module module = Module.FromText(engine, wat);
        using var wasi = new WasiContext(config);
        using var store = new Store(engine);
        Instance instance = new Linker(engine).DefineWasi(wasi).Instantiate(store, module);
        store.SetEpochDeadline(1);
        var stopwatch = Stopwatch.StartNew();
        TimeSpan interruptedAt = TimeSpan.Zero;
        // A thread of its own, not a timer: the thread pool may be busy (tests run side by side).
        var interrupter = new Thread(() =>
        {
            Thread.Sleep(Deadline);
            interruptedAt = stopwatch.Elapsed;
            engine.IncrementEpoch();
        });
        interrupter.Start();

        var trap = Assert.Throws<TrapException>(() => instance.GetFunction("_start")!.Invoke());
        TimeSpan trappedAt = stopwatch.Elapsed;
        interrupter.Join();
        TimeSpan late = trappedAt - interruptedAt;
        TestContext.Out.WriteLine($"{function}: trapped {late.TotalMilliseconds:F1} ms after the epoch reached the deadline");
        Assert.That(trap!.Code, Is.EqualTo(TrapCode.Interrupted));
        Assert.That(trap.Message, Does.Contain(function));
        Assert.That(trap.WasmBacktrace, Is.Not.Empty, "the trap carries the wasm frames it left");
        Assert.That(late, Is.LessThan(Slack));
    }

    /// <summary>A stream whose reads never complete, and which has no descriptor to poll.</summary>
    private sealed class NeverStream : Stream
    {
        private readonly ManualResetEventSlim _never = new();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            _never.Wait();
            return 0;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            _never.Set();
            base.Dispose(disposing);
        }
    }
}
