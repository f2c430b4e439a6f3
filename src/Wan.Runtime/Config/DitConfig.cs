namespace Wan.Runtime.Config;

/// <summary>
/// Hyper-parameters of a Wan DiT expert (diffusers <c>WanTransformer3DModel</c> config.json, following
/// diffusers <c>transformer_wan.py</c> and the original <c>wan/modules/model.py</c> WanModel). Absent keys take
/// the diffusers constructor defaults, which are the Wan2.2-T2V-A14B values. Only text-to-video
/// transformers load: image-to-video and first-last-frame variants are refused naming the key.
/// </summary>
/// <param name="Heads">attention heads (<c>num_attention_heads</c>).</param>
/// <param name="HeadDim">width of one head (<c>attention_head_dim</c>), even (RoPE rotates pairs).</param>
/// <param name="InChannels">latent channels the patch embedding reads (<c>in_channels</c>).</param>
/// <param name="OutChannels">latent channels the head writes (<c>out_channels</c>).</param>
/// <param name="TextDim">width of the text context the text MLP reads (<c>text_dim</c>) = umT5 d_model.</param>
/// <param name="FreqDim">width of the sinusoidal timestep embedding (<c>freq_dim</c>).</param>
/// <param name="FfnDim">hidden width of each block's FFN (<c>ffn_dim</c>).</param>
/// <param name="Layers">transformer blocks (<c>num_layers</c>).</param>
/// <param name="Patch">patch size (frames, height, width) of the latent patch embedding (<c>patch_size</c>).</param>
/// <param name="Eps">epsilon of the layer and RMS norms (<c>eps</c>).</param>
/// <param name="CrossAttnNorm">whether cross-attention has its own norm (<c>cross_attn_norm</c>).</param>
/// <param name="RopeMaxSeqLen">positions per axis of the RoPE table (<c>rope_max_seq_len</c>): the largest latent grid side in patches.</param>
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
    /// <summary>Model width = heads × head width; fits an int (checked at load).</summary>
    public int Dim => Heads * HeadDim;

    /// <summary>Rows the text context is zero-padded to before the text MLP (the original text_len).</summary>
    public const int TextLength = 512;

    /// <summary>The largest tensor dimension a config may imply (one row of a weight must be indexable by an int).</summary>
    public const long MaxDimension = int.MaxValue;

    /// <summary>Reads and checks a transformer config.json.</summary>
    /// <param name="path">the config file.</param>
    /// <exception cref="Wan.Errors.ConfigException">the file is missing or not JSON, a key is missing, mistyped or impossible,
    /// a width product overflows, or the transformer is not text-to-video (names the file and key).</exception>
    public static DitConfig Load(string path)
    {
        var c = JsonConfig.Load(path);
        var className = c.String("_class_name", "WanTransformer3DModel");
        c.Require(className == "WanTransformer3DModel", "_class_name", $"is '{className}'; only WanTransformer3DModel (Wan text-to-video) is supported");
        // Image-to-video (Wan2.1 I2V, Wan2.2 I2V-A14B) and first-last-frame transformers: CLIP image
        // context, concatenated image latents, or a position embedding for the image tokens.
        c.RequireAbsent("image_dim", "an image-to-video transformer (CLIP image context); only text-to-video runs here");
        c.RequireAbsent("added_kv_proj_dim", "an image-to-video transformer (image key/value projections); only text-to-video runs here");
        c.RequireAbsent("pos_embed_seq_len", "a first-last-frame transformer (image position embedding); only text-to-video runs here");
        var patch = c.IntArray("patch_size", [1, 2, 2]);
        c.Require(patch.Length == 3 && patch.All(p => p > 0), "patch_size", "must be three positive integers");
        var qkNorm = c.String("qk_norm", "rms_norm_across_heads");
        c.Require(qkNorm == "rms_norm_across_heads", "qk_norm", $"is '{qkNorm}'; only 'rms_norm_across_heads' (Wan) is supported");
        var config = new DitConfig(
            Heads: c.PositiveInt("num_attention_heads", 40),
            HeadDim: c.PositiveInt("attention_head_dim", 128),
            InChannels: c.PositiveInt("in_channels", 16),
            OutChannels: c.PositiveInt("out_channels", 16),
            TextDim: c.PositiveInt("text_dim", 4096),
            FreqDim: c.PositiveInt("freq_dim", 256),
            FfnDim: c.PositiveInt("ffn_dim", 13824),
            Layers: c.PositiveInt("num_layers", 40),
            Patch: (patch[0], patch[1], patch[2]),
            Eps: (float)c.PositiveDouble("eps", 1e-6),
            CrossAttnNorm: c.Bool("cross_attn_norm", true),
            RopeMaxSeqLen: c.PositiveInt("rope_max_seq_len", 1024));
        c.Require(config.InChannels == config.OutChannels, "in_channels",
            $"is {config.InChannels} but 'out_channels' is {config.OutChannels}: extra input channels carry image conditioning (image-to-video); only text-to-video runs here");
        c.Require(config.HeadDim % 2 == 0, "attention_head_dim", $"is {config.HeadDim}; it must be even (RoPE rotates pairs)");
        c.Require(config.FreqDim % 2 == 0, "freq_dim", $"is {config.FreqDim}; it must be even (sin and cos halves)");
        // Every weight shape the model builds from these keys, in checked 64-bit arithmetic.
        var dim = c.Product("num_attention_heads × attention_head_dim", MaxDimension, config.Heads, config.HeadDim);
        c.Product("num_attention_heads × attention_head_dim × 6 (time projection rows)", MaxDimension, dim, 6);
        c.Product("out_channels × patch_size (head rows)", MaxDimension, config.OutChannels, patch[0], patch[1], patch[2]);
        c.Product("in_channels × patch_size (patch embedding inputs)", MaxDimension, config.InChannels, patch[0], patch[1], patch[2]);
        c.Product("ffn_dim × num_attention_heads × attention_head_dim (FFN weight)", long.MaxValue, config.FfnDim, dim);
        return config;
    }
}
