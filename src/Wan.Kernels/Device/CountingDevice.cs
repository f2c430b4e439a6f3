using System.Collections.Concurrent;

namespace Wan.Kernels.Device;

/// <summary>
/// An <see cref="IDevice"/> decorator that counts kernel launches (per kernel name), GEMMs and host
/// copies (launches and GEMMs queued inside <see cref="Capture"/> are counted once, at capture), for
/// launch-count reports and tests such as "the text K/V projections do not run per step". It
/// forwards everything to the wrapped device, which it does not own: disposing it leaves that
/// device open.
/// </summary>
public sealed unsafe class CountingDevice(IDevice inner) : IDevice
{
    private readonly ConcurrentDictionary<string, int> _launches = new(StringComparer.Ordinal);
    private int _gemms;
    private int _copies;
    private int _copiesToHost;

    /// <summary>The device every call is forwarded to.</summary>
    public IDevice Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <inheritdoc/>
    public string Name => Inner.Name;

    /// <summary>Kernel launches since the last <see cref="Reset"/>, all kernels together.</summary>
    public int Launches => _launches.Values.Sum();

    /// <summary>GEMM calls since the last <see cref="Reset"/>.</summary>
    public int Gemms => Volatile.Read(ref _gemms);

    /// <summary>Copies between host and device since the last <see cref="Reset"/>.</summary>
    public int Copies => Volatile.Read(ref _copies);

    /// <summary>Copies from the device to the host since the last <see cref="Reset"/> (included in <see cref="Copies"/>).</summary>
    public int CopiesToHost => Volatile.Read(ref _copiesToHost);

    /// <summary>Launches per kernel name since the last <see cref="Reset"/>.</summary>
    public IReadOnlyDictionary<string, int> LaunchesByKernel => new Dictionary<string, int>(_launches, StringComparer.Ordinal);

    /// <summary>Sets every counter to zero.</summary>
    public void Reset()
    {
        _launches.Clear();
        Interlocked.Exchange(ref _gemms, 0);
        Interlocked.Exchange(ref _copies, 0);
        Interlocked.Exchange(ref _copiesToHost, 0);
    }

    /// <inheritdoc/>
    public DeviceBuffer Allocate(long bytes) => Inner.Allocate(bytes);

    /// <inheritdoc/>
    public void CopyToDevice(ReadOnlySpan<byte> source, DeviceBuffer destination, long destinationOffset = 0)
    {
        Inner.CopyToDevice(source, destination, destinationOffset);
        Interlocked.Increment(ref _copies);
    }

    /// <inheritdoc/>
    public void CopyToHost(DeviceBuffer source, long sourceOffset, Span<byte> destination)
    {
        Inner.CopyToHost(source, sourceOffset, destination);
        Interlocked.Increment(ref _copies);
        Interlocked.Increment(ref _copiesToHost);
    }

    /// <inheritdoc/>
    public void Memset(DeviceBuffer buffer, byte value) => Inner.Memset(buffer, value);

    /// <inheritdoc/>
    public void Launch(string kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, void** args)
    {
        Inner.Launch(kernel, grid, block, dynamicSharedBytes, args);
        _launches.AddOrUpdate(kernel, 1, (_, n) => n + 1);
    }

    /// <inheritdoc/>
    public void Gemm(in GemmDesc gemm)
    {
        Inner.Gemm(gemm);
        Interlocked.Increment(ref _gemms);
    }

    /// <inheritdoc/>
    public void Synchronize() => Inner.Synchronize();

    /// <inheritdoc/>
    public DeviceGraph Capture(Action work) => Inner.Capture(work);

    /// <summary>Does not dispose <see cref="Inner"/>: the caller owns it.</summary>
    public void Dispose() { }
}
