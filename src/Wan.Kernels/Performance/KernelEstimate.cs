namespace Wan.Kernels.Performance;

/// <summary>
/// Modelled time of one kernel on one workload, all launches of a forward together: each pipe's
/// busy time on the busiest SM (blocks spread evenly, whole blocks per SM) or the chip, the modelled
/// time = the slowest pipe (pipes overlap perfectly: a lower bound that ignores latency), and the
/// roofline floor (datasheet dense peak and DRAM bandwidth) it is compared with, and the mma.sync
/// ceiling (the useful FLOPs at the mma.sync rate of every SM: the best any mma.sync kernel can do).
/// </summary>
public sealed record KernelEstimate(
    string Kernel, string Workload, string Gpu, Occupancy Occupancy, long Blocks, long WavefrontsPerTile, long IdealWavefrontsPerTile,
    double TensorSeconds, double SharedSeconds, double Ex2Seconds, double L2Seconds, double DramSeconds, double RooflineSeconds,
    double MmaSyncCeilingSeconds)
{
    /// <summary>The modelled time: the slowest pipe.</summary>
    public double Seconds => new[] { TensorSeconds, SharedSeconds, Ex2Seconds, L2Seconds, DramSeconds }.Max();

    /// <summary>The pipe that sets <see cref="Seconds"/>.</summary>
    public string Bound
    {
        get
        {
            var pipes = new[] { ("tensor", TensorSeconds), ("shared", SharedSeconds), ("ex2", Ex2Seconds), ("L2", L2Seconds), ("DRAM", DramSeconds) };
            return pipes.MaxBy(p => p.Item2).Item1;
        }
    }

    /// <summary>Modelled time over the roofline floor.</summary>
    public double OverRoofline => Seconds / RooflineSeconds;

    /// <summary>Modelled time over the mma.sync ceiling.</summary>
    public double OverMmaSyncCeiling => Seconds / MmaSyncCeilingSeconds;
}
