using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

public sealed partial class CudaBackend : IInPlaceActivation
{
    /// <inheritdoc/>
    public void GeluTanhInPlace(Tensor x)
    {
        var t = Cuda(x);
        ElementwiseOps.GeluTanh(Device, Element, t.Buffer, t.Buffer, x.ElementCount);
    }
}
