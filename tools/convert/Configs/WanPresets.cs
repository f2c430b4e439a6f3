using Wan.Runtime.Config;

namespace Wan.Convert.Configs;

/// <summary>
/// Known Wan models. Values are those of the official configs (Wan-Video/Wan2.2 wan/configs,
/// Wan2.1 t2v_1_3B); <c>tiny</c> equals the public test fixture's tiny-t2v-a14b.
/// </summary>
public static class WanPresets
{
    /// <summary>Latent mean/std hard-coded in the official Wan2_1_VAE wrapper.</summary>
    public static readonly float[] Wan21LatentsMean =
        [-0.7571f, -0.7089f, -0.9113f, 0.1075f, -0.1745f, 0.9653f, -0.1517f, 1.5508f, 0.4134f, -0.0715f, 0.5517f, -0.3632f, -0.1922f, -0.9497f, 0.2503f, -0.2921f];

    public static readonly float[] Wan21LatentsStd =
        [2.8184f, 1.4541f, 2.3275f, 2.6558f, 1.2196f, 1.7708f, 2.6052f, 2.0743f, 3.2687f, 2.1526f, 2.8652f, 1.5579f, 1.6382f, 1.1253f, 2.8251f, 1.916f];

    private static readonly Umt5Config Umt5Xxl = new(DModel: 4096, DKv: 64, DFf: 10240, NumHeads: 64, NumLayers: 24,
        RelativeAttentionNumBuckets: 32, RelativeAttentionMaxDistance: 128, LayerNormEpsilon: 1e-6f, VocabSize: 256384);

    private static readonly VaeConfig Wan21Vae = Vae(96);

    /// <summary>Wan2.2-T2V-A14B: two 14B experts, boundary 0.875, official sample_shift 12.</summary>
    public static WanModelConfig A14B { get; } = new(Dit(dim: 5120, heads: 40, ffn: 13824, layers: 40, textDim: 4096),
        2, Umt5Xxl, Wan21Vae, new PipelineConfig(0.875, 12.0, 1000));

    /// <summary>Wan2.1-T2V-1.3B: one DiT; official sample_shift 5 (generate.py default for t2v).</summary>
    public static WanModelConfig Wan21_1_3B { get; } = new(Dit(dim: 1536, heads: 12, ffn: 8960, layers: 30, textDim: 4096),
        1, Umt5Xxl, Wan21Vae, new PipelineConfig(null, 5.0, 1000));

    /// <summary>Wan2.1-T2V-14B: one DiT with the A14B expert's shapes.</summary>
    public static WanModelConfig Wan21_14B { get; } = A14B with { Experts = 1, Pipeline = new PipelineConfig(null, 5.0, 1000) };

    /// <summary>The fixture's tiny-t2v-a14b shapes (a few MB).</summary>
    public static WanModelConfig Tiny { get; } = new(Dit(dim: 96, heads: 3, ffn: 256, layers: 2, textDim: 64),
        2, new Umt5Config(DModel: 64, DKv: 16, DFf: 160, NumHeads: 4, NumLayers: 2, RelativeAttentionNumBuckets: 32,
            RelativeAttentionMaxDistance: 128, LayerNormEpsilon: 1e-6f, VocabSize: 1000),
        Vae(4), new PipelineConfig(0.875, 12.0, 1000));

    public static IReadOnlyDictionary<string, WanModelConfig> ByName { get; } = new Dictionary<string, WanModelConfig>(StringComparer.Ordinal)
    {
        ["tiny"] = Tiny,
        ["wan21-1.3b"] = Wan21_1_3B,
        ["wan21-14b"] = Wan21_14B,
        ["a14b"] = A14B,
    };

    public static WanModelConfig Get(string name) =>
        ByName.TryGetValue(name, out var p) ? p : throw new ArgumentException($"unknown preset '{name}' (known: {string.Join(", ", ByName.Keys)})");

    /// <summary>The preset whose DiT has this width and expert count, or null.</summary>
    public static WanModelConfig? Match(int dim, int experts) =>
        ByName.Values.FirstOrDefault(p => p.Dit.Dim == dim && p.Experts == experts);

    /// <summary>A Wan text-to-video DiT: 16 latent channels, patch (1, 2, 2), freq_dim 256, cross-attention norm, 1024 RoPE positions.</summary>
    private static DitConfig Dit(int dim, int heads, int ffn, int layers, int textDim) =>
        new(Heads: heads, HeadDim: dim / heads, InChannels: 16, OutChannels: 16, TextDim: textDim, FreqDim: 256, FfnDim: ffn,
            Layers: layers, Patch: (1, 2, 2), Eps: 1e-6f, CrossAttnNorm: true, RopeMaxSeqLen: 1024);

    /// <summary>The Wan2.1 VAE (4 stages, 2 residual blocks, 4x time) at a base width.</summary>
    private static VaeConfig Vae(int baseDim) =>
        new(baseDim, 16, [1, 2, 4, 4], 2, [false, true, true], Wan21LatentsMean, Wan21LatentsStd, 3, 3);
}
