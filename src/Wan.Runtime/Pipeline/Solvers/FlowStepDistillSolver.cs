namespace Wan.Runtime.Pipeline.Solvers;

/// <summary>
/// The 4-step sampler of the published Wan2.2 step-distill LoRAs/models: LightX2V's
/// <c>Wan22StepDistillScheduler</c> (lightx2v/models/schedulers/wan/step_distill/scheduler.py, with
/// configs/distill/wan22/wan_moe_t2v_distill_lora.json: <c>denoising_step_list</c> [1000, 750, 500, 250],
/// <c>sample_shift</c> 5, <c>boundary_step_index</c> 2, <c>enable_cfg</c> false).
/// <para>
/// Schedule, in float32 like the reference's torch tensors: the training grid <c>u = linspace(1, 0, T+1)[:-1]</c>
/// (torch's CPU linspace: <c>start + step·i</c> for the first half, <c>end − step·(T − i)</c> for the second),
/// shifted <c>sigma = s·u / (1 + (s−1)·u)</c>; step i uses grid index <c>T − t_i</c>. The DiT receives the
/// fractional timestep <c>T·sigma_i</c> (1000, 937.5, 833.33, 625; not truncated). Update (float32):
/// <c>x0 = x − sigma_i·v</c>, then <c>x = x0 + sigma_{i+1}·v</c>, except at the last step where <c>x = x0</c>.
/// Steps before <see cref="ExpertBoundaryStep"/> run the high-noise expert. No CFG: the sampler is used
/// with guidance 1, which makes the pipeline run one forward per step.
/// </para>
/// </summary>
public sealed class FlowStepDistillSolver : FlowSolverBase
{
    /// <summary>The published Wan2.2 4-step list (<c>denoising_step_list</c>).</summary>
    public static IReadOnlyList<int> Wan22DenoisingSteps { get; } = [1000, 750, 500, 250];

    /// <summary>The shift of the Wan2.2 distill config (<c>sample_shift</c>).</summary>
    public const double Wan22Shift = 5.0;

    /// <summary>The expert switch of the Wan2.2 distill config (<c>boundary_step_index</c>).</summary>
    public const int Wan22BoundaryStep = 2;

    private readonly int? _boundaryStep;

    /// <param name="denoisingSteps">Grid timesteps, strictly decreasing, each in 1..<paramref name="numTrainTimesteps"/>.</param>
    /// <param name="shift">Timestep shift, finite and &gt; 0.</param>
    /// <param name="boundaryStep">Steps before it use the high-noise expert (0..steps); null lets the model's boundary ratio decide.</param>
    /// <param name="numTrainTimesteps">Length T of the training grid (1000 for Wan), at least 2.</param>
    /// <exception cref="ArgumentException">Any argument outside those ranges (the message names it).</exception>
    public FlowStepDistillSolver(IReadOnlyList<int> denoisingSteps, double shift = Wan22Shift, int? boundaryStep = Wan22BoundaryStep,
        int numTrainTimesteps = FlowSolvers.WanTrainTimesteps)
        : base(Schedule(denoisingSteps, shift, numTrainTimesteps))
    {
        if (boundaryStep is { } b && (b < 0 || b > denoisingSteps.Count))
        {
            throw new ArgumentOutOfRangeException(nameof(boundaryStep), b, $"the expert boundary step must lie in 0..{denoisingSteps.Count}");
        }
        _boundaryStep = boundaryStep;
    }

    /// <summary>LightX2V's <c>boundary_step_index</c>: steps before it run the high-noise expert.</summary>
    public override int? ExpertBoundaryStep => _boundaryStep;

    /// <inheritdoc />
    protected override void StepCore(ReadOnlySpan<float> modelOutput, int stepIndex, Span<float> sample)
    {
        float sigma = Sigma(stepIndex);
        bool last = stepIndex == StepCount - 1;
        float next = Sigma(stepIndex + 1);
        for (int j = 0; j < sample.Length; j++)
        {
            // Two roundings per product and sum, as the reference's separate tensor ops.
            float v = modelOutput[j];
            float scaled = v * sigma;
            float x0 = sample[j] - scaled;
            if (last)
            {
                sample[j] = x0;
            }
            else
            {
                float forward = v * next;
                sample[j] = x0 + forward;
            }
        }
    }

    private static FlowSchedule Schedule(IReadOnlyList<int> denoisingSteps, double shift, int numTrainTimesteps)
    {
        ArgumentNullException.ThrowIfNull(denoisingSteps);
        if (numTrainTimesteps < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(numTrainTimesteps), numTrainTimesteps, "the training grid needs at least 2 timesteps");
        }
        if (!double.IsFinite(shift) || shift <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(shift), shift, "the timestep shift must be a finite number > 0");
        }
        if (denoisingSteps.Count == 0)
        {
            throw new ArgumentException("the denoising step list is empty", nameof(denoisingSteps));
        }
        for (int i = 0; i < denoisingSteps.Count; i++)
        {
            var t = denoisingSteps[i];
            if (t < 1 || t > numTrainTimesteps || (i > 0 && t >= denoisingSteps[i - 1]))
            {
                throw new ArgumentException(
                    $"denoising step list [{string.Join(", ", denoisingSteps)}] must decrease strictly within 1..{numTrainTimesteps}; entry {i} is {t}",
                    nameof(denoisingSteps));
            }
        }

        var modelTimesteps = new double[denoisingSteps.Count];
        var sigmas = new float[denoisingSteps.Count + 1];
        float s = (float)shift, sMinus1 = (float)(shift - 1), trainLength = numTrainTimesteps;
        for (int i = 0; i < denoisingSteps.Count; i++)
        {
            float u = TorchLinspace(1f, 0f, numTrainTimesteps + 1, numTrainTimesteps - denoisingSteps[i]);
            float sigma = s * u / (1f + sMinus1 * u);
            sigmas[i] = sigma;
            modelTimesteps[i] = sigma * trainLength;
        }
        sigmas[^1] = 0f;
        return FlowSchedule.FromValues(modelTimesteps, sigmas);
    }

    /// <summary>
    /// Element <paramref name="i"/> of float32 <c>torch.linspace(start, end, count)</c> on the CPU
    /// (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp): the step in float32, the first half counted from
    /// the start and the second half from the end, each product and sum rounded to float32.
    /// </summary>
    internal static float TorchLinspace(float start, float end, int count, int i)
    {
        float step = (end - start) / (count - 1);
        if (i < count / 2)
        {
            float offset = step * i;
            return start + offset;
        }
        float back = step * (count - i - 1);
        return end - back;
    }
}
