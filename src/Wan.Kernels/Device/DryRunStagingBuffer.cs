namespace Wan.Kernels.Device;

/// <summary>Staging memory of the <see cref="DryRunDevice"/>: a size with no storage (an empty span); freeing it is counted in the log.</summary>
internal sealed class DryRunStagingBuffer(DryRunDevice device, long bytes) : StagingBuffer(device, bytes)
{
    private bool _freed;

    /// <summary>Whether the buffer was freed.</summary>
    public bool IsFreed => _freed;

    /// <summary>Empty: the dry run stores nothing. Throws <see cref="ObjectDisposedException"/> after Dispose.</summary>
    public override Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_freed, this);
            return [];
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (!_freed && disposing)
        {
            _freed = true;
            device.Log.StagingFreed(Bytes);
        }
    }
}
