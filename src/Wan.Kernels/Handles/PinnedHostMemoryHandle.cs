using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Handles;

/// <summary>Page-locked host memory (cuMemAllocHost): the source/target of truly asynchronous copies.</summary>
internal sealed unsafe class PinnedHostMemoryHandle : CudaChildHandle
{
    private PinnedHostMemoryHandle(IntPtr raw, CudaContextHandle context) : base(raw, context)
    {
    }

    public static PinnedHostMemoryHandle Allocate(CudaContextHandle context, long bytes)
    {
        void* pointer;
        Check(CudaDriver.cuMemAllocHost(&pointer, (nuint)bytes));
        return new PinnedHostMemoryHandle((IntPtr)pointer, context);
    }

    protected override bool Destroy(IntPtr raw) => CudaDriver.cuMemFreeHost((void*)raw) == CuResult.Success;
}
