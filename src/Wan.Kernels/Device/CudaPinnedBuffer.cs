using Wan.Kernels.Handles;

namespace Wan.Kernels.Device;

/// <summary>
/// Page-locked host memory of a <see cref="CudaDevice"/> (cuMemAllocHost), 1..int.MaxValue bytes: copies from and
/// to it run at full PCIe speed (pageable memory is staged by the driver), and it is the staging memory of the
/// device's copy stream (<see cref="IUploadStream.Upload"/>). Use <see cref="Span"/> as the host side of a copy.
/// </summary>
public sealed unsafe class CudaPinnedBuffer : StagingBuffer
{
    private readonly PinnedHostMemoryHandle _memory;
    private readonly CudaDevice _device;

    internal CudaPinnedBuffer(CudaDevice device, PinnedHostMemoryHandle memory, long bytes) : base(device, bytes)
    {
        _device = device;
        _memory = memory;
    }

    /// <summary>Whether the memory was freed.</summary>
    internal bool IsDisposed => _memory.IsClosed;

    /// <summary>The memory's host address (valid until Dispose).</summary>
    internal IntPtr Address => _memory.DangerousGetHandle();

    /// <summary>The memory as a span of <see cref="StagingBuffer.Bytes"/> bytes; throws <see cref="ObjectDisposedException"/> after Dispose.</summary>
    public override Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_memory.IsClosed, this);
            return new Span<byte>((void*)_memory.DangerousGetHandle(), checked((int)Bytes));
        }
    }

    /// <summary>
    /// Frees the memory (cuMemFreeHost) after the copy stream finished every upload queued so far, so a copy still
    /// reading it never reads freed memory. On the finalizer thread the handle frees it by itself.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_memory.IsClosed)
        {
            _device.TrySynchronizeUploads();
            _memory.Dispose();
        }
    }
}
