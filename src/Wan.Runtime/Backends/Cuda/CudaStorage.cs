using Wan.Kernels.Device;

namespace Wan.Runtime.Backends.Cuda;

/// <summary>
/// Owns one device buffer shared by a tensor and its reshaped views: the buffer is freed when the
/// last tensor that holds it is disposed.
/// </summary>
internal sealed class CudaStorage(DeviceBuffer buffer)
{
    private int _holders = 1;

    public DeviceBuffer Buffer { get; } = buffer;

    public CudaStorage Retain()
    {
        if (Interlocked.Increment(ref _holders) <= 1)
        {
            throw new ObjectDisposedException(nameof(CudaStorage), "the device buffer was already freed");
        }
        return this;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
        {
            Buffer.Dispose();
        }
    }
}
