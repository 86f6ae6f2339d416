using System.Diagnostics.CodeAnalysis;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Engine.Wasi;

/// <summary>
/// Resolves a guest path against a directory descriptor without ever leaving it, even while the
/// directory tree changes underneath.
/// </summary>
/// <remarks>
/// <para>
/// The host kernel is never handed a path it could resolve outside the sandbox, nor one it could
/// resolve differently from how it was checked. The resolver walks the guest path one component
/// at a time, holding an open descriptor for each directory it has entered below the starting
/// directory descriptor:
/// </para>
/// <list type="bullet">
/// <item><c>""</c> and <c>"."</c> are skipped; <c>".."</c> closes the innermost descriptor and goes
/// back to the one it was opened from (never <c>openat(..)</c>), and going back past the start is
/// an escape.</item>
/// <item>Each other component but the last is opened with
/// <c>openat(current, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)</c>. If it is a
/// symbolic link, the resolver reads it (<c>readlinkat</c>) and walks its target's components in
/// front of the rest of the path, the same way; the kernel never follows it. An absolute target
/// is an escape. After <see cref="MaxSymlinkExpansions"/> expansions the path is
/// <see cref="Errno.Loop"/>. Anything else than a directory is <see cref="Errno.NotDirectory"/>,
/// a missing component <see cref="Errno.NoEntry"/>.</item>
/// <item>The last component is looked at with <c>statx(current, name, AT_SYMLINK_NOFOLLOW)</c>;
/// a link there is followed the same way only when the caller asks
/// (<c>LOOKUPFLAGS_SYMLINK_FOLLOW</c>). A trailing slash makes the path end in <c>"."</c>, as in
/// cap-std: the name before it is then a directory on the way (a link there is followed), and the
/// path names that directory itself (callers that treat the slash otherwise, such as
/// <c>path_create_directory</c>, remove it first).</item>
/// </list>
/// <para>
/// The result (<see cref="ResolvedPath"/>) is the descriptor of the directory that holds the
/// final entry and the entry's name. Every operation then acts on that pair with a <c>*at</c>
/// call that does not follow a link in the name (<c>openat</c> with <c>O_NOFOLLOW</c>,
/// <c>unlinkat</c>, <c>renameat</c>, <c>linkat</c>, <c>symlinkat</c>, <c>mkdirat</c>,
/// <c>statx</c>/<c>utimensat</c> with <c>AT_SYMLINK_NOFOLLOW</c>, <c>readlinkat</c>). A
/// descriptor keeps naming the directory it was opened on whatever is renamed or replaced around
/// it, so another guest (or host process) swapping a directory of the path for a link between
/// the check and the use can only make the operation fail or act inside the sandbox, never
/// outside it: the race of <c>SandboxRaceTests</c>.
/// </para>
/// <para>
/// Escapes (absolute paths, <c>..</c> above the start, links to absolute paths, links whose
/// target climbs above the start) fail with <see cref="Errno.NotPermitted"/>, which is what
/// wasmtime (cap-std) returns for them.
/// </para>
/// </remarks>
internal static class PathResolver
{
    /// <summary>The same limit as Linux's MAXSYMLINKS.</summary>
    public const int MaxSymlinkExpansions = 40;

    private const int LinuxEnotdir = 20;
    private const int LinuxEloop = 40;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Resolves <paramref name="path"/> relative to <paramref name="start"/>. The caller disposes the result.
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

        var walk = new Walk(start.Handle);
        try
        {
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
                if (!isLast)
                {
                    walk.EnterDirectory(component);
                    continue;
                }
                FileStatus? status = HostFileSystem.TryGetStatus(walk.Current, component);
                if (status is { IsSymlink: true } && followFinalSymlink)
                {
                    walk.ExpandSymlink(component);
                    continue;
                }
                return walk.Finish(component, status);
            }
            // The path ended in "." or ".." (or "/"): it names a directory already entered (or the start).
            return walk.FinishAtCurrentDirectory();
        }
        catch
        {
            walk.Dispose();
            throw;
        }
    }

    private static bool IsAbsolute(string path) => path[0] == '/';

    /// <summary>
    /// The state of one resolution: components still to walk, and the descriptors of the
    /// directories entered below the start (the start itself is borrowed, never closed).
    /// </summary>
    private sealed class Walk : IDisposable
    {
        private readonly SafeFileHandle _start;
        private readonly Stack<string> _pending = new();
        private readonly List<SafeFileHandle> _entered = [];
        private int _expansions;

        public Walk(SafeFileHandle start)
        {
            _start = start;
        }

        public bool IsEmpty => _pending.Count == 0;

        /// <summary>The directory the next component is looked up in.</summary>
        public SafeFileHandle Current => _entered.Count == 0 ? _start : _entered[^1];

        /// <summary>Queues the components of <paramref name="path"/> ahead of what is pending. A
        /// trailing slash adds a final ".": the name before it must then be a directory, and a
        /// link there is followed, whatever the caller asked for the last component (as cap-std).</summary>
        public void PushComponents(string path)
        {
            if (path.EndsWith('/'))
            {
                _pending.Push(".");
            }
            string[] components = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            for (int i = components.Length - 1; i >= 0; i--)
            {
                _pending.Push(components[i]);
            }
        }

        public bool TryPop([MaybeNullWhen(false)] out string component) => _pending.TryPop(out component);

        /// <summary>Opens the directory <paramref name="name"/> of the current one, or expands it if it is a link.</summary>
        public void EnterDirectory(string name)
        {
            int flags = NativeMethods.O_PATH | NativeMethods.O_DIRECTORY;
            if (HostFileSystem.TryOpenAt(Current, name, flags, out int errno) is { } directory)
            {
                _entered.Add(directory);
                return;
            }
            if (errno is not (LinuxEnotdir or LinuxEloop))
            {
                throw new ErrnoException(ErrnoMapping.FromLinux(errno));
            }
            // Not a directory, as O_NOFOLLOW sees it: a link (expanded here), or really not one.
            if (HostFileSystem.TryReadLink(Current, name, out int linkErrno) is { } target)
            {
                Expand(target);
                return;
            }
            throw new ErrnoException(HostFileSystem.IsNotALink(linkErrno) ? Errno.NotDirectory : ErrnoMapping.FromLinux(linkErrno));
        }

        public void LeaveDirectory()
        {
            if (_entered.Count == 0)
            {
                // ".." above the directory the resolution started from.
                throw new ErrnoException(Errno.NotPermitted);
            }
            _entered[^1].Dispose();
            _entered.RemoveAt(_entered.Count - 1);
        }

        /// <summary>Walks the target of the link <paramref name="name"/> (of the current directory) next.</summary>
        public void ExpandSymlink(string name) => Expand(HostFileSystem.ReadLink(Current, name));

        private void Expand(byte[] rawTarget)
        {
            if (++_expansions > MaxSymlinkExpansions)
            {
                throw new ErrnoException(Errno.Loop);
            }
            string target = DecodeLinkTarget(rawTarget);
            if (target.Length == 0)
            {
                throw new ErrnoException(Errno.NoEntry);
            }
            if (IsAbsolute(target))
            {
                throw new ErrnoException(Errno.NotPermitted);
            }
            PushComponents(target);
        }

        /// <summary>The result for entry <paramref name="name"/> of the current directory, which it takes over.</summary>
        public ResolvedPath Finish(string name, FileStatus? status) => TakeCurrent(name, status, namesDirectoryItself: false);

        /// <summary>The result for the current directory itself, named "." in itself.</summary>
        public ResolvedPath FinishAtCurrentDirectory() => TakeCurrent(".", HostFileSystem.GetStatus(Current), namesDirectoryItself: true);

        private ResolvedPath TakeCurrent(string name, FileStatus? status, bool namesDirectoryItself)
        {
            bool owned = _entered.Count > 0;
            SafeFileHandle directory = Current;
            if (owned)
            {
                _entered.RemoveAt(_entered.Count - 1);
            }
            Dispose();
            return new ResolvedPath(directory, owned, name, status, namesDirectoryItself);
        }

        /// <summary>Closes every descriptor the walk still holds.</summary>
        public void Dispose()
        {
            foreach (SafeFileHandle directory in _entered)
            {
                directory.Dispose();
            }
            _entered.Clear();
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
}

/// <summary>
/// Where a guest path leads: an open descriptor of the directory that holds the entry, the
/// entry's name in it, and its status without following a link (null when it does not exist
/// yet, e.g. a file about to be created). Dispose it when the operation is done.
/// </summary>
internal readonly struct ResolvedPath : IDisposable
{
    private readonly bool _ownsDirectory;

    public ResolvedPath(SafeFileHandle directory, bool ownsDirectory, string name, FileStatus? status, bool namesDirectoryItself)
    {
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        Name = name;
        Status = status;
        NamesDirectoryItself = namesDirectoryItself;
    }

    /// <summary>The directory containing the entry (an <c>O_PATH</c> descriptor below the start, or the start's own).</summary>
    public SafeFileHandle Directory { get; }

    /// <summary>The entry's name in <see cref="Directory"/>; <c>"."</c> when the path named that directory itself.</summary>
    public string Name { get; }

    /// <summary>The entry's status without following a link, or null if it is missing.</summary>
    public FileStatus? Status { get; }

    /// <summary>The path ended in "." or ".." or "/", naming a directory rather than an entry of one.</summary>
    public bool NamesDirectoryItself { get; }

    public bool Exists => Status is not null;

    public bool IsDirectory => Status is { IsDirectory: true };

    public bool IsSymlink => Status is { IsSymlink: true };

    public void Dispose()
    {
        if (_ownsDirectory)
        {
            Directory.Dispose();
        }
    }
}
