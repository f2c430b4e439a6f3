namespace Wan.Kernels.Performance;

/// <summary>
/// Shared-memory wavefronts of one warp-wide access, counted from its byte addresses: 32 banks of
/// 4 bytes; lanes that read the same 4-byte word share it (broadcast), distinct words in one bank
/// serialise. Accesses wider than 4 bytes per lane run in phases of 128 bytes (8-byte: two half-warps,
/// 16-byte: four quarter-warps; ldmatrix.x4 and cp.async of 16 bytes are quarter-warp phases of eight
/// 16-byte rows), as the CUDA C++ Programming Guide describes for compute capability 8.x/9.x.
/// </summary>
public static class SharedMemoryBanks
{
    /// <summary>Banks of shared memory.</summary>
    public const int Banks = 32;

    /// <summary>Bytes per bank word.</summary>
    public const int BankBytes = 4;

    /// <summary>
    /// Wavefronts (shared-memory cycles) of one warp instruction: per phase, the largest number of
    /// distinct words any bank must deliver, at least one per phase with an active lane.
    /// </summary>
    /// <param name="addresses">byte address per lane (32 entries); a negative address marks an inactive lane.</param>
    /// <param name="bytesPerLane">2, 4, 8 or 16 bytes accessed by each active lane (naturally aligned).</param>
    /// <exception cref="ArgumentException">not 32 lanes, an unsupported width, or a misaligned address.</exception>
    public static int Wavefronts(ReadOnlySpan<long> addresses, int bytesPerLane)
    {
        if (addresses.Length != 32)
        {
            throw new ArgumentException($"a warp access has 32 lane addresses, got {addresses.Length}", nameof(addresses));
        }
        if (bytesPerLane is not (1 or 2 or 4 or 8 or 16))
        {
            throw new ArgumentException($"{bytesPerLane} bytes per lane: shared-memory accesses are 1, 2, 4, 8 or 16 bytes", nameof(bytesPerLane));
        }
        int lanesPerPhase = bytesPerLane <= BankBytes ? 32 : 32 * BankBytes / bytesPerLane;
        int wordsPerLane = Math.Max(1, bytesPerLane / BankBytes);
        int total = 0;
        var words = new HashSet<long>[Banks];
        for (int b = 0; b < Banks; b++)
        {
            words[b] = [];
        }
        for (int phase = 0; phase < 32; phase += lanesPerPhase)
        {
            bool active = false;
            foreach (var set in words)
            {
                set.Clear();
            }
            for (int lane = phase; lane < phase + lanesPerPhase; lane++)
            {
                long address = addresses[lane];
                if (address < 0)
                {
                    continue;
                }
                if (address % bytesPerLane != 0)
                {
                    throw new ArgumentException($"lane {lane}: address {address} is not {bytesPerLane}-byte aligned", nameof(addresses));
                }
                active = true;
                for (int w = 0; w < wordsPerLane; w++)
                {
                    long word = address / BankBytes + w;
                    words[word % Banks].Add(word);
                }
            }
            if (active)
            {
                total += Math.Max(1, words.Max(set => set.Count));
            }
        }
        return total;
    }

    /// <summary>The fewest wavefronts an access of this many active lanes and width can take: its bytes / 128, at least one.</summary>
    public static int MinimumWavefronts(int activeLanes, int bytesPerLane) =>
        Math.Max(1, (activeLanes * bytesPerLane + Banks * BankBytes - 1) / (Banks * BankBytes));
}
