using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

/// <summary>The non-finite check on the device (kernels/cuda/checks.cu): one kernel and an 8-byte copy back.</summary>
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public long CountNonFinite(Tensor x)
    {
        var t = Owned(x);
        var type = t.DType switch
        {
            DType.F32 => ElementType.F32,
            DType.F16 => ElementType.F16,
            _ => ElementType.BF16,
        };
        return CheckOps.CountNonFinite(Device, type, t.Buffer, t.ElementCount);
    }
}
