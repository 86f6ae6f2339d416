namespace Engine.Wasi;

// The small enumerations and flag sets of typenames.witx, with their exact numeric encodings.

/// <summary>The type of a descriptor or file (<c>$filetype</c>).</summary>
public enum Filetype : byte
{
    /// <summary>Unknown, or different from any other type (e.g. a pipe).</summary>
    Unknown = 0,
    /// <summary>A block device.</summary>
    BlockDevice = 1,
    /// <summary>A character device (a terminal, <c>/dev/null</c>).</summary>
    CharacterDevice = 2,
    /// <summary>A directory.</summary>
    Directory = 3,
    /// <summary>A regular file.</summary>
    RegularFile = 4,
    /// <summary>A datagram socket.</summary>
    SocketDgram = 5,
    /// <summary>A byte-stream socket.</summary>
    SocketStream = 6,
    /// <summary>A symbolic link.</summary>
    SymbolicLink = 7,
}

/// <summary>Descriptor flags (<c>$fdflags</c>).</summary>
[Flags]
public enum FdFlags : ushort
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary>Writes always append to the end of the file.</summary>
    Append = 1 << 0,
    /// <summary>Synchronized data-integrity writes.</summary>
    Dsync = 1 << 1,
    /// <summary>Non-blocking mode.</summary>
    Nonblock = 1 << 2,
    /// <summary>Synchronized reads.</summary>
    Rsync = 1 << 3,
    /// <summary>Synchronized file-integrity writes.</summary>
    Sync = 1 << 4,
}

/// <summary>How <c>path_open</c> opens a file (<c>$oflags</c>).</summary>
[Flags]
public enum OpenFlags : ushort
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary>Create the file if it does not exist.</summary>
    Create = 1 << 0,
    /// <summary>Fail unless the path names a directory.</summary>
    Directory = 1 << 1,
    /// <summary>With <see cref="Create"/>: fail if the file exists.</summary>
    Exclusive = 1 << 2,
    /// <summary>Truncate the file to size 0.</summary>
    Truncate = 1 << 3,
}

/// <summary>How paths are resolved (<c>$lookupflags</c>).</summary>
[Flags]
public enum LookupFlags : uint
{
    /// <summary>A symbolic link in the last component is not followed.</summary>
    None = 0,
    /// <summary>A symbolic link in the last component is followed.</summary>
    SymlinkFollow = 1 << 0,
}

/// <summary>Which timestamps <c>*_filestat_set_times</c> changes (<c>$fstflags</c>).</summary>
[Flags]
public enum FstFlags : ushort
{
    /// <summary>Change nothing.</summary>
    None = 0,
    /// <summary>Set the access time to the given value.</summary>
    AccessTime = 1 << 0,
    /// <summary>Set the access time to the current real time.</summary>
    AccessTimeNow = 1 << 1,
    /// <summary>Set the modification time to the given value.</summary>
    ModifyTime = 1 << 2,
    /// <summary>Set the modification time to the current real time.</summary>
    ModifyTimeNow = 1 << 3,
}

/// <summary>The base of a <c>fd_seek</c> offset (<c>$whence</c>).</summary>
public enum Whence : byte
{
    /// <summary>From the start of the file.</summary>
    Set = 0,
    /// <summary>From the current offset.</summary>
    Current = 1,
    /// <summary>From the end of the file.</summary>
    End = 2,
}

/// <summary>Access-pattern advice for <c>fd_advise</c> (<c>$advice</c>).</summary>
public enum Advice : byte
{
    /// <summary>No particular pattern.</summary>
    Normal = 0,
    /// <summary>Sequential access.</summary>
    Sequential = 1,
    /// <summary>Random access.</summary>
    Random = 2,
    /// <summary>Will be needed soon.</summary>
    WillNeed = 3,
    /// <summary>Will not be needed soon.</summary>
    DontNeed = 4,
    /// <summary>Accessed once.</summary>
    NoReuse = 5,
}

/// <summary>A clock (<c>$clockid</c>).</summary>
public enum ClockId : uint
{
    /// <summary>Wall-clock time; zero is 1970-01-01T00:00:00Z.</summary>
    Realtime = 0,
    /// <summary>A clock that never goes backwards; its epoch is meaningless.</summary>
    Monotonic = 1,
    /// <summary>CPU time of the process (not supported: <see cref="Errno.Invalid"/>).</summary>
    ProcessCputime = 2,
    /// <summary>CPU time of the thread (not supported: <see cref="Errno.Invalid"/>).</summary>
    ThreadCputime = 3,
}

/// <summary>The kind of a <c>poll_oneoff</c> subscription or event (<c>$eventtype</c>).</summary>
public enum EventType : byte
{
    /// <summary>A clock reached a time.</summary>
    Clock = 0,
    /// <summary>A descriptor has data to read.</summary>
    FdRead = 1,
    /// <summary>A descriptor can accept data to write.</summary>
    FdWrite = 2,
}

/// <summary>Flags of a clock subscription (<c>$subclockflags</c>).</summary>
[Flags]
public enum SubclockFlags : ushort
{
    /// <summary>The timeout is relative to now.</summary>
    None = 0,
    /// <summary>The timeout is an absolute time of the subscription's clock.</summary>
    Absolute = 1 << 0,
}

/// <summary>State of a descriptor in a read/write event (<c>$eventrwflags</c>).</summary>
[Flags]
public enum EventRwFlags : ushort
{
    /// <summary>Nothing to report.</summary>
    None = 0,
    /// <summary>The peer closed the connection (or a file is at its end).</summary>
    Hangup = 1 << 0,
}

/// <summary>Flags of <c>sock_recv</c> (<c>$riflags</c>).</summary>
[Flags]
public enum RiFlags : ushort
{
    /// <summary>Normal receive.</summary>
    None = 0,
    /// <summary>Leave the data in the receive queue.</summary>
    Peek = 1 << 0,
    /// <summary>Wait until all buffers are full (byte streams).</summary>
    WaitAll = 1 << 1,
}

/// <summary>Flags returned by <c>sock_recv</c> (<c>$roflags</c>).</summary>
[Flags]
public enum RoFlags : ushort
{
    /// <summary>Nothing to report.</summary>
    None = 0,
    /// <summary>The message was truncated.</summary>
    DataTruncated = 1 << 0,
}

/// <summary>Which directions <c>sock_shutdown</c> closes (<c>$sdflags</c>).</summary>
[Flags]
public enum SdFlags : byte
{
    /// <summary>Nothing (invalid for <c>sock_shutdown</c>).</summary>
    None = 0,
    /// <summary>Disable further receives.</summary>
    Read = 1 << 0,
    /// <summary>Disable further sends.</summary>
    Write = 1 << 1,
}
