namespace Wan.Kernels.Device;

/// <summary>
/// Memory owned by one device. <see cref="Address"/> is the device address (CUdeviceptr) on a GPU
/// and a host address on the emulated device; it is what a kernel argument carries.
/// </summary>
public abstract class DeviceBuffer : IDisposable
{
    protected DeviceBuffer(IDevice device, ulong address, long bytes)
    {
        Device = device;
        Address = address;
        Bytes = bytes;
    }

    public IDevice Device { get; }
    public ulong Address { get; }
    public long Bytes { get; }

    /// <summary>
    /// Frees the memory, unless the owning device is capturing a graph on this thread: then the graph
    /// takes the buffer and frees it when it is disposed (the captured work may still use it).
    /// </summary>
    public void Dispose()
    {
        if (Device is IGraphCapturing capturing && capturing.TryAdopt(this))
        {
            return;
        }
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}
