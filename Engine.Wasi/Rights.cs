namespace Engine.Wasi;

/// <summary>
/// File descriptor rights (<c>$rights</c> in <c>typenames.witx</c>): which operations a descriptor
/// permits. Base rights apply to the descriptor itself; inheriting rights bound the base rights of
/// descriptors opened through it with <c>path_open</c>.
/// </summary>
[Flags]
public enum Rights : ulong
{
    /// <summary>No rights.</summary>
    None = 0,
    /// <summary><c>fd_datasync</c>.</summary>
    FdDatasync = 1UL << 0,
    /// <summary><c>fd_read</c> and <c>sock_recv</c> (with <see cref="FdSeek"/>, also <c>fd_pread</c>).</summary>
    FdRead = 1UL << 1,
    /// <summary><c>fd_seek</c>; implies <see cref="FdTell"/>.</summary>
    FdSeek = 1UL << 2,
    /// <summary><c>fd_fdstat_set_flags</c>.</summary>
    FdFdstatSetFlags = 1UL << 3,
    /// <summary><c>fd_sync</c>.</summary>
    FdSync = 1UL << 4,
    /// <summary><c>fd_tell</c>, and <c>fd_seek</c> that leaves the offset unchanged.</summary>
    FdTell = 1UL << 5,
    /// <summary><c>fd_write</c> and <c>sock_send</c> (with <see cref="FdSeek"/>, also <c>fd_pwrite</c>).</summary>
    FdWrite = 1UL << 6,
    /// <summary><c>fd_advise</c>.</summary>
    FdAdvise = 1UL << 7,
    /// <summary><c>fd_allocate</c>.</summary>
    FdAllocate = 1UL << 8,
    /// <summary><c>path_create_directory</c>.</summary>
    PathCreateDirectory = 1UL << 9,
    /// <summary><c>path_open</c> with <see cref="OpenFlags.Create"/>.</summary>
    PathCreateFile = 1UL << 10,
    /// <summary><c>path_link</c> with the descriptor as the source directory.</summary>
    PathLinkSource = 1UL << 11,
    /// <summary><c>path_link</c> with the descriptor as the target directory.</summary>
    PathLinkTarget = 1UL << 12,
    /// <summary><c>path_open</c>.</summary>
    PathOpen = 1UL << 13,
    /// <summary><c>fd_readdir</c>.</summary>
    FdReaddir = 1UL << 14,
    /// <summary><c>path_readlink</c>.</summary>
    PathReadlink = 1UL << 15,
    /// <summary><c>path_rename</c> with the descriptor as the source directory.</summary>
    PathRenameSource = 1UL << 16,
    /// <summary><c>path_rename</c> with the descriptor as the target directory.</summary>
    PathRenameTarget = 1UL << 17,
    /// <summary><c>path_filestat_get</c>.</summary>
    PathFilestatGet = 1UL << 18,
    /// <summary>Changing a file's size through a path (<c>path_open</c> with <see cref="OpenFlags.Truncate"/>).</summary>
    PathFilestatSetSize = 1UL << 19,
    /// <summary><c>path_filestat_set_times</c>.</summary>
    PathFilestatSetTimes = 1UL << 20,
    /// <summary><c>fd_filestat_get</c>.</summary>
    FdFilestatGet = 1UL << 21,
    /// <summary><c>fd_filestat_set_size</c>.</summary>
    FdFilestatSetSize = 1UL << 22,
    /// <summary><c>fd_filestat_set_times</c>.</summary>
    FdFilestatSetTimes = 1UL << 23,
    /// <summary><c>path_symlink</c>.</summary>
    PathSymlink = 1UL << 24,
    /// <summary><c>path_remove_directory</c>.</summary>
    PathRemoveDirectory = 1UL << 25,
    /// <summary><c>path_unlink_file</c>.</summary>
    PathUnlinkFile = 1UL << 26,
    /// <summary><c>poll_oneoff</c> read/write subscriptions (given <see cref="FdRead"/> / <see cref="FdWrite"/>).</summary>
    PollFdReadwrite = 1UL << 27,
    /// <summary><c>sock_shutdown</c>.</summary>
    SockShutdown = 1UL << 28,
    /// <summary><c>sock_accept</c>.</summary>
    SockAccept = 1UL << 29,

    /// <summary>Every right defined by preview1.</summary>
    All = (1UL << 30) - 1,

    /// <summary>The rights that make sense on a regular file.</summary>
    RegularFile = FdDatasync | FdRead | FdSeek | FdFdstatSetFlags | FdSync | FdTell | FdWrite | FdAdvise
        | FdAllocate | FdFilestatGet | FdFilestatSetSize | FdFilestatSetTimes | PollFdReadwrite,

    /// <summary>The rights that make sense on a directory.</summary>
    Directory = PathCreateDirectory | PathCreateFile | PathLinkSource | PathLinkTarget | PathOpen | FdReaddir
        | PathReadlink | PathRenameSource | PathRenameTarget | PathFilestatGet | PathFilestatSetSize
        | PathFilestatSetTimes | FdFilestatGet | FdFilestatSetTimes | PathSymlink | PathRemoveDirectory
        | PathUnlinkFile,

    /// <summary>The rights that make sense on a connected or listening socket.</summary>
    Socket = FdRead | FdWrite | FdFdstatSetFlags | FdFilestatGet | PollFdReadwrite | SockShutdown | SockAccept,
}
