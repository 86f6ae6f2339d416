using Engine.Core;

namespace Engine.Runtime.Caching;

/// <summary>
/// A folder of compiled code (<see cref="EngineConfig.CacheDirectory"/>): one entry per module and code settings, named
/// by the hash of both (<see cref="CodeSettings.Key"/>), holding the functions a run of the module compiled. Safe for
/// several processes at once: an entry is written to a temporary file and renamed over the old one (an atomic
/// replacement on one file system), so a reader sees a whole old entry or a whole new one, never a mix; every entry
/// carries its settings and a checksum (<see cref="CodeFile"/>), so a damaged or foreign one is ignored. The folder is
/// kept under a size cap by removing the entries used least recently (a hit refreshes an entry's time).
/// </summary>
internal sealed class CodeCache
{
    /// <summary>The extension of cache entries.</summary>
    public const string Extension = ".wcode";

    private const string TemporaryExtension = ".tmp";

    public CodeCache(string directory, long maxBytes)
    {
        Directory = directory;
        MaxBytes = maxBytes;
    }

    /// <summary>The cache folder.</summary>
    public string Directory { get; }

    /// <summary>The size the folder is kept under.</summary>
    public long MaxBytes { get; }

    /// <summary>The path of the entry for <paramref name="key"/>.</summary>
    public string PathOf(string key) => Path.Combine(Directory, key + Extension);

    /// <summary>
    /// The entry for <paramref name="key"/>, checked: null when there is none; a <see cref="CodeFileException"/> when
    /// it is damaged or does not match (<paramref name="settings"/> and <paramref name="moduleHash"/>), so the caller
    /// can say why it compiles instead.
    /// </summary>
    public CodeFileContents? TryRead(string key, CodeSettings settings, byte[] moduleHash, ModuleInfo module)
    {
        string path = PathOf(key);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CodeFileException($"cannot read {path}: {e.Message}");
        }
        CodeFileContents contents = CodeFile.Read(bytes, module: module);
        if (contents.Kind != CodeFileKind.CacheEntry || !contents.ModuleHash.AsSpan().SequenceEqual(moduleHash))
        {
            throw new CodeFileException("an entry of another module");
        }
        if (contents.Settings.Mismatch(settings) is { } mismatch)
        {
            throw new CodeFileException(mismatch, incompatible: true);
        }
        Touch(path);
        return contents;
    }

    /// <summary>
    /// Writes the entry for <paramref name="key"/> (atomically: a temporary file renamed over the old entry), then trims
    /// the folder to its cap. Returns the bytes written. Failures to write are the caller's to report; the run goes on.
    /// </summary>
    public long Write(string key, CodeFileContents contents)
    {
        System.IO.Directory.CreateDirectory(Directory);
        byte[] bytes = CodeFile.Write(contents);
        string path = PathOf(key);
        string temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}{TemporaryExtension}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
        Trim(keep: path);
        return bytes.Length;
    }

    /// <summary>
    /// Removes the least recently used entries until the folder is at most <see cref="MaxBytes"/> (never
    /// <paramref name="keep"/>, the entry just written), and temporary files a crashed writer left (older than an hour).
    /// </summary>
    public void Trim(string? keep = null)
    {
        var entries = new List<FileInfo>();
        long total = 0;
        foreach (FileInfo file in new DirectoryInfo(Directory).EnumerateFiles())
        {
            if (file.Name.EndsWith(TemporaryExtension, StringComparison.Ordinal))
            {
                if (file.LastWriteTimeUtc < DateTime.UtcNow.AddHours(-1))
                {
                    TryDelete(file.FullName);
                }
                continue;
            }
            if (file.Name.EndsWith(Extension, StringComparison.Ordinal))
            {
                entries.Add(file);
                total += file.Length;
            }
        }
        foreach (FileInfo file in entries.OrderBy(f => f.LastWriteTimeUtc))
        {
            if (total <= MaxBytes)
            {
                break;
            }
            if (file.FullName == keep)
            {
                continue;
            }
            if (TryDelete(file.FullName))
            {
                total -= file.Length;
            }
        }
    }

    /// <summary>Marks an entry used now (what least-recently-used eviction goes by; access times are often not kept).</summary>
    private static void Touch(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another process replaced or removed it meanwhile: what was read stays good.
        }
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // Modules whose entries are written when the process exits (weakly held: a module nobody uses is gone, and what it
    // compiled with it).
    private static readonly List<WeakReference<Module>> s_exitWrites = new();
    private static bool s_exitHooked;

    /// <summary>Writes <paramref name="module"/>'s entry when the process exits (if it compiled something new by then).</summary>
    public static void WriteAtExit(Module module)
    {
        lock (s_exitWrites)
        {
            s_exitWrites.RemoveAll(w => !w.TryGetTarget(out _));
            s_exitWrites.Add(new WeakReference<Module>(module));
            if (!s_exitHooked)
            {
                s_exitHooked = true;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => WriteAll();
            }
        }
    }

    private static void WriteAll()
    {
        Module[] modules;
        lock (s_exitWrites)
        {
            modules = s_exitWrites.Select(w => w.TryGetTarget(out Module? m) ? m : null).OfType<Module>().ToArray();
            s_exitWrites.Clear();
        }
        foreach (Module module in modules)
        {
            try
            {
                module.WriteCache();
            }
            catch (Exception)
            {
                // The process is ending: a cache that cannot be written is only a slower next start.
            }
        }
    }

    /// <summary>The default cache folder: <c>$XDG_CACHE_HOME/wasm-engine</c>, else <c>~/.cache/wasm-engine</c> (as wasmtime's).</summary>
    public static string DefaultDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "wasm-engine");
    }
}
