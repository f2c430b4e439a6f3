namespace Wan.Runtime.Pipeline.Solvers;

/// <summary>
/// What every solver shares: the schedule, and the checks that steps come in order, once each, on
/// latents of one length.
/// </summary>
public abstract class FlowSolverBase : IFlowSolver
{
    private readonly FlowSchedule _schedule;
    private int _nextStep;
    private int _latentLength = -1;

    /// <summary>A solver over <paramref name="schedule"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="schedule"/> is null.</exception>
    protected FlowSolverBase(FlowSchedule schedule)
    {
        _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
    }

    /// <inheritdoc />
    public IReadOnlyList<long> Timesteps => _schedule.Timesteps;

    /// <inheritdoc />
    public IReadOnlyList<double> ModelTimesteps => _schedule.ModelTimesteps;

    /// <summary>Null: the model's boundary ratio picks the expert (the official schedulers).</summary>
    public virtual int? ExpertBoundaryStep => null;
    /// <inheritdoc />
    public IReadOnlyList<float> Sigmas => _schedule.Sigmas;

    /// <inheritdoc />
    public int StepCount => _schedule.StepCount;

    /// <summary>Sigma at step <paramref name="i"/> (i = StepCount is the final 0).</summary>
    protected float Sigma(int i) => _schedule.Sigmas[i];

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The step index is outside the schedule.</exception>
    /// <exception cref="InvalidOperationException">Steps out of order, or all steps done.</exception>
    /// <exception cref="ArgumentException">Output and sample lengths differ, are empty, or change between steps.</exception>
    public void Step(ReadOnlySpan<float> modelOutput, int stepIndex, Span<float> sample)
    {
        var name = GetType().Name;
        if (stepIndex < 0 || stepIndex >= StepCount)
        {
            throw new ArgumentOutOfRangeException(nameof(stepIndex), stepIndex, $"{name}: step index outside the schedule's {StepCount} steps");
        }
        if (stepIndex != _nextStep)
        {
            throw new InvalidOperationException(_nextStep == StepCount
                ? $"{name}: all {StepCount} steps are done; use a fresh solver for a new generation"
                : $"{name}: steps must be taken in order; expected step {_nextStep}, got {stepIndex}");
        }
        if (modelOutput.Length != sample.Length)
        {
            throw new ArgumentException($"{name}: model output has {modelOutput.Length} values but the sample has {sample.Length}", nameof(modelOutput));
        }
        if (sample.Length == 0)
        {
            throw new ArgumentException($"{name}: the sample is empty", nameof(sample));
        }
        if (_latentLength >= 0 && sample.Length != _latentLength)
        {
            throw new ArgumentException($"{name}: the sample has {sample.Length} values but earlier steps had {_latentLength}", nameof(sample));
        }
        _latentLength = sample.Length;
        StepCore(modelOutput, stepIndex, sample);
        _nextStep++;
    }

    /// <summary>The solver's update; arguments are already checked.</summary>
    protected abstract void StepCore(ReadOnlySpan<float> modelOutput, int stepIndex, Span<float> sample);
}
