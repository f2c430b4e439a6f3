namespace Wan.Runtime.Planning;

/// <summary>
/// What <see cref="DeploymentPlanner.Plan"/> plans: a model (a diffusers directory, or null for the
/// Wan2.2-T2V-A14B preset), a video size, the step count, the GPU whose spec sheet times it, and the
/// device memory to fit in (GB, 10⁹ bytes; null: the GPU's own).
/// </summary>
public sealed record PlanRequest
{
    /// <summary>A diffusers-layout model directory (only configs and safetensors headers are read), or null for the A14B preset.</summary>
    public string? ModelDirectory { get; init; }

    /// <summary>Video height in pixels.</summary>
    public int Height { get; init; } = Pipeline.WanDefaults.Height;

    /// <summary>Video width in pixels.</summary>
    public int Width { get; init; } = Pipeline.WanDefaults.Width;

    /// <summary>Video frames (4k+1).</summary>
    public int Frames { get; init; } = Pipeline.WanDefaults.Frames;

    /// <summary>Denoising steps (default 40, the A14B default).</summary>
    public int Steps { get; init; } = Pipeline.Solvers.FlowSolvers.T2VA14BSteps;

    /// <summary>The GPU of the time model (default H100 SXM).</summary>
    public GpuSpec Gpu { get; init; } = GpuSpec.H100;

    /// <summary>Device memory to fit in, GB; null means <see cref="GpuSpec.MemoryGB"/>.</summary>
    public double? GpuMemoryGB { get; init; }

    /// <summary>
    /// Device memory the VAE decode may use beside its weights, GB (<c>wan plan --vae-memory</c>, as <c>wan generate</c>'s); null: the decode
    /// is tiled only when whole frames would not fit the budget beside the resident weights.
    /// </summary>
    public double? VaeMemoryGB { get; init; }

    /// <summary><see cref="VaeMemoryGB"/> in bytes, or null.</summary>
    public long? VaeMemoryBytes => VaeMemoryGB is { } gb ? checked((long)(gb * 1e9)) : null;

    /// <summary>The memory budget in bytes.</summary>
    public long BudgetBytes => checked((long)((GpuMemoryGB ?? Gpu.MemoryGB) * 1e9));
}
