using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Handles;

/// <summary>An event recorded on a stream: for timing work (<see cref="Create"/>) or for ordering two streams (<see cref="CreateForOrdering"/>).</summary>
internal sealed unsafe class CudaEventHandle : CudaChildHandle
{
    private CudaEventHandle(IntPtr raw, CudaContextHandle context) : base(raw, context)
    {
    }

    /// <summary>An event that records a timestamp (cuEventElapsedTime reads two of them).</summary>
    public static CudaEventHandle Create(CudaContextHandle context) => CreateWithFlags(context, CudaDriver.EventDefault);

    /// <summary>
    /// An event without a timestamp (CU_EVENT_DISABLE_TIMING): the cheapest kind to record, wait on and
    /// synchronise with, which is all a cross-stream dependency needs.
    /// </summary>
    public static CudaEventHandle CreateForOrdering(CudaContextHandle context) => CreateWithFlags(context, CudaDriver.EventDisableTiming);

    private static CudaEventHandle CreateWithFlags(CudaContextHandle context, uint flags)
    {
        IntPtr evt;
        Check(CudaDriver.cuEventCreate(&evt, flags));
        return new CudaEventHandle(evt, context);
    }

    protected override bool Destroy(IntPtr raw) => CudaDriver.cuEventDestroy(raw) == CuResult.Success;
}
