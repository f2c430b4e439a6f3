namespace Wan.Kernels.Device;

/// <summary>
/// A device that uploads host memory on a copy stream of its own while kernels run on its compute stream: what
/// weight streaming needs (transformer block i+1 copies while block i computes). Ordering between the two streams
/// is explicit, as in CUDA (cuEventRecord / cuStreamWaitEvent): an upload starts after the compute-stream point it
/// is given (<see cref="MarkCompute"/>), and compute work reads the uploaded bytes only after
/// <see cref="WaitOnCompute"/>. Not usable inside <see cref="IDevice.Capture"/> (throws
/// <see cref="GraphCaptureException"/>). One thread at a time. docs/weight-streaming.md draws the two streams and the
/// hazard each wait prevents.
/// </summary>
public interface IUploadStream
{
    /// <summary>
    /// Page-locked host memory of <paramref name="bytes"/> bytes (CUDA: cuMemAllocHost) that <see cref="Upload"/>
    /// reads at full link speed. Throws <see cref="ArgumentOutOfRangeException"/> for a negative size or one above
    /// int.MaxValue (one <see cref="Span{T}"/>; the GPU and the dry run also refuse 0, which cuMemAllocHost cannot
    /// allocate), <see cref="Wan.Errors.MemoryExhaustedException"/> naming the size when the host cannot provide it.
    /// </summary>
    StagingBuffer AllocateStaging(long bytes);

    /// <summary>
    /// Queues on the copy stream, after the compute stream reached <paramref name="after"/> (when given): bytes
    /// [<paramref name="sourceOffset"/>, +<paramref name="bytes"/>) of <paramref name="source"/> into
    /// <paramref name="destination"/> at <paramref name="destinationOffset"/>. Returns at once. Until the returned
    /// ticket is waited for, the staging bytes must not be refilled (<see cref="WaitOnHost"/>) and the destination
    /// must not be read by kernels (<see cref="WaitOnCompute"/>). Throws <see cref="ArgumentOutOfRangeException"/>
    /// outside either buffer.
    /// </summary>
    UploadTicket Upload(StagingBuffer source, long sourceOffset, DeviceBuffer destination, long destinationOffset, long bytes, ComputeMark? after = null);

    /// <summary>Compute work queued after this call waits until the upload is complete (cuStreamWaitEvent); the host does not block.</summary>
    void WaitOnCompute(UploadTicket ticket);

    /// <summary>Blocks the host until the upload is complete, so its staging bytes may be refilled (cuEventSynchronize).</summary>
    void WaitOnHost(UploadTicket ticket);

    /// <summary>The compute stream's current position (cuEventRecord): an upload given it starts after all compute work queued before it.</summary>
    ComputeMark MarkCompute();
}
