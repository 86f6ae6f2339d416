namespace Engine.Wasi;

/// <summary>
/// The guest's descriptor numbers. A new descriptor takes the lowest free number, as in POSIX; the
/// embedder's stdio takes 0-2 and preopens follow from 3, which is where wasi-libc looks for them.
/// </summary>
internal sealed class FdTable : IDisposable
{
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

    /// <summary><c>fd_renumber</c>: moves <paramref name="from"/> to <paramref name="to"/>, closing
    /// what was at <paramref name="to"/>. Both must be open (as in wasmtime).</summary>
    public void Renumber(uint from, uint to)
    {
        Descriptor moving = Get(from);
        Descriptor replaced = Get(to);
        if (from == to)
        {
            return;
        }
        _entries[(int)to] = moving;
        _entries[(int)from] = null;
        replaced.Dispose();
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
