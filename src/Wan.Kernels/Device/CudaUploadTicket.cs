using Wan.Kernels.Handles;

namespace Wan.Kernels.Device;

/// <summary>
/// The completion of one upload on a <see cref="CudaDevice"/>'s copy stream: an event (CU_EVENT_DISABLE_TIMING)
/// recorded on the copy stream right after the copy. Destroying it early is safe: the driver releases a recorded
/// event once it completes, and waits already queued on it stay queued.
/// </summary>
internal sealed class CudaUploadTicket(CudaDevice device, CudaEventHandle done, long bytes) : UploadTicket
{
    /// <summary>The device whose copy stream recorded the event.</summary>
    public CudaDevice Device { get; } = device;

    /// <summary>The event recorded after the copy.</summary>
    public CudaEventHandle Done { get; } = done;

    /// <inheritdoc/>
    public override long Bytes { get; } = bytes;

    /// <summary>Whether the event was released.</summary>
    public bool IsDisposed => Done.IsClosed;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Done.Dispose();
        }
    }
}
