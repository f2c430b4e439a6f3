namespace Wan.Kernels.Device;

/// <summary>
/// An <see cref="IDevice"/> decorator that records the launches, GEMMs and host copies issued through it
/// into a <see cref="DryRunLog"/>, in the form the <see cref="DryRunDevice"/> records them, and forwards
/// every call to the wrapped device (not owned: disposing this leaves it open). It sees launches inside
/// a capture once, at capture (counted there as if they ran), not the replays; memory is not tracked here (the wrapped device's own
/// counters are: <see cref="EmulatedDevice.PeakBytes"/>). Used to check that a dry run issues exactly the
/// work of a real one.
/// </summary>
public sealed unsafe class RecordingDevice(IDevice inner) : IDevice
{
    /// <summary>The device every call is forwarded to.</summary>
    public IDevice Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>The calls issued through this decorator.</summary>
    public DryRunLog Log { get; } = new();

    /// <inheritdoc/>
    public string Name => Inner.Name;

    /// <inheritdoc/>
    public DeviceBuffer Allocate(long bytes) => Inner.Allocate(bytes);

    /// <inheritdoc/>
    public void CopyToDevice(ReadOnlySpan<byte> source, DeviceBuffer destination, long destinationOffset = 0)
    {
        Inner.CopyToDevice(source, destination, destinationOffset);
        Log.Copy(source.Length);
    }

    /// <inheritdoc/>
    public void CopyToHost(DeviceBuffer source, long sourceOffset, Span<byte> destination)
    {
        Inner.CopyToHost(source, sourceOffset, destination);
        Log.Copy(destination.Length);
    }

    /// <inheritdoc/>
    public void Memset(DeviceBuffer buffer, byte value) => Inner.Memset(buffer, value);

    /// <inheritdoc/>
    public void Launch(string kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, void** args)
    {
        Inner.Launch(kernel, grid, block, dynamicSharedBytes, args);
        Log.Issue(DryRunCall.ForLaunch(kernel, grid, block, dynamicSharedBytes), runs: true);
    }

    /// <inheritdoc/>
    public void Gemm(in GemmDesc gemm)
    {
        Inner.Gemm(gemm);
        Log.Issue(DryRunCall.ForGemm(gemm), runs: true);
    }

    /// <inheritdoc/>
    public void Synchronize() => Inner.Synchronize();

    /// <inheritdoc/>
    public DeviceGraph Capture(Action work) => Inner.Capture(work);

    /// <summary>Does not dispose <see cref="Inner"/>: the caller owns it.</summary>
    public void Dispose() { }
}
