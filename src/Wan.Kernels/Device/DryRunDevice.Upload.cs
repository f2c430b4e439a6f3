namespace Wan.Kernels.Device;

/// <summary>
/// The dry run's copy stream (<see cref="IUploadStream"/>): staging memory has a size and no storage (an empty
/// span), and an upload is checked exactly as on a GPU (ranges, owners, disposal, capture) and recorded in
/// <see cref="DryRunLog.Uploads"/> with its bytes and whether a compute mark ordered it; so <c>wan plan</c> reads the
/// PCIe bytes of a streamed step from the code that would stream it. Nothing runs, so waits return at once.
/// </summary>
public sealed partial class DryRunDevice : IUploadStream
{
    /// <summary>
    /// Staging memory of 1..int.MaxValue bytes (the GPU's limit: one span), no storage; counted in
    /// <see cref="DryRunLog.StagingBytes"/>. Throws <see cref="ArgumentOutOfRangeException"/> outside that range and
    /// <see cref="GraphCaptureException"/> while capturing.
    /// </summary>
    public StagingBuffer AllocateStaging(long bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, int.MaxValue);
        RejectWhileCapturing("staging allocation");
        Log.StagingAllocated(bytes);
        return new DryRunStagingBuffer(this, bytes);
    }

    /// <summary>
    /// Checks the upload as a GPU would and records it in the log; copies nothing. Throws
    /// <see cref="ArgumentOutOfRangeException"/> outside either buffer or for a negative size,
    /// <see cref="ArgumentException"/> for another device's staging memory, buffer or mark,
    /// <see cref="ObjectDisposedException"/> for a freed one, <see cref="GraphCaptureException"/> while capturing.
    /// </summary>
    public UploadTicket Upload(StagingBuffer source, long sourceOffset, DeviceBuffer destination, long destinationOffset, long bytes, ComputeMark? after = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(source);
        if (source is not DryRunStagingBuffer staging || !ReferenceEquals(source.Device, this))
        {
            throw new ArgumentException($"upload: the staging buffer belongs to {OwnerName(source.Device)}, not to this dry-run device", nameof(source));
        }
        ObjectDisposedException.ThrowIf(staging.IsFreed, source);
        UploadRange.CheckSource(staging, sourceOffset, bytes);
        UploadRange.CheckDestination(destination, destinationOffset, bytes);
        if (after is not null && (after is not DryRunComputeMark mark || !ReferenceEquals(mark.Device, this)))
        {
            throw new ArgumentException("upload: the compute mark belongs to another device, not to this dry-run device", nameof(after));
        }
        ObjectDisposedException.ThrowIf(after is DryRunComputeMark { IsDisposed: true }, after!);
        Check(destination, destinationOffset, bytes, "upload");
        Log.Upload(new DryRunUpload(bytes, after is not null));
        return new DryRunUploadTicket(this, bytes);
    }

    /// <summary>Checks the ticket (owner, disposal, not while capturing); nothing runs, so nothing is waited for.</summary>
    public void WaitOnCompute(UploadTicket ticket) => CheckTicket(ticket, "wait for an upload on the compute stream");

    /// <summary>Checks the ticket (owner, disposal, not while capturing); nothing runs, so nothing is waited for.</summary>
    public void WaitOnHost(UploadTicket ticket) => CheckTicket(ticket, "wait for an upload on the host");

    /// <summary>A mark of the compute stream's position (nothing runs: it orders nothing here but is checked when used). Refused while capturing.</summary>
    public ComputeMark MarkCompute()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RejectWhileCapturing("compute mark");
        return new DryRunComputeMark(this);
    }

    private void CheckTicket(UploadTicket ticket, string operation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(ticket);
        if (ticket is not DryRunUploadTicket dry || !ReferenceEquals(dry.Device, this))
        {
            throw new ArgumentException($"{operation}: the upload ticket belongs to another device, not to this dry-run device", nameof(ticket));
        }
        ObjectDisposedException.ThrowIf(dry.IsDisposed, ticket);
        RejectWhileCapturing(operation);
    }

    private static string OwnerName(IUploadStream device) => device is IDevice named ? named.Name : device.GetType().Name;
}
