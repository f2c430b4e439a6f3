using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Handles;

/// <summary>A stream (blocking with respect to the legacy default stream).</summary>
internal sealed unsafe class CudaStreamHandle : CudaChildHandle
{
    private CudaStreamHandle(IntPtr raw, CudaContextHandle context) : base(raw, context)
    {
    }

    public static CudaStreamHandle Create(CudaContextHandle context)
    {
        IntPtr stream;
        Check(CudaDriver.cuStreamCreate(&stream, 0));
        return new CudaStreamHandle(stream, context);
    }

    protected override bool Destroy(IntPtr raw) => CudaDriver.cuStreamDestroy(raw) == CuResult.Success;
}
