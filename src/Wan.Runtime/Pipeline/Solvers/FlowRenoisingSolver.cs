namespace Wan.Runtime.Pipeline.Solvers;

/// <summary>
/// Self-Forcing's few-step sampler (github.com/guandeh17/Self-Forcing, pipeline/causal_inference.py, step 3.1): the schedule
/// of <see cref="FlowStepDistillSolver"/> (its step list [1000, 750, 500, 250] warped onto the shifted training grid), and
/// at every step but the last the predicted clean latent x̂₀ = x − σᵢ·v is re-noised with <b>fresh</b> Gaussian noise,
/// x = (1 − σᵢ₊₁)·x̂₀ + σᵢ₊₁·ε (the FlowMatchScheduler's <c>add_noise</c>); the last step returns x̂₀. ε is the seeded
/// <see cref="NoiseGenerator"/> stream of <c>noiseSeed</c>: step i uses values [i·n, (i + 1)·n) of it (n latent values); float32 throughout.
/// </summary>
public sealed class FlowRenoisingSolver : FlowSolverBase
{
    private readonly long _noiseSeed;
    private float[]? _noise;

    /// <param name="denoisingSteps">grid timesteps, strictly decreasing (see <see cref="FlowStepDistillSolver"/>).</param>
    /// <param name="shift">timestep shift, finite and &gt; 0.</param>
    /// <param name="noiseSeed">seed of the re-noising noise.</param>
    /// <param name="numTrainTimesteps">length T of the training grid (1000 for Wan).</param>
    /// <exception cref="ArgumentException">an argument is out of range (see <see cref="FlowStepDistillSolver"/>).</exception>
    public FlowRenoisingSolver(IReadOnlyList<int> denoisingSteps, double shift, long noiseSeed, int numTrainTimesteps = FlowSolvers.WanTrainTimesteps)
        : base(ScheduleOf(new FlowStepDistillSolver(denoisingSteps, shift, boundaryStep: null, numTrainTimesteps)))
    {
        _noiseSeed = noiseSeed;
    }

    /// <summary>
    /// The noise seed of the sampler of chunk <paramref name="chunk"/> (0 when not chunked) of a request with seed
    /// <paramref name="requestSeed"/>: the SplitMix64 finalizer of a mix of both, so that no two chunks, and no chunk and the
    /// initial noise, share a <see cref="NoiseGenerator"/> stream.
    /// </summary>
    public static long SeedFor(long requestSeed, int chunk)
    {
        ulong z = unchecked((ulong)requestSeed * 0xD1B5_4A32_D192_ED03UL + (ulong)(chunk + 1) * 0x9E37_79B9_7F4A_7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL);
        return unchecked((long)(z ^ (z >> 31)));
    }

    private static FlowSchedule ScheduleOf(FlowStepDistillSolver solver) => FlowSchedule.FromValues([.. solver.ModelTimesteps], [.. solver.Sigmas]);

    /// <inheritdoc />
    protected override void StepCore(ReadOnlySpan<float> modelOutput, int stepIndex, Span<float> sample)
    {
        float sigma = Sigma(stepIndex);
        bool last = stepIndex == StepCount - 1;
        float next = Sigma(stepIndex + 1), keep = 1f - next;
        _noise ??= NoiseGenerator.StandardNormal(_noiseSeed, checked((StepCount - 1) * sample.Length));
        var noise = last ? default : _noise.AsSpan(stepIndex * sample.Length, sample.Length);
        for (int j = 0; j < sample.Length; j++)
        {
            float scaled = modelOutput[j] * sigma;
            float x0 = sample[j] - scaled;
            if (last)
            {
                sample[j] = x0;
            }
            else
            {
                float clean = keep * x0;
                float fresh = next * noise[j];
                sample[j] = clean + fresh;
            }
        }
    }
}
