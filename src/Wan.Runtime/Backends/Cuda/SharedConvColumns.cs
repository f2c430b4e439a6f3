using Wan.Kernels.Device;

namespace Wan.Runtime.Backends.Cuda;

/// <summary>
/// The im2col column buffer the convolutions of a <see cref="CudaBackend.ShareConvColumns"/> scope share, kept between
/// them only while that cannot raise the peak: the scope tracks the highest live device memory reached since it opened
/// (from the device's own count), and when an allocation would go above it while the buffer sits idle, the buffer is
/// freed first. The peak is then at most what each convolution allocating its own columns reaches: every new high is
/// reached with no idle buffer live. The buffer is replaced by a larger one when a convolution needs more (the smaller
/// one freed first, so both are never live), and freed when the scope ends.
/// </summary>
internal sealed class SharedConvColumns : IDisposable
{
    private readonly IDevice _device;
    private readonly IDeviceMemoryAccounting _live;
    private readonly Action _closed;
    private DeviceBuffer? _buffer;
    private long _highWater;
    private bool _disposed;

    /// <summary>A scope over <paramref name="device"/>, whose live bytes <paramref name="live"/> counts; <paramref name="closed"/> runs at its end.</summary>
    public SharedConvColumns(IDevice device, IDeviceMemoryAccounting live, Action closed)
    {
        (_device, _live, _closed) = (device, live, closed);
        _highWater = live.AllocatedBytes;
    }

    /// <summary>
    /// Called before the backend allocates <paramref name="bytes"/> outside a convolution's column matrix: frees the idle
    /// buffer when keeping it would take live memory above the highest reached so far.
    /// </summary>
    public void BeforeAllocate(long bytes)
    {
        if (_buffer is not null && _live.AllocatedBytes + bytes > _highWater)
        {
            Release();
        }
        _highWater = Math.Max(_highWater, _live.AllocatedBytes + bytes);
    }

    /// <summary>A buffer of at least <paramref name="bytes"/> bytes for one convolution, valid until the backend's next allocation.</summary>
    /// <exception cref="ObjectDisposedException">the scope has ended.</exception>
    public DeviceBuffer Rent(long bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_buffer is null || _buffer.Bytes < bytes)
        {
            Release();
            _highWater = Math.Max(_highWater, _live.AllocatedBytes + bytes);
            _buffer = _device.Allocate(bytes);
        }
        return _buffer;
    }

    /// <summary>Frees the buffer and ends the scope.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        Release();
        _closed();
    }

    private void Release()
    {
        _buffer?.Dispose();
        _buffer = null;
    }

    /// <summary>The scope on a device that does not count its live memory: nothing is shared, nothing to free.</summary>
    internal sealed class None : IDisposable
    {
        /// <summary>Does nothing.</summary>
        public void Dispose()
        {
        }
    }
}
