namespace Wan.Runtime.Pipeline.Solvers;

/// <summary>
/// The timesteps and sigmas of one sampling run, computed exactly as the official Wan schedulers do:
/// the sigma grid and the shift <c>s*u / (1 + (s-1)*u)</c> in float64 (numpy), timesteps = int64 truncation of
/// <c>sigma * T</c>, sigmas rounded to float32 with a final 0 appended.
/// </summary>
public sealed class FlowSchedule
{
    private FlowSchedule(long[] timesteps, double[] modelTimesteps, float[] sigmas)
    {
        Timesteps = timesteps;
        ModelTimesteps = modelTimesteps;
        Sigmas = sigmas;
    }

    /// <summary>The model's timestep at each step, truncated to an integer (what the official schedulers pass).</summary>
    public IReadOnlyList<long> Timesteps { get; }

    /// <summary>The timestep the DiT receives at each step (fractional only for the step-distill schedule).</summary>
    public IReadOnlyList<double> ModelTimesteps { get; }

    /// <summary>Sigma at each step plus the final 0.</summary>
    public IReadOnlyList<float> Sigmas { get; }

    /// <summary>Number of steps.</summary>
    public int StepCount => Timesteps.Count;

    /// <param name="kind">Which grid (see <see cref="FlowScheduleKind"/>).</param>
    /// <param name="steps">Number of sampling steps, at least 1.</param>
    /// <param name="shift">Timestep shift, finite and &gt; 0 (the original T2V-A14B <c>sample_shift</c> is 12.0).</param>
    /// <param name="numTrainTimesteps">Length of the training grid T (1000 for Wan), at least 2.</param>
    public static FlowSchedule Create(FlowScheduleKind kind, int steps, double shift, int numTrainTimesteps)
    {
        if (steps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, "the number of sampling steps must be at least 1");
        }
        if (!double.IsFinite(shift) || shift <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(shift), shift, "the timestep shift must be a finite number > 0");
        }
        if (numTrainTimesteps < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(numTrainTimesteps), numTrainTimesteps, "the training grid needs at least 2 timesteps");
        }

        var start = kind switch
        {
            // The scheduler's constructor stores its training sigmas 1 - linspace(1, 1/T, T) as float32;
            // sigma_max is the largest of them, read back as a double.
            FlowScheduleKind.TrainingGrid => (double)(float)(1.0 - 1.0 / numTrainTimesteps),
            FlowScheduleKind.SamplingSigmas => 1.0,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown schedule kind"),
        };

        var timesteps = new long[steps];
        var sigmas = new float[steps + 1];
        for (int i = 0; i < steps; i++)
        {
            var u = NumpyLinspace(start, 0.0, steps + 1, i);
            var sigma = shift * u / (1 + (shift - 1) * u);
            timesteps[i] = (long)(sigma * numTrainTimesteps);
            sigmas[i] = (float)sigma;
        }
        sigmas[steps] = 0f;
        return new FlowSchedule(timesteps, [.. timesteps.Select(t => (double)t)], sigmas);
    }

    /// <summary>
    /// A schedule whose model timesteps are real numbers (the step-distill sampler): <paramref name="modelTimesteps"/>
    /// per step, <paramref name="sigmas"/> per step plus the final 0.
    /// </summary>
    internal static FlowSchedule FromValues(double[] modelTimesteps, float[] sigmas)
    {
        if (sigmas.Length != modelTimesteps.Length + 1)
        {
            throw new ArgumentException($"a schedule of {modelTimesteps.Length} steps needs {modelTimesteps.Length + 1} sigmas, got {sigmas.Length}");
        }
        return new FlowSchedule([.. modelTimesteps.Select(t => (long)t)], modelTimesteps, sigmas);
    }

    /// <summary>
    /// Element <paramref name="i"/> of <c>numpy.linspace(start, stop, count)</c>: <c>i * step + start</c> with
    /// <c>step = (stop - start) / (count - 1)</c>, rounded twice like numpy (not fused), last element = stop.
    /// </summary>
    private static double NumpyLinspace(double start, double stop, int count, int i)
    {
        if (i == count - 1)
        {
            return stop;
        }
        var step = (stop - start) / (count - 1);
        var scaled = i * step;
        return scaled + start;
    }
}
