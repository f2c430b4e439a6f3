namespace Wan.Kernels.Roofline;

/// <summary>The sizes of a Wan DiT expert that decide its cost per forward (diffusers config names in the comments).</summary>
/// <param name="Dim">hidden size (num_attention_heads · attention_head_dim).</param>
/// <param name="FfnDim">FFN width (ffn_dim).</param>
/// <param name="Heads">attention heads (num_attention_heads).</param>
/// <param name="Layers">blocks (num_layers).</param>
/// <param name="TextLength">text tokens the cross-attention attends to (512, padded).</param>
/// <param name="FreqDim">timestep sinusoid width (freq_dim).</param>
/// <param name="PatchValues">in_channels · pt · ph · pw (= out_channels · pt · ph · pw for T2V).</param>
public sealed record DitShape(int Dim, int FfnDim, int Heads, int Layers, int TextLength, int FreqDim, int PatchValues)
{
    /// <summary>
    /// Wan2.2-T2V-A14B, each of its two experts (transformer/config.json of Wan-AI/Wan2.2-T2V-A14B-Diffusers):
    /// 40 heads × 128, ffn 13824, 40 layers, freq 256, 16 latent channels, patch (1, 2, 2).
    /// </summary>
    public static DitShape Wan22T2VA14B { get; } = new(5120, 13824, 40, 40, 512, 256, 16 * 1 * 2 * 2);

    /// <summary>attention_head_dim = dim / heads (128 for A14B).</summary>
    public int HeadDim => Dim / Heads;

    /// <summary>Tokens of a latent video: (frames−1)/4+1 latent frames, height/16 × width/16 patches (VAE stride 8, patch 2).</summary>
    public static long Tokens(int frames, int height, int width) => (long)((frames - 1) / 4 + 1) * (height / 16) * (width / 16);
}
