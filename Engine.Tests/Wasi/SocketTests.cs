using System.Net;
using System.Net.Sockets;
using System.Text;
using Engine.Wasi;
using NUnit.Framework;

namespace Engine.Tests.Wasi;

[TestFixture]
public sealed class SocketTests
{
    private readonly TestMemory _memory = new(4096);

    [Test]
    public void AcceptRecvSendShutdownOnAHandedInListener()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var wasi = new WasiContext(new WasiConfig().WithSocket(listener));
        const uint ListenerFd = 3;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);

        uint acceptedPointer = _memory.Allocate(4);
        Assert.That(wasi.SockAccept(_memory.Span, ListenerFd, FdFlags.None, acceptedPointer), Is.EqualTo(Errno.Success));
        uint connection = _memory.U32(acceptedPointer);
        Assert.That(connection, Is.EqualTo(4));

        client.Send("ping"u8);
        uint buffer = _memory.Allocate(16);
        uint received = _memory.Allocate(4);
        uint roFlags = _memory.Allocate(2);
        Assert.That(wasi.SockRecv(_memory.Span, connection, _memory.PutIoVectors((buffer, 4)), 1, RiFlags.WaitAll, received, roFlags),
            Is.EqualTo(Errno.Success));
        Assert.That(_memory.Utf8(buffer, (int)_memory.U32(received)), Is.EqualTo("ping"));

        var (reply, length) = _memory.PutString("pong");
        uint sent = _memory.Allocate(4);
        Assert.That(wasi.SockSend(_memory.Span, connection, _memory.PutIoVectors((reply, length)), 1, 0, sent), Is.EqualTo(Errno.Success));
        Assert.That(_memory.U32(sent), Is.EqualTo(4));
        var answer = new byte[4];
        Assert.That(client.Receive(answer), Is.EqualTo(4));
        Assert.That(Encoding.UTF8.GetString(answer), Is.EqualTo("pong"));

        Assert.That(wasi.SockShutdown(connection, SdFlags.Write), Is.EqualTo(Errno.Success));
        Assert.That(client.Receive(answer), Is.Zero, "the guest closed its sending side");
        Assert.That(wasi.SockShutdown(connection, SdFlags.None), Is.EqualTo(Errno.Invalid));
        Assert.That(Fdstatype(wasi, connection), Is.EqualTo(Filetype.SocketStream));
    }

    [Test]
    public void NonBlockingAcceptWithNothingPendingIsAgain()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var wasi = new WasiContext(new WasiConfig().WithSocket(listener));
        Assert.That(wasi.FdFdstatSetFlags(3, FdFlags.Nonblock), Is.EqualTo(Errno.Success));
        Assert.That(wasi.SockAccept(_memory.Span, 3, FdFlags.None, _memory.Allocate(4)), Is.EqualTo(Errno.Again));
    }

    [Test]
    public void SocketFunctionsOnOtherDescriptorsAreNotSocket()
    {
        using var wasi = new WasiContext(new WasiConfig());
        uint buffer = _memory.Allocate(8);
        uint iovs = _memory.PutIoVectors((buffer, 8));
        Assert.That(wasi.SockAccept(_memory.Span, 1, FdFlags.None, buffer), Is.EqualTo(Errno.NotSocket));
        Assert.That(wasi.SockRecv(_memory.Span, 0, iovs, 1, RiFlags.None, buffer, buffer + 4), Is.EqualTo(Errno.NotSocket));
        Assert.That(wasi.SockSend(_memory.Span, 1, iovs, 1, 0, buffer), Is.EqualTo(Errno.NotSocket));
        Assert.That(wasi.SockShutdown(2, SdFlags.Read), Is.EqualTo(Errno.NotSocket));
        Assert.That(wasi.SockShutdown(9, SdFlags.Read), Is.EqualTo(Errno.BadDescriptor));
    }

    private Filetype Fdstatype(WasiContext wasi, uint fd)
    {
        uint fdstat = _memory.Allocate(24);
        Assert.That(wasi.FdFdstatGet(_memory.Span, fd, fdstat), Is.EqualTo(Errno.Success));
        return (Filetype)_memory.U8(fdstat);
    }
}
