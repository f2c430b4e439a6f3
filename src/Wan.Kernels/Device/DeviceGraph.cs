namespace Wan.Kernels.Device;

/// <summary>
/// Work recorded by <see cref="IDevice.Capture"/>: every kernel launch and GEMM queued inside, with the
/// argument values and buffer addresses of capture time. <see cref="Launch"/> replays all of it with
/// one host call on a GPU (cuGraphLaunch). The graph owns the memory allocated while it was captured
/// (freed on Dispose), so tensors created inside stay valid for every replay.
/// </summary>
public abstract class DeviceGraph : IDisposable
{
    private readonly CaptureArena _memory;
    private int _disposed;

    private protected DeviceGraph(CaptureArena memory, int kernels, int gemms)
    {
        _memory = memory;
        Kernels = kernels;
        Gemms = gemms;
    }

    /// <summary>Kernel launches recorded at capture.</summary>
    public int Kernels { get; }

    /// <summary>GEMMs recorded at capture.</summary>
    public int Gemms { get; }

    /// <summary>Bytes of device memory the graph owns (the capture's allocations, reused within it).</summary>
    public long OwnedBytes => _memory.ReservedBytes;

    /// <summary>Replays every recorded launch and GEMM, in order, on the device's stream.</summary>
    public void Launch()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Replay();
    }

    /// <summary>Frees the executable graph, then the memory it owns.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Release();
            _memory.Dispose();
        }
        GC.SuppressFinalize(this);
    }

    private protected abstract void Replay();

    /// <summary>Frees what the device itself holds for the graph (before its memory goes).</summary>
    private protected abstract void Release();
}
