namespace Wan.Kernels.Device;

/// <summary>
/// The completion of one <see cref="IUploadStream.Upload"/> (CUDA: an event recorded on the copy stream after the
/// copy). Wait for it with <see cref="IUploadStream.WaitOnCompute"/> before kernels read the destination and with
/// <see cref="IUploadStream.WaitOnHost"/> before the staging memory is refilled. Disposing releases the event.
/// </summary>
public abstract class UploadTicket : IDisposable
{
    /// <summary>Bytes the upload copies.</summary>
    public abstract long Bytes { get; }

    /// <summary>Releases the event (the upload itself is unaffected).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the event; <paramref name="disposing"/> is false on the finalizer thread.</summary>
    protected abstract void Dispose(bool disposing);
}
