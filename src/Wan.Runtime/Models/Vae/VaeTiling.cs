namespace Wan.Runtime.Models.Vae;

/// <summary>
/// Spatial tiling of the VAE decode, for bounded decode memory: the latent is cut into overlapping tiles
/// of <see cref="TileLatentPixels"/> latent pixels per side, consecutive tiles overlapping by
/// <see cref="OverlapLatentPixels"/>; each tile is decoded with its own causal frame cache and the decoded
/// tiles are blended with linear ramps <see cref="BlendLatentPixels"/> wide (8× as many video pixels) centred
/// in every overlap. On each side of a ramp the tile nearer its own edge has weight 0 over the rest of the
/// overlap, its margin of (overlap − blend)/2 latent pixels: the pixels whose convolutions saw the tile's zero
/// padding instead of the neighbour's values. With the default blend = overlap there is no margin and the
/// ramp spans the whole overlap, as diffusers' <c>AutoencoderKLWan.tiled_decode</c> blends.
/// Exactness: a decoder whose only spatial context is its convolutions (the mid-block attention is global
/// over the frame) is reproduced exactly when the margin covers its reach (<see cref="WanVae.ConvolutionReachVideoPixels"/>);
/// with the attention, tiles are never exact and the ramp hides the seam. Tiles are decoded one after another, each with its
/// own causal frame cache, so the caches, activations and im2col bands scale with the tile's area instead of the frame's;
/// the decoded tiles of the whole video are kept until the blends: <see cref="VaeDecodeMemory"/>.
/// </summary>
public sealed record VaeTiling
{
    /// <summary>
    /// Tiles of <paramref name="tileLatentPixels"/> latent pixels per side overlapping by <paramref name="overlapLatentPixels"/>,
    /// blended across <paramref name="blendLatentPixels"/> (null: the whole overlap) in the middle of each overlap.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">the tile is under 2 latent pixels, the overlap under 1 or more than half
    /// the tile, or the blend under 1 or wider than the overlap.</exception>
    public VaeTiling(int tileLatentPixels, int overlapLatentPixels, int? blendLatentPixels = null)
    {
        int blend = blendLatentPixels ?? overlapLatentPixels;
        if (tileLatentPixels < 2 || overlapLatentPixels < 1 || 2L * overlapLatentPixels > tileLatentPixels)
        {
            throw new ArgumentOutOfRangeException(nameof(overlapLatentPixels),
                $"VAE tiling: tiles of {tileLatentPixels} latent pixels overlapping by {overlapLatentPixels}: need a tile ≥ 2 and 1 ≤ overlap ≤ tile/2");
        }
        if (blend < 1 || blend > overlapLatentPixels)
        {
            throw new ArgumentOutOfRangeException(nameof(blendLatentPixels),
                $"VAE tiling: a blend of {blend} latent pixels in an overlap of {overlapLatentPixels}: need 1 ≤ blend ≤ overlap");
        }
        TileLatentPixels = tileLatentPixels;
        OverlapLatentPixels = overlapLatentPixels;
        BlendLatentPixels = blend;
    }

    /// <summary>Latent pixels per tile side (the last tile of a row or column may be shorter).</summary>
    public int TileLatentPixels { get; }

    /// <summary>Latent pixels shared by consecutive tiles.</summary>
    public int OverlapLatentPixels { get; }

    /// <summary>Latent pixels of each overlap across which the two tiles' weights ramp (the middle of the overlap).</summary>
    public int BlendLatentPixels { get; }

    /// <summary>Video pixels at each tile's interior edge that get weight 0: (overlap − blend)·scale/2, rounded down.</summary>
    public int MarginVideoPixels(int scale) => (OverlapLatentPixels - BlendLatentPixels) * scale / 2;

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
    /// pixel (<paramref name="scale"/> per latent pixel): 1 inside; across the overlap with the previous tile 0
    /// over the margin, then rising as (k + ½)/blend over the ramp; across the overlap with the next tile the
    /// mirror image, falling as 1 − (k + ½)/blend — so two tiles' weights sum to 1 at every pixel of a seam.
    /// </summary>
    internal float[] Weights(IReadOnlyList<(int Start, int Length)> spans, int index, int scale)
    {
        int length = spans[index].Length * scale, overlap = OverlapLatentPixels * scale;
        int margin = MarginVideoPixels(scale), ramp = overlap - 2 * margin;
        var weights = new float[length];
        for (int k = 0; k < length; k++)
        {
            float w = 1f;
            if (index > 0 && k < overlap)
            {
                w = Math.Clamp((k - margin + 0.5f) / ramp, 0f, 1f);
            }
            if (index < spans.Count - 1 && k >= length - overlap)
            {
                w = 1f - Math.Clamp((k - (length - overlap) - margin + 0.5f) / ramp, 0f, 1f);
            }
            weights[k] = w;
        }
        return weights;
    }
}
