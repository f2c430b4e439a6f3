using System.Collections.Immutable;

namespace Wan.Runtime.Styles;

/// <summary>
/// The styles of a folder (<c>NAME.json</c> manifests, <see cref="StyleManifest"/>), kept current without a restart:
/// <see cref="Refresh"/> rescans now; with watching on, a <see cref="FileSystemWatcher"/> on the folder triggers a
/// refresh <see cref="WatchDelay"/> after the last file event of a burst. A new or changed manifest (or LoRA file it
/// names) is validated in full before it becomes visible; if it fails, the previous valid version stays served and the
/// problem is reported (<see cref="Problems"/>, the <see cref="Changed"/> event). A removed manifest removes its style.
/// Thread-safe: readers see an immutable snapshot; refreshes are serialised.
/// </summary>
public sealed class StyleLibrary : IDisposable
{
    /// <summary>Quiet time after the last file event before a watcher-triggered refresh (editors write in bursts).</summary>
    public static readonly TimeSpan WatchDelay = TimeSpan.FromMilliseconds(250);

    private readonly ILoraFileValidator _validator;
    private readonly object _refreshLock = new();
    private readonly Dictionary<string, string> _fingerprints = new(StringComparer.Ordinal);
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer? _debounce;
    private ImmutableSortedDictionary<string, Style> _styles = ImmutableSortedDictionary<string, Style>.Empty.WithComparers(StringComparer.Ordinal);
    private ImmutableSortedDictionary<string, StyleProblem> _problems = ImmutableSortedDictionary<string, StyleProblem>.Empty.WithComparers(StringComparer.Ordinal);

    private StyleLibrary(string directory, ILoraFileValidator validator, bool watch)
    {
        Directory = directory;
        _validator = validator;
        Refresh();
        if (watch)
        {
            _debounce = new Timer(_ => RefreshFromWatcher());
            _watcher = new FileSystemWatcher(directory) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.DirectoryName };
            _watcher.Changed += OnFileEvent;
            _watcher.Created += OnFileEvent;
            _watcher.Deleted += OnFileEvent;
            _watcher.Renamed += OnFileEvent;
            _watcher.EnableRaisingEvents = true;
        }
    }

    /// <summary>The styles folder (absolute).</summary>
    public string Directory { get; }

    /// <summary>The visible styles, by name.</summary>
    public IReadOnlyDictionary<string, Style> Styles => _styles;

    /// <summary>Manifests that failed their last validation, by name.</summary>
    public IReadOnlyDictionary<string, StyleProblem> Problems => _problems;

    /// <summary>Raised after every refresh that changed something or found a problem (on the refreshing thread).</summary>
    public event EventHandler<StyleLibraryChange>? Changed;

    /// <summary>Raised when a watcher-triggered refresh itself failed (e.g. the folder was deleted, or a Changed handler threw).</summary>
    public event EventHandler<Exception>? WatchFailed;

    /// <summary>Opens the library on <paramref name="directory"/> and loads every manifest.</summary>
    /// <param name="directory">The styles folder.</param>
    /// <param name="validator">Checks the LoRA files styles name.</param>
    /// <param name="watch">Refresh on file changes (false: only <see cref="Refresh"/>).</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static StyleLibrary Open(string directory, ILoraFileValidator validator, bool watch = true)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(validator);
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"{full}: styles folder not found");
        }
        return new StyleLibrary(full, validator, watch);
    }

    /// <summary>The style called <paramref name="name"/>.</summary>
    /// <exception cref="StyleException">No visible style has that name (the message lists the known ones and, if the manifest is broken, why).</exception>
    public Style Get(string name)
    {
        if (_styles.TryGetValue(name, out var style))
        {
            return style;
        }
        var why = _problems.TryGetValue(name, out var problem) ? $"its manifest is invalid: {problem.Message}" : "no such style";
        throw new StyleException($"style '{name}' in {Directory}: {why} (styles: {(_styles.IsEmpty ? "none" : string.Join(", ", _styles.Keys))})");
    }

    /// <summary>Rescans the folder now: validates new and changed manifests, drops removed ones; returns what changed.</summary>
    public StyleLibraryChange Refresh()
    {
        StyleLibraryChange change;
        lock (_refreshLock)
        {
            change = RefreshLocked();
        }
        if (change.Any)
        {
            Changed?.Invoke(this, change);
        }
        return change;
    }

    private StyleLibraryChange RefreshLocked()
    {
        var manifests = System.IO.Directory.EnumerateFiles(Directory, "*.json", SearchOption.TopDirectoryOnly)
            .ToDictionary(p => Path.GetFileNameWithoutExtension(p), StringComparer.Ordinal);
        var styles = _styles;
        var problems = _problems;
        List<string> added = [], updated = [], removed = [];
        List<StyleProblem> rejected = [];

        foreach (var name in styles.Keys.Concat(problems.Keys).Distinct().Where(n => !manifests.ContainsKey(n)).ToList())
        {
            if (styles.ContainsKey(name))
            {
                removed.Add(name);
            }
            styles = styles.Remove(name);
            problems = problems.Remove(name);
            _fingerprints.Remove(name);
        }

        foreach (var (name, path) in manifests.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            var manifestHash = HashOf(path);
            var fingerprint = Fingerprint(manifestHash, styles.GetValueOrDefault(name));
            // A rejected manifest is revalidated every time: the LoRA file it lacked may have appeared.
            if (_fingerprints.TryGetValue(name, out var known) && known == fingerprint && !problems.ContainsKey(name))
            {
                continue;
            }
            try
            {
                var style = StyleManifest.Load(path, _validator);
                _fingerprints[name] = Fingerprint(manifestHash, style);
                (styles.ContainsKey(name) ? updated : added).Add(name);
                styles = styles.SetItem(name, style);
                problems = problems.Remove(name);
            }
            catch (StyleException e)
            {
                var problem = new StyleProblem(name, e.Message, styles.ContainsKey(name));
                problems = problems.SetItem(name, problem);
                rejected.Add(problem);
            }
        }
        _styles = styles;
        _problems = problems;
        return new StyleLibraryChange(added, updated, removed, rejected);
    }

    /// <summary>
    /// What a manifest's validity depends on: its bytes and, for a served style, each LoRA file's size and write time
    /// (a replaced LoRA file revalidates the style).
    /// </summary>
    private static string Fingerprint(string manifestHash, Style? current)
    {
        string Stamp(string file)
        {
            var info = new FileInfo(file);
            return info.Exists ? $"{info.Length}@{info.LastWriteTimeUtc.Ticks}" : "missing";
        }
        var loras = current is null ? "" : string.Join(";", current.Loras.Select(l => $"{l.Path}={Stamp(l.Path)}"));
        return $"{manifestHash}|{loras}";
    }

    /// <summary>SHA-256 of the manifest's bytes; "unreadable" while it cannot be read (e.g. being replaced).</summary>
    private static string HashOf(string path)
    {
        try
        {
            return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unreadable";
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        try
        {
            _debounce?.Change(WatchDelay, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // An event that raced with Dispose: the library is closed, nothing to refresh.
        }
    }

    /// <summary>Runs on a timer thread, where an escaping exception would end the process: every failure is reported instead.</summary>
    private void RefreshFromWatcher()
    {
        try
        {
            Refresh();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            WatchFailed?.Invoke(this, e);
        }
    }

    /// <summary>Stops watching.</summary>
    public void Dispose()
    {
        _watcher?.Dispose();
        _debounce?.Dispose();
    }
}
