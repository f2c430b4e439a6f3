namespace Wan.Kernels.Device;

/// <summary>
/// A position on a device's compute stream (<see cref="IUploadStream.MarkCompute"/>; CUDA: an event recorded on
/// it): an upload given it starts only after every kernel and GEMM queued before the mark, so it cannot overwrite
/// weights they still read. Disposing releases the event.
/// </summary>
public abstract class ComputeMark : IDisposable
{
    /// <summary>Releases the event (the compute work is unaffected).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the event; <paramref name="disposing"/> is false on the finalizer thread.</summary>
    protected abstract void Dispose(bool disposing);
}
