namespace Engine.Wasi;

/// <summary>
/// The guest's descriptor numbers. A new descriptor takes the lowest free number, as in POSIX; the
/// embedder's stdio takes 0-2 and preopens follow from 3, which is where wasi-libc looks for them.
/// </summary>
internal sealed class FdTable : IDisposable
{
    /// <summary>The highest number <see cref="Renumber"/> moves a descriptor to, plus one (POSIX's
    /// usual <c>RLIMIT_NOFILE</c>: <c>dup2</c> beyond it is <c>EBADF</c>).</summary>
    public const uint RenumberLimit = 1024;

    private readonly List<Descriptor?> _entries = [];

    /// <summary>Installs <paramref name="descriptor"/> at the lowest free number.</summary>
    public uint Add(Descriptor descriptor)
    {
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
        replaced?.Dispose();
    }

    public void Dispose()
    {
        for (int fd = 0; fd < _entries.Count; fd++)
        {
            _entries[fd]?.Dispose();
            _entries[fd] = null;
        }
    }
}
