using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Handles;

/// <summary>A loaded module (CUBIN or PTX image).</summary>
internal sealed unsafe class CudaModuleHandle : CudaChildHandle
{
    private CudaModuleHandle(IntPtr raw, CudaContextHandle context) : base(raw, context)
    {
    }

    public static CudaModuleHandle Load(CudaContextHandle context, ReadOnlySpan<byte> image)
    {
        IntPtr module;
        fixed (byte* p = image)
        {
            Check(CudaDriver.cuModuleLoadData(&module, p));
        }
        return new CudaModuleHandle(module, context);
    }

    protected override bool Destroy(IntPtr raw) => CudaDriver.cuModuleUnload(raw) == CuResult.Success;
}
