using Wan.Runtime.Backends;
using Wan.Runtime.Config;
using Wan.Runtime.Lora;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Models.Dit;

/// <summary>
/// The Wan DiT (diffusers WanTransformer3DModel): patch embedding, time and text embeddings,
/// <see cref="DitConfig.Layers"/> blocks, the modulated head and unpatchify. Written once against
/// <see cref="IDitOps"/>. Latents are unbatched [C, F, H, W].
/// </summary>
/// <remarks>
/// The RoPE table of the last latent grid is cached (one upload per resolution); the cache is
/// lock-protected and its tables are reference-counted, so work captured on a table
/// (<see cref="HoldRope"/>) keeps it alive when another resolution replaces it in the cache.
/// Forwards themselves are not meant to run concurrently on one backend (see WanEngine).
/// </remarks>
public sealed partial class WanTransformer : IDisposable
{
    private readonly IDitOps _b;
    private readonly Lock _ropeLock = new();
    private readonly Lock _weightsLock = new();
    private readonly string? _directory; // the checkpoint the weights reload from; null for a tensor-source expert
    private readonly List<LoraBinding> _bindings = [];
    private DitWeights? _weights;
    private ((int F, int H, int W) Grid, RopeTable Table)? _rope;

    private WanTransformer(IDitOps backend, DitConfig config, DitWeights weights, string? directory)
    {
        _b = backend;
        Config = config;
        _weights = weights;
        _directory = directory;
        WeightLoads = 1;
    }

    /// <summary>The transformer's config.json.</summary>
    public DitConfig Config { get; }

    /// <summary>The backend the expert's weights live on and its forwards run on.</summary>
    public IDitOps Backend => _b;

    /// <summary>Loads an expert from a diffusers directory (config.json + safetensors, sharded or not).</summary>
    /// <exception cref="InvalidDataException">a weight is missing or has the wrong shape or dtype.</exception>
    /// <exception cref="Wan.Errors.ConfigException">the config cannot run, or the backend has no attention kernel for its head width (names config.json and the key).</exception>
    public static WanTransformer Load(IDitOps backend, string directory)
    {
        var config = DitConfig.Load(Path.Combine(directory, "config.json"));
        if (!backend.SupportsAttention(config.HeadDim))
        {
            throw new Wan.Errors.ConfigException(Path.Combine(directory, "config.json"), "attention_head_dim", $"{config.HeadDim} has no attention kernel on {backend.Name}");
        }
        return new WanTransformer(backend, config, LoadWeights(backend, config, directory), directory);
    }

    private static DitWeights LoadWeights(IDitOps backend, DitConfig config, string directory, bool blocks = true)
    {
        using var weights = SafetensorsCheckpoint.Open(directory);
        var loader = new WeightLoader(backend, weights, "DiT");
        try
        {
            return new DitWeights(loader, config, blocks);
        }
        catch
        {
            loader.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads an expert of <paramref name="config"/> from any tensor source (a shape-only one for planning,
    /// <c>Wan.Runtime.Planning.ShapeOnlyDitWeights</c>); the source may be disposed afterwards.
    /// </summary>
    /// <exception cref="InvalidDataException">a weight is missing or has the wrong shape or dtype.</exception>
    /// <exception cref="Wan.Errors.ConfigException">the backend has no attention kernel for the head width.</exception>
    internal static WanTransformer Load(IDitOps backend, DitConfig config, ITensorSource weights)
    {
        if (!backend.SupportsAttention(config.HeadDim))
        {
            throw new Wan.Errors.ConfigException(weights.Location, "attention_head_dim", $"{config.HeadDim} has no attention kernel on {backend.Name}");
        }
        var loader = new WeightLoader(backend, weights, "DiT");
        try
        {
            return new WanTransformer(backend, config, new DitWeights(loader, config), null);
        }
        catch
        {
            loader.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Embeds the text context [Lc, text_dim] (the T5 output of the valid tokens): zero-padded to
    /// 512 rows, text MLP, then every block's cross-attention K/V. Padded rows are attended to.
    /// The context may live on another backend (the text encoder's): it is read through the host.
    /// </summary>
    /// <param name="context">The T5 output [Lc, text_dim].</param>
    /// <param name="adapters">
    /// The request's LoRA binding for this expert (<see cref="LoraAdapters.Resolve"/>), or null for the base
    /// weights. The prepared context carries it: every <see cref="Forward(Tensor, double, DitTextContext, int?, CancellationToken, IBlockResidualCache?, int?)"/>
    /// with this context uses it, so requests on one loaded model can use different LoRAs with no reload.
    /// </param>
    public DitTextContext PrepareText(Tensor context, LoraBinding? adapters = null)
    {
        if (adapters is not null && !ReferenceEquals(adapters.Owner, this))
        {
            throw new ArgumentException("the LoRA binding was made for another DiT expert");
        }
        int rows = context.Shape.Rank == 2 ? context.Shape[0] : -1;
        if (rows < 0 || context.Shape[1] != Config.TextDim || rows > DitConfig.TextLength)
        {
            throw new ArgumentException($"text context {context.Shape} must be [L <= {DitConfig.TextLength}, {Config.TextDim}]");
        }
        _ = W; // reload released weights before a merged binding reads them
        adapters?.EnsureBuilt();
        var padded = new float[DitConfig.TextLength * Config.TextDim];
        context.Backend.ToHost(context).CopyTo(padded, 0);
        using var ctx = _b.FromHost(padded, new Shape(DitConfig.TextLength, Config.TextDim));
        using var h1 = W.Text1.Apply(_b, ctx, adapters);
        using var g = _b.GeluTanh(h1);
        using var embedded = W.Text2.Apply(_b, g, adapters);
        var perBlock = new List<(Tensor Keys, Tensor Values)>(Config.Layers);
        for (int i = 0; i < Config.Layers; i++)
        {
            using var block = EnterBlock(i, forwardFollows: true);
            perBlock.Add(block.Block.TextKeyValues(_b, embedded, adapters));
        }
        return new DitTextContext(this, perBlock, adapters);
    }

    /// <summary>
    /// The flow prediction for latent [in_channels, F, H, W] at timestep t (used as a real number:
    /// no rounding happens here). Cancellation is checked between blocks. <paramref name="seqLen"/> mirrors the official argument: tokens
    /// past the real ones are padding excluded from attention, so they never change the output. <paramref name="blockCache"/>
    /// (step caching) may replace the blocks by a cached residual.
    /// <paramref name="attentionWindow"/> R limits self-attention to keys of latent frames [f − R, f + R]
    /// (<see cref="AttentionFrameWindow"/>; not in the original Wan, an option for long videos); null = full attention.
    /// </summary>
    public Tensor Forward(Tensor latent, double t, DitTextContext text, int? seqLen = null, CancellationToken cancellation = default,
        IBlockResidualCache? blockCache = null, int? attentionWindow = null)
    {
        using var sinusoid = _b.TimestepSinusoid(t, Config.FreqDim);
        return Forward(latent, sinusoid, text, seqLen, cancellation, blockCache, attentionWindow);
    }

    /// <summary>
    /// The same forward with the timestep given as its sinusoid [1, freq_dim] (<see cref="IDitOps.TimestepSinusoid"/>)
    /// already on the backend: a captured step reads it from a buffer written before each replay, so
    /// the step itself uploads nothing. The latent's RoPE table must exist (<see cref="PrepareGrid"/>)
    /// when this runs inside a capture.
    /// </summary>
    public Tensor Forward(Tensor latent, Tensor timestepSinusoid, DitTextContext text, int? seqLen = null, CancellationToken cancellation = default,
        IBlockResidualCache? blockCache = null, int? attentionWindow = null)
    {
        if (!ReferenceEquals(text.Owner, this))
        {
            throw new ArgumentException("the text context was prepared by another DiT expert");
        }
        var c = Config;
        if (timestepSinusoid.Shape != new Shape(1, c.FreqDim))
        {
            throw new ArgumentException($"timestep sinusoid {timestepSinusoid.Shape} must be [1, {c.FreqDim}]");
        }
        var grid = Grid(latent.Shape);
        int tokens = grid.F * grid.H * grid.W;
        if (seqLen is { } s && s < tokens)
        {
            throw new ArgumentException($"seq_len {s} is shorter than the {tokens} tokens of latent {latent.Shape}");
        }

        if (attentionWindow is < 0)
        {
            throw new ArgumentException($"attention window {attentionWindow} must be at least 0 latent frames");
        }
        if (attentionWindow is not null && seqLen is not null)
        {
            throw new ArgumentException("an attention window needs the latent's own tokens: seq_len padding is not supported with it");
        }
        var frameWindow = attentionWindow is { } radius ? new AttentionFrameWindow(grid.H * grid.W, radius) : null;
        using var x = _b.Patchify(latent, W.PatchWeight, W.PatchBias, c.Patch);
        using var e = TimeEmbedding(timestepSinusoid, text.Adapters);
        using var e0Flat = TimeProjection(e, text.Adapters);
        using var e0 = _b.Reshape(e0Flat, new Shape(6, c.Dim));
        using var rope = Held(grid); // a concurrent resolution change cannot free it under this forward
        return Blocks(x, e, e0, text, grid, rope, _ => frameWindow is null ? null : new SelfAttention(FrameWindow: frameWindow), cancellation, blockCache);
    }

    /// <summary>
    /// One chunk of a causal (autoregressive) generation with a rolling K/V cache: the chunk's latent
    /// [in_channels, n, H, W] sits at video frames cache.NextFrame .. + n − 1 (its RoPE positions), its queries attend to
    /// the cached frames and to the chunk itself. With <paramref name="storeChunk"/> its keys and values join the cache
    /// (Self-Forcing reruns the finished chunk at the context timestep for this; the cache entries are computed once,
    /// not every step) and the cache advances; without it the cache is left as it was.
    /// Follows Self-Forcing's CausalWanModel (wan/modules/causal_model.py, causal_rope_apply with start_frame).
    /// </summary>
    /// <exception cref="ArgumentException">the latent, text or cache does not fit this DiT.</exception>
    public Tensor ForwardChunk(Tensor chunk, double t, DitTextContext text, DitKvCache cache, bool storeChunk, CancellationToken cancellation = default)
    {
        if (!ReferenceEquals(text.Owner, this) || cache.Layers != Config.Layers)
        {
            throw new ArgumentException($"the text context and a K/V cache of {Config.Layers} layers must belong to this DiT (cache: {cache.Layers} layers)");
        }
        var grid = Grid(chunk.Shape);
        int start = cache.NextFrame;
        using var sinusoid = _b.TimestepSinusoid(t, Config.FreqDim);
        using var x = _b.Patchify(chunk, W.PatchWeight, W.PatchBias, Config.Patch);
        using var e = TimeEmbedding(sinusoid, text.Adapters);
        using var e0Flat = TimeProjection(e, text.Adapters);
        using var e0 = _b.Reshape(e0Flat, new Shape(6, Config.Dim));
        int[] own = [.. Enumerable.Range(start, grid.F)];
        using var rope = RopeTable.Wan3D(_b, Config.HeadDim, own, grid.H, grid.W);
        using var keyRope = RopeTable.Wan3D(_b, Config.HeadDim, [.. cache.SlotPositions, .. own], grid.H, grid.W);
        var output = Blocks(x, e, e0, text, grid, rope,
            layer => new SelfAttention(Cache: cache, Layer: layer, KeyRope: keyRope, StoreChunk: storeChunk, ChunkFrames: grid.F), cancellation, null);
        if (storeChunk)
        {
            cache.Advance(grid.F);
        }
        return output;
    }

    /// <summary>The blocks over the patch tokens x (or the step cache's residual), then the modulated head and unpatchify.</summary>
    private Tensor Blocks(Tensor x, Tensor e, Tensor e0, DitTextContext text, (int F, int H, int W) grid, RopeTable rope,
        Func<int, SelfAttention?> self, CancellationToken cancellation, IBlockResidualCache? blockCache)
    {
        var c = Config;
        var adapters = text.Adapters;
        if (blockCache?.TryReuse(_b, x, e, e0) != true)
        {
            for (int i = 0; i < Config.Layers; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var block = EnterBlock(i);
                block.Block.Forward(_b, x, e0, text.PerBlock[i], rope, adapters, self(i));
            }
            blockCache?.Store(_b, x);
        }

        using var shiftTable = _b.SliceRows(W.HeadModulation, 0, 1);
        using var scaleTable = _b.SliceRows(W.HeadModulation, 1, 1);
        using var shift = _b.Add(shiftTable, e);
        using var scale = _b.Add(scaleTable, e);
        using var normed = _b.ModulatedLayerNorm(x, shift, scale, c.Eps);
        using var head = W.Head.Apply(_b, normed, adapters);
        return _b.Unpatchify(head, c.OutChannels, grid, c.Patch);
    }

    /// <summary>
    /// Builds the RoPE table of latents of <paramref name="latentShape"/> now (an upload), so that a
    /// forward captured into a graph finds it cached.
    /// </summary>
    /// <exception cref="ArgumentException">the latent does not fit this DiT.</exception>
    public void PrepareGrid(Shape latentShape) => Rope(Grid(latentShape));

    /// <summary>
    /// The RoPE table of latents of <paramref name="latentShape"/>, built now when not cached, with one
    /// reference for the caller: captured work holds it so that its recorded addresses stay valid
    /// whatever resolution is requested later. Dispose the returned table once.
    /// </summary>
    /// <exception cref="ArgumentException">the latent does not fit this DiT.</exception>
    public RopeTable HoldRope(Shape latentShape)
    {
        return Held(Grid(latentShape));
    }

    private RopeTable Held((int F, int H, int W) grid)
    {
        lock (_ropeLock)
        {
            return Rope(grid).Hold();
        }
    }

    /// <summary>The token grid of a latent [in_channels, F, H, W]; throws when the latent does not fit this DiT.</summary>
    private (int F, int H, int W) Grid(Shape latent)
    {
        var c = Config;
        if (latent.Rank != 4 || latent[0] != c.InChannels)
        {
            throw new ArgumentException($"latent {latent} must be [{c.InChannels}, F, H, W]");
        }
        var grid = (F: latent[1] / c.Patch.T, H: latent[2] / c.Patch.H, W: latent[3] / c.Patch.W);
        if (Math.Max(grid.F, Math.Max(grid.H, grid.W)) > c.RopeMaxSeqLen)
        {
            throw new ArgumentException($"latent grid {grid} exceeds the RoPE table of {c.RopeMaxSeqLen} positions");
        }
        return grid;
    }

    /// <summary>
    /// The rotary table of a latent grid: built once and reused while the resolution stays the same.
    /// Replacing it releases only the cache's reference: holders from <see cref="HoldRope"/> keep theirs.
    /// </summary>
    private RopeTable Rope((int F, int H, int W) grid)
    {
        lock (_ropeLock)
        {
            if (_rope is { } cached && cached.Grid == grid)
            {
                return cached.Table;
            }
            var table = RopeTable.Wan3D(_b, Config.HeadDim, grid);
            _rope?.Table.Dispose();
            _rope = (grid, table);
            return table;
        }
    }

    /// <summary>e = Linear(SiLU(Linear(sinusoid(t)))) [1, D]; it also drives the head modulation.</summary>
    public Tensor TimeEmbedding(double t)
    {
        using var sinusoid = _b.TimestepSinusoid(t, Config.FreqDim);
        return TimeEmbedding(sinusoid);
    }

    private Tensor TimeEmbedding(Tensor sinusoid, LoraBinding? adapters = null)
    {
        using var h = W.Time1.Apply(_b, sinusoid, adapters);
        using var a = _b.Silu(h);
        return W.Time2.Apply(_b, a, adapters);
    }

    /// <summary>e0 = Linear(SiLU(e)) [1, 6D]: the per-block modulation before the blocks' own tables.</summary>
    public Tensor TimeProjection(Tensor timeEmbedding) => TimeProjection(timeEmbedding, null);

    private Tensor TimeProjection(Tensor timeEmbedding, LoraBinding? adapters)
    {
        using var a = _b.Silu(timeEmbedding);
        return W.TimeProj.Apply(_b, a, adapters);
    }

    /// <summary>Every linear of the expert by diffusers module name (what a LoRA adapts).</summary>
    internal IEnumerable<DitLinear> Linears => W.OuterLinears.Concat((_streamed?.Shapes ?? W.Blocks).SelectMany(b => b.Linears));

    /// <summary>A parameter a LoRA full delta may change (linear weights/biases, norms), by diffusers name; null when unknown.</summary>
    internal Tensor? Parameter(string name)
    {
        if (_streamed is not null && name.StartsWith("blocks.", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"LoRA delta of '{name}': the blocks of a streamed DiT expert are not resident, so a delta cannot replace their parameters; " +
                                            "use --experts-resident both|active for this LoRA");
        }
        foreach (var linear in Linears)
        {
            if (name == linear.Name + ".weight")
            {
                return linear.Weight;
            }
            if (name == linear.Name + ".bias")
            {
                return linear.Bias;
            }
        }
        return W.Blocks.SelectMany(b => b.NormParameters()).FirstOrDefault(p => p.Name == name).Tensor;
    }

    /// <summary>Whether the expert's weights are on its backend now (false after <see cref="ReleaseWeights"/> until the next use).</summary>
    public bool WeightsResident
    {
        get
        {
            lock (_weightsLock)
            {
                return _weights is not null;
            }
        }
    }

    /// <summary>How many times the weights were loaded onto the backend: 1 at <see cref="Load(IDitOps, string)"/>, +1 per reload after a release.</summary>
    public int WeightLoads { get; private set; }

    /// <summary>Bytes of the weights on the backend (shape × storage dtype of every weight; 0 when released).</summary>
    public long WeightBytes
    {
        get
        {
            lock (_weightsLock)
            {
                return _weights?.StorageBytes ?? 0;
            }
        }
    }

    /// <summary>
    /// Frees the expert's weights on its backend (device memory back), with the RoPE table and the merged copies of
    /// the LoRA bindings made for it; the next forward or <see cref="PrepareText"/> loads them again from the
    /// memory-mapped checkpoint (<c>EngineOptions.ExpertResidency = Active</c>). Text contexts and captured work made
    /// before must be disposed first: they reference the released tensors.
    /// </summary>
    /// <exception cref="InvalidOperationException">the expert was loaded from a tensor source with no checkpoint folder to reload from.</exception>
    public void ReleaseWeights()
    {
        if (_directory is null)
        {
            throw new InvalidOperationException("this DiT expert was loaded from a tensor source, not a checkpoint folder: its weights cannot be reloaded, so they are not released");
        }
        lock (_weightsLock)
        {
            if (_weights is null)
            {
                return;
            }
            lock (_bindings)
            {
                _bindings.ForEach(binding => binding.ReleaseMerged());
            }
            lock (_ropeLock)
            {
                _rope?.Table.Dispose();
                _rope = null;
            }
            _weights.Dispose();
            _weights = null;
        }
    }

    /// <summary>The weights, loaded again from the checkpoint when they were released.</summary>
    private DitWeights W
    {
        get
        {
            lock (_weightsLock)
            {
                if (_weights is null)
                {
                    _weights = LoadWeights(_b, Config, _directory!, blocks: _streamed is null);
                    WeightLoads++;
                }
                return _weights;
            }
        }
    }

    /// <summary>Records a LoRA binding made for this expert: its merged copies are released with the weights.</summary>
    internal void Track(LoraBinding binding)
    {
        lock (_bindings)
        {
            _bindings.Add(binding);
        }
    }

    /// <summary>Forgets a disposed binding.</summary>
    internal void Untrack(LoraBinding binding)
    {
        lock (_bindings)
        {
            _bindings.Remove(binding);
        }
    }

    /// <summary>Frees the tensors this object owns on its backend.</summary>
    public void Dispose()
    {
        lock (_weightsLock)
        {
            _weights?.Dispose();
            _weights = null;
            _streamed?.Dispose();
            _streamed = null;
        }
        lock (_ropeLock)
        {
            _rope?.Table.Dispose();
            _rope = null;
        }
    }
}
