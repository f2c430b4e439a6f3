using Wan.Runtime.Library;

namespace Wan.Runtime.Styles;

/// <summary>
/// The styles of a folder (<c>NAME.json</c> manifests, <see cref="StyleManifest"/>), kept current without a restart by
/// the shared <see cref="ManifestFolder{T, TProblem}"/>: <see cref="Refresh"/> rescans now; with watching on, a
/// <see cref="FileSystemWatcher"/> on the folder triggers a refresh <see cref="WatchDelay"/> after the last file event
/// of a burst. A new or changed manifest (or LoRA file it names) is validated in full before it becomes visible; if it
/// fails, the previous valid version stays served and the problem is reported (<see cref="Problems"/>, the
/// <see cref="Changed"/> event). A removed manifest removes its style. Thread-safe: readers see an immutable snapshot;
/// refreshes are serialised.
/// </summary>
public sealed class StyleLibrary : IDisposable
{
    /// <summary>Quiet time after the last file event before a watcher-triggered refresh (editors write in bursts).</summary>
    public static readonly TimeSpan WatchDelay = ManifestFolder<Style, StyleException>.WatchDelay;

    private readonly ManifestFolder<Style, StyleException> _folder;

    private StyleLibrary(ManifestFolder<Style, StyleException> folder)
    {
        _folder = folder;
        _folder.Changed += (_, change) => Changed?.Invoke(this, ToStyleChange(change));
        _folder.WatchFailed += (_, e) => WatchFailed?.Invoke(this, e);
    }

    /// <summary>The styles folder (absolute).</summary>
    public string Directory => _folder.Directory;

    /// <summary>The visible styles, by name.</summary>
    public IReadOnlyDictionary<string, Style> Styles => _folder.Items;

    /// <summary>Manifests that failed their last validation, by name.</summary>
    public IReadOnlyDictionary<string, StyleProblem> Problems => _folder.Problems.ToDictionary(p => p.Key, p => ToStyleProblem(p.Value), StringComparer.Ordinal);

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
        // A replaced LoRA file revalidates the style that names it.
        return new StyleLibrary(new ManifestFolder<Style, StyleException>(full, path => StyleManifest.Load(path, validator), style => style.Loras.Select(l => l.Path), watch));
    }

    /// <summary>The style called <paramref name="name"/>.</summary>
    /// <exception cref="StyleException">No visible style has that name (the message lists the known ones and, if the manifest is broken, why).</exception>
    public Style Get(string name)
    {
        if (Styles.TryGetValue(name, out var style))
        {
            return style;
        }
        var why = _folder.Problems.TryGetValue(name, out var problem) ? $"its manifest is invalid: {problem.Message}" : "no such style";
        throw new StyleException($"style '{name}' in {Directory}: {why} (styles: {(Styles.Count == 0 ? "none" : string.Join(", ", Styles.Keys))})");
    }

    /// <summary>Rescans the folder now: validates new and changed manifests, drops removed ones; returns what changed.</summary>
    public StyleLibraryChange Refresh() => ToStyleChange(_folder.Refresh());

    private static StyleProblem ToStyleProblem(ManifestProblem p) => new(p.Name, p.Message, p.ServingPrevious);

    private static StyleLibraryChange ToStyleChange(ManifestFolderChange c) => new(c.Added, c.Updated, c.Removed, [.. c.Rejected.Select(ToStyleProblem)]);

    /// <summary>Stops watching.</summary>
    public void Dispose() => _folder.Dispose();
}
