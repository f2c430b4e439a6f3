namespace Wan.Kernels.Device;

/// <summary>
/// The memory of one graph. While the graph is captured (on <see cref="OwnerThread"/>), allocations
/// come from here: a buffer freed during capture returns its block, and a later allocation that fits
/// reuses it (best fit). That is safe because a graph replays its work in capture order on one stream,
/// as the graph memory nodes of cuMemAllocAsync are. After capture, freeing a buffer only marks it
/// disposed: the replays still write it; every block is freed with the arena (the graph).
/// </summary>
internal sealed class CaptureArena(IDevice device, Func<long, DeviceBuffer> allocate) : IDisposable
{
    private readonly List<DeviceBuffer> _blocks = [];
    private readonly List<DeviceBuffer> _free = [];
    private bool _capturing = true;

    public int OwnerThread { get; } = Environment.CurrentManagedThreadId;

    public long ReservedBytes => _blocks.Sum(b => b.Bytes);

    /// <summary>Whether the calling thread is capturing into this arena.</summary>
    public bool CapturesHere => _capturing && Environment.CurrentManagedThreadId == OwnerThread;

    public DeviceBuffer Allocate(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var block = _free.Where(b => b.Bytes >= bytes).MinBy(b => b.Bytes);
        if (block is null)
        {
            block = allocate(bytes);
            _blocks.Add(block);
        }
        else
        {
            _free.Remove(block);
        }
        return new GraphBuffer(device, this, block, bytes);
    }

    /// <summary>Keeps a buffer created before the capture and freed inside it until the graph is disposed.</summary>
    public void Adopt(DeviceBuffer buffer) => _blocks.Add(buffer);

    public void Return(DeviceBuffer block)
    {
        if (_capturing)
        {
            _free.Add(block);
        }
    }

    /// <summary>Capture is over: from now on blocks stay with their last buffer until the arena is disposed.</summary>
    public void EndCapture()
    {
        _capturing = false;
        _free.Clear();
    }

    public void Dispose()
    {
        EndCapture();
        _blocks.ForEach(b => b.Dispose());
        _blocks.Clear();
    }
}
