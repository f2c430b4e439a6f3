namespace Wan.Kernels.Device;

/// <summary>
/// Memory of the <see cref="DryRunDevice"/>: an address and a size, no storage. The address is unique
/// among live buffers (never dereferenced); freeing it is counted in the device's log.
/// </summary>
internal sealed class DryRunBuffer : DeviceBuffer
{
    private readonly DryRunDevice _device;
    private int _freed;

    public DryRunBuffer(DryRunDevice device, ulong address, long bytes) : base(device, address, bytes) => _device = device;

    public bool IsFreed => Volatile.Read(ref _freed) != 0;

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _freed, 1) == 0 && disposing)
        {
            _device.Free(Bytes);
        }
    }
}
