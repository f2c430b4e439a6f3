using System.Runtime.InteropServices;
using Wan.Kernels.Interop;

namespace Wan.Kernels.Handles;

/// <summary>
/// A driver object that lives in a context (module, stream, memory, ...). It holds a reference on the
/// context (DangerousAddRef) so the context outlives it, and makes that context current before it is
/// destroyed: a finalizer thread has no current context of its own. A subclass may defer the release
/// (<see cref="TryDeferRelease"/>: device memory while a graph capture is open). Never throws while releasing.
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

    /// <summary>Queues <paramref name="release"/> to run later instead of now; false (the default) releases now.</summary>
    protected virtual bool TryDeferRelease(Action release) => false;

    protected sealed override bool ReleaseHandle()
    {
        var raw = handle;
        return TryDeferRelease(() => Release(raw)) || Release(raw);
    }

    private bool Release(IntPtr raw)
    {
        var destroyed = CudaDriver.cuCtxSetCurrent(_context.DangerousGetHandle()) == CuResult.Success && Destroy(raw);
        _context.DangerousRelease();
        return destroyed;
    }
}
