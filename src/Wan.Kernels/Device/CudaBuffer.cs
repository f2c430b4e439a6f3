using Wan.Kernels.Handles;

namespace Wan.Kernels.Device;

/// <summary>Device memory of a <see cref="CudaDevice"/>; freed on Dispose (or by its handle's finalizer).</summary>
internal sealed class CudaBuffer : DeviceBuffer
{
    private readonly CudaMemoryHandle _memory;

    public CudaBuffer(CudaDevice device, CudaMemoryHandle memory, long bytes) : base(device, memory.Address, bytes)
    {
        _memory = memory;
    }

    public bool IsDisposed => _memory.IsClosed;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _memory.Dispose();
        }
    }
}
