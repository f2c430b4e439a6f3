namespace Wan.Runtime.Models.Vae;

/// <summary>
/// Spatial tiling of the VAE decode, for bounded decode memory: the latent is cut into overlapping tiles
/// of <see cref="TileLatentPixels"/> latent pixels per side, consecutive tiles overlapping by
/// <see cref="OverlapLatentPixels"/>; each tile is decoded with its own causal frame cache and the
/// decoded tiles are blended with linear ramps across every overlap (8× as many video pixels), as
/// diffusers' <c>AutoencoderKLWan.tiled_decode</c> does. Tiles are not exact: near a seam a tile lacks the
/// context beyond its edge, which the blend hides. The activations and im2col of one decoder step then scale
/// with the tile's area instead of the frame's; the frame caches of all tiles together still scale with
/// the frame (plus the overlaps).
/// </summary>
/// <exception cref="ArgumentOutOfRangeException">the tile is under 2 latent pixels, the overlap under 1, or more than half the tile.</exception>
public sealed record VaeTiling
{
    /// <summary>Tiles of <paramref name="tileLatentPixels"/> latent pixels per side overlapping by <paramref name="overlapLatentPixels"/>.</summary>
    public VaeTiling(int tileLatentPixels, int overlapLatentPixels)
    {
        if (tileLatentPixels < 2 || overlapLatentPixels < 1 || 2 * overlapLatentPixels > tileLatentPixels)
        {
            throw new ArgumentOutOfRangeException(nameof(overlapLatentPixels),
                $"VAE tiling: tiles of {tileLatentPixels} latent pixels overlapping by {overlapLatentPixels}: need a tile ≥ 2 and 1 ≤ overlap ≤ tile/2");
        }
        TileLatentPixels = tileLatentPixels;
        OverlapLatentPixels = overlapLatentPixels;
    }

    /// <summary>Latent pixels per tile side (the last tile of a row or column may be shorter).</summary>
    public int TileLatentPixels { get; }

    /// <summary>Latent pixels shared by consecutive tiles.</summary>
    public int OverlapLatentPixels { get; }

    /// <summary>
    /// The tiles along one latent side of <paramref name="extent"/> pixels: starts every tile − overlap pixels,
    /// each tile clipped to the side, none that would only repeat the previous tile's overlap.
    /// </summary>
    internal IReadOnlyList<(int Start, int Length)> Spans(int extent)
    {
        var spans = new List<(int, int)>();
        int stride = TileLatentPixels - OverlapLatentPixels;
        for (int start = 0; start == 0 || start + OverlapLatentPixels < extent; start += stride)
        {
            spans.Add((start, Math.Min(TileLatentPixels, extent - start)));
        }
        return spans;
    }

    /// <summary>
    /// The blend weights of tile <paramref name="index"/> of <paramref name="spans"/> along one side, per video
    /// pixel (<paramref name="scale"/> per latent pixel): 1 inside, rising as (k + ½)/overlap across the overlap
    /// with the previous tile and falling as 1 − (k + ½)/overlap across the one with the next, so that the
    /// two tiles' weights sum to 1 at every pixel of a seam.
    /// </summary>
    internal float[] Weights(IReadOnlyList<(int Start, int Length)> spans, int index, int scale)
    {
        int length = spans[index].Length * scale, overlap = OverlapLatentPixels * scale;
        var weights = new float[length];
        for (int k = 0; k < length; k++)
        {
            float w = 1f;
            if (index > 0 && k < overlap)
            {
                w = (k + 0.5f) / overlap;
            }
            if (index < spans.Count - 1 && k >= length - overlap)
            {
                w = 1f - (k - (length - overlap) + 0.5f) / overlap;
            }
            weights[k] = w;
        }
        return weights;
    }
}
