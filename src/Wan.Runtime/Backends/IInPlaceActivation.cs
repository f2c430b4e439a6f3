using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>
/// Optional capability: activations applied in place, so a block's FFN holds one [tokens, ffn] tensor
/// instead of two (2.1 GB of device memory per forward for A14B at 720p × 81). The CUDA backend offers
/// it (kernels/cuda/elementwise.cu's kernels read and write element i in the same thread, so y may be x);
/// the result equals the allocating op bit for bit.
/// </summary>
public interface IInPlaceActivation : IBackend
{
    /// <summary>x ← 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), as <see cref="IBackend.GeluTanh"/> computes it.</summary>
    /// <exception cref="ArgumentException">the tensor belongs to another backend or is not in its storage type.</exception>
    void GeluTanhInPlace(Tensor x);
}
