using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Engine.Wasi;

// The fd_* functions: operations on an open descriptor.
public sealed partial class WasiContext
{
    private const uint FdstatSize = 24;
    private const uint PrestatSize = 8;

    /// <summary><c>fd_advise</c>: validated and accepted; the advice is not passed to the host.</summary>
    public Errno FdAdvise(uint fd, ulong offset, ulong length, Advice advice)
    {
        try
        {
            FileDescriptor file = _fds.Get<FileDescriptor>(fd);
            if (advice > Advice.NoReuse)
            {
                ErrnoException.Throw(Errno.Invalid);
            }
            file.RequireRights(Rights.FdAdvise);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>fd_allocate</c>: grows the file to at least offset + length bytes (zero-filled).
    /// (wasmtime answers <see cref="Errno.NotSupported"/>; this implements the witx meaning.)</summary>
    public Errno FdAllocate(uint fd, ulong offset, ulong length)
    {
        try
        {
            FileDescriptor file = _fds.Get<FileDescriptor>(fd);
            file.RequireRights(Rights.FdAllocate);
            ulong end = offset + length;
            if (end < offset || end > long.MaxValue)
            {
                ErrnoException.Throw(Errno.FileTooBig);
            }
            if ((long)end > RandomAccess.GetLength(file.Handle))
            {
                RandomAccess.SetLength(file.Handle, (long)end);
            }
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>fd_close</c>. Stdio and preopened directories can be closed too.</summary>
    public Errno FdClose(uint fd)
    {
        try
        {
            _fds.Close(fd);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>fd_datasync</c>: fdatasync(2). Only files (<see cref="Errno.BadDescriptor"/> otherwise, as wasmtime).</summary>
    public Errno FdDatasync(uint fd) => Sync(fd, Rights.FdDatasync, dataOnly: true);

    /// <summary><c>fd_sync</c>: fsync(2). Only files (<see cref="Errno.BadDescriptor"/> otherwise, as wasmtime).</summary>
    public Errno FdSync(uint fd) => Sync(fd, Rights.FdSync, dataOnly: false);

    /// <summary><c>fd_fdstat_get</c>: type, flags and rights of a descriptor (24-byte <c>$fdstat</c>).</summary>
    public Errno FdFdstatGet(Span<byte> memory, uint fd, uint fdstatPointer)
    {
        try
        {
            Descriptor descriptor = _fds.Get(fd);
            Span<byte> fdstat = new GuestMemory(memory).Slice(fdstatPointer, FdstatSize);
            fdstat.Clear();
            fdstat[0] = (byte)descriptor.Filetype;
            BinaryPrimitives.WriteUInt16LittleEndian(fdstat[2..], (ushort)descriptor.Flags);
            BinaryPrimitives.WriteUInt64LittleEndian(fdstat[8..], (ulong)descriptor.BaseRights);
            BinaryPrimitives.WriteUInt64LittleEndian(fdstat[16..], (ulong)descriptor.InheritingRights);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>fd_fdstat_set_flags</c>: changes append and non-blocking mode of a file or socket;
    /// the sync flags cannot change (<see cref="Errno.Invalid"/>, as wasmtime).</summary>
    public Errno FdFdstatSetFlags(uint fd, FdFlags flags)
    {
        try
        {
            RequireKnownBits((ulong)flags, (ulong)(FdFlags.Append | FdFlags.Dsync | FdFlags.Nonblock | FdFlags.Rsync | FdFlags.Sync));
            switch (_fds.Get(fd))
            {
                case FileDescriptor file:
                    file.RequireRights(Rights.FdFdstatSetFlags);
                    file.SetFlags(flags);
                    break;
                case SocketDescriptor socket:
                    socket.RequireRights(Rights.FdFdstatSetFlags);
                    if ((flags & ~FdFlags.Nonblock) != 0)
                    {
                        ErrnoException.Throw(Errno.Invalid);
                    }
                    socket.Socket.Blocking = (flags & FdFlags.Nonblock) == 0;
                    break;
                default:
                    ErrnoException.Throw(Errno.BadDescriptor);
                    break;
            }
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>fd_fdstat_set_rights</c>: drops rights; asking for a right not held is
    /// <see cref="Errno.NotCapable"/>. (wasmtime answers <see cref="Errno.NotSupported"/>.)</summary>
    public Errno FdFdstatSetRights(uint fd, Rights baseRights, Rights inheritingRights)
    {
        try
        {
            _fds.Get(fd).RestrictRights(baseRights, inheritingRights);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>fd_filestat_get</c>: the 64-byte <c>$filestat</c> of an open descriptor. Stdio and
    /// sockets report only their type, as in wasmtime.</summary>
    public Errno FdFilestatGet(Span<byte> memory, uint fd, uint filestatPointer)
    {
        try
        {
            var guest = new GuestMemory(memory);
            Descriptor descriptor = _fds.Get(fd);
            descriptor.RequireRights(Rights.FdFilestatGet);
            guest.EnsureValid(filestatPointer, FileStatus.GuestSize);
            FileStatus status = descriptor switch
            {
                FileDescriptor file => HostFileSystem.GetStatus(file.Handle),
                DirectoryDescriptor directory => directory.GetStatus(),
                _ => FileStatus.ForStream(descriptor.Filetype),
            };
            status.WriteTo(guest, filestatPointer);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>fd_filestat_set_size</c>: truncates or zero-extends a file.</summary>
    public Errno FdFilestatSetSize(uint fd, ulong size)
    {
        try
        {
            FileDescriptor file = _fds.Get<FileDescriptor>(fd);
            file.RequireRights(Rights.FdFilestatSetSize);
            if (size > long.MaxValue)
            {
                ErrnoException.Throw(Errno.FileTooBig);
            }
            RandomAccess.SetLength(file.Handle, (long)size);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>fd_filestat_set_times</c>: sets access and/or modification time of a file or directory.</summary>
    public Errno FdFilestatSetTimes(uint fd, ulong accessTime, ulong modifyTime, FstFlags flags)
    {
        try
        {
            long[] timespecs = Timespecs(accessTime, modifyTime, flags);
            Descriptor descriptor = _fds.Get(fd);
            descriptor.RequireRights(Rights.FdFilestatSetTimes);
            switch (descriptor)
            {
                case FileDescriptor file:
                    HostFileSystem.SetTimes(file.Handle, timespecs);
                    break;
                case DirectoryDescriptor directory:
                    directory.SetTimes(timespecs);
                    break;
                default:
                    ErrnoException.Throw(Errno.BadDescriptor);
                    break;
            }
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>fd_pread</c>: reads at <paramref name="offset"/> without moving the descriptor's offset.</summary>
    public Errno FdPread(Span<byte> memory, uint fd, uint iovsPointer, uint iovsLength, ulong offset, uint nreadPointer)
    {
        try
        {
            var guest = new GuestMemory(memory);
            FileDescriptor file = GetSeekable(fd);
            file.RequireRights(Rights.FdRead | Rights.FdSeek);
            IoVector[] buffers = guest.ReadIoVectors(iovsPointer, iovsLength);
            guest.EnsureValid(nreadPointer, 4);
            guest.WriteUInt32(nreadPointer, ReadFile(guest, file, buffers, offset));
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>fd_pwrite</c>: writes at <paramref name="offset"/> without moving the descriptor's
    /// offset. In append mode the data goes to the end instead (Linux semantics, as wasmtime).</summary>
    public Errno FdPwrite(Span<byte> memory, uint fd, uint iovsPointer, uint iovsLength, ulong offset, uint nwrittenPointer)
    {
        try
        {
            var guest = new GuestMemory(memory);
            FileDescriptor file = GetSeekable(fd);
            file.RequireRights(Rights.FdWrite | Rights.FdSeek);
            IoVector[] buffers = guest.ReadIoVectors(iovsPointer, iovsLength);
            guest.EnsureValid(nwrittenPointer, 4);
            ulong at = file.IsAppend ? (ulong)file.Length : offset;
            guest.WriteUInt32(nwrittenPointer, WriteFile(guest, file, buffers, at));
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>fd_prestat_get</c>: describes a preopened directory (8-byte <c>$prestat</c>:
    /// tag 0 = dir, then the name length). Other descriptors: <see cref="Errno.BadDescriptor"/>.</summary>
    public Errno FdPrestatGet(Span<byte> memory, uint fd, uint prestatPointer)
    {
        try
        {
            string name = _fds.Get(fd) is DirectoryDescriptor { PreopenName: { } preopen }
                ? preopen
                : throw new ErrnoException(Errno.BadDescriptor);
            Span<byte> prestat = new GuestMemory(memory).Slice(prestatPointer, PrestatSize);
            prestat.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(prestat[4..], (uint)Encoding.UTF8.GetByteCount(name));
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>fd_prestat_dir_name</c>: the guest path of a preopened directory (no NUL). A
    /// buffer shorter than the name is <see cref="Errno.NameTooLong"/>; a descriptor that is not a
    /// preopen is <see cref="Errno.NotDirectory"/> (both as wasmtime).</summary>
    public Errno FdPrestatDirName(Span<byte> memory, uint fd, uint pathPointer, uint pathLength)
    {
        try
        {
            string name = _fds.Get(fd) is DirectoryDescriptor { PreopenName: { } preopen }
                ? preopen
                : throw new ErrnoException(Errno.NotDirectory);
            byte[] bytes = Encoding.UTF8.GetBytes(name);
            if (bytes.Length > pathLength)
            {
                ErrnoException.Throw(Errno.NameTooLong);
            }
            new GuestMemory(memory).Write(pathPointer, bytes);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary>
    /// <c>fd_read</c>. A file fills the buffers in order from its offset and advances it; a stream,
    /// pipe or socket fills only the first non-empty buffer, so a read never waits for more input
    /// than the first chunk that arrives.
    /// </summary>
    public Errno FdRead(Span<byte> memory, uint fd, uint iovsPointer, uint iovsLength, uint nreadPointer)
    {
        try
        {
            var guest = new GuestMemory(memory);
            Descriptor descriptor = _fds.Get(fd);
            descriptor.RequireRights(Rights.FdRead);
            IoVector[] buffers = guest.ReadIoVectors(iovsPointer, iovsLength);
            guest.EnsureValid(nreadPointer, 4);
            uint read = descriptor switch
            {
                FileDescriptor file => ReadFileAtPosition(guest, file, buffers),
                StreamDescriptor { Input: not null } stream => (uint)ReadStream(stream, FirstNonEmpty(guest, buffers)),
                SocketDescriptor socket => (uint)Receive(socket, FirstNonEmpty(guest, buffers), SocketFlags.None, "fd_read"),
                _ => throw new ErrnoException(Errno.BadDescriptor),
            };
            guest.WriteUInt32(nreadPointer, read);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary>
    /// <c>fd_readdir</c>: directory entries from <paramref name="cookie"/> on, each a 24-byte
    /// <c>$dirent</c> followed by its name. The buffer is filled completely when more entries
    /// exist (the last one truncated), so fewer bytes than the buffer holds means the end. A
    /// listing is read from the host when the guest starts at cookie 0 and reused for later
    /// cookies, so paging is stable while the directory changes.
    /// </summary>
    public Errno FdReaddir(Span<byte> memory, uint fd, uint bufferPointer, uint bufferLength, ulong cookie, uint bufferUsedPointer)
    {
        try
        {
            var guest = new GuestMemory(memory);
            DirectoryDescriptor directory = _fds.Get<DirectoryDescriptor>(fd);
            directory.RequireRights(Rights.FdReaddir);
            Span<byte> buffer = guest.Slice(bufferPointer, bufferLength);
            guest.EnsureValid(bufferUsedPointer, 4);
            if (cookie == 0 || directory.Listing is null)
            {
                directory.Listing = DirectoryListing.Read(directory);
            }
            guest.WriteUInt32(bufferUsedPointer, (uint)directory.Listing.Write(buffer, cookie));
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>fd_renumber</c>: moves descriptor <paramref name="fd"/> to number
    /// <paramref name="to"/>, closing what was there; <paramref name="fd"/> must be open, <paramref name="to"/>
    /// may also be free, as with <c>dup2</c> (see <see cref="FdTable.Renumber"/>).</summary>
    public Errno FdRenumber(uint fd, uint to)
    {
        try
        {
            _fds.Renumber(fd, to);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>fd_seek</c>: moves a file's offset; a negative result is <see cref="Errno.Invalid"/>,
    /// beyond the end is allowed. Streams and sockets: <see cref="Errno.InvalidSeek"/>.</summary>
    public Errno FdSeek(Span<byte> memory, uint fd, long offset, Whence whence, uint newOffsetPointer)
    {
        try
        {
            var guest = new GuestMemory(memory);
            FileDescriptor file = GetSeekable(fd);
            bool onlyTells = whence == Whence.Current && offset == 0;
            RequireAnyRight(file, onlyTells ? Rights.FdSeek | Rights.FdTell : Rights.FdSeek);
            guest.EnsureValid(newOffsetPointer, 8);
            long basePosition = whence switch
            {
                Whence.Set => 0,
                Whence.Current => (long)file.Position,
                Whence.End => file.Length,
                _ => throw new ErrnoException(Errno.Invalid),
            };
            long position = basePosition + offset;
            if (position < 0 || (offset > 0 && position < basePosition))
            {
                ErrnoException.Throw(Errno.Invalid);
            }
            file.Position = (ulong)position;
            guest.WriteUInt64(newOffsetPointer, file.Position);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>fd_tell</c>: a file's current offset.</summary>
    public Errno FdTell(Span<byte> memory, uint fd, uint offsetPointer)
    {
        try
        {
            FileDescriptor file = GetSeekable(fd);
            RequireAnyRight(file, Rights.FdSeek | Rights.FdTell);
            new GuestMemory(memory).WriteUInt64(offsetPointer, file.Position);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>fd_write</c>: writes every buffer, in order. A file writes at its offset (or its
    /// end in append mode) and advances the offset; stdio streams are flushed after each call.</summary>
    public Errno FdWrite(Span<byte> memory, uint fd, uint iovsPointer, uint iovsLength, uint nwrittenPointer)
    {
        try
        {
            var guest = new GuestMemory(memory);
            Descriptor descriptor = _fds.Get(fd);
            descriptor.RequireRights(Rights.FdWrite);
            IoVector[] buffers = guest.ReadIoVectors(iovsPointer, iovsLength);
            guest.EnsureValid(nwrittenPointer, 4);
            uint written = descriptor switch
            {
                FileDescriptor file => WriteFileAtPosition(guest, file, buffers),
                StreamDescriptor { Output: { } output } => WriteStream(guest, output, buffers),
                SocketDescriptor socket => SendAll(guest, socket, buffers),
                _ => throw new ErrnoException(Errno.BadDescriptor),
            };
            guest.WriteUInt32(nwrittenPointer, written);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    private Errno Sync(uint fd, Rights right, bool dataOnly)
    {
        try
        {
            FileDescriptor file = _fds.Get<FileDescriptor>(fd);
            file.RequireRights(right);
            HostFileSystem.Sync(file.Handle, dataOnly);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary>A file descriptor for an offset operation; stdio, sockets and pipes cannot seek.</summary>
    private FileDescriptor GetSeekable(uint fd) => _fds.Get(fd) switch
    {
        FileDescriptor { IsSeekable: true } file => file,
        FileDescriptor or StreamDescriptor or SocketDescriptor => throw new ErrnoException(Errno.InvalidSeek),
        _ => throw new ErrnoException(Errno.BadDescriptor),
    };

    private static void RequireAnyRight(Descriptor descriptor, Rights anyOf)
    {
        if ((descriptor.BaseRights & anyOf) == 0)
        {
            ErrnoException.Throw(Errno.NotCapable);
        }
    }

    /// <summary>
    /// The two timespecs of utimensat for a <c>*_filestat_set_times</c> call. Asking for both a
    /// value and "now" for the same time, or unknown flags, is <see cref="Errno.Invalid"/>.
    /// </summary>
    private static long[] Timespecs(ulong accessTime, ulong modifyTime, FstFlags flags)
    {
        RequireKnownBits((ulong)flags, (ulong)(FstFlags.AccessTime | FstFlags.AccessTimeNow | FstFlags.ModifyTime | FstFlags.ModifyTimeNow));
        var timespecs = new long[4];
        SetTimespec(timespecs.AsSpan(0, 2), accessTime, (flags & FstFlags.AccessTime) != 0, (flags & FstFlags.AccessTimeNow) != 0);
        SetTimespec(timespecs.AsSpan(2, 2), modifyTime, (flags & FstFlags.ModifyTime) != 0, (flags & FstFlags.ModifyTimeNow) != 0);
        return timespecs;
    }

    private static void SetTimespec(Span<long> timespec, ulong nanoseconds, bool set, bool now)
    {
        if (set && now)
        {
            ErrnoException.Throw(Errno.Invalid);
        }
        (timespec[0], timespec[1]) = (set, now) switch
        {
            (true, _) => ((long)(nanoseconds / 1_000_000_000), (long)(nanoseconds % 1_000_000_000)),
            (_, true) => (0L, NativeMethods.UTIME_NOW),
            _ => (0L, NativeMethods.UTIME_OMIT),
        };
    }

    /// <summary>Reads stdin: waiting for its descriptor when it has one, else through <see cref="InterruptibleWait.Read"/>.</summary>
    private int ReadStream(StreamDescriptor stream, Span<byte> buffer)
    {
        if (stream.InputHandle is { } handle)
        {
            InterruptibleWait.UntilReadable(handle, Interruption, "fd_read");
            return stream.Input!.Read(buffer);
        }
        return InterruptibleWait.Read(stream.Input!, buffer, Interruption, "fd_read");
    }

    private uint ReadFileAtPosition(GuestMemory guest, FileDescriptor file, IoVector[] buffers)
    {
        if (!file.IsSeekable)
        {
            // Like a stream: a second buffer could wait for data that never comes. A pipe may have none
            // yet: wait for it here, interruptibly (unless non-blocking, where the read says EAGAIN).
            if ((file.Flags & FdFlags.Nonblock) == 0)
            {
                InterruptibleWait.UntilReadable(file.Handle, Interruption, "fd_read");
            }
            return (uint)file.Read(FirstNonEmpty(guest, buffers), 0);
        }
        uint read = ReadFile(guest, file, buffers, file.Position);
        file.Position += read;
        return read;
    }

    /// <summary>Fills <paramref name="buffers"/> in order from <paramref name="offset"/>, stopping at
    /// the first short read (end of file).</summary>
    private static uint ReadFile(GuestMemory guest, FileDescriptor file, IoVector[] buffers, ulong offset)
    {
        if (offset > long.MaxValue)
        {
            ErrnoException.Throw(Errno.Invalid);
        }
        uint total = 0;
        foreach (IoVector buffer in buffers)
        {
            int read = file.Read(guest.Slice(buffer.Pointer, buffer.Length), (long)offset + total);
            total += (uint)read;
            if (read < buffer.Length)
            {
                break;
            }
        }
        return total;
    }

    private static uint WriteFileAtPosition(GuestMemory guest, FileDescriptor file, IoVector[] buffers)
    {
        ulong at = file.IsAppend ? (ulong)file.Length : file.Position;
        uint written = WriteFile(guest, file, buffers, at);
        file.Position = at + written;
        return written;
    }

    private static uint WriteFile(GuestMemory guest, FileDescriptor file, IoVector[] buffers, ulong offset)
    {
        ulong total = TotalLength(buffers);
        if (offset > long.MaxValue || offset + total > long.MaxValue)
        {
            ErrnoException.Throw(Errno.FileTooBig);
        }
        long position = (long)offset;
        foreach (IoVector buffer in buffers)
        {
            file.Write(guest.Slice(buffer.Pointer, buffer.Length), position);
            position += buffer.Length;
        }
        return (uint)total;
    }

    private static uint WriteStream(GuestMemory guest, Stream output, IoVector[] buffers)
    {
        foreach (IoVector buffer in buffers)
        {
            output.Write(guest.Slice(buffer.Pointer, buffer.Length));
        }
        output.Flush();
        return (uint)TotalLength(buffers);
    }

    /// <summary>The total size of a gather list, which must fit the u32 result (<see cref="Errno.Invalid"/> otherwise).</summary>
    private static ulong TotalLength(IoVector[] buffers)
    {
        ulong total = 0;
        foreach (IoVector buffer in buffers)
        {
            total += buffer.Length;
        }
        if (total > uint.MaxValue)
        {
            ErrnoException.Throw(Errno.Invalid);
        }
        return total;
    }

    /// <summary>The first buffer with room, or an empty span when all are empty.</summary>
    private static Span<byte> FirstNonEmpty(GuestMemory guest, IoVector[] buffers)
    {
        foreach (IoVector buffer in buffers)
        {
            if (buffer.Length > 0)
            {
                return guest.Slice(buffer.Pointer, buffer.Length);
            }
        }
        return [];
    }
}
