namespace Engine.Wasi;

/// <summary>
/// A directory, identified by its host path. Every directory descriptor is a sandbox root of its
/// own: paths resolved through it can reach only what is below it (see <see cref="PathResolver"/>).
/// A preopened directory also has the guest-visible name that <c>fd_prestat_dir_name</c> reports.
/// </summary>
internal sealed class DirectoryDescriptor : Descriptor
{
    public DirectoryDescriptor(string hostPath, string? preopenName, Rights baseRights, Rights inheritingRights)
        : base(baseRights, inheritingRights)
    {
        HostPath = hostPath;
        PreopenName = preopenName;
    }

    /// <summary>Absolute host path, without a trailing separator (except for "/" itself).</summary>
    public string HostPath { get; }

    /// <summary>The guest path this directory was preopened as, or null if opened by the guest.</summary>
    public string? PreopenName { get; }

    public override Filetype Filetype => Filetype.Directory;

    /// <summary>The entries <c>fd_readdir</c> pages through, captured when a listing starts at
    /// cookie 0, so cookies stay stable while the guest changes the directory.</summary>
    public DirectoryListing? Listing { get; set; }
}
