using System.Globalization;
using System.Runtime.InteropServices;
using Wan.Kernels.Numerics;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Bench.Profile;

/// <summary>
/// Writes a diffusers-layout Wan DiT expert with random BF16 weights (config.json +
/// diffusion_pytorch_model.safetensors) for timing: uniform(±1/√fan_in) matrices, unit norms,
/// small biases, so activations stay finite through all layers.
/// </summary>
public sealed record SyntheticDit(int Heads, int HeadDim, int FfnDim, int Layers, int TextDim = 4096, int FreqDim = 256, int Channels = 16)
{
    public int Dim => Heads * HeadDim;

    /// <summary>The Wan2.1-T2V-1.3B expert shape (dim 1536, 12 heads, ffn 8960, 30 layers).</summary>
    public static SyntheticDit Wan21T2V1_3B(int layers) => new(12, 128, 8960, layers);

    /// <summary>The Wan2.2-T2V-A14B expert shape (dim 5120, 40 heads, ffn 13824; 40 layers in the real model).</summary>
    public static SyntheticDit Wan22A14B(int layers) => new(40, 128, 13824, layers);

    public void Write(string directory, int seed)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "config.json"), string.Create(CultureInfo.InvariantCulture, $$"""
            {"_class_name": "WanTransformer3DModel", "attention_head_dim": {{HeadDim}}, "cross_attn_norm": true,
             "eps": 1e-06, "ffn_dim": {{FfnDim}}, "freq_dim": {{FreqDim}}, "in_channels": {{Channels}},
             "num_attention_heads": {{Heads}}, "num_layers": {{Layers}}, "out_channels": {{Channels}},
             "patch_size": [1, 2, 2], "qk_norm": "rms_norm_across_heads", "rope_max_seq_len": 1024, "text_dim": {{TextDim}}}
            """));
        var entries = Entries();
        using var writer = new SafetensorsWriter(Path.Combine(directory, "diffusion_pytorch_model.safetensors"),
            [.. entries.Select(e => (e.Name, DType.BF16, e.Shape))]);
        var random = new Random(seed);
        var pool = new float[1 << 20];
        foreach (ref var v in pool.AsSpan())
        {
            v = random.NextSingle() * 2 - 1;
        }
        var chunk = new ushort[pool.Length];
        foreach (var (name, shape, fill) in entries)
        {
            long remaining = shape.ElementCount;
            int offset = random.Next(pool.Length);
            while (remaining > 0)
            {
                int n = (int)Math.Min(remaining, pool.Length - offset);
                for (int i = 0; i < n; i++)
                {
                    chunk[i] = FloatCodec.FloatToBF16(fill.Constant + fill.Scale * pool[offset + i]);
                }
                writer.Write(MemoryMarshal.AsBytes(chunk.AsSpan(0, n)));
                remaining -= n;
                offset = 0;
            }
        }
        writer.Commit();
    }

    /// <summary>value = Constant + Scale · uniform(−1, 1).</summary>
    private readonly record struct Fill(float Constant, float Scale);

    private List<(string Name, Shape Shape, Fill Fill)> Entries()
    {
        int d = Dim;
        var list = new List<(string, Shape, Fill)>();
        void Linear(string prefix, int outputs, int inputs)
        {
            list.Add((prefix + ".weight", new Shape(outputs, inputs), new Fill(0, 1 / MathF.Sqrt(inputs))));
            list.Add((prefix + ".bias", new Shape(outputs), new Fill(0, 0.02f)));
        }
        void Norm(string name) => list.Add((name, new Shape(d), new Fill(1, 0.05f)));

        list.Add(("patch_embedding.weight", new Shape(d, Channels, 1, 2, 2), new Fill(0, 1 / MathF.Sqrt(Channels * 4))));
        list.Add(("patch_embedding.bias", new Shape(d), new Fill(0, 0.02f)));
        Linear("condition_embedder.time_embedder.linear_1", d, FreqDim);
        Linear("condition_embedder.time_embedder.linear_2", d, d);
        Linear("condition_embedder.time_proj", 6 * d, d);
        Linear("condition_embedder.text_embedder.linear_1", d, TextDim);
        Linear("condition_embedder.text_embedder.linear_2", d, d);
        Linear("proj_out", Channels * 4, d);
        list.Add(("scale_shift_table", new Shape(1, 2, d), new Fill(0, 0.1f)));
        for (int i = 0; i < Layers; i++)
        {
            var p = $"blocks.{i}.";
            list.Add((p + "scale_shift_table", new Shape(1, 6, d), new Fill(0, 0.1f)));
            foreach (var attn in new[] { "attn1", "attn2" })
            {
                foreach (var proj in new[] { "to_q", "to_k", "to_v", "to_out.0" })
                {
                    Linear($"{p}{attn}.{proj}", d, d);
                }
                Norm($"{p}{attn}.norm_q.weight");
                Norm($"{p}{attn}.norm_k.weight");
            }
            Norm(p + "norm2.weight");
            list.Add((p + "norm2.bias", new Shape(d), new Fill(0, 0.02f)));
            Linear(p + "ffn.net.0.proj", FfnDim, d);
            Linear(p + "ffn.net.2", d, FfnDim);
        }
        return list;
    }
}
