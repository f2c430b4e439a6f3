using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>
/// The op family of the umT5 text encoder (<c>Umt5Encoder</c>, original <c>wan/modules/t5.py</c>)
/// beyond the common ops. A backend declares it only when the whole encoder (relative-position
/// attention bias, RMSNorm, gated-GELU FFN at its storage type) has been checked against the `t5`
/// goldens on it: the CPU backend and the CUDA backend (fp32, bf16 and fp16 storage; the emulated
/// device's golden tests, <c>CudaT5GoldenTests</c>).
/// </summary>
public interface ITextEncoderOps : IBackend
{
    /// <summary>Rows of table [V, D] for the given ids → [ids.Length, D].</summary>
    /// <exception cref="ArgumentOutOfRangeException">an id lies outside [0, V).</exception>
    Tensor Embedding(Tensor table, ReadOnlySpan<int> ids);

    /// <summary>
    /// The additive attention bias [heads, queries, keys] of one umT5 layer: bias[h, i, j] =
    /// table[offsetBuckets[j − i + queries − 1], h], table [buckets, heads] being the layer's
    /// <c>relative_attention_bias</c> (wan/modules/t5.py, <c>T5RelativeEmbedding.forward</c>) and
    /// <paramref name="offsetBuckets"/> [queries + keys − 1] the bucket of every offset key − query
    /// (<see cref="Models.Umt5.RelativePositionBuckets.ForOffsets"/>: computed once per sequence length, shared by
    /// every layer). Stored in the backend's storage type.
    /// </summary>
    /// <exception cref="ArgumentException">the table is not 2-D or the offset count does not fit the sizes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">a bucket lies outside the table, or a size is below 1.</exception>
    Tensor RelativePositionBias(Tensor table, ReadOnlySpan<int> offsetBuckets, int queries, int keys);

    /// <summary>
    /// x += y, the residual add of a umT5 layer. In fp16 storage it is followed by the reference's overflow
    /// rule: when any element of x is then ±Inf, every element is clamped to ±(65504 − 1000)
    /// (wan/modules/t5.py <c>fp16_clamp</c>; transformers <c>T5Block</c>/<c>UMT5Block</c>). fp32 and bf16
    /// storage have fp32's range and never clamp, as the reference does not.
    /// </summary>
    /// <exception cref="ArgumentException">x and y differ in shape.</exception>
    void ResidualAddInPlace(Tensor x, Tensor y);
}
