using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Handles;

/// <summary>An instantiated, launchable graph.</summary>
internal sealed unsafe class CudaGraphExecHandle : CudaChildHandle
{
    private CudaGraphExecHandle(IntPtr raw, CudaContextHandle context) : base(raw, context)
    {
    }

    public static CudaGraphExecHandle Instantiate(CudaContextHandle context, CudaGraphHandle graph)
    {
        IntPtr exec;
        Check(CudaDriver.cuGraphInstantiateWithFlags(&exec, graph.DangerousGetHandle(), 0));
        return new CudaGraphExecHandle(exec, context);
    }

    protected override bool Destroy(IntPtr raw) => CudaDriver.cuGraphExecDestroy(raw) == CuResult.Success;
}
