namespace Wan.Kernels.Device;

/// <summary>
/// What a <see cref="DryRunDevice"/> (or a <see cref="RecordingDevice"/>) was asked to do: every launch
/// and GEMM issued through <see cref="IDevice"/> in order (<see cref="Calls"/>; inside a capture they
/// are recorded once, at capture), the totals of the work that would run (<see cref="Launches"/>,
/// <see cref="Gemms"/>, <see cref="GemmFlops"/>, <see cref="GemmBytes"/> count each graph replay's
/// work again), host copies, uploads on the copy stream (<see cref="Uploads"/>) and their staging memory, and device memory: allocations, frees, live and peak bytes. Not thread safe:
/// one generation at a time, as the engine runs them.
/// </summary>
public sealed class DryRunLog
{
    private readonly List<DryRunCall> _calls = [];
    private readonly Dictionary<DryRunCall, long> _ran = [];
    private readonly List<DryRunUpload> _uploads = [];

    /// <summary>Every launch and GEMM issued, in order (captured work once, replays not repeated).</summary>
    public IReadOnlyList<DryRunCall> Calls => _calls;

    /// <summary>How many times each distinct launch or GEMM would run (graph replays included): the input of a time model.</summary>
    public IReadOnlyDictionary<DryRunCall, long> Ran => _ran;

    /// <summary>A copy of <see cref="Ran"/> now, to take differences per stage.</summary>
    public Dictionary<DryRunCall, long> SnapshotRan() => new(_ran);

    /// <summary>Kernel launches that would run, graph replays included.</summary>
    public long Launches { get; private set; }

    /// <summary>GEMMs that would run, graph replays included.</summary>
    public long Gemms { get; private set; }

    /// <summary>FLOPs of those GEMMs.</summary>
    public double GemmFlops { get; private set; }

    /// <summary>Minimum bytes those GEMMs move (see <see cref="DryRunCall"/>).</summary>
    public double GemmBytes { get; private set; }

    /// <summary>Graph replays.</summary>
    public long Replays { get; private set; }

    /// <summary>Copies between host and device, and their bytes.</summary>
    public long Copies { get; private set; }

    /// <summary>Bytes copied between host and device.</summary>
    public long CopiedBytes { get; private set; }

    /// <summary>Uploads on the copy stream (<see cref="IUploadStream.Upload"/>), in order; not counted in <see cref="Copies"/>.</summary>
    public IReadOnlyList<DryRunUpload> Uploads => _uploads;

    /// <summary>Uploads on the copy stream since creation (kept when <see cref="ClearCalls"/> forgets the list).</summary>
    public long UploadCount { get; private set; }

    /// <summary>Bytes those uploads copy host → device: the PCIe traffic of weight streaming.</summary>
    public long UploadedBytes { get; private set; }

    /// <summary>Bytes of page-locked staging memory allocated and not freed now (host memory, not device).</summary>
    public long StagingBytes { get; private set; }

    /// <summary>The most <see cref="StagingBytes"/> reached since creation.</summary>
    public long PeakStagingBytes { get; private set; }

    /// <summary>Device allocations (a capture's reused blocks count once).</summary>
    public long Allocations { get; private set; }

    /// <summary>Device frees.</summary>
    public long Frees { get; private set; }

    /// <summary>Bytes of device memory allocated and not freed now.</summary>
    public long LiveBytes { get; private set; }

    /// <summary>The most <see cref="LiveBytes"/> reached since creation or the last <see cref="ResetPeak"/>.</summary>
    public long PeakBytes { get; private set; }

    /// <summary>
    /// Where two call lists first differ ("call 12: expected launch of rms_norm grid (…) …, got …", or a
    /// length difference), or null when they are equal call for call.
    /// </summary>
    public static string? FirstDifference(IReadOnlyList<DryRunCall> expected, IReadOnlyList<DryRunCall> actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        int common = Math.Min(expected.Count, actual.Count);
        for (int i = 0; i < common; i++)
        {
            if (expected[i] != actual[i])
            {
                return $"call {i}: expected {expected[i]}, got {actual[i]}";
            }
        }
        return expected.Count == actual.Count ? null
            : $"{expected.Count} calls expected, {actual.Count} issued; the first unmatched: {(expected.Count > common ? expected[common] : actual[common])}";
    }

    /// <summary>Starts a new peak from the memory live now (per-stage peaks).</summary>
    public void ResetPeak() => PeakBytes = LiveBytes;

    /// <summary>Forgets the calls and uploads lists (the totals stay): a long dry run need not keep every call.</summary>
    public void ClearCalls()
    {
        _calls.Clear();
        _uploads.Clear();
    }

    /// <summary>Adds an issued call; <paramref name="runs"/> is false inside a capture (the work runs at the replays).</summary>
    internal void Issue(DryRunCall call, bool runs)
    {
        _calls.Add(call);
        if (runs)
        {
            Count(call);
        }
    }

    internal void Replay(IReadOnlyList<DryRunCall> graph)
    {
        Replays++;
        foreach (var call in graph)
        {
            Count(call);
        }
    }

    internal void Copy(long bytes)
    {
        Copies++;
        CopiedBytes = checked(CopiedBytes + bytes);
    }

    internal void Upload(DryRunUpload upload)
    {
        _uploads.Add(upload);
        UploadCount++;
        UploadedBytes = checked(UploadedBytes + upload.Bytes);
    }

    internal void StagingAllocated(long bytes)
    {
        StagingBytes = checked(StagingBytes + bytes);
        PeakStagingBytes = Math.Max(PeakStagingBytes, StagingBytes);
    }

    internal void StagingFreed(long bytes) => StagingBytes -= bytes;

    internal void Allocated(long bytes)
    {
        Allocations++;
        LiveBytes = checked(LiveBytes + bytes);
        PeakBytes = Math.Max(PeakBytes, LiveBytes);
    }

    internal void Freed(long bytes)
    {
        Frees++;
        LiveBytes -= bytes;
    }

    private void Count(in DryRunCall call)
    {
        _ran[call] = _ran.GetValueOrDefault(call) + 1;
        if (call.Kind == DryRunCallKind.Gemm)
        {
            Gemms++;
            GemmFlops += call.Flops;
            GemmBytes += call.Bytes;
        }
        else
        {
            Launches++;
        }
    }
}
