using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>
/// What an attention op fuses around softmax(q·kᵀ·scale + bias)·v.
/// </summary>
/// <param name="Heads">number of heads; head_dim = row width / Heads.</param>
/// <param name="Scale">logit scale (1/√dh for Wan, 1 for T5).</param>
/// <param name="ValidKeys">only keys [0, ValidKeys) are attended to (key-length mask).</param>
/// <param name="QNorm">RMSNorm weight [H·dh] applied to q over all heads before RoPE, or null.</param>
/// <param name="KNorm">RMSNorm weight [H·dh] applied to k over all heads before RoPE, or null.</param>
/// <param name="NormEps">epsilon of the Q/K RMSNorm.</param>
/// <param name="Rope">rotary table applied to q and k (self-attention only, Lq = Lk), or null.</param>
/// <param name="Bias">additive logit bias [H, Lq, Lk], or null.</param>
/// <param name="FrameWindow">sliding window over latent frames (self-attention only), or null for full attention.</param>
/// <param name="KeyRope">rotary table of the keys when their positions differ from the queries' (a K/V cache: cached
/// frames then new ones), or null to rotate the keys with <paramref name="Rope"/>.</param>
public sealed record AttentionSpec(
    int Heads,
    float Scale,
    int ValidKeys,
    Tensor? QNorm = null,
    Tensor? KNorm = null,
    float NormEps = 1e-6f,
    RopeTable? Rope = null,
    Tensor? Bias = null,
    AttentionFrameWindow? FrameWindow = null,
    RopeTable? KeyRope = null);
