using Wan.Kernels.Device;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

/// <summary>
/// A dense row-major tensor in device memory, stored as F32, BF16 or F16 (<see cref="Tensor.DType"/>).
/// Reshaped views share the buffer; disposing the last holder frees it.
/// </summary>
public sealed class CudaTensor : Tensor
{
    private readonly CudaStorage _storage;
    private int _disposed;

    internal CudaTensor(CudaBackend backend, Shape shape, DType dtype, CudaStorage storage)
        : base(backend, shape, dtype)
    {
        if (storage.Buffer.Bytes < shape.ElementCount * dtype.SizeOf())
        {
            throw new ArgumentException($"a buffer of {storage.Buffer.Bytes} bytes cannot hold {dtype}{shape}");
        }
        _storage = storage;
    }

    /// <summary>The device memory holding the values.</summary>
    /// <exception cref="ObjectDisposedException">the tensor was disposed.</exception>
    public DeviceBuffer Buffer
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _storage.Buffer;
        }
    }

    internal CudaStorage Storage => _storage;

    /// <summary>Releases this tensor's hold on its storage; the last holder frees the device memory.</summary>
    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _storage.Release();
        }
    }
}
