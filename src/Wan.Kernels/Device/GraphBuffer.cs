namespace Wan.Kernels.Device;

/// <summary>
/// A buffer allocated while a graph was captured: a view of one of its <see cref="CaptureArena"/>'s
/// blocks. Disposing it during capture lets later allocations of the capture reuse the block;
/// afterwards the block stays the graph's until the graph is disposed.
/// </summary>
internal sealed class GraphBuffer : DeviceBuffer
{
    private readonly CaptureArena _arena;
    private readonly DeviceBuffer _block;
    private int _disposed;

    public GraphBuffer(IDevice device, CaptureArena arena, DeviceBuffer block, long bytes) : base(device, block.Address, bytes)
    {
        _arena = arena;
        _block = block;
    }

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && disposing)
        {
            _arena.Return(_block);
        }
    }
}
