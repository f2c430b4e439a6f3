using Wan.Kernels.Device;
using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Handles;

/// <summary>
/// Device memory from cuMemAlloc; the handle value is the CUdeviceptr. Released while its device's
/// graph capture is open (a finalizer, another thread), the cuMemFree waits for the capture to end:
/// cuMemFree may synchronise the device, which would invalidate the capture.
/// </summary>
internal sealed unsafe class CudaMemoryHandle : CudaChildHandle
{
    private readonly CaptureGate _gate;

    private CudaMemoryHandle(IntPtr raw, CudaContextHandle context, CaptureGate gate) : base(raw, context)
    {
        _gate = gate;
    }

    public static CudaMemoryHandle Allocate(CudaContextHandle context, long bytes, CaptureGate gate)
    {
        ulong address;
        var result = CudaDriver.cuMemAlloc(&address, (nuint)bytes);
        if (result == CuResult.OutOfMemory)
        {
            // The size is what a user can act on; the pipeline names the stage when it passes through.
            throw new Wan.Errors.MemoryExhaustedException("allocating", "GPU", bytes, "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY");
        }
        Check(result, "cuMemAlloc");
        return new CudaMemoryHandle((IntPtr)address, context, gate);
    }

    protected override bool TryDeferRelease(Action release) => _gate.TryDefer(release);

    public ulong Address => (ulong)handle;

    protected override bool Destroy(IntPtr raw) => CudaDriver.cuMemFree((ulong)raw) == CuResult.Success;
}
