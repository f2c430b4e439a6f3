using System.Runtime.InteropServices;
using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Handles;

/// <summary>A retained primary context of one device; releasing it drops our reference (cuDevicePrimaryCtxRelease).</summary>
internal sealed unsafe class CudaContextHandle : SafeHandle
{
    private CudaContextHandle(IntPtr context, int device) : base(IntPtr.Zero, ownsHandle: true)
    {
        Device = device;
        SetHandle(context);
    }

    /// <summary>The CUdevice the context belongs to.</summary>
    public int Device { get; }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public static CudaContextHandle RetainPrimary(int device)
    {
        IntPtr context;
        Check(CudaDriver.cuDevicePrimaryCtxRetain(&context, device));
        return new CudaContextHandle(context, device);
    }

    /// <summary>Makes the context current on the calling thread (the driver's state is per thread).</summary>
    public void MakeCurrent() => Check(CudaDriver.cuCtxSetCurrent(handle));

    protected override bool ReleaseHandle() => CudaDriver.cuDevicePrimaryCtxRelease(Device) == CuResult.Success;
}
