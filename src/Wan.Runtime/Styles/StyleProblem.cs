namespace Wan.Runtime.Styles;

/// <summary>A manifest that failed validation.</summary>
/// <param name="Name">The style name (manifest file name without .json).</param>
/// <param name="Message">Why, in one line (file, field, problem).</param>
/// <param name="ServingPrevious">True when an earlier valid version of the style is still served.</param>
public sealed record StyleProblem(string Name, string Message, bool ServingPrevious);
