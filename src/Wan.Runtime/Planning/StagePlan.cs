namespace Wan.Runtime.Planning;

/// <summary>
/// One stage of a generation in a plan: text encode, high-noise steps, low-noise steps or decode.
/// Sizes in bytes, work in FLOPs, times in seconds, all for the whole stage (every step together).
/// </summary>
/// <param name="Stage">"text encode", "high-noise steps", "low-noise steps", "decode".</param>
/// <param name="Source">"recorded" (dry run of the real code), "recorded, weights modelled" (a dry run whose peak and copies are
/// adjusted for weights the residency keeps off the device: streaming is not implemented) or "estimated" (op counts, no CUDA kernels for the stage yet).</param>
/// <param name="Steps">denoising steps of the stage (0 for text encode and decode).</param>
/// <param name="PeakBytes">peak device memory during the stage under the plan's residency (weights, buffers, activations).</param>
/// <param name="Launches">kernel launches (recorded; estimated stages: null).</param>
/// <param name="Gemms">GEMMs (recorded; estimated stages: null).</param>
/// <param name="Flops">FLOPs: recorded GEMMs plus the roofline model of the other kernels (DiT), or the estimate.</param>
/// <param name="BytesMoved">minimum DRAM bytes (each operand read once, each result written once), or null when not estimated.</param>
/// <param name="ComputeSeconds">modelled time on the GPU: the sum of every GEMM's and kernel's roofline floor.</param>
/// <param name="PcieSeconds">modelled host-to-device copy time of streamed or switched weights (0 when resident).</param>
/// <param name="ExposedPcieSeconds">the part of <paramref name="PcieSeconds"/> not hidden behind compute.</param>
public sealed record StagePlan(string Stage, string Source, int Steps, long PeakBytes, long? Launches, long? Gemms, double Flops, double? BytesMoved,
    double ComputeSeconds, double PcieSeconds, double ExposedPcieSeconds)
{
    /// <summary>Modelled wall time: compute plus the exposed copies.</summary>
    public double Seconds => ComputeSeconds + ExposedPcieSeconds;

    /// <summary>Modelled seconds per denoising step (the stage's seconds for a stage without steps).</summary>
    public double SecondsPerStep => Steps > 0 ? Seconds / Steps : Seconds;
}
