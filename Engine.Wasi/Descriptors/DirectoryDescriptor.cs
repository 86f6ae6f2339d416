using Microsoft.Win32.SafeHandles;

namespace Engine.Wasi;

/// <summary>
/// A directory. Every directory descriptor is a sandbox root of its own: paths resolved through it
/// can reach only what is below it (see <see cref="PathResolver"/>). A preopened directory also
/// has the guest-visible name that <c>fd_prestat_dir_name</c> reports.
/// </summary>
/// <remarks>
/// The directory is held open, and its <see cref="HostPath"/> is <c>/proc/self/fd/N</c> of that
/// open descriptor: the kernel resolves it to this very directory, wherever it has been moved and
/// whatever now sits at its old path. Keeping the path string instead would let a guest rename
/// an open directory away, put a link to the outside in its place, and have the kernel follow it.
/// </remarks>
internal sealed class DirectoryDescriptor : Descriptor
{
    private readonly SafeFileHandle _handle;

    private DirectoryDescriptor(SafeFileHandle handle, string? preopenName, Rights baseRights, Rights inheritingRights)
        : base(baseRights, inheritingRights)
    {
        _handle = handle;
        PreopenName = preopenName;
        HostPath = $"/proc/self/fd/{handle.DangerousGetHandle()}";
    }

    /// <summary>A host path that names this directory for as long as the descriptor is open.</summary>
    public string HostPath { get; }

    /// <summary>The guest path this directory was preopened as, or null if opened by the guest.</summary>
    public string? PreopenName { get; }

    public override Filetype Filetype => Filetype.Directory;

    /// <summary>The entries <c>fd_readdir</c> pages through, captured when a listing starts at
    /// cookie 0, so cookies stay stable while the guest changes the directory.</summary>
    public DirectoryListing? Listing { get; set; }

    /// <summary>Opens the directory at <paramref name="hostPath"/> (whose last component must not
    /// be a symbolic link).</summary>
    public static DirectoryDescriptor Open(string hostPath, string? preopenName, Rights baseRights, Rights inheritingRights)
    {
        SafeFileHandle handle = HostFileSystem.Open(hostPath, NativeMethods.O_RDONLY | NativeMethods.O_DIRECTORY, 0);
        return new DirectoryDescriptor(handle, preopenName, baseRights, inheritingRights);
    }

    /// <summary>fstat of the directory itself.</summary>
    public FileStatus GetStatus() => HostFileSystem.GetStatus(_handle);

    /// <summary>futimens of the directory itself.</summary>
    public void SetTimes(long[] timespecs) => HostFileSystem.SetTimes(_handle, timespecs);

    public override void Dispose() => _handle.Dispose();
}
