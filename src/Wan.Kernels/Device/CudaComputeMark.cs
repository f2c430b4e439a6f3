using Wan.Kernels.Handles;

namespace Wan.Kernels.Device;

/// <summary>
/// A point on a <see cref="CudaDevice"/>'s compute stream: an event (CU_EVENT_DISABLE_TIMING) recorded there, which
/// the copy stream waits on (cuStreamWaitEvent) before an upload that must not overtake the work queued before it.
/// </summary>
internal sealed class CudaComputeMark(CudaDevice device, CudaEventHandle reached) : ComputeMark
{
    /// <summary>The device whose compute stream recorded the event.</summary>
    public CudaDevice Device { get; } = device;

    /// <summary>The event recorded on the compute stream.</summary>
    public CudaEventHandle Reached { get; } = reached;

    /// <summary>Whether the event was released.</summary>
    public bool IsDisposed => Reached.IsClosed;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Reached.Dispose();
        }
    }
}
