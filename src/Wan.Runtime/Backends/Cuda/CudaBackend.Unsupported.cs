using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

/// <summary>The ops whose kernels are not written yet: they say so instead of computing anything.</summary>
public sealed partial class CudaBackend
{
    public Tensor Attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec) =>
        throw new NotSupportedException("attention has no CUDA kernel yet (RoPE exists: Wan.Kernels.Ops.RopeOps)");

    public Tensor Patchify(Tensor latent, Tensor weight, Tensor bias, (int T, int H, int W) patch) =>
        throw new NotSupportedException("patchify has no CUDA kernel yet");

    public Tensor Unpatchify(Tensor tokens, int channels, (int F, int H, int W) grid, (int T, int H, int W) patch) =>
        throw new NotSupportedException("unpatchify has no CUDA kernel yet");
}
