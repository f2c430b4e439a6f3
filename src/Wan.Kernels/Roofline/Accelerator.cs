namespace Wan.Kernels.Roofline;

/// <summary>A GPU's ceilings: dense 16-bit tensor-core throughput and memory bandwidth (vendor datasheet numbers).</summary>
public sealed record Accelerator(string Name, double DenseTflops, double TerabytesPerSecond)
{
    /// <summary>H100 SXM5 datasheet: 989 TFLOP/s dense bf16/fp16 tensor, 3.35 TB/s HBM3.</summary>
    public static Accelerator H100 { get; } = new("H100 SXM", 989, 3.35);

    /// <summary>H200 SXM datasheet: 989 TFLOP/s dense bf16/fp16 tensor, 4.8 TB/s HBM3e.</summary>
    public static Accelerator H200 { get; } = new("H200 SXM", 989, 4.8);

    /// <summary>The floor time of work that needs <paramref name="flops"/> and moves <paramref name="bytes"/>: whichever ceiling binds.</summary>
    public double FloorSeconds(double flops, double bytes) => Math.Max(flops / (DenseTflops * 1e12), bytes / (TerabytesPerSecond * 1e12));
}
