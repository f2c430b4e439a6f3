using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Backends;

/// <summary>
/// The common tensor ops every backend offers: host transfers, weights, views, Linear, RMSNorm, the
/// elementwise ops and attention, at the granularity of the CUDA kernels (one fused op = one kernel
/// or one GEMM). Shapes are row-major: sequences [L, D], videos and latents [C, F, H, W]. Every op
/// returns a new tensor unless its name ends in InPlace. The CPU backend is the reference.
/// </summary>
/// <remarks>
/// The model-specific ops are separate families a backend declares by implementing them:
/// <see cref="IDitOps"/>, <see cref="ITextEncoderOps"/>, <see cref="IVaeOps"/>. Optional capabilities
/// are separate interfaces too: <see cref="IStepCapture"/>, <see cref="INonFiniteCheck"/>.
/// </remarks>
public partial interface IBackend : IDisposable
{
    /// <summary>Human-readable name with the device and storage type, e.g. "cpu" or "cuda BF16 on emulated (g++ fibers)".</summary>
    string Name { get; }

    /// <summary>
    /// The dtype activations are stored in between ops (<see cref="DType.F32"/>, <see cref="DType.BF16"/>
    /// or <see cref="DType.F16"/>); ops compute in fp32 whatever it is.
    /// </summary>
    DType Storage { get; }

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

    /// <summary>
    /// Multi-head attention over q [Lq, H·dh], k and v [Lk, H·dh] → [Lq, H·dh], with the optional
    /// Q/K RMSNorm (over all heads), rotary embedding, additive bias and key-length mask of
    /// <paramref name="spec"/> fused in. Softmax in fp32.
    /// </summary>
    Tensor Attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec);

    /// <summary>
    /// Whether <see cref="Attention"/> has a kernel for heads of <paramref name="headDim"/> elements at
    /// <see cref="Storage"/>: models ask when they are loaded, so an unsupported shape is refused before
    /// any work instead of at the first forward.
    /// </summary>
    bool SupportsAttention(int headDim);
}
