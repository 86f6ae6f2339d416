namespace Engine.Wasi;

/// <summary>
/// The guest's descriptor numbers. A new descriptor takes the lowest free number, as in POSIX; the
/// embedder's stdio takes 0-2 and preopens follow from 3, which is where wasi-libc looks for them.
/// </summary>
/// <remarks>
/// The table holds at most <see cref="Limit"/> descriptors, the embedder's included: beyond that
/// the guest gets <see cref="Errno.TooManyFiles"/> (<c>EMFILE</c>) and no host descriptor is
/// opened, so a guest that opens files in a loop runs out of its own quota, never the process's
/// (whose stdout, stderr and everything else keep working).
/// </remarks>
internal sealed class FdTable : IDisposable
{
    /// <summary>The highest number <see cref="Renumber"/> moves a descriptor to, plus one (POSIX's
    /// usual <c>RLIMIT_NOFILE</c>: <c>dup2</c> beyond it is <c>EBADF</c>).</summary>
    public const uint RenumberLimit = 1024;

    private readonly List<Descriptor?> _entries = [];
    private int _open;

    public FdTable(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        Limit = limit;
    }

    /// <summary>The most descriptors open at once.</summary>
    public int Limit { get; }

    /// <summary>Fails with <see cref="Errno.TooManyFiles"/> when the table is full: called before a
    /// host descriptor is opened for the guest.</summary>
    public void RequireRoom()
    {
        if (_open >= Limit)
        {
            ErrnoException.Throw(Errno.TooManyFiles);
        }
    }

    /// <summary>Installs <paramref name="descriptor"/> at the lowest free number; when the table is
    /// full, disposes it and fails with <see cref="Errno.TooManyFiles"/>.</summary>
    public uint Add(Descriptor descriptor)
    {
        if (_open >= Limit)
        {
            descriptor.Dispose();
            ErrnoException.Throw(Errno.TooManyFiles);
        }
        return Install(descriptor);
    }

    /// <summary>Installs one of the embedder's descriptors (stdio, preopens, sockets) whatever the limit.</summary>
    public uint AddProvided(Descriptor descriptor) => Install(descriptor);

    private uint Install(Descriptor descriptor)
    {
        _open++;
        int free = _entries.IndexOf(null);
        if (free < 0)
        {
            _entries.Add(descriptor);
            return (uint)(_entries.Count - 1);
        }
        _entries[free] = descriptor;
        return (uint)free;
    }

    /// <summary>The descriptor numbered <paramref name="fd"/>, or <see cref="Errno.BadDescriptor"/>.</summary>
    public Descriptor Get(uint fd)
    {
        if (fd >= (uint)_entries.Count || _entries[(int)fd] is not { } descriptor)
        {
            throw new ErrnoException(Errno.BadDescriptor);
        }
        return descriptor;
    }

    /// <summary>The descriptor as a <typeparamref name="T"/>; another kind fails with
    /// <paramref name="wrongKind"/>.</summary>
    public T Get<T>(uint fd, Errno wrongKind = Errno.BadDescriptor)
        where T : Descriptor =>
        Get(fd) as T ?? throw new ErrnoException(wrongKind);

    /// <summary>Closes <paramref name="fd"/>; closing a free number is <see cref="Errno.BadDescriptor"/>.</summary>
    public void Close(uint fd)
    {
        Descriptor descriptor = Get(fd);
        _entries[(int)fd] = null;
        _open--;
        descriptor.Dispose();
    }

    /// <summary>
    /// <c>fd_renumber</c>: moves <paramref name="from"/> to <paramref name="to"/>, closing what was at
    /// <paramref name="to"/>. <paramref name="from"/> must be open; <paramref name="to"/> may be a free
    /// number below <see cref="RenumberLimit"/>, as with <c>dup2</c>.
    /// </summary>
    /// <remarks>
    /// wasmtime's own preview1 host refuses a free target with <c>EBADF</c>; its preview1 adapter for
    /// components (what the browser and Node builds of such programs run on) and wasmer accept it, and
    /// programs rely on that: Yosys saves stdout with <c>fd_renumber(1, spare)</c>, redirects with
    /// <c>fd_renumber(file, 1)</c> while its linked-in ABC runs, and restores with
    /// <c>fd_renumber(spare, 1)</c>. With a strict target every step after the first fails, stdout
    /// stays closed, and (descriptors taking the lowest free number) the next file the program opens
    /// becomes fd 1 and receives its log.
    /// </remarks>
    public void Renumber(uint from, uint to)
    {
        Descriptor moving = Get(from);
        if (from == to)
        {
            return;
        }
        Descriptor? replaced = null;
        if (to < (uint)_entries.Count)
        {
            replaced = _entries[(int)to];
        }
        else if (to < RenumberLimit)
        {
            while ((uint)_entries.Count <= to)
            {
                _entries.Add(null);
            }
        }
        else
        {
            throw new ErrnoException(Errno.BadDescriptor);
        }
        _entries[(int)to] = moving;
        _entries[(int)from] = null;
        if (replaced is not null)
        {
            _open--;
            replaced.Dispose();
        }
    }

    public void Dispose()
    {
        for (int fd = 0; fd < _entries.Count; fd++)
        {
            _entries[fd]?.Dispose();
            _entries[fd] = null;
        }
        _open = 0;
    }
}
