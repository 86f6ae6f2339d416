using System.Net.Sockets;

namespace Engine.Wasi;

// sock_*: sockets handed in by the embedder (WasiConfig.WithSocket) and those accepted from them.
// On any other descriptor these fail with NotSocket, as in wasmtime.
public sealed partial class WasiContext
{
    /// <summary><c>sock_accept</c>: accepts a connection on a listening socket; the new socket is
    /// non-blocking if <see cref="FdFlags.Nonblock"/> is given. Nothing pending on a non-blocking
    /// listener is <see cref="Errno.Again"/>.</summary>
    public Errno SockAccept(Span<byte> memory, uint fd, FdFlags flags, uint acceptedFdPointer)
    {
        try
        {
            var guest = new GuestMemory(memory);
            SocketDescriptor listener = GetSocket(fd, Rights.SockAccept);
            RequireKnownBits((ulong)flags, (ulong)FdFlags.Nonblock);
            guest.EnsureValid(acceptedFdPointer, 4);
            _fds.RequireRoom();
            WaitUnlessNonBlocking(listener.Socket, "sock_accept");
            Socket accepted = listener.Socket.Accept();
            accepted.Blocking = (flags & FdFlags.Nonblock) == 0;
            guest.WriteUInt32(acceptedFdPointer, _fds.Add(new SocketDescriptor(accepted)));
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>sock_recv</c>: receives into the buffers. Without <see cref="RiFlags.WaitAll"/> only
    /// the first non-empty buffer is filled with what has arrived; with it, every buffer is filled
    /// unless the peer closes. Writes the byte count and <c>$roflags</c> (always 0).</summary>
    public Errno SockRecv(Span<byte> memory, uint fd, uint iovsPointer, uint iovsLength, RiFlags flags,
        uint receivedPointer, uint roFlagsPointer)
    {
        try
        {
            var guest = new GuestMemory(memory);
            SocketDescriptor socket = GetSocket(fd, Rights.FdRead);
            RequireKnownBits((ulong)flags, (ulong)(RiFlags.Peek | RiFlags.WaitAll));
            IoVector[] buffers = guest.ReadIoVectors(iovsPointer, iovsLength);
            guest.EnsureValid(receivedPointer, 4);
            guest.EnsureValid(roFlagsPointer, 2);
            // Peeking cannot wait for all: the same bytes would be read again and again.
            uint received = flags switch
            {
                RiFlags.WaitAll => ReceiveAll(guest, socket, buffers),
                _ when (flags & RiFlags.Peek) != 0 => (uint)Receive(socket, FirstNonEmpty(guest, buffers), SocketFlags.Peek, "sock_recv"),
                _ => (uint)Receive(socket, FirstNonEmpty(guest, buffers), SocketFlags.None, "sock_recv"),
            };
            guest.WriteUInt32(receivedPointer, received);
            guest.WriteUInt16(roFlagsPointer, (ushort)RoFlags.None);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>sock_send</c>: sends every buffer; <paramref name="flags"/> must be 0.</summary>
    public Errno SockSend(Span<byte> memory, uint fd, uint iovsPointer, uint iovsLength, ushort flags, uint sentPointer)
    {
        try
        {
            var guest = new GuestMemory(memory);
            SocketDescriptor socket = GetSocket(fd, Rights.FdWrite);
            RequireKnownBits(flags, 0);
            IoVector[] buffers = guest.ReadIoVectors(iovsPointer, iovsLength);
            guest.EnsureValid(sentPointer, 4);
            guest.WriteUInt32(sentPointer, SendAll(guest, socket, buffers));
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>sock_shutdown</c>: shuts down receiving, sending or both.</summary>
    public Errno SockShutdown(uint fd, SdFlags how)
    {
        try
        {
            SocketDescriptor socket = GetSocket(fd, Rights.SockShutdown);
            SocketShutdown direction = how switch
            {
                SdFlags.Read => SocketShutdown.Receive,
                SdFlags.Write => SocketShutdown.Send,
                SdFlags.Read | SdFlags.Write => SocketShutdown.Both,
                _ => throw new ErrnoException(Errno.Invalid),
            };
            socket.Socket.Shutdown(direction);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    private SocketDescriptor GetSocket(uint fd, Rights required)
    {
        SocketDescriptor socket = _fds.Get<SocketDescriptor>(fd, wrongKind: Errno.NotSocket);
        socket.RequireRights(required);
        return socket;
    }

    /// <summary>Receive(2), waiting interruptibly for data first when the socket blocks.</summary>
    private int Receive(SocketDescriptor socket, Span<byte> buffer, SocketFlags flags, string function)
    {
        WaitUnlessNonBlocking(socket.Socket, function);
        return socket.Socket.Receive(buffer, flags);
    }

    /// <summary>A blocking socket's call would wait: wait for it here instead, where an interruption can end the wait.</summary>
    private void WaitUnlessNonBlocking(Socket socket, string function)
    {
        if (socket.Blocking)
        {
            InterruptibleWait.UntilReadable(socket.SafeHandle, Interruption, function);
        }
    }

    private uint ReceiveAll(GuestMemory guest, SocketDescriptor socket, IoVector[] buffers)
    {
        uint total = 0;
        foreach (IoVector buffer in buffers)
        {
            Span<byte> remaining = guest.Slice(buffer.Pointer, buffer.Length);
            while (remaining.Length > 0)
            {
                int received = Receive(socket, remaining, SocketFlags.None, "sock_recv");
                if (received == 0)
                {
                    return total;
                }
                total += (uint)received;
                remaining = remaining[received..];
            }
        }
        return total;
    }

    /// <summary>Sends every buffer. A non-blocking socket that fills up after some bytes went out
    /// reports those bytes (a short write) rather than <see cref="Errno.Again"/>.</summary>
    private static uint SendAll(GuestMemory guest, SocketDescriptor socket, IoVector[] buffers)
    {
        uint total = 0;
        try
        {
            foreach (IoVector buffer in buffers)
            {
                ReadOnlySpan<byte> remaining = guest.Slice(buffer.Pointer, buffer.Length);
                while (remaining.Length > 0)
                {
                    int sent = socket.Socket.Send(remaining);
                    total += (uint)sent;
                    remaining = remaining[sent..];
                }
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock && total > 0)
        {
        }
        return total;
    }
}
