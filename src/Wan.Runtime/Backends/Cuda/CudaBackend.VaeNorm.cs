using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>
    /// RMS norm over the channels of x [C, ...] at every position: x / max(‖x‖₂, 1e-12) · √C · gamma[c]
    /// (original <c>RMS_norm</c>, wan/modules/vae2_1.py: F.normalize), then SiLU when <paramref name="silu"/>;
    /// one kernel (kernels/cuda/vae_norm.cu), fp32 statistics.
    /// </summary>
    /// <exception cref="ArgumentException">x is not [C, ...] or gamma does not hold C values.</exception>
    public Tensor ChannelRmsNorm(Tensor x, Tensor gamma, bool silu)
    {
        var (c, n) = VaeChecks.Channels(x, "channel rms_norm input");
        OpChecks.Vector(gamma, c, "channel rms_norm gamma");
        var y = AllocateLike(x);
        VaeNormOps.ChannelRmsNorm(Device, Element, Cuda(x).Buffer, Cuda(gamma).Buffer, y.Buffer, c, n, silu);
        return y;
    }

    /// <summary>y[c, ...] = x[c, ...] · scale[c] + shift[c] for x [C, ...] (the latent (un)scaling); one kernel.</summary>
    /// <exception cref="ArgumentException">x is not [C, ...] or scale/shift do not hold C values.</exception>
    public Tensor ChannelAffine(Tensor x, Tensor scale, Tensor shift)
    {
        var (c, n) = VaeChecks.Channels(x, "channel affine input");
        OpChecks.Vector(scale, c, "channel affine scale");
        OpChecks.Vector(shift, c, "channel affine shift");
        var y = AllocateLike(x);
        VaeNormOps.ChannelAffine(Device, Element, Cuda(x).Buffer, Cuda(scale).Buffer, Cuda(shift).Buffer, y.Buffer, c, n);
        return y;
    }
}
