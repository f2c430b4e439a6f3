using Wan.Runtime.Config;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Dit;

/// <summary>
/// Every weight of one DiT expert on its backend (patch embedding, time and text MLPs, head, blocks), loaded
/// together and released together: <see cref="WanTransformer.ReleaseWeights"/> frees this object and a later
/// forward loads a new one from the expert's checkpoint (only the active expert resident).
/// </summary>
internal sealed class DitWeights : IDisposable
{
    /// <summary>Loads every weight, or with <paramref name="blocks"/> false every weight outside the blocks (a streamed expert: <see cref="StreamedBlocks"/>).</summary>
    public DitWeights(WeightLoader w, DitConfig c, bool blocks = true)
    {
        int d = c.Dim;
        PatchWeight = w.Load("patch_embedding.weight", d, c.InChannels, c.Patch.T, c.Patch.H, c.Patch.W);
        PatchBias = w.Load("patch_embedding.bias", d);
        Time1 = DitLinear.Load(w, "condition_embedder.time_embedder.linear_1", d, c.FreqDim);
        Time2 = DitLinear.Load(w, "condition_embedder.time_embedder.linear_2", d, d);
        TimeProj = DitLinear.Load(w, "condition_embedder.time_proj", 6 * d, d);
        Text1 = DitLinear.Load(w, "condition_embedder.text_embedder.linear_1", d, c.TextDim);
        Text2 = DitLinear.Load(w, "condition_embedder.text_embedder.linear_2", d, d);
        Head = DitLinear.Load(w, "proj_out", c.OutChannels * c.Patch.T * c.Patch.H * c.Patch.W, d);
        HeadModulation = w.LoadReshaped("scale_shift_table", new Shape(1, 2, d), new Shape(2, d));
        Blocks = blocks ? [.. Enumerable.Range(0, c.Layers).Select(i => new WanTransformerBlock(w, c, i))] : [];
        StorageBytes = w.LoadedBytes;
    }

    /// <summary>Bytes these weights occupy on the backend (element count × storage dtype size).</summary>
    public long StorageBytes { get; }

    public Tensor PatchWeight { get; }
    public Tensor PatchBias { get; }
    public DitLinear Time1 { get; }
    public DitLinear Time2 { get; }
    public DitLinear TimeProj { get; }
    public DitLinear Text1 { get; }
    public DitLinear Text2 { get; }
    public DitLinear Head { get; }

    /// <summary>[2, D]: shift, scale of the head.</summary>
    public Tensor HeadModulation { get; }

    /// <summary>The resident blocks; empty for a streamed expert.</summary>
    public WanTransformerBlock[] Blocks { get; }

    /// <summary>The linears outside the blocks.</summary>
    public DitLinear[] OuterLinears => [Time1, Time2, TimeProj, Text1, Text2, Head];

    public void Dispose()
    {
        PatchWeight.Dispose();
        PatchBias.Dispose();
        foreach (var l in OuterLinears)
        {
            l.Dispose();
        }
        HeadModulation.Dispose();
        foreach (var blk in Blocks)
        {
            blk.Dispose();
        }
    }
}
