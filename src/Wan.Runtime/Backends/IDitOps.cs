using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>
/// The op family of the Wan DiT (<c>WanTransformer</c>) beyond the common ops: LayerNorm with adaLN
/// modulation, the gated residual, the timestep sinusoid and the patch (un)embedding, the low-rank (LoRA) linear (diffusers
/// <c>transformer_wan.py</c>; original <c>wan/modules/model.py</c>). Tokens are [L, D], latents [C, F, H, W].
/// </summary>
public interface IDitOps : IBackend
{
    /// <summary>Per row over the last dim: (x − mean) · rsqrt(var + eps), then · weight + bias when given.</summary>
    Tensor LayerNorm(Tensor x, Tensor? weight, Tensor? bias, float eps);

    /// <summary>adaLN: LayerNorm(x) · (1 + scale) + shift, with shift and scale of shape [D].</summary>
    Tensor ModulatedLayerNorm(Tensor x, Tensor shift, Tensor scale, float eps);

    /// <summary>x[L, D] += gate[D] · y[L, D] (gated residual add).</summary>
    void GatedAddInPlace(Tensor x, Tensor y, Tensor gate);

    /// <summary>[cos(t·w_j) | sin(t·w_j)], w_j = 10000^(−j/(dim/2)), computed in float64, shape [1, dim].</summary>
    Tensor TimestepSinusoid(double t, int dim);

    /// <summary>
    /// Conv3d with kernel = stride = patch: latent [C, F, H, W] → tokens [F/pt·H/ph·W/pw, D]
    /// ordered (f, h, w), w fastest; weight [D, C, pt, ph, pw].
    /// </summary>
    Tensor Patchify(Tensor latent, Tensor weight, Tensor bias, (int T, int H, int W) patch);

    /// <summary>
    /// Inverse of the patch layout: tokens [L, pt·ph·pw·C] (c fastest) on the grid (f, h, w) →
    /// [C, f·pt, h·ph, w·pw].
    /// </summary>
    Tensor Unpatchify(Tensor tokens, int channels, (int F, int H, int W) grid, (int T, int H, int W) patch);

    /// <summary>
    /// y[N, M] = x[N, K] · weight[M, K]ᵀ + (x · down[R, K]ᵀ) · up[M, R]ᵀ + bias[M]: a linear plus a
    /// low-rank update, as two skinny GEMMs beside the base one, the weight untouched (mapped, bf16 or
    /// fp8-dequantized). Several adapters are batched by concatenating their A's along the rank
    /// (down = [A₁; A₂; ...]) and their scaled B's (up = [s₁B₁ | s₂B₂ | ...]); scales live in
    /// <paramref name="up"/>. Follows PEFT <c>lora.Linear.forward</c> (result + lora_B(lora_A(x)) · scaling).
    /// </summary>
    /// <exception cref="ArgumentException">Shapes that do not chain: weight [M, K], down [R, K], up [M, R], bias [M].</exception>
    Tensor LowRankLinear(Tensor x, Tensor weight, Tensor? bias, Tensor down, Tensor up);
}
