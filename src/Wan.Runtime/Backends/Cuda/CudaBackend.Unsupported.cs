using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

/// <summary>The VAE ops, whose kernels are not written yet: they say so instead of computing anything.</summary>
public sealed partial class CudaBackend
{
    public Tensor Conv3d(Tensor x, Tensor weight, Tensor? bias, Conv3dSpec spec) => throw Vae(nameof(Conv3d));

    public Tensor Conv2dFrames(Tensor x, Tensor weight, Tensor? bias, Conv2dSpec spec) => throw Vae(nameof(Conv2dFrames));

    public Tensor ChannelRmsNorm(Tensor x, Tensor gamma, bool silu) => throw Vae(nameof(ChannelRmsNorm));

    public Tensor ChannelAffine(Tensor x, Tensor scale, Tensor shift) => throw Vae(nameof(ChannelAffine));

    public Tensor UpsampleNearest2x(Tensor x) => throw Vae(nameof(UpsampleNearest2x));

    public Tensor ConcatFrames(Tensor a, Tensor b) => throw Vae(nameof(ConcatFrames));

    public Tensor SliceFrames(Tensor x, int start, int count) => throw Vae(nameof(SliceFrames));

    public Tensor SliceChannels(Tensor x, int start, int count) => throw Vae(nameof(SliceChannels));

    public Tensor InterleaveChannelHalves(Tensor x) => throw Vae(nameof(InterleaveChannelHalves));

    public Tensor PixelsToRows(Tensor x) => throw Vae(nameof(PixelsToRows));

    public Tensor RowsToPixels(Tensor rows, Shape shape) => throw Vae(nameof(RowsToPixels));

    private static NotSupportedException Vae(string op) =>
        new($"the VAE op {op} has no CUDA kernel yet: decode on the CPU backend");
}
