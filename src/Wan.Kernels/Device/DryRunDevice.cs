namespace Wan.Kernels.Device;

/// <summary>
/// A device that executes nothing and records everything (<see cref="Log"/>): every allocation and
/// free, kernel launch (name, grid, block, shared bytes) and GEMM (sizes, types, FLOPs, bytes). The
/// real backend and pipeline code run on it at any model size in seconds, which is how <c>wan plan</c>
/// measures a configuration's peak device memory and work without a GPU. Memory has addresses but no
/// storage: copies to the host give zero bytes (so a non-finite count reads 0), copies to the device,
/// memsets and kernels write nothing. Allocation, capture and replay follow the rules of every device
/// (<see cref="IDevice.Capture"/>, the same <c>CaptureArena</c> best-fit reuse as the GPU and the
/// emulated device), so its peak equals theirs for the same calls. One thread at a time.
/// </summary>
public sealed unsafe partial class DryRunDevice : IDevice, IGraphCapturing, IDeviceMemoryAccounting
{
    private const ulong Alignment = 256; // cudaMalloc's: addresses look like a GPU's

    private ulong _nextAddress = 0x7000_0000_0000;
    private CaptureArena? _capture;
    private List<DryRunCall>? _captured;
    private bool _disposed;

    /// <summary>What the device was asked to do.</summary>
    public DryRunLog Log { get; } = new();

    /// <summary>Bytes of live buffers now: <see cref="DryRunLog.LiveBytes"/>.</summary>
    public long AllocatedBytes => Log.LiveBytes;

    /// <summary>"dry run (records, executes nothing)".</summary>
    public string Name => "dry run (records, executes nothing)";

    /// <summary>An address and a size, counted in the log; inside a capture, from the graph's arena.</summary>
    /// <exception cref="ArgumentOutOfRangeException">negative <paramref name="bytes"/>.</exception>
    public DeviceBuffer Allocate(long bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return Recording is { } arena ? arena.Allocate(bytes) : NewBuffer(bytes);
    }

    /// <summary>Checks the range and counts the copy; writes nothing. Refused while capturing.</summary>
    public void CopyToDevice(ReadOnlySpan<byte> source, DeviceBuffer destination, long destinationOffset = 0)
    {
        Check(destination, destinationOffset, source.Length, "copy to device");
        Log.Copy(source.Length);
    }

    /// <summary>Checks the range and counts the copy; the host receives zero bytes. Refused while capturing.</summary>
    public void CopyToHost(DeviceBuffer source, long sourceOffset, Span<byte> destination)
    {
        Check(source, sourceOffset, destination.Length, "copy to host");
        destination.Clear();
        Log.Copy(destination.Length);
    }

    /// <summary>Checks the buffer; writes nothing. Refused while capturing.</summary>
    public void Memset(DeviceBuffer buffer, byte value) => Check(buffer, 0, buffer.Bytes, "memset");

    /// <summary>Checks the launch dimensions (cuLaunchKernel's rules) and records the launch; runs nothing.</summary>
    public void Launch(string kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, void** args)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        LaunchDimensions.Check(kernel, grid, block, dynamicSharedBytes);
        Record(DryRunCall.ForLaunch(kernel, grid, block, dynamicSharedBytes));
    }

    /// <summary>Checks the GEMM (cuBLAS's rules, <see cref="GemmDesc.Validate"/>) and records it; computes nothing.</summary>
    public void Gemm(in GemmDesc gemm)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        gemm.Validate();
        Record(DryRunCall.ForGemm(gemm));
    }

    /// <summary>Nothing is queued; refused while capturing.</summary>
    public void Synchronize()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RejectWhileCapturing("synchronize");
    }

    /// <summary>Records the launches and GEMMs of <paramref name="work"/> into a graph (rules: <see cref="IDevice.Capture"/>); each replay counts them again in the log.</summary>
    /// <exception cref="InvalidOperationException">a capture is already open.</exception>
    public DeviceGraph Capture(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_capture is not null)
        {
            throw new InvalidOperationException($"{Name} is already capturing a graph (one capture at a time per device)");
        }
        var memory = new CaptureArena(this, NewBuffer);
        var calls = new List<DryRunCall>();
        (_capture, _captured) = (memory, calls);
        try
        {
            work();
        }
        catch
        {
            (_capture, _captured) = (null, null);
            memory.Dispose();
            throw;
        }
        (_capture, _captured) = (null, null);
        memory.EndCapture();
        return new DryRunGraph(Log, calls, memory,
            calls.Count(c => c.Kind == DryRunCallKind.Launch), calls.Count(c => c.Kind == DryRunCallKind.Gemm));
    }

    /// <summary>Marks the device disposed; the log stays readable.</summary>
    public void Dispose() => _disposed = true;

    bool IGraphCapturing.TryAdopt(DeviceBuffer buffer)
    {
        if (buffer is GraphBuffer || Recording is not { } arena)
        {
            return false;
        }
        arena.Adopt(buffer);
        return true;
    }

    internal void Free(long bytes) => Log.Freed(bytes);

    private CaptureArena? Recording => _capture is { CapturesHere: true } arena ? arena : null;

    private DryRunBuffer NewBuffer(long bytes)
    {
        var address = _nextAddress;
        _nextAddress = checked(_nextAddress + ((ulong)Math.Max(bytes, 1) + Alignment - 1) / Alignment * Alignment);
        Log.Allocated(bytes);
        return new DryRunBuffer(this, address, bytes);
    }

    private void Record(DryRunCall call)
    {
        bool capturing = _captured is not null && Recording is not null;
        if (capturing)
        {
            _captured!.Add(call);
        }
        Log.Issue(call, runs: !capturing);
    }

    private void RejectWhileCapturing(string operation)
    {
        if (Recording is not null)
        {
            throw new GraphCaptureException(operation, Name);
        }
    }

    private void Check(DeviceBuffer buffer, long offset, long length, string what)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RejectWhileCapturing(what);
        bool freed = buffer switch
        {
            DryRunBuffer dry when ReferenceEquals(buffer.Device, this) => dry.IsFreed,
            GraphBuffer graph when ReferenceEquals(buffer.Device, this) => graph.IsDisposed,
            _ => throw new ArgumentException($"{what}: the buffer belongs to {buffer.Device.Name}, not to this dry-run device"),
        };
        ObjectDisposedException.ThrowIf(freed, buffer);
        if (offset < 0 || length < 0 || offset > buffer.Bytes - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"{what}: bytes [{offset}, {offset + length}) outside a buffer of {buffer.Bytes} bytes");
        }
    }
}
