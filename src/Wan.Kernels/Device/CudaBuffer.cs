using Wan.Kernels.Handles;

namespace Wan.Kernels.Device;

/// <summary>
/// Device memory of a <see cref="CudaDevice"/>; freed on Dispose (or by its handle's finalizer).
/// A zero-byte buffer owns no memory (cuMemAlloc refuses size 0) and has address 0.
/// </summary>
internal sealed class CudaBuffer : DeviceBuffer
{
    private readonly CudaMemoryHandle? _memory;
    private int _disposed;

    public CudaBuffer(CudaDevice device, CudaMemoryHandle memory, long bytes) : base(device, memory.Address, bytes)
    {
        _memory = memory;
    }

    private CudaBuffer(CudaDevice device) : base(device, 0, 0)
    {
    }

    public static CudaBuffer Empty(CudaDevice device) => new(device);

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _memory is not null)
        {
            if (disposing)
            {
                _memory.Dispose();
            }
            // Not disposing: the handle's own finalizer frees the block; it is gone either way.
            ((CudaDevice)Device).Freed(Bytes);
        }
    }
}
