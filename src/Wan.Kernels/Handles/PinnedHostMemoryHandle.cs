using Wan.Kernels.Device;
using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Handles;

/// <summary>
/// Page-locked host memory (cuMemAllocHost): the source/target of truly asynchronous copies. Like device
/// memory, released while its device's graph capture is open, it is freed when the capture ends
/// (cuMemFreeHost may synchronise the device).
/// </summary>
internal sealed unsafe class PinnedHostMemoryHandle : CudaChildHandle
{
    private readonly CaptureGate _gate;

    private PinnedHostMemoryHandle(IntPtr raw, CudaContextHandle context, CaptureGate gate) : base(raw, context)
    {
        _gate = gate;
    }

    public static PinnedHostMemoryHandle Allocate(CudaContextHandle context, long bytes, CaptureGate gate)
    {
        void* pointer;
        var result = CudaDriver.cuMemAllocHost(&pointer, (nuint)bytes);
        if (result == CuResult.OutOfMemory)
        {
            // Page-locked memory is limited by the host (and its locked-memory limit), not by the GPU.
            throw new Wan.Errors.MemoryExhaustedException("allocating", "page-locked host", bytes, "cuMemAllocHost: CUDA_ERROR_OUT_OF_MEMORY");
        }
        Check(result, "cuMemAllocHost");
        return new PinnedHostMemoryHandle((IntPtr)pointer, context, gate);
    }

    protected override bool TryDeferRelease(Action release) => _gate.TryDefer(release);

    protected override bool Destroy(IntPtr raw) => CudaDriver.cuMemFreeHost((void*)raw) == CuResult.Success;
}
