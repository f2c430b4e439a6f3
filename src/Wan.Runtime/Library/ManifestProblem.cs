namespace Wan.Runtime.Library;

/// <summary>A manifest of a <see cref="ManifestFolder{T, TProblem}"/> that failed validation.</summary>
/// <param name="Name">The manifest's name (file name without .json).</param>
/// <param name="Message">Why, in one line (file, field, problem).</param>
/// <param name="ServingPrevious">True when an earlier valid version is still served.</param>
public sealed record ManifestProblem(string Name, string Message, bool ServingPrevious);
