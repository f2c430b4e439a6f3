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
        var result = CudaDriver.cuMemAlloc(&address, (nuint)bytes);
        if (result == CuResult.OutOfMemory)
        {
            // The size is what a user can act on; the pipeline names the stage when it passes through.
            throw new Wan.Errors.MemoryExhaustedException("allocating", "GPU", bytes, "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY");
        }
        Check(result, "cuMemAlloc");
        return new CudaMemoryHandle((IntPtr)address, context);
    }

    public ulong Address => (ulong)handle;

    protected override bool Destroy(IntPtr raw) => CudaDriver.cuMemFree((ulong)raw) == CuResult.Success;
}
