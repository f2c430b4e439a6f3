using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Backends;

/// <summary>
/// The operations the models are written against, at the granularity of the CUDA kernels (one fused
/// op = one kernel or one GEMM). Shapes are row-major: sequences [L, D], videos and latents [C, F, H, W].
/// Every op returns a new tensor unless its name ends in InPlace. The CPU backend is the reference.
/// </summary>
public partial interface IBackend : IDisposable
{
    string Name { get; }

    /// <summary>Copies host float32 data into a new tensor of this backend.</summary>
    Tensor FromHost(ReadOnlySpan<float> data, Shape shape);

    /// <summary>
    /// Copies a host lookup table (e.g. RoPE cos/sin) that stays float32 whatever the backend's storage
    /// type: the reference rotates by unrounded angles.
    /// </summary>
    Tensor FromHostF32(ReadOnlySpan<float> data, Shape shape);

    /// <summary>
    /// Loads a stored weight (any float dtype, its scale applied) into this backend's weight storage;
    /// the backend may keep a lease on the stored bytes instead of copying them.
    /// </summary>
    Tensor LoadWeight(StoredTensor source);

    /// <summary>Copies a tensor back to host float32.</summary>
    float[] ToHost(Tensor tensor);

    /// <summary>Same data, another shape with the same element count (no copy where possible).</summary>
    Tensor Reshape(Tensor x, Shape shape);

    /// <summary>Rows [start, start + count) of a 2-D tensor [R, C], copied.</summary>
    Tensor SliceRows(Tensor x, int start, int count);

    /// <summary>y[N, M] = x[N, K] · weight[M, K]ᵀ + bias[M].</summary>
    Tensor Linear(Tensor x, Tensor weight, Tensor? bias);

    /// <summary>Per row over the last dim: x · rsqrt(mean(x²) + eps) · weight (T5 / Wan RMSNorm).</summary>
    Tensor RmsNorm(Tensor x, Tensor weight, float eps);

    /// <summary>Per row over the last dim: (x − mean) · rsqrt(var + eps), then · weight + bias when given.</summary>
    Tensor LayerNorm(Tensor x, Tensor? weight, Tensor? bias, float eps);

    /// <summary>adaLN: LayerNorm(x) · (1 + scale) + shift, with shift and scale of shape [D].</summary>
    Tensor ModulatedLayerNorm(Tensor x, Tensor shift, Tensor scale, float eps);

    /// <summary>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), elementwise.</summary>
    Tensor GeluTanh(Tensor x);

    /// <summary>x · sigmoid(x), elementwise.</summary>
    Tensor Silu(Tensor x);

    /// <summary>Elementwise a + b (same shapes).</summary>
    Tensor Add(Tensor a, Tensor b);

    /// <summary>Elementwise a · b (same shapes).</summary>
    Tensor Mul(Tensor a, Tensor b);

    /// <summary>x += y (residual add).</summary>
    void AddInPlace(Tensor x, Tensor y);

    /// <summary>x[L, D] += gate[D] · y[L, D] (gated residual add).</summary>
    void GatedAddInPlace(Tensor x, Tensor y, Tensor gate);

    /// <summary>[cos(t·w_j) | sin(t·w_j)], w_j = 10000^(−j/(dim/2)), computed in float64, shape [1, dim].</summary>
    Tensor TimestepSinusoid(double t, int dim);

    /// <summary>
    /// Multi-head attention over q [Lq, H·dh], k and v [Lk, H·dh] → [Lq, H·dh], with the optional
    /// Q/K RMSNorm (over all heads), rotary embedding, additive bias and key-length mask of
    /// <paramref name="spec"/> fused in. Softmax in fp32.
    /// </summary>
    Tensor Attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec);

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

    /// <summary>Rows of table [V, D] for the given ids → [ids.Length, D].</summary>
    Tensor Embedding(Tensor table, ReadOnlySpan<int> ids);
}
