namespace Wan.Kernels.Performance;

/// <summary>
/// The per-kernel performance model: tile sizes and replayed shared-memory traffic of an
/// <see cref="AttentionKernelDesign"/>, the registers ptxas reported, and an <see cref="SmArchitecture"/>
/// → the busy time of each pipe (tensor cores at the mma.sync rate, shared-memory wavefronts, MUFU ex2,
/// L2 and DRAM bandwidth) and the modelled time as the slowest of them.
/// </summary>
public static class KernelTimeModel
{
    /// <summary>Models <paramref name="design"/> on <paramref name="workload"/>.</summary>
    /// <param name="design">the kernel.</param>
    /// <param name="registers">registers per thread from the kernel's ptxas report.</param>
    /// <param name="workload">the launches.</param>
    /// <param name="gpu">the GPU.</param>
    /// <exception cref="ArgumentException">the block does not fit on one SM.</exception>
    public static KernelEstimate Estimate(AttentionKernelDesign design, int registers, AttentionWorkload workload, SmArchitecture gpu)
    {
        int dh = workload.HeadDim;
        var tile = new SharedTrafficRecorder();
        design.ReplayTile(dh, tile);
        var once = new SharedTrafficRecorder();
        design.ReplayBlockOnce(dh, once);
        long idealTile = tile.Counts.Sum(c => c.IdealWavefronts);

        var occupancy = gpu.BlocksPerSm(design.Threads, registers, design.SharedBytes(dh));
        long blocksPerLaunch = checked((workload.QueryRows + design.BlockRows - 1) / design.BlockRows * workload.Heads);
        long tiles = (workload.Keys + design.TileKeys - 1) / design.TileKeys;
        long busiest = (blocksPerLaunch + gpu.Sms - 1) / gpu.Sms; // blocks the busiest SM runs per launch
        double launches = workload.Launches;

        double tensor = launches * busiest * tiles * design.FlopsPerTile(dh) / (gpu.MmaSyncFlopsPerClock * gpu.ClockHz);
        double shared = launches * busiest * (tiles * tile.Wavefronts + once.Wavefronts) / (gpu.SharedWavefrontsPerClock * gpu.ClockHz);
        double ex2 = launches * busiest * tiles * design.ExpsPerTile / (gpu.Ex2PerClock * gpu.ClockHz);
        double l2 = launches * blocksPerLaunch * (tiles * design.L2BytesPerTile(dh) + design.L2BytesPerBlock(dh)) / (gpu.L2TerabytesPerSecond * 1e12);
        double dram = workload.Bytes / (gpu.Chip.TerabytesPerSecond * 1e12);
        return new KernelEstimate(design.Name, workload.Name, gpu.Chip.Name, occupancy, blocksPerLaunch, tile.Wavefronts, idealTile,
            tensor, shared, ex2, l2, dram, gpu.Chip.FloorSeconds(workload.Flops, workload.Bytes),
            Math.Max(workload.Flops / (gpu.Sms * gpu.MmaSyncFlopsPerClock * gpu.ClockHz), dram));
    }
}
