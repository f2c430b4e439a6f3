using Wan.Kernels.Roofline;

namespace Wan.Kernels.Performance;

/// <summary>
/// Per-SM resources and pipe rates of a GPU for the kernel performance model. Occupancy limits are
/// the CUDA C++ Programming Guide's for compute capability 9.0; rates are per SM per clock.
/// </summary>
/// <param name="Chip">the datasheet ceilings (dense tensor TFLOP/s, DRAM TB/s) the roofline uses.</param>
/// <param name="Sms">streaming multiprocessors.</param>
/// <param name="ClockGhz">the clock at which the datasheet's dense tensor peak holds (peak = SMs × 4096 FLOP/clk × clock).</param>
/// <param name="SharedBytesPerSm">shared memory per SM usable by blocks (228 KiB on sm_90).</param>
/// <param name="ReservedSharedBytesPerBlock">shared memory the system reserves per resident block (1 KiB).</param>
/// <param name="RegistersPerSm">32-bit registers per SM.</param>
/// <param name="MaxWarpsPerSm">resident warps per SM.</param>
/// <param name="MaxBlocksPerSm">resident blocks per SM.</param>
/// <param name="MmaSyncFlopsPerClock">16-bit mma.sync FLOPs per SM per clock (assumed half the wgmma dense rate on sm_90; see docs/attention-model.md).</param>
/// <param name="Ex2PerClock">MUFU ex2 results per SM per clock (16 on 8.x/9.x).</param>
/// <param name="SharedWavefrontsPerClock">shared-memory wavefronts (128 bytes) per SM per clock.</param>
/// <param name="L2TerabytesPerSecond">L2 → SM bandwidth of the whole chip (assumed; NVIDIA publishes none).</param>
public sealed record SmArchitecture(
    Accelerator Chip, int Sms, double ClockGhz, int SharedBytesPerSm, int ReservedSharedBytesPerBlock, int RegistersPerSm,
    int MaxWarpsPerSm, int MaxBlocksPerSm, double MmaSyncFlopsPerClock, double Ex2PerClock, double SharedWavefrontsPerClock,
    double L2TerabytesPerSecond)
{
    /// <summary>H100 SXM5: 132 SMs; 989 TFLOP/s dense = 132 × 4096 × 1.83 GHz.</summary>
    public static SmArchitecture H100 { get; } = new(Accelerator.H100, 132, 1.83, 228 * 1024, 1024, 65536, 64, 32, 2048, 16, 1, 5.5);

    /// <summary>H200 SXM: the H100's GH100 die and clocks with HBM3e (4.8 TB/s).</summary>
    public static SmArchitecture H200 { get; } = H100 with { Chip = Accelerator.H200 };

    /// <summary>Clock in Hz.</summary>
    public double ClockHz => ClockGhz * 1e9;

    /// <summary>
    /// Resident blocks per SM of a kernel: the least of the register limit (registers rounded up to
    /// 8 per thread, i.e. 256 per warp), the shared-memory limit and the warp and block limits.
    /// </summary>
    /// <exception cref="ArgumentException">the block does not fit on one SM.</exception>
    public Occupancy BlocksPerSm(int threads, int registersPerThread, int sharedBytes)
    {
        int warps = (threads + 31) / 32;
        int registersPerWarp = (registersPerThread + 7) / 8 * 8 * 32;
        int byRegisters = RegistersPerSm / (registersPerWarp * warps);
        int byShared = SharedBytesPerSm / (sharedBytes + ReservedSharedBytesPerBlock);
        int byWarps = MaxWarpsPerSm / warps;
        int blocks = Math.Min(Math.Min(byRegisters, byShared), Math.Min(byWarps, MaxBlocksPerSm));
        if (blocks < 1)
        {
            throw new ArgumentException($"{Chip.Name}: a block of {threads} threads × {registersPerThread} registers with {sharedBytes} B of shared memory does not fit on one SM");
        }
        string limit = blocks == byRegisters ? "registers" : blocks == byShared ? "shared memory" : blocks == byWarps ? "warps" : "blocks";
        return new Occupancy(blocks, blocks * warps, limit);
    }
}

/// <summary>Resident blocks and warps per SM, and the resource that limits them.</summary>
public sealed record Occupancy(int Blocks, int Warps, string Limit);
