using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public Tensor RmsNorm(Tensor x, Tensor weight, float eps)
    {
        var (rows, d) = Matrix(x, "rms_norm input");
        Vector(weight, d, "rms_norm weight");
        var y = AllocateLike(x);
        NormOps.RmsNorm(Device, Element, Cuda(x).Buffer, Cuda(weight).Buffer, y.Buffer, rows, d, eps);
        return y;
    }

    /// <inheritdoc/>
    public Tensor LayerNorm(Tensor x, Tensor? weight, Tensor? bias, float eps)
    {
        var (rows, d) = Matrix(x, "layer_norm input");
        if (weight is not null)
        {
            Vector(weight, d, "layer_norm weight");
        }
        if (bias is not null)
        {
            Vector(bias, d, "layer_norm bias");
        }
        var y = AllocateLike(x);
        NormOps.LayerNorm(Device, Element, Cuda(x).Buffer, weight is null ? null : Cuda(weight).Buffer,
            bias is null ? null : Cuda(bias).Buffer, y.Buffer, rows, d, eps);
        return y;
    }

    /// <inheritdoc/>
    public Tensor ModulatedLayerNorm(Tensor x, Tensor shift, Tensor scale, float eps)
    {
        var (rows, d) = Matrix(x, "modulated layer_norm input");
        Vector(shift, d, "modulation shift");
        Vector(scale, d, "modulation scale");
        var y = AllocateLike(x);
        NormOps.ModulatedLayerNorm(Device, Element, Cuda(x).Buffer, Cuda(shift).Buffer, Cuda(scale).Buffer, y.Buffer, rows, d, eps);
        return y;
    }
}
