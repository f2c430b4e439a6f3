namespace Wan.Runtime.Pipeline.Solvers;

/// <summary>
/// A flow-matching sampler: a fixed schedule of timesteps (what the DiT is conditioned on) and sigmas
/// (noise levels, with a final 0), and a step that moves a latent from sigma[i] to sigma[i+1] given the
/// model's flow prediction at step i. Latents are flat float32 arrays; steps must be taken in order,
/// once each, on one solver per generation (multistep solvers keep the previous model outputs).
/// </summary>
public interface IFlowSolver
{
    /// <summary>The integer timestep passed to the model at each step (length = number of steps).</summary>
    IReadOnlyList<long> Timesteps { get; }

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
