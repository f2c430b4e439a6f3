namespace Wan.Runtime.Planning;

/// <summary>
/// A GPU's spec-sheet numbers the plan's time model uses (docs/planning.md cites the datasheets):
/// memory in GB (10⁹ bytes), dense BF16 tensor-core TFLOP/s with FP32 accumulation (no sparsity),
/// memory bandwidth in TB/s, and the host link: PCIe generation and its x16 bandwidth per direction in GB/s.
/// </summary>
/// <param name="Key">the <c>--gpu</c> name: h100, h200, l40s, 4090.</param>
/// <param name="Name">the product name.</param>
/// <param name="MemoryGB">device memory, GB.</param>
/// <param name="DenseBf16Tflops">dense BF16 tensor throughput with FP32 accumulation, TFLOP/s.</param>
/// <param name="MemoryTBps">DRAM (HBM/GDDR) bandwidth, TB/s.</param>
/// <param name="PcieGeneration">PCIe generation of the host link.</param>
/// <param name="PcieGBps">PCIe x16 bandwidth, one direction, GB/s.</param>
public sealed record GpuSpec(string Key, string Name, double MemoryGB, double DenseBf16Tflops, double MemoryTBps, int PcieGeneration, double PcieGBps)
{
    /// <summary>H100 SXM5 80 GB: 989 TFLOP/s dense BF16, 3.35 TB/s HBM3, PCIe Gen5 x16 (64 GB/s per direction).</summary>
    public static GpuSpec H100 { get; } = new("h100", "H100 SXM", 80, 989, 3.35, 5, 64);

    /// <summary>H200 SXM 141 GB: 989 TFLOP/s dense BF16, 4.8 TB/s HBM3e, PCIe Gen5 x16 (64 GB/s per direction).</summary>
    public static GpuSpec H200 { get; } = new("h200", "H200 SXM", 141, 989, 4.8, 5, 64);

    /// <summary>L40S 48 GB: 362 TFLOP/s dense BF16, 864 GB/s GDDR6, PCIe Gen4 x16 (32 GB/s per direction).</summary>
    public static GpuSpec L40S { get; } = new("l40s", "L40S", 48, 362, 0.864, 4, 32);

    /// <summary>GeForce RTX 4090 24 GB: 165 TFLOP/s dense BF16 with FP32 accumulation, 1008 GB/s GDDR6X, PCIe Gen4 x16 (32 GB/s per direction).</summary>
    public static GpuSpec Rtx4090 { get; } = new("4090", "RTX 4090", 24, 165.2, 1.008, 4, 32);

    /// <summary>The four GPUs, in <c>--gpu</c> order.</summary>
    public static IReadOnlyList<GpuSpec> All { get; } = [H100, H200, L40S, Rtx4090];

    /// <summary>The GPU of a <c>--gpu</c> name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">not one of h100, h200, l40s, 4090.</exception>
    public static GpuSpec Parse(string key) =>
        All.FirstOrDefault(g => string.Equals(g.Key, key, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"gpu '{key}': expected one of {string.Join(", ", All.Select(g => g.Key))}");

    /// <summary>The roofline floor of work: max(FLOPs / dense peak, bytes / memory bandwidth), seconds.</summary>
    public double FloorSeconds(double flops, double bytes) => Math.Max(flops / (DenseBf16Tflops * 1e12), bytes / (MemoryTBps * 1e12));

    /// <summary>Seconds to copy <paramref name="bytes"/> from host to device at the PCIe spec rate.</summary>
    public double PcieSeconds(double bytes) => bytes / (PcieGBps * 1e9);
}
