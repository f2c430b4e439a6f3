namespace Wan.Kernels.Device;

/// <summary>The ticket of a dry-run upload: nothing to wait for (nothing runs), only ownership and disposal to check.</summary>
internal sealed class DryRunUploadTicket(DryRunDevice device, long bytes) : UploadTicket
{
    /// <summary>The device that issued the ticket.</summary>
    public DryRunDevice Device { get; } = device;

    /// <inheritdoc/>
    public override long Bytes { get; } = bytes;

    /// <summary>Whether the ticket was disposed.</summary>
    public bool IsDisposed { get; private set; }

    protected override void Dispose(bool disposing) => IsDisposed = true;
}
