namespace Wan.Convert.Configs;

/// <summary>
/// Known Wan models. Values are those of the official configs (Wan-Video/Wan2.2 wan/configs,
/// Wan2.1 t2v_1_3B); <c>tiny</c> equals the public test fixture's tiny-t2v-a14b.
/// </summary>
public static class WanPresets
{
    /// <summary>Latent mean/std hard-coded in the official Wan2_1_VAE wrapper.</summary>
    public static readonly double[] Wan21LatentsMean =
        [-0.7571, -0.7089, -0.9113, 0.1075, -0.1745, 0.9653, -0.1517, 1.5508, 0.4134, -0.0715, 0.5517, -0.3632, -0.1922, -0.9497, 0.2503, -0.2921];

    public static readonly double[] Wan21LatentsStd =
        [2.8184, 1.4541, 2.3275, 2.6558, 1.2196, 1.7708, 2.6052, 2.0743, 3.2687, 2.1526, 2.8652, 1.5579, 1.6382, 1.1253, 2.8251, 1.916];

    private static readonly T5Config Umt5Xxl = new(256384, 4096, 10240, 64, 64, 24, 32, 128, 1e-6);

    private static readonly VaeConfig Wan21Vae = new(96, 16, [1, 2, 4, 4], 2, [false, true, true], Wan21LatentsMean, Wan21LatentsStd);

    /// <summary>Wan2.2-T2V-A14B: two 14B experts, boundary 0.875, official sample_shift 12.</summary>
    public static WanModelConfig A14B { get; } = new(
        new DitConfig(5120, 40, 13824, 256, 4096, 16, 16, 40, [1, 2, 2], 1e-6, true, 1024),
        2, Umt5Xxl, Wan21Vae, new PipelineConfig(0.875, 12.0, 1000));

    /// <summary>Wan2.1-T2V-1.3B: one DiT; official sample_shift 5 (generate.py default for t2v).</summary>
    public static WanModelConfig Wan21_1_3B { get; } = new(
        new DitConfig(1536, 12, 8960, 256, 4096, 16, 16, 30, [1, 2, 2], 1e-6, true, 1024),
        1, Umt5Xxl, Wan21Vae, new PipelineConfig(null, 5.0, 1000));

    /// <summary>Wan2.1-T2V-14B: one DiT with the A14B expert's shapes.</summary>
    public static WanModelConfig Wan21_14B { get; } = A14B with { Experts = 1, Pipeline = new PipelineConfig(null, 5.0, 1000) };

    /// <summary>The fixture's tiny-t2v-a14b shapes (a few MB).</summary>
    public static WanModelConfig Tiny { get; } = new(
        new DitConfig(96, 3, 256, 256, 64, 16, 16, 2, [1, 2, 2], 1e-6, true, 1024),
        2, new T5Config(1000, 64, 160, 4, 16, 2, 32, 128, 1e-6),
        new VaeConfig(4, 16, [1, 2, 4, 4], 2, [false, true, true], Wan21LatentsMean, Wan21LatentsStd),
        new PipelineConfig(0.875, 12.0, 1000));

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
}
