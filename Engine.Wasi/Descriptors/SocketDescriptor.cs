using System.Net.Sockets;

namespace Engine.Wasi;

/// <summary>A socket the embedder handed to the guest, or one accepted from it.</summary>
internal sealed class SocketDescriptor : Descriptor
{
    public SocketDescriptor(Socket socket)
        : base(Rights.Socket, Rights.Socket)
    {
        Socket = socket;
    }

    public Socket Socket { get; }

    public override Filetype Filetype =>
        Socket.SocketType == SocketType.Dgram ? Filetype.SocketDgram : Filetype.SocketStream;

    public override FdFlags Flags => Socket.Blocking ? FdFlags.None : FdFlags.Nonblock;

    public override void Dispose() => Socket.Dispose();
}
