using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public Tensor GeluTanh(Tensor x)
    {
        var y = AllocateLike(x);
        ElementwiseOps.GeluTanh(Device, Element, Cuda(x).Buffer, y.Buffer, x.ElementCount);
        return y;
    }

    /// <inheritdoc/>
    public Tensor Silu(Tensor x)
    {
        var y = AllocateLike(x);
        ElementwiseOps.Silu(Device, Element, Cuda(x).Buffer, y.Buffer, x.ElementCount);
        return y;
    }

    /// <inheritdoc/>
    public Tensor Add(Tensor a, Tensor b)
    {
        SameShape(a, b, "add");
        var y = AllocateLike(a);
        ElementwiseOps.Add(Device, Element, Cuda(a).Buffer, Cuda(b).Buffer, y.Buffer, a.ElementCount);
        return y;
    }

    /// <inheritdoc/>
    public Tensor Mul(Tensor a, Tensor b)
    {
        SameShape(a, b, "mul");
        var y = AllocateLike(a);
        ElementwiseOps.Mul(Device, Element, Cuda(a).Buffer, Cuda(b).Buffer, y.Buffer, a.ElementCount);
        return y;
    }

    /// <inheritdoc/>
    public void AddInPlace(Tensor x, Tensor y)
    {
        SameShape(x, y, "add_");
        var target = Cuda(x).Buffer;
        ElementwiseOps.Add(Device, Element, target, Cuda(y).Buffer, target, x.ElementCount);
    }

    /// <inheritdoc/>
    public void GatedAddInPlace(Tensor x, Tensor y, Tensor gate)
    {
        SameShape(x, y, "gated add_");
        var (rows, d) = Matrix(x, "gated add_");
        Vector(gate, d, "gate");
        ElementwiseOps.GatedAdd(Device, Element, Cuda(x).Buffer, Cuda(y).Buffer, Cuda(gate).Buffer, rows, d);
    }
}
