using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>
/// The op family of the umT5 text encoder (<c>Umt5Encoder</c>, original <c>wan/modules/t5.py</c>)
/// beyond the common ops. A backend declares it only when the whole encoder (relative-position
/// attention bias, RMSNorm, gated-GELU FFN at its storage type) has been checked against the `t5`
/// goldens on it: today the CPU backend.
/// </summary>
public interface ITextEncoderOps : IBackend
{
    /// <summary>Rows of table [V, D] for the given ids → [ids.Length, D].</summary>
    Tensor Embedding(Tensor table, ReadOnlySpan<int> ids);
}
