using Wan.Kernels.Handles;

namespace Wan.Kernels.Device;

/// <summary>
/// Page-locked host memory of a <see cref="CudaDevice"/>: copies from and to it run at full PCIe
/// speed (pageable memory is staged by the driver). Use <see cref="Span"/> as the host side of a copy.
/// </summary>
public sealed unsafe class CudaPinnedBuffer : IDisposable
{
    private readonly PinnedHostMemoryHandle _memory;

    internal CudaPinnedBuffer(PinnedHostMemoryHandle memory, long bytes)
    {
        _memory = memory;
        Bytes = bytes;
    }

    public long Bytes { get; }

    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_memory.IsClosed, this);
            return new Span<byte>((void*)_memory.DangerousGetHandle(), checked((int)Bytes));
        }
    }

    public void Dispose() => _memory.Dispose();
}
