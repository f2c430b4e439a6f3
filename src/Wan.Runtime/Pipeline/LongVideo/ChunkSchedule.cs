using Wan.Runtime.Models.Dit;

namespace Wan.Runtime.Pipeline.LongVideo;

/// <summary>
/// Chunked (autoregressive) generation settings, in latent frames: the video is generated
/// <see cref="ChunkFrames"/> latent frames at a time, each chunk fully denoised with its queries attending to itself
/// and to the rolling K/V cache of earlier chunks (<see cref="DitKvCache"/>: the last <see cref="CacheFrames"/>
/// frames, of which the first <see cref="SinkFrames"/> frames of the video are never evicted). A finished chunk is
/// re-run once at <see cref="ContextTimestep"/> to write its cache entries (Self-Forcing's pipeline/causal_inference.py,
/// step 3.3, <c>context_noise</c> = 0).
/// </summary>
/// <param name="ChunkFrames">latent frames per chunk (Self-Forcing's <c>num_frame_per_block</c>: 3), ≥ 1; the last chunk may be shorter.</param>
/// <param name="CacheFrames">earlier latent frames the cache keeps (Self-Forcing's <c>local_attn_size</c> − chunk), &gt; <paramref name="SinkFrames"/>.</param>
/// <param name="SinkFrames">first latent frames kept for good (Self-Forcing's <c>sink_size</c>), ≥ 0.</param>
/// <param name="ContextTimestep">the timestep of the cache-filling forward (0: the clean chunk).</param>
public sealed record ChunkSchedule(int ChunkFrames, int CacheFrames, int SinkFrames = 0, double ContextTimestep = 0)
{
    /// <summary>The chunks of a latent of <paramref name="latentFrames"/> frames: (first frame, frames) in order.</summary>
    /// <exception cref="ArgumentException">a setting is out of range (names it).</exception>
    public IReadOnlyList<(int Start, int Frames)> Chunks(int latentFrames)
    {
        if (ChunkFrames < 1 || CacheFrames < 1 || SinkFrames < 0 || SinkFrames >= CacheFrames || !double.IsFinite(ContextTimestep) || ContextTimestep < 0)
        {
            throw new ArgumentException($"chunked generation: chunk {ChunkFrames}, cache {CacheFrames} and sink {SinkFrames} latent frames " +
                $"(chunk ≥ 1, 0 ≤ sinks < cache) and context timestep {ContextTimestep} (≥ 0) needed");
        }
        var chunks = new List<(int, int)>();
        for (int start = 0; start < latentFrames; start += ChunkFrames)
        {
            chunks.Add((start, Math.Min(ChunkFrames, latentFrames - start)));
        }
        return chunks;
    }

    /// <summary>An empty cache of this schedule for a DiT of <paramref name="layers"/> blocks.</summary>
    public DitKvCache NewCache(int layers) => new(layers, CacheFrames, SinkFrames);
}
