namespace Wan.Kernels.Roofline;

/// <summary>
/// One kernel or GEMM of the DiT forward: how often it runs per forward and the FLOPs and the
/// minimum DRAM bytes (each operand read once, each result written once) of all those runs together.
/// </summary>
public sealed record RooflineRow(string Op, string Kind, long LaunchesPerForward, double Flops, double Bytes)
{
    /// <summary>FLOPs per byte: above the GPU's ridge point (≈295 on H100, 206 on H200) the op is compute-bound.</summary>
    public double Intensity => Bytes == 0 ? double.PositiveInfinity : Flops / Bytes;
}
