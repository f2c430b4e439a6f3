namespace Wan.Kernels.Performance;

/// <summary>Counted cost of one kind of warp-wide shared-memory instruction: how often it runs, its wavefronts, and the conflict-free minimum.</summary>
/// <param name="Access">what the instruction does, e.g. "ldmatrix.x4.trans V".</param>
/// <param name="Instructions">warp instructions.</param>
/// <param name="Wavefronts">wavefronts counted from the replayed addresses.</param>
/// <param name="IdealWavefronts">wavefronts without bank conflicts (bytes / 128 per instruction).</param>
public sealed record SharedAccessCount(string Access, long Instructions, long Wavefronts, long IdealWavefronts)
{
    /// <summary>Wavefronts over the conflict-free minimum: 1 when conflict-free, 8 for an 8-way conflict.</summary>
    public double ConflictFactor => IdealWavefronts == 0 ? 1 : (double)Wavefronts / IdealWavefronts;
}

/// <summary>
/// Collects the shared-memory instructions of a replayed kernel: each call gives one warp instruction
/// as the byte address of every lane, computed by the kernel's own address expressions.
/// </summary>
public sealed class SharedTrafficRecorder
{
    private readonly Dictionary<string, (long Instructions, long Wavefronts, long Ideal)> _counts = [];
    private readonly List<string> _order = [];
    private readonly long[] _addresses = new long[32];

    /// <summary>Records one warp instruction of <paramref name="bytesPerLane"/> bytes per lane at <paramref name="address"/>(lane) bytes.</summary>
    public void Warp(string access, int bytesPerLane, Func<int, long> address)
    {
        for (int lane = 0; lane < 32; lane++)
        {
            _addresses[lane] = address(lane);
        }
        int wavefronts = SharedMemoryBanks.Wavefronts(_addresses, bytesPerLane);
        int active = _addresses.Count(a => a >= 0);
        int ideal = SharedMemoryBanks.MinimumWavefronts(active, bytesPerLane);
        if (!_counts.TryGetValue(access, out var c))
        {
            _order.Add(access);
        }
        _counts[access] = (c.Instructions + 1, c.Wavefronts + wavefronts, c.Ideal + ideal);
    }

    /// <summary>The recorded instructions per kind, in first-seen order.</summary>
    public IReadOnlyList<SharedAccessCount> Counts => _order.Select(a => new SharedAccessCount(a, _counts[a].Instructions, _counts[a].Wavefronts, _counts[a].Ideal)).ToList();

    /// <summary>Wavefronts of everything recorded.</summary>
    public long Wavefronts => _counts.Values.Sum(c => c.Wavefronts);
}
