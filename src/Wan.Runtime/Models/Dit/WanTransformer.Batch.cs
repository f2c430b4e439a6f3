using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Dit;

public sealed partial class WanTransformer
{
    /// <summary>
    /// The flow predictions of B samples in one forward: latents [B, C·F·H·W] (each sample a latent of
    /// <paramref name="sampleShape"/> [C, F, H, W]), each at its own timestep and with its own text
    /// (a cond and an uncond branch of classifier-free guidance are two samples) → [B, C·F·H·W]. Every
    /// linear layer runs on the stacked tokens [B·L, D] with its weights read once per batch
    /// (<see cref="IRoutingOps.LinearPerSample"/>: one GEMM on CUDA); the modulation is per sample (<see cref="IRoutingOps"/>); attention runs per sample. Row s equals
    /// <see cref="Forward(Tensor, double, DitTextContext, int?, CancellationToken, IBlockResidualCache?, int?)"/> on sample s alone
    /// (bit for bit on the CPU backend). Cancellation is checked between blocks.
    /// </summary>
    /// <exception cref="NotSupportedException">the backend has no <see cref="IRoutingOps"/>, or a text carries LoRA adapters.</exception>
    /// <exception cref="ArgumentException">the shapes, timesteps and texts disagree, or a text was prepared by another expert.</exception>
    public Tensor ForwardBatch(Tensor latents, Shape sampleShape, IReadOnlyList<double> timesteps, IReadOnlyList<DitTextContext> texts,
        CancellationToken cancellation = default)
    {
        var b = _b as IRoutingOps ?? throw new NotSupportedException($"{_b.Name} has no expert-routing ops (batched forwards)");
        var c = Config;
        int samples = timesteps.Count;
        if (samples < 1 || texts.Count != samples || latents.Shape != new Shape(samples, checked((int)sampleShape.ElementCount)))
        {
            throw new ArgumentException($"batched forward: latents {latents.Shape}, {samples} timesteps and {texts.Count} texts do not describe one batch of {sampleShape} samples");
        }
        if (texts.Any(t => !ReferenceEquals(t.Owner, this)))
        {
            throw new ArgumentException("batched forward: a text context was prepared by another DiT expert");
        }
        if (texts.Any(t => t.Adapters is not null))
        {
            throw new NotSupportedException("batched forward: LoRA adapters are not applied in batched forwards yet; run the request alone");
        }
        var grid = Grid(sampleShape);
        int tokens = grid.F * grid.H * grid.W;

        using var x = PatchifyEach(b, latents, sampleShape);
        using var sinusoids = b.TimestepSinusoids([.. timesteps], c.FreqDim);
        using var h = W.Time1.ApplyPerSample(b, sinusoids, samples);
        using var a = b.Silu(h);
        using var e = W.Time2.ApplyPerSample(b, a, samples);          // [B, D]
        using var ae = b.Silu(e);
        using var e0Flat = W.TimeProj.ApplyPerSample(b, ae, samples); // [B, 6D]
        using var e0 = b.Reshape(e0Flat, new Shape(samples * 6, c.Dim));
        using var rows = new BatchModulationRows(b, samples);
        using var rope = Held(grid);
        for (int i = 0; i < Config.Layers; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var block = EnterBlock(i);
            block.Block.ForwardBatch(b, x, e0, rows, [.. texts.Select(t => t.PerBlock[i])], tokens, rope);
        }

        using var shiftTable = b.GatherRows(W.HeadModulation, rows.HeadTile(0));
        using var scaleTable = b.GatherRows(W.HeadModulation, rows.HeadTile(1));
        using var shift = b.Add(shiftTable, e);
        using var scale = b.Add(scaleTable, e);
        using var normed = b.ModulatedLayerNormPerSample(x, shift, scale, c.Eps);
        using var head = W.Head.ApplyPerSample(b, normed, samples);
        var outputs = new List<Tensor>(samples);
        try
        {
            for (int s = 0; s < samples; s++)
            {
                using var sampleHead = b.SliceRows(head, s * tokens, tokens);
                using var video = b.Unpatchify(sampleHead, c.OutChannels, grid, c.Patch);
                outputs.Add(b.Reshape(video, new Shape(1, checked((int)video.ElementCount))));
            }
            return b.ConcatRows(outputs);
        }
        finally
        {
            outputs.ForEach(o => o.Dispose());
        }
    }

    /// <summary>Each sample's patch embedding [L, D], stacked → [B·L, D].</summary>
    private Tensor PatchifyEach(IRoutingOps b, Tensor latents, Shape sampleShape)
    {
        var patches = new List<Tensor>(latents.Shape[0]);
        try
        {
            for (int s = 0; s < latents.Shape[0]; s++)
            {
                using var row = b.SliceRows(latents, s, 1);
                using var latent = b.Reshape(row, sampleShape);
                patches.Add(b.Patchify(latent, W.PatchWeight, W.PatchBias, Config.Patch));
            }
            return b.ConcatRows(patches);
        }
        finally
        {
            patches.ForEach(p => p.Dispose());
        }
    }
}
