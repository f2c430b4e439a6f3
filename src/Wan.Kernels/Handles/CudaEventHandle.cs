using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Handles;

/// <summary>An event used for timing work on a stream.</summary>
internal sealed unsafe class CudaEventHandle : CudaChildHandle
{
    private CudaEventHandle(IntPtr raw, CudaContextHandle context) : base(raw, context)
    {
    }

    public static CudaEventHandle Create(CudaContextHandle context)
    {
        IntPtr evt;
        Check(CudaDriver.cuEventCreate(&evt, CudaDriver.EventDefault));
        return new CudaEventHandle(evt, context);
    }

    protected override bool Destroy(IntPtr raw) => CudaDriver.cuEventDestroy(raw) == CuResult.Success;
}
