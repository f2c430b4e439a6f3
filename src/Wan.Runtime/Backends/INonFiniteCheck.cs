using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>
/// Optional capability: count NaN and ±Inf values of a tensor where it lives, so a check after every
/// denoising step costs one pass over the tensor and a single number back on the host, not a copy.
/// The CPU backend scans its memory; the CUDA backend runs <c>kernels/cuda/checks.cu</c>.
/// </summary>
public interface INonFiniteCheck : IBackend
{
    /// <summary>The number of elements of <paramref name="x"/> that are NaN, +Inf or −Inf (0 when all are finite).</summary>
    /// <exception cref="ArgumentException">the tensor belongs to another backend.</exception>
    long CountNonFinite(Tensor x);
}
