namespace Engine.Wasi;

/// <summary>
/// An entry of the guest's descriptor table: a stdio stream, an open file, a directory or a socket,
/// with the preview1 rights it carries.
/// </summary>
internal abstract class Descriptor : IDisposable
{
    protected Descriptor(Rights baseRights, Rights inheritingRights)
    {
        BaseRights = baseRights;
        InheritingRights = inheritingRights;
    }

    /// <summary>Operations this descriptor permits.</summary>
    public Rights BaseRights { get; private set; }

    /// <summary>Upper bound of the base rights of descriptors opened through this one.</summary>
    public Rights InheritingRights { get; private set; }

    public abstract Filetype Filetype { get; }

    /// <summary>The <c>$fdflags</c> reported by <c>fd_fdstat_get</c>.</summary>
    public virtual FdFlags Flags => FdFlags.None;

    /// <summary>Fails unless every right in <paramref name="rights"/> is held. A missing read or
    /// write right is <see cref="Errno.BadDescriptor"/>, as POSIX reports for a descriptor not open
    /// for reading or writing; any other missing right is <see cref="Errno.NotCapable"/>.</summary>
    public void RequireRights(Rights rights)
    {
        Rights missing = rights & ~BaseRights;
        if (missing == Rights.None)
        {
            return;
        }
        bool readOrWrite = (missing & (Rights.FdRead | Rights.FdWrite)) != 0;
        ErrnoException.Throw(readOrWrite ? Errno.BadDescriptor : Errno.NotCapable);
    }

    /// <summary><c>fd_fdstat_set_rights</c>: rights can only be dropped, never added.</summary>
    public void RestrictRights(Rights baseRights, Rights inheritingRights)
    {
        if ((baseRights & ~BaseRights) != 0 || (inheritingRights & ~InheritingRights) != 0)
        {
            ErrnoException.Throw(Errno.NotCapable);
        }
        BaseRights = baseRights;
        InheritingRights = inheritingRights;
    }

    public virtual void Dispose()
    {
    }
}
