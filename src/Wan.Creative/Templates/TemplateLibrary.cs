using Wan.Runtime.Library;

namespace Wan.Creative.Templates;

/// <summary>
/// The prompt templates of a folder (<c>NAME.json</c>, <see cref="TemplateManifest"/>), hot-reloaded through the
/// shared <see cref="ManifestFolder{T, TProblem}"/>: a broken edit keeps the previous version served and is reported in
/// <see cref="Problems"/>. Thread-safe.
/// </summary>
public sealed class TemplateLibrary : IDisposable
{
    private readonly ManifestFolder<PromptTemplate, TemplateException> _folder;

    private TemplateLibrary(ManifestFolder<PromptTemplate, TemplateException> folder)
    {
        _folder = folder;
    }

    /// <summary>The templates folder (absolute).</summary>
    public string Directory => _folder.Directory;

    /// <summary>The visible templates, by name.</summary>
    public IReadOnlyDictionary<string, PromptTemplate> Templates => _folder.Items;

    /// <summary>Manifests that failed their last validation, by name.</summary>
    public IReadOnlyDictionary<string, ManifestProblem> Problems => _folder.Problems;

    /// <summary>Raised after every refresh that changed something or found a problem.</summary>
    public event EventHandler<ManifestFolderChange>? Changed
    {
        add => _folder.Changed += value;
        remove => _folder.Changed -= value;
    }

    /// <summary>Opens the library on <paramref name="directory"/> and loads every manifest.</summary>
    /// <param name="directory">The templates folder.</param>
    /// <param name="watch">Refresh on file changes (false: only <see cref="Refresh"/>).</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static TemplateLibrary Open(string directory, bool watch = true)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"{full}: templates folder not found");
        }
        return new TemplateLibrary(new ManifestFolder<PromptTemplate, TemplateException>(full, TemplateManifest.Load, _ => [], watch));
    }

    /// <summary>The template called <paramref name="name"/>.</summary>
    /// <exception cref="TemplateException">No visible template has that name (the message lists the known ones and, if the manifest is broken, why).</exception>
    public PromptTemplate Get(string name)
    {
        if (Templates.TryGetValue(name, out var template))
        {
            return template;
        }
        var why = Problems.TryGetValue(name, out var problem) ? $"its manifest is invalid: {problem.Message}" : "no such template";
        var known = Templates.Count == 0 ? "none" : string.Join(", ", Templates.Keys);
        throw new TemplateException($"template '{name}' in {Directory}: {why} (templates: {known})");
    }

    /// <summary>Rescans the folder now; returns what changed.</summary>
    public ManifestFolderChange Refresh() => _folder.Refresh();

    /// <summary>Stops watching.</summary>
    public void Dispose() => _folder.Dispose();
}
