using System.IO.Pipes;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Engine.Wasi;

/// <summary>
/// A stdio descriptor (0, 1 or 2) backed by a .NET <see cref="Stream"/>: the console when
/// inherited, or a stream the embedder supplied. Streams cannot seek, so seeking gives
/// <see cref="Errno.InvalidSeek"/>.
/// </summary>
internal sealed class StreamDescriptor : Descriptor
{
    // No seek/tell rights: wasi-libc's isatty() requires their absence.
    private const Rights InputRights = Rights.FdRead | Rights.FdFilestatGet | Rights.PollFdReadwrite;
    private const Rights OutputRights = Rights.FdWrite | Rights.FdFilestatGet | Rights.PollFdReadwrite;

    private readonly bool _ownsStream;
    private readonly bool _isTerminal;

    private StreamDescriptor(Stream? input, Stream? output, bool isTerminal, bool ownsStream, SafeHandle? inputHandle = null)
        : base(input is not null ? InputRights : OutputRights, Rights.None)
    {
        Input = input;
        Output = output;
        _isTerminal = isTerminal;
        _ownsStream = ownsStream;
        InputHandle = inputHandle;
    }

    public Stream? Input { get; }

    /// <summary>The descriptor under <see cref="Input"/> when it reads straight from one (the process's
    /// own stdin, a pipe stream), so a read can wait for input interruptibly with poll; else null.</summary>
    public SafeHandle? InputHandle { get; }

    public Stream? Output { get; }

    /// <summary>A terminal is a character device; anything else (pipe, file, memory) is reported
    /// as unknown, as wasmtime does.</summary>
    public override Filetype Filetype => _isTerminal ? Filetype.CharacterDevice : Filetype.Unknown;

    public static StreamDescriptor ForInput(Stream stream, bool isTerminal, bool ownsStream) =>
        new(stream, null, isTerminal, ownsStream, stream is PipeStream pipe ? pipe.SafePipeHandle : null);

    /// <summary>The process's own stdin: <paramref name="console"/> reads descriptor 0 unbuffered, so
    /// waiting for descriptor 0 to be readable is waiting for the console stream to have input.</summary>
    public static StreamDescriptor ForInheritedInput(Stream console, bool isTerminal) =>
        new(console, null, isTerminal, ownsStream: true, NativeMethods.IsSupported ? new SafeFileHandle(0, ownsHandle: false) : null);

    public static StreamDescriptor ForOutput(Stream stream, bool isTerminal, bool ownsStream) =>
        new(null, stream, isTerminal, ownsStream);

    public override void Dispose()
    {
        if (_ownsStream)
        {
            Input?.Dispose();
            Output?.Dispose();
        }
    }
}
