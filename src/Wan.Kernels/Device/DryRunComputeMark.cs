namespace Wan.Kernels.Device;

/// <summary>A compute mark of the dry run: nothing to wait for, only ownership and disposal to check.</summary>
internal sealed class DryRunComputeMark(DryRunDevice device) : ComputeMark
{
    /// <summary>The device that made the mark.</summary>
    public DryRunDevice Device { get; } = device;

    /// <summary>Whether the mark was disposed.</summary>
    public bool IsDisposed { get; private set; }

    protected override void Dispose(bool disposing) => IsDisposed = true;
}
