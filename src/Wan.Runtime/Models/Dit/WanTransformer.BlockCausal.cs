using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Dit;

public sealed partial class WanTransformer
{
    /// <summary>
    /// The whole latent [in_channels, F, H, W] in one pass with the block-causal mask equivalent to chunked generation with
    /// <paramref name="policy"/> (a query sees its chunk of <paramref name="chunkFrames"/> frames and the
    /// earlier frames such a cache still holds; <see cref="DitKvCache.Sees"/>): the reference the
    /// chunked path is checked against, and the attention pattern causal checkpoints are trained with.
    /// </summary>
    /// <exception cref="ArgumentException">the latent does not fit this DiT.</exception>
    public Tensor ForwardBlockCausal(Tensor latent, double t, DitTextContext text, int chunkFrames, DitKvCache policy)
    {
        var grid = Grid(latent.Shape);
        using var bias = BlockCausalBias(grid, chunkFrames, policy);
        using var sinusoid = _b.TimestepSinusoid(t, Config.FreqDim);
        using var x = _b.Patchify(latent, W.PatchWeight, W.PatchBias, Config.Patch);
        using var e = TimeEmbedding(sinusoid, text.Adapters);
        using var e0Flat = TimeProjection(e, text.Adapters);
        using var e0 = _b.Reshape(e0Flat, new Shape(6, Config.Dim));
        using var rope = Held(grid);
        return Blocks(x, e, e0, text, grid, rope, _ => new SelfAttention(Bias: bias), default, null);
    }

    /// <summary>
    /// The block-causal pass with a timestep per latent frame (<paramref name="frameTimesteps"/>, F values): every
    /// frame's tokens get the time embedding and adaLN modulation of its own timestep (Self-Forcing's CausalWanModel
    /// takes a timestep per frame the same way). This is what chunked generation computes without any cache: the
    /// finished chunks at the context timestep (their cache entries) and the chunk being denoised at its step's
    /// timestep, in one forward. The reference of the chunked generation tests; needs <see cref="IRoutingOps"/> and
    /// a temporal patch of 1.
    /// </summary>
    /// <exception cref="ArgumentException">the latent, timesteps or text do not fit this DiT.</exception>
    /// <exception cref="NotSupportedException">the backend has no <see cref="IRoutingOps"/>, the temporal patch is not 1, or the text carries LoRA adapters.</exception>
    public Tensor ForwardBlockCausal(Tensor latent, IReadOnlyList<double> frameTimesteps, DitTextContext text, int chunkFrames, DitKvCache policy)
    {
        var b = _b as IRoutingOps ?? throw new NotSupportedException($"{_b.Name} has no routing ops (per-frame timesteps)");
        var c = Config;
        if (c.Patch.T != 1 || text.Adapters is not null)
        {
            throw new NotSupportedException("per-frame timesteps need a temporal patch of 1 and no LoRA adapters");
        }
        if (!ReferenceEquals(text.Owner, this))
        {
            throw new ArgumentException("the text context was prepared by another DiT expert");
        }
        var grid = Grid(latent.Shape);
        if (frameTimesteps.Count != grid.F)
        {
            throw new ArgumentException($"{frameTimesteps.Count} frame timesteps for a latent of {grid.F} frames");
        }
        using var bias = BlockCausalBias(grid, chunkFrames, policy);
        using var x = _b.Patchify(latent, W.PatchWeight, W.PatchBias, c.Patch);
        using var sinusoids = b.TimestepSinusoids([.. frameTimesteps], c.FreqDim);
        using var h = W.Time1.Apply(b, sinusoids, null);
        using var a = b.Silu(h);
        using var e = W.Time2.Apply(b, a, null);              // [F, D]
        using var ae = b.Silu(e);
        using var e0Flat = W.TimeProj.Apply(b, ae, null);    // [F, 6D]
        using var e0 = b.Reshape(e0Flat, new Shape(grid.F * 6, c.Dim));
        using var rows = new BatchModulationRows(b, grid.F);
        using var rope = Held(grid);
        for (int i = 0; i < Config.Layers; i++)
        {
            using var block = EnterBlock(i);
            block.Block.ForwardFramewise(b, x, e0, rows, text.PerBlock[i], rope, bias);
        }
        using var shiftTable = b.GatherRows(W.HeadModulation, rows.HeadTile(0));
        using var scaleTable = b.GatherRows(W.HeadModulation, rows.HeadTile(1));
        using var shift = b.Add(shiftTable, e);
        using var scale = b.Add(scaleTable, e);
        using var normed = b.ModulatedLayerNormPerSample(x, shift, scale, c.Eps);
        using var head = W.Head.Apply(b, normed, null);
        return b.Unpatchify(head, c.OutChannels, grid, c.Patch);
    }

    /// <summary>The additive mask [heads, L, L] of <see cref="DitKvCache.Sees"/>: 0 where a query sees a key, −∞ elsewhere.</summary>
    private Tensor BlockCausalBias((int F, int H, int W) grid, int chunkFrames, DitKvCache policy)
    {
        int tokens = grid.H * grid.W, length = checked(grid.F * tokens);
        var mask = new float[checked((long)Config.Heads * length * length)];
        for (int i = 0; i < length; i++)
        {
            for (int j = 0; j < length; j++)
            {
                mask[(long)i * length + j] = policy.Sees(i / tokens, j / tokens, chunkFrames) ? 0f : float.NegativeInfinity;
            }
        }
        for (int h = 1; h < Config.Heads; h++)
        {
            Array.Copy(mask, 0, mask, (long)h * length * length, (long)length * length);
        }
        return _b.FromHost(mask, new Shape(Config.Heads, length, length));
    }
}
