using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Handles;

/// <summary>A captured graph (cuStreamEndCapture); instantiate it to launch it.</summary>
internal sealed unsafe class CudaGraphHandle : CudaChildHandle
{
    private CudaGraphHandle(IntPtr raw, CudaContextHandle context) : base(raw, context)
    {
    }

    /// <summary>Ends the capture on <paramref name="stream"/> and takes ownership of the graph.</summary>
    public static CudaGraphHandle EndCapture(CudaContextHandle context, CudaStreamHandle stream)
    {
        IntPtr graph;
        Check(CudaDriver.cuStreamEndCapture(stream.DangerousGetHandle(), &graph));
        return new CudaGraphHandle(graph, context);
    }

    /// <summary>Ends the capture on <paramref name="stream"/>; null when the driver reports an error or no graph.</summary>
    public static CudaGraphHandle? TryEndCapture(CudaContextHandle context, CudaStreamHandle stream)
    {
        IntPtr graph;
        return CudaDriver.cuStreamEndCapture(stream.DangerousGetHandle(), &graph) == CuResult.Success && graph != IntPtr.Zero
            ? new CudaGraphHandle(graph, context)
            : null;
    }

    protected override bool Destroy(IntPtr raw) => CudaDriver.cuGraphDestroy(raw) == CuResult.Success;
}
