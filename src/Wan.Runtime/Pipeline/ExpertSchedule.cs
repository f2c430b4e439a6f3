namespace Wan.Runtime.Pipeline;

/// <summary>
/// Which DiT expert and guidance scale a timestep uses. Wan2.2 A14B runs the high-noise expert
/// (<c>transformer</c>) with <see cref="GuidanceHigh"/> while t ≥ boundary_ratio × num_train_timesteps,
/// then the low-noise expert (<c>transformer_2</c>) with <see cref="GuidanceLow"/>. A single-expert
/// model (Wan2.1: no boundary) runs <c>transformer</c> at every step with <see cref="GuidanceLow"/>
/// (pass one scale as both to be unambiguous).
/// </summary>
public sealed record ExpertSchedule(double? BoundaryRatio, int NumTrainTimesteps, double GuidanceLow, double GuidanceHigh)
{
    /// <summary>True when timestep t ≥ boundary_ratio · num_train_timesteps (the high-noise expert runs); t may be fractional (step-distill sampler).</summary>
    public bool IsHighNoise(double timestep) => BoundaryRatio is { } b && timestep >= b * NumTrainTimesteps;

    /// <summary>The guidance scale of the expert that runs at timestep t.</summary>
    public double Guidance(double timestep) => IsHighNoise(timestep) ? GuidanceHigh : GuidanceLow;
}
