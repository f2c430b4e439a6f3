namespace Wan.Runtime.Styles;

/// <summary>What one <see cref="StyleLibrary.Refresh"/> changed.</summary>
/// <param name="Added">Styles that became visible.</param>
/// <param name="Updated">Styles whose new version replaced the old one.</param>
/// <param name="Removed">Styles whose manifest disappeared.</param>
/// <param name="Rejected">Manifests that failed validation in this refresh, with why (an older valid version, if any, stays served).</param>
public sealed record StyleLibraryChange(
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Updated,
    IReadOnlyList<string> Removed,
    IReadOnlyList<StyleProblem> Rejected)
{
    /// <summary>Whether anything changed or failed.</summary>
    public bool Any => Added.Count + Updated.Count + Removed.Count + Rejected.Count > 0;
}
