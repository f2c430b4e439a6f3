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

    /// <summary>Size in bytes.</summary>
    public long Bytes { get; }

    /// <summary>The memory as a span; throws <see cref="ObjectDisposedException"/> after Dispose.</summary>
    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_memory.IsClosed, this);
            return new Span<byte>((void*)_memory.DangerousGetHandle(), checked((int)Bytes));
        }
    }

    /// <summary>Frees the memory (cuMemFreeHost).</summary>
    public void Dispose() => _memory.Dispose();
}
