using Wan.Kernels.Handles;
using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Device;

/// <summary>
/// The copy stream of a <see cref="CudaDevice"/> (<see cref="IUploadStream"/>): a second non-blocking stream
/// (CU_STREAM_NON_BLOCKING, created at the first upload) that copies page-locked staging memory to the device
/// (cuMemcpyHtoDAsync) while kernels run on the compute stream. The two streams are ordered only by events
/// (CU_EVENT_DISABLE_TIMING, one per mark and per ticket): an upload given a <see cref="ComputeMark"/> waits for it
/// on the copy stream (cuStreamWaitEvent), its ticket's event is recorded after the copy, and
/// <see cref="WaitOnCompute"/> makes the compute stream wait for that event. Every operation holds the capture gate
/// (another thread's capture refuses it with <see cref="CaptureInProgressException"/>) and is refused on the
/// capturing thread with <see cref="GraphCaptureException"/>: a captured graph cannot wait on an event recorded
/// outside it. With <c>WAN_CUDA_SYNC=1</c> every upload is followed by a synchronisation of the copy stream.
/// docs/weight-streaming.md draws the timeline.
/// </summary>
public sealed unsafe partial class CudaDevice : IUploadStream
{
    private CudaStreamHandle? _copyStream;

    /// <summary>The copy stream's creation flags (cuStreamGetFlags; creates the stream): 1, CU_STREAM_NON_BLOCKING.</summary>
    internal uint CopyStreamFlags
    {
        get
        {
            using var scope = _gate.Enter("copy stream flags", Name);
            _context.MakeCurrent();
            uint flags;
            Check(CudaDriver.cuStreamGetFlags(CopyStream(), &flags));
            return flags;
        }
    }

    /// <summary>
    /// Page-locked staging memory of 1..int.MaxValue bytes (cuMemAllocHost; a <see cref="CudaPinnedBuffer"/>).
    /// Throws <see cref="ArgumentOutOfRangeException"/> outside that range, <see cref="Wan.Errors.MemoryExhaustedException"/>
    /// naming the size when the host cannot lock that much, <see cref="GraphCaptureException"/> while capturing.
    /// </summary>
    public StagingBuffer AllocateStaging(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, int.MaxValue);
        using var scope = _gate.Enter("staging allocation", Name);
        RejectWhileCapturing("staging allocation");
        return AllocatePinned(bytes);
    }

    /// <summary>
    /// Queues on the copy stream: a wait for <paramref name="after"/> (when given), the copy of
    /// <paramref name="bytes"/> bytes of <paramref name="source"/> from <paramref name="sourceOffset"/> to
    /// <paramref name="destination"/> at <paramref name="destinationOffset"/> (cuMemcpyHtoDAsync), then the ticket's
    /// event. Every argument is checked before any driver call: <see cref="ArgumentOutOfRangeException"/> outside either
    /// buffer or for a negative size, <see cref="ArgumentException"/> for a buffer, staging memory or mark of another
    /// device, <see cref="ObjectDisposedException"/> for a freed one, <see cref="GraphCaptureException"/> while
    /// capturing; a driver failure is a <see cref="CudaException"/> naming the function.
    /// </summary>
    public UploadTicket Upload(StagingBuffer source, long sourceOffset, DeviceBuffer destination, long destinationOffset, long bytes, ComputeMark? after = null)
    {
        var staging = OwnStaging(source);
        UploadRange.CheckSource(staging, sourceOffset, bytes);
        UploadRange.CheckDestination(destination, destinationOffset, bytes);
        var mark = after is null ? null : OwnMark(after);
        using var scope = _gate.Enter("upload", Name);
        RejectWhileCapturing("upload");
        var address = Resolve(destination, destinationOffset, bytes, nameof(destination));
        _context.MakeCurrent();
        var copy = CopyStream();
        if (mark is not null)
        {
            Check(CudaDriver.cuStreamWaitEvent(copy, mark.Reached.DangerousGetHandle(), 0));
        }
        var done = CudaEventHandle.CreateForOrdering(_context);
        try
        {
            if (bytes > 0)
            {
                Check(CudaDriver.cuMemcpyHtoDAsync(address, (byte*)staging.Address + sourceOffset, (nuint)bytes, copy));
            }
            Check(CudaDriver.cuEventRecord(done.DangerousGetHandle(), copy));
            SynchronizeUploadIfDebugging(copy, bytes, destinationOffset, destination.Bytes);
        }
        catch
        {
            done.Dispose();
            throw;
        }
        return new CudaUploadTicket(this, done, bytes);
    }

    /// <summary>
    /// Compute work queued after this call waits for the upload (cuStreamWaitEvent on the compute stream); the host
    /// does not block. Throws <see cref="ArgumentException"/> for another device's ticket,
    /// <see cref="ObjectDisposedException"/> for a disposed one, <see cref="GraphCaptureException"/> while capturing.
    /// </summary>
    public void WaitOnCompute(UploadTicket ticket)
    {
        var upload = OwnTicket(ticket);
        using var scope = _gate.Enter("wait for an upload on the compute stream", Name);
        RejectWhileCapturing("wait for an upload on the compute stream");
        _context.MakeCurrent();
        Check(CudaDriver.cuStreamWaitEvent(RawStream, upload.Done.DangerousGetHandle(), 0));
    }

    /// <summary>
    /// Blocks the host until the upload is complete (cuEventSynchronize), so its staging bytes may be refilled.
    /// Throws as <see cref="WaitOnCompute"/>; a fault of the copy is a <see cref="CudaException"/> from cuEventSynchronize.
    /// </summary>
    public void WaitOnHost(UploadTicket ticket)
    {
        var upload = OwnTicket(ticket);
        using var scope = _gate.Enter("wait for an upload on the host", Name);
        RejectWhileCapturing("wait for an upload on the host");
        _context.MakeCurrent();
        Check(CudaDriver.cuEventSynchronize(upload.Done.DangerousGetHandle()));
    }

    /// <summary>
    /// Records an event on the compute stream (cuEventRecord) after everything queued so far: an upload given it
    /// cannot overwrite memory that work still reads. Throws <see cref="GraphCaptureException"/> while capturing.
    /// </summary>
    public ComputeMark MarkCompute()
    {
        using var scope = _gate.Enter("compute mark", Name);
        RejectWhileCapturing("compute mark");
        _context.MakeCurrent();
        var reached = CudaEventHandle.CreateForOrdering(_context);
        try
        {
            Check(CudaDriver.cuEventRecord(reached.DangerousGetHandle(), RawStream));
        }
        catch
        {
            reached.Dispose();
            throw;
        }
        return new CudaComputeMark(this, reached);
    }

    /// <summary>Waits for the copy stream without throwing (a staging buffer's Dispose: no copy may still read it).</summary>
    internal void TrySynchronizeUploads()
    {
        if (_copyStream is { IsClosed: false } copy && CudaDriver.cuCtxSetCurrent(_context.DangerousGetHandle()) == CuResult.Success)
        {
            _ = CudaDriver.cuStreamSynchronize(copy.DangerousGetHandle());
        }
    }

    /// <summary>Lets queued uploads finish, then destroys the copy stream (before the context goes; Dispose must not throw).</summary>
    private void DisposeCopyStream()
    {
        TrySynchronizeUploads();
        _copyStream?.Dispose();
    }

    /// <summary>The copy stream, created at first use (callers hold the gate and made the context current).</summary>
    private IntPtr CopyStream() => (_copyStream ??= CudaStreamHandle.Create(_context)).DangerousGetHandle();

    /// <summary>With <c>WAN_CUDA_SYNC=1</c>: waits for the copy stream and names the upload when the wait reports a fault.</summary>
    private void SynchronizeUploadIfDebugging(IntPtr copy, long bytes, long destinationOffset, long destinationBytes)
    {
        if (!SynchronizesEveryLaunch)
        {
            return;
        }
        var result = CudaDriver.cuStreamSynchronize(copy);
        if (result != CuResult.Success)
        {
            throw new CudaException("cuStreamSynchronize", (int)result, CuResultName(result),
                $"the upload of {bytes} bytes to offset {destinationOffset} of a {destinationBytes}-byte buffer faulted ({SyncVariable}=1)");
        }
    }

    private CudaPinnedBuffer OwnStaging(StagingBuffer source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source is not CudaPinnedBuffer pinned || !ReferenceEquals(source.Device, this))
        {
            throw new ArgumentException($"the staging buffer belongs to {OwnerName(source.Device)}, not {Name}", nameof(source));
        }
        ObjectDisposedException.ThrowIf(pinned.IsDisposed, source);
        return pinned;
    }

    private CudaComputeMark OwnMark(ComputeMark mark)
    {
        if (mark is not CudaComputeMark cuda || !ReferenceEquals(cuda.Device, this))
        {
            throw new ArgumentException($"the compute mark belongs to another device, not {Name}", "after");
        }
        ObjectDisposedException.ThrowIf(cuda.IsDisposed, mark);
        return cuda;
    }

    private CudaUploadTicket OwnTicket(UploadTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (ticket is not CudaUploadTicket cuda || !ReferenceEquals(cuda.Device, this))
        {
            throw new ArgumentException($"the upload ticket belongs to another device, not {Name}", nameof(ticket));
        }
        ObjectDisposedException.ThrowIf(cuda.IsDisposed, ticket);
        return cuda;
    }

    private static string OwnerName(IUploadStream device) => device is IDevice named ? named.Name : device.GetType().Name;
}
