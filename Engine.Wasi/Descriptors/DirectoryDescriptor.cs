using Microsoft.Win32.SafeHandles;

namespace Engine.Wasi;

/// <summary>
/// A directory. Every directory descriptor is a sandbox root of its own: paths resolved through it
/// can reach only what is below it (see <see cref="PathResolver"/>). A preopened directory also
/// has the guest-visible name that <c>fd_prestat_dir_name</c> reports.
/// </summary>
/// <remarks>
/// The directory is held open and everything below it is reached through that descriptor
/// (<see cref="Handle"/>), never through a host path: the descriptor names this very directory
/// wherever it has been moved and whatever now sits at its old path, so a guest that renames an
/// open directory away and puts a link to the outside in its place changes nothing.
/// </remarks>
internal sealed class DirectoryDescriptor : Descriptor
{
    private DirectoryDescriptor(SafeFileHandle handle, string? preopenName, Rights baseRights, Rights inheritingRights)
        : base(baseRights, inheritingRights)
    {
        Handle = handle;
        PreopenName = preopenName;
    }

    /// <summary>The open directory (<c>O_RDONLY | O_DIRECTORY</c>), the start of every path resolved through it.</summary>
    public SafeFileHandle Handle { get; }

    /// <summary>The guest path this directory was preopened as, or null if opened by the guest.</summary>
    public string? PreopenName { get; }

    public override Filetype Filetype => Filetype.Directory;

    /// <summary>The entries <c>fd_readdir</c> pages through, captured when a listing starts at
    /// cookie 0, so cookies stay stable while the guest changes the directory.</summary>
    public DirectoryListing? Listing { get; set; }

    /// <summary>Opens a preopened directory at the embedder's <paramref name="hostPath"/>.</summary>
    public static DirectoryDescriptor OpenPreopen(string hostPath, string guestPath, Rights baseRights, Rights inheritingRights) =>
        new(HostFileSystem.OpenDirectory(hostPath), guestPath, baseRights, inheritingRights);

    /// <summary>Opens the directory a guest path resolved to (<paramref name="target"/>: a directory,
    /// or "." for the resolved directory itself). A link put there since is not followed.</summary>
    public static DirectoryDescriptor Open(in ResolvedPath target, Rights baseRights, Rights inheritingRights)
    {
        SafeFileHandle handle = HostFileSystem.OpenAt(target.Directory, target.Name, NativeMethods.O_RDONLY | NativeMethods.O_DIRECTORY);
        return new DirectoryDescriptor(handle, null, baseRights, inheritingRights);
    }

    /// <summary>fstat of the directory itself.</summary>
    public FileStatus GetStatus() => HostFileSystem.GetStatus(Handle);

    /// <summary>futimens of the directory itself.</summary>
    public void SetTimes(long[] timespecs) => HostFileSystem.SetTimes(Handle, timespecs);

    public override void Dispose() => Handle.Dispose();
}
