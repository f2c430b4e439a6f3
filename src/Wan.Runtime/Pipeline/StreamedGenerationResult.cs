using Wan.Runtime.Pipeline.Caching;

namespace Wan.Runtime.Pipeline;

/// <summary>A finished generation whose video went to a sink: the final latent and where the time went.</summary>
/// <param name="Latent">the final latent, [16, F, H/8, W/8] flattened.</param>
/// <param name="LatentShape">its shape.</param>
/// <param name="TextEncoding">time spent tokenizing and encoding the prompts.</param>
/// <param name="Denoising">time spent denoising.</param>
/// <param name="Decoding">time spent decoding, including the sink's writing.</param>
public sealed record StreamedGenerationResult(
    float[] Latent,
    int[] LatentShape,
    TimeSpan TextEncoding,
    TimeSpan Denoising,
    TimeSpan Decoding)
{
    /// <summary>What step caching did (forwards computed and skipped); null when the request asked for none.</summary>
    public StepCacheStatistics? StepCache { get; init; }
}
