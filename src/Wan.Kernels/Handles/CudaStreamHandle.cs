using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Handles;

/// <summary>
/// A non-blocking stream (CU_STREAM_NON_BLOCKING): it never synchronises with the legacy default
/// stream, so another library's work on stream 0 neither waits for ours nor breaks a capture of ours.
/// </summary>
internal sealed unsafe class CudaStreamHandle : CudaChildHandle
{
    private CudaStreamHandle(IntPtr raw, CudaContextHandle context) : base(raw, context)
    {
    }

    public static CudaStreamHandle Create(CudaContextHandle context)
    {
        IntPtr stream;
        Check(CudaDriver.cuStreamCreate(&stream, CudaDriver.StreamNonBlocking));
        return new CudaStreamHandle(stream, context);
    }

    protected override bool Destroy(IntPtr raw) => CudaDriver.cuStreamDestroy(raw) == CuResult.Success;
}
