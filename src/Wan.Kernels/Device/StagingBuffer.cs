namespace Wan.Kernels.Device;

/// <summary>
/// Host memory an <see cref="IUploadStream"/> uploads from (page-locked on a GPU). The host fills
/// <see cref="Span"/>, then queues <see cref="IUploadStream.Upload"/>; it refills it only after
/// <see cref="IUploadStream.WaitOnHost"/> says the upload that read it is complete.
/// </summary>
public abstract class StagingBuffer : IDisposable
{
    /// <summary>Wraps <paramref name="bytes"/> bytes of staging memory owned by <paramref name="device"/>.</summary>
    protected StagingBuffer(IUploadStream device, long bytes)
    {
        Device = device;
        Bytes = bytes;
    }

    /// <summary>The device whose copy stream reads this memory.</summary>
    public IUploadStream Device { get; }

    /// <summary>Size in bytes.</summary>
    public long Bytes { get; }

    /// <summary>The memory (empty on a device that stores nothing, e.g. the dry run); throws <see cref="ObjectDisposedException"/> after Dispose.</summary>
    public abstract Span<byte> Span { get; }

    /// <summary>Frees the memory.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the memory; <paramref name="disposing"/> is false on the finalizer thread.</summary>
    protected abstract void Dispose(bool disposing);
}
