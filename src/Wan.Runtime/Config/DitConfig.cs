namespace Wan.Runtime.Config;

/// <summary>
/// Hyper-parameters of a Wan DiT expert (diffusers WanTransformer3DModel config.json).
/// Absent keys take the diffusers constructor defaults, which are the Wan2.2-T2V-A14B values.
/// </summary>
public sealed record DitConfig(
    int Heads,
    int HeadDim,
    int InChannels,
    int OutChannels,
    int TextDim,
    int FreqDim,
    int FfnDim,
    int Layers,
    (int T, int H, int W) Patch,
    float Eps,
    bool CrossAttnNorm,
    int RopeMaxSeqLen)
{
    public int Dim => Heads * HeadDim;

    /// <summary>Rows the text context is zero-padded to before the text MLP (the original text_len).</summary>
    public const int TextLength = 512;

    public static DitConfig Load(string path)
    {
        var c = JsonConfig.Load(path);
        var patch = c.IntArray("patch_size", [1, 2, 2]);
        c.Require(patch.Length == 3 && patch.All(p => p > 0), "patch_size", "must be three positive integers");
        var qkNorm = c.String("qk_norm", "rms_norm_across_heads");
        c.Require(qkNorm == "rms_norm_across_heads", "qk_norm", $"is '{qkNorm}'; only 'rms_norm_across_heads' (Wan) is supported");
        var config = new DitConfig(
            Heads: c.Int("num_attention_heads", 40),
            HeadDim: c.Int("attention_head_dim", 128),
            InChannels: c.Int("in_channels", 16),
            OutChannels: c.Int("out_channels", 16),
            TextDim: c.Int("text_dim", 4096),
            FreqDim: c.Int("freq_dim", 256),
            FfnDim: c.Int("ffn_dim", 13824),
            Layers: c.Int("num_layers", 40),
            Patch: (patch[0], patch[1], patch[2]),
            Eps: (float)c.Double("eps", 1e-6),
            CrossAttnNorm: c.Bool("cross_attn_norm", true),
            RopeMaxSeqLen: c.Int("rope_max_seq_len", 1024));
        c.Require(config.Heads > 0, "num_attention_heads", "must be positive");
        c.Require(config.HeadDim > 0 && config.HeadDim % 2 == 0, "attention_head_dim", "must be positive and even (RoPE pairs)");
        c.Require(config.FreqDim > 0 && config.FreqDim % 2 == 0, "freq_dim", "must be positive and even");
        c.Require(config.Layers > 0, "num_layers", "must be positive");
        c.Require(config.InChannels > 0 && config.OutChannels > 0, "in_channels/out_channels", "must be positive");
        return config;
    }
}
