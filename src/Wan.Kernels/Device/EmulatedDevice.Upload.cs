using System.Runtime.InteropServices;

namespace Wan.Kernels.Device;

/// <summary>
/// The copy stream of the emulated device, built as a hazard checker rather than a memcpy: <see cref="Upload"/>
/// fills the destination range with 0xFF at once (NaN in fp32, bf16 and fp16, as fresh emulated memory) and queues
/// the copy; the bytes land — read from the staging memory at that moment — only when the ticket, or a later one
/// (the copy stream is in order), is waited for with <see cref="WaitOnCompute"/> or <see cref="WaitOnHost"/>. So a
/// kernel that reads the destination before <see cref="WaitOnCompute"/> reads NaN, and staging refilled before
/// <see cref="WaitOnHost"/> lands the new bytes: both make a streamed run differ from a resident one.
/// <see cref="Synchronize"/> does not land queued uploads (only the tickets do), the strictest reading of CUDA,
/// where it waits for the compute stream alone. Kernels run synchronously, so every <see cref="ComputeMark"/> is
/// reached when it is taken.
/// </summary>
public sealed unsafe partial class EmulatedDevice : IUploadStream
{
    private readonly Queue<QueuedUpload> _uploads = new(); // queued, not yet landed, in copy-stream order
    private long _uploadsQueued, _uploadsLanded;

    /// <summary>Uploads queued so far (each <see cref="Upload"/> call counts once).</summary>
    public long UploadsQueued => _uploadsQueued;

    /// <summary>Host memory (native, 256-byte aligned, filled with 0xFF) the copy stream reads from; freed by Dispose or the finalizer.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative or above 2 GiB (one span).</exception>
    /// <exception cref="GraphCaptureException">this thread is capturing a graph.</exception>
    public StagingBuffer AllocateStaging(long bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, int.MaxValue);
        using var scope = _gate.Enter("staging allocation", Name);
        RejectWhileCapturing("staging allocation");
        return new EmulatedStaging(this, bytes);
    }

    /// <summary>
    /// Poisons destination bytes [<paramref name="destinationOffset"/>, +<paramref name="bytes"/>) with 0xFF now and
    /// queues the copy from <paramref name="source"/>; it lands at the wait for the returned ticket or a later one.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">a range lies outside the staging or destination buffer.</exception>
    /// <exception cref="ArgumentException">the staging, destination or mark belongs to another device.</exception>
    /// <exception cref="GraphCaptureException">this thread is capturing a graph.</exception>
    public UploadTicket Upload(StagingBuffer source, long sourceOffset, DeviceBuffer destination, long destinationOffset, long bytes, ComputeMark? after = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        using var scope = _gate.Enter("upload", Name);
        RejectWhileCapturing("upload");
        var staging = source as EmulatedStaging is { } own && ReferenceEquals(own.Device, this) ? own
            : throw new ArgumentException("upload: the staging buffer belongs to another device, not to this emulated device", nameof(source));
        if (after is not null && (after is not EmulatedMark mark || !ReferenceEquals(mark.Device, this)))
        {
            throw new ArgumentException("upload: the compute mark belongs to another device, not to this emulated device", nameof(after));
        }
        if (sourceOffset < 0 || bytes < 0 || sourceOffset > staging.Bytes - bytes)
        {
            throw new ArgumentOutOfRangeException(nameof(sourceOffset), $"upload: staging bytes [{sourceOffset}, {sourceOffset} + {bytes}) outside a staging buffer of {staging.Bytes} bytes");
        }
        CheckRange(destination, destinationOffset, bytes, "upload");
        NativeMemory.Fill((byte*)destination.Address + destinationOffset, (nuint)bytes, 0xFF);
        var upload = new QueuedUpload(++_uploadsQueued, staging, sourceOffset, destination, destinationOffset, bytes);
        _uploads.Enqueue(upload);
        return new EmulatedTicket(this, upload.Sequence, bytes);
    }

    /// <summary>Lands every upload queued up to and including the ticket's (the kernels run synchronously, so this is when they may read it).</summary>
    /// <exception cref="ArgumentException">the ticket belongs to another device.</exception>
    /// <exception cref="GraphCaptureException">this thread is capturing a graph.</exception>
    public void WaitOnCompute(UploadTicket ticket) => Land(ticket, "wait on compute");

    /// <summary>Lands every upload queued up to and including the ticket's, after which its staging bytes may be refilled.</summary>
    /// <exception cref="ArgumentException">the ticket belongs to another device.</exception>
    /// <exception cref="GraphCaptureException">this thread is capturing a graph.</exception>
    public void WaitOnHost(UploadTicket ticket) => Land(ticket, "wait on host");

    /// <summary>The compute stream's position: always reached on this device, whose launches complete before they return.</summary>
    /// <exception cref="GraphCaptureException">this thread is capturing a graph.</exception>
    public ComputeMark MarkCompute()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = _gate.Enter("compute mark", Name);
        RejectWhileCapturing("compute mark");
        return new EmulatedMark(this);
    }

    private void Land(UploadTicket ticket, string operation)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = _gate.Enter(operation, Name);
        RejectWhileCapturing(operation);
        if (ticket is not EmulatedTicket own || !ReferenceEquals(own.Device, this))
        {
            throw new ArgumentException($"{operation}: the upload ticket belongs to another device, not to this emulated device", nameof(ticket));
        }
        while (_uploadsLanded < own.Sequence)
        {
            var upload = _uploads.Dequeue();
            _uploadsLanded = upload.Sequence;
            CheckRange(upload.Destination, upload.DestinationOffset, upload.Bytes, operation + " (landing an upload)");
            upload.Source.Span.Slice(checked((int)upload.SourceOffset), checked((int)upload.Bytes))
                .CopyTo(new Span<byte>((byte*)upload.Destination.Address + upload.DestinationOffset, checked((int)upload.Bytes)));
        }
    }

    /// <summary>A copy queued on the copy stream; the bytes are read from the staging memory when it lands.</summary>
    private sealed record QueuedUpload(long Sequence, EmulatedStaging Source, long SourceOffset, DeviceBuffer Destination, long DestinationOffset, long Bytes);

    /// <summary>Staging memory: native, aligned, 0xFF-filled host memory (what pinned memory is on a GPU).</summary>
    private sealed class EmulatedStaging : StagingBuffer
    {
        private void* _memory;

        public EmulatedStaging(EmulatedDevice device, long bytes) : base(device, bytes)
        {
            _memory = NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), 256);
            NativeMemory.Fill(_memory, (nuint)bytes, 0xFF);
        }

        ~EmulatedStaging() => Dispose(false);

        public override Span<byte> Span
        {
            get
            {
                ObjectDisposedException.ThrowIf(_memory is null, this);
                return new Span<byte>(_memory, checked((int)Bytes));
            }
        }

        protected override void Dispose(bool disposing)
        {
            var memory = _memory;
            _memory = null;
            if (memory is not null)
            {
                NativeMemory.AlignedFree(memory);
            }
        }
    }

    /// <summary>The completion of upload number <see cref="Sequence"/> on the in-order copy stream.</summary>
    private sealed class EmulatedTicket(EmulatedDevice device, long sequence, long bytes) : UploadTicket
    {
        public EmulatedDevice Device { get; } = device;
        public long Sequence { get; } = sequence;
        public override long Bytes { get; } = bytes;

        protected override void Dispose(bool disposing)
        {
            // No event to release: the ticket is a sequence number.
        }
    }

    /// <summary>A compute-stream position: reached at once on the synchronous emulated device.</summary>
    private sealed class EmulatedMark(EmulatedDevice device) : ComputeMark
    {
        public EmulatedDevice Device { get; } = device;

        protected override void Dispose(bool disposing)
        {
            // No event to release.
        }
    }
}
