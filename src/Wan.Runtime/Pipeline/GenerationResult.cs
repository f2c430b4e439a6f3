using Wan.Runtime.Pipeline.Caching;
using Wan.Runtime.Video;

namespace Wan.Runtime.Pipeline;

/// <summary>A finished generation: the final latent, the decoded video and where the time went.</summary>
public sealed record GenerationResult(
    float[] Latent,
    int[] LatentShape,
    VideoFrames Video,
    TimeSpan TextEncoding,
    TimeSpan Denoising,
    TimeSpan Decoding)
{
    /// <summary>What step caching did (forwards computed and skipped); null when the request asked for none.</summary>
    public StepCacheStatistics? StepCache { get; init; }
}
