using System.Collections.Immutable;

namespace Wan.Runtime.Library;

/// <summary>
/// A folder of <c>NAME.json</c> manifests kept current without a restart — the machinery shared by the style library
/// and the prompt-template library. <see cref="Refresh"/> rescans now; with watching on, a <see cref="FileSystemWatcher"/>
/// triggers a refresh <see cref="WatchDelay"/> after the last file event of a burst. A new or changed manifest (or a
/// file it depends on) is validated in full by the loader before it becomes visible; if the loader throws
/// <typeparamref name="TProblem"/>, the previous valid version stays served and the problem is reported
/// (<see cref="Problems"/>, <see cref="Changed"/>). A removed manifest removes its item.
/// Thread-safe: readers see an immutable snapshot; refreshes are serialised.
/// </summary>
/// <typeparam name="T">The validated item a manifest describes (immutable).</typeparam>
/// <typeparam name="TProblem">The exception the loader throws for an unusable manifest (anything else escapes).</typeparam>
public sealed class ManifestFolder<T, TProblem> : IDisposable
    where T : class
    where TProblem : Exception
{
    /// <summary>Quiet time after the last file event before a watcher-triggered refresh (editors write in bursts).</summary>
    public static readonly TimeSpan WatchDelay = TimeSpan.FromMilliseconds(250);

    private readonly Func<string, T> _load;
    private readonly Func<T, IEnumerable<string>> _dependencies;
    private readonly object _refreshLock = new();
    private readonly Dictionary<string, string> _fingerprints = new(StringComparer.Ordinal);
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer? _debounce;
    private ImmutableSortedDictionary<string, T> _items = ImmutableSortedDictionary<string, T>.Empty.WithComparers(StringComparer.Ordinal);
    private ImmutableSortedDictionary<string, ManifestProblem> _problems = ImmutableSortedDictionary<string, ManifestProblem>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Opens the folder and loads every manifest.</summary>
    /// <param name="directory">The folder (must exist).</param>
    /// <param name="load">Reads and fully validates one manifest file; throws <typeparamref name="TProblem"/> when it is unusable.</param>
    /// <param name="dependencies">Files a loaded item depends on besides its manifest (a replaced one revalidates the item).</param>
    /// <param name="watch">Refresh on file changes (false: only <see cref="Refresh"/>).</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public ManifestFolder(string directory, Func<string, T> load, Func<T, IEnumerable<string>> dependencies, bool watch)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(Directory))
        {
            throw new DirectoryNotFoundException($"{Directory}: folder not found");
        }
        _load = load ?? throw new ArgumentNullException(nameof(load));
        _dependencies = dependencies ?? throw new ArgumentNullException(nameof(dependencies));
        Refresh();
        if (watch)
        {
            _debounce = new Timer(_ => RefreshFromWatcher());
            _watcher = new FileSystemWatcher(Directory) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.DirectoryName };
            _watcher.Changed += OnFileEvent;
            _watcher.Created += OnFileEvent;
            _watcher.Deleted += OnFileEvent;
            _watcher.Renamed += OnFileEvent;
            _watcher.EnableRaisingEvents = true;
        }
    }

    /// <summary>The folder (absolute).</summary>
    public string Directory { get; }

    /// <summary>The visible items, by name.</summary>
    public IReadOnlyDictionary<string, T> Items => _items;

    /// <summary>Manifests that failed their last validation, by name.</summary>
    public IReadOnlyDictionary<string, ManifestProblem> Problems => _problems;

    /// <summary>Raised after every refresh that changed something or found a problem (on the refreshing thread).</summary>
    public event EventHandler<ManifestFolderChange>? Changed;

    /// <summary>Raised when a watcher-triggered refresh itself failed (e.g. the folder was deleted, or a Changed handler threw).</summary>
    public event EventHandler<Exception>? WatchFailed;

    /// <summary>Rescans the folder now: validates new and changed manifests, drops removed ones; returns what changed.</summary>
    /// <exception cref="IOException">The folder cannot be listed.</exception>
    public ManifestFolderChange Refresh()
    {
        ManifestFolderChange change;
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

    private ManifestFolderChange RefreshLocked()
    {
        var manifests = System.IO.Directory.EnumerateFiles(Directory, "*.json", SearchOption.TopDirectoryOnly)
            .ToDictionary(p => Path.GetFileNameWithoutExtension(p), StringComparer.Ordinal);
        var items = _items;
        var problems = _problems;
        List<string> added = [], updated = [], removed = [];
        List<ManifestProblem> rejected = [];

        foreach (var name in items.Keys.Concat(problems.Keys).Distinct().Where(n => !manifests.ContainsKey(n)).ToList())
        {
            if (items.ContainsKey(name))
            {
                removed.Add(name);
            }
            items = items.Remove(name);
            problems = problems.Remove(name);
            _fingerprints.Remove(name);
        }

        foreach (var (name, path) in manifests.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            var manifestHash = HashOf(path);
            var fingerprint = Fingerprint(manifestHash, items.GetValueOrDefault(name));
            // A rejected manifest is revalidated every time: a file it lacked may have appeared.
            if (_fingerprints.TryGetValue(name, out var known) && known == fingerprint && !problems.ContainsKey(name))
            {
                continue;
            }
            try
            {
                var item = _load(path);
                _fingerprints[name] = Fingerprint(manifestHash, item);
                (items.ContainsKey(name) ? updated : added).Add(name);
                items = items.SetItem(name, item);
                problems = problems.Remove(name);
            }
            catch (TProblem e)
            {
                var problem = new ManifestProblem(name, e.Message, items.ContainsKey(name));
                problems = problems.SetItem(name, problem);
                rejected.Add(problem);
            }
        }
        _items = items;
        _problems = problems;
        return new ManifestFolderChange(added, updated, removed, rejected);
    }

    /// <summary>What a manifest's validity depends on: its bytes and, for a served item, each dependency's size and write time.</summary>
    private string Fingerprint(string manifestHash, T? current)
    {
        static string Stamp(string file)
        {
            var info = new FileInfo(file);
            return info.Exists ? $"{info.Length}@{info.LastWriteTimeUtc.Ticks}" : "missing";
        }
        var files = current is null ? "" : string.Join(";", _dependencies(current).Select(f => $"{f}={Stamp(f)}"));
        return $"{manifestHash}|{files}";
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
            // An event that raced with Dispose: the folder is closed, nothing to refresh.
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
