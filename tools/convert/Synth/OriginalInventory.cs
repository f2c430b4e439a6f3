using Wan.Runtime.Config;
using Wan.Runtime.Tensors;

namespace Wan.Convert.Synth;

/// <summary>How a synthesized tensor is initialised.</summary>
public enum InitKind
{
    /// <summary>normal(0, 1) * 0.02: weights, biases, modulation tables, embeddings.</summary>
    Small,
    /// <summary>All ones: norm weights and RMS gammas.</summary>
    Ones,
}

/// <summary>
/// Every tensor of the original Wan modules (WanModel, T5Encoder, Wan2.1 VAE) for a configuration, in
/// original names and module order, derived from the constructors of Wan-Video/Wan2.2 (checked against
/// the fixture's names and shapes by the synth tests).
/// </summary>
public static class OriginalInventory
{
    public static List<(string Name, Shape Shape, InitKind Init)> Dit(DitConfig c)
    {
        var d = c.Dim;
        var list = new List<(string, Shape, InitKind)>
        {
            ("patch_embedding.weight", new Shape(d, c.InChannels, c.Patch.T, c.Patch.H, c.Patch.W), InitKind.Small),
            ("patch_embedding.bias", new Shape(d), InitKind.Small),
        };
        Linear(list, "text_embedding.0", d, c.TextDim);
        Linear(list, "text_embedding.2", d, d);
        Linear(list, "time_embedding.0", d, c.FreqDim);
        Linear(list, "time_embedding.2", d, d);
        Linear(list, "time_projection.1", 6 * d, d);
        for (int i = 0; i < c.Layers; i++)
        {
            var b = $"blocks.{i}";
            foreach (var attn in new[] { "self_attn", "cross_attn" })
            {
                foreach (var p in new[] { "q", "k", "v", "o" })
                {
                    Linear(list, $"{b}.{attn}.{p}", d, d);
                }
                list.Add(($"{b}.{attn}.norm_q.weight", new Shape(d), InitKind.Ones));
                list.Add(($"{b}.{attn}.norm_k.weight", new Shape(d), InitKind.Ones));
            }
            if (c.CrossAttnNorm)
            {
                list.Add(($"{b}.norm3.weight", new Shape(d), InitKind.Ones));
                list.Add(($"{b}.norm3.bias", new Shape(d), InitKind.Small));
            }
            Linear(list, $"{b}.ffn.0", c.FfnDim, d);
            Linear(list, $"{b}.ffn.2", d, c.FfnDim);
            list.Add(($"{b}.modulation", new Shape(1, 6, d), InitKind.Small));
        }
        Linear(list, "head.head", c.OutChannels * c.Patch.T * c.Patch.H * c.Patch.W, d);
        list.Add(("head.modulation", new Shape(1, 2, d), InitKind.Small));
        return list;
    }

    public static List<(string Name, Shape Shape, InitKind Init)> T5(Umt5Config c)
    {
        var attn = c.InnerDim;
        var list = new List<(string, Shape, InitKind)> { ("token_embedding.weight", new Shape(c.VocabSize, c.DModel), InitKind.Small) };
        for (int i = 0; i < c.NumLayers; i++)
        {
            var b = $"blocks.{i}";
            list.Add(($"{b}.norm1.weight", new Shape(c.DModel), InitKind.Ones));
            list.Add(($"{b}.attn.q.weight", new Shape(attn, c.DModel), InitKind.Small));
            list.Add(($"{b}.attn.k.weight", new Shape(attn, c.DModel), InitKind.Small));
            list.Add(($"{b}.attn.v.weight", new Shape(attn, c.DModel), InitKind.Small));
            list.Add(($"{b}.attn.o.weight", new Shape(c.DModel, attn), InitKind.Small));
            list.Add(($"{b}.norm2.weight", new Shape(c.DModel), InitKind.Ones));
            list.Add(($"{b}.ffn.gate.0.weight", new Shape(c.DFf, c.DModel), InitKind.Small));
            list.Add(($"{b}.ffn.fc1.weight", new Shape(c.DFf, c.DModel), InitKind.Small));
            list.Add(($"{b}.ffn.fc2.weight", new Shape(c.DModel, c.DFf), InitKind.Small));
            list.Add(($"{b}.pos_embedding.embedding.weight", new Shape(c.RelativeAttentionNumBuckets, c.NumHeads), InitKind.Small));
        }
        list.Add(("norm.weight", new Shape(c.DModel), InitKind.Ones));
        return list;
    }

    public static List<(string Name, Shape Shape, InitKind Init)> Vae(VaeConfig c)
    {
        var list = new List<(string, Shape, InitKind)>();
        var z = c.ZDim;
        var stages = c.DimMult.Count;
        int[] encDims = [c.BaseDim, .. c.DimMult.Select(m => c.BaseDim * m)];
        Conv(list, "encoder.conv1", encDims[0], 3, 3, 3, 3);
        int k = 0;
        for (int i = 0; i < stages; i++)
        {
            var inDim = encDims[i];
            for (int r = 0; r < c.NumResBlocks; r++, inDim = encDims[i + 1])
            {
                ResBlock(list, $"encoder.downsamples.{k++}", inDim, encDims[i + 1]);
            }
            if (i != stages - 1)
            {
                Resample(list, $"encoder.downsamples.{k++}", encDims[i + 1], encDims[i + 1], c.TemporalDownsample[i] ? encDims[i + 1] : 0);
            }
        }
        Middle(list, "encoder", encDims[^1]);
        list.Add(("encoder.head.0.gamma", new Shape(encDims[^1], 1, 1, 1), InitKind.Ones));
        Conv(list, "encoder.head.2", 2 * z, encDims[^1], 3, 3, 3);
        Conv(list, "conv1", 2 * z, 2 * z, 1, 1, 1);
        Conv(list, "conv2", z, z, 1, 1, 1);

        int[] decDims = [c.BaseDim * c.DimMult[^1], .. c.DimMult.Reverse().Select(m => c.BaseDim * m)];
        var temperalUpsample = c.TemporalDownsample.Reverse().ToArray();
        Conv(list, "decoder.conv1", decDims[0], z, 3, 3, 3);
        Middle(list, "decoder", decDims[0]);
        k = 0;
        for (int i = 0; i < stages; i++)
        {
            var inDim = i is 1 or 2 or 3 ? decDims[i] / 2 : decDims[i];
            for (int r = 0; r <= c.NumResBlocks; r++, inDim = decDims[i + 1])
            {
                ResBlock(list, $"decoder.upsamples.{k++}", inDim, decDims[i + 1]);
            }
            if (i != stages - 1)
            {
                var d = decDims[i + 1];
                Resample(list, $"decoder.upsamples.{k++}", d, d / 2, temperalUpsample[i] ? 2 * d : 0);
            }
        }
        list.Add(("decoder.head.0.gamma", new Shape(decDims[^1], 1, 1, 1), InitKind.Ones));
        Conv(list, "decoder.head.2", 3, decDims[^1], 3, 3, 3);
        return list;
    }

    private static void Linear(List<(string, Shape, InitKind)> list, string prefix, int outDim, int inDim)
    {
        list.Add(($"{prefix}.weight", new Shape(outDim, inDim), InitKind.Small));
        list.Add(($"{prefix}.bias", new Shape(outDim), InitKind.Small));
    }

    private static void Conv(List<(string, Shape, InitKind)> list, string prefix, int outDim, int inDim, params int[] kernel)
    {
        list.Add(($"{prefix}.weight", new Shape([outDim, inDim, .. kernel]), InitKind.Small));
        list.Add(($"{prefix}.bias", new Shape(outDim), InitKind.Small));
    }

    private static void ResBlock(List<(string, Shape, InitKind)> list, string prefix, int inDim, int outDim)
    {
        list.Add(($"{prefix}.residual.0.gamma", new Shape(inDim, 1, 1, 1), InitKind.Ones));
        Conv(list, $"{prefix}.residual.2", outDim, inDim, 3, 3, 3);
        list.Add(($"{prefix}.residual.3.gamma", new Shape(outDim, 1, 1, 1), InitKind.Ones));
        Conv(list, $"{prefix}.residual.6", outDim, outDim, 3, 3, 3);
        if (inDim != outDim)
        {
            Conv(list, $"{prefix}.shortcut", outDim, inDim, 1, 1, 1);
        }
    }

    /// <summary>Spatial 3x3 conv <paramref name="dim"/> -> <paramref name="outDim"/>, plus a (3,1,1) time conv to <paramref name="timeOut"/> channels when nonzero.</summary>
    private static void Resample(List<(string, Shape, InitKind)> list, string prefix, int dim, int outDim, int timeOut)
    {
        Conv(list, $"{prefix}.resample.1", outDim, dim, 3, 3);
        if (timeOut > 0)
        {
            Conv(list, $"{prefix}.time_conv", timeOut, dim, 3, 1, 1);
        }
    }

    private static void Middle(List<(string, Shape, InitKind)> list, string side, int dim)
    {
        ResBlock(list, $"{side}.middle.0", dim, dim);
        list.Add(($"{side}.middle.1.norm.gamma", new Shape(dim, 1, 1), InitKind.Ones));
        Conv(list, $"{side}.middle.1.to_qkv", 3 * dim, dim, 1, 1);
        Conv(list, $"{side}.middle.1.proj", dim, dim, 1, 1);
        ResBlock(list, $"{side}.middle.2", dim, dim);
    }
}
