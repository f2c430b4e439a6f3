namespace Wan.Creative.Safety;

/// <summary>How <see cref="FrameClassifier"/> scores a video.</summary>
public sealed record FrameClassifierOptions
{
    /// <summary>A sampled frame scoring above this fails the video (the model's output units, e.g. a probability).</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>How many frames are scored, evenly spread from the first to the last (all of them when the video is shorter).</summary>
    public int SampledFrames { get; init; } = 8;

    /// <summary>Which column of a [N, C] output is the "unsafe" score (ignored for [N] and [N, 1] outputs).</summary>
    public int ScoreIndex { get; init; }
}
