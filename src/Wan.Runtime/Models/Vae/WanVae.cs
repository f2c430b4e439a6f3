using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Config;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Models.Vae;

/// <summary>
/// The Wan2.1 causal 3D VAE (diffusers AutoencoderKLWan layout), run chunk by chunk as the official
/// Wan2_1_VAE does: decoding one latent frame at a time, encoding video chunks of 1, 4, 4, ... frames,
/// with per-layer frame caches so memory does not grow with the number of frames.
/// Latents are the scaled ones the DiT works on: scaled = (mu − mean) / std.
/// </summary>
public sealed class WanVae : IDisposable
{
    private readonly IVaeOps _backend;
    private readonly WeightLoader _weights;
    private readonly VaeDecoder _decoder;
    private readonly VaeEncoder _encoder;
    private readonly CausalConv3d _quantConv, _postQuantConv;
    private readonly Tensor _std, _mean, _invStd, _negMeanInvStd;

    private WanVae(IVaeOps backend, VaeConfig config, WeightLoader weights)
    {
        _backend = backend;
        Config = config;
        _weights = weights;
        int z = config.ZDim;
        _decoder = VaeDecoder.Load(backend, weights, config);
        _encoder = VaeEncoder.Load(backend, weights, config);
        _quantConv = CausalConv3d.Load(backend, weights, "quant_conv", 2 * z, 2 * z, (1, 1, 1));
        _postQuantConv = CausalConv3d.Load(backend, weights, "post_quant_conv", z, z, (1, 1, 1));
        var mean = config.LatentsMean.ToArray();
        var std = config.LatentsStd.ToArray();
        // The official wrapper keeps 1/std (float32): encoding multiplies by it, decoding divides by it.
        var invStd = std.Select(s => 1f / s).ToArray();
        _std = weights.Own(backend.FromHost(invStd.Select(i => 1f / i).ToArray(), new Shape(z)));
        _mean = weights.Own(backend.FromHost(mean, new Shape(z)));
        _invStd = weights.Own(backend.FromHost(invStd, new Shape(z)));
        _negMeanInvStd = weights.Own(backend.FromHost(mean.Select((m, c) => -m * invStd[c]).ToArray(), new Shape(z)));
    }

    /// <summary>The VAE's config.json.</summary>
    public VaeConfig Config { get; }

    /// <summary>Loads a diffusers <c>vae/</c> directory: config.json and the safetensors weights.</summary>
    public static WanVae Load(IVaeOps backend, string vaeDirectory)
    {
        if (!Directory.Exists(vaeDirectory))
        {
            throw new DirectoryNotFoundException($"{vaeDirectory}: VAE directory not found");
        }
        var config = VaeConfig.Load(Path.Combine(vaeDirectory, "config.json"));
        using var source = SafetensorsCheckpoint.Open(vaeDirectory);
        return Load(backend, config, source);
    }

    /// <summary>The VAE of <paramref name="config"/> from any weight source (the planner's shape-only Wan2.1 VAE); the caller keeps owning the source.</summary>
    internal static WanVae Load(IVaeOps backend, VaeConfig config, ITensorSource source)
    {
        var weights = new WeightLoader(backend, source, "VAE");
        try
        {
            return new WanVae(backend, config, weights);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>Video frames decoded from <paramref name="latentFrames"/> latent frames: 1 + 4·(F − 1).</summary>
    public int VideoFrames(int latentFrames) => 1 + Config.TemporalScale * (latentFrames - 1);

    /// <summary>
    /// Decodes scaled latents z [z_dim, F, H, W] lazily, one latent frame per step: yields the video
    /// frames [3, n, 8H, 8W] of each step before the raw clamp (n = 1 for the first, 4 after).
    /// The caller owns every yielded tensor. Tiled as <see cref="TilingFor"/> says.
    /// </summary>
    /// <exception cref="ArgumentException">z is not [z_dim, F ≥ 1, H, W].</exception>
    /// <exception cref="Wan.Errors.RequestException">the <see cref="MemoryBudgetBytes"/> is too small even for the smallest tiles.</exception>
    public IEnumerable<Tensor> DecodeChunks(Tensor z)
    {
        if (z.Shape.Rank != 4 || z.Shape[0] != Config.ZDim || z.Shape[1] < 1)
        {
            throw new ArgumentException($"VAE decode: latent {z.Shape} must be [{Config.ZDim}, F ≥ 1, H, W]");
        }
        return DecodeSteps(z, TilingFor(z.Shape[1], z.Shape[2], z.Shape[3]));
    }

    /// <summary>
    /// Video pixels on each side of a decoded pixel that its value depends on through the decoder's convolutions
    /// (the mid-block attention, global over the frame, not counted; 138 for the Wan2.1 layout: Decoder3d of
    /// wan/modules/vae2_1.py). Tiles whose blend margin (<see cref="VaeTiling.MarginVideoPixels"/>) covers it decode
    /// a decoder without attention exactly.
    /// </summary>
    public int ConvolutionReachVideoPixels => _decoder.ConvolutionReachVideoPixels();

    /// <summary>
    /// Spatial tiling of <see cref="DecodeChunks"/> and <see cref="Decode"/> (null: none, the default). A latent
    /// that fits one tile is decoded as that one tile (weight 1 everywhere: the untiled video bit for bit).
    /// </summary>
    public VaeTiling? Tiling { get; set; }

    /// <summary>
    /// Device bytes the decode may allocate beside the weights and the latent it is given (null: no limit, the default). When
    /// <see cref="Tiling"/> is null the decode is tiled as <see cref="VaeDecodeMemory.Choose"/> picks for each latent: whole frames
    /// when their modelled peak fits, else the largest tile that does.
    /// </summary>
    public long? MemoryBudgetBytes { get; set; }

    /// <summary>
    /// The tiling a decode of a latent [z_dim, <paramref name="frames"/>, <paramref name="height"/>, <paramref name="width"/>] uses:
    /// <see cref="Tiling"/> when set, else the <see cref="MemoryBudgetBytes"/> choice, else null (whole frames).
    /// </summary>
    /// <exception cref="Wan.Errors.RequestException">the budget is too small even for the smallest tiles (names the bytes they need).</exception>
    public VaeTiling? TilingFor(int frames, int height, int width) =>
        Tiling ?? (MemoryBudgetBytes is { } budget
            ? VaeDecodeMemory.Choose(Config, frames, height, width, _backend.Storage.SizeOf(), ColumnBytes, budget)
            : null);

    /// <summary>The im2col band limit of the VAE's backend (CUDA's <see cref="CudaBackend.ConvColumnBytes"/>; its default elsewhere).</summary>
    private long ColumnBytes => _backend is CudaBackend cuda ? cuda.ConvColumnBytes : CudaBackend.DefaultConvColumnBytes;

    private IEnumerable<Tensor> DecodeSteps(Tensor z, VaeTiling? tiling)
    {
        using var latent = _backend.ChannelAffine(z, _std, _mean)
            .Then(t => _postQuantConv.Forward(t, cache: null));
        if (tiling is not null)
        {
            foreach (var chunk in DecodeTiles(latent, tiling))
            {
                yield return chunk;
            }
            yield break;
        }
        using var cache = new FrameCache();
        for (int f = 0; f < latent.Shape[1]; f++)
        {
            using var frame = _backend.SliceFrames(latent, f, 1);
            yield return _decoder.Forward(frame, cache);
        }
    }

    /// <summary>
    /// Decodes tile by tile, each tile through every latent frame with its own frame cache (freed when the tile is done, so
    /// only one tile's cache is ever live, as diffusers' <c>tiled_decode</c> runs), keeping each tile's decoded chunks; then
    /// blends every latent frame's tiles into one chunk with the seams of <see cref="VaeTiling"/>. Device memory: one tile's
    /// caches and activations plus the decoded tiles of the whole video (<see cref="VaeDecodeMemory"/>).
    /// </summary>
    private IEnumerable<Tensor> DecodeTiles(Tensor latent, VaeTiling tiling)
    {
        int scale = Config.SpatialScale, frames = latent.Shape[1];
        var rows = tiling.Spans(latent.Shape[2]);
        var columns = tiling.Spans(latent.Shape[3]);
        var tiles = new List<(int Top, int Left, float[] RowWeights, float[] ColumnWeights, List<Tensor> Chunks)>();
        int released = 0;
        try
        {
            for (int r = 0; r < rows.Count; r++)
            {
                for (int c = 0; c < columns.Count; c++)
                {
                    var tile = (rows[r].Start * scale, columns[c].Start * scale, tiling.Weights(rows, r, scale), tiling.Weights(columns, c, scale), new List<Tensor>(frames));
                    tiles.Add(tile);
                    using var window = _backend.CropFrames(latent, rows[r].Start, columns[c].Start, rows[r].Length, columns[c].Length);
                    using var cache = new FrameCache();
                    for (int f = 0; f < frames; f++)
                    {
                        using var frame = _backend.SliceFrames(window, f, 1);
                        tile.Item5.Add(_decoder.Forward(frame, cache));
                    }
                }
            }
            for (int f = 0; f < frames; f++)
            {
                var decoded = tiles.Select(t => new VideoTile(t.Chunks[f], t.Top, t.Left, t.RowWeights, t.ColumnWeights)).ToList();
                var blended = _backend.BlendTiles(decoded, latent.Shape[2] * scale, latent.Shape[3] * scale);
                foreach (var tile in tiles)
                {
                    tile.Chunks[f].Dispose();
                }
                released = f + 1;
                yield return blended;
            }
        }
        finally
        {
            foreach (var chunk in tiles.SelectMany(t => t.Chunks.Skip(released)))
            {
                chunk.Dispose();
            }
        }
    }

    /// <summary>
    /// Decodes z [z_dim, F, H, W] into the whole raw video [3, 1 + 4(F − 1), 8H, 8W] (before the clamp),
    /// assembled on the backend: nothing is copied to the host. <paramref name="latentFrameDone"/> is told
    /// (done, total) after each latent frame; cancellation is checked between latent frames.
    /// </summary>
    /// <exception cref="ArgumentException">z is not [z_dim, F ≥ 1, H, W].</exception>
    /// <exception cref="OperationCanceledException">cancelled between latent frames.</exception>
    public Tensor Decode(Tensor z, Action<int, int>? latentFrameDone = null, CancellationToken cancellation = default)
    {
        var chunks = new List<Tensor>();
        try
        {
            foreach (var chunk in DecodeChunks(z))
            {
                chunks.Add(chunk);
                cancellation.ThrowIfCancellationRequested();
                latentFrameDone?.Invoke(chunks.Count, z.Shape[1]);
            }
            return ConcatAll(chunks);
        }
        finally
        {
            foreach (var chunk in chunks)
            {
                chunk.Dispose();
            }
        }
    }

    /// <summary>
    /// The frames of every part in order, joined pairwise level by level (each frame is copied about
    /// log₂(parts) times rather than once per later part); the caller keeps owning the parts.
    /// </summary>
    private Tensor ConcatAll(List<Tensor> parts)
    {
        var level = JoinPairs(parts, tailCopy: t => _backend.SliceFrames(t, 0, t.Shape[1]));
        try
        {
            while (level.Count > 1)
            {
                var next = JoinPairs(level, tailCopy: t => t);
                foreach (var t in level.Where(t => !next.Any(n => ReferenceEquals(n, t))))
                {
                    t.Dispose();
                }
                level = next;
            }
            return level[0];
        }
        catch
        {
            foreach (var t in level)
            {
                t.Dispose();
            }
            throw;
        }
    }

    /// <summary>Parts 0+1, 2+3, ... joined; an odd last part passes through <paramref name="tailCopy"/>. Disposes what it made when it fails.</summary>
    private List<Tensor> JoinPairs(List<Tensor> parts, Func<Tensor, Tensor> tailCopy)
    {
        var joined = new List<Tensor>((parts.Count + 1) / 2);
        try
        {
            for (int i = 0; i < parts.Count; i += 2)
            {
                joined.Add(i + 1 < parts.Count ? _backend.ConcatFrames(parts[i], parts[i + 1]) : tailCopy(parts[i]));
            }
            return joined;
        }
        catch
        {
            foreach (var t in joined.Where(t => !parts.Any(p => ReferenceEquals(p, t))))
            {
                t.Dispose();
            }
            throw;
        }
    }

    /// <summary>
    /// Encodes a video [3, T, H, W] in [−1, 1] (T = 1 + 4k, H and W multiples of 8) into the
    /// unscaled posterior: mean and log-variance [z_dim, 1 + k, H/8, W/8].
    /// </summary>
    public VaeLatentDistribution EncodeDistribution(Tensor video)
    {
        int scale = Config.SpatialScale, step = Config.TemporalScale;
        if (video.Shape.Rank != 4 || video.Shape[0] != Config.InChannels)
        {
            throw new ArgumentException($"VAE encode: video {video.Shape} must be [{Config.InChannels}, T, H, W]");
        }
        int t = video.Shape[1], h = video.Shape[2], w = video.Shape[3];
        if (t < 1 || (t - 1) % step != 0)
        {
            throw new ArgumentException($"VAE encode: video has {t} frames, expected 1 + {step}·k");
        }
        if (h == 0 || w == 0 || h % scale != 0 || w % scale != 0)
        {
            throw new ArgumentException($"VAE encode: frame size {h}×{w} must be a positive multiple of {scale}");
        }
        Tensor? encoded = null;
        using (var cache = new FrameCache())
        {
            for (int start = 0; start < t; start += start == 0 ? 1 : step)
            {
                using var chunk = _backend.SliceFrames(video, start, start == 0 ? 1 : step);
                var part = _encoder.Forward(chunk, cache);
                encoded = encoded is null ? part : encoded.Then(e => part.Then(p => _backend.ConcatFrames(e, p)));
            }
        }
        using var moments = encoded!.Then(e => _quantConv.Forward(e, cache: null));
        return new VaeLatentDistribution(
            _backend.SliceChannels(moments, 0, Config.ZDim),
            _backend.SliceChannels(moments, Config.ZDim, Config.ZDim));
    }

    /// <summary>Encodes a video [3, T, H, W] into the scaled latent (mu − mean)/std [z_dim, 1 + (T−1)/4, H/8, W/8].</summary>
    public Tensor Encode(Tensor video)
    {
        using var distribution = EncodeDistribution(video);
        return _backend.ChannelAffine(distribution.Mean, _invStd, _negMeanInvStd);
    }

    /// <summary>Frees the tensors this object owns on its backend.</summary>
    public void Dispose() => _weights.Dispose();
}
