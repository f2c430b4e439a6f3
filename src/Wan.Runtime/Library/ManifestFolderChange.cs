namespace Wan.Runtime.Library;

/// <summary>What one <see cref="ManifestFolder{T, TProblem}.Refresh"/> changed.</summary>
/// <param name="Added">Names that became visible.</param>
/// <param name="Updated">Names whose new version replaced the old one.</param>
/// <param name="Removed">Names whose manifest disappeared.</param>
/// <param name="Rejected">Manifests that failed validation in this refresh, with why (an older valid version, if any, stays served).</param>
public sealed record ManifestFolderChange(
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Updated,
    IReadOnlyList<string> Removed,
    IReadOnlyList<ManifestProblem> Rejected)
{
    /// <summary>Whether anything changed or failed.</summary>
    public bool Any => Added.Count + Updated.Count + Removed.Count + Rejected.Count > 0;
}
