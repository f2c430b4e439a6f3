using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public Tensor SingleHeadAttention(Tensor q, Tensor k, Tensor v, float scale)
    {
        var (_, lk, _) = VaeChecks.SingleHeadAttention(q, k, v);
        return Attention(q, k, v, new AttentionSpec(Heads: 1, Scale: scale, ValidKeys: lk));
    }
}
