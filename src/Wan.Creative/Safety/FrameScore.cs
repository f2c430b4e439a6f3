namespace Wan.Creative.Safety;

/// <summary>One sampled frame's score.</summary>
/// <param name="Frame">Frame index (0-based).</param>
/// <param name="Score">The classifier's score for it.</param>
public readonly record struct FrameScore(int Frame, double Score);
