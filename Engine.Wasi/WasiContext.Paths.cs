using Microsoft.Win32.SafeHandles;

namespace Engine.Wasi;

// The path_* functions. Every path goes through PathResolver, relative to a directory descriptor,
// and every operation acts on the resolved (directory descriptor, name) pair.
public sealed partial class WasiContext
{
    private const int NewFileMode = 0x1B6; // 0666, less the host's umask (as wasmtime)

    /// <summary><c>path_create_directory</c>: mkdir; an existing entry (even a link to elsewhere)
    /// is <see cref="Errno.Exist"/>. A trailing slash changes nothing.</summary>
    public Errno PathCreateDirectory(Span<byte> memory, uint fd, uint pathPointer, uint pathLength)
    {
        try
        {
            var guest = new GuestMemory(memory);
            DirectoryDescriptor directory = GetDirectory(fd, Rights.PathCreateDirectory);
            string path = WithoutTrailingSlashes(guest.ReadString(pathPointer, pathLength), out _);
            using ResolvedPath target = PathResolver.Resolve(directory, path, followFinalSymlink: false);
            RequireAbsent(target);
            HostFileSystem.CreateDirectory(target.Directory, target.Name);
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
            using ResolvedPath target = Resolve(guest, directory, pathPointer, pathLength, FollowsSymlinks(flags));
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
            using ResolvedPath target = Resolve(guest, directory, pathPointer, pathLength, FollowsSymlinks(flags));
            RequireExists(target);
            HostFileSystem.SetTimes(target.Directory, target.Name, timespecs);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>path_link</c>: a hard link at <paramref name="newPathPointer"/> to the entry at
    /// <paramref name="oldPathPointer"/> (a link there is linked itself). Asking to follow a link in
    /// the source (<see cref="LookupFlags.SymlinkFollow"/>) is <see cref="Errno.Invalid"/>, as in wasmtime.</summary>
    public Errno PathLink(Span<byte> memory, uint oldFd, LookupFlags oldFlags, uint oldPathPointer, uint oldPathLength,
        uint newFd, uint newPathPointer, uint newPathLength)
    {
        try
        {
            var guest = new GuestMemory(memory);
            if (FollowsSymlinks(oldFlags))
            {
                ErrnoException.Throw(Errno.Invalid);
            }
            DirectoryDescriptor oldDirectory = GetDirectory(oldFd, Rights.PathLinkSource);
            DirectoryDescriptor newDirectory = GetDirectory(newFd, Rights.PathLinkTarget);
            using ResolvedPath source = Resolve(guest, oldDirectory, oldPathPointer, oldPathLength, followFinalSymlink: false);
            RequireExists(source);
            using ResolvedPath link = Resolve(guest, newDirectory, newPathPointer, newPathLength, followFinalSymlink: false);
            RequireAbsent(link);
            HostFileSystem.Link(source.Directory, source.Name, link.Directory, link.Name);
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
    /// truncate is <see cref="Errno.Invalid"/>; creating a path with a trailing slash is
    /// <see cref="Errno.IsDirectory"/> (all as wasmtime).
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
            _fds.RequireRoom();
            bool exclusiveCreate = (openFlags & (OpenFlags.Create | OpenFlags.Exclusive)) == (OpenFlags.Create | OpenFlags.Exclusive);
            // O_CREAT|O_EXCL never follows a final link: an existing link is an existing entry.
            bool follow = FollowsSymlinks(dirFlags) && !exclusiveCreate;
            string path = guest.ReadString(pathPointer, pathLength);
            if ((openFlags & OpenFlags.Create) != 0)
            {
                RefuseToCreateDirectory(directory, path);
            }
            using ResolvedPath target = PathResolver.Resolve(directory, path, follow);
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
    /// not a link is <see cref="Errno.Invalid"/>, a link with an absolute target (which only the
    /// host can make) <see cref="Errno.NotPermitted"/>, so no host path is revealed (as wasmtime).</summary>
    public Errno PathReadlink(Span<byte> memory, uint fd, uint pathPointer, uint pathLength,
        uint bufferPointer, uint bufferLength, uint bufferUsedPointer)
    {
        try
        {
            var guest = new GuestMemory(memory);
            DirectoryDescriptor directory = GetDirectory(fd, Rights.PathReadlink);
            using ResolvedPath link = Resolve(guest, directory, pathPointer, pathLength, followFinalSymlink: false);
            RequireExists(link);
            if (!link.IsSymlink)
            {
                ErrnoException.Throw(Errno.Invalid);
            }
            Span<byte> buffer = guest.Slice(bufferPointer, bufferLength);
            guest.EnsureValid(bufferUsedPointer, 4);
            byte[] target = HostFileSystem.ReadLink(link.Directory, link.Name);
            if (target.Length > 0 && target[0] == (byte)'/')
            {
                // Like cap-std: an absolute target could only name something outside, so it is not revealed.
                ErrnoException.Throw(Errno.NotPermitted);
            }
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
            using ResolvedPath target = Resolve(guest, directory, pathPointer, pathLength, followFinalSymlink: false);
            RequireNamedEntry(target);
            RequireExists(target);
            if (!target.IsDirectory)
            {
                ErrnoException.Throw(Errno.NotDirectory);
            }
            HostFileSystem.RemoveDirectory(target.Directory, target.Name);
            return Errno.Success;
        }
        catch (Exception e) when (IsGuestVisible(e))
        {
            return Failure(e);
        }
    }

    /// <summary><c>path_rename</c>: rename(2) between two directory descriptors; replaces the
    /// destination when the host allows. A trailing slash on either path requires the source to be
    /// a directory (<see cref="Errno.NotDirectory"/>), as rename(2) does.</summary>
    public Errno PathRename(Span<byte> memory, uint fd, uint oldPathPointer, uint oldPathLength,
        uint newFd, uint newPathPointer, uint newPathLength)
    {
        try
        {
            var guest = new GuestMemory(memory);
            DirectoryDescriptor oldDirectory = GetDirectory(fd, Rights.PathRenameSource);
            DirectoryDescriptor newDirectory = GetDirectory(newFd, Rights.PathRenameTarget);
            string oldPath = WithoutTrailingSlashes(guest.ReadString(oldPathPointer, oldPathLength), out bool oldSlash);
            string newPath = WithoutTrailingSlashes(guest.ReadString(newPathPointer, newPathLength), out bool newSlash);
            using ResolvedPath source = PathResolver.Resolve(oldDirectory, oldPath, followFinalSymlink: false);
            RequireNamedEntry(source);
            RequireExists(source);
            using ResolvedPath destination = PathResolver.Resolve(newDirectory, newPath, followFinalSymlink: false);
            RequireNamedEntry(destination);
            if ((oldSlash || newSlash) && !source.IsDirectory)
            {
                ErrnoException.Throw(Errno.NotDirectory);
            }
            HostFileSystem.Rename(source.Directory, source.Name, destination.Directory, destination.Name);
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
            using ResolvedPath link = Resolve(guest, directory, newPathPointer, newPathLength, followFinalSymlink: false);
            RequireAbsent(link);
            HostFileSystem.Symlink(target, link.Directory, link.Name);
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
            using ResolvedPath target = Resolve(guest, directory, pathPointer, pathLength, followFinalSymlink: false);
            if (target.NamesDirectoryItself || target.IsDirectory)
            {
                ErrnoException.Throw(Errno.IsDirectory);
            }
            RequireExists(target);
            HostFileSystem.Unlink(target.Directory, target.Name);
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

    /// <summary>
    /// <paramref name="path"/> without its trailing slashes (a path of nothing but slashes stays as
    /// it is), for the calls that give a trailing slash a meaning of their own rather than the
    /// resolver's "the directory itself".
    /// </summary>
    private static string WithoutTrailingSlashes(string path, out bool hadTrailingSlash)
    {
        string trimmed = path.TrimEnd('/');
        hadTrailingSlash = trimmed.Length < path.Length && trimmed.Length > 0;
        return hadTrailingSlash ? trimmed : path;
    }

    /// <summary>Creating a file at a path with a trailing slash is <see cref="Errno.IsDirectory"/>
    /// whatever is there (as cap-std); only an escape on the way to it fails first.</summary>
    private static void RefuseToCreateDirectory(DirectoryDescriptor directory, string path)
    {
        string named = WithoutTrailingSlashes(path, out bool trailingSlash);
        if (trailingSlash)
        {
            using ResolvedPath target = PathResolver.Resolve(directory, named, followFinalSymlink: false);
            ErrnoException.Throw(Errno.IsDirectory);
        }
    }

    private static bool FollowsSymlinks(LookupFlags flags)
    {
        RequireKnownBits((ulong)flags, (ulong)LookupFlags.SymlinkFollow);
        return (flags & LookupFlags.SymlinkFollow) != 0;
    }

    private static void RequireExists(in ResolvedPath target)
    {
        if (!target.Exists)
        {
            ErrnoException.Throw(Errno.NoEntry);
        }
    }

    /// <summary>Creating something where an entry (or the directory itself, via "." or "..") exists.</summary>
    private static void RequireAbsent(in ResolvedPath target)
    {
        if (target.Exists || target.NamesDirectoryItself)
        {
            ErrnoException.Throw(Errno.Exist);
        }
    }

    /// <summary>Removing or renaming needs an entry name; "." and ".." name none.</summary>
    private static void RequireNamedEntry(in ResolvedPath target)
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

    private static Descriptor OpenExisting(in ResolvedPath target, OpenRequest request)
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
        return OpenFile(target, request, creating: false);
    }

    private static DirectoryDescriptor OpenDirectory(in ResolvedPath target, OpenRequest request)
    {
        bool writes = (request.BaseRights & Rights.FdWrite) != 0
            || (request.OpenFlags & (OpenFlags.Create | OpenFlags.Truncate)) != 0;
        if (writes)
        {
            ErrnoException.Throw(Errno.IsDirectory);
        }
        return DirectoryDescriptor.Open(target, request.BaseRights & Rights.Directory, request.InheritingRights);
    }

    private static FileDescriptor CreateFile(in ResolvedPath target, OpenRequest request)
    {
        if ((request.OpenFlags & OpenFlags.Create) == 0)
        {
            ErrnoException.Throw(Errno.NoEntry);
        }
        return OpenFile(target, request, creating: true);
    }

    private static FileDescriptor OpenFile(in ResolvedPath target, OpenRequest request, bool creating)
    {
        SafeFileHandle handle = HostFileSystem.OpenAt(target.Directory, target.Name, request.HostOpenFlags(creating), NewFileMode);
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
