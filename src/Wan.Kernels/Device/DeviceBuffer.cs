namespace Wan.Kernels.Device;

/// <summary>
/// Memory owned by one device. <see cref="Address"/> is the device address (CUdeviceptr) on a GPU
/// and a host address on the emulated device; it is what a kernel argument carries.
/// </summary>
public abstract class DeviceBuffer : IDisposable
{
    /// <summary>Wraps <paramref name="bytes"/> bytes at <paramref name="address"/> owned by <paramref name="device"/>.</summary>
    protected DeviceBuffer(IDevice device, ulong address, long bytes)
    {
        Device = device;
        Address = address;
        Bytes = bytes;
    }

    /// <summary>The device that owns the memory.</summary>
    public IDevice Device { get; }
    /// <summary>The address a kernel argument carries (device address on a GPU, host address when emulated).</summary>
    public ulong Address { get; }
    /// <summary>Size in bytes.</summary>
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

    /// <summary>Frees the memory; <paramref name="disposing"/> is false on the finalizer thread.</summary>
    protected abstract void Dispose(bool disposing);
}
