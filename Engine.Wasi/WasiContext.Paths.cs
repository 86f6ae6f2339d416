using Microsoft.Win32.SafeHandles;

namespace Engine.Wasi;

// The path_* functions. Every path goes through PathResolver, relative to a directory descriptor.
public sealed partial class WasiContext
{
    private const int NewFileMode = 0x1B6; // 0666, less the host's umask (as wasmtime)

    /// <summary><c>path_create_directory</c>: mkdir; an existing entry is <see cref="Errno.Exist"/>.</summary>
    public Errno PathCreateDirectory(Span<byte> memory, uint fd, uint pathPointer, uint pathLength)
    {
        try
        {
            var guest = new GuestMemory(memory);
            DirectoryDescriptor directory = GetDirectory(fd, Rights.PathCreateDirectory);
            ResolvedPath target = Resolve(guest, directory, pathPointer, pathLength, followFinalSymlink: false);
            RequireAbsent(target);
            HostFileSystem.CreateDirectory(target.HostPath);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>path_filestat_get</c>: the 64-byte <c>$filestat</c> of a path.</summary>
    public Errno PathFilestatGet(Span<byte> memory, uint fd, LookupFlags flags, uint pathPointer, uint pathLength, uint filestatPointer)
    {
        try
        {
            var guest = new GuestMemory(memory);
            DirectoryDescriptor directory = GetDirectory(fd, Rights.PathFilestatGet);
            ResolvedPath target = Resolve(guest, directory, pathPointer, pathLength, FollowsSymlinks(flags));
            FileStatus status = target.Status ?? throw new ErrnoException(Errno.NoEntry);
            status.WriteTo(guest, filestatPointer);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>path_filestat_set_times</c>: sets access and/or modification time of a path.</summary>
    public Errno PathFilestatSetTimes(Span<byte> memory, uint fd, LookupFlags flags, uint pathPointer, uint pathLength,
        ulong accessTime, ulong modifyTime, FstFlags fstFlags)
    {
        try
        {
            var guest = new GuestMemory(memory);
            long[] timespecs = Timespecs(accessTime, modifyTime, fstFlags);
            DirectoryDescriptor directory = GetDirectory(fd, Rights.PathFilestatSetTimes);
            ResolvedPath target = Resolve(guest, directory, pathPointer, pathLength, FollowsSymlinks(flags));
            RequireExists(target);
            HostFileSystem.SetTimes(target.HostPath, timespecs);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>path_link</c>: a hard link at <paramref name="newPathPointer"/> to the file at
    /// <paramref name="oldPathPointer"/> (following a final link in the source when asked).</summary>
    public Errno PathLink(Span<byte> memory, uint oldFd, LookupFlags oldFlags, uint oldPathPointer, uint oldPathLength,
        uint newFd, uint newPathPointer, uint newPathLength)
    {
        try
        {
            var guest = new GuestMemory(memory);
            DirectoryDescriptor oldDirectory = GetDirectory(oldFd, Rights.PathLinkSource);
            DirectoryDescriptor newDirectory = GetDirectory(newFd, Rights.PathLinkTarget);
            ResolvedPath source = Resolve(guest, oldDirectory, oldPathPointer, oldPathLength, FollowsSymlinks(oldFlags));
            RequireExists(source);
            ResolvedPath link = Resolve(guest, newDirectory, newPathPointer, newPathLength, followFinalSymlink: false);
            RequireAbsent(link);
            HostFileSystem.Link(source.HostPath, link.HostPath);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary>
    /// <c>path_open</c>: opens (or creates) a file or directory and returns its new descriptor.
    /// </summary>
    /// <remarks>
    /// The file is opened for reading when <see cref="Rights.FdRead"/> is requested or writing is
    /// not, and for writing when <see cref="Rights.FdWrite"/> is. The new descriptor's base rights
    /// are the requested ones limited by the directory's inheriting rights and the file's type.
    /// Opening a directory for writing (or to truncate or create) is <see cref="Errno.IsDirectory"/>;
    /// a symbolic link in the last component without <see cref="LookupFlags.SymlinkFollow"/> is
    /// <see cref="Errno.Loop"/>; <see cref="OpenFlags.Directory"/> with create, exclusive or
    /// truncate is <see cref="Errno.Invalid"/> (all as wasmtime).
    /// </remarks>
    public Errno PathOpen(Span<byte> memory, uint fd, LookupFlags dirFlags, uint pathPointer, uint pathLength,
        OpenFlags openFlags, Rights baseRights, Rights inheritingRights, FdFlags fdFlags, uint openedFdPointer)
    {
        try
        {
            var guest = new GuestMemory(memory);
            ValidateOpenFlags(dirFlags, openFlags, fdFlags);
            DirectoryDescriptor directory = GetDirectory(fd, Rights.PathOpen | RightsToOpen(openFlags));
            guest.EnsureValid(openedFdPointer, 4);
            bool exclusiveCreate = (openFlags & (OpenFlags.Create | OpenFlags.Exclusive)) == (OpenFlags.Create | OpenFlags.Exclusive);
            // O_CREAT|O_EXCL never follows a final link: an existing link is an existing entry.
            bool follow = FollowsSymlinks(dirFlags) && !exclusiveCreate;
            ResolvedPath target = Resolve(guest, directory, pathPointer, pathLength, follow);
            var request = new OpenRequest(openFlags, baseRights & directory.InheritingRights,
                inheritingRights & directory.InheritingRights, fdFlags);
            Descriptor opened = target.Exists ? OpenExisting(target, request) : CreateFile(target, request);
            guest.WriteUInt32(openedFdPointer, _fds.Add(opened));
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>path_readlink</c>: the target of a symbolic link, truncated to the buffer;
    /// not a link is <see cref="Errno.Invalid"/>.</summary>
    public Errno PathReadlink(Span<byte> memory, uint fd, uint pathPointer, uint pathLength,
        uint bufferPointer, uint bufferLength, uint bufferUsedPointer)
    {
        try
        {
            var guest = new GuestMemory(memory);
            DirectoryDescriptor directory = GetDirectory(fd, Rights.PathReadlink);
            ResolvedPath link = Resolve(guest, directory, pathPointer, pathLength, followFinalSymlink: false);
            RequireExists(link);
            if (!link.IsSymlink)
            {
                ErrnoException.Throw(Errno.Invalid);
            }
            Span<byte> buffer = guest.Slice(bufferPointer, bufferLength);
            guest.EnsureValid(bufferUsedPointer, 4);
            byte[] target = HostFileSystem.ReadLink(link.HostPath);
            int length = Math.Min(target.Length, buffer.Length);
            target.AsSpan(0, length).CopyTo(buffer);
            guest.WriteUInt32(bufferUsedPointer, (uint)length);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>path_remove_directory</c>: rmdir; a non-empty directory is
    /// <see cref="Errno.NotEmpty"/>, anything else than a directory <see cref="Errno.NotDirectory"/>.</summary>
    public Errno PathRemoveDirectory(Span<byte> memory, uint fd, uint pathPointer, uint pathLength)
    {
        try
        {
            var guest = new GuestMemory(memory);
            DirectoryDescriptor directory = GetDirectory(fd, Rights.PathRemoveDirectory);
            ResolvedPath target = Resolve(guest, directory, pathPointer, pathLength, followFinalSymlink: false);
            RequireNamedEntry(target);
            RequireExists(target);
            if (!target.IsDirectory)
            {
                ErrnoException.Throw(Errno.NotDirectory);
            }
            HostFileSystem.RemoveDirectory(target.HostPath);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>path_rename</c>: rename(2) between two directory descriptors; replaces the
    /// destination when the host allows.</summary>
    public Errno PathRename(Span<byte> memory, uint fd, uint oldPathPointer, uint oldPathLength,
        uint newFd, uint newPathPointer, uint newPathLength)
    {
        try
        {
            var guest = new GuestMemory(memory);
            DirectoryDescriptor oldDirectory = GetDirectory(fd, Rights.PathRenameSource);
            DirectoryDescriptor newDirectory = GetDirectory(newFd, Rights.PathRenameTarget);
            ResolvedPath source = Resolve(guest, oldDirectory, oldPathPointer, oldPathLength, followFinalSymlink: false);
            RequireNamedEntry(source);
            RequireExists(source);
            ResolvedPath destination = Resolve(guest, newDirectory, newPathPointer, newPathLength, followFinalSymlink: false);
            RequireNamedEntry(destination);
            HostFileSystem.Rename(source.HostPath, destination.HostPath);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary>
    /// <c>path_symlink</c>: creates a link at <paramref name="newPathPointer"/> whose target is the
    /// string at <paramref name="oldPathPointer"/>, stored verbatim. An absolute target is refused
    /// (<see cref="Errno.NotPermitted"/>, as wasmtime); a relative one may point anywhere, since
    /// the resolver never follows it out of the sandbox.
    /// </summary>
    public Errno PathSymlink(Span<byte> memory, uint oldPathPointer, uint oldPathLength, uint fd,
        uint newPathPointer, uint newPathLength)
    {
        try
        {
            var guest = new GuestMemory(memory);
            DirectoryDescriptor directory = GetDirectory(fd, Rights.PathSymlink);
            string target = guest.ReadString(oldPathPointer, oldPathLength);
            if (target.Length == 0)
            {
                ErrnoException.Throw(Errno.NoEntry);
            }
            if (target[0] == '/')
            {
                ErrnoException.Throw(Errno.NotPermitted);
            }
            if (target.Contains('\0'))
            {
                ErrnoException.Throw(Errno.Invalid);
            }
            ResolvedPath link = Resolve(guest, directory, newPathPointer, newPathLength, followFinalSymlink: false);
            RequireAbsent(link);
            HostFileSystem.Symlink(target, link.HostPath);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>path_unlink_file</c>: removes a file or link; a directory is <see cref="Errno.IsDirectory"/>.</summary>
    public Errno PathUnlinkFile(Span<byte> memory, uint fd, uint pathPointer, uint pathLength)
    {
        try
        {
            var guest = new GuestMemory(memory);
            DirectoryDescriptor directory = GetDirectory(fd, Rights.PathUnlinkFile);
            ResolvedPath target = Resolve(guest, directory, pathPointer, pathLength, followFinalSymlink: false);
            if (target.NamesDirectoryItself || target.IsDirectory)
            {
                ErrnoException.Throw(Errno.IsDirectory);
            }
            RequireExists(target);
            HostFileSystem.Unlink(target.HostPath);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary>The directory a path is relative to. A file is <see cref="Errno.NotDirectory"/>,
    /// any other descriptor <see cref="Errno.BadDescriptor"/>.</summary>
    private DirectoryDescriptor GetDirectory(uint fd, Rights required)
    {
        DirectoryDescriptor directory = _fds.Get(fd) switch
        {
            DirectoryDescriptor d => d,
            FileDescriptor => throw new ErrnoException(Errno.NotDirectory),
            _ => throw new ErrnoException(Errno.BadDescriptor),
        };
        directory.RequireRights(required);
        return directory;
    }

    private static ResolvedPath Resolve(GuestMemory guest, DirectoryDescriptor directory, uint pathPointer, uint pathLength, bool followFinalSymlink)
    {
        string path = guest.ReadString(pathPointer, pathLength);
        return PathResolver.Resolve(directory, path, followFinalSymlink);
    }

    private static bool FollowsSymlinks(LookupFlags flags)
    {
        RequireKnownBits((ulong)flags, (ulong)LookupFlags.SymlinkFollow);
        return (flags & LookupFlags.SymlinkFollow) != 0;
    }

    private static void RequireExists(ResolvedPath target)
    {
        if (!target.Exists)
        {
            ErrnoException.Throw(Errno.NoEntry);
        }
    }

    /// <summary>Creating something where an entry (or the directory itself, via "." or "..") exists.</summary>
    private static void RequireAbsent(ResolvedPath target)
    {
        if (target.Exists || target.NamesDirectoryItself)
        {
            ErrnoException.Throw(Errno.Exist);
        }
    }

    /// <summary>Removing or renaming needs an entry name; "." and ".." name none.</summary>
    private static void RequireNamedEntry(ResolvedPath target)
    {
        if (target.NamesDirectoryItself)
        {
            ErrnoException.Throw(Errno.Invalid);
        }
    }

    private static void ValidateOpenFlags(LookupFlags dirFlags, OpenFlags openFlags, FdFlags fdFlags)
    {
        RequireKnownBits((ulong)dirFlags, (ulong)LookupFlags.SymlinkFollow);
        RequireKnownBits((ulong)openFlags, (ulong)(OpenFlags.Create | OpenFlags.Directory | OpenFlags.Exclusive | OpenFlags.Truncate));
        RequireKnownBits((ulong)fdFlags, (ulong)(FdFlags.Append | FdFlags.Dsync | FdFlags.Nonblock | FdFlags.Rsync | FdFlags.Sync));
        if ((openFlags & OpenFlags.Directory) != 0 && (openFlags & (OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.Truncate)) != 0)
        {
            ErrnoException.Throw(Errno.Invalid);
        }
    }

    private static Rights RightsToOpen(OpenFlags openFlags) =>
        ((openFlags & OpenFlags.Create) != 0 ? Rights.PathCreateFile : Rights.None)
        | ((openFlags & OpenFlags.Truncate) != 0 ? Rights.PathFilestatSetSize : Rights.None);

    private static Descriptor OpenExisting(ResolvedPath target, OpenRequest request)
    {
        if ((request.OpenFlags & (OpenFlags.Create | OpenFlags.Exclusive)) == (OpenFlags.Create | OpenFlags.Exclusive))
        {
            ErrnoException.Throw(Errno.Exist);
        }
        if (target.IsSymlink)
        {
            // Only reached without SYMLINK_FOLLOW: the O_NOFOLLOW error.
            ErrnoException.Throw(Errno.Loop);
        }
        if (target.IsDirectory)
        {
            return OpenDirectory(target, request);
        }
        if ((request.OpenFlags & OpenFlags.Directory) != 0)
        {
            ErrnoException.Throw(Errno.NotDirectory);
        }
        return OpenFile(target.HostPath, request, creating: false);
    }

    private static DirectoryDescriptor OpenDirectory(ResolvedPath target, OpenRequest request)
    {
        bool writes = (request.BaseRights & Rights.FdWrite) != 0
            || (request.OpenFlags & (OpenFlags.Create | OpenFlags.Truncate)) != 0;
        if (writes)
        {
            ErrnoException.Throw(Errno.IsDirectory);
        }
        return DirectoryDescriptor.Open(target.HostPath, null, request.BaseRights & Rights.Directory, request.InheritingRights);
    }

    private static FileDescriptor CreateFile(ResolvedPath target, OpenRequest request)
    {
        if ((request.OpenFlags & OpenFlags.Create) == 0)
        {
            ErrnoException.Throw(Errno.NoEntry);
        }
        if (target.RequiresDirectory)
        {
            ErrnoException.Throw(Errno.IsDirectory);
        }
        return OpenFile(target.HostPath, request, creating: true);
    }

    private static FileDescriptor OpenFile(string hostPath, OpenRequest request, bool creating)
    {
        SafeFileHandle handle = HostFileSystem.Open(hostPath, request.HostOpenFlags(creating), NewFileMode);
        try
        {
            FileStatus status = HostFileSystem.GetStatus(handle);
            if (status.IsDirectory)
            {
                // Replaced by a directory since it was resolved: refuse rather than guess.
                ErrnoException.Throw(Errno.IsDirectory);
            }
            return new FileDescriptor(handle, status.Filetype, request.FdFlags, request.BaseRights & Rights.RegularFile, request.InheritingRights);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>A path_open request with its rights already limited by the directory's inheriting rights.</summary>
    private readonly record struct OpenRequest(OpenFlags OpenFlags, Rights BaseRights, Rights InheritingRights, FdFlags FdFlags)
    {
        /// <summary>The open(2) flags: access mode from the rights, creation from the oflags.</summary>
        public int HostOpenFlags(bool creating)
        {
            bool read = (BaseRights & Rights.FdRead) != 0 || (BaseRights & Rights.FdWrite) == 0;
            bool write = (BaseRights & Rights.FdWrite) != 0;
            int flags = (read, write) switch
            {
                (true, true) => NativeMethods.O_RDWR,
                (false, true) => NativeMethods.O_WRONLY,
                _ => NativeMethods.O_RDONLY,
            };
            if (creating)
            {
                flags |= NativeMethods.O_CREAT;
                if ((OpenFlags & OpenFlags.Exclusive) != 0)
                {
                    flags |= NativeMethods.O_EXCL;
                }
            }
            if ((OpenFlags & OpenFlags.Truncate) != 0)
            {
                flags |= NativeMethods.O_TRUNC;
            }
            if ((FdFlags & FdFlags.Nonblock) != 0)
            {
                flags |= NativeMethods.O_NONBLOCK;
            }
            if ((FdFlags & (FdFlags.Sync | FdFlags.Rsync)) != 0)
            {
                flags |= NativeMethods.O_SYNC;
            }
            else if ((FdFlags & FdFlags.Dsync) != 0)
            {
                flags |= NativeMethods.O_DSYNC;
            }
            return flags;
        }
    }
}
