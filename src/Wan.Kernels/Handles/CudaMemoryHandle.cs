using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Handles;

/// <summary>Device memory from cuMemAlloc; the handle value is the CUdeviceptr.</summary>
internal sealed unsafe class CudaMemoryHandle : CudaChildHandle
{
    private CudaMemoryHandle(IntPtr raw, CudaContextHandle context) : base(raw, context)
    {
    }

    public static CudaMemoryHandle Allocate(CudaContextHandle context, long bytes)
    {
        ulong address;
        Check(CudaDriver.cuMemAlloc(&address, (nuint)bytes));
        return new CudaMemoryHandle((IntPtr)address, context);
    }

    public ulong Address => (ulong)handle;

    protected override bool Destroy(IntPtr raw) => CudaDriver.cuMemFree((ulong)raw) == CuResult.Success;
}
