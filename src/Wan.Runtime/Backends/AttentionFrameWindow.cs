namespace Wan.Runtime.Backends;

/// <summary>
/// Sliding-window self-attention over latent frames. Tokens are frame-major (frame f holds tokens
/// [f·T, (f + 1)·T), T = <see cref="TokensPerFrame"/>, as the DiT's patchified sequence is); a query of
/// frame f attends only to the keys of frames [f − <see cref="Radius"/>, f + <see cref="Radius"/>]
/// clipped to the video. Backends skip the keys outside the window instead of masking them, so the
/// cost is (2R + 1)·T keys per query whatever the number of frames.
/// </summary>
/// <param name="TokensPerFrame">tokens per latent frame (T ≥ 1).</param>
/// <param name="Radius">frames attended on each side (R ≥ 0).</param>
public sealed record AttentionFrameWindow(int TokensPerFrame, int Radius)
{
    /// <summary>The key frames [First, End) seen by queries of <paramref name="frame"/> in a video of <paramref name="frames"/> frames.</summary>
    public (int First, int End) KeyFrames(int frame, int frames) => (Math.Max(0, frame - Radius), Math.Min(frames, frame + Radius + 1));

    /// <summary>True when every query sees every key (R ≥ frames − 1): the attention is the full one.</summary>
    public bool CoversAll(int frames) => Radius >= frames - 1;

    /// <summary>
    /// Query–key pairs scored over a video of <paramref name="frames"/> frames (per head): Σ_f T·T·|window(f)|.
    /// FLOPs per head are 4·head_dim times this (Q·Kᵀ and P·V).
    /// </summary>
    public long ScoredPairs(int frames)
    {
        long pairs = 0;
        for (int f = 0; f < frames; f++)
        {
            var (first, end) = KeyFrames(f, frames);
            pairs += (long)TokensPerFrame * TokensPerFrame * (end - first);
        }
        return pairs;
    }

    /// <summary>
    /// The frames of a self-attention of <paramref name="queryRows"/> queries over <paramref name="keyRows"/> keys, all
    /// <paramref name="validKeys"/> of them valid (no padding); throws naming the mismatch.
    /// </summary>
    /// <exception cref="ArgumentException">the window is invalid or the tokens are not whole frames.</exception>
    internal int Frames(int queryRows, int keyRows, int validKeys)
    {
        if (TokensPerFrame < 1 || Radius < 0)
        {
            throw new ArgumentException($"attention frame window: {TokensPerFrame} tokens per frame and radius {Radius} must be ≥ 1 and ≥ 0");
        }
        if (queryRows != keyRows || validKeys != keyRows || keyRows % TokensPerFrame != 0)
        {
            throw new ArgumentException($"attention frame window: self-attention over whole frames of {TokensPerFrame} tokens needed, got {queryRows} queries, {keyRows} keys ({validKeys} valid)");
        }
        return keyRows / TokensPerFrame;
    }
}
