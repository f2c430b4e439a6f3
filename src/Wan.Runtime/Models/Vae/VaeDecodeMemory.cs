using Wan.Errors;
using Wan.Runtime.Config;

namespace Wan.Runtime.Models.Vae;

/// <summary>
/// The modelled device memory of a Wan VAE decode (<see cref="WanVae.DecodeChunks"/>) beside its weights and the caller's latent,
/// and the tiling a memory budget asks for. The decoder keeps a causal frame cache (2 input frames of every 3-frame-deep conv and
/// of each temporal upsampler's time conv) for the frame, or for the one tile being decoded; a tiled decode also keeps every
/// tile's decoded video until the blends (the whole video plus its overlaps). One decoder step at a time holds, at its widest op, the residual block's
/// input, the norm output, the cache-joined conv input, the output and the shortcut, the im2col band (at most the backend's column
/// budget, at least one output row) and the new cache slice.
/// The mid-block attention holds q, k, v, its output and a score band within the same column budget. The model follows
/// VaeDecoder/VaeResidualBlock/VaeResample/CausalConv3d of this folder (Decoder3d of the official wan/modules/vae2_1.py) and
/// is an upper bound: DryRunDevice recordings (VaeDecodeMemoryTests) stay at or under it, within a factor 1.5.
/// </summary>
public static class VaeDecodeMemory
{
    /// <summary>The smallest tile a budget may choose, in latent pixels per side (64 video pixels at scale 8).</summary>
    public const int MinimumTileLatentPixels = 8;

    /// <summary>
    /// The tiling of <paramref name="tileLatentPixels"/>-pixel tiles used by a budget and by <c>wan generate --vae-tile</c>: overlap a quarter
    /// of the tile (diffusers' 256/192-pixel proportion), blended across half the overlap so each tile's outermost quarter of the
    /// overlap, the pixels its zero padding disturbs most, gets weight 0 (on the fixture's local decoder that margin cuts the
    /// seam error 4.7× against a ramp over the whole overlap: docs/engine.md).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">the tile is under 4 latent pixels.</exception>
    public static VaeTiling TilingOf(int tileLatentPixels)
    {
        if (tileLatentPixels < 4)
        {
            throw new ArgumentOutOfRangeException(nameof(tileLatentPixels), tileLatentPixels, "VAE tiles must be at least 4 latent pixels");
        }
        int overlap = tileLatentPixels / 4;
        return new VaeTiling(tileLatentPixels, overlap, Math.Max(1, overlap / 2));
    }

    /// <summary>
    /// Modelled peak device bytes of decoding a latent [z_dim, <paramref name="frames"/>, <paramref name="height"/>, <paramref name="width"/>]
    /// with <paramref name="tiling"/> (null: whole frames), tensors of <paramref name="elementSize"/> bytes, im2col bands of at most
    /// <paramref name="columnBytes"/>: everything the decode allocates, not its weights nor the latent it is given.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">a size below 1.</exception>
    /// <exception cref="OverflowException">the sizes overflow 64-bit bytes.</exception>
    public static long PeakBytes(VaeConfig config, int frames, int height, int width, VaeTiling? tiling, int elementSize, long columnBytes)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (frames < 1 || height < 1 || width < 1 || elementSize < 1 || columnBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(frames), $"VAE decode memory: latent {frames}×{height}×{width}, {elementSize}-byte elements, {columnBytes}-byte columns: every size must be ≥ 1");
        }
        var rows = tiling?.Spans(height) ?? [(0, height)];
        var columns = tiling?.Spans(width) ?? [(0, width)];
        var layers = new DecoderLayers(config, frames > 1);
        long scale = config.SpatialScale, chunkFrames = frames > 1 ? config.TemporalScale : 1;
        long videoFrames = 1 + (long)config.TemporalScale * (frames - 1);
        long caches = 0, widest = 0, tileVideos = 0;
        foreach (var (_, h) in rows)
        {
            foreach (var (_, w) in columns)
            {
                long pixels = (long)h * w;
                caches = Math.Max(caches, layers.CacheElements(pixels));
                widest = Math.Max(widest, layers.StepBytes(pixels, w, elementSize, columnBytes));
                tileVideos = checked(tileVideos + config.OutChannels * videoFrames * pixels * scale * scale);
            }
        }
        // Whole frames: the one chunk being decoded. Tiles: every tile's decoded video is kept until the blends, plus one blended chunk
        // and the tile's latent window.
        long chunk = checked(config.OutChannels * chunkFrames * height * width * scale * scale);
        long outputs = tiling is null ? chunk : checked(tileVideos + chunk + (long)config.ZDim * frames * rows.Max(r => r.Length) * columns.Max(c => c.Length));
        // The scaled and post-quant latents (two copies at the affine → conv hand-over).
        long latent = checked(2L * config.ZDim * frames * height * width);
        return checked(elementSize * (caches + outputs + latent) + widest);
    }

    /// <summary>
    /// The tiling <paramref name="budgetBytes"/> asks for: null when whole frames fit, else the largest square tile
    /// (<see cref="TilingOf"/>) whose <see cref="PeakBytes"/> fits.
    /// </summary>
    /// <exception cref="RequestException">no tiling fits (the message names the least any tiling of at least <see cref="MinimumTileLatentPixels"/> needs, and its tile).</exception>
    public static VaeTiling? Choose(VaeConfig config, int frames, int height, int width, int elementSize, long columnBytes, long budgetBytes)
    {
        if (PeakBytes(config, frames, height, width, null, elementSize, columnBytes) <= budgetBytes)
        {
            return null;
        }
        (int Tile, long Bytes)? least = null;
        for (int tile = Math.Max(height, width) - 1; tile >= MinimumTileLatentPixels; tile--)
        {
            var tiling = TilingOf(tile);
            long peak = PeakBytes(config, frames, height, width, tiling, elementSize, columnBytes);
            if (peak <= budgetBytes)
            {
                return tiling;
            }
            // Not monotonic: smaller tiles overlap more, and every tile's decoded video is kept until the blends.
            least = least is { } l && l.Bytes <= peak ? l : (tile, peak);
        }
        var (leastTile, needed) = least ?? (0, PeakBytes(config, frames, height, width, null, elementSize, columnBytes));
        string how = least is null ? "whole frames" : $"tiles of {leastTile} latent pixels";
        throw new RequestException("vae-memory", $"{budgetBytes / 1e9:G6} GB",
            $"too small to decode a {height}×{width} latent ({height * config.SpatialScale}×{width * config.SpatialScale} video, {frames} latent frames): " +
            $"the least any tiling needs is {needed / 1e9:0.###} GB ({how}, modelled)");
    }

    /// <summary>The decoder's layers as channel counts and resolutions relative to the latent tile (Decoder3d order).</summary>
    private sealed class DecoderLayers
    {
        private readonly List<Layer> _layers = [];
        private readonly long _cacheFrames;

        public DecoderLayers(VaeConfig config, bool laterChunks)
        {
            var dims = new[] { config.DimMult[^1] }.Concat(config.DimMult.Reverse()).Select(m => (long)m * config.BaseDim).ToArray();
            var temporalUpsample = config.TemporalDownsample.Reverse().ToArray();
            _cacheFrames = laterChunks ? 2 : 1;
            long side = 1, frames = 1;
            Conv(config.ZDim, dims[0], 27, side, frames, block: config.ZDim);
            for (int i = 0; i < 2; i++)
            {
                Block(dims[0], dims[0], side, frames);
            }
            _layers.Add(new Layer(LayerKind.Attention, dims[0], dims[0], 1, side, frames, dims[0]));
            for (int i = 0; i < config.DimMult.Count; i++)
            {
                long inDim = i == 0 ? dims[0] : dims[i] / 2, outDim = dims[i + 1];
                for (int j = 0; j <= config.NumResBlocks; j++)
                {
                    Block(j == 0 ? inDim : outDim, outDim, side, frames);
                }
                if (i == config.DimMult.Count - 1)
                {
                    break;
                }
                if (temporalUpsample[i] && laterChunks)
                {
                    // time_conv [2C, C, 3, 1, 1] with its 2-frame cache, then the channel halves interleaved into 2× the frames.
                    _layers.Add(new Layer(LayerKind.TimeConv, outDim, 2 * outDim, 3, side, frames, outDim));
                    frames *= 2;
                }
                // Nearest 2× then the per-frame 3×3 conv to C/2.
                _layers.Add(new Layer(LayerKind.Upsample, outDim, outDim / 2, 9, side, frames, outDim));
                side *= 2;
            }
            Conv(dims[^1], config.OutChannels, 27, side, frames, block: dims[^1]);
        }

        /// <summary>
        /// Elements of every layer's frame cache for a tile of <paramref name="pixels"/> latent pixels: the last 2 input frames
        /// (1 when the latent has one frame: the first chunk's input is all there is).
        /// </summary>
        public long CacheElements(long pixels) => _layers.Where(l => l.Kind != LayerKind.Attention && l.Kind != LayerKind.Upsample)
            .Aggregate(0L, (sum, l) => checked(sum + _cacheFrames * l.In * l.Area * pixels));

        /// <summary>Bytes of the widest op of one decoder step on a tile.</summary>
        public long StepBytes(long pixels, int latentWidth, int elementSize, long columnBytes) =>
            _layers.Max(l => l.Bytes(pixels, latentWidth, elementSize, columnBytes));

        private void Block(long cin, long cout, long side, long frames)
        {
            Conv(cin, cout, 27, side, frames, block: cin);
            Conv(cout, cout, 27, side, frames, block: cin);
        }

        private void Conv(long cin, long cout, long taps, long side, long frames, long block) =>
            _layers.Add(new Layer(LayerKind.Conv, cin, cout, taps, side, frames, block));
    }

    private enum LayerKind
    {
        Conv,
        TimeConv,
        Upsample,
        Attention,
    }

    /// <param name="Kind">the op.</param>
    /// <param name="In">input channels.</param>
    /// <param name="Out">output channels.</param>
    /// <param name="Taps">kernel taps per input channel (the im2col rows per channel).</param>
    /// <param name="Side">pixels per latent pixel along a side at the layer's input resolution.</param>
    /// <param name="Frames">frames per step at the layer's input.</param>
    /// <param name="Block">channels of the residual block input held for its add.</param>
    private sealed record Layer(LayerKind Kind, long In, long Out, long Taps, long Side, long Frames, long Block)
    {
        public long Area => Side * Side;

        public long Bytes(long pixels, int latentWidth, int elementSize, long columnBytes)
        {
            long plane = checked(Area * pixels), n = Frames, scaleSide = Side;
            switch (Kind)
            {
                case LayerKind.Attention:
                {
                    // x, its norm, qkv (3C), a frame's q, k, v rows and output, the concatenated outputs; S (fp32) and P per query band.
                    long tensors = checked(In * plane * (n * 6 + 4));
                    long scores = Math.Min(checked(plane * plane * (sizeof(float) + elementSize)), Math.Max(columnBytes, checked(plane * (sizeof(float) + elementSize))));
                    return checked(elementSize * tensors + scores);
                }
                case LayerKind.Upsample:
                {
                    long up = checked(4 * plane), width = checked(2 * scaleSide * latentWidth);
                    long tensors = checked(In * plane * n + In * up * n + Out * up * n);
                    return checked(elementSize * tensors + Columns(In * Taps, width, n * up / width, elementSize, columnBytes));
                }
                default:
                {
                    long width = checked(scaleSide * latentWidth);
                    // Block input, norm output, cache-joined input (n + 2 frames), output, shortcut or add result, new 2-frame cache slice.
                    long tensors = checked(Block * plane * n + In * plane * n + In * plane * (n + 2) + 2 * Out * plane * n + 2 * In * plane);
                    return checked(elementSize * tensors + Columns(In * Taps, width, n * plane / width, elementSize, columnBytes));
                }
            }
        }

        /// <summary>The im2col band: whole output rows within the column budget, at least one, at most all (CudaBackend.ConvBandRows).</summary>
        private static long Columns(long k, long outWidth, long outRows, int elementSize, long columnBytes)
        {
            long perRow = checked(k * outWidth * elementSize);
            return checked(perRow * Math.Clamp(columnBytes / perRow, 1, Math.Max(1, outRows)));
        }
    }
}
