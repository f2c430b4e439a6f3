using System.Runtime.InteropServices;
using Wan.Kernels.Interop;

namespace Wan.Kernels.Handles;

/// <summary>
/// A driver object that lives in a context (module, stream, memory, ...). It holds a reference on the
/// context (DangerousAddRef) so the context outlives it, and makes that context current before it is
/// destroyed: a finalizer thread has no current context of its own. Never throws while releasing.
/// </summary>
internal abstract class CudaChildHandle : SafeHandle
{
    private readonly CudaContextHandle _context;

    protected CudaChildHandle(IntPtr raw, CudaContextHandle context) : base(IntPtr.Zero, ownsHandle: true)
    {
        var added = false;
        context.DangerousAddRef(ref added);
        _context = context;
        SetHandle(raw);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Destroys the driver object; returns false when the driver reports an error.</summary>
    protected abstract bool Destroy(IntPtr raw);

    protected sealed override bool ReleaseHandle()
    {
        var destroyed = CudaDriver.cuCtxSetCurrent(_context.DangerousGetHandle()) == CuResult.Success && Destroy(handle);
        _context.DangerousRelease();
        return destroyed;
    }
}
