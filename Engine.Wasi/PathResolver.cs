using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Engine.Wasi;

/// <summary>
/// Resolves a guest path against a directory descriptor without ever leaving it.
/// </summary>
/// <remarks>
/// <para>
/// The host kernel is never handed a path it could resolve outside the sandbox. The resolver walks
/// the guest path one component at a time, keeping the list of real directories it has entered
/// below the starting directory:
/// </para>
/// <list type="bullet">
/// <item><c>""</c> and <c>"."</c> are skipped; <c>".."</c> pops one directory, and popping past the
/// start is an escape.</item>
/// <item>Each other component is looked at with <c>lstat</c>. A symbolic link is expanded here, not
/// by the kernel: its target's components are pushed in front of the rest of the path and walked
/// the same way, so a link can reach only what the guest could name itself. An absolute target is
/// an escape. After <see cref="MaxSymlinkExpansions"/> expansions the path is
/// <see cref="Errno.Loop"/>.</item>
/// <item>Every component but the last must be a directory (<see cref="Errno.NotDirectory"/>);
/// a missing one is <see cref="Errno.NoEntry"/>. A link in the last component is followed only
/// when the caller asks (<c>LOOKUPFLAGS_SYMLINK_FOLLOW</c>).</item>
/// </list>
/// <para>
/// Escapes (absolute paths, <c>..</c> above the start, links to absolute paths) fail with
/// <see cref="Errno.NotPermitted"/>, which is what wasmtime (cap-std) returns for them.
/// </para>
/// <para>
/// The result is a host path that starts at the directory descriptor's pinned
/// <c>/proc/self/fd/N</c> (see <see cref="DirectoryDescriptor"/>), continues with components that
/// were verified to be real directories, and ends with a final name. Operations on it use calls
/// that do not follow a link in the last component (<c>O_NOFOLLOW</c>, <c>AT_SYMLINK_NOFOLLOW</c>,
/// <c>unlink</c>, <c>rename</c>), so swapping the final entry for a link between resolution and
/// use cannot redirect the operation. What remains is the race where another host process
/// replaces one of the intermediate directories by a link in that window; the guest itself
/// cannot cause it (a preview1 guest is single-threaded, and each call resolves and acts before
/// the next one starts).
/// </para>
/// </remarks>
internal static class PathResolver
{
    /// <summary>The same limit as Linux's MAXSYMLINKS.</summary>
    public const int MaxSymlinkExpansions = 40;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Resolves <paramref name="path"/> relative to <paramref name="start"/>.
    /// </summary>
    /// <param name="start">The directory the path is relative to; the result stays below it.</param>
    /// <param name="path">The guest path (relative, '/'-separated).</param>
    /// <param name="followFinalSymlink">Whether a symbolic link in the last component is expanded.</param>
    public static ResolvedPath Resolve(DirectoryDescriptor start, string path, bool followFinalSymlink)
    {
        if (path.Length == 0)
        {
            throw new ErrnoException(Errno.NoEntry);
        }
        if (path.Contains('\0'))
        {
            throw new ErrnoException(Errno.Invalid);
        }
        if (IsAbsolute(path))
        {
            throw new ErrnoException(Errno.NotPermitted);
        }

        var walk = new Walk(start.HostPath, requiresDirectory: path.EndsWith('/'));
        walk.PushComponents(path);
        while (walk.TryPop(out string? component))
        {
            bool isLast = walk.IsEmpty;
            if (component == ".")
            {
                continue;
            }
            if (component == "..")
            {
                walk.LeaveDirectory();
                continue;
            }

            string hostPath = walk.PathOf(component);
            FileStatus? status = HostFileSystem.TryGetStatus(hostPath);
            if (status is not { } existing)
            {
                return isLast ? walk.Missing(component) : throw new ErrnoException(Errno.NoEntry);
            }
            if (existing.IsSymlink && (!isLast || followFinalSymlink))
            {
                walk.ExpandSymlink(hostPath, isLast);
                continue;
            }
            if (!isLast)
            {
                if (!existing.IsDirectory)
                {
                    throw new ErrnoException(Errno.NotDirectory);
                }
                walk.EnterDirectory(component);
                continue;
            }
            return walk.Found(component, existing);
        }
        // The path ended in "." or "..": it names a directory already entered (or the start).
        return walk.CurrentDirectory();
    }

    private static bool IsAbsolute(string path) => path[0] == '/';

    /// <summary>The state of one resolution: components still to walk and directories entered.</summary>
    private sealed class Walk
    {
        private readonly string _root;
        private readonly Stack<string> _pending = new();
        private readonly List<string> _entered = [];
        private int _expansions;
        private bool _requiresDirectory;

        public Walk(string root, bool requiresDirectory)
        {
            _root = root;
            _requiresDirectory = requiresDirectory;
        }

        public bool IsEmpty => _pending.Count == 0;

        /// <summary>Queues the components of <paramref name="path"/> ahead of what is pending.</summary>
        public void PushComponents(string path)
        {
            string[] components = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            for (int i = components.Length - 1; i >= 0; i--)
            {
                _pending.Push(components[i]);
            }
        }

        public bool TryPop([MaybeNullWhen(false)] out string component) => _pending.TryPop(out component);

        public void EnterDirectory(string name) => _entered.Add(name);

        public void LeaveDirectory()
        {
            if (_entered.Count == 0)
            {
                // ".." above the directory the resolution started from.
                throw new ErrnoException(Errno.NotPermitted);
            }
            _entered.RemoveAt(_entered.Count - 1);
        }

        public void ExpandSymlink(string hostPath, bool isLast)
        {
            if (++_expansions > MaxSymlinkExpansions)
            {
                throw new ErrnoException(Errno.Loop);
            }
            string target = DecodeLinkTarget(HostFileSystem.ReadLink(hostPath));
            if (target.Length == 0)
            {
                throw new ErrnoException(Errno.NoEntry);
            }
            if (IsAbsolute(target))
            {
                throw new ErrnoException(Errno.NotPermitted);
            }
            if (isLast && target.EndsWith('/'))
            {
                _requiresDirectory = true;
            }
            PushComponents(target);
        }

        public string PathOf(string name) => Combine(DirectoryPath(), name);

        public ResolvedPath Found(string name, FileStatus status)
        {
            if (_requiresDirectory && !status.IsDirectory)
            {
                throw new ErrnoException(Errno.NotDirectory);
            }
            return new ResolvedPath(DirectoryPath(), name, status, _requiresDirectory);
        }

        public ResolvedPath Missing(string name) => new(DirectoryPath(), name, null, _requiresDirectory);

        public ResolvedPath CurrentDirectory()
        {
            // The start directory is named "<root>/.": its root alone is a /proc magic link, which
            // lstat, O_NOFOLLOW and AT_SYMLINK_NOFOLLOW would see as a link.
            string directory = _entered.Count == 0 ? Combine(_root, ".") : DirectoryPath();
            return new ResolvedPath(directory, null, HostFileSystem.GetStatus(directory), RequiresDirectory: true);
        }

        private string DirectoryPath()
        {
            var builder = new StringBuilder(_root);
            foreach (string name in _entered)
            {
                AppendComponent(builder, name);
            }
            return builder.ToString();
        }

        private static string DecodeLinkTarget(byte[] target)
        {
            try
            {
                return s_strictUtf8.GetString(target);
            }
            catch (DecoderFallbackException)
            {
                throw new ErrnoException(Errno.IllegalSequence);
            }
        }
    }

    /// <summary>Appends one path component to a host path.</summary>
    public static string Combine(string directory, string name)
    {
        var builder = new StringBuilder(directory);
        AppendComponent(builder, name);
        return builder.ToString();
    }

    private static void AppendComponent(StringBuilder builder, string name)
    {
        if (builder.Length == 0 || builder[^1] != '/')
        {
            builder.Append('/');
        }
        builder.Append(name);
    }
}

/// <summary>
/// Where a guest path leads: the host directory that holds the entry, the entry's name in it,
/// and its <c>lstat</c> (null when it does not exist yet, e.g. a file about to be created).
/// </summary>
/// <param name="DirectoryHostPath">The real directory containing the entry.</param>
/// <param name="Name">The entry's name, or null when the path named that directory itself
/// (it ended in "." or "..").</param>
/// <param name="Status">The entry's status without following a link, or null if it is missing.</param>
/// <param name="RequiresDirectory">The path ended with '/': only a directory will do.</param>
internal readonly record struct ResolvedPath(string DirectoryHostPath, string? Name, FileStatus? Status, bool RequiresDirectory)
{
    /// <summary>The host path of the entry itself.</summary>
    public string HostPath => Name is null ? DirectoryHostPath : PathResolver.Combine(DirectoryHostPath, Name);

    public bool Exists => Status is not null;

    /// <summary>The path ended in "." or "..", naming a directory rather than an entry of one.</summary>
    public bool NamesDirectoryItself => Name is null;

    public bool IsDirectory => Status is { IsDirectory: true };

    public bool IsSymlink => Status is { IsSymlink: true };
}
