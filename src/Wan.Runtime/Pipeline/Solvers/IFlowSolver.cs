namespace Wan.Runtime.Pipeline.Solvers;

/// <summary>
/// A flow-matching sampler: a fixed schedule of timesteps (what the DiT is conditioned on) and sigmas
/// (noise levels, with a final 0), and a step that moves a latent from sigma[i] to sigma[i+1] given the
/// model's flow prediction at step i. Latents are flat float32 arrays; steps must be taken in order,
/// once each, on one solver per generation (multistep solvers keep the previous model outputs).
/// </summary>
public interface IFlowSolver
{
    /// <summary>
    /// The integer timestep of each step (length = number of steps): what the official schedulers pass to the
    /// model; for a sampler with fractional timesteps, their truncation (for display only).
    /// </summary>
    IReadOnlyList<long> Timesteps { get; }

    /// <summary>
    /// The timestep the DiT is conditioned on at each step, as the real number it receives: equal to
    /// <see cref="Timesteps"/> for the official schedulers, fractional for the step-distill sampler
    /// (e.g. 937.5, 833.33).
    /// </summary>
    IReadOnlyList<double> ModelTimesteps { get; }

    /// <summary>
    /// Steps before this index run the high-noise expert, the others the low-noise one, when the sampler fixes
    /// the switch itself (LightX2V's <c>boundary_step_index</c>); null when the model's <c>boundary_ratio</c>
    /// decides from the timestep, as in the official loop.
    /// </summary>
    int? ExpertBoundaryStep { get; }

    /// <summary>The noise level before each step plus the final 0 (length = number of steps + 1).</summary>
    IReadOnlyList<float> Sigmas { get; }

    /// <summary>Number of steps.</summary>
    int StepCount { get; }

    /// <summary>
    /// Advances <paramref name="sample"/> in place from step <paramref name="stepIndex"/> to the next one, given
    /// <paramref name="modelOutput"/> = the (guided) flow prediction for that sample at that step.
    /// </summary>
    void Step(ReadOnlySpan<float> modelOutput, int stepIndex, Span<float> sample);
}
